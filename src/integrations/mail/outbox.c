/* The mail outbox: rendering and queueing messages, and the office's view of them; see
   outbox.h. Delivery is sender.c's. */
#include "integrations/mail/outbox.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "domain/email.h"
#include "domain/pdf_file.h"
#include "services/attachment.h"
#include "templates.h"
#include "util/log.h"
#include "util/time.h"
#include "web/html.h"

static const char *const mail_statuses[][2] = {
    {"queued", N_("Queued")},     {"sending", N_("Sending")}, {"sent", N_("Sent")},
    {"retrying", N_("Retrying")}, {"failed", N_("Failed")},
};

bool mail_status_valid(const char *status)
{
    for (size_t i = 0; status && i < sizeof(mail_statuses) / sizeof(mail_statuses[0]); i++)
        if (strcmp(status, mail_statuses[i][0]) == 0)
            return true;
    return false;
}

const char *mail_status_label(const char *status)
{
    for (size_t i = 0; status && i < sizeof(mail_statuses) / sizeof(mail_statuses[0]); i++)
        if (strcmp(status, mail_statuses[i][0]) == 0)
            return mail_statuses[i][1];
    return status ? status : "";
}

/* The municipality as every mail template sees it (tenant.*). */
static void mail_tenant_data(struct tv *data, const struct tenant *t)
{
    struct tv *d = tv_set_dict(data, "tenant");
    tv_set_str(d, "slug", t->slug);
    tv_set_str(d, "name", t->name);
    tv_set_str(d, "address", t->address);
    tv_set_str(d, "phone", t->phone);
    tv_set_str(d, "email", t->email);
    tv_set_str(d, "pec", t->pec);
    tv_set_str(d, "hours", t->office_hours);
    tv_set_str(d, "website", t->website);
}

/* Render fn into the arena; NULL when past MAIL_BODY_MAX or not valid UTF-8. */
static const char *mail_render_part(struct arena *a, const char *lang, tmpl_render_fn fn,
                                    const struct tv *data)
{
    struct buf out;
    buf_init(&out, MAIL_BODY_MAX);
    struct tmpl_out o = {.out = &out, .lang = lang, .arena = a};
    fn(&o, data);
    const char *r = NULL;
    if (out.err == BUF_OK && html_utf8_valid(buf_str(&out), out.len))
        r = arena_strndup(a, buf_str(&out), out.len);
    buf_free(&out);
    return r;
}

int mail_render(struct arena *a, const struct tenant *t, const char *lang, const char *name,
                struct tv *data, const char **subject, const char **text, const char **html)
{
    tmpl_render_fn txt_fn = tmpl_by_name(arena_printf(a, "mail/%s.txt", name));
    tmpl_render_fn html_fn = tmpl_by_name(arena_printf(a, "mail/%s", name));
    if (!txt_fn || !html_fn || strchr(name, '/') || strchr(name, '.')) {
        log_error("mail: unknown template", "name", name);
        return -1;
    }
    if (!data)
        data = tv_dict(a);
    mail_tenant_data(data, t);
    tv_set_str(data, "lang", lang);
    const char *whole = mail_render_part(a, lang, txt_fn, data);
    if (!whole) {
        log_error("mail: text part too large", "name", name);
        return -1;
    }
    /* The first line is the subject; the blank lines after it are not part of the body. */
    size_t n = strcspn(whole, "\n");
    char *subj = arena_strndup(a, whole, n);
    while (n > 0 && (subj[n - 1] == ' ' || subj[n - 1] == '\r' || subj[n - 1] == '\t'))
        subj[--n] = '\0';
    const char *body = whole + strcspn(whole, "\n");
    while (*body == '\n' || *body == '\r')
        body++;
    bool clean = n > 0 && n <= MAIL_SUBJECT_MAX;
    for (size_t i = 0; clean && i < n; i++)
        if ((unsigned char)subj[i] < 0x20 || subj[i] == 0x7f)
            clean = false; /* a value with a control character must never reach a header */
    if (!clean) {
        log_error("mail: bad subject line", "name", name);
        return -1;
    }
    tv_set_str(data, "subject", subj);
    const char *h = mail_render_part(a, lang, html_fn, data);
    if (!h) {
        log_error("mail: HTML part too large", "name", name);
        return -1;
    }
    *subject = subj;
    *text = body;
    *html = h;
    return 0;
}

