/* Codice fiscale of persons: parse, compute, omocodia, consistency (see codice_fiscale.h). */
#include "domain/codice_fiscale.h"

#include "domain/checksum.h"
#include "domain/normalize.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const char month_letters[] = "ABCDEHLMPRST";
/* Letter substitutes for 0-9 used by omocodia. */
static const char omocodia_letters[] = "LMNPQRSTUV";
/* 0-based positions of the seven digits, rightmost first: the Agenzia substitutes in that order. */
static const size_t omocodia_pos[CODICE_FISCALE_OMOCODIA_POS] = {14, 13, 12, 10, 9, 7, 6};

static const char *const month_names[12] = {"January",   "February", "March",    "April",
                                            "May",       "June",     "July",     "August",
                                            "September", "October",  "November", "December"};

static bool is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* True for positions that hold a digit (or its omocodia letter). */
static bool is_digit_pos(size_t i)
{
    return (i >= 6 && i <= 7) || (i >= 9 && i <= 10) || (i >= 12 && i <= 14);
}

/* Digit value of a digit or omocodia letter, -1 otherwise. */
static int omocodia_value(char c)
{
    if (is_digit(c)) {
        return c - '0';
    }
    const char *p = c != '\0' ? strchr(omocodia_letters, c) : NULL;
    return p != NULL ? (int)(p - omocodia_letters) : -1;
}

