/*
 * CSV files people open in a spreadsheet (Excel, LibreOffice, with Italian settings): UTF-8 with
 * a byte-order mark so Excel reads the accents, ';' between cells (the comma is the decimal
 * separator in Italy), CRLF line ends, cells quoted when they hold ';', '"' or a line break.
 * A text cell starting with '=', '+', '-', '@', a tab or a CR gets a leading apostrophe, so no
 * spreadsheet runs it as a formula (CSV injection); amounts written by csv_amount are numbers
 * this program formats itself and go out as they are ("-12,50"), so spreadsheets can sum them.
 */
#ifndef REFETTORIO_UTIL_CSV_H
#define REFETTORIO_UTIL_CSV_H

#include <stdbool.h>
#include <stdint.h>

#include "util/buf.h"

/* The byte-order mark that starts every file. */
void csv_begin(struct buf *out);
/* One text cell (NULL prints as empty), then ';' or, after the last cell of a row, CRLF. */
void csv_cell(struct buf *out, const char *s, bool last);
/* An amount in cents as a plain decimal number with a comma ("1234,50", "-0,05"), then ';' or
   CRLF. */
void csv_amount(struct buf *out, int64_t cents, bool last);

/* Where a file starts in out, so that a file that could not be finished (too many rows, a
   database error) is taken back whole: no half file is ever sent. */
struct csv_mark {
    size_t len;
    enum buf_err err;
};
struct csv_mark csv_mark(const struct buf *out);
/* Put out back as it was at the mark. */
void csv_rollback(struct buf *out, struct csv_mark m);

#endif
