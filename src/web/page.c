#include "web/page.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "templates.h"
#include "util/time.h"
#include "web/i18n.h"
#include "web/route.h"
#include "web/session.h"

/* "+39 06 1234 5678" -> "+390612345678", for tel: links. */
static const char *page_phone_href(struct arena *a, const char *phone)
{
    char *out = arena_alloc(a, strlen(phone) + 1);
    size_t n = 0;
    for (const char *p = phone; *p; p++)
        if ((*p >= '0' && *p <= '9') || (*p == '+' && n == 0))
            out[n++] = *p;
    out[n] = '\0';
    return out;
}

struct tv *page_new(struct req *r, const char *title_msgid)
{
    struct arena *a = &r->arena;
    struct tv *d = tv_dict(a);
    tv_set_str(d, "lang", r->lang);
    tv_set_str(d, "page_title", tr(r->lang, title_msgid));
    tv_set_str(d, "static", "/static");
    tv_set_int(d, "year", time_year_rome());
    if (r->csrf)
        tv_set_str(d, "csrf", r->csrf);

    bool en = !strcmp(r->lang, "en");
    struct tv *alt = tv_set_dict(d, "alt_lang");
    tv_set_str(alt, "code", en ? "it" : "en");
    tv_set_str(alt, "label", en ? "Italiano" : "English");
    const char *path = r->path ? r->path : "/";
    tv_set_str(alt, "href", arena_printf(a, "%s?lang=%s", path, en ? "it" : "en"));

    tv_set_list(d, "breadcrumb");
    tv_set_list(d, "nav");
    if (r->has_tenant) {
        struct tv *t = tv_set_dict(d, "tenant");
        tv_set_str(t, "slug", r->tenant.slug);
        tv_set_str(t, "name", r->tenant.name);
        tv_set_str(t, "address", r->tenant.address);
        tv_set_str(t, "phone", r->tenant.phone);
        tv_set_str(t, "phone_href", page_phone_href(a, r->tenant.phone));
        tv_set_str(t, "email", r->tenant.email);
        tv_set_str(t, "pec", r->tenant.pec);
        tv_set_str(t, "hours", r->tenant.office_hours);
        tv_set_str(t, "website", r->tenant.website);
        page_crumb(r, d, N_("Home"), arena_printf(a, "/%s/", r->tenant.slug));
    }
    if (r->signed_in) {
        struct tv *u = tv_set_dict(d, "user");
        tv_set_str(u, "name", r->user.name);
        tv_set_str(u, "role_label", tr(r->lang, staff_role_label(r->user.role)));
        tv_set_str(u, "signout_href",
                   r->has_tenant ? arena_printf(a, "/%s/ufficio/esci", r->tenant.slug)
                                 : ROUTE_PLATFORM_AREA "esci");
    } else if (r->family_signed_in) {
        struct tv *u = tv_set_dict(d, "user");
        tv_set_str(u, "name", arena_printf(a, "%s %s", r->family.name, r->family.surname));
        tv_set_str(u, "signout_href", arena_printf(a, "/%s/famiglie/esci", r->tenant.slug));
    }
    return d;
}

void page_crumb(struct req *r, struct tv *data, const char *label_msgid, const char *href)
{
    struct tv *list = (struct tv *)tv_get(data, "breadcrumb");
    struct tv *item = tv_push_dict(list);
    tv_set_str(item, "label", tr(r->lang, label_msgid));
    tv_set_str(item, "href", href);
}

void page_nav(struct req *r, struct tv *data, const char *label_msgid, const char *href,
              bool current)
{
    struct tv *list = (struct tv *)tv_get(data, "nav");
    struct tv *item = tv_push_dict(list);
    tv_set_str(item, "label", tr(r->lang, label_msgid));
    tv_set_str(item, "href", href);
    tv_set_bool(item, "current", current);
}

int page_csrf(struct req *r, struct resp *w, struct tv *data)
{
    if (session_ensure(r, w) != 0)
        return -1;
    tv_set_str(data, "csrf", r->csrf);
    return 0;
}

void page_form_state(struct req *r, struct tv *data)
{
    struct tv *values = tv_set_dict(data, "values");
    struct tv *errors = tv_set_dict(data, "errors");
    if (!r->route)
        return;
    for (size_t i = 0; i < r->route->nfields; i++) {
        const struct field_spec *f = &r->route->fields[i];
        if (f->validate != field_secret && r->raw && r->raw[i])
            tv_set_str(values, f->name, r->raw[i]);
        if (r->errors && r->errors[i])
            tv_set_str(errors, f->name, tr(r->lang, r->errors[i]));
    }
}

bool page_form_begin(struct req *r, struct resp *w, struct tv *data, const char *form_error)
{
    if (page_csrf(r, w, data) != 0) {
        page_error(r, w, 500);
        return false;
    }
    page_form_state(r, data);
    if (form_error)
        tv_set_str((struct tv *)tv_get(data, "errors"), "form", form_error);
    return true;
}

void page_field_error(struct req *r, struct tv *data, const char *name, const char *msgid)
{
    struct tv *errors = (struct tv *)tv_get(data, "errors");
    if (!errors)
        errors = tv_set_dict(data, "errors");
    tv_set_str(errors, name, tr(r->lang, msgid));
}

