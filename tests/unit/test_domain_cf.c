/* Codice fiscale of persons and Belfiore place lookup (src/domain/codice_fiscale.h, places.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "domain/checksum.h"
#include "domain/codice_fiscale.h"
#include "domain/places.h"

#include <stdio.h>
#include <string.h>

/* Deterministic generator so that a failing property names a reproducible seed. */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint32_t rng_next(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

static void assert_parse_ok(const char *code)
{
    struct codice_fiscale cf;
    enum codice_fiscale_err err = codice_fiscale_parse(code, &cf);
    if (err != CODICE_FISCALE_OK) {
        fail_msg("%s: %s", code, codice_fiscale_strerror(err));
    }
}

static void test_public_vectors(void **state)
{
    static const char *const valid[] = {"RCCMNL83S18D969H", "CNTCHR83T41D969D", "RSSMRA75C22H501I",
                                        "BNRMHL75C06G702B", "MNDLCU98T68C933T", "FLPCPT69A65Z336P",
                                        "RSSMRA75C22H50MA", "RSSMRA75C22H5LML", "BSCMTT83A12L719R"};
    for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
        assert_parse_ok(valid[i]);
    }
    assert_int_equal(checksum_odd_even("RCCMNL83S18D969", 15), 'H');

    struct codice_fiscale cf;
    assert_int_equal(codice_fiscale_parse("RCCMNL83S18D969", &cf), CODICE_FISCALE_WRONG_LENGTH);
    assert_int_equal(cf.length, 15);
}

static void test_decode(void **state)
{
    struct codice_fiscale cf;
    assert_int_equal(codice_fiscale_parse("RCCMNL83S18D969H", &cf), CODICE_FISCALE_OK);
    assert_int_equal(cf.year2, 83);
    assert_int_equal(cf.month, 11);
    assert_int_equal(cf.day, 18);
    assert_int_equal(cf.sex, 'M');
    assert_string_equal(cf.place, "D969");
    assert_int_equal(cf.omocodia_mask, 0);

    assert_int_equal(codice_fiscale_parse("CNTCHR83T41D969D", &cf), CODICE_FISCALE_OK);
    assert_int_equal(cf.day, 1);
    assert_int_equal(cf.month, 12);
    assert_int_equal(cf.sex, 'F');

    assert_int_equal(codice_fiscale_parse("FLPCPT69A65Z336P", &cf), CODICE_FISCALE_OK);
    assert_string_equal(cf.place, "Z336");
    assert_int_equal(cf.day, 25);
    assert_int_equal(cf.sex, 'F');

    assert_int_equal(codice_fiscale_birth_year(83, 2025), 1983);
    assert_int_equal(codice_fiscale_birth_year(19, 2025), 2019);
    assert_int_equal(codice_fiscale_birth_year(25, 2025), 2025);
    assert_int_equal(codice_fiscale_birth_year(26, 2025), 1926);
}

static void test_normalisation(void **state)
{
    struct codice_fiscale cf;
    assert_int_equal(codice_fiscale_parse("  rssmra 75c22 h501i ", &cf), CODICE_FISCALE_OK);
    assert_string_equal(cf.normalized, "RSSMRA75C22H501I");
    assert_int_equal(codice_fiscale_parse("RSSMRA75C22H501I\t", &cf), CODICE_FISCALE_OK);
}

