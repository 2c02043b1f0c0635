/*
 * Tenant isolation: a second municipality created with the admin CLI while the server runs,
 * then pages, staff sign-in, session cookies and CSRF tokens must not cross from one tenant to
 * the other. The first test creates the second tenant; the others rely on it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

#define OTHER          "altro"
#define OTHER_NAME     "Comune di Altro"
#define OTHER_SCHOOL   "Scuola primaria Altrove"
#define OTHER_EMAIL    "ufficio@comune.altro.it"
#define OTHER_STAFF    "Luca Verdi"
#define OTHER_PASSWORD "Password-Altro-2026"
#define CLI_OUT_MAX    8192

/* refettorio admin COMMAND --db <server's db> args...; returns the exit status. */
static int admin(void **state, const char *const *args, const char *stdin_text)
{
    const struct harness_server *s = *state;
    const char *argv[HARNESS_MAX_ARGS + 1] = {"admin", args[0], "--db", s->db_path};
    size_t n = 4;
    for (size_t i = 1; args[i]; i++) {
        assert_true(n < HARNESS_MAX_ARGS);
        argv[n++] = args[i];
    }
    argv[n] = NULL;
    char out[CLI_OUT_MAX];
    int rc = harness_run_cli(s, argv, stdin_text, out, sizeof(out));
    fprintf(stderr, "# admin %s -> %d: %.*s\n", args[0], rc, (int)strcspn(out, "\n"), out);
    return rc;
}

static void test_cli_creates_second_tenant(void **state)
{
    const char *tenant[] = {"tenant-create", "--slug", OTHER, "--name", OTHER_NAME, NULL};
    assert_int_equal(admin(state, tenant, NULL), 0);
    const char *school[] = {"school-create", "--tenant", OTHER,      "--name",
                            OTHER_SCHOOL,    "--kind",   "primaria", NULL};
    assert_int_equal(admin(state, school, NULL), 0);
    const char *staff[] = {"staff-create", "--tenant",  OTHER,    "--email", OTHER_EMAIL,
                           "--name",       OTHER_STAFF, "--role", "ufficio", NULL};
    assert_int_equal(admin(state, staff, OTHER_PASSWORD "\n"), 0);

    const char *const params[] = {OTHER, NULL};
    assert_int_equal(harness_db_int(*state,
                                    "SELECT count(*) FROM audit_log a JOIN tenant t ON "
                                    "t.id = a.tenant_id WHERE t.slug = ?1 AND a.actor_kind = 'cli'",
                                    params),
                     3);
}

static void test_cli_refuses_bad_input(void **state)
{
    const char *no_slug[] = {"tenant-create", "--name", "Comune senza slug", NULL};
    assert_int_equal(admin(state, no_slug, NULL), 2);
    const char *bad_kind[] = {"school-create", "--tenant",   OTHER, "--name", "X",
                              "--kind",        "universita", NULL};
    assert_int_equal(admin(state, bad_kind, NULL), 2);
    const char *unknown_option[] = {"tenant-create", "--slug", "nuovo", "--colour", "red", NULL};
    assert_int_equal(admin(state, unknown_option, NULL), 2);

    const char *dup_tenant[] = {"tenant-create", "--slug", OTHER, "--name", "Doppione", NULL};
    int rc = admin(state, dup_tenant, NULL);
    assert_true(rc == 1 || rc == 2);
    const char *no_tenant[] = {"school-create", "--tenant", "nessuno", "--name", "X",
                               "--kind",        "primaria", NULL};
    assert_int_equal(admin(state, no_tenant, NULL), 1);
    const char *dup_staff[] = {"staff-create", "--tenant", OTHER,    "--email", OTHER_EMAIL,
                               "--name",       "Doppione", "--role", "ufficio", NULL};
    rc = admin(state, dup_staff, OTHER_PASSWORD "\n");
    assert_true(rc == 1 || rc == 2);
    const char *short_pw[] = {"staff-create", "--tenant", OTHER,    "--email", "corta@altro.it",
                              "--name",       "Corta",    "--role", "ufficio", NULL};
    assert_int_not_equal(admin(state, short_pw, "corta\n"), 0);
    assert_int_not_equal(admin(state, short_pw, NULL), 0); /* no password on stdin */

    /* Nothing of the refused commands was written. */
    const char *const params[] = {"Doppione", NULL};
    assert_int_equal(
        harness_db_int(*state,
                       "SELECT (SELECT count(*) FROM tenant WHERE name = ?1) + "
                       "(SELECT count(*) FROM staff_user WHERE name = ?1 OR name = 'Corta')",
                       params),
        0);
}

