/* CSV cells for spreadsheets (see csv.h). */
#include "util/csv.h"

#include <inttypes.h>
#include <string.h>

void csv_begin(struct buf *out)
{
    buf_append(out, "\xEF\xBB\xBF", 3);
}

void csv_cell(struct buf *out, const char *s, bool last)
{
    if (!s)
        s = "";
    bool formula =
        s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r';
    bool quote = strpbrk(s, ";\"\r\n") != NULL;
    if (quote)
        buf_putc(out, '"');
    if (formula)
        buf_putc(out, '\'');
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            buf_putc(out, '"');
        buf_putc(out, *p);
    }
    if (quote)
        buf_putc(out, '"');
    buf_puts(out, last ? "\r\n" : ";");
}

void csv_amount(struct buf *out, int64_t cents, bool last)
{
    /* Magnitude as unsigned, so INT64_MIN does not overflow. */
    uint64_t mag = cents < 0 ? (uint64_t)0 - (uint64_t)cents : (uint64_t)cents;
    buf_printf(out, "%s%" PRIu64 ",%02" PRIu64 "%s", cents < 0 ? "-" : "", mag / 100, mag % 100,
               last ? "\r\n" : ";");
}

struct csv_mark csv_mark(const struct buf *out)
{
    return (struct csv_mark){.len = out->len, .err = out->err};
}

void csv_rollback(struct buf *out, struct csv_mark m)
{
    out->len = m.len;
    if (out->data)
        out->data[m.len] = '\0';
    out->err = m.err;
}
