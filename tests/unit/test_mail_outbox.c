/* Unit tests for the mail outbox and sender (src/integrations/mail/), against the SMTP
   stand-in running in this process on loopback: rendering in the family's language with the
   municipality's contacts, queueing inside the caller's transaction, delivery, the exclusive
   claim (also with two senders at once), retries with backoff, permanent refusals, the office's
   requeue, SMTP AUTH, attachments (what mail_attach refuses and stores, files that arrive
   byte for byte, the largest message allowed), and the stand-in's reader on malformed input. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "integrations/mail/mime.h"
#include "integrations/mail/outbox.h"
#include "integrations/mail/sender.h"
#include "services/audit.h"
#include "services/password.h"
#include "standins/smtp.h"
#include "store/store.h"
#include "util/log.h"
#include "util/time.h"

#define TENANT_NAME "Comune di Città di Prova"

struct fixture {
    char dir[64];
    char db_path[128];
    char mail_dir[128];
    struct db *db;
    struct smtp_standin *smtp;
    struct arena arena;
};

static int group_setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/refettorio-mail-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->db_path, sizeof(f->db_path), "%s/t.sqlite", f->dir);
    snprintf(f->mail_dir, sizeof(f->mail_dir), "%s/mail", f->dir);
    char err[256];
    log_set_quiet(1);
    if (password_init() != 0 || store_init(f->db_path, err, sizeof(err)) != 0)
        return -1;
    f->db = store_db();
    struct smtp_standin_opts o = {.dir = f->mail_dir};
    f->smtp = smtp_standin_start(&o, err, sizeof(err));
    if (!f->smtp)
        return -1;
    arena_init(&f->arena, 0);
    *state = f;
    return 0;
}

static int group_teardown(void **state)
{
    struct fixture *f = *state;
    sender_stop();
    smtp_standin_stop(f->smtp);
    store_thread_done();
    arena_free(&f->arena);
    char cmd[160];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    int rc = system(cmd);
    (void)rc;
    free(f);
    return 0;
}

/* A municipality of its own for each test, so lists and counts never mix. */
static struct tenant make_tenant(struct fixture *f, const char *slug)
{
    struct tenant_new tn = {.slug = slug,
                            .name = TENANT_NAME,
                            .address = "Piazza Municipio 1, Prova",
                            .phone = "0123 456789",
                            .email = "scuola@comune.prova.it",
                            .office_hours = "lun-ven 9-12"};
    assert_int_equal(tenant_create(f->db, &tn, NULL), TENANT_OK);
    struct tenant t;
    assert_int_equal(tenant_find(f->db, &f->arena, slug, &t), 1);
    return t;
}

static void use_server(int port, const char *user, const char *password, int max_attempts)
{
    struct config cfg;
    config_defaults(&cfg);
    snprintf(cfg.mail_url, sizeof(cfg.mail_url), "smtp://127.0.0.1:%d", port);
    snprintf(cfg.mail_tls, sizeof(cfg.mail_tls), "none");
    snprintf(cfg.mail_from, sizeof(cfg.mail_from), "noreply@comune.prova.it");
    snprintf(cfg.mail_username, sizeof(cfg.mail_username), "%s", user ? user : "");
    snprintf(cfg.mail_password, sizeof(cfg.mail_password), "%s", password ? password : "");
    cfg.mail_max_attempts = max_attempts;
    assert_int_equal(sender_configure(&cfg), 0);
}

static int64_t queue_code(struct fixture *f, const struct tenant *t, const char *to,
                          const char *lang, const char *code)
{
    struct tv *d = tv_dict(&f->arena);
    tv_set_str(d, "code", code);
    tv_set_int(d, "minutes", 15);
    int64_t id = 0;
    assert_int_equal(db_begin(f->db), DB_OK);
    assert_int_equal(mail_queue(f->db, &f->arena, t, to, lang, "verification_code", d, &id), 0);
    assert_int_equal(db_commit(f->db), DB_OK);
    assert_true(id > 0);
    return id;
}

static struct mail_row row(struct fixture *f, const struct tenant *t, int64_t id)
{
    struct mail_row r;
    assert_int_equal(mail_find(f->db, &f->arena, t->id, id, &r), 1);
    return r;
}

/* Messages the stand-in holds for this tenant, newest first. */
static size_t received(struct fixture *f, const char *slug, struct smtp_standin_msg *out,
                       size_t max)
{
    struct smtp_standin_msg *msgs;
    size_t n, k = 0;
    assert_int_equal(smtp_standin_read(&f->arena, f->mail_dir, 0, &msgs, &n), 0);
    for (size_t i = 0; i < n; i++)
        if (strcmp(msgs[i].tenant, slug) == 0 && k < max)
            out[k++] = msgs[i];
    return k;
}