static void test_each_home_shows_its_own_schools(void **state)
{
    struct harness_resp r;
    harness_expect_get(*state, "/altro/", NULL, 200, &r);
    assert_true(harness_body_has(&r, OTHER_NAME));
    assert_true(harness_body_has(&r, OTHER_SCHOOL));
    assert_false(harness_body_has(&r, "Comune di Esempio"));
    assert_false(harness_body_has(&r, "Maria Montessori"));
    assert_false(harness_body_has(&r, "Gianni Rodari"));
    harness_resp_free(&r);

    harness_expect_get(*state, "/esempio/", NULL, 200, &r);
    assert_true(harness_body_has(&r, "Maria Montessori"));
    assert_false(harness_body_has(&r, OTHER_SCHOOL));
    assert_false(harness_body_has(&r, OTHER_NAME));
    harness_resp_free(&r);

    harness_expect_get(*state, "/", NULL, 200, &r);
    assert_true(harness_body_has(&r, "href=\"/altro/\""));
    assert_true(harness_body_has(&r, "href=\"/esempio/\""));
    harness_resp_free(&r);
}

static void test_staff_signs_in_only_at_own_tenant(void **state)
{
    struct harness_session s = {0};
    harness_sign_in(*state, OTHER, HARNESS_DEMO_EMAIL, HARNESS_DEMO_PASSWORD, 422, &s);
    struct harness_session back = {0};
    harness_sign_in(*state, HARNESS_DEMO_TENANT, OTHER_EMAIL, OTHER_PASSWORD, 422, &back);

    struct harness_session own = {0};
    harness_sign_in(*state, OTHER, OTHER_EMAIL, OTHER_PASSWORD, 303, &own);
    struct harness_resp r;
    harness_expect_get(*state, "/altro/ufficio/", own.cookie, 200, &r);
    assert_true(harness_body_has(&r, OTHER_STAFF));
    assert_true(harness_body_has(&r, OTHER_SCHOOL));
    assert_false(harness_body_has(&r, "Maria Montessori"));
    harness_resp_free(&r);
}

static void test_session_does_not_cross_tenants(void **state)
{
    struct harness_session esempio = {0};
    harness_sign_in(*state, HARNESS_DEMO_TENANT, HARNESS_DEMO_EMAIL, HARNESS_DEMO_PASSWORD, 303,
                    &esempio);
    /* A client that ignores the cookie's Path sends it to the other tenant anyway. */
    struct harness_resp r;
    harness_expect_get(*state, "/altro/ufficio/", esempio.cookie, 303, &r);
    assert_string_equal(harness_header(&r, "Location", 0), "/altro/ufficio/accedi");
    assert_false(harness_body_has(&r, "Giulia Bianchi"));
    harness_resp_free(&r);
}

static void test_csrf_does_not_cross_tenants(void **state)
{
    struct harness_session esempio = {0};
    harness_sign_in(*state, HARNESS_DEMO_TENANT, HARNESS_DEMO_EMAIL, HARNESS_DEMO_PASSWORD, 303,
                    &esempio);
    char body[512];
    snprintf(body, sizeof(body), "csrf=%s", esempio.csrf);
    struct harness_resp r;
    harness_expect_post(*state, "/altro/ufficio/esci", body, esempio.cookie, 403, &r);
    harness_resp_free(&r);

    char login[2048];
    harness_login_body(&esempio, OTHER_EMAIL, OTHER_PASSWORD, NULL, login, sizeof(login));
    harness_expect_post(*state, "/altro/ufficio/accedi", login, esempio.cookie, 403, &r);
    harness_resp_free(&r);

    /* The esempio session was left alone by both. */
    harness_expect_get(*state, "/esempio/ufficio/", esempio.cookie, 200, &r);
    assert_true(harness_body_has(&r, "Giulia Bianchi"));
    harness_resp_free(&r);
}

static void test_clean_exit(void **state)
{
    struct harness_server *s = *state;
    assert_int_equal(harness_stop(s), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cli_creates_second_tenant),
        cmocka_unit_test(test_cli_refuses_bad_input),
        cmocka_unit_test(test_each_home_shows_its_own_schools),
        cmocka_unit_test(test_staff_signs_in_only_at_own_tenant),
        cmocka_unit_test(test_session_does_not_cross_tenants),
        cmocka_unit_test(test_csrf_does_not_cross_tenants),
        cmocka_unit_test(test_clean_exit),
    };
    return cmocka_run_group_tests_name("http tenants", tests, harness_group_setup,
                                       harness_group_teardown);
}