static void test_omocodia_examples(void **state)
{
    struct codice_fiscale cf;
    assert_int_equal(codice_fiscale_parse("RSSMRA75C22H50MA", &cf), CODICE_FISCALE_OK);
    assert_string_equal(cf.canonical, "RSSMRA75C22H501I");
    assert_int_equal(cf.omocodia_mask, 1);
    assert_string_equal(cf.place, "H501");

    assert_int_equal(codice_fiscale_parse("RSSMRA75C22H5LML", &cf), CODICE_FISCALE_OK);
    assert_string_equal(cf.canonical, "RSSMRA75C22H501I");
    assert_int_equal(cf.omocodia_mask, 3);

    char v[CODICE_FISCALE_LEN + 1];
    codice_fiscale_variant("RSSMRA75C22H501I", 1, v);
    assert_string_equal(v, "RSSMRA75C22H50MA");
    codice_fiscale_variant("RSSMRA75C22H501I", 3, v);
    assert_string_equal(v, "RSSMRA75C22H5LML");
    codice_fiscale_variant("RSSMRA75C22H501I", 0, v);
    assert_string_equal(v, "RSSMRA75C22H501I");
}

/* All 128 variants are distinct, valid, and decode to the same person and canonical code. */
static void check_all_variants(const char *canonical)
{
    struct codice_fiscale base;
    assert_int_equal(codice_fiscale_parse(canonical, &base), CODICE_FISCALE_OK);
    char seen[CODICE_FISCALE_VARIANTS][CODICE_FISCALE_LEN + 1];
    for (unsigned mask = 0; mask < CODICE_FISCALE_VARIANTS; mask++) {
        struct codice_fiscale cf;
        codice_fiscale_variant(canonical, mask, seen[mask]);
        assert_int_equal(codice_fiscale_parse(seen[mask], &cf), CODICE_FISCALE_OK);
        assert_string_equal(cf.canonical, canonical);
        assert_int_equal(cf.omocodia_mask, mask);
        assert_int_equal(cf.year2, base.year2);
        assert_int_equal(cf.month, base.month);
        assert_int_equal(cf.day, base.day);
        assert_int_equal(cf.sex, base.sex);
        assert_string_equal(cf.place, base.place);
        for (unsigned k = 0; k < mask; k++) {
            assert_string_not_equal(seen[k], seen[mask]);
        }
    }
}

static void test_omocodia_all_128(void **state)
{
    check_all_variants("RSSMRA75C22H501I");
    check_all_variants("CNTCHR83T41D969D");
    check_all_variants("FLPCPT69A65Z336P");
}

static void compute_expect(const char *surname, const char *name, int y, int m, int d, char sex,
                           const char *place, const char *expected)
{
    struct codice_fiscale_person p = {surname, name, y, m, d, sex, place};
    char out[CODICE_FISCALE_LEN + 1];
    assert_int_equal(codice_fiscale_compute(&p, out), CODICE_FISCALE_OK);
    assert_string_equal(out, expected);
}

