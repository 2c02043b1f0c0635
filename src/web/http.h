/*
 * The request and response as handlers see them, and the hard limits every request is held to.
 * The adapter (server.c) builds a struct req from libmicrohttpd's callbacks; the router
 * (route.c) resolves the tenant, session, role and declared fields before a handler runs;
 * handlers fill a struct resp and never touch the HTTP library.
 */
#ifndef REFETTORIO_WEB_HTTP_H
#define REFETTORIO_WEB_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "services/guardian.h"
#include "services/staff.h"
#include "services/tenant.h"
#include "util/arena.h"
#include "util/buf.h"

/* Limits. Each has a test that goes past it (tests/http/test_limits.c). */
#define HTTP_MAX_HEADER_BYTES   8192               /* all request header lines together -> 431 */
#define HTTP_MAX_URI_BYTES      2048               /* request target -> 414 */
#define HTTP_MAX_BODY_BYTES     (64 * 1024)        /* form or JSON body -> 413 */
#define HTTP_MAX_UPLOAD_BYTES   (10 * 1024 * 1024) /* multipart body on upload routes -> 413 */
#define HTTP_MAX_FIELDS         100                /* fields in a query or body -> 400 */
#define HTTP_MAX_FIELD_BYTES    (16 * 1024)        /* one decoded name or value -> 400 */
#define HTTP_MAX_RESPONSE_BYTES (4 * 1024 * 1024)  /* rendered page */
#define HTTP_CONN_MEMORY        (32 * 1024)        /* libmicrohttpd per-connection pool */
#define ROUTE_MAX_PARAMS        4

enum http_method { HTTP_GET, HTTP_HEAD, HTTP_POST, HTTP_PUT, HTTP_PATCH, HTTP_DELETE, HTTP_OTHER };

struct kv {
    const char *name;
    const char *value;
};

struct route;

/* A file part of a multipart/form-data body (web/multipart.h). data points into the request's
   body; filename is what the browser sent, folder removed, not otherwise cleaned; content_type
   is the browser's claim, lower-cased, never to be trusted for what the file is. */
struct req_file {
    const char *field;
    const char *filename;
    const char *content_type;
    const unsigned char *data;
    size_t len;
};

struct req {
    struct arena arena;
    enum http_method method;
    const char *method_name;
    const char *raw_uri; /* as received, with the query */
    const char *path;    /* percent-decoded path, valid UTF-8, no NUL */
    const char *rest;    /* path after "/<tenant>" ("/" at least) */
    struct kv *query;    /* decoded query arguments */
    size_t nquery;
    struct kv *form; /* decoded urlencoded body arguments, or a multipart body's text parts */
    size_t nform;
    struct req_file *files; /* a multipart body's file parts (ROUTE_UPLOAD routes only) */
    size_t nfiles;
    const char *content_type;
    struct buf body;  /* raw body, bounded */
    int limit_status; /* non-zero: a limit was exceeded, answer with this status */
    const char *limit_reason;
    struct timespec started;
    char client_addr[64];
    void *conn; /* adapter's connection; only server.c looks inside */

    /* Resolved by the router. */
    const struct route *route;
    const char *params[ROUTE_MAX_PARAMS];
    bool has_tenant;
    bool platform_area; /* under /piattaforma/: no tenant, sessions of the platform's own */
    struct tenant tenant;
    const char *lang; /* "it" or "en" */
    bool lang_from_query;
    bool has_session;
    char session_hash[65];
    const char *csrf;
    bool signed_in; /* a staff member, past every factor */
    struct staff_user user;
    int64_t mfa_staff_id; /* a staff member who gave the password and owes the second factor */
    bool family_signed_in;
    struct guardian family;
    /* Declared fields, index-aligned with route->fields. */
    const char **values; /* valid, normalised value, or NULL */
    const char **raw;    /* what the person typed (for refilling the form), or NULL */
    const char **errors; /* English msgid of the problem, or NULL */
    bool has_errors;
};

#define RESP_MAX_HEADERS 12

struct resp {
    int status;
    const char *content_type;
    struct buf body;
    struct kv headers[RESP_MAX_HEADERS];
    size_t nheaders;
    int fd; /* static file: send this descriptor (size fd_size) instead of body */
    uint64_t fd_size;
};

/* Header of the request (case-insensitive name), NULL when absent. Implemented by the adapter. */
const char *req_header(const struct req *r, const char *name);
/* Cookie value by name, NULL when absent. */
const char *req_cookie(struct req *r, const char *name);
/* Decoded query argument, NULL when absent. */
const char *req_query(const struct req *r, const char *name);
/* Declared field by name: the valid value, or NULL (absent or invalid). */
const char *req_field(const struct req *r, const char *name);
const char *req_field_raw(const struct req *r, const char *name);
const char *req_field_error(const struct req *r, const char *name);
/* A problem the handler found with a declared field (e.g. two passwords that differ): shown
   next to the field like a validator's message. */
void req_set_field_error(struct req *r, const char *name, const char *msgid);
/* The file uploaded in field name on a ROUTE_UPLOAD route; NULL when absent or empty (a browser
   sends an empty part with filename="" when nothing was chosen). Implemented in multipart.c. */
const struct req_file *req_file(const struct req *r, const char *name);
/* Path parameter captured by {name} in the route pattern, in order. */
const char *req_param(const struct req *r, int i);
/* Milliseconds since the request began. */
long req_elapsed_ms(const struct req *r);

void resp_init(struct resp *w);
void resp_free(struct resp *w);
/* Add a header; copies nothing, so name/value must outlive the response (use the req arena). */
void resp_header(struct resp *w, const char *name, const char *value);
void resp_redirect(struct resp *w, int status, const char *location);
void resp_text(struct resp *w, int status, const char *text);

const char *http_method_name(enum http_method m);
enum http_method http_method_parse(const char *s);
bool http_method_is_safe(enum http_method m);

#endif
