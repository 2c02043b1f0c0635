/*
 * refettorio check: the domain rules on the command line, for scripts and tests. Every run
 * prints one JSON object on stdout: {"valid":true,"normalized":...,<decoded parts>} or
 * {"valid":false,"error":"<plain English reason>"}; exit status 0 when valid, 1 when not, 2 on a
 * usage error (usage on stderr, nothing on stdout).
 */
#include "cli/cli.h"

#include "domain/cf11.h"
#include "domain/codice_fiscale.h"
#include "domain/creditor_id.h"
#include "domain/email.h"
#include "domain/iban.h"
#include "domain/mobile.h"
#include "domain/money.h"
#include "domain/pagopa_notice.h"
#include "domain/places.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHECK_MAX_OPTS   8
#define CHECK_REASON_MAX 160

enum check_exit { CHECK_VALID = 0, CHECK_INVALID = 1, CHECK_USAGE = 2 };

static const char check_usage[] =
    "usage: refettorio check KIND VALUE\n"
    "       KIND: cf cf11 iban creditor-id email mobile notice money place\n"
    "       refettorio check cf [VALUE] --surname S --name N --birth YYYY-MM-DD --sex M|F "
    "--place CODE\n"
    "           (without VALUE: compute the code; with VALUE: check it against the data)\n"
    "       refettorio check creditor-id --id CF [--business-code ZZZ] [--country IT]\n"
    "       refettorio check notice --segregation NN --base NNNNNNNNNNNNN\n"
    "       refettorio check qr --notice N --ente CF --cents C\n"
    "       refettorio check datamatrix --notice N --account CC --cents C --ente CF "
    "--debtor CF --name NAME --subject TEXT\n"
    "       refettorio check vat --gross CENTS|--net CENTS --rate PERCENT\n"
    "Prints one JSON object; exit 0 valid, 1 invalid, 2 usage error.\n";

/* Parsed command line of one kind: an optional positional value and --key value pairs. */
struct check_args {
    const char *value;
    size_t nopts;
    const char *keys[CHECK_MAX_OPTS];
    const char *vals[CHECK_MAX_OPTS];
};

static int check_usage_error(const char *why)
{
    if (why != NULL) {
        fprintf(stderr, "refettorio check: %s\n", why);
    }
    fputs(check_usage, stderr);
    return CHECK_USAGE;
}

/* allowed: NULL-terminated option names without dashes. Returns false on a usage error. */
static bool check_parse_args(int argc, char **argv, const char *const *allowed,
                             struct check_args *a, const char **why)
{
    memset(a, 0, sizeof(*a));
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        if (strncmp(arg, "--", 2) != 0) {
            if (a->value != NULL) {
                *why = "more than one value given";
                return false;
            }
            a->value = arg;
            continue;
        }
        const char *key = arg + 2;
        const char *eq = strchr(key, '=');
        size_t klen = eq != NULL ? (size_t)(eq - key) : strlen(key);
        const char *val;
        if (eq != NULL) {
            val = eq + 1;
        } else if (i + 1 < argc) {
            val = argv[++i];
        } else {
            *why = "an option is missing its value";
            return false;
        }
        const char *name = NULL;
        for (size_t k = 0; allowed[k] != NULL; k++) {
            if (strlen(allowed[k]) == klen && strncmp(allowed[k], key, klen) == 0) {
                name = allowed[k];
            }
        }
        if (name == NULL) {
            *why = "unknown option";
            return false;
        }
        for (size_t k = 0; k < a->nopts; k++) {
            if (a->keys[k] == name) {
                *why = "an option is given twice";
                return false;
            }
        }
        if (a->nopts == CHECK_MAX_OPTS) {
            *why = "too many options";
            return false;
        }
        a->keys[a->nopts] = name;
        a->vals[a->nopts] = val;
        a->nopts++;
    }
    return true;
}

static const char *check_opt(const struct check_args *a, const char *name)
{
    for (size_t k = 0; k < a->nopts; k++) {
        if (strcmp(a->keys[k], name) == 0) {
            return a->vals[k];
        }
    }
    return NULL;
}