int mail_queue(struct db *db, struct arena *a, const struct tenant *t, const char *to,
               const char *lang, const char *name, struct tv *data, int64_t *id)
{
    struct email addr;
    if (!to || email_parse(to, &addr) != EMAIL_OK) {
        log_error("mail: invalid recipient", "name", name);
        return -1;
    }
    lang = lang && strcmp(lang, "en") == 0 ? "en" : "it";
    const char *subject, *text, *html;
    if (!name || mail_render(a, t, lang, name, data, &subject, &text, &html) != 0)
        return -1;
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    struct db_stmt *st = db_stmt(db, STMT_MAIL_INSERT);
    if (!st)
        return -1;
    db_bind_int(st, 1, t->id);
    db_bind_text(st, 2, addr.normalized);
    db_bind_text(st, 3, lang);
    db_bind_text(st, 4, name);
    db_bind_text(st, 5, subject);
    db_bind_text(st, 6, text);
    db_bind_text(st, 7, html);
    db_bind_text(st, 8, now);
    if (db_exec_stmt(st) != DB_OK) {
        log_error("mail: cannot queue", "name", name, "error", db_errmsg(db));
        return -1;
    }
    if (id)
        *id = db_last_id(db);
    return 0;
}

/* ---- attachments ------------------------------------------------------------------------- */

/* What a family's mail may carry; the stored type is the spelling here. */
static const char *const mail_attachment_types[] = {"application/pdf", "text/csv", "image/png"};

const char *mail_attachment_type(const char *content_type)
{
    for (size_t i = 0;
         content_type && i < sizeof(mail_attachment_types) / sizeof(mail_attachment_types[0]); i++)
        if (strcasecmp(content_type, mail_attachment_types[i]) == 0)
            return mail_attachment_types[i];
    return NULL;
}

/* A name a family's mail program shows and saves as it is: valid UTF-8 within
   MIME_FILENAME_MAX bytes that the upload rules keep unchanged (attachment_filename_sanitize: no
   folder, no control, line-separator or bidirectional characters, no leading or trailing dots
   or spaces), so both kinds of stored file follow one rule. */
static bool mail_filename_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > MIME_FILENAME_MAX || !html_utf8_valid(name, n))
        return false;
    struct arena a;
    arena_init(&a, 512);
    const char *clean = attachment_filename_sanitize(&a, name, NULL);
    bool ok = clean && strcmp(clean, name) == 0;
    arena_free(&a);
    return ok;
}

/* The bytes are what the type says (domain/pdf_file.h, the same gates as uploads), so a family
   never gets a "PDF" that is something else. */
static bool mail_content_matches(const char *type, const unsigned char *d, size_t n)
{
    if (strcmp(type, "application/pdf") == 0)
        return pdf_file_is_pdf(d, n);
    if (strcmp(type, "image/png") == 0)
        return png_file_is_png(d, n, NULL, NULL);
    return true; /* text/csv: any text, in any encoding */
}

int mail_attach(struct db *db, int64_t outbox_id, const char *filename, const char *content_type,
                const void *data, size_t len)
{
    char id[24];
    snprintf(id, sizeof(id), "%lld", (long long)outbox_id);
    const char *type = mail_attachment_type(content_type);
    const char *why = NULL;
    if (!mail_filename_ok(filename))
        why = "file name not allowed";
    else if (!type)
        why = "content type not allowed";
    else if (!data || len == 0 || len > MAIL_ATTACHMENT_MAX)
        why = "file empty or too large";
    else if (!mail_content_matches(type, data, len))
        why = "content does not match its type";
    if (why) {
        log_error("mail: attachment refused", "id", id, "reason", why);
        return -1;
    }
    struct db_stmt *st = db_stmt(db, STMT_MAIL_ATTACH_TARGET);
    if (!st)
        return -1;
    db_bind_int(st, 1, outbox_id);
    enum db_err e = db_step(st);
    size_t total = 0, count = 1;
    if (e == DB_ROW)
        total = mime_size_max((size_t)db_col_int(st, 0), (size_t)db_col_int(st, 1)) +
                mime_attachment_size_max(len);
    db_reset(st);
    if (e == DB_DONE) {
        log_error("mail: attachment refused", "id", id, "reason",
                  "no queued message waiting for its first attempt");
        return -1;
    }
    if (e != DB_ROW || !(st = db_stmt(db, STMT_MAIL_ATTACHMENT_SIZES))) {
        log_error("mail: cannot attach", "id", id, "error", db_errmsg(db));
        return -1;
    }
    db_bind_int(st, 1, outbox_id);
    while ((e = db_step(st)) == DB_ROW) {
        total += mime_attachment_size_max((size_t)db_col_int(st, 0));
        count++;
    }
    db_reset(st);
    if (e != DB_DONE) {
        log_error("mail: cannot attach", "id", id, "error", db_errmsg(db));
        return -1;
    }
    if (count > MAIL_ATTACHMENTS_MAX || total > MIME_MESSAGE_MAX) {
        log_error("mail: attachment refused", "id", id, "reason",
                  count > MAIL_ATTACHMENTS_MAX ? "too many files" : "message too large");
        return -1;
    }
    st = db_stmt(db, STMT_MAIL_ATTACHMENT_INSERT);
    if (!st)
        return -1;
    db_bind_int(st, 1, outbox_id);
    db_bind_text(st, 2, filename);
    db_bind_text(st, 3, type);
    db_bind_blob(st, 4, data, len);
    if (db_exec_stmt(st) != DB_OK) {
        log_error("mail: cannot attach", "id", id, "error", db_errmsg(db));
        return -1;
    }
    return 0;
}