static void test_render_language_and_contacts(void **state)
{
    struct fixture *f = *state;
    struct tenant t = make_tenant(f, "render");
    struct tv *d = tv_dict(&f->arena);
    tv_set_str(d, "name", "<b>Anna</b> & Co");
    tv_set_str(d, "password", "Tmp-<pass>-42");
    tv_set_str(d, "signin_href", "https://example.it/render/famiglie/accedi");
    const char *subject, *text, *html;
    assert_int_equal(
        mail_render(&f->arena, &t, "en", "temporary_password", d, &subject, &text, &html), 0);
    assert_string_equal(subject, "Your temporary password for " TENANT_NAME);
    /* Plain text: the values as they are; HTML: escaped. */
    assert_non_null(strstr(text, "Hello <b>Anna</b> & Co,"));
    assert_non_null(strstr(text, "    Tmp-<pass>-42\n"));
    assert_non_null(strstr(html, "Hello &lt;b&gt;Anna&lt;/b&gt; &amp; Co,"));
    assert_null(strstr(html, "<b>Anna"));
    assert_non_null(strstr(html, "<html lang=\"en\">"));
    assert_non_null(strstr(html, "<title>Your temporary password for " TENANT_NAME "</title>"));
    /* The municipality's name and contacts in both parts. */
    assert_non_null(strstr(text, "Piazza Municipio 1, Prova"));
    assert_non_null(strstr(text, "0123 456789"));
    assert_non_null(strstr(text, "scuola@comune.prova.it"));
    assert_non_null(strstr(html, "Piazza Municipio 1, Prova"));
    assert_non_null(strstr(html, ">scuola@comune.prova.it</a>"));
    /* The subject line is not repeated in the body. */
    assert_null(strstr(text, "Your temporary password for"));
    /* Unknown templates and names that try to leave templates/mail are refused. */
    assert_int_equal(mail_render(&f->arena, &t, "en", "nope", NULL, &subject, &text, &html), -1);
    assert_int_equal(
        mail_render(&f->arena, &t, "en", "../office/home", NULL, &subject, &text, &html), -1);
}

static void test_queue_follows_the_transaction(void **state)
{
    struct fixture *f = *state;
    struct tenant t = make_tenant(f, "rollback");
    struct tv *d = tv_dict(&f->arena);
    tv_set_str(d, "code", "111111");
    tv_set_int(d, "minutes", 15);
    assert_int_equal(db_begin(f->db), DB_OK);
    assert_int_equal(
        mail_queue(f->db, &f->arena, &t, "anna@example.it", "it", "verification_code", d, NULL), 0);
    assert_int_equal(db_rollback(f->db), DB_OK);
    struct mail_row *rows;
    size_t n;
    assert_int_equal(mail_list(f->db, &f->arena, t.id, NULL, 10, &rows, &n), 0);
    assert_int_equal(n, 0); /* the action did not happen, so neither does the message */

    int64_t id = queue_code(f, &t, "  anna@EXAMPLE.it ", "it", "222222");
    assert_int_equal(mail_list(f->db, &f->arena, t.id, "queued", 10, &rows, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].id, id);
    assert_string_equal(rows[0].recipient, "anna@example.it");
    assert_string_equal(rows[0].kind, "verification_code");
    assert_int_equal(rows[0].attempts, 0);
    /* Bad addresses, unknown templates: nothing is written. */
    assert_int_equal(db_begin(f->db), DB_OK);
    assert_int_equal(
        mail_queue(f->db, &f->arena, &t, "not an address", "it", "verification_code", d, NULL), -1);
    assert_int_equal(mail_queue(f->db, &f->arena, &t, "a@b.it\r\nBcc: c@d.it", "it",
                                "verification_code", d, NULL),
                     -1);
    assert_int_equal(
        mail_queue(f->db, &f->arena, &t, "anna@example.it", "it", "no_such_mail", d, NULL), -1);
    assert_int_equal(db_commit(f->db), DB_OK);
    assert_int_equal(mail_list(f->db, &f->arena, t.id, NULL, 10, &rows, &n), 0);
    assert_int_equal(n, 1);
}

static void test_sender_delivers(void **state)
{
    struct fixture *f = *state;
    struct tenant t = make_tenant(f, "deliver");
    use_server(smtp_standin_port(f->smtp), NULL, NULL, 3);
    int64_t a = queue_code(f, &t, "anna@example.it", "en", "123456");
    int64_t b = queue_code(f, &t, "luca@example.it", "it", "654321");
    assert_true(sender_run_once() >= 2);
    struct mail_row ra = row(f, &t, a), rb = row(f, &t, b);
    assert_string_equal(ra.status, "sent");
    assert_string_equal(rb.status, "sent");
    assert_int_equal(ra.attempts, 1);
    assert_true(ra.sent_at[0] != '\0');
    assert_int_equal(sender_run_once(), 0); /* nothing is sent twice */

    struct smtp_standin_msg got[4];
    assert_int_equal(received(f, "deliver", got, 4), 2);
    const struct smtp_standin_msg *en =
        strcmp(got[0].rcpt_to, "anna@example.it") == 0 ? &got[0] : &got[1];
    assert_string_equal(en->rcpt_to, "anna@example.it");
    assert_string_equal(en->mail_from, "<noreply@comune.prova.it>");
    assert_string_equal(en->to, "anna@example.it");
    assert_string_equal(en->subject, "Your verification code for " TENANT_NAME);
    assert_non_null(strstr(en->text, "    123456\n"));
    assert_non_null(strstr(en->text, "Piazza Municipio 1, Prova"));
    assert_non_null(strstr(en->html, "<strong>123456</strong>"));
    assert_non_null(strstr(en->content_type, "multipart/alternative"));
    struct buf from;
    buf_init(&from, 1024);
    mime_header_decode(&from, en->from);
    assert_non_null(strstr(buf_str(&from), TENANT_NAME));
    assert_non_null(strstr(buf_str(&from), "<noreply@comune.prova.it>"));
    buf_free(&from);
}