/* Strict decimal integer (optional sign), the whole string. */
static bool check_parse_int64(const char *s, int64_t *out)
{
    char *end;
    if (s == NULL || *s == '\0') {
        return false;
    }
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0' || end == s) {
        return false;
    }
    *out = (int64_t)v;
    return true;
}

static int check_emit(json_t *obj, bool valid)
{
    json_object_set_new(obj, "valid", json_boolean(valid));
    char *text = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(obj);
    if (text == NULL) {
        fputs("refettorio check: out of memory\n", stderr);
        return CHECK_INVALID;
    }
    printf("%s\n", text);
    free(text);
    fflush(stdout);
    return valid ? CHECK_VALID : CHECK_INVALID;
}

/* {"valid":false,"error":reason}; "valid" first, as in every other answer. */
static int check_invalid(const char *reason)
{
    json_t *o = json_object();
    json_object_set_new(o, "valid", json_false());
    json_object_set_new(o, "error", json_string(reason));
    return check_emit(o, false);
}

static json_t *check_new_valid(void)
{
    json_t *o = json_object();
    json_object_set_new(o, "valid", json_true());
    return o;
}

/* Place code details; an unknown but well-formed code is reported, never an error. */
static void check_add_place(json_t *o, const char *code)
{
    const struct place *p = places_find(code);
    json_object_set_new(o, "place_code", json_string(code));
    json_object_set_new(o, "foreign", json_boolean(places_is_foreign(code)));
    if (p == NULL) {
        json_object_set_new(o, "place_known", json_false());
        json_object_set_new(o, "warning", json_string("unknown place"));
        return;
    }
    json_object_set_new(o, "place_known", json_true());
    json_object_set_new(o, "place", json_string(p->name));
    if (!places_is_foreign(code)) {
        json_object_set_new(o, "province", json_string(p->province));
    }
    json_object_set_new(o, "place_ceased", json_boolean(p->ceased != 0));
}

static int check_current_year(void)
{
    time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm) == NULL) {
        return 2000;
    }
    return tm.tm_year + 1900;
}

static json_t *check_cf_json(const struct codice_fiscale *cf)
{
    char date[16];
    json_t *o = check_new_valid();
    int year = codice_fiscale_birth_year(cf->year2, check_current_year());
    snprintf(date, sizeof(date), "%04d-%02d-%02d", year, cf->month, cf->day);
    json_object_set_new(o, "normalized", json_string(cf->normalized));
    json_object_set_new(o, "omocodic", json_boolean(cf->omocodia_mask != 0));
    if (cf->omocodia_mask != 0) {
        json_object_set_new(o, "canonical", json_string(cf->canonical));
    }
    json_object_set_new(o, "birth_date", json_string(date));
    json_object_set_new(o, "sex", json_stringn(&cf->sex, 1));
    check_add_place(o, cf->place);
    return o;
}

static bool check_parse_date(const char *s, int *y, int *m, int *d)
{
    if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-') {
        return false;
    }
    for (size_t i = 0; i < 10; i++) {
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) {
            return false;
        }
    }
    *y = atoi(s);
    *m = atoi(s + 5);
    *d = atoi(s + 8);
    return true;
}

