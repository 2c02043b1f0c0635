/*
 * Form-field validators shared by the handlers (field_validator of web/route.h, next to the
 * generic ones declared there): a day typed the Italian way or sent by a date input, a row id,
 * and an amount in euro typed the Italian way. Each refuses with the English msgid shown next
 * to the field (translated in po/it.po) and hands the handler a normalised value: "YYYY-MM-DD",
 * the id as typed, the cents as decimal text. Handlers that read an amount outside the field
 * table (settings pages, choices plus a free amount) use field_euro_parse with the same rules.
 */
#ifndef REFETTORIO_WEB_FIELDS_H
#define REFETTORIO_WEB_FIELDS_H

#include <stdbool.h>
#include <stdint.h>

#include "util/arena.h"

#define FIELD_ROW_ID_CHARS 18 /* the most digits of a row id (below INT64_MAX) */

/* "2027-01-15", as date inputs send it, or "15/01/2027" (also with dots or dashes, one or two
   digits of day and month), as people type it where the browser shows a plain text box; a real
   day, normalised to "YYYY-MM-DD". Which days are allowed (not in the future, after another)
   is the caller's rule on top. */
const char *field_day(struct arena *a, const char *in, const char **out);

/* A month: "2026-09", as month inputs send it and links carry it, or "09/2026" as people type
   it; years FIELD_MONTH_YEAR_MIN..MAX; normalised to "YYYY-MM". */
#define FIELD_MONTH_YEAR_MIN 2000
#define FIELD_MONTH_YEAR_MAX 2100
const char *field_month(struct arena *a, const char *in, const char **out);
/* "novembre 2026" for year and month (1..12) in lang; the bare numbers for a month out of
   range. */
const char *field_month_label(struct arena *a, const char *lang, int year, int month);
/* The same for "YYYY-MM" (returned as is when malformed). */
const char *field_month_label_ym(struct arena *a, const char *lang, const char *ym);

/* A row id: 1 to FIELD_ROW_ID_CHARS digits, no sign, no leading zero. Refused with "Choose one
   of the options listed.": ids come from the page's own options and links. */
const char *field_row_id(struct arena *a, const char *in, const char **out);
/* The same rule for a path parameter or an unchecked value: the id, or 0 when s (may be NULL)
   is not one. */
int64_t field_row_id_parse(const char *s);

/*
 * What an amount in euro may be and what to say when it is not. The amount is read by
 * money_parse (Italian form: "25,00", "-30", "1.250,50 €"; the dot only groups thousands, so
 * "12.50" is refused). Each message is an English msgid; NULL takes the default noted.
 */
struct euro_rules {
    bool bounded;             /* false: any amount money_parse reads, sign included */
    int64_t min, max;         /* cents, inclusive, when bounded */
    const char *not_amount;   /* not an amount: "Enter an amount in euro, like 25,00." */
    const char *decimals;     /* three decimals or more: "Use at most two decimals, like 12,35." */
    const char *dot;          /* "12.50", a misplaced dot: "Use the comma for the cents, for
                                 example 35,50." */
    const char *out_of_range; /* below min or above max: not_amount */
};

/* in against rules (NULL: the defaults, unbounded): NULL and *cents set, or the msgid. */
const char *field_euro_parse(const struct euro_rules *rules, const char *in, int64_t *cents);
/* field_euro_parse as a validator body: *out is the cents as decimal text ("-3000"). */
const char *field_euro_check(const struct euro_rules *rules, struct arena *a, const char *in,
                             const char **out);
/* An amount in euro with the default rules (any sign, any size); *out is the cents. */
const char *field_euro(struct arena *a, const char *in, const char **out);

#endif