static void test_compute(void **state)
{
    compute_expect("Rossi", "Mario", 1975, 3, 22, 'M', "H501", "RSSMRA75C22H501I");
    /* Prefix checks below use computed check characters; the letters are the point. */
    char out[CODICE_FISCALE_LEN + 1];
    struct codice_fiscale_person p = {"Rossi", "Mario", 1983, 11, 18, 'M', "D969"};

    /* Names: 1st, 3rd and 4th consonant when there are four or more. */
    p.name = "Gianfranco"; /* G N F R N C -> G F R */
    assert_int_equal(codice_fiscale_compute(&p, out), CODICE_FISCALE_OK);
    assert_memory_equal(out + 3, "GFR", 3);
    p.name = "Alessandro"; /* L S S N D R -> L S N */
    codice_fiscale_compute(&p, out);
    assert_memory_equal(out + 3, "LSN", 3);
    p.name = "Marco"; /* three consonants: all of them */
    codice_fiscale_compute(&p, out);
    assert_memory_equal(out + 3, "MRC", 3);
    p.name = "Luca"; /* consonants then vowels */
    codice_fiscale_compute(&p, out);
    assert_memory_equal(out + 3, "LCU", 3);
    p.name = "Al"; /* short: padded with X */
    codice_fiscale_compute(&p, out);
    assert_memory_equal(out + 3, "LAX", 3);
    p.name = "Ugo";
    codice_fiscale_compute(&p, out);
    assert_memory_equal(out + 3, "GUO", 3);

    /* Surnames never use the 1st-3rd-4th rule. */
    p.name = "Mario";
    p.surname = "Bernardi";
    codice_fiscale_compute(&p, out);
    assert_memory_equal(out, "BRN", 3);
    p.surname = "Fo";
    codice_fiscale_compute(&p, out);
    assert_memory_equal(out, "FOX", 3);
    p.surname = "Ai";
    codice_fiscale_compute(&p, out);
    assert_memory_equal(out, "AIX", 3);
    p.surname = "O";
    codice_fiscale_compute(&p, out);
    assert_memory_equal(out, "OXX", 3);
    /* Accents, apostrophes and spaces. */
    p.surname = "D'Angelo";
    codice_fiscale_compute(&p, out);
    assert_memory_equal(out, "DNG", 3);
    p.surname = "De Luca";
    codice_fiscale_compute(&p, out);
    assert_memory_equal(out, "DLC", 3);
    p.surname = "Nicol\xc3\xb2";
    codice_fiscale_compute(&p, out);
    assert_memory_equal(out, "NCL", 3);
    p.surname = "\xc8\x9b\xc3\x80\xc3\xa8"; /* U+021B is beyond Latin-1: dropped */
    codice_fiscale_compute(&p, out);
    assert_memory_equal(out, "AEX", 3);

    /* Women: day + 40. */
    p.surname = "Rossi";
    p.sex = 'F';
    p.day = 1;
    codice_fiscale_compute(&p, out);
    assert_memory_equal(out + 9, "41", 2);
    p.day = 31;
    p.month = 12;
    codice_fiscale_compute(&p, out);
    assert_memory_equal(out + 8, "T71", 3);
}

static void test_compute_errors(void **state)
{
    char out[CODICE_FISCALE_LEN + 1];
    struct codice_fiscale_person p = {"Rossi", "Mario", 1975, 3, 22, 'M', "H501"};
    p.surname = "'' --";
    assert_int_equal(codice_fiscale_compute(&p, out), CODICE_FISCALE_NO_SURNAME);
    p.surname = "Rossi";
    p.name = "";
    assert_int_equal(codice_fiscale_compute(&p, out), CODICE_FISCALE_NO_NAME);
    p.name = "Mario";
    p.month = 2;
    p.day = 29;
    p.year = 2023;
    assert_int_equal(codice_fiscale_compute(&p, out), CODICE_FISCALE_BAD_BIRTH_DATE);
    p.year = 2024;
    assert_int_equal(codice_fiscale_compute(&p, out), CODICE_FISCALE_OK);
    p.year = 1900; /* not a leap year */
    assert_int_equal(codice_fiscale_compute(&p, out), CODICE_FISCALE_BAD_BIRTH_DATE);
    p.year = 2000;
    assert_int_equal(codice_fiscale_compute(&p, out), CODICE_FISCALE_OK);
    p.month = 13;
    assert_int_equal(codice_fiscale_compute(&p, out), CODICE_FISCALE_BAD_BIRTH_DATE);
    p.month = 3;
    p.sex = 'X';
    assert_int_equal(codice_fiscale_compute(&p, out), CODICE_FISCALE_BAD_SEX);
    p.sex = 'M';
    p.place = "h501";
    assert_int_equal(codice_fiscale_compute(&p, out), CODICE_FISCALE_BAD_PLACE);
    p.place = "H50";
    assert_int_equal(codice_fiscale_compute(&p, out), CODICE_FISCALE_BAD_PLACE);
}

static void expect_error(const char *code, enum codice_fiscale_err want, const char *reason)
{
    struct codice_fiscale cf;
    char text[160];
    enum codice_fiscale_err err = codice_fiscale_parse(code, &cf);
    if (err != want) {
        fail_msg("%s: got %s", code != NULL ? code : "(null)", codice_fiscale_strerror(err));
    }
    codice_fiscale_describe(err, &cf, text, sizeof(text));
    assert_string_equal(text, reason);
}

