#include "web/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>

#include "store/store.h"
#include "util/log.h"
#include "web/http.h"
#include "web/route.h"

#define SERVER_LISTEN_BACKLOG 1024

struct server {
    struct MHD_Daemon *daemon;
    const struct config *cfg;
    char csp[1024]; /* Content-Security-Policy, built once at start */
};

/* The scheme://host[:port] of url into out ("" when url has no such origin). */
static void server_origin(const char *url, char *out, size_t n)
{
    out[0] = '\0';
    const char *p = strstr(url, "://");
    if (!p || (strncmp(url, "http://", 7) && strncmp(url, "https://", 8)))
        return;
    size_t end = (size_t)(p - url) + 3 + strcspn(p + 3, "/?#");
    bool clean = end > (size_t)(p - url) + 3;
    for (size_t i = 0; i < end; i++)
        if (url[i] == ' ' || url[i] == ';' || url[i] == '\'' || url[i] == ',')
            clean = false;
    if (clean && end < n)
        snprintf(out, n, "%.*s", (int)end, url);
}

/* The policy of every answer. Forms post to this site only, and to pagoPA Checkout, where the
   "pay online" form's redirect goes (form-action also governs where a form's redirects lead). */
static void server_build_csp(struct server *s)
{
    char checkout[CONFIG_STR_MAX];
    server_origin(s->cfg->pagopa_checkout_url, checkout, sizeof(checkout));
    snprintf(s->csp, sizeof(s->csp),
             "default-src 'self'; script-src 'self'; style-src 'self'; "
             "img-src 'self' data:; font-src 'self' data:; object-src 'none'; "
             "base-uri 'none'; form-action 'self'%s%s; frame-ancestors 'none'",
             checkout[0] ? " " : "", checkout);
}

struct server_ctx {
    struct req r;
    struct server *srv;
    bool started;
    bool responded;
    size_t discarded; /* body bytes read and dropped after a refusal */
    int status;
    uint64_t bytes;
};

const char *req_header(const struct req *r, const char *name)
{
    if (!r->conn)
        return NULL;
    return MHD_lookup_connection_value((struct MHD_Connection *)r->conn, MHD_HEADER_KIND, name);
}

/* Keep arguments as received: the router decodes them strictly itself. */
static size_t server_unescape_identity(void *cls, struct MHD_Connection *c, char *s)
{
    return strlen(s);
}

static void *server_on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    struct server_ctx *ctx = calloc(1, sizeof(*ctx));
    if (!ctx)
        return NULL;
    ctx->srv = cls;
    arena_init(&ctx->r.arena, 16384);
    clock_gettime(CLOCK_MONOTONIC, &ctx->r.started);
    size_t n = strlen(uri);
    if (n > HTTP_MAX_URI_BYTES) {
        ctx->r.limit_status = 414;
        ctx->r.limit_reason = "request target too long";
        ctx->r.raw_uri = "/";
    } else {
        ctx->r.raw_uri = arena_strndup(&ctx->r.arena, uri, n);
    }
    return ctx;
}

struct server_header_sum {
    size_t bytes;
};

static enum MHD_Result server_sum_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                         const char *value)
{
    struct server_header_sum *sum = cls;
    sum->bytes += strlen(key) + (value ? strlen(value) : 0) + 4; /* ": " and CRLF */
    return MHD_YES;
}

static void server_set_limit(struct req *r, int status, const char *reason)
{
    if (!r->limit_status) {
        r->limit_status = status;
        r->limit_reason = reason;
    }
}