static void test_claim_is_exclusive(void **state)
{
    struct fixture *f = *state;
    struct tenant t = make_tenant(f, "claim");
    int64_t id = queue_code(f, &t, "anna@example.it", "it", "333333");
    char now[TIME_ISO_MAX], stale[TIME_ISO_MAX];
    time_iso(time_now(), now);
    time_iso(time_now() - 3600, stale);
    static const char *const tokens[] = {"token-a", "token-b"};
    int changes[2];
    for (int i = 0; i < 2; i++) {
        struct db_stmt *st = db_stmt(f->db, STMT_MAIL_CLAIM);
        db_bind_text(st, 1, tokens[i]);
        db_bind_text(st, 2, now);
        db_bind_text(st, 3, stale);
        db_bind_int(st, 4, 100);
        assert_int_equal(db_exec_stmt(st), DB_OK);
        changes[i] = db_changes(f->db);
    }
    assert_int_equal(changes[0], 1);
    assert_int_equal(changes[1], 0); /* already sending under token-a */
    struct db_stmt *st = db_stmt(f->db, STMT_MAIL_CLAIMED);
    db_bind_text(st, 1, "token-b");
    assert_int_equal(db_step(st), DB_DONE);
    db_reset(st);
    assert_string_equal(row(f, &t, id).status, "sending");
    /* Only the holder of the claim records the outcome. */
    st = db_stmt(f->db, STMT_MAIL_MARK_SENT);
    db_bind_int(st, 1, id);
    db_bind_text(st, 2, "token-b");
    db_bind_text(st, 3, now);
    assert_int_equal(db_exec_stmt(st), DB_OK);
    assert_int_equal(db_changes(f->db), 0);
    st = db_stmt(f->db, STMT_MAIL_MARK_SENT);
    db_bind_int(st, 1, id);
    db_bind_text(st, 2, "token-a");
    db_bind_text(st, 3, now);
    assert_int_equal(db_exec_stmt(st), DB_OK);
    assert_int_equal(db_changes(f->db), 1);
    assert_string_equal(row(f, &t, id).status, "sent");
}

static void *run_sender(void *arg)
{
    (void)arg;
    sender_run_once();
    store_thread_done();
    return NULL;
}

static void test_two_senders_never_send_twice(void **state)
{
    struct fixture *f = *state;
    struct tenant t = make_tenant(f, "twosenders");
    use_server(smtp_standin_port(f->smtp), NULL, NULL, 3);
    enum { N = 12 };
    int64_t ids[N];
    for (int i = 0; i < N; i++) {
        char to[64], code[16];
        snprintf(to, sizeof(to), "family%d@example.it", i);
        snprintf(code, sizeof(code), "%06d", 100000 + i);
        ids[i] = queue_code(f, &t, to, "it", code);
    }
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&th[i], NULL, run_sender, NULL), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < N; i++) {
        struct mail_row r = row(f, &t, ids[i]);
        assert_string_equal(r.status, "sent");
        assert_int_equal(r.attempts, 1);
    }
    struct smtp_standin_msg got[N + 4];
    assert_int_equal(received(f, "twosenders", got, N + 4), N);
}

static void test_permanent_refusal_fails_at_once(void **state)
{
    struct fixture *f = *state;
    struct tenant t = make_tenant(f, "bounce");
    use_server(smtp_standin_port(f->smtp), NULL, NULL, 5);
    int64_t before = audit_count(f->db, t.id, "mail.failed");
    int64_t id = queue_code(f, &t, "bounce@example.it", "it", "444444");
    assert_true(sender_run_once() >= 1);
    struct mail_row r = row(f, &t, id);
    assert_string_equal(r.status, "failed");
    assert_int_equal(r.attempts, 1);
    assert_non_null(strstr(r.last_error, "550"));
    assert_int_equal(audit_count(f->db, t.id, "mail.failed"), before + 1);
}