static void test_bad_input(void **state)
{
    expect_error("", CODICE_FISCALE_EMPTY, "the codice fiscale is empty");
    expect_error("   ", CODICE_FISCALE_EMPTY, "the codice fiscale is empty");
    expect_error(NULL, CODICE_FISCALE_EMPTY, "the codice fiscale is empty");
    expect_error("RSSMRA75C22H501", CODICE_FISCALE_WRONG_LENGTH,
                 "wrong length: 15 characters, a codice fiscale has 16");
    expect_error("RSSMRA75C22H501II", CODICE_FISCALE_WRONG_LENGTH,
                 "wrong length: 17 characters, a codice fiscale has 16");
    expect_error("RSSMRA75C22H501IRSSMRA75C22H501IRSSMRA75C22H501IRSSMRA75C22H501IRSSMRA",
                 CODICE_FISCALE_WRONG_LENGTH, "too long: a codice fiscale has 16 characters");
    expect_error("RSSMR\xc3\x80"
                 "75C22H501I",
                 CODICE_FISCALE_NON_ASCII,
                 "the codice fiscale contains a non-ASCII character (position 6)");
    expect_error("RSSMRA-5C22H501I", CODICE_FISCALE_BAD_CHARACTER,
                 "the codice fiscale contains a character that is neither a letter nor a digit "
                 "(position 7)");
    expect_error("RSSMRAA5C22H501I", CODICE_FISCALE_EXPECTED_DIGIT,
                 "character 7 should be a digit");
    expect_error("RSSMR775C22H501I", CODICE_FISCALE_EXPECTED_LETTER,
                 "character 6 should be a letter");
    expect_error("RSSMRA75522H501I", CODICE_FISCALE_EXPECTED_LETTER,
                 "character 9 should be a letter");
    expect_error("RSSMRA75F22H501I", CODICE_FISCALE_BAD_MONTH,
                 "'F' is not a month letter (A B C D E H L M P R S T)");
    expect_error("RSSMRA75B72H501I", CODICE_FISCALE_BAD_DAY,
                 "day 72 is not valid: 01-31 for men, 41-71 for women");
    expect_error("RSSMRA75B00H501I", CODICE_FISCALE_BAD_DAY,
                 "day 00 is not valid: 01-31 for men, 41-71 for women");
    expect_error("RSSMRA75B35H501I", CODICE_FISCALE_BAD_DAY,
                 "day 35 is not valid: 01-31 for men, 41-71 for women");
    expect_error("RSSMRA75B31H501I", CODICE_FISCALE_BAD_DATE, "31 February does not exist");
    expect_error("RSSMRA75B29H501I", CODICE_FISCALE_BAD_DATE, "29 February does not exist");
    expect_error("RSSMRA75D31H501I", CODICE_FISCALE_BAD_DATE, "31 April does not exist");
    expect_error("RSSMRA75C22H501X", CODICE_FISCALE_BAD_CHECK,
                 "wrong check character: 'X' where 'I' was expected");
    expect_error("RSSMRA75C22H50MI", CODICE_FISCALE_BAD_CHECK,
                 "wrong check character: 'I' where 'A' was expected");
    expect_error("RSSMRA75C22H5W1I", CODICE_FISCALE_EXPECTED_DIGIT,
                 "character 14 should be a digit");
    /* 29 February: fine when the two-digit year can be a leap year. */
    char leap[CODICE_FISCALE_LEN + 1];
    memcpy(leap, "RSSMRA76B29H501", 15);
    leap[15] = checksum_odd_even(leap, 15);
    leap[16] = '\0';
    assert_parse_ok(leap);
}