static void server_first_call(struct server_ctx *ctx, struct MHD_Connection *c, const char *method)
{
    struct req *r = &ctx->r;
    r->conn = c;
    r->method = http_method_parse(method);
    r->method_name = r->method == HTTP_OTHER ? "OTHER" : http_method_name(r->method);
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)ci->client_addr;
        inet_ntop(AF_INET, &in->sin_addr, r->client_addr, sizeof(r->client_addr));
    } else if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ci->client_addr;
        inet_ntop(AF_INET6, &in6->sin6_addr, r->client_addr, sizeof(r->client_addr));
    }
    struct server_header_sum sum = {0};
    MHD_get_connection_values(c, MHD_HEADER_KIND, server_sum_header, &sum);
    if (sum.bytes > HTTP_MAX_HEADER_BYTES)
        server_set_limit(r, 431, "request headers too large");

    const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    r->content_type = ct ? arena_strdup(&r->arena, ct) : NULL;
    /* Only routes that take uploads may receive the larger multipart bodies. */
    bool upload =
        ct && strncasecmp(ct, "multipart/form-data", 19) == 0 && router_accepts_upload(r->raw_uri);
    size_t max = upload ? HTTP_MAX_UPLOAD_BYTES : HTTP_MAX_BODY_BYTES;
    buf_init(&r->body, max);
    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    if (cl) {
        char *end;
        unsigned long long len = strtoull(cl, &end, 10);
        if (*end != '\0' || end == cl)
            server_set_limit(r, 400, "malformed Content-Length");
        else if (len > max)
            server_set_limit(r, 413, "body larger than allowed");
    }
}

/* Bytes of a refused body we keep reading (and dropping) so the refusal can be sent once the
   request is complete: libmicrohttpd cannot answer while a body is still arriving. Past this, or
   past twice the request time, the connection is dropped without an answer. */
#define SERVER_DISCARD_MAX (2 * (size_t)HTTP_MAX_UPLOAD_BYTES)

static bool server_late(const struct server_ctx *ctx)
{
    return req_elapsed_ms(&ctx->r) > (long)ctx->srv->cfg->request_timeout * 1000;
}

static void server_security_headers(struct MHD_Response *resp, const struct server *srv, bool html,
                                    bool personal)
{
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
    MHD_add_response_header(resp, "Permissions-Policy", "camera=(), microphone=(), geolocation=()");
    MHD_add_response_header(resp, "Content-Security-Policy", srv->csp);
    if (srv->cfg->tls)
        MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
    if (html)
        MHD_add_response_header(resp, "Cache-Control", personal ? "no-store" : "no-cache");
}

static enum MHD_Result server_queue(struct server_ctx *ctx, struct MHD_Connection *c,
                                    struct resp *w)
{
    struct MHD_Response *resp;
    uint64_t size;
    if (w->fd >= 0) {
        size = w->fd_size;
        resp = MHD_create_response_from_fd64(size, w->fd);
    } else {
        size_t len;
        char *data = buf_steal(&w->body, &len);
        size = len;
        resp = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
        if (!resp)
            free(data);
    }
    if (!resp)
        return MHD_NO;
    bool has_cache = false;
    for (size_t i = 0; i < w->nheaders; i++) {
        MHD_add_response_header(resp, w->headers[i].name, w->headers[i].value);
        if (!strcasecmp(w->headers[i].name, "Cache-Control"))
            has_cache = true;
    }
    bool html = w->content_type && !strncmp(w->content_type, "text/html", 9);
    server_security_headers(resp, ctx->srv, html && !has_cache, ctx->r.has_session);
    if (w->content_type)
        MHD_add_response_header(resp, "Content-Type", w->content_type);
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)w->status, resp);
    MHD_destroy_response(resp);
    ctx->responded = true;
    ctx->status = w->status;
    ctx->bytes = size;
    return ret;
}

static enum MHD_Result server_respond(struct server_ctx *ctx, struct MHD_Connection *c)
{
    struct resp w;
    resp_init(&w);
    router_dispatch(&ctx->r, &w);
    enum MHD_Result ret = server_queue(ctx, c, &w);
    resp_free(&w);
    return ret;
}