static int check_cf(int argc, char **argv)
{
    static const char *const allowed[] = {"surname", "name", "birth", "sex", "place", NULL};
    struct check_args a;
    const char *why = NULL;
    char reason[CHECK_REASON_MAX];
    struct codice_fiscale cf;

    if (!check_parse_args(argc, argv, allowed, &a, &why)) {
        return check_usage_error(why);
    }
    if (a.nopts == 0) {
        if (a.value == NULL) {
            return check_usage_error("missing value");
        }
        enum codice_fiscale_err err = codice_fiscale_parse(a.value, &cf);
        if (err != CODICE_FISCALE_OK) {
            codice_fiscale_describe(err, &cf, reason, sizeof(reason));
            return check_invalid(reason);
        }
        return check_emit(check_cf_json(&cf), true);
    }

    struct codice_fiscale_person p = {0};
    const char *birth = check_opt(&a, "birth");
    const char *sex = check_opt(&a, "sex");
    p.surname = check_opt(&a, "surname");
    p.name = check_opt(&a, "name");
    p.place = check_opt(&a, "place");
    if (p.surname == NULL || p.name == NULL || birth == NULL || sex == NULL || p.place == NULL) {
        return check_usage_error("--surname, --name, --birth, --sex and --place go together");
    }
    if (!check_parse_date(birth, &p.year, &p.month, &p.day)) {
        return check_invalid("the birth date must be written YYYY-MM-DD");
    }
    p.sex = (sex[0] == 'M' || sex[0] == 'F') && sex[1] == '\0' ? sex[0] : '?';

    if (a.value == NULL) {
        char code[CODICE_FISCALE_LEN + 1];
        enum codice_fiscale_err err = codice_fiscale_compute(&p, code);
        if (err != CODICE_FISCALE_OK) {
            return check_invalid(codice_fiscale_strerror(err));
        }
        codice_fiscale_parse(code, &cf);
        return check_emit(check_cf_json(&cf), true);
    }

    unsigned mismatch;
    enum codice_fiscale_err err = codice_fiscale_check_person(a.value, &p, &mismatch);
    if (err != CODICE_FISCALE_OK) {
        codice_fiscale_parse(a.value, &cf);
        codice_fiscale_describe(err, &cf, reason, sizeof(reason));
        return check_invalid(reason);
    }
    if (mismatch == 0) {
        codice_fiscale_parse(a.value, &cf);
        json_t *o = check_cf_json(&cf);
        json_object_set_new(o, "matches", json_true());
        return check_emit(o, true);
    }
    json_t *o = json_object();
    json_t *fields = json_array();
    size_t n = 0;
    for (unsigned bit = 1; bit <= CODICE_FISCALE_FIELD_PLACE; bit <<= 1) {
        if ((mismatch & bit) != 0) {
            const char *field = codice_fiscale_field_name(bit);
            json_array_append_new(fields, json_string(field));
            if (n++ == 0) {
                snprintf(reason, sizeof(reason), "the %s does not match the codice fiscale", field);
            }
        }
    }
    json_object_set_new(o, "valid", json_false());
    json_object_set_new(o, "error", json_string(reason));
    json_object_set_new(o, "mismatch", fields);
    return check_emit(o, false);
}

/* Kinds that take exactly one value and no options. */
static bool check_single_value(int argc, char **argv, const char **value, int *status)
{
    static const char *const none[] = {NULL};
    struct check_args a;
    const char *why = NULL;
    if (!check_parse_args(argc, argv, none, &a, &why)) {
        *status = check_usage_error(why);
        return false;
    }
    if (a.value == NULL) {
        *status = check_usage_error("missing value");
        return false;
    }
    *value = a.value;
    return true;
}

static int check_cf11(int argc, char **argv)
{
    const char *value;
    int status;
    struct cf11 v;
    char reason[CHECK_REASON_MAX];
    if (!check_single_value(argc, argv, &value, &status)) {
        return status;
    }
    enum cf11_err err = cf11_parse(value, &v);
    if (err != CF11_OK) {
        cf11_describe(err, &v, reason, sizeof(reason));
        return check_invalid(reason);
    }
    json_t *o = check_new_valid();
    json_object_set_new(o, "normalized", json_string(v.normalized));
    return check_emit(o, true);
}

static int check_iban(int argc, char **argv)
{
    const char *value;
    int status;
    struct iban v;
    char reason[CHECK_REASON_MAX];
    if (!check_single_value(argc, argv, &value, &status)) {
        return status;
    }
    enum iban_err err = iban_parse(value, &v);
    if (err != IBAN_OK) {
        iban_describe(err, &v, reason, sizeof(reason));
        return check_invalid(reason);
    }
    json_t *o = check_new_valid();
    json_object_set_new(o, "normalized", json_string(v.normalized));
    json_object_set_new(o, "formatted", json_string(v.formatted));
    json_object_set_new(o, "country", json_string(v.country));
    json_object_set_new(o, "check_digits", json_string(v.check));
    json_object_set_new(o, "bban", json_string(v.bban));
    json_object_set_new(o, "sepa", json_boolean(v.sepa));
    if (v.cin != '\0') {
        json_object_set_new(o, "cin", json_stringn(&v.cin, 1));
        json_object_set_new(o, "abi", json_string(v.abi));
        json_object_set_new(o, "cab", json_string(v.cab));
        json_object_set_new(o, "account", json_string(v.account));
    }
    return check_emit(o, true);
}