/* One changed character is always caught. */
static void test_single_change_caught(void **state)
{
    static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    static const char *const codes[] = {"RSSMRA75C22H501I", "RSSMRA75C22H5LML", "CNTCHR83T41D969D"};
    for (size_t c = 0; c < 3; c++) {
        for (size_t i = 0; i < CODICE_FISCALE_LEN; i++) {
            for (size_t a = 0; a < sizeof(alphabet) - 1; a++) {
                char code[CODICE_FISCALE_LEN + 1];
                struct codice_fiscale cf;
                memcpy(code, codes[c], sizeof(code));
                if (code[i] == alphabet[a]) {
                    continue;
                }
                code[i] = alphabet[a];
                if (codice_fiscale_parse(code, &cf) == CODICE_FISCALE_OK) {
                    fail_msg("%s (from %s) accepted", code, codes[c]);
                }
            }
        }
    }
}

static void random_name(char *out, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        out[i] = (char)('a' + rng_next() % 26);
    }
    out[len] = '\0';
}

/* Computing then validating agrees, and the code fits the person it came from. */
static void test_property_compute_validate(void **state)
{
    for (int n = 0; n < 5000; n++) {
        char surname[16];
        char name[16];
        char place[5];
        char code[CODICE_FISCALE_LEN + 1];
        random_name(surname, 1 + rng_next() % 12);
        random_name(name, 1 + rng_next() % 12);
        snprintf(place, sizeof(place), "%c%03u", 'A' + (int)(rng_next() % 26), rng_next() % 1000);
        struct codice_fiscale_person p = {surname,
                                          name,
                                          1900 + (int)(rng_next() % 125),
                                          1 + (int)(rng_next() % 12),
                                          1 + (int)(rng_next() % 28),
                                          rng_next() % 2 ? 'M' : 'F',
                                          place};
        assert_int_equal(codice_fiscale_compute(&p, code), CODICE_FISCALE_OK);
        struct codice_fiscale cf;
        assert_int_equal(codice_fiscale_parse(code, &cf), CODICE_FISCALE_OK);
        assert_int_equal(cf.month, p.month);
        assert_int_equal(cf.day, p.day);
        assert_int_equal(cf.sex, p.sex);
        assert_int_equal(cf.year2, p.year % 100);
        assert_string_equal(cf.place, place);
        unsigned mismatch = 99;
        char variant[CODICE_FISCALE_LEN + 1];
        codice_fiscale_variant(code, rng_next() % CODICE_FISCALE_VARIANTS, variant);
        assert_int_equal(codice_fiscale_check_person(variant, &p, &mismatch), CODICE_FISCALE_OK);
        assert_int_equal(mismatch, 0);
    }
}

static void test_check_person(void **state)
{
    struct codice_fiscale_person p = {"Rossi", "Mario", 1975, 3, 22, 'M', "H501"};
    unsigned mismatch = 99;
    assert_int_equal(codice_fiscale_check_person("RSSMRA75C22H501I", &p, &mismatch),
                     CODICE_FISCALE_OK);
    assert_int_equal(mismatch, 0);
    /* Omocodic variants fit the same person. */
    assert_int_equal(codice_fiscale_check_person("RSSMRA75C22H5LML", &p, &mismatch),
                     CODICE_FISCALE_OK);
    assert_int_equal(mismatch, 0);

    p.surname = "Bianchi";
    codice_fiscale_check_person("RSSMRA75C22H501I", &p, &mismatch);
    assert_int_equal(mismatch, CODICE_FISCALE_FIELD_SURNAME);
    assert_string_equal(codice_fiscale_field_name(mismatch), "surname");
    p.surname = "Rossi";
    p.name = "Marco";
    codice_fiscale_check_person("RSSMRA75C22H501I", &p, &mismatch);
    assert_int_equal(mismatch, CODICE_FISCALE_FIELD_NAME);
    p.name = "Mario";
    p.day = 23;
    codice_fiscale_check_person("RSSMRA75C22H501I", &p, &mismatch);
    assert_int_equal(mismatch, CODICE_FISCALE_FIELD_BIRTH_DATE);
    p.day = 22;
    p.year = 1976;
    codice_fiscale_check_person("RSSMRA75C22H501I", &p, &mismatch);
    assert_int_equal(mismatch, CODICE_FISCALE_FIELD_BIRTH_DATE);
    p.year = 1975;
    p.sex = 'F';
    codice_fiscale_check_person("RSSMRA75C22H501I", &p, &mismatch);
    assert_int_equal(mismatch, CODICE_FISCALE_FIELD_SEX);
    assert_string_equal(codice_fiscale_field_name(mismatch), "sex");
    p.sex = 'M';
    p.place = "F205";
    codice_fiscale_check_person("RSSMRA75C22H5LML", &p, &mismatch);
    assert_int_equal(mismatch, CODICE_FISCALE_FIELD_PLACE);
    p.place = "H501";
    p.name = "Marco";
    p.sex = 'F';
    codice_fiscale_check_person("RSSMRA75C22H501I", &p, &mismatch);
    assert_int_equal(mismatch, CODICE_FISCALE_FIELD_NAME | CODICE_FISCALE_FIELD_SEX);
    /* An invalid code is an error, not a mismatch. */
    assert_int_equal(codice_fiscale_check_person("RSSMRA75C22H501X", &p, &mismatch),
                     CODICE_FISCALE_BAD_CHECK);
}