static void test_server_down_retries_then_fails(void **state)
{
    struct fixture *f = *state;
    struct tenant t = make_tenant(f, "down");
    /* A port where nothing listens: start a stand-in for a free port, then stop it. */
    char err[128];
    char dead_dir[160];
    snprintf(dead_dir, sizeof(dead_dir), "%s/dead", f->dir);
    struct smtp_standin_opts o = {.dir = dead_dir};
    struct smtp_standin *dead = smtp_standin_start(&o, err, sizeof(err));
    assert_non_null(dead);
    int port = smtp_standin_port(dead);
    smtp_standin_stop(dead);
    use_server(port, NULL, NULL, 3);

    time_t t0 = time_now();
    time_set_fake(t0);
    int64_t id = queue_code(f, &t, "anna@example.it", "it", "555555");
    assert_int_equal(sender_run_once(), 1);
    struct mail_row r = row(f, &t, id);
    assert_string_equal(r.status, "retrying");
    assert_int_equal(r.attempts, 1);
    assert_true(r.last_error[0] != '\0');
    char at[TIME_ISO_MAX];
    time_iso(t0 + 60, at);
    assert_string_equal(r.next_attempt_at, at); /* first wait: 1 minute */
    assert_int_equal(sender_run_once(), 0);     /* not due yet */

    time_set_fake(t0 + 61);
    assert_int_equal(sender_run_once(), 1);
    r = row(f, &t, id);
    assert_string_equal(r.status, "retrying");
    assert_int_equal(r.attempts, 2);
    time_iso(t0 + 61 + 120, at);
    assert_string_equal(r.next_attempt_at, at); /* then 2 minutes */

    int64_t failed_before = audit_count(f->db, t.id, "mail.failed");
    time_set_fake(t0 + 61 + 121);
    assert_int_equal(sender_run_once(), 1);
    r = row(f, &t, id);
    assert_string_equal(r.status, "failed"); /* mail.max_attempts = 3 */
    assert_int_equal(r.attempts, 3);
    assert_int_equal(audit_count(f->db, t.id, "mail.failed"), failed_before + 1);
    time_set_fake(t0 + 3600);
    assert_int_equal(sender_run_once(), 0); /* failed is final */

    /* The office requeues it; the server is back; it is delivered. */
    assert_int_equal(mail_requeue(f->db, t.id, id), 1);
    assert_int_equal(mail_requeue(f->db, t.id, id), 0);        /* only failed messages */
    assert_int_equal(mail_requeue(f->db, t.id + 1000, id), 0); /* only this tenant's */
    r = row(f, &t, id);
    assert_string_equal(r.status, "queued");
    assert_int_equal(r.attempts, 0);
    use_server(smtp_standin_port(f->smtp), NULL, NULL, 3);
    assert_int_equal(sender_run_once(), 1);
    assert_string_equal(row(f, &t, id).status, "sent");
    time_set_fake(0);
}

static void test_backoff(void **state)
{
    static const int want[] = {1, 2, 4, 8, 16, 32, 60, 60, 60};
    for (int i = 0; i < 9; i++)
        assert_int_equal(sender_backoff_minutes(i + 1), want[i]);
    assert_int_equal(sender_backoff_minutes(1000), SENDER_BACKOFF_MAX_MINUTES);
}

static void test_configuration_checked(void **state)
{
    struct config cfg;
    config_defaults(&cfg);
    snprintf(cfg.mail_url, sizeof(cfg.mail_url), "http://127.0.0.1:25");
    assert_int_equal(sender_configure(&cfg), -1);
    char msg[256];
    assert_int_equal(config_set(&cfg, "mail.tls", "sometimes", msg, sizeof(msg)), CONFIG_ERR_VALUE);
    assert_int_equal(config_set(&cfg, "mail.tls", "starttls", msg, sizeof(msg)), CONFIG_OK);
    assert_int_equal(config_set(&cfg, "mail.max_attempts", "0", msg, sizeof(msg)),
                     CONFIG_ERR_VALUE);
}

/* Last: it leaves messages retrying. */
static void test_auth_and_temporary_refusal(void **state)
{
    struct fixture *f = *state;
    struct tenant t = make_tenant(f, "auth");
    char err[128], dir[160];
    snprintf(dir, sizeof(dir), "%s/auth-mail", f->dir);
    struct smtp_standin_opts o = {.dir = dir, .username = "mensa", .password = "S3greto!"};
    struct smtp_standin *smtp = smtp_standin_start(&o, err, sizeof(err));
    assert_non_null(smtp);
    use_server(smtp_standin_port(smtp), "mensa", "S3greto!", 3);
    int64_t ok = queue_code(f, &t, "anna@example.it", "it", "666666");
    assert_true(sender_run_once() >= 1);
    assert_string_equal(row(f, &t, ok).status, "sent");
    assert_int_equal(smtp_standin_count(smtp), 1);

    use_server(smtp_standin_port(smtp), "mensa", "wrong", 3);
    int64_t bad = queue_code(f, &t, "anna@example.it", "it", "777777");
    assert_true(sender_run_once() >= 1);
    struct mail_row r = row(f, &t, bad);
    assert_string_equal(r.status, "retrying");
    assert_true(r.last_error[0] != '\0');
    assert_int_equal(smtp_standin_count(smtp), 1);

    use_server(smtp_standin_port(f->smtp), NULL, NULL, 3);
    int64_t temp = queue_code(f, &t, "tempfail@example.it", "it", "888888");
    assert_true(sender_run_once() >= 1);
    r = row(f, &t, temp);
    assert_string_equal(r.status, "retrying"); /* a 4xx refusal is tried again */
    assert_non_null(strstr(r.last_error, "451"));
    smtp_standin_stop(smtp);
}

/* ---- attachments ------------------------------------------------------------------------- */

/* A PDF as mail_attach wants it (header, an object, %%EOF at the end), with bytes of every
   kind between (NUL, CR, LF). */
static unsigned char *make_pdf(size_t n)
{
    static const char head[] = "%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n";
    static const char tail[] = "\n%%EOF\n";
    assert_true(n >= 64);
    unsigned char *p = malloc(n);
    assert_non_null(p);
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(i * 31 + (i >> 9) + 7);
    memcpy(p, head, sizeof(head) - 1);
    memcpy(p + sizeof(head) - 1, "\0\r\n\r\0\n\n\r", 8);
    memcpy(p + n - (sizeof(tail) - 1), tail, sizeof(tail) - 1);
    return p;
}