static int check_creditor_id(int argc, char **argv)
{
    static const char *const allowed[] = {"id", "business-code", "country", NULL};
    struct check_args a;
    const char *why = NULL;
    struct creditor_id v;
    char reason[CHECK_REASON_MAX];
    char made[CREDITOR_ID_MAX_LEN + 1];

    if (!check_parse_args(argc, argv, allowed, &a, &why)) {
        return check_usage_error(why);
    }
    const char *value = a.value;
    if (a.nopts > 0) {
        const char *id = check_opt(&a, "id");
        const char *country = check_opt(&a, "country");
        if (value != NULL || id == NULL) {
            return check_usage_error("give either a VALUE or --id");
        }
        enum creditor_id_err err = creditor_id_make(country != NULL ? country : "IT",
                                                    check_opt(&a, "business-code"), id, made);
        if (err != CREDITOR_ID_OK) {
            return check_invalid(creditor_id_strerror(err));
        }
        value = made;
    }
    if (value == NULL) {
        return check_usage_error("missing value");
    }
    enum creditor_id_err err = creditor_id_parse(value, &v);
    if (err != CREDITOR_ID_OK) {
        creditor_id_describe(err, &v, reason, sizeof(reason));
        return check_invalid(reason);
    }
    json_t *o = check_new_valid();
    json_object_set_new(o, "normalized", json_string(v.normalized));
    json_object_set_new(o, "country", json_string(v.country));
    json_object_set_new(o, "check_digits", json_string(v.check));
    json_object_set_new(o, "business_code", json_string(v.business_code));
    json_object_set_new(o, "national_id", json_string(v.national_id));
    return check_emit(o, true);
}

static int check_email(int argc, char **argv)
{
    const char *value;
    int status;
    struct email v;
    char reason[CHECK_REASON_MAX];
    if (!check_single_value(argc, argv, &value, &status)) {
        return status;
    }
    enum email_err err = email_parse(value, &v);
    if (err != EMAIL_OK) {
        email_describe(err, &v, reason, sizeof(reason));
        return check_invalid(reason);
    }
    json_t *o = check_new_valid();
    json_object_set_new(o, "normalized", json_string(v.normalized));
    return check_emit(o, true);
}

static int check_mobile(int argc, char **argv)
{
    const char *value;
    int status;
    struct mobile v;
    char reason[CHECK_REASON_MAX];
    if (!check_single_value(argc, argv, &value, &status)) {
        return status;
    }
    enum mobile_err err = mobile_parse(value, &v);
    if (err != MOBILE_OK) {
        mobile_describe(err, &v, reason, sizeof(reason));
        return check_invalid(reason);
    }
    json_t *o = check_new_valid();
    json_object_set_new(o, "normalized", json_string(v.e164));
    json_object_set_new(o, "national", json_string(v.national));
    return check_emit(o, true);
}

static int check_notice_json(const char *value)
{
    struct pagopa_notice v;
    char reason[CHECK_REASON_MAX];
    enum pagopa_notice_err err = pagopa_notice_parse(value, &v);
    if (err != PAGOPA_NOTICE_OK) {
        pagopa_notice_describe(err, &v, reason, sizeof(reason));
        return check_invalid(reason);
    }
    json_t *o = check_new_valid();
    json_object_set_new(o, "normalized", json_string(v.normalized));
    json_object_set_new(o, "formatted", json_string(v.formatted));
    json_object_set_new(o, "aux_digit", json_integer(v.aux));
    if (v.aux == 3) {
        json_object_set_new(o, "segregation_code", json_string(v.segregation));
    }
    if (v.aux == 0) {
        json_object_set_new(o, "application_code", json_string(v.application_code));
    }
    json_object_set_new(o, "iuv", json_string(v.iuv));
    if (v.check[0] != '\0') {
        json_object_set_new(o, "check_digits", json_string(v.check));
    }
    json_object_set_new(o, "deprecated", json_boolean(v.deprecated != 0));
    return check_emit(o, true);
}

