/* The background mail sender; see sender.h. */
#include "integrations/mail/sender.h"

#include <curl/curl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "integrations/mail/mime.h"
#include "services/audit.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/log.h"
#include "util/time.h"

enum sender_tls { SENDER_TLS_NONE, SENDER_TLS_TRY, SENDER_TLS_STARTTLS, SENDER_TLS_IMPLICIT };

/* One process-wide sender. The settings are written by sender_configure before the thread
   starts and only read afterwards. */
static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    bool running, stop;
    bool configured, curl_ready;
    char url[CONFIG_STR_MAX + 8];
    char from[CONFIG_STR_MAX];
    char username[256];
    char password[256];
    enum sender_tls tls;
    int max_attempts;
    int poll_seconds;
} sender = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* A claimed message, copied out of the statement into the run's arena. */
struct sender_msg {
    int64_t id, tenant_id, attempts;
    const char *to, *lang, *kind, *subject, *text, *html, *tenant_slug, *tenant_name;
};

/* The upload of one message to libcurl. */
struct sender_upload {
    const char *data;
    size_t len, pos;
};

int sender_backoff_minutes(int attempts)
{
    int m = 1;
    for (int i = 1; i < attempts && m < SENDER_BACKOFF_MAX_MINUTES; i++)
        m *= 2;
    return m < SENDER_BACKOFF_MAX_MINUTES ? m : SENDER_BACKOFF_MAX_MINUTES;
}

int sender_configure(const struct config *cfg)
{
    static const char *const tls_names[] = {"none", "try", "starttls", "tls"};
    const char *url = cfg->mail_url;
    bool smtps = strncmp(url, "smtps://", 8) == 0;
    if (!smtps && strncmp(url, "smtp://", 7) != 0) {
        log_error("mail.url must start with smtp:// or smtps://", "url", url);
        return -1;
    }
    int tls = -1;
    for (int i = 0; i < 4; i++)
        if (strcmp(cfg->mail_tls, tls_names[i]) == 0)
            tls = i;
    if (tls < 0 || !strchr(cfg->mail_from, '@')) {
        log_error("mail.tls or mail.from is not usable", "tls", cfg->mail_tls, "from",
                  cfg->mail_from);
        return -1;
    }
    if (!sender.curl_ready) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || sodium_init() < 0) {
            log_error("mail: cannot initialise libcurl");
            return -1;
        }
        sender.curl_ready = true;
    }
    /* Implicit TLS is the smtps:// scheme; the other modes keep the URL as given. */
    if (tls == SENDER_TLS_IMPLICIT && !smtps)
        snprintf(sender.url, sizeof(sender.url), "smtps://%s", url + 7);
    else
        snprintf(sender.url, sizeof(sender.url), "%s", url);
    snprintf(sender.from, sizeof(sender.from), "%s", cfg->mail_from);
    snprintf(sender.username, sizeof(sender.username), "%s", cfg->mail_username);
    snprintf(sender.password, sizeof(sender.password), "%s", cfg->mail_password);
    sender.tls = (enum sender_tls)tls;
    sender.max_attempts = cfg->mail_max_attempts;
    sender.poll_seconds = cfg->mail_poll_seconds;
    sender.configured = true;
    return 0;
}

static size_t sender_read(char *out, size_t size, size_t nitems, void *arg)
{
    struct sender_upload *u = arg;
    size_t n = size * nitems;
    if (n > u->len - u->pos)
        n = u->len - u->pos;
    memcpy(out, u->data + u->pos, n);
    u->pos += n;
    return n;
}

/* One SMTP exchange. 0 sent; otherwise err holds why and *permanent says whether the server
   refused for good (a 5xx reply). */