static void test_places(void **state)
{
    const struct place *p = places_find("H501");
    assert_non_null(p);
    assert_string_equal(p->name, "ROMA");
    assert_string_equal(p->province, "RM");
    assert_string_equal(p->province_name, "Roma");
    assert_int_equal(p->ceased, 0);

    p = places_find("D969");
    assert_non_null(p);
    assert_string_equal(p->name, "GENOVA");

    p = places_find("Z404");
    assert_non_null(p);
    assert_string_equal(p->province, "EE");
    assert_true(places_is_foreign("Z404"));
    assert_false(places_is_foreign("H501"));

    /* A code with a renamed municipality: the current name comes first. */
    const struct place *first;
    size_t n = places_find_all("A001", &first);
    assert_true(n >= 2);
    assert_int_equal(first[0].ceased, 0);
    assert_int_equal(first[n - 1].ceased, 1);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(first[i].code, "A001");
    }

    /* Well formed but unknown: NULL, not an error elsewhere. */
    assert_true(places_is_well_formed("Z999"));
    assert_null(places_find("Z999"));
    assert_false(places_is_well_formed("h501"));
    assert_false(places_is_well_formed("H5011"));
    assert_null(places_find("H50"));
    assert_int_equal(places_find_all("", &first), 0);
    assert_null(first);

    /* The table is sorted, so binary search finds every row's code. */
    assert_true(places_table_len > 10000);
    for (size_t i = 1; i < places_table_len; i++) {
        assert_true(strcmp(places_table[i - 1].code, places_table[i].code) <= 0);
    }
    for (size_t i = 0; i < places_table_len; i += 97) {
        assert_non_null(places_find(places_table[i].code));
    }
    /* An unknown place does not make a code invalid. */
    char code[CODICE_FISCALE_LEN + 1];
    struct codice_fiscale_person person = {"Rossi", "Mario", 1975, 3, 22, 'M', "Z999"};
    assert_int_equal(codice_fiscale_compute(&person, code), CODICE_FISCALE_OK);
    assert_parse_ok(code);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_public_vectors),
        cmocka_unit_test(test_decode),
        cmocka_unit_test(test_normalisation),
        cmocka_unit_test(test_omocodia_examples),
        cmocka_unit_test(test_omocodia_all_128),
        cmocka_unit_test(test_compute),
        cmocka_unit_test(test_compute_errors),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_single_change_caught),
        cmocka_unit_test(test_property_compute_validate),
        cmocka_unit_test(test_check_person),
        cmocka_unit_test(test_places),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
