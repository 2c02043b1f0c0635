/*
 * The format checks of the opening-balance import (debts_import_parse) and the amounts the
 * office types (debts_amount_parse), without a database: BOM, separator from the header,
 * header spellings and order, quoted amounts with ',' as separator, blank lines, every line
 * refused with its reason and line number, repeated codici fiscali, and the file limits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "services/debts.h"

static struct arena arena;

static int setup(void **state)
{
    arena_init(&arena, 1 << 16);
    return sodium_init() < 0 ? -1 : 0;
}

static int teardown(void **state)
{
    arena_free(&arena);
    return 0;
}

static void parse(const char *text, struct debts_import *out)
{
    assert_int_equal(debts_import_parse(&arena, text, strlen(text), out), 0);
}

static void test_amounts(void **state)
{
    int64_t c;
    assert_null(debts_amount_parse("12,50", true, &c));
    assert_int_equal(c, 1250);
    assert_null(debts_amount_parse("-3,20", true, &c));
    assert_int_equal(c, -320);
    assert_null(debts_amount_parse("1.234,56 €", true, &c));
    assert_int_equal(c, 123456);
    assert_null(debts_amount_parse("1.000.000,00", false, &c));
    assert_int_equal(c, 100000000);
    assert_string_equal(debts_amount_parse("1.000.000,01", true, &c),
                        "The amount can be at most 1.000.000,00 euro.");
    assert_string_equal(debts_amount_parse("-1.000.000,01", true, &c),
                        "The amount can be at most 1.000.000,00 euro.");
    assert_string_equal(debts_amount_parse("12.50", true, &c),
                        "Write the cents after a comma, as in 12,50 (not 12.50).");
    assert_string_equal(debts_amount_parse("-3.2", true, &c),
                        "Write the cents after a comma, as in 12,50 (not 12.50).");
    assert_string_equal(debts_amount_parse("0", true, &c), "The amount cannot be zero.");
    assert_string_equal(debts_amount_parse("-0,00", true, &c), "The amount cannot be zero.");
    assert_string_equal(debts_amount_parse("", true, &c), "Enter the amount.");
    assert_string_equal(debts_amount_parse(NULL, true, &c), "Enter the amount.");
    assert_string_equal(debts_amount_parse("abc", true, &c),
                        "Enter an amount in euro, like 12,50 or -3,20.");
    assert_string_equal(debts_amount_parse("-", true, &c),
                        "Enter an amount in euro, like 12,50 or -3,20.");
    assert_non_null(debts_amount_parse("-5,00", false, &c)); /* no sign where none is allowed */
    assert_int_equal(c, 0);
}

static void test_semicolon_with_bom(void **state)
{
    struct debts_import im;
    parse("\xEF\xBB\xBF"
          "CF;Importo\r\n"
          "rssgli18e62h501a;12,50\r\n"
          "\r\n"
          "SPSMTT17B11F839K;-3,20\r\n"
          "XYZ;1,00\r\n"
          "RSSLCU21P03H501G;12.50\r\n"
          "FRRSFO19T41F205D;0\r\n"
          "FRRSFO19T41F205D\r\n",
          &im);
    assert_null(im.file_problem);
    assert_int_equal(im.nlines, 6);
    assert_int_equal(strlen(im.digest), 64);
    assert_int_equal(im.lines[0].line, 2);
    assert_null(im.lines[0].problem);
    assert_string_equal(im.lines[0].fiscal_code, "RSSGLI18E62H501A"); /* normalised */
    assert_int_equal(im.lines[0].cents, 1250);
    assert_int_equal(im.lines[1].line, 4); /* the blank line 3 is skipped */
    assert_int_equal(im.lines[1].cents, -320);
    assert_null(im.lines[1].problem);
    assert_string_equal(im.lines[2].problem, "The codice fiscale is not valid.");
    assert_string_equal(im.lines[2].content, "XYZ;1,00");
    assert_string_equal(im.lines[3].problem,
                        "Write the cents after a comma, as in 12,50 (not 12.50).");
    assert_string_equal(im.lines[4].problem, "The amount cannot be zero.");
    assert_string_equal(im.lines[5].problem, "The line does not have the columns of the header.");
}

