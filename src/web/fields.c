#include "web/fields.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "domain/money.h"
#include "util/msg.h"
#include "util/text.h"
#include "util/time.h"

const char *field_day(struct arena *a, const char *in, const char **out)
{
    static const char *const msg = N_("Enter a date like 15/01/2027.");
    int y, m, d;
    if (time_parse_date(in, &y, &m, &d)) {
        *out = in;
        return NULL;
    }
    size_t dl = strspn(in, "0123456789");
    char sep = in[dl];
    if (dl < 1 || dl > 2 || (sep != '/' && sep != '.' && sep != '-'))
        return msg;
    const char *ms = in + dl + 1;
    size_t ml = strspn(ms, "0123456789");
    if (ml < 1 || ml > 2 || ms[ml] != sep || !str_digits(ms + ml + 1, 4, 4))
        return msg;
    char *iso = arena_printf(a, "%.4s-%02d-%02d", ms + ml + 1, atoi(ms), atoi(in));
    if (!time_parse_date(iso, &y, &m, &d))
        return msg;
    *out = iso;
    return NULL;
}

int64_t field_row_id_parse(const char *s)
{
    if (!str_digits(s, 1, FIELD_ROW_ID_CHARS) || s[0] == '0')
        return 0;
    errno = 0;
    long long v = strtoll(s, NULL, 10);
    return errno ? 0 : (int64_t)v;
}

const char *field_row_id(struct arena *a, const char *in, const char **out)
{
    if (!field_row_id_parse(in))
        return N_("Choose one of the options listed.");
    *out = in;
    return NULL;
}

static const struct euro_rules field_euro_defaults = {
    .not_amount = N_("Enter an amount in euro, like 25,00."),
    .decimals = N_("Use at most two decimals, like 12,35."),
    .dot = N_("Use the comma for the cents, for example 35,50."),
};

const char *field_euro_parse(const struct euro_rules *rules, const char *in, int64_t *cents)
{
    const struct euro_rules *d = &field_euro_defaults;
    const struct euro_rules *r = rules ? rules : d;
    const char *not_amount = r->not_amount ? r->not_amount : d->not_amount;
    int64_t v;
    switch (money_parse(in ? in : "", &v, NULL)) {
    case MONEY_OK:
        break;
    case MONEY_TOO_MANY_DECIMALS:
        return r->decimals ? r->decimals : d->decimals;
    case MONEY_BAD_GROUPING:
        return r->dot ? r->dot : d->dot;
    default:
        return not_amount;
    }
    if (r->bounded && (v < r->min || v > r->max))
        return r->out_of_range ? r->out_of_range : not_amount;
    *cents = v;
    return NULL;
}

const char *field_euro_check(const struct euro_rules *rules, struct arena *a, const char *in,
                             const char **out)
{
    int64_t cents;
    const char *err = field_euro_parse(rules, in, &cents);
    if (err)
        return err;
    *out = arena_printf(a, "%lld", (long long)cents);
    return NULL;
}

const char *field_euro(struct arena *a, const char *in, const char **out)
{
    return field_euro_check(NULL, a, in, out);
}
