#include "web/route.h"

#include <ctype.h>
#include <string.h>

#include "domain/email.h"
#include "store/store.h"
#include "util/log.h"
#include "web/form.h"
#include "web/html.h"
#include "web/i18n.h"
#include "web/multipart.h"
#include "web/page.h"
#include "web/session.h"
#include "web/static.h"

#define LANG_COOKIE "lang"

/* ---- validators ------------------------------------------------------------------------- */

static const char *field_trim(struct arena *a, const char *in)
{
    while (*in == ' ' || *in == '\t')
        in++;
    size_t n = strlen(in);
    while (n && (in[n - 1] == ' ' || in[n - 1] == '\t'))
        n--;
    return arena_strndup(a, in, n);
}

const char *field_text(struct arena *a, const char *in, const char **out)
{
    for (const unsigned char *p = (const unsigned char *)in; *p; p++)
        if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
            return N_("Use a single line without special characters.");
    char *t = (char *)field_trim(a, in);
    for (char *p = t; *p; p++)
        if (*p == '\t')
            *p = ' ';
    *out = t;
    return NULL;
}

const char *field_multiline(struct arena *a, const char *in, const char **out)
{
    for (const unsigned char *p = (const unsigned char *)in; *p; p++)
        if ((*p < 0x20 && *p != '\n' && *p != '\r' && *p != '\t') || *p == 0x7f)
            return N_("Remove the special characters from this text.");
    *out = arena_strdup(a, in);
    return NULL;
}

const char *field_email(struct arena *a, const char *in, const char **out)
{
    struct email e;
    if (email_parse(in, &e) != EMAIL_OK)
        return N_("Enter an e-mail address like name@example.it.");
    *out = arena_strdup(a, e.normalized);
    return NULL;
}

const char *field_secret(struct arena *a, const char *in, const char **out)
{
    *out = in;
    return NULL;
}

const char *field_token(struct arena *a, const char *in, const char **out)
{
    for (const char *p = in; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
            return N_("This value is not valid.");
    *out = in;
    return NULL;
}

const char *field_local_path(struct arena *a, const char *in, const char **out)
{
    /* Only same-site absolute paths: "/x", never "//host" or "/\host" (open redirects). */
    if (in[0] != '/' || in[1] == '/' || in[1] == '\\')
        return N_("This value is not valid.");
    for (const unsigned char *p = (const unsigned char *)in; *p; p++)
        if (*p < 0x21 || *p == 0x7f || *p == '\\')
            return N_("This value is not valid.");
    *out = in;
    return NULL;
}

static size_t route_utf8_chars(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xc0) != 0x80)
            n++;
    return n;
}

/* ---- matching ------------------------------------------------------------------------------ */

bool route_match(const char *pattern, const char *path, struct arena *a,
                 const char *params[ROUTE_MAX_PARAMS])
{
    int np = 0;
    const char *p = pattern, *s = path;
    while (*p && *s) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            if (!close || np == ROUTE_MAX_PARAMS)
                return false;
            const char *end = strchr(s, '/');
            size_t len = end ? (size_t)(end - s) : strlen(s);
            if (len == 0)
                return false;
            if (params)
                params[np] = arena_strndup(a, s, len);
            np++;
            p = close + 1;
            s += len;
            continue;
        }
        if (*p != *s)
            return false;
        p++;
        s++;
    }
    return *p == '\0' && *s == '\0';
}

/* ---- pipeline -------------------------------------------------------------------------------- */

static void router_choose_lang(struct req *r, struct resp *w)
{
    const char *q = i18n_lang(req_query(r, "lang"));
    if (q) {
        r->lang = q;
        r->lang_from_query = true;
        resp_header(w, "Set-Cookie",
                    arena_printf(&r->arena, "%s=%s; Path=/; Max-Age=31536000; SameSite=Lax",
                                 LANG_COOKIE, q));
        return;
    }
    const char *c = i18n_lang(req_cookie(r, LANG_COOKIE));
    r->lang = c ? c : I18N_DEFAULT_LANG;
}

/* Parse the query string; a malformed one is a client error. */
static bool router_parse_query(struct req *r)
{
    const char *q = strchr(r->raw_uri, '?');
    if (!q)
        return true;
    enum form_err e = form_parse_urlencoded(&r->arena, q + 1, strlen(q + 1), &r->query, &r->nquery);
    if (e != FORM_OK) {
        r->limit_status = e == FORM_ERR_TOO_LONG ? 414 : 400;
        r->limit_reason = form_err_reason(e);
        return false;
    }
    return true;
}

