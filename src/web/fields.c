#include "web/fields.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "domain/money.h"
#include "util/msg.h"
#include "util/text.h"
#include "util/time.h"
#include "web/i18n.h"

/* "YYYY-MM" in shape: seven characters, digits around a dash. */
static bool field_is_ym(const char *s)
{
    if (strlen(s) != 7 || s[4] != '-')
        return false;
    for (int i = 0; i < 7; i++)
        if (i != 4 && (s[i] < '0' || s[i] > '9'))
            return false;
    return true;
}

const char *field_month(struct arena *a, const char *in, const char **out)
{
    const char *iso = in;
    if (strlen(in) == 7 && in[2] == '/')
        iso = arena_printf(a, "%.4s-%.2s", in + 3, in);
    if (!field_is_ym(iso))
        return N_("Enter a month like 2026-09.");
    int y = atoi(iso), m = atoi(iso + 5);
    if (m < 1 || m > 12 || y < FIELD_MONTH_YEAR_MIN || y > FIELD_MONTH_YEAR_MAX)
        return N_("Enter a month like 2026-09.");
    *out = iso == in ? in : iso;
    return NULL;
}

const char *field_month_label(struct arena *a, const char *lang, int year, int month)
{
    static const char *const names[] = {
        N_("January"),   N_("February"), N_("March"),    N_("April"),
        N_("May"),       N_("June"),     N_("July"),     N_("August"),
        N_("September"), N_("October"),  N_("November"), N_("December"),
    };
    if (month < 1 || month > 12)
        return arena_printf(a, "%02d/%d", month, year);
    return arena_printf(a, "%s %d", tr(lang, names[month - 1]), year);
}

const char *field_month_label_ym(struct arena *a, const char *lang, const char *ym)
{
    if (!ym || !field_is_ym(ym))
        return ym ? ym : "";
    return field_month_label(a, lang, atoi(ym), atoi(ym + 5));
}

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