/* A 1x1 grey PNG. */
static const unsigned char tiny_png[] =
    "\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x01\x00\x00"
    "\x00\x01\x08\x00\x00\x00\x00\x3a\x7e\x9b\x55\x00\x00\x00\x0a\x49\x44\x41\x54\x78\x9c\x63"
    "\x60\x00\x00\x00\x02\x00\x01\x48\xaf\xa4\x71\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60"
    "\x82";

static size_t attached(struct fixture *f, const struct tenant *t, int64_t id)
{
    return row(f, t, id).nattachments;
}

static void test_attach_refused_and_stored(void **state)
{
    struct fixture *f = *state;
    struct tenant t = make_tenant(f, "attach");
    int64_t id = queue_code(f, &t, "anna@example.it", "it", "121212");
    unsigned char *pdf = make_pdf(64);
    char long_name[MIME_FILENAME_MAX + 2];
    memset(long_name, 'a', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    memcpy(long_name + sizeof(long_name) - 5, ".pdf", 4);
    static const char *const bad_names[] = {
        "../lettera.pdf",
        "cartella/lettera.pdf",
        "cartella\\lettera.pdf",
        "",
        ".nascosto.pdf",
        " lettera.pdf",
        "lettera.pdf ",
        "riga\r\nX-Evil: 1.pdf",
        "tab\t.pdf",
        "del\x7f.pdf",
        "c1\xc2\x85.pdf",
        "bidi\xe2\x80\xae"
        "fdp.exe",
        "isolate\xe2\x81\xa6.pdf",
        "bad \xc3.pdf",
    };
    assert_int_equal(db_begin(f->db), DB_OK);
    for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++)
        assert_int_equal(mail_attach(f->db, id, bad_names[i], "application/pdf", pdf, 64), -1);
    assert_int_equal(mail_attach(f->db, id, NULL, "application/pdf", pdf, 64), -1);
    assert_int_equal(mail_attach(f->db, id, long_name, "application/pdf", pdf, 64), -1);
    static const char *const bad_types[] = {"text/html", "application/octet-stream",
                                            "application/pdf; name=x", "image/svg+xml", ""};
    for (size_t i = 0; i < sizeof(bad_types) / sizeof(bad_types[0]); i++)
        assert_int_equal(mail_attach(f->db, id, "lettera.pdf", bad_types[i], pdf, 64), -1);
    assert_int_equal(mail_attach(f->db, id, "lettera.pdf", NULL, pdf, 64), -1);
    /* The bytes must be what the type says. */
    assert_int_equal(mail_attach(f->db, id, "lettera.pdf", "application/pdf", "ciao", 4), -1);
    assert_int_equal(mail_attach(f->db, id, "logo.png", "image/png", pdf, 64), -1);
    assert_int_equal(
        mail_attach(f->db, id, "lettera.pdf", "application/pdf", tiny_png, sizeof(tiny_png) - 1),
        -1);
    unsigned char *no_eof = make_pdf(64);
    memcpy(no_eof + 57, "\n%%EOX\n", 7);
    assert_int_equal(mail_attach(f->db, id, "lettera.pdf", "application/pdf", no_eof, 64), -1);
    free(no_eof);
    /* Sizes, and a message that does not exist. */
    assert_int_equal(mail_attach(f->db, id, "lettera.pdf", "application/pdf", pdf, 0), -1);
    assert_int_equal(mail_attach(f->db, id, "lettera.pdf", "application/pdf", NULL, 64), -1);
    unsigned char *big = make_pdf(MAIL_ATTACHMENT_MAX + 1);
    assert_int_equal(
        mail_attach(f->db, id, "lettera.pdf", "application/pdf", big, MAIL_ATTACHMENT_MAX + 1), -1);
    free(big);
    assert_int_equal(mail_attach(f->db, id + 100000, "lettera.pdf", "application/pdf", pdf, 64),
                     -1);
    assert_int_equal(db_commit(f->db), DB_OK);
    assert_int_equal(attached(f, &t, id), 0); /* nothing stored */

    /* Stored in order, the type in its usual spelling; a rolled-back attach leaves nothing. */
    static const char csv[] = "classe;alunni\n1A;24\n";
    assert_int_equal(db_begin(f->db), DB_OK);
    assert_int_equal(
        mail_attach(f->db, id, "Lettera credenziali – Città.pdf", "Application/PDF", pdf, 64), 0);
    assert_int_equal(mail_attach(f->db, id, "riepilogo.csv", "text/csv", csv, sizeof(csv) - 1), 0);
    assert_int_equal(db_commit(f->db), DB_OK);
    assert_int_equal(db_begin(f->db), DB_OK);
    assert_int_equal(mail_attach(f->db, id, "altro.csv", "text/csv", csv, sizeof(csv) - 1), 0);
    assert_int_equal(db_rollback(f->db), DB_OK);
    struct mail_row r = row(f, &t, id);
    assert_int_equal(r.nattachments, 2);
    assert_string_equal(r.attachments[0].filename, "Lettera credenziali – Città.pdf");
    assert_string_equal(r.attachments[0].content_type, "application/pdf");
    assert_int_equal(r.attachments[0].size, 64);
    assert_string_equal(r.attachments[1].filename, "riepilogo.csv");
    assert_string_equal(r.attachments[1].content_type, "text/csv");
    assert_int_equal(r.attachments[1].size, sizeof(csv) - 1);
    /* The office list carries them too, and only for this tenant's messages. */
    struct mail_row *rows;
    size_t n;
    assert_int_equal(mail_list(f->db, &f->arena, t.id, NULL, 10, &rows, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].nattachments, 2);
    assert_int_equal(mail_find(f->db, &f->arena, t.id + 1000, id, &r), 0);
    free(pdf);
}