static int sender_deliver(const struct sender_msg *m, const char *mime, size_t len, char *err,
                          size_t errsz, bool *permanent)
{
    *permanent = false;
    CURL *h = curl_easy_init();
    if (!h) {
        snprintf(err, errsz, "cannot create a libcurl handle");
        return -1;
    }
    char from[CONFIG_STR_MAX + 2], to[300], curl_err[CURL_ERROR_SIZE] = "";
    snprintf(from, sizeof(from), "<%s>", sender.from);
    snprintf(to, sizeof(to), "<%s>", m->to);
    struct curl_slist *rcpt = curl_slist_append(NULL, to);
    struct sender_upload up = {mime, len, 0};
    static const long use_ssl[] = {CURLUSESSL_NONE, CURLUSESSL_TRY, CURLUSESSL_ALL, CURLUSESSL_ALL};
    curl_easy_setopt(h, CURLOPT_URL, sender.url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(h, CURLOPT_USE_SSL, use_ssl[sender.tls]);
    if (sender.username[0]) {
        curl_easy_setopt(h, CURLOPT_USERNAME, sender.username);
        curl_easy_setopt(h, CURLOPT_PASSWORD, sender.password);
    }
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, sender_read);
    curl_easy_setopt(h, CURLOPT_READDATA, &up);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)SENDER_CONNECT_TIMEOUT);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)SENDER_TIMEOUT);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_err);
    CURLcode rc = rcpt ? curl_easy_perform(h) : CURLE_OUT_OF_MEMORY;
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    if (rc != CURLE_OK) {
        snprintf(err, errsz, "%s%s%s (SMTP %ld)", curl_easy_strerror(rc), curl_err[0] ? ": " : "",
                 curl_err, code);
        /* A 5xx refusal of this message is final; a refused login is our configuration,
           which the administrator can fix, so those messages keep their attempts. */
        *permanent = code >= 500 && code < 600 && rc != CURLE_LOGIN_DENIED;
    }
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(h);
    return rc == CURLE_OK ? 0 : -1;
}

static void sender_audit_failed(struct db *db, const struct sender_msg *m, const char *err)
{
    struct audit_entry e = {.tenant_id = m->tenant_id,
                            .actor = AUDIT_SYSTEM,
                            .actor_label = "mail sender",
                            .action = "mail.failed",
                            .entity = "mail_outbox",
                            .entity_id = m->id,
                            .from_state = "sending",
                            .to_state = "failed",
                            .detail = err};
    audit_record(db, &e);
}

/* Record the outcome of one attempt under the claim token. */
static int sender_finish(struct db *db, const struct sender_msg *m, const char *token,
                         const char *err, bool permanent)
{
    time_t now = time_now();
    char at[TIME_ISO_MAX];
    if (!err) {
        time_iso(now, at);
        struct db_stmt *st = db_stmt(db, STMT_MAIL_MARK_SENT);
        if (!st)
            return -1;
        db_bind_int(st, 1, m->id);
        db_bind_text(st, 2, token);
        db_bind_text(st, 3, at);
        return db_exec_stmt(st) == DB_OK ? 0 : -1;
    }
    bool failed = permanent || m->attempts >= sender.max_attempts;
    time_iso(failed ? now : now + 60 * (time_t)sender_backoff_minutes((int)m->attempts), at);
    if (db_begin(db) != DB_OK)
        return -1;
    struct db_stmt *st = db_stmt(db, STMT_MAIL_MARK_FAILED);
    int rc = -1;
    if (st) {
        db_bind_int(st, 1, m->id);
        db_bind_text(st, 2, token);
        db_bind_text(st, 3, failed ? "failed" : "retrying");
        db_bind_text(st, 4, at);
        db_bind_text(st, 5, err);
        rc = db_exec_stmt(st) == DB_OK ? 0 : -1;
    }
    if (rc == 0 && failed)
        sender_audit_failed(db, m, err);
    if (rc == 0 && db_commit(db) == DB_OK)
        return 0;
    db_rollback(db);
    return -1;
}

/* The files of message id, in the order they were attached, into the arena. The count; -1 on
   a database error (worth another attempt); -2 when a file could never be sent (larger than
   a whole message). One row past MIME_ATTACHMENTS_MAX is read, so that mime_build refuses such
   a message instead of sending it without some of its files. */
