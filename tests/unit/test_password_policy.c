/* Unit tests: the password policy and its generated list of common passwords. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "domain/password_policy.h"

static void test_common_list_is_sorted_and_large(void **state)
{
    assert_true(password_common_count >= 9000);
    for (size_t i = 1; i < password_common_count; i++)
        if (strcmp(password_common[i - 1], password_common[i]) >= 0)
            fail_msg("not sorted at %zu: %s / %s", i, password_common[i - 1], password_common[i]);
    assert_true(password_policy_is_common("password"));
    assert_true(password_policy_is_common("PassWord"));
    assert_true(password_policy_is_common("qwertyuiop"));
    assert_false(password_policy_is_common("Refettorio-Mensa-42"));
}

static void test_rules(void **state)
{
    assert_int_equal(password_policy_check("Mensa-Esempio-2026", NULL, NULL), PASSWORD_POLICY_OK);
    assert_int_equal(password_policy_check("corta", NULL, NULL), PASSWORD_POLICY_TOO_SHORT);
    assert_int_equal(password_policy_check("123456789", NULL, NULL), PASSWORD_POLICY_TOO_SHORT);
    /* Ten characters counted as characters, not bytes: "àèìòùàèìòù" is 10 characters. */
    assert_int_equal(password_policy_check("àèìòùàèìòq", NULL, NULL), PASSWORD_POLICY_OK);
    assert_int_equal(password_policy_check("àèìòùàèìò", NULL, NULL), PASSWORD_POLICY_TOO_SHORT);
    char long_pw[200];
    memset(long_pw, 'a', sizeof(long_pw) - 1);
    long_pw[sizeof(long_pw) - 1] = '\0';
    long_pw[0] = 'X';
    long_pw[1] = '7';
    long_pw[2] = '!';
    assert_int_equal(password_policy_check(long_pw, NULL, NULL), PASSWORD_POLICY_TOO_LONG);
    assert_int_equal(password_policy_check("1234567890", NULL, NULL), PASSWORD_POLICY_COMMON);
    assert_int_equal(password_policy_check("qwertyuiop", NULL, NULL), PASSWORD_POLICY_COMMON);
    /* A common word with a few digits or symbols around it. */
    assert_int_equal(password_policy_check("password2024!", NULL, NULL), PASSWORD_POLICY_COMMON);
    assert_int_equal(password_policy_check("!!Sunshine12", NULL, NULL), PASSWORD_POLICY_COMMON);
    assert_int_equal(password_policy_check("RSSMRA80A01H501U", "RSSMRA80A01H501U", NULL),
                     PASSWORD_POLICY_PERSONAL);
    assert_int_equal(password_policy_check("x-rssmra80a01h501u", "RSSMRA80A01H501U", NULL),
                     PASSWORD_POLICY_PERSONAL);
    assert_int_equal(password_policy_check("mario.rossi-2026", NULL, "mario.rossi@example.it"),
                     PASSWORD_POLICY_PERSONAL);
    assert_int_equal(password_policy_check("abababababab", NULL, NULL), PASSWORD_POLICY_REPETITIVE);
    assert_int_equal(password_policy_check("abc\x01"
                                           "defghijk",
                                           NULL, NULL),
                     PASSWORD_POLICY_INVALID);
    assert_int_equal(password_policy_check("abc\xff"
                                           "defghijk",
                                           NULL, NULL),
                     PASSWORD_POLICY_INVALID);
    assert_string_equal(password_policy_message(PASSWORD_POLICY_TOO_SHORT),
                        "Use at least 10 characters.");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_common_list_is_sorted_and_large),
        cmocka_unit_test(test_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