static bool is_leap(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int days_in_month(int year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && is_leap(year) ? 29 : days[month - 1];
}

enum codice_fiscale_err codice_fiscale_parse(const char *in, struct codice_fiscale *out)
{
    char buf[NORMALIZE_MAX_IDENT + 1];
    size_t len;
    size_t bad;

    memset(out, 0, sizeof(*out));
    enum normalize_err nerr = normalize_compact(in, buf, sizeof(buf), &len, &bad);
    out->length = len;
    switch (nerr) {
    case NORMALIZE_OK:
        break;
    case NORMALIZE_EMPTY:
        return CODICE_FISCALE_EMPTY;
    case NORMALIZE_NON_ASCII:
        out->err_pos = bad;
        return CODICE_FISCALE_NON_ASCII;
    case NORMALIZE_CONTROL:
        out->err_pos = bad;
        return CODICE_FISCALE_BAD_CHARACTER;
    case NORMALIZE_TOO_LONG:
        out->length = sizeof(buf);
        return CODICE_FISCALE_WRONG_LENGTH;
    }
    for (size_t i = 0; i < len; i++) {
        if (!is_upper(buf[i]) && !is_digit(buf[i])) {
            out->err_pos = i + 1;
            return CODICE_FISCALE_BAD_CHARACTER;
        }
    }
    if (len != CODICE_FISCALE_LEN) {
        return CODICE_FISCALE_WRONG_LENGTH;
    }
    memcpy(out->normalized, buf, CODICE_FISCALE_LEN + 1);

    /* Shape first, so that the reason names the first character out of place. */
    memcpy(out->canonical, buf, CODICE_FISCALE_LEN + 1);
    for (size_t i = 0; i < CODICE_FISCALE_LEN; i++) {
        if (is_digit_pos(i)) {
            int v = omocodia_value(buf[i]);
            if (v < 0) {
                out->err_pos = i + 1;
                return CODICE_FISCALE_EXPECTED_DIGIT;
            }
            out->canonical[i] = (char)('0' + v);
        } else if (!is_upper(buf[i])) {
            out->err_pos = i + 1;
            return CODICE_FISCALE_EXPECTED_LETTER;
        }
    }
    for (size_t k = 0; k < CODICE_FISCALE_OMOCODIA_POS; k++) {
        if (!is_digit(buf[omocodia_pos[k]])) {
            out->omocodia_mask |= 1u << k;
        }
    }

    const char *c = out->canonical;
    out->year2 = (c[6] - '0') * 10 + (c[7] - '0');
    const char *m = strchr(month_letters, c[8]);
    if (m == NULL) {
        out->err_pos = 9;
        return CODICE_FISCALE_BAD_MONTH;
    }
    out->month = (int)(m - month_letters) + 1;
    int dd = (c[9] - '0') * 10 + (c[10] - '0');
    out->day = dd > 40 ? dd - 40 : dd;
    out->sex = dd > 40 ? 'F' : 'M';
    if (out->day < 1 || out->day > 31) {
        out->err_pos = 10;
        out->day = dd;
        return CODICE_FISCALE_BAD_DAY;
    }
    /* The century is unknown: 29 February is fine when either candidate year is a leap year. */
    int max_day =
        out->month == 2 ? (out->year2 % 4 == 0 ? 29 : 28) : days_in_month(2001, out->month);
    if (out->day > max_day) {
        out->err_pos = 10;
        return CODICE_FISCALE_BAD_DATE;
    }
    memcpy(out->place, c + 11, 4);
    out->place[4] = '\0';

    char check = checksum_odd_even(buf, CODICE_FISCALE_LEN - 1);
    if (check != buf[15]) {
        out->expected_check = check;
        out->err_pos = 16;
        return CODICE_FISCALE_BAD_CHECK;
    }
    /* The plain form carries its own check character, computed over the restored digits. */
    out->canonical[15] = checksum_odd_even(out->canonical, CODICE_FISCALE_LEN - 1);
    return CODICE_FISCALE_OK;
}

/* Upper-case letters of a UTF-8 name with accents folded; everything else is dropped. */
static size_t name_letters(const char *in, char *out, size_t out_size)
{
    char folded[CODICE_FISCALE_NAME_MAX + 1];
    size_t n = 0;
    normalize_fold_ascii(in, folded, sizeof(folded));
    for (size_t i = 0; folded[i] != '\0' && n + 1 < out_size; i++) {
        char ch = folded[i];
        if (ch >= 'a' && ch <= 'z') {
            ch = (char)(ch - 'a' + 'A');
        }
        if (is_upper(ch)) {
            out[n++] = ch;
        }
    }
    out[n] = '\0';
    return n;
}

static bool is_vowel(char c)
{
    return c == 'A' || c == 'E' || c == 'I' || c == 'O' || c == 'U';
}

/*
 * Three letters for a surname or name: consonants, then vowels, then X padding. For names with
 * four or more consonants the 1st, 3rd and 4th consonants are used (is_name).
 */
static bool name_code(const char *in, bool is_name, char *out3)
{
    char letters[CODICE_FISCALE_NAME_MAX + 1];
    char cons[CODICE_FISCALE_NAME_MAX + 1];
    char vow[CODICE_FISCALE_NAME_MAX + 1];
    size_t nc = 0;
    size_t nv = 0;

    size_t n = name_letters(in, letters, sizeof(letters));
    if (n == 0) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (is_vowel(letters[i])) {
            vow[nv++] = letters[i];
        } else {
            cons[nc++] = letters[i];
        }
    }
    if (is_name && nc >= 4) {
        cons[1] = cons[2];
        cons[2] = cons[3];
        nc = 3;
    }
    size_t k = 0;
    for (size_t i = 0; i < nc && k < 3; i++) {
        out3[k++] = cons[i];
    }
    for (size_t i = 0; i < nv && k < 3; i++) {
        out3[k++] = vow[i];
    }
    while (k < 3) {
        out3[k++] = 'X';
    }
    return true;
}

enum codice_fiscale_err codice_fiscale_compute(const struct codice_fiscale_person *p, char *out)
{
    char code[CODICE_FISCALE_LEN + 1];

