/*
 * The route table and the request pipeline. A route names its method, path pattern, the roles
 * allowed, its declared fields (validator + maximum length) and its handler. Before a handler
 * runs, the router has: answered limit violations; resolved the tenant from the first path
 * segment (unknown tenant: 404), unless the path is the platform's own ("/", "/health", and the
 * administration area under ROUTE_PLATFORM_AREA); chosen the language; loaded the session;
 * checked CSRF on unsafe methods; checked the role; and parsed, validated and normalised the
 * declared fields, dropping every undeclared one. A handler therefore reads typed, valid values
 * or NULL.
 */
#ifndef REFETTORIO_WEB_ROUTE_H
#define REFETTORIO_WEB_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include "web/http.h"

typedef void (*route_handler)(struct req *r, struct resp *w);

/* Validate in; on success set *out (possibly normalised, arena-allocated) and return NULL; on
   failure return the English msgid of the problem, shown next to the field. */
typedef const char *(*field_validator)(struct arena *a, const char *in, const char **out);

/* A name ending in "[]" ("class[]") declares a repeated field, such as checkboxes that share
   one name: every occurrence is held to max_chars and the validator (empty ones are ignored;
   required means at least one), and the handler reads them with req_field_list. req_field and
   req_field_raw give them joined by newlines, so a value may not contain one. */
struct field_spec {
    const char *name;
    field_validator validate;
    size_t max_chars; /* in characters (UTF-8 code points) */
    bool required;
};

/* The platform's administration area: its routes are ROUTE_PLATFORM with patterns under this
   prefix, and only there do sessions without a tenant exist (cookie Path=/piattaforma/). The
   word is a reserved slug (tenant_slug_valid). */
#define ROUTE_PLATFORM_AREA "/piattaforma/"

enum route_flags {
    ROUTE_PLATFORM = 1u << 0, /* pattern is absolute, no tenant */
    ROUTE_NO_CSRF = 1u << 1,  /* machine endpoints authenticated otherwise */
    ROUTE_UPLOAD = 1u << 2,   /* accepts multipart/form-data up to HTTP_MAX_UPLOAD_BYTES */
    ROUTE_DEMO = 1u << 3,     /* exists only when the server runs as `refettorio demo` */
};

struct route {
    enum http_method method;
    const char *pattern; /* "/ufficio/accedi", "/ufficio/scuole/{id}"; relative to /<tenant> */
    unsigned roles;      /* enum role bits allowed; 0 = public */
    const struct field_spec *fields;
    size_t nfields;
    route_handler handler;
    unsigned flags;
};

#define ROUTE_FIELDS(a) (a), (sizeof(a) / sizeof((a)[0]))

/* The application's routes: one table per area, each ending with an entry whose handler is
   NULL, listed in app_route_tables (NULL-terminated; src/app/routes.c). */
extern const struct route *const app_route_tables[];

/* Every route, in table order. */
#define ROUTE_FOREACH(rt)                                                                          \
    for (const struct route *const *route_t_ = app_route_tables; *route_t_; route_t_++)            \
        for (const struct route *rt = *route_t_; rt->handler; rt++)

/* Demo mode enables the ROUTE_DEMO routes (set once before the server starts). */
void router_set_demo(bool demo);
/* Run the whole pipeline for r and fill w. */
void router_dispatch(struct req *r, struct resp *w);
/* Whether some upload route could match this raw request target (decided before the body is
   read, to choose the body limit). */
bool router_accepts_upload(const char *raw_uri);
/* The router's field step: validate r->route's declared fields from r->query (safe methods) or
   r->form into r->values, r->raw and r->errors; exposed for tests. */
void router_validate_fields(struct req *r);
/* The values of repeated field name ("class[]"): the valid ones, or with raw what was sent
   (valid or not, for refilling a form). Returns how many; *out (request arena) has them in the
   order sent, then NULL. 0 when the field was invalid (raw false), absent or undeclared. */
size_t req_field_list(struct req *r, const char *name, bool raw, const char ***out);
/* Match a pattern against a path, capturing {params}; exposed for tests. */
bool route_match(const char *pattern, const char *path, struct arena *a,
                 const char *params[ROUTE_MAX_PARAMS]);

/* Validators. */
const char *field_text(struct arena *a, const char *in, const char **out); /* one line, trimmed */
const char *field_multiline(struct arena *a, const char *in, const char **out); /* keeps newlines */
const char *field_email(struct arena *a, const char *in, const char **out);     /* lower-cased */
const char *field_secret(struct arena *a, const char *in, const char **out);    /* as typed */
const char *field_token(struct arena *a, const char *in, const char **out);     /* [A-Za-z0-9_-] */
const char *field_local_path(struct arena *a, const char *in, const char **out); /* "/..." only */

#endif
