/*
 * Arena: request- and job-scoped memory. Everything a request or a job allocates comes from one
 * arena and is released in one call, so handlers never free. Out-of-memory policy: allocation
 * failure aborts the process with a log line (the server is supervised by systemd and restarts);
 * no caller checks for NULL from arena_alloc.
 */
#ifndef REFETTORIO_UTIL_ARENA_H
#define REFETTORIO_UTIL_ARENA_H

#include <stddef.h>
#include <stdarg.h>

struct arena_block;

struct arena {
    struct arena_block *head; /* newest block first */
    size_t block_size;        /* default size of new blocks */
    size_t total;             /* bytes handed out, for diagnostics */
};

/* Initialise an arena whose blocks are at least block_size bytes (0 selects 8 KiB). */
void arena_init(struct arena *a, size_t block_size);
/* Release every block; the arena can be reused after arena_init. */
void arena_free(struct arena *a);
/* Zeroed memory, aligned for any type; never NULL. */
void *arena_alloc(struct arena *a, size_t size);
/* Array allocation with overflow check (aborts on overflow). */
void *arena_calloc(struct arena *a, size_t n, size_t size);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

#endif
