/*
 * Bounded growable byte buffer (after curl's dynbuf): every buffer has a hard maximum set at
 * creation; an append past it fails with BUF_TOOBIG and leaves the contents as they were. The
 * storage is malloc'd (buffers outlive arenas, e.g. response bodies handed to the HTTP library);
 * buf_free releases it, buf_steal hands it over.
 */
#ifndef REFETTORIO_UTIL_BUF_H
#define REFETTORIO_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

enum buf_err { BUF_OK = 0, BUF_TOOBIG = 1, BUF_NOMEM = 2 };

struct buf {
    char *data; /* always NUL-terminated when non-NULL */
    size_t len;
    size_t cap;
    size_t max;       /* hard limit on len */
    enum buf_err err; /* sticky: first error seen */
};

void buf_init(struct buf *b, size_t max);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
enum buf_err buf_append(struct buf *b, const void *data, size_t len);
enum buf_err buf_puts(struct buf *b, const char *s);
enum buf_err buf_putc(struct buf *b, char c);
enum buf_err buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
enum buf_err buf_vprintf(struct buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Returns the data (caller frees) and leaves the buffer empty. Never NULL unless out of memory. */
char *buf_steal(struct buf *b, size_t *len);
/* "" when empty. */
const char *buf_str(const struct buf *b);

#endif