static int check_notice(int argc, char **argv)
{
    static const char *const allowed[] = {"segregation", "base", NULL};
    struct check_args a;
    const char *why = NULL;
    char made[PAGOPA_NOTICE_LEN + 1];

    if (!check_parse_args(argc, argv, allowed, &a, &why)) {
        return check_usage_error(why);
    }
    if (a.nopts == 0) {
        if (a.value == NULL) {
            return check_usage_error("missing value");
        }
        return check_notice_json(a.value);
    }
    const char *seg = check_opt(&a, "segregation");
    const char *base = check_opt(&a, "base");
    if (a.value != NULL || seg == NULL || base == NULL) {
        return check_usage_error("--segregation and --base go together, without a VALUE");
    }
    int64_t s;
    if (strlen(seg) != 2 || !check_parse_int64(seg, &s) || s < 0) {
        return check_invalid(pagopa_notice_strerror(PAGOPA_NOTICE_BAD_SEGREGATION));
    }
    enum pagopa_notice_err err = pagopa_notice_make((int)s, base, made);
    if (err != PAGOPA_NOTICE_OK) {
        return check_invalid(pagopa_notice_strerror(err));
    }
    return check_notice_json(made);
}

static int check_qr(int argc, char **argv)
{
    static const char *const allowed[] = {"notice", "ente", "cents", NULL};
    struct check_args a;
    const char *why = NULL;
    char payload[PAGOPA_QR_SIZE];
    int64_t cents;

    if (!check_parse_args(argc, argv, allowed, &a, &why)) {
        return check_usage_error(why);
    }
    const char *notice = check_opt(&a, "notice");
    const char *ente = check_opt(&a, "ente");
    const char *c = check_opt(&a, "cents");
    if (a.value != NULL || notice == NULL || ente == NULL || c == NULL) {
        return check_usage_error("qr needs --notice, --ente and --cents");
    }
    if (!check_parse_int64(c, &cents)) {
        return check_invalid("the amount must be a whole number of cents");
    }
    enum pagopa_notice_err err = pagopa_notice_qr(notice, ente, cents, payload);
    if (err != PAGOPA_NOTICE_OK) {
        return check_invalid(pagopa_notice_strerror(err));
    }
    json_t *o = check_new_valid();
    json_object_set_new(o, "payload", json_string(payload));
    return check_emit(o, true);
}

static int check_datamatrix(int argc, char **argv)
{
    static const char *const allowed[] = {"notice", "account", "cents",   "ente",
                                          "debtor", "name",    "subject", NULL};
    struct check_args a;
    const char *why = NULL;
    char payload[PAGOPA_DATAMATRIX_LEN + 1];
    struct pagopa_datamatrix dm = {0};

    if (!check_parse_args(argc, argv, allowed, &a, &why)) {
        return check_usage_error(why);
    }
    const char *c = check_opt(&a, "cents");
    dm.notice = check_opt(&a, "notice");
    dm.postal_account = check_opt(&a, "account");
    dm.ente_cf = check_opt(&a, "ente");
    dm.debtor_id = check_opt(&a, "debtor");
    dm.debtor_name = check_opt(&a, "name");
    dm.subject = check_opt(&a, "subject");
    if (a.value != NULL || c == NULL || dm.notice == NULL || dm.postal_account == NULL ||
        dm.ente_cf == NULL || dm.debtor_id == NULL || dm.debtor_name == NULL ||
        dm.subject == NULL) {
        return check_usage_error("datamatrix needs every option");
    }
    if (!check_parse_int64(c, &dm.cents)) {
        return check_invalid("the amount must be a whole number of cents");
    }
    enum pagopa_notice_err err = pagopa_notice_datamatrix(&dm, payload);
    if (err != PAGOPA_NOTICE_OK) {
        return check_invalid(pagopa_notice_strerror(err));
    }
    json_t *o = check_new_valid();
    json_object_set_new(o, "payload", json_string(payload));
    json_object_set_new(o, "length", json_integer(PAGOPA_DATAMATRIX_LEN));
    return check_emit(o, true);
}

static void check_add_money(json_t *o, const char *key, int64_t cents)
{
    char text[MONEY_TEXT_SIZE];
    char key_text[32];
    money_format(cents, text);
    snprintf(key_text, sizeof(key_text), "%s_text", key);
    json_object_set_new(o, key, json_integer(cents));
    json_object_set_new(o, key_text, json_string(text));
}

