/* Sending a stored file (see download.h). */
#include "web/download.h"

#include <string.h>

#include "domain/normalize.h"
#include "services/attachment.h"
#include "web/page.h"

/* The ASCII filename="..." of old browsers: accents dropped, and the characters that a
   quoted-string or a browser's own decoding would misread replaced. */
static const char *download_ascii_name(struct arena *a, const char *name)
{
    size_t cap = strlen(name) + 1;
    char *s = arena_alloc(a, cap);
    normalize_fold_ascii(name, s, cap);
    for (char *p = s; *p; p++)
        if (*p == '"' || *p == '\\' || *p == '%' || *p == '?' || (unsigned char)*p < 0x20 ||
            *p == 0x7f)
            *p = '_';
    return s;
}

/* RFC 8187 attr-char: what filename* may carry without percent-encoding. */
static bool download_attr_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$&+-.^_`|~", c));
}

static const char *download_ext_value(struct arena *a, const char *name)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(name);
    char *s = arena_alloc(a, 3 * n + 1);
    size_t j = 0;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if (download_attr_char(*p)) {
            s[j++] = (char)*p;
        } else {
            s[j++] = '%';
            s[j++] = hex[*p >> 4];
            s[j++] = hex[*p & 15];
        }
    }
    s[j] = '\0';
    return s;
}

void resp_download(struct req *r, struct resp *w, const char *content_type, const char *filename,
                   const void *data, size_t len, bool inline_view)
{
    if (w->nheaders + DOWNLOAD_HEADERS > RESP_MAX_HEADERS) {
        page_error(r, w, 500); /* a programming error: the handler set too many headers */
        return;
    }
    const char *name = attachment_filename_sanitize(&r->arena, filename, "download");
    buf_free(&w->body);
    buf_init(&w->body, len > HTTP_MAX_RESPONSE_BYTES ? len : HTTP_MAX_RESPONSE_BYTES);
    if (len && buf_append(&w->body, data, len) != BUF_OK) {
        page_error(r, w, 500);
        return;
    }
    w->status = 200;
    w->content_type = content_type ? content_type : "application/octet-stream";
    resp_header(w, "Content-Disposition",
                arena_printf(&r->arena, "%s; filename=\"%s\"; filename*=UTF-8''%s",
                             inline_view ? "inline" : "attachment",
                             download_ascii_name(&r->arena, name),
                             download_ext_value(&r->arena, name)));
    resp_header(w, "Cache-Control", "private, no-store");
}
