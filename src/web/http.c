/* Request accessors and response building shared by the adapter, the router and handlers. */
#include "web/http.h"

#include <string.h>
#include <strings.h>

#include "web/form.h"
#include "web/route.h"

const char *req_cookie(struct req *r, const char *name)
{
    return form_cookie(&r->arena, req_header(r, "Cookie"), name);
}

static const char *req_kv(const struct kv *list, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(list[i].name, name))
            return list[i].value;
    return NULL;
}

const char *req_query(const struct req *r, const char *name)
{
    return req_kv(r->query, r->nquery, name);
}

static int req_field_index(const struct req *r, const char *name)
{
    if (!r->route || !r->values)
        return -1;
    for (size_t i = 0; i < r->route->nfields; i++)
        if (!strcmp(r->route->fields[i].name, name))
            return (int)i;
    return -1;
}

const char *req_field(const struct req *r, const char *name)
{
    int i = req_field_index(r, name);
    return i < 0 ? NULL : r->values[i];
}

const char *req_field_raw(const struct req *r, const char *name)
{
    int i = req_field_index(r, name);
    return i < 0 ? NULL : r->raw[i];
}

const char *req_field_error(const struct req *r, const char *name)
{
    int i = req_field_index(r, name);
    return i < 0 ? NULL : r->errors[i];
}

void req_set_field_error(struct req *r, const char *name, const char *msgid)
{
    int i = req_field_index(r, name);
    if (i < 0)
        return;
    r->errors[i] = msgid;
    r->values[i] = NULL;
    r->has_errors = true;
}

const char *req_param(const struct req *r, int i)
{
    return (i >= 0 && i < ROUTE_MAX_PARAMS) ? r->params[i] : NULL;
}

long req_elapsed_ms(const struct req *r)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long)((now.tv_sec - r->started.tv_sec) * 1000 +
                  (now.tv_nsec - r->started.tv_nsec) / 1000000);
}

void resp_init(struct resp *w)
{
    memset(w, 0, sizeof(*w));
    w->status = 200;
    w->fd = -1;
    buf_init(&w->body, HTTP_MAX_RESPONSE_BYTES);
}

void resp_free(struct resp *w)
{
    buf_free(&w->body);
}

void resp_header(struct resp *w, const char *name, const char *value)
{
    if (w->nheaders < RESP_MAX_HEADERS) {
        w->headers[w->nheaders].name = name;
        w->headers[w->nheaders].value = value;
        w->nheaders++;
    }
}

void resp_redirect(struct resp *w, int status, const char *location)
{
    w->status = status;
    resp_header(w, "Location", location);
    buf_reset(&w->body);
    w->content_type = "text/plain; charset=utf-8";
    buf_puts(&w->body, location);
}

void resp_text(struct resp *w, int status, const char *text)
{
    w->status = status;
    w->content_type = "text/plain; charset=utf-8";
    buf_reset(&w->body);
    buf_puts(&w->body, text);
}

const char *http_method_name(enum http_method m)
{
    static const char *const names[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OTHER"};
    return names[m];
}

enum http_method http_method_parse(const char *s)
{
    static const char *const names[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"};
    for (int i = 0; i < 6; i++)
        if (!strcmp(s, names[i]))
            return (enum http_method)i;
    return HTTP_OTHER;
}

bool http_method_is_safe(enum http_method m)
{
    return m == HTTP_GET || m == HTTP_HEAD;
}