static int check_vat(int argc, char **argv)
{
    static const char *const allowed[] = {"gross", "net", "rate", NULL};
    struct check_args a;
    const char *why = NULL;
    int64_t amount;
    int64_t gross;
    int64_t net;
    int64_t vat;
    int rate;
    char rate_text[16];

    if (!check_parse_args(argc, argv, allowed, &a, &why)) {
        return check_usage_error(why);
    }
    const char *g = check_opt(&a, "gross");
    const char *n = check_opt(&a, "net");
    const char *r = check_opt(&a, "rate");
    if (a.value != NULL || r == NULL || (g == NULL) == (n == NULL)) {
        return check_usage_error("vat needs --rate and one of --gross or --net");
    }
    if (!check_parse_int64(g != NULL ? g : n, &amount)) {
        return check_invalid("the amount must be a whole number of cents");
    }
    enum money_err err = money_parse_rate(r, &rate);
    if (err != MONEY_OK) {
        return check_invalid(err == MONEY_BAD_RATE ? money_strerror(err)
                                                   : "the VAT rate must be a percentage like 4 "
                                                     "or 5,5");
    }
    if (g != NULL) {
        gross = amount;
        err = money_vat_split(gross, rate, &net, &vat);
    } else {
        net = amount;
        err = money_vat_gross(net, rate, &gross, &vat);
    }
    if (err != MONEY_OK) {
        return check_invalid(money_strerror(err));
    }
    money_format_rate(rate, rate_text);
    json_t *o = check_new_valid();
    json_object_set_new(o, "rate", json_string(rate_text));
    check_add_money(o, "gross", gross);
    check_add_money(o, "net", net);
    check_add_money(o, "vat", vat);
    return check_emit(o, true);
}

static int check_money(int argc, char **argv)
{
    const char *value;
    int status;
    int64_t cents;
    size_t pos;
    char reason[CHECK_REASON_MAX];
    if (!check_single_value(argc, argv, &value, &status)) {
        return status;
    }
    enum money_err err = money_parse(value, &cents, &pos);
    if (err != MONEY_OK) {
        if (pos > 0) {
            snprintf(reason, sizeof(reason), "%s (position %zu)", money_strerror(err), pos);
        } else {
            snprintf(reason, sizeof(reason), "%s", money_strerror(err));
        }
        return check_invalid(reason);
    }
    char plain[MONEY_TEXT_SIZE];
    money_format_plain(cents, plain);
    json_t *o = check_new_valid();
    json_object_set_new(o, "normalized", json_string(plain));
    check_add_money(o, "cents", cents);
    return check_emit(o, true);
}

static int check_place(int argc, char **argv)
{
    const char *value;
    int status;
    if (!check_single_value(argc, argv, &value, &status)) {
        return status;
    }
    if (!places_is_well_formed(value)) {
        return check_invalid("a place code is a capital letter followed by three digits");
    }
    json_t *o = check_new_valid();
    json_object_set_new(o, "normalized", json_string(value));
    check_add_place(o, value);
    const struct place *first;
    size_t n = places_find_all(value, &first);
    json_t *names = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(names, json_string(first[i].name));
    }
    json_object_set_new(o, "names", names);
    return check_emit(o, true);
}

static const struct {
    const char *kind;
    int (*run)(int argc, char **argv);
} check_kinds[] = {
    {"cf", check_cf},
    {"cf11", check_cf11},
    {"iban", check_iban},
    {"creditor-id", check_creditor_id},
    {"email", check_email},
    {"mobile", check_mobile},
    {"notice", check_notice},
    {"qr", check_qr},
    {"datamatrix", check_datamatrix},
    {"vat", check_vat},
    {"money", check_money},
    {"place", check_place},
};

int cli_check(int argc, char **argv)
{
    if (argc < 2) {
        return check_usage_error(NULL);
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        fputs(check_usage, stdout);
        return CHECK_VALID;
    }
    for (size_t i = 0; i < sizeof(check_kinds) / sizeof(check_kinds[0]); i++) {
        if (strcmp(argv[1], check_kinds[i].kind) == 0) {
            return check_kinds[i].run(argc, argv);
        }
    }
    return check_usage_error("unknown kind");
}