    out[0] = '\0';
    if (p->surname == NULL || !name_code(p->surname, false, code)) {
        return CODICE_FISCALE_NO_SURNAME;
    }
    if (p->name == NULL || !name_code(p->name, true, code + 3)) {
        return CODICE_FISCALE_NO_NAME;
    }
    if (p->year < CODICE_FISCALE_MIN_YEAR || p->year > CODICE_FISCALE_MAX_YEAR || p->month < 1 ||
        p->month > 12 || p->day < 1 || p->day > days_in_month(p->year, p->month)) {
        return CODICE_FISCALE_BAD_BIRTH_DATE;
    }
    if (p->sex != 'M' && p->sex != 'F') {
        return CODICE_FISCALE_BAD_SEX;
    }
    if (p->place == NULL || strlen(p->place) != 4 || !is_upper(p->place[0]) ||
        !is_digit(p->place[1]) || !is_digit(p->place[2]) || !is_digit(p->place[3])) {
        return CODICE_FISCALE_BAD_PLACE;
    }
    int dd = p->day + (p->sex == 'F' ? 40 : 0);
    code[6] = (char)('0' + (p->year % 100) / 10);
    code[7] = (char)('0' + p->year % 10);
    code[8] = month_letters[p->month - 1];
    code[9] = (char)('0' + dd / 10);
    code[10] = (char)('0' + dd % 10);
    memcpy(code + 11, p->place, 4);
    code[15] = checksum_odd_even(code, CODICE_FISCALE_LEN - 1);
    code[16] = '\0';
    memcpy(out, code, sizeof(code));
    return CODICE_FISCALE_OK;
}

enum codice_fiscale_err codice_fiscale_check_person(const char *code,
                                                    const struct codice_fiscale_person *p,
                                                    unsigned *mismatch)
{
    struct codice_fiscale cf;
    char expected[CODICE_FISCALE_LEN + 1];

    *mismatch = 0;
    enum codice_fiscale_err err = codice_fiscale_parse(code, &cf);
    if (err != CODICE_FISCALE_OK) {
        return err;
    }
    err = codice_fiscale_compute(p, expected);
    if (err != CODICE_FISCALE_OK) {
        return err;
    }
    /* Compare field by field on the plain form, so omocodic variants fit their person. */
    const char *got = cf.canonical;
    if (memcmp(got, expected, 3) != 0) {
        *mismatch |= CODICE_FISCALE_FIELD_SURNAME;
    }
    if (memcmp(got + 3, expected + 3, 3) != 0) {
        *mismatch |= CODICE_FISCALE_FIELD_NAME;
    }
    if (memcmp(got + 6, expected + 6, 3) != 0 || cf.day != p->day) {
        *mismatch |= CODICE_FISCALE_FIELD_BIRTH_DATE;
    }
    if (cf.sex != p->sex) {
        *mismatch |= CODICE_FISCALE_FIELD_SEX;
    }
    if (memcmp(got + 11, expected + 11, 4) != 0) {
        *mismatch |= CODICE_FISCALE_FIELD_PLACE;
    }
    return CODICE_FISCALE_OK;
}

void codice_fiscale_variant(const char *canonical, unsigned mask, char *out)
{
    memcpy(out, canonical, CODICE_FISCALE_LEN);
    out[CODICE_FISCALE_LEN] = '\0';
    for (size_t k = 0; k < CODICE_FISCALE_OMOCODIA_POS; k++) {
        size_t i = omocodia_pos[k];
        if ((mask & (1u << k)) != 0 && is_digit(out[i])) {
            out[i] = omocodia_letters[out[i] - '0'];
        }
    }
    out[15] = checksum_odd_even(out, CODICE_FISCALE_LEN - 1);
}

int codice_fiscale_birth_year(int year2, int current_year)
{
    int y = 2000 + year2;
    return y <= current_year ? y : 1900 + year2;
}

const char *codice_fiscale_field_name(unsigned field)
{
    switch (field) {
    case CODICE_FISCALE_FIELD_SURNAME:
        return "surname";
    case CODICE_FISCALE_FIELD_NAME:
        return "name";
    case CODICE_FISCALE_FIELD_BIRTH_DATE:
        return "birth date";
    case CODICE_FISCALE_FIELD_SEX:
        return "sex";
    case CODICE_FISCALE_FIELD_PLACE:
        return "place of birth";
    default:
        return "";
    }
}