struct tv *page_field(struct req *r, struct tv *data, const char *list, const char *name,
                      const char *label_msgid, const char *type, const char *autocomplete,
                      const char *help_msgid)
{
    struct tv *fields = (struct tv *)tv_get(data, list);
    if (!fields)
        fields = tv_set_list(data, list);
    struct tv *f = tv_push_dict(fields);
    tv_set_str(f, "name", name);
    tv_set_str(f, "label", tr(r->lang, label_msgid));
    tv_set_str(f, "type", type);
    tv_set_str(f, "autocomplete", autocomplete);
    size_t max = 256;
    bool required = false;
    if (r->route)
        for (size_t i = 0; i < r->route->nfields; i++)
            if (!strcmp(r->route->fields[i].name, name)) {
                max = r->route->fields[i].max_chars;
                required = r->route->fields[i].required;
            }
    tv_set_int(f, "maxlength", (long long)max);
    tv_set_bool(f, "required", required);
    if (strcmp(type, "password") != 0) {
        const char *typed = req_field_raw(r, name);
        tv_set_str(f, "value", typed);
    }
    const char *err = tv_get_str(data, arena_printf(&r->arena, "errors.%s", name));
    if (!err && req_field_error(r, name))
        err = tr(r->lang, req_field_error(r, name));
    tv_set_str(f, "error", err);
    if (help_msgid)
        tv_set_str(f, "help", tr(r->lang, help_msgid));
    const char *described = NULL;
    if (help_msgid && err)
        described = arena_printf(&r->arena, "%s-help %s-error", name, name);
    else if (help_msgid)
        described = arena_printf(&r->arena, "%s-help", name);
    else if (err)
        described = arena_printf(&r->arena, "%s-error", name);
    tv_set_str(f, "describedby", described);
    return f;
}

const char *page_tr(struct req *r, const char *msgid, ...)
{
    const char *text = tr(r->lang, msgid);
    struct buf out;
    buf_init(&out, 4096);
    for (const char *p = text; *p;) {
        const char *close = *p == '{' ? strchr(p, '}') : NULL;
        if (close) {
            va_list ap;
            va_start(ap, msgid);
            const char *key, *value = NULL;
            while ((key = va_arg(ap, const char *)) != NULL) {
                const char *v = va_arg(ap, const char *);
                if (strlen(key) == (size_t)(close - p - 1) && !strncmp(key, p + 1, close - p - 1))
                    value = v;
            }
            va_end(ap);
            if (value) {
                buf_puts(&out, value);
                p = close + 1;
                continue;
            }
        }
        buf_putc(&out, *p++);
    }
    const char *result = arena_strdup(&r->arena, buf_str(&out));
    buf_free(&out);
    return result;
}

static char page_public_url[512];

void page_set_public_url(const char *url)
{
    size_t n = strlen(url);
    while (n && url[n - 1] == '/')
        n--;
    snprintf(page_public_url, sizeof(page_public_url), "%.*s", (int)n, url);
}

const char *page_public_base(void)
{
    return page_public_url;
}

const char *page_absolute_url(struct req *r, const char *path)
{
    return arena_printf(&r->arena, "%s%s", page_public_url, path);
}

void page_render(struct req *r, struct resp *w, int status, tmpl_render_fn t, struct tv *data)
{
    buf_reset(&w->body);
    struct tmpl_out o = {.out = &w->body, .lang = r->lang, .arena = &r->arena};
    t(&o, data);
    if (w->body.err != BUF_OK) {
        buf_reset(&w->body);
        resp_text(w, 500, "The page is too large to be shown.");
        return;
    }
    w->status = status;
    w->content_type = "text/html; charset=utf-8";
}

static const char *page_error_title(int status)
{
    switch (status) {
    case 400:
        return N_("The request is not valid");
    case 403:
        return N_("Access denied");
    case 404:
        return N_("Page not found");
    case 405:
        return N_("Method not allowed");
    case 408:
        return N_("The request took too long");
    case 413:
        return N_("The request is too large");
    case 414:
        return N_("The address is too long");
    case 415:
        return N_("Unsupported content");
    case 431:
        return N_("The request headers are too large");
    case 501:
        return N_("Request method not supported");
    default:
        return N_("Something went wrong");
    }
}

static const char *page_error_message(int status)
{
    switch (status) {
    case 400:
        return N_("The browser sent something we could not read. Go back and try again.");
    case 403:
        return N_("You cannot open this page, or your session has expired. Reload the page "
                  "and try again.");
    case 404:
        return N_("The address may be wrong, or the page was moved. Check it or start again "
                  "from the home page.");
    case 405:
        return N_("This address does not accept this kind of request.");
    case 408:
        return N_("The data arrived too slowly. Check your connection and try again.");
    case 413:
        return N_("What you sent is larger than allowed. Send a smaller file or less text.");
    case 414:
        return N_("The address is longer than allowed.");
    case 415:
        return N_("This address does not accept this kind of content.");
    case 431:
        return N_("Your browser sent too much data in the request headers. Clear this site's "
                  "cookies and try again.");
    case 501:
        return N_("The server does not support this kind of request.");
    default:
        return N_("An unexpected error happened on our side. It has been recorded; please try "
                  "again in a few minutes.");
    }
}

void page_error(struct req *r, struct resp *w, int status)
{
    if (!r->lang)
        r->lang = I18N_DEFAULT_LANG;
    struct tv *d = page_new(r, page_error_title(status));
    tv_set_strf(d, "status", "%d", status);
    tv_set_str(d, "title", tr(r->lang, page_error_title(status)));
    tv_set_str(d, "message", tr(r->lang, page_error_message(status)));
    tv_set_str(d, "home_href",
               r->has_tenant ? arena_printf(&r->arena, "/%s/", r->tenant.slug) : "/");
    if (r->has_tenant)
        page_crumb(r, d, page_error_title(status), NULL);
    /* No forced close: a refused request was either read whole (so the connection is in a
       clean state for the next one) or refused on its headers, and then libmicrohttpd closes the
       connection itself because the body was never read. */
    page_render(r, w, status, tmpl_error, d);
}