static int sender_attachments(struct db *db, struct arena *a, int64_t id,
                              struct mime_attachment **out)
{
    *out = NULL;
    struct db_stmt *st = db_stmt(db, STMT_MAIL_ATTACHMENT_DATA);
    if (!st)
        return -1;
    db_bind_int(st, 1, id);
    db_bind_int(st, 2, MIME_ATTACHMENTS_MAX + 1);
    struct mime_attachment *list = NULL;
    int n = 0, rc = 0;
    enum db_err e = DB_DONE;
    while (n <= MIME_ATTACHMENTS_MAX && (e = db_step(st)) == DB_ROW) {
        int64_t len = db_col_int(st, 3);
        const char *hex = db_col_text(st, 2);
        if (len < 0 || len > MIME_MESSAGE_MAX) {
            rc = -2;
            break;
        }
        unsigned char *bin = arena_alloc(a, len ? (size_t)len : 1);
        size_t got = 0;
        if (strlen(hex) != 2 * (size_t)len ||
            sodium_hex2bin(bin, (size_t)len, hex, 2 * (size_t)len, NULL, &got, NULL) != 0 ||
            got != (size_t)len) {
            rc = -1;
            break;
        }
        if (!list)
            list = arena_calloc(a, MIME_ATTACHMENTS_MAX + 1, sizeof(*list));
        list[n].filename = arena_strdup(a, db_col_text(st, 0));
        list[n].content_type = arena_strdup(a, db_col_text(st, 1));
        list[n].data = bin;
        list[n].len = (size_t)len;
        n++;
    }
    db_reset(st);
    if (rc == 0 && n <= MIME_ATTACHMENTS_MAX && e != DB_DONE)
        rc = -1;
    *out = list;
    return rc < 0 ? rc : n;
}

static void sender_attempt(struct db *db, struct arena *a, const struct sender_msg *m,
                           const char *token)
{
    unsigned char rnd[8];
    randombytes_buf(rnd, sizeof(rnd));
    char hex[sizeof(rnd) * 2 + 1];
    sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
    const char *domain = strchr(sender.from, '@') + 1;
    struct mime_msg mm = {.from_name = m->tenant_name,
                          .from_addr = sender.from,
                          .to = m->to,
                          .subject = m->subject,
                          .lang = m->lang,
                          .message_id =
                              arena_printf(a, "%lld.%s@%s", (long long)m->id, hex, domain),
                          .tenant = m->tenant_slug,
                          .text = m->text,
                          .html = m->html,
                          .date = time_now()};
    /* The files live only for this attempt: a batch of messages never holds them all. */
    struct arena files;
    arena_init(&files, 0);
    struct mime_attachment *list = NULL;
    int nfiles = sender_attachments(db, &files, m->id, &list);
    mm.attachments = list;
    mm.nattachments = nfiles > 0 ? (size_t)nfiles : 0;
    struct buf out;
    buf_init(&out, MIME_MESSAGE_MAX);
    char err[SENDER_ERROR_MAX];
    bool permanent = false;
    enum mime_err me = MIME_ERR_TOOBIG;
    if (nfiles >= 0)
        me = mime_build(&out, &mm);
    int rc = -1;
    if (nfiles == -1) {
        snprintf(err, sizeof(err), "cannot read the attachments: %s", db_errmsg(db));
    } else if (me != MIME_OK) {
        snprintf(err, sizeof(err), "message refused before sending: %s", mime_strerror(me));
        permanent = true;
    } else {
        rc = sender_deliver(m, buf_str(&out), out.len, err, sizeof(err), &permanent);
    }
    buf_free(&out);
    arena_free(&files);
    char id[24], attempts[24];
    snprintf(id, sizeof(id), "%lld", (long long)m->id);
    snprintf(attempts, sizeof(attempts), "%lld", (long long)m->attempts);
    if (rc == 0)
        log_info("mail sent", "id", id, "kind", m->kind, "tenant", m->tenant_slug);
    else
        log_warn("mail not sent", "id", id, "attempt", attempts, "error", err);
    if (sender_finish(db, m, token, rc == 0 ? NULL : err, permanent) != 0)
        log_error("mail: cannot record the outcome", "id", id, "error", db_errmsg(db));
}