const char *codice_fiscale_strerror(enum codice_fiscale_err err)
{
    switch (err) {
    case CODICE_FISCALE_OK:
        return "ok";
    case CODICE_FISCALE_EMPTY:
        return "the codice fiscale is empty";
    case CODICE_FISCALE_NON_ASCII:
        return "the codice fiscale contains a non-ASCII character";
    case CODICE_FISCALE_BAD_CHARACTER:
        return "the codice fiscale contains a character that is neither a letter nor a digit";
    case CODICE_FISCALE_WRONG_LENGTH:
        return "a codice fiscale has 16 characters";
    case CODICE_FISCALE_EXPECTED_LETTER:
        return "a letter was expected";
    case CODICE_FISCALE_EXPECTED_DIGIT:
        return "a digit was expected";
    case CODICE_FISCALE_BAD_MONTH:
        return "the month letter is not one of A B C D E H L M P R S T";
    case CODICE_FISCALE_BAD_DAY:
        return "the day must be 01-31 for men or 41-71 for women";
    case CODICE_FISCALE_BAD_DATE:
        return "the birth date does not exist";
    case CODICE_FISCALE_BAD_CHECK:
        return "the check character is wrong";
    case CODICE_FISCALE_NO_SURNAME:
        return "the surname has no letters";
    case CODICE_FISCALE_NO_NAME:
        return "the name has no letters";
    case CODICE_FISCALE_BAD_BIRTH_DATE:
        return "the birth date is not a valid date";
    case CODICE_FISCALE_BAD_SEX:
        return "the sex must be M or F";
    case CODICE_FISCALE_BAD_PLACE:
        return "the place code must be a letter followed by three digits";
    }
    return "unknown error";
}

void codice_fiscale_describe(enum codice_fiscale_err err, const struct codice_fiscale *cf,
                             char *out, size_t out_size)
{
    if (cf == NULL) {
        snprintf(out, out_size, "%s", codice_fiscale_strerror(err));
        return;
    }
    switch (err) {
    case CODICE_FISCALE_NON_ASCII:
    case CODICE_FISCALE_BAD_CHARACTER:
        snprintf(out, out_size, "%s (position %zu)", codice_fiscale_strerror(err), cf->err_pos);
        break;
    case CODICE_FISCALE_WRONG_LENGTH:
        if (cf->length > NORMALIZE_MAX_IDENT) {
            snprintf(out, out_size, "too long: a codice fiscale has 16 characters");
        } else {
            snprintf(out, out_size, "wrong length: %zu characters, a codice fiscale has 16",
                     cf->length);
        }
        break;
    case CODICE_FISCALE_EXPECTED_LETTER:
        snprintf(out, out_size, "character %zu should be a letter", cf->err_pos);
        break;
    case CODICE_FISCALE_EXPECTED_DIGIT:
        snprintf(out, out_size, "character %zu should be a digit", cf->err_pos);
        break;
    case CODICE_FISCALE_BAD_MONTH:
        snprintf(out, out_size, "'%c' is not a month letter (A B C D E H L M P R S T)",
                 cf->normalized[8]);
        break;
    case CODICE_FISCALE_BAD_DAY:
        snprintf(out, out_size, "day %02d is not valid: 01-31 for men, 41-71 for women", cf->day);
        break;
    case CODICE_FISCALE_BAD_DATE:
        snprintf(out, out_size, "%d %s does not exist", cf->day, month_names[cf->month - 1]);
        break;
    case CODICE_FISCALE_BAD_CHECK:
        snprintf(out, out_size, "wrong check character: '%c' where '%c' was expected",
                 cf->normalized[15], cf->expected_check);
        break;
    default:
        snprintf(out, out_size, "%s", codice_fiscale_strerror(err));
        break;
    }
}