static void test_attachments_delivered(void **state)
{
    struct fixture *f = *state;
    struct tenant t = make_tenant(f, "attachsend");
    use_server(smtp_standin_port(f->smtp), NULL, NULL, 3);
    enum { PDF_LEN = 3001 };
    unsigned char *pdf = make_pdf(PDF_LEN);
    const unsigned char *png = tiny_png;
    int64_t id = queue_code(f, &t, "anna@example.it", "en", "343434");
    assert_int_equal(db_begin(f->db), DB_OK);
    assert_int_equal(
        mail_attach(f->db, id, "Lettera credenziali – Città.pdf", "application/pdf", pdf, PDF_LEN),
        0);
    assert_int_equal(mail_attach(f->db, id, "logo.png", "image/png", png, sizeof(tiny_png) - 1), 0);
    assert_int_equal(db_commit(f->db), DB_OK);
    assert_true(sender_run_once() >= 1);
    assert_string_equal(row(f, &t, id).status, "sent");
    struct smtp_standin_msg got[2];
    assert_int_equal(received(f, "attachsend", got, 2), 1);
    const struct smtp_standin_msg *m = &got[0];
    assert_non_null(strstr(m->content_type, "multipart/mixed"));
    /* The text and HTML are where they were, inside the multipart/alternative. */
    assert_non_null(strstr(m->text, "    343434\n"));
    assert_non_null(strstr(m->html, "<strong>343434</strong>"));
    assert_int_equal(m->nattachments, 2);
    assert_string_equal(m->attachments[0].filename, "Lettera credenziali – Città.pdf");
    assert_string_equal(m->attachments[0].content_type, "application/pdf");
    assert_int_equal(m->attachments[0].len, PDF_LEN);
    assert_memory_equal(m->attachments[0].data, pdf, PDF_LEN);
    assert_string_equal(m->attachments[1].filename, "logo.png");
    assert_string_equal(m->attachments[1].content_type, "image/png");
    assert_int_equal(m->attachments[1].len, sizeof(tiny_png) - 1);
    assert_memory_equal(m->attachments[1].data, png, sizeof(tiny_png) - 1);
    /* One message by its number, as the demo's download reads it. */
    struct smtp_standin_msg one;
    assert_int_equal(smtp_standin_read_one(&f->arena, f->mail_dir, m->seq, &one), 1);
    assert_int_equal(one.nattachments, 2);
    assert_memory_equal(one.attachments[0].data, pdf, PDF_LEN);
    assert_int_equal(smtp_standin_read_one(&f->arena, f->mail_dir, 999999, &one), 0);
    assert_int_equal(smtp_standin_read_one(&f->arena, f->mail_dir, 0, &one), 0);
    /* A sent message takes no more files. */
    assert_int_equal(db_begin(f->db), DB_OK);
    assert_int_equal(mail_attach(f->db, id, "tardi.pdf", "application/pdf", pdf, 64), -1);
    assert_int_equal(db_commit(f->db), DB_OK);
    free(pdf);
}

/* Two files at MAIL_ATTACHMENT_MAX fit in one message and arrive whole; a third does not fit
   MIME_MESSAGE_MAX; and at most MAIL_ATTACHMENTS_MAX files. */
static void test_attachment_limits(void **state)
{
    struct fixture *f = *state;
    struct tenant t = make_tenant(f, "attachbig");
    use_server(smtp_standin_port(f->smtp), NULL, NULL, 3);
    unsigned char *big = make_pdf(MAIL_ATTACHMENT_MAX);
    int64_t id = queue_code(f, &t, "anna@example.it", "it", "565656");
    assert_int_equal(db_begin(f->db), DB_OK);
    assert_int_equal(mail_attach(f->db, id, "uno.pdf", "application/pdf", big, MAIL_ATTACHMENT_MAX),
                     0);
    assert_int_equal(mail_attach(f->db, id, "due.pdf", "application/pdf", big, MAIL_ATTACHMENT_MAX),
                     0);
    assert_int_equal(mail_attach(f->db, id, "tre.pdf", "application/pdf", big, MAIL_ATTACHMENT_MAX),
                     -1);
    assert_int_equal(db_commit(f->db), DB_OK);
    assert_int_equal(attached(f, &t, id), 2);

    int64_t many = queue_code(f, &t, "luca@example.it", "it", "676767");
    assert_int_equal(db_begin(f->db), DB_OK);
    for (int i = 0; i < MAIL_ATTACHMENTS_MAX; i++) {
        char name[32];
        snprintf(name, sizeof(name), "foglio-%02d.csv", i + 1);
        assert_int_equal(mail_attach(f->db, many, name, "text/csv", "a;b\n", 4), 0);
    }
    assert_int_equal(mail_attach(f->db, many, "troppi.csv", "text/csv", "a;b\n", 4), -1);
    assert_int_equal(db_commit(f->db), DB_OK);

    assert_true(sender_run_once() >= 2);
    assert_string_equal(row(f, &t, id).status, "sent");
    assert_string_equal(row(f, &t, many).status, "sent");
    struct smtp_standin_msg got[3];
    assert_int_equal(received(f, "attachbig", got, 3), 2);
    const struct smtp_standin_msg *m =
        strcmp(got[0].rcpt_to, "anna@example.it") == 0 ? &got[0] : &got[1];
    assert_true(m->raw_len > 2 * (size_t)MAIL_ATTACHMENT_MAX * 4 / 3);
    assert_int_equal(m->nattachments, 2);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(m->attachments[i].len, MAIL_ATTACHMENT_MAX);
        assert_memory_equal(m->attachments[i].data, big, MAIL_ATTACHMENT_MAX);
    }
    const struct smtp_standin_msg *o = m == &got[0] ? &got[1] : &got[0];
    assert_int_equal(o->nattachments, MAIL_ATTACHMENTS_MAX);
    assert_string_equal(o->attachments[MAIL_ATTACHMENTS_MAX - 1].filename, "foglio-10.csv");
    free(big);
}