static enum MHD_Result server_on_request(void *cls, struct MHD_Connection *c, const char *url,
                                         const char *method, const char *version,
                                         const char *upload_data, size_t *upload_data_size,
                                         void **con_cls)
{
    struct server_ctx *ctx = *con_cls;
    if (!ctx)
        return MHD_NO; /* out of memory in server_on_uri: drop the connection */
    if (!ctx->started) {
        ctx->started = true;
        server_first_call(ctx, c, method);
        /* A request refused on its headers alone (431, 414, or 413 by Content-Length) is
           answered now, before its body is read; the connection is then closed. Every other
           response is queued on a later call, which keeps keep-alive and 100-continue right. */
        if (ctx->r.limit_status)
            return server_respond(ctx, c);
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (!ctx->r.limit_status) {
            if (server_late(ctx))
                server_set_limit(&ctx->r, 408, "request body arrived too slowly");
            else if (buf_append(&ctx->r.body, upload_data, n) != BUF_OK)
                server_set_limit(&ctx->r, 413, "body larger than allowed");
        }
        if (ctx->r.limit_status) {
            ctx->discarded += n;
            if (ctx->discarded > SERVER_DISCARD_MAX ||
                req_elapsed_ms(&ctx->r) > 2000L * ctx->srv->cfg->request_timeout)
                return MHD_NO; /* a client that will not stop: drop it */
        }
        return MHD_YES;
    }
    if (ctx->responded)
        return MHD_YES;
    if (!ctx->r.limit_status && server_late(ctx))
        server_set_limit(&ctx->r, 408, "request took too long");
    return server_respond(ctx, c);
}

static void server_on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                                enum MHD_RequestTerminationCode toe)
{
    struct server_ctx *ctx = *con_cls;
    if (!ctx)
        return;
    struct server *srv = cls;
    if (srv->cfg->access_log && ctx->started) {
        char status[8], bytes[24], ms[24];
        snprintf(status, sizeof(status), "%d", ctx->responded ? ctx->status : 0);
        snprintf(bytes, sizeof(bytes), "%llu", (unsigned long long)ctx->bytes);
        snprintf(ms, sizeof(ms), "%ld", req_elapsed_ms(&ctx->r));
        /* Requests refused before decoding are logged with their raw path (never the query). */
        const char *path = ctx->r.path;
        if (!path && ctx->r.raw_uri)
            path = arena_strndup(&ctx->r.arena, ctx->r.raw_uri, strcspn(ctx->r.raw_uri, "?"));
        log_info("request", "method", ctx->r.method_name, "path", path, "status", status, "bytes",
                 bytes, "ms", ms, "client", ctx->r.client_addr, "tenant",
                 ctx->r.has_tenant ? ctx->r.tenant.slug : "-", "refused", ctx->r.limit_reason,
                 "complete", toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "yes" : "no");
    }
    buf_free(&ctx->r.body);
    arena_free(&ctx->r.arena);
    free(ctx);
    *con_cls = NULL;
}

static void server_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    log_warn("http library", "detail", msg);
}

static void server_raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

struct server *server_start(const struct config *cfg)
{
    struct server *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->cfg = cfg;
    server_build_csp(s);
    server_raise_fd_limit();
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)cfg->port)};
    if (inet_pton(AF_INET, cfg->listen, &addr.sin_addr) != 1) {
        log_error("server.listen is not an IPv4 address", "value", cfg->listen);
        free(s);
        return NULL;
    }
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
    s->daemon = MHD_start_daemon(
        flags, (uint16_t)cfg->port, NULL, NULL, server_on_request, s, MHD_OPTION_EXTERNAL_LOGGER,
        server_mhd_log, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)cfg->max_connections, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->idle_timeout,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_CONN_MEMORY,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)SERVER_LISTEN_BACKLOG,
        MHD_OPTION_URI_LOG_CALLBACK, server_on_uri, s, MHD_OPTION_NOTIFY_COMPLETED,
        server_on_completed, s, MHD_OPTION_UNESCAPE_CALLBACK, server_unescape_identity, NULL,
        MHD_OPTION_END);
    if (!s->daemon) {
        log_error("cannot start the HTTP server", "listen", cfg->listen);
        free(s);
        return NULL;
    }
    return s;
}

void server_stop(struct server *s)
{
    if (!s)
        return;
    MHD_stop_daemon(s->daemon);
    free(s);
}