/* Claim a batch under token; the claimed rows into *out. Count, or -1. */
static int sender_claim(struct db *db, struct arena *a, const char *token, struct sender_msg **out)
{
    time_t now = time_now();
    char at[TIME_ISO_MAX], stale[TIME_ISO_MAX];
    time_iso(now, at);
    time_iso(now - 60 * SENDER_STALE_MINUTES, stale);
    struct db_stmt *st = db_stmt(db, STMT_MAIL_CLAIM);
    if (!st)
        return -1;
    db_bind_text(st, 1, token);
    db_bind_text(st, 2, at);
    db_bind_text(st, 3, stale);
    db_bind_int(st, 4, SENDER_BATCH_MAX);
    if (db_exec_stmt(st) != DB_OK)
        return -1;
    if (db_changes(db) == 0)
        return 0;
    st = db_stmt(db, STMT_MAIL_CLAIMED);
    if (!st)
        return -1;
    db_bind_text(st, 1, token);
    struct sender_msg *msgs = arena_calloc(a, SENDER_BATCH_MAX, sizeof(*msgs));
    int n = 0;
    enum db_err e;
    while (n < SENDER_BATCH_MAX && (e = db_step(st)) == DB_ROW) {
        struct sender_msg *m = &msgs[n++];
        m->id = db_col_int(st, 0);
        m->tenant_id = db_col_int(st, 1);
        m->to = arena_strdup(a, db_col_text(st, 2));
        m->lang = arena_strdup(a, db_col_text(st, 3));
        m->kind = arena_strdup(a, db_col_text(st, 4));
        m->subject = arena_strdup(a, db_col_text(st, 5));
        m->text = arena_strdup(a, db_col_text(st, 6));
        m->html = arena_strdup(a, db_col_text(st, 7));
        m->attempts = db_col_int(st, 8);
        m->tenant_slug = arena_strdup(a, db_col_text(st, 9));
        m->tenant_name = arena_strdup(a, db_col_text(st, 10));
    }
    db_reset(st);
    *out = msgs;
    return n;
}

int sender_run_once(void)
{
    if (!sender.configured)
        return 0;
    struct db *db = store_db();
    if (!db)
        return -1;
    int total = 0;
    while (total < SENDER_RUN_MAX) {
        struct arena a;
        arena_init(&a, 0);
        unsigned char rnd[16];
        randombytes_buf(rnd, sizeof(rnd));
        char token[sizeof(rnd) * 2 + 1];
        sodium_bin2hex(token, sizeof(token), rnd, sizeof(rnd));
        struct sender_msg *msgs = NULL;
        int n = sender_claim(db, &a, token, &msgs);
        for (int i = 0; i < n; i++)
            sender_attempt(db, &a, &msgs[i], token);
        arena_free(&a);
        if (n < 0) {
            log_error("mail: cannot claim due messages", "error", db_errmsg(db));
            return -1;
        }
        if (n == 0)
            break;
        total += n;
    }
    return total;
}

static void *sender_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&sender.mu);
    while (!sender.stop) {
        pthread_mutex_unlock(&sender.mu);
        sender_run_once();
        pthread_mutex_lock(&sender.mu);
        if (sender.stop)
            break;
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += sender.poll_seconds;
        pthread_cond_timedwait(&sender.cv, &sender.mu, &until);
    }
    pthread_mutex_unlock(&sender.mu);
    store_thread_done();
    return NULL;
}

int sender_start(const struct config *cfg)
{
    if (!cfg->mail_url[0]) {
        log_info("mail sender disabled (mail.url is empty): messages stay queued");
        return 0;
    }
    if (sender.running || sender_configure(cfg) != 0)
        return sender.running ? 0 : -1;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&sender.cv, &attr);
    pthread_condattr_destroy(&attr);
    sender.stop = false;
    if (pthread_create(&sender.thread, NULL, sender_main, NULL) != 0) {
        pthread_cond_destroy(&sender.cv);
        log_error("mail: cannot start the sender thread");
        return -1;
    }
    sender.running = true;
    log_info("mail sender started", "url", sender.url);
    return 0;
}

void sender_stop(void)
{
    if (sender.running) {
        pthread_mutex_lock(&sender.mu);
        sender.stop = true;
        pthread_cond_signal(&sender.cv);
        pthread_mutex_unlock(&sender.mu);
        pthread_join(sender.thread, NULL);
        pthread_cond_destroy(&sender.cv);
        sender.running = false;
    }
    if (sender.curl_ready) {
        curl_global_cleanup();
        sender.curl_ready = false;
    }
    sodium_memzero(sender.password, sizeof(sender.password));
    sender.configured = false;
}