static bool router_parse_path(struct req *r)
{
    const char *end = strchr(r->raw_uri, '?');
    size_t n = end ? (size_t)(end - r->raw_uri) : strlen(r->raw_uri);
    char *path;
    if (n == 0 || r->raw_uri[0] != '/') {
        r->limit_status = 400;
        r->limit_reason = "request target is not an absolute path";
        return false;
    }
    enum form_err e = form_decode(&r->arena, r->raw_uri, n, false, &path);
    if (e != FORM_OK) {
        r->limit_status = 400;
        r->limit_reason = form_err_reason(e);
        return false;
    }
    r->path = path;
    return true;
}

static bool router_form_fields(struct req *r)
{
    if (http_method_is_safe(r->method) || r->method == HTTP_DELETE)
        return true;
    const char *ct = r->content_type ? r->content_type : "";
    if (r->body.len == 0)
        return true;
    if (strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0) {
        enum form_err e =
            form_parse_urlencoded(&r->arena, buf_str(&r->body), r->body.len, &r->form, &r->nform);
        if (e != FORM_OK) {
            r->limit_status = 400;
            r->limit_reason = form_err_reason(e);
            return false;
        }
        return true;
    }
    if (strncasecmp(ct, "multipart/form-data", 19) == 0 && (r->route->flags & ROUTE_UPLOAD)) {
        struct multipart m;
        enum multipart_err e = multipart_parse(&r->arena, ct, r->body.data, r->body.len, &m);
        if (e != MULTIPART_OK) {
            r->limit_status = 400;
            r->limit_reason = multipart_err_reason(e);
            return false;
        }
        r->form = m.fields;
        r->nform = m.nfields;
        r->files = m.files;
        r->nfiles = m.nfiles;
        return true;
    }
    r->limit_status = 415;
    r->limit_reason = "unsupported content type";
    return false;
}

static const char *router_lookup(const struct kv *list, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(list[i].name, name))
            return list[i].value;
    return NULL;
}

/* A declared name ending in "[]" is a repeated field (checkboxes sharing one name). */
static bool router_field_repeated(const struct field_spec *f)
{
    size_t n = strlen(f->name);
    return n > 2 && f->name[n - 2] == '[' && f->name[n - 1] == ']';
}

/* "a\nb\nc" from the non-NULL items of v[0..n). */
static const char *router_join(struct arena *a, const char *const *v, size_t n)
{
    size_t len = 0, k = 0;
    for (size_t i = 0; i < n; i++)
        if (v[i])
            len += strlen(v[i]) + 1;
    if (!len)
        return NULL;
    char *out = arena_alloc(a, len);
    for (size_t i = 0; i < n; i++)
        if (v[i]) {
            size_t l = strlen(v[i]);
            memcpy(out + k, v[i], l);
            k += l;
            out[k++] = '\n';
        }
    out[k - 1] = '\0';
    return out;
}

/* Every non-empty occurrence of repeated field i: each is held to the limit and the validator;
   the values are joined with newlines (which a value may therefore not hold), the raw ones
   for refilling the form, the valid ones only when all are valid. */
static void router_validate_repeated(struct req *r, size_t i, const struct kv *list, size_t n)
{
    const struct field_spec *f = &r->route->fields[i];
    const char **raw = arena_calloc(&r->arena, n + 1, sizeof(*raw));
    const char **val = arena_calloc(&r->arena, n + 1, sizeof(*val));
    const char *err = NULL;
    size_t count = 0;
    for (size_t k = 0; k < n; k++) {
        const char *in = list[k].value;
        if (strcmp(list[k].name, f->name) || !*in)
            continue;
        const char *e = NULL, *out = NULL;
        if (strpbrk(in, "\r\n"))
            e = N_("This value is not valid.");
        else if (route_utf8_chars(in) > f->max_chars)
            e = N_("This is too long: please shorten it.");
        else if (!(e = f->validate(&r->arena, in, &out)) && out && strpbrk(out, "\r\n"))
            e = N_("This value is not valid.");
        if (e && !err)
            err = e;
        raw[count] = in;
        val[count++] = e || !out || !*out ? NULL : out;
    }
    if (!err && f->required && !router_join(&r->arena, val, count))
        err = N_("This field is required.");
    r->raw[i] = router_join(&r->arena, raw, count);
    r->values[i] = err ? NULL : router_join(&r->arena, val, count);
    r->errors[i] = err;
    if (err)
        r->has_errors = true;
}

