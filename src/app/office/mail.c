/* Back-office and demo pages about e-mail delivery; see mail.h. */
#include "app/office/mail.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/handlers.h"
#include "integrations/mail/outbox.h"
#include "services/audit.h"
#include "standins/smtp.h"
#include "store/store.h"
#include "templates.h"
#include "util/time.h"
#include "util/time_local.h"
#include "web/download.h"
#include "web/i18n.h"
#include "web/page.h"

#define MAIL_DEMO_DIR_MAX 1024

static char mail_demo_dir[MAIL_DEMO_DIR_MAX];

void mail_demo_set_dir(const char *dir)
{
    snprintf(mail_demo_dir, sizeof(mail_demo_dir), "%s", dir ? dir : "");
}

static const char *mail_field_status(struct arena *a, const char *in, const char **out)
{
    if (!*in) {
        *out = "";
        return NULL;
    }
    if (!mail_status_valid(in))
        return N_("Choose one of the listed statuses.");
    *out = arena_strdup(a, in);
    return NULL;
}

static const struct field_spec mail_list_fields[] = {
    {"stato", mail_field_status, 16, false},
};

const struct route mail_routes[] = {
    {HTTP_GET, "/ufficio/posta", ROLE_ADMIN | ROLE_UFFICIO, ROUTE_FIELDS(mail_list_fields),
     office_mail_list, 0},
    {HTTP_POST, "/ufficio/posta/{id}/riprova", ROLE_ADMIN | ROLE_UFFICIO, NULL, 0,
     office_mail_retry, 0},
    {HTTP_GET, "/demo/posta", 0, NULL, 0, demo_mail_list, ROUTE_DEMO},
    {HTTP_GET, "/demo/posta/{seq}/allegati/{n}", 0, NULL, 0, demo_mail_attachment, ROUTE_DEMO},
    {0},
};

/* A file size for people: "512 B", "14 KB", "1,5 MB" (a decimal comma in Italian). */
static const char *mail_size_label(struct arena *a, const char *lang, int64_t bytes)
{
    if (bytes < 1024)
        return arena_printf(a, "%lld B", (long long)(bytes < 0 ? 0 : bytes));
    if (bytes < 1024 * 1024)
        return arena_printf(a, "%lld KB", (long long)((bytes + 1023) / 1024));
    long long tenths = (bytes * 10 + 1024 * 1024 - 1) / (1024 * 1024);
    return arena_printf(a, "%lld%c%lld MB", tenths / 10, strcmp(lang, "en") == 0 ? '.' : ',',
                        tenths % 10);
}

/* A path parameter: 1 to 18 digits without a leading zero, at most max. */
static bool mail_param_id(const char *p, long long max, long long *out)
{
    size_t n = p ? strlen(p) : 0;
    if (n == 0 || n > 18 || p[0] == '0' || strspn(p, "0123456789") != n)
        return false;
    long long v = strtoll(p, NULL, 10);
    if (v > max)
        return false;
    *out = v;
    return true;
}

static void mail_office_nav(struct req *r, struct tv *d, const char *title)
{
    const char *slug = r->tenant.slug;
    page_crumb(r, d, N_("Back office"), arena_printf(&r->arena, "/%s/ufficio/", slug));
    page_crumb(r, d, title, NULL);
    office_nav(r, d, "mail");
}

void office_mail_list(struct req *r, struct resp *w)
{
    const char *status = req_field(r, "stato");
    struct mail_row *rows = NULL;
    size_t n = 0;
    struct db *db = store_db();
    if (!db || mail_list(db, &r->arena, r->tenant.id, status, MAIL_PAGE_ROWS, &rows, &n) != 0) {
        page_error(r, w, 500);
        return;
    }
    struct tv *d = page_new(r, N_("E-mail sent to families"));
    mail_office_nav(r, d, N_("E-mail sent to families"));
    if (!page_form_begin(r, w, d, NULL))
        return;
    const char *slug = r->tenant.slug;
    tv_set_str(d, "form_action", arena_printf(&r->arena, "/%s/ufficio/posta", slug));
    tv_set_int(d, "page_rows", MAIL_PAGE_ROWS);
    static const char *const statuses[] = {"queued", "sending", "sent", "retrying", "failed"};
    struct tv *opts = tv_set_list(d, "statuses");
    for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
        struct tv *o = tv_push_dict(opts);
        tv_set_str(o, "value", statuses[i]);
        tv_set_str(o, "label", tr(r->lang, mail_status_label(statuses[i])));
        tv_set_bool(o, "selected", status && strcmp(status, statuses[i]) == 0);
    }
    struct tv *list = tv_set_list(d, "messages");
    for (size_t i = 0; i < n; i++) {
        const struct mail_row *m = &rows[i];
        struct tv *e = tv_push_dict(list);
        tv_set_int(e, "id", m->id);
        tv_set_str(e, "recipient", m->recipient);
        tv_set_str(e, "subject", m->subject);
        tv_set_str(e, "kind", m->kind);
        tv_set_str(e, "status", m->status);
        tv_set_str(e, "status_label", tr(r->lang, mail_status_label(m->status)));
        tv_set_int(e, "attempts", m->attempts);
        tv_set_str(e, "last_error", m->last_error);
        struct tv *files = tv_set_list(e, "attachments");
        for (size_t k = 0; k < m->nattachments; k++) {
            struct tv *fe = tv_push_dict(files);
            tv_set_str(fe, "name", m->attachments[k].filename);
            tv_set_str(fe, "size", mail_size_label(&r->arena, r->lang, m->attachments[k].size));
        }
        tv_set_str(e, "created", time_rome_display(&r->arena, m->created_at));
        if (!strcmp(m->status, "sent"))
            tv_set_str(e, "sent", time_rome_display(&r->arena, m->sent_at));
        if (!strcmp(m->status, "retrying") || !strcmp(m->status, "queued"))
            tv_set_str(e, "next_attempt", time_rome_display(&r->arena, m->next_attempt_at));
        if (!strcmp(m->status, "failed")) {
            tv_set_bool(e, "failed", true);
            tv_set_str(
                e, "retry_action",
                arena_printf(&r->arena, "/%s/ufficio/posta/%lld/riprova", slug, (long long)m->id));
        }
    }
    page_render(r, w, r->has_errors ? 422 : 200, tmpl_office_mail, d);
}