/* Names and sizes of r's files (r->id of tenant_id) into the arena. 0 or -1. */
static int mail_attachments_read(struct db *db, struct arena *a, int64_t tenant_id,
                                 struct mail_row *r)
{
    struct db_stmt *st = db_stmt(db, STMT_MAIL_ATTACHMENT_INFO);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, r->id);
    db_bind_int(st, 3, MAIL_ATTACHMENTS_MAX);
    struct mail_attachment_info *list = NULL;
    size_t n = 0;
    enum db_err e;
    while ((e = db_step(st)) == DB_ROW && n < MAIL_ATTACHMENTS_MAX) {
        if (!list)
            list = arena_calloc(a, MAIL_ATTACHMENTS_MAX, sizeof(*list));
        list[n].filename = arena_strdup(a, db_col_text(st, 0));
        list[n].content_type = arena_strdup(a, db_col_text(st, 1));
        list[n].size = db_col_int(st, 2);
        n++;
    }
    db_reset(st);
    r->attachments = list;
    r->nattachments = n;
    return e == DB_ROW || e == DB_DONE ? 0 : -1;
}

static void mail_row_read(struct db_stmt *st, struct arena *a, struct mail_row *r)
{
    r->id = db_col_int(st, 0);
    r->recipient = arena_strdup(a, db_col_text(st, 1));
    r->kind = arena_strdup(a, db_col_text(st, 2));
    r->subject = arena_strdup(a, db_col_text(st, 3));
    r->status = arena_strdup(a, db_col_text(st, 4));
    r->attempts = db_col_int(st, 5);
    r->last_error = arena_strdup(a, db_col_text(st, 6));
    r->created_at = arena_strdup(a, db_col_text(st, 7));
    r->sent_at = arena_strdup(a, db_col_text(st, 8));
    r->next_attempt_at = arena_strdup(a, db_col_text(st, 9));
}

int mail_list(struct db *db, struct arena *a, int64_t tenant_id, const char *status, int limit,
              struct mail_row **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (limit <= 0 || limit > MAIL_LIST_MAX)
        limit = MAIL_LIST_MAX;
    struct db_stmt *st = db_stmt(db, STMT_MAIL_LIST);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_text(st, 2, status ? status : "");
    db_bind_int(st, 3, limit);
    struct mail_row *rows = arena_calloc(a, (size_t)limit, sizeof(*rows));
    enum db_err e;
    while ((e = db_step(st)) == DB_ROW && *n < (size_t)limit)
        mail_row_read(st, a, &rows[(*n)++]);
    db_reset(st);
    if (e != DB_ROW && e != DB_DONE)
        return -1;
    for (size_t i = 0; i < *n; i++)
        if (mail_attachments_read(db, a, tenant_id, &rows[i]) != 0) {
            *n = 0;
            return -1;
        }
    *out = rows;
    return 0;
}

int mail_find(struct db *db, struct arena *a, int64_t tenant_id, int64_t id, struct mail_row *out)
{
    struct db_stmt *st = db_stmt(db, STMT_MAIL_BY_ID);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, id);
    enum db_err e = db_step(st);
    int rc = e == DB_ROW ? 1 : e == DB_DONE ? 0 : -1;
    if (rc == 1)
        mail_row_read(st, a, out);
    db_reset(st);
    if (rc == 1 && mail_attachments_read(db, a, tenant_id, out) != 0)
        return -1;
    return rc;
}

int mail_requeue(struct db *db, int64_t tenant_id, int64_t id)
{
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    struct db_stmt *st = db_stmt(db, STMT_MAIL_REQUEUE);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, id);
    db_bind_text(st, 3, now);
    if (db_exec_stmt(st) != DB_OK)
        return -1;
    return db_changes(db) > 0 ? 1 : 0;
}