void router_validate_fields(struct req *r)
{
    const struct route *rt = r->route;
    r->values = arena_calloc(&r->arena, rt->nfields + 1, sizeof(char *));
    r->raw = arena_calloc(&r->arena, rt->nfields + 1, sizeof(char *));
    r->errors = arena_calloc(&r->arena, rt->nfields + 1, sizeof(char *));
    bool from_query = http_method_is_safe(r->method);
    for (size_t i = 0; i < rt->nfields; i++) {
        const struct field_spec *f = &rt->fields[i];
        if (router_field_repeated(f)) {
            router_validate_repeated(r, i, from_query ? r->query : r->form,
                                     from_query ? r->nquery : r->nform);
            continue;
        }
        const char *in = from_query ? router_lookup(r->query, r->nquery, f->name)
                                    : router_lookup(r->form, r->nform, f->name);
        r->raw[i] = in;
        const char *err = NULL, *out = NULL;
        if (!in || !*in) {
            if (f->required)
                err = N_("This field is required.");
        } else if (route_utf8_chars(in) > f->max_chars) {
            err = N_("This is too long: please shorten it.");
        } else {
            err = f->validate(&r->arena, in, &out);
            if (!err && f->required && (!out || !*out))
                err = N_("This field is required.");
        }
        r->values[i] = err ? NULL : out;
        r->errors[i] = err;
        if (err)
            r->has_errors = true;
    }
}

size_t req_field_list(struct req *r, const char *name, bool raw, const char ***out)
{
    const char *joined = raw ? req_field_raw(r, name) : req_field(r, name);
    size_t n = 0;
    for (const char *p = joined; p && *p; p++)
        n += *p == '\n';
    n += joined != NULL;
    const char **v = arena_calloc(&r->arena, n + 1, sizeof(*v));
    const char *p = joined;
    for (size_t i = 0; i < n; i++) {
        size_t len = strcspn(p, "\n");
        v[i] = arena_strndup(&r->arena, p, len);
        p += len + (p[len] != '\0');
    }
    *out = v;
    return n;
}

bool router_accepts_upload(const char *raw_uri)
{
    /* The tenant segment is skipped; patterns are compared on the raw (undecoded) rest, which
       is enough to tell upload routes apart (their patterns are plain ASCII). */
    const char *rest = strchr(raw_uri + (raw_uri[0] == '/'), '/');
    if (!rest)
        return false;
    size_t n = strcspn(rest, "?");
    struct arena a;
    arena_init(&a, 512);
    char *path = arena_strndup(&a, rest, n);
    bool found = false;
    ROUTE_FOREACH(rt)
    {
        if ((rt->flags & ROUTE_UPLOAD) && route_match(rt->pattern, path, &a, NULL)) {
            found = true;
            break;
        }
    }
    arena_free(&a);
    return found;
}

static bool router_demo;

void router_set_demo(bool demo)
{
    router_demo = demo;
}

/* The route for the method and path; when only the method differs, *allow lists the methods
   the path accepts (for 405). */
static const struct route *router_find(struct req *r, const char *path, bool platform,
                                       const char **allow)
{
    enum http_method m = r->method == HTTP_HEAD ? HTTP_GET : r->method;
    *allow = NULL;
    ROUTE_FOREACH(rt)
    {
        if (((rt->flags & ROUTE_PLATFORM) != 0) != platform)
            continue;
        if ((rt->flags & ROUTE_DEMO) && !router_demo)
            continue;
        const char *params[ROUTE_MAX_PARAMS] = {0};
        if (!route_match(rt->pattern, path, &r->arena, params))
            continue;
        if (rt->method != m) {
            const char *name = rt->method == HTTP_GET ? "GET, HEAD" : http_method_name(rt->method);
            *allow = *allow ? arena_printf(&r->arena, "%s, %s", *allow, name) : name;
            continue;
        }
        memcpy(r->params, params, sizeof(params));
        return rt;
    }
    return NULL;
}