static struct smtp_standin_msg parse(struct fixture *f, const char *raw)
{
    struct smtp_standin_msg m;
    memset(&m, 0, sizeof(m));
    smtp_standin_parse(&f->arena, raw, strlen(raw), &m);
    return m;
}

/* The stand-in's reader never fails and never reads past its input, whatever it is given. */
static void test_standin_reader_malformed(void **state)
{
    struct fixture *f = *state;
    struct smtp_standin_msg m = parse(f, "");
    assert_string_equal(m.text, "");
    assert_int_equal(m.nattachments, 0);
    m = parse(f, "Subject: =?UTF-8?B?Q2l0dMOg?=\r\n");
    assert_string_equal(m.subject, "Città");
    /* Multipart without delimiters, without a boundary, with an empty one. */
    m = parse(f, "Content-Type: multipart/mixed; boundary=b\r\n\r\nno delimiters here\r\n");
    assert_int_equal(m.nattachments, 0);
    m = parse(f, "Content-Type: multipart/mixed\r\n\r\njust text\r\n");
    assert_string_equal(m.text, "just text\n");
    m = parse(f, "Content-Type: multipart/mixed; boundary=\"\"\r\n\r\n--\r\n\r\n");
    assert_int_equal(m.nattachments, 0);
    /* Cut after the first part's data: the file is there; base64 cut mid-way or broken gives
       what could be decoded. */
    m = parse(f, "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n"
                 "Content-Type: application/pdf\r\nContent-Disposition: attachment; "
                 "filename=a.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjcK");
    assert_int_equal(m.nattachments, 1);
    assert_string_equal(m.attachments[0].filename, "a.pdf");
    assert_int_equal(m.attachments[0].len, 9);
    assert_memory_equal(m.attachments[0].data, "%PDF-1.7\n", 9);
    m = parse(f, "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
                 "Content-Disposition: attachment\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                 "!!!!\r\n--b\r\nContent-Disposition: attachment\r\n"
                 "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0x\r\nLj\r\n--b--\r\n");
    assert_int_equal(m.nattachments, 2);
    assert_string_equal(m.attachments[0].filename, "");
    assert_int_equal(m.attachments[0].len, 0);
    assert_true(m.attachments[1].len <= 7);
    /* File names: RFC 2231 segments (extended and plain), bad escapes kept, RFC 2047 words,
       Content-Type's name, an unterminated quote. */
    m = parse(f, "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
                 "Content-Disposition: attachment;\r\n filename*0*=UTF-8''Citt%C3%A0%20;\r\n"
                 " filename*1*=di%20Prova; filename*2=\"-2026.pdf\"\r\n\r\nx\r\n--b\r\n"
                 "Content-Disposition: attachment; filename*=utf-8'it'%E2%82%AC%GG%\r\n\r\n"
                 "x\r\n--b\r\nContent-Disposition: attachment;\r\n"
                 " filename=\"=?UTF-8?B?Q2l0dMOg?= \\\"1\\\".pdf\"\r\n\r\nx\r\n--b\r\n"
                 "Content-Type: image/PNG; name=\"logo.png\"\r\n\r\nx\r\n--b\r\n"
                 "Content-Disposition: attachment; filename=\"senza fine\r\n\r\nx\r\n--b--\r\n");
    assert_int_equal(m.nattachments, 5);
    assert_string_equal(m.attachments[0].filename, "Città di Prova-2026.pdf");
    assert_string_equal(m.attachments[1].filename, "€%GG%");
    assert_string_equal(m.attachments[2].filename, "Città \"1\".pdf");
    assert_string_equal(m.attachments[3].filename, "logo.png");
    assert_string_equal(m.attachments[3].content_type, "image/png");
    assert_string_equal(m.attachments[4].filename, "senza fine");
    assert_memory_equal(m.attachments[4].data, "x", 1);
    /* A longer boundary that starts with this one is content, not a delimiter; LF-only lines
       are read too. */
    m = parse(f, "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
                 "Content-Type: text/plain\r\n\r\nline\r\n--bb\r\nmore\r\n--b--\r\n");
    assert_string_equal(m.text, "line\n--bb\nmore");
    m = parse(f, "Content-Type: multipart/alternative; boundary=x\n\n--x\n"
                 "Content-Type: text/plain\n\nhello\n--x\nContent-Type: text/html\n\n"
                 "<p>hi</p>\n--x--\n");
    assert_string_equal(m.text, "hello");
    assert_string_equal(m.html, "<p>hi</p>");
    /* Nesting past SMTP_STANDIN_DEPTH_MAX is not followed; within it, it is. */
    struct buf b;
    buf_init(&b, 1 << 20);
    for (int depth = 2; depth <= 12; depth += 10) {
        buf_reset(&b);
        for (int i = 0; i < depth; i++)
            buf_printf(&b, "%sContent-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n",
                       i ? "" : "", i, i);
        buf_puts(&b, "Content-Disposition: attachment; filename=deep.pdf\r\n\r\nx\r\n");
        for (int i = depth - 1; i >= 0; i--)
            buf_printf(&b, "--b%d--\r\n", i);
        m = parse(f, arena_strdup(&f->arena, buf_str(&b)));
        assert_int_equal(m.nattachments, depth <= SMTP_STANDIN_DEPTH_MAX ? 1 : 0);
    }
    /* More parts than kept. */
    buf_reset(&b);
    buf_puts(&b, "Content-Type: multipart/mixed; boundary=b\r\n\r\n");
    for (int i = 0; i < 100; i++)
        buf_printf(&b, "--b\r\nContent-Disposition: attachment; filename=f%d.csv\r\n\r\n%d\r\n", i,
                   i);
    buf_puts(&b, "--b--\r\n");
    m = parse(f, arena_strdup(&f->arena, buf_str(&b)));
    assert_int_equal(m.nattachments, SMTP_STANDIN_ATTACHMENTS_MAX);
    assert_string_equal(m.attachments[0].filename, "f0.csv");

    /* A real message with attachments, damaged in many ways: cut short, bytes changed,
       delimiters and line breaks thrown in. Nothing may crash (the ASan run checks reads). */
    static const unsigned char data[] = "%PDF-1.7\n\0\r\nbinary";
    struct mime_attachment files[] = {
        {"Lettera – Città.pdf", "application/pdf", data, sizeof(data) - 1},
        {"b.csv", "text/csv", (const unsigned char *)"a;b\n", 4},
    };
    struct mime_msg mm = {.from_addr = "noreply@c.it",
                          .to = "a@b.it",
                          .subject = "Prova",
                          .message_id = "1.x@c.it",
                          .tenant = "prova",
                          .text = "testo\n",
                          .html = "<p>html</p>\n",
                          .attachments = files,
                          .nattachments = 2};
    buf_reset(&b);
    assert_int_equal(mime_build(&b, &mm), MIME_OK);
    m = parse(f, arena_strdup(&f->arena, buf_str(&b)));
    assert_int_equal(m.nattachments, 2);
    assert_string_equal(m.attachments[0].filename, "Lettera – Città.pdf");
    assert_memory_equal(m.attachments[0].data, data, sizeof(data) - 1);
    static const char *const inserts[] = {"\r\n--=_rm_", "\r\n\r\n", "--", ";",
                                          "\"",          "=?",       "%",  "\n--=_rf_29a3e516--\n",
                                          "filename*0*="};
    uint32_t seed = 12345;
    for (int round = 0; round < 3000; round++) {
        size_t len = b.len;
        char *raw = arena_alloc(&f->arena, len + 64);
        memcpy(raw, b.data, len);
        for (int k = 0; k < 4; k++) {
            seed = seed * 1103515245u + 12345u;
            size_t at = (seed >> 8) % len;
            switch ((seed >> 4) % 4) {
            case 0:
                raw[at] = (char)(seed >> 16);
                break;
            case 1:
                len = at; /* cut */
                break;
            default: {
                const char *ins = inserts[(seed >> 16) % (sizeof(inserts) / sizeof(inserts[0]))];
                size_t il = strlen(ins);
                if (len + il > b.len + 63)
                    break;
                memmove(raw + at + il, raw + at, len - at);
                memcpy(raw + at, ins, il);
                len += il;
            }
            }
            if (len == 0)
                break;
        }
        /* An exact-size copy, so a read past the end is a heap overflow ASan reports. */
        char *exact = malloc(len ? len : 1);
        memcpy(exact, raw, len);
        struct smtp_standin_msg fm;
        memset(&fm, 0, sizeof(fm));
        struct arena scratch;
        arena_init(&scratch, 0);
        smtp_standin_parse(&scratch, exact, len, &fm);
        assert_true(fm.nattachments <= SMTP_STANDIN_ATTACHMENTS_MAX);
        arena_free(&scratch);
        free(exact);
    }
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_language_and_contacts),
        cmocka_unit_test(test_queue_follows_the_transaction),
        cmocka_unit_test(test_sender_delivers),
        cmocka_unit_test(test_claim_is_exclusive),
        cmocka_unit_test(test_two_senders_never_send_twice),
        cmocka_unit_test(test_permanent_refusal_fails_at_once),
        cmocka_unit_test(test_server_down_retries_then_fails),
        cmocka_unit_test(test_backoff),
        cmocka_unit_test(test_configuration_checked),
        cmocka_unit_test(test_attach_refused_and_stored),
        cmocka_unit_test(test_attachments_delivered),
        cmocka_unit_test(test_attachment_limits),
        cmocka_unit_test(test_standin_reader_malformed),
        cmocka_unit_test(test_auth_and_temporary_refusal),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