static void test_comma_separator_and_order(void **state)
{
    struct debts_import im;
    parse("nome,saldo_iniziale,codice fiscale\n"
          "Giulia,\"12,50\",RSSGLI18E62H501A\n"
          "Luca,12,RSSLCU21P03H501G\n"
          "Matteo,12,50,SPSMTT17B11F839K\n",
          &im);
    assert_null(im.file_problem);
    assert_int_equal(im.nlines, 3);
    assert_null(im.lines[0].problem);
    assert_int_equal(im.lines[0].cents, 1250);
    assert_null(im.lines[1].problem);
    assert_int_equal(im.lines[1].cents, 1200);
    /* An unquoted "12,50" splits into two columns: the codice fiscale column reads "50". */
    assert_string_equal(im.lines[2].problem, "The codice fiscale is not valid.");
}

static void test_repeated(void **state)
{
    struct debts_import im;
    parse("codice_fiscale;saldo\n"
          "RSSGLI18E62H501A;12,50\n"
          "RSSGLI18E62H501A;12,50\n"
          "SPSMTT17B11F839K;-3,20\n"
          "SPSMTT17B11F839K;-4,20\n",
          &im);
    assert_null(im.lines[0].problem); /* the same amount: the first line stands */
    assert_string_equal(im.lines[1].problem,
                        "This codice fiscale is already on an earlier line of the file.");
    assert_int_equal(im.lines[1].other_line, 2);
    /* Another amount: both refused. */
    assert_string_equal(im.lines[2].problem,
                        "This codice fiscale is repeated later in the file with another amount.");
    assert_int_equal(im.lines[2].other_line, 5);
    assert_non_null(im.lines[3].problem);
}

static void test_file_problems(void **state)
{
    struct debts_import im;
    assert_int_equal(debts_import_parse(&arena, "", 0, &im), 0);
    assert_string_equal(im.file_problem, "The file is empty.");
    parse("\n\n", &im);
    assert_string_equal(im.file_problem, "The file is empty.");
    parse("nome;cognome\nMario;Rossi\n", &im);
    assert_string_equal(im.file_problem,
                        "The first line must name the columns: codice_fiscale;saldo.");
    parse("codice_fiscale;saldo\n", &im);
    assert_string_equal(im.file_problem, "The file has no lines after the header.");
    parse("codice_fiscale;saldo\nRSSGLI18E62H501A;\xC3\x28\n", &im);
    assert_non_null(strstr(im.file_problem, "UTF-8"));

    /* Past the size and the line limits. */
    size_t big = DEBTS_IMPORT_BYTES_MAX + 1;
    char *data = malloc(big);
    assert_non_null(data);
    memset(data, 'a', big);
    assert_int_equal(debts_import_parse(&arena, data, big, &im), 0);
    assert_non_null(strstr(im.file_problem, "2 MB"));
    free(data);
    size_t lines = DEBTS_IMPORT_LINES_MAX + 1;
    const char header[] = "codice_fiscale;saldo\n";
    size_t len = strlen(header) + lines * 4;
    data = malloc(len + 1);
    assert_non_null(data);
    memcpy(data, header, strlen(header));
    for (size_t i = 0; i < lines; i++)
        memcpy(data + strlen(header) + i * 4, "x;1\n", 4);
    assert_int_equal(debts_import_parse(&arena, data, len, &im), 0);
    assert_non_null(strstr(im.file_problem, "50.000"));
    /* Exactly at the limit: accepted (every line refused for its codice fiscale). */
    len -= 4;
    assert_int_equal(debts_import_parse(&arena, data, len, &im), 0);
    assert_null(im.file_problem);
    assert_int_equal(im.nlines, DEBTS_IMPORT_LINES_MAX);
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_amounts),
        cmocka_unit_test(test_semicolon_with_bom),
        cmocka_unit_test(test_comma_separator_and_order),
        cmocka_unit_test(test_repeated),
        cmocka_unit_test(test_file_problems),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