static bool router_resolve_tenant(struct req *r, struct resp *w)
{
    const char *p = r->path + 1;
    const char *slash = strchr(p, '/');
    size_t n = slash ? (size_t)(slash - p) : strlen(p);
    char *slug = arena_strndup(&r->arena, p, n);
    if (!tenant_slug_valid(slug)) {
        page_error(r, w, 404);
        return false;
    }
    struct db *db = store_db();
    int found = db ? tenant_find(db, &r->arena, slug, &r->tenant) : -1;
    if (found < 0) {
        page_error(r, w, 500);
        return false;
    }
    if (found == 0) {
        log_info("unknown tenant", "slug", slug);
        page_error(r, w, 404);
        return false;
    }
    r->has_tenant = true;
    if (!slash) {
        /* "/esempio" -> "/esempio/": relative links on the home page then resolve. */
        resp_redirect(w, 308, arena_printf(&r->arena, "/%s/", slug));
        return false;
    }
    r->rest = slash;
    return true;
}

static bool router_role_allows(const struct req *r)
{
    unsigned roles = r->route->roles;
    return (r->signed_in && (r->user.role & roles)) ||
           (r->family_signed_in && (roles & ROLE_FAMILY));
}

void router_dispatch(struct req *r, struct resp *w)
{
    r->lang = I18N_DEFAULT_LANG;
    if (r->limit_status) {
        page_error(r, w, r->limit_status);
        return;
    }
    if (!router_parse_path(r) || !router_parse_query(r)) {
        page_error(r, w, r->limit_status);
        return;
    }
    router_choose_lang(r, w);
    if (r->method == HTTP_OTHER) {
        page_error(r, w, 501);
        return;
    }

    if (strncmp(r->path, "/static/", 8) == 0) {
        static_serve(r, w, r->path + 8);
        return;
    }
    /* "/piattaforma" -> "/piattaforma/", as for a tenant's home. */
    if (strncmp(r->path, ROUTE_PLATFORM_AREA, strlen(ROUTE_PLATFORM_AREA) - 1) == 0 &&
        r->path[strlen(ROUTE_PLATFORM_AREA) - 1] == '\0') {
        resp_redirect(w, 308, ROUTE_PLATFORM_AREA);
        return;
    }
    r->platform_area = strncmp(r->path, ROUTE_PLATFORM_AREA, strlen(ROUTE_PLATFORM_AREA)) == 0;
    bool platform =
        r->platform_area || strcmp(r->path, "/") == 0 || strcmp(r->path, "/health") == 0;
    if (!platform && !router_resolve_tenant(r, w))
        return;

    const char *allow;
    r->route = router_find(r, platform ? r->path : r->rest, platform, &allow);
    if (!r->route) {
        if (allow) {
            resp_header(w, "Allow", allow);
            page_error(r, w, 405);
        } else {
            page_error(r, w, 404);
        }
        return;
    }
    if ((r->has_tenant || r->platform_area) && session_load(r) != 0) {
        page_error(r, w, 500);
        return;
    }
    if (!router_form_fields(r)) {
        page_error(r, w, r->limit_status);
        return;
    }
    if (!http_method_is_safe(r->method) && !(r->route->flags & ROUTE_NO_CSRF)) {
        const char *token = router_lookup(r->form, r->nform, "csrf");
        if (!session_csrf_ok(r, token)) {
            log_warn("csrf rejected", "path", r->path, "client", r->client_addr);
            page_error(r, w, 403);
            return;
        }
    }
    if (r->route->roles && !router_role_allows(r)) {
        if (!r->signed_in && !r->family_signed_in && http_method_is_safe(r->method)) {
            /* Family-only pages send to the family sign-in, the platform's to its own, the rest
               to the staff one. */
            bool family = r->route->roles == ROLE_FAMILY;
            if (r->platform_area)
                resp_redirect(w, 303, ROUTE_PLATFORM_AREA "accedi");
            else
                resp_redirect(w, 303,
                              arena_printf(&r->arena, "/%s/%s", r->tenant.slug,
                                           family ? "famiglie/accedi" : "ufficio/accedi"));
        } else {
            page_error(r, w, 403);
        }
        return;
    }
    router_validate_fields(r);
    r->route->handler(r, w);
}
