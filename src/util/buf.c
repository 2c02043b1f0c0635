#include "util/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t max)
{
    memset(b, 0, sizeof(*b));
    b->max = max;
}

void buf_free(struct buf *b)
{
    free(b->data);
    size_t max = b->max;
    buf_init(b, max);
}

void buf_reset(struct buf *b)
{
    b->len = 0;
    b->err = BUF_OK;
    if (b->data)
        b->data[0] = '\0';
}

static enum buf_err buf_fail(struct buf *b, enum buf_err e)
{
    if (b->err == BUF_OK)
        b->err = e;
    return e;
}

static enum buf_err buf_reserve(struct buf *b, size_t extra)
{
    if (extra > b->max || b->len > b->max - extra)
        return buf_fail(b, BUF_TOOBIG);
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return BUF_OK;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap = cap > (b->max + 1) / 2 ? b->max + 1 : cap * 2;
    char *p = realloc(b->data, cap);
    if (!p)
        return buf_fail(b, BUF_NOMEM);
    b->data = p;
    b->cap = cap;
    return BUF_OK;
}

enum buf_err buf_append(struct buf *b, const void *data, size_t len)
{
    enum buf_err e = buf_reserve(b, len);
    if (e != BUF_OK)
        return e;
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return BUF_OK;
}

enum buf_err buf_puts(struct buf *b, const char *s)
{
    return buf_append(b, s, strlen(s));
}

enum buf_err buf_putc(struct buf *b, char c)
{
    return buf_append(b, &c, 1);
}

enum buf_err buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        return buf_fail(b, BUF_NOMEM);
    enum buf_err e = buf_reserve(b, (size_t)n);
    if (e != BUF_OK)
        return e;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return BUF_OK;
}

enum buf_err buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    enum buf_err e = buf_vprintf(b, fmt, ap);
    va_end(ap);
    return e;
}

char *buf_steal(struct buf *b, size_t *len)
{
    char *p = b->data;
    if (!p)
        p = calloc(1, 1);
    if (len)
        *len = b->len;
    size_t max = b->max;
    buf_init(b, max);
    return p;
}

const char *buf_str(const struct buf *b)
{
    return b->data ? b->data : "";
}