/* A requeue and its audit entry, in one transaction. */
struct mail_retry_tx {
    struct req *r;
    int64_t id;
    int found;
};

static int mail_retry_tx(struct db *db, void *arg)
{
    struct mail_retry_tx *t = arg;
    t->found = mail_requeue(db, t->r->tenant.id, t->id);
    if (t->found != 1)
        return -1;
    struct audit_entry e = {.tenant_id = t->r->tenant.id,
                            .actor = AUDIT_STAFF,
                            .actor_id = t->r->user.id,
                            .actor_label = t->r->user.email,
                            .action = "mail.requeue",
                            .entity = "mail_outbox",
                            .entity_id = t->id,
                            .from_state = "failed",
                            .to_state = "queued",
                            .client_addr = t->r->client_addr};
    return audit_record(db, &e);
}

void office_mail_retry(struct req *r, struct resp *w)
{
    long long id = 0;
    if (!mail_param_id(req_param(r, 0), INT64_MAX, &id)) {
        page_error(r, w, 404);
        return;
    }
    struct db *db = store_db();
    struct mail_retry_tx t = {.r = r, .id = id};
    if (!db) {
        page_error(r, w, 500);
        return;
    }
    if (store_tx(db, mail_retry_tx, &t) != 0) {
        /* Not a failed message of this tenant (or already requeued): nothing to do. */
        page_error(r, w, t.found == 0 ? 404 : 500);
        return;
    }
    resp_redirect(w, 303, arena_printf(&r->arena, "/%s/ufficio/posta", r->tenant.slug));
}

void demo_mail_list(struct req *r, struct resp *w)
{
    struct tv *d = page_new(r, N_("Demo: e-mail received"));
    page_crumb(r, d, N_("Demo: e-mail received"), NULL);
    struct smtp_standin_msg *msgs = NULL;
    size_t n = 0;
    if (mail_demo_dir[0]) {
        tv_set_bool(d, "standin", true);
        if (smtp_standin_read(&r->arena, mail_demo_dir, SMTP_STANDIN_LIST_MAX, &msgs, &n) != 0) {
            page_error(r, w, 500);
            return;
        }
    }
    struct tv *list = tv_set_list(d, "messages");
    size_t shown = 0;
    for (size_t i = 0; i < n && shown < MAIL_DEMO_PAGE_ROWS; i++) {
        const struct smtp_standin_msg *m = &msgs[i];
        if (strcmp(m->tenant, r->tenant.slug) != 0)
            continue; /* another municipality's mail */
        struct tv *e = tv_push_dict(list);
        tv_set_int(e, "seq", m->seq);
        tv_set_str(e, "subject", m->subject);
        tv_set_str(e, "to", m->rcpt_to);
        tv_set_str(e, "from", m->from);
        tv_set_str(e, "received", time_rome_display(&r->arena, m->received_at));
        tv_set_str(e, "text", m->text);
        tv_set_str(e, "html", m->html);
        struct tv *files = tv_set_list(e, "attachments");
        for (size_t k = 0; k < m->nattachments; k++) {
            const struct smtp_standin_attachment *f = &m->attachments[k];
            struct tv *fe = tv_push_dict(files);
            tv_set_str(fe, "name", *f->filename ? f->filename : tr(r->lang, N_("(no name)")));
            tv_set_str(fe, "size", mail_size_label(&r->arena, r->lang, (int64_t)f->len));
            tv_set_str(fe, "href",
                       arena_printf(&r->arena, "/%s/demo/posta/%u/allegati/%zu", r->tenant.slug,
                                    m->seq, k + 1));
        }
        shown++;
    }
    page_render(r, w, 200, tmpl_demo_mail, d);
}

void demo_mail_attachment(struct req *r, struct resp *w)
{
    long long seq = 0, n = 0;
    if (!mail_demo_dir[0] || !mail_param_id(req_param(r, 0), UINT_MAX, &seq) ||
        !mail_param_id(req_param(r, 1), SMTP_STANDIN_ATTACHMENTS_MAX, &n)) {
        page_error(r, w, 404);
        return;
    }
    struct smtp_standin_msg m;
    int rc = smtp_standin_read_one(&r->arena, mail_demo_dir, (unsigned)seq, &m);
    if (rc < 0) {
        page_error(r, w, 500);
        return;
    }
    /* Another municipality's mail is not there, as on the list. */
    if (rc == 0 || strcmp(m.tenant, r->tenant.slug) != 0 || (size_t)n > m.nattachments) {
        page_error(r, w, 404);
        return;
    }
    const struct smtp_standin_attachment *f = &m.attachments[n - 1];
    /* Only the types mail_attach sends are named; anything else is bytes to save. Always a
       download, never shown inside this site's pages. */
    const char *type = mail_attachment_type(f->content_type);
    resp_download(r, w, type ? type : "application/octet-stream", f->filename, f->data, f->len,
                  false);
}
