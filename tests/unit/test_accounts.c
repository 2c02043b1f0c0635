/* Unit tests: family accounts, sign-in throttling, e-mail verification codes, reset links. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "services/audit.h"
#include "services/email_verify.h"
#include "services/guardian.h"
#include "services/password.h"
#include "services/password_reset.h"
#include "services/tenant.h"
#include "services/throttle.h"
#include "store/store.h"
#include "util/log.h"
#include "util/time.h"

struct fixture {
    char dir[64];
    struct db *db;
    struct tenant t;
    struct arena a;
    int64_t guardian_id;
};

static const struct guardian_new test_guardian = {
    "RSSMRA82C14H501K", "Mario", "Rossi", "mario.rossi@example.it",
    "+393331234567",    "",      "it",    true};
static const struct pupil_new test_pupil = {"RSSGLI18E62H501A", "Giulia", "Rossi", "2018-05-22",
                                            "F"};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/refettorio-accounts-XXXXXX");
    char path[128], err[256];
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(path, sizeof(path), "%s/t.sqlite", f->dir);
    if (password_init() != 0 || store_init(path, err, sizeof(err)) != 0)
        return -1;
    f->db = store_db();
    arena_init(&f->a, 4096);
    struct tenant_new tn = {.slug = "prova", .name = "Comune di Prova", .email = "u@prova.it"};
    if (tenant_create(f->db, &tn, NULL) != TENANT_OK ||
        tenant_find(f->db, &f->a, "prova", &f->t) != 1)
        return -1;
    if (guardian_create(f->db, f->t.id, &test_guardian, "Pranzo-Sereno-2026", &f->guardian_id,
                        NULL) != GUARDIAN_OK ||
        pupil_create(f->db, f->t.id, f->guardian_id, &test_pupil, NULL) != GUARDIAN_OK)
        return -1;
    log_set_quiet(1);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    time_set_fake(0);
    store_thread_done();
    arena_free(&f->a);
    char cmd[160];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    int rc = system(cmd);
    (void)rc;
    free(f);
    return 0;
}

static int64_t count(struct fixture *f, const char *action)
{
    return audit_count(f->db, f->t.id, action);
}

static void test_guardian_sign_in_by_every_login(void **state)
{
    struct fixture *f = *state;
    struct guardian g;
    assert_int_equal(guardian_find_by_id(f->db, &f->a, f->t.id, f->guardian_id, &g), 1);
    assert_int_equal(strlen(g.user_code), GUARDIAN_USER_CODE_LEN);
    const char *code = g.user_code;
    /* User code, the pupil's codice fiscale (any case and spacing), the guardian's own. */
    assert_int_equal(
        guardian_authenticate(f->db, &f->a, f->t.id, code, "Pranzo-Sereno-2026", "127.0.0.1", &g),
        GUARDIAN_AUTH_OK);
    assert_int_equal(guardian_authenticate(f->db, &f->a, f->t.id, "rssgli 18e62 h501a",
                                           "Pranzo-Sereno-2026", "127.0.0.1", &g),
                     GUARDIAN_AUTH_OK);
    assert_int_equal(g.id, f->guardian_id);
    assert_int_equal(guardian_authenticate(f->db, &f->a, f->t.id, "RSSMRA82C14H501K",
                                           "Pranzo-Sereno-2026", "127.0.0.1", &g),
                     GUARDIAN_AUTH_OK);
    assert_int_equal(
        guardian_authenticate(f->db, &f->a, f->t.id, code, "sbagliata-1234", "127.0.0.1", &g),
        GUARDIAN_AUTH_BAD);
    assert_int_equal(
        guardian_authenticate(f->db, &f->a, f->t.id, "ZZZZZZZZ", "whatever-12345", "127.0.0.1", &g),
        GUARDIAN_AUTH_BAD);
    assert_int_equal(count(f, "family.login"), 3);
    assert_int_equal(count(f, "family.login_failed"), 2);
    /* Duplicates and bad data. */
    assert_int_equal(
        guardian_create(f->db, f->t.id, &test_guardian, "Pranzo-Sereno-2026", NULL, NULL),
        GUARDIAN_ERR_DUPLICATE);
    assert_int_equal(pupil_create(f->db, f->t.id, f->guardian_id, &test_pupil, NULL),
                     GUARDIAN_ERR_DUPLICATE);
    struct guardian_new bad = test_guardian;
    bad.fiscal_code = "RSSMRA82C14H501X";
    assert_int_equal(guardian_create(f->db, f->t.id, &bad, NULL, NULL, NULL), GUARDIAN_ERR_INVALID);
    struct guardian_new weak = test_guardian;
    weak.fiscal_code = "BNCCHR90L48F205V";
    assert_int_equal(guardian_create(f->db, f->t.id, &weak, "password123", NULL, NULL),
                     GUARDIAN_ERR_PASSWORD);
}

static void test_temporary_password_and_change(void **state)
{
    struct fixture *f = *state;
    struct guardian_new n = {"SPSNNA87S70F839K", "Anna", "Esposito", "", "", "", "it", false};
    char temp[GUARDIAN_TEMP_PASSWORD_LEN + 1] = "";
    int64_t id;
    assert_int_equal(guardian_create(f->db, f->t.id, &n, NULL, &id, temp), GUARDIAN_OK);
    assert_int_equal(strlen(temp), GUARDIAN_TEMP_PASSWORD_LEN);
    struct guardian g;
    assert_int_equal(
        guardian_authenticate(f->db, &f->a, f->t.id, "SPSNNA87S70F839K", temp, "127.0.0.1", &g),
        GUARDIAN_AUTH_OK);
    assert_true(g.password_temporary);
    assert_int_equal(
        guardian_set_password(f->db, &f->a, f->t.id, id, "spsnna87s70f839k!", false, "test"),
        GUARDIAN_ERR_PASSWORD);
    assert_int_equal(
        guardian_set_password(f->db, &f->a, f->t.id, id, "Cena-Tranquilla-9", false, "test"),
        GUARDIAN_OK);
    assert_int_equal(guardian_find_by_id(f->db, &f->a, f->t.id, id, &g), 1);
    assert_false(g.password_temporary);
    assert_true(guardian_verify_password(f->db, &f->a, f->t.id, id, "Cena-Tranquilla-9"));
    assert_false(guardian_verify_password(f->db, &f->a, f->t.id, id, temp));
}

static void test_external_identity_links_on_first_use(void **state)
{
    struct fixture *f = *state;
    struct guardian g;
    assert_int_equal(
        guardian_find_by_external(f->db, &f->a, f->t.id, "spid", "RSSMRA82C14H501K", &g), 1);
    assert_int_equal(g.id, f->guardian_id);
    assert_int_equal(count(f, "guardian.identity_link"), 1);
    /* The second time the link is used, not created again. */
    assert_int_equal(
        guardian_find_by_external(f->db, &f->a, f->t.id, "spid", "rssmra82c14h501k", &g), 1);
    assert_int_equal(count(f, "guardian.identity_link"), 1);
    /* Unknown codice fiscale, unknown provider. */
    assert_int_equal(
        guardian_find_by_external(f->db, &f->a, f->t.id, "cie", "BNCCHR90L48F205V", &g), 0);
    assert_int_equal(
        guardian_find_by_external(f->db, &f->a, f->t.id, "facebook", "RSSMRA82C14H501K", &g), 0);
}

static void test_throttle_delays_lock_and_unlock(void **state)
{
    struct fixture *f = *state;
    const char *login = "family:AAAAAAAA";
    long wait = 0;
    time_set_fake(1800000000);
    assert_int_equal(throttle_check(f->db, f->t.id, login, "10.0.0.1", &wait), THROTTLE_OK);
    for (int i = 0; i < THROTTLE_FREE_FAILURES; i++)
        assert_int_equal(throttle_failure(f->db, f->t.id, login, "10.0.0.1"), 0);
    assert_int_equal(throttle_check(f->db, f->t.id, login, "10.0.0.1", &wait), THROTTLE_OK);
    assert_int_equal(throttle_failure(f->db, f->t.id, login, "10.0.0.1"), 0);
    assert_int_equal(throttle_check(f->db, f->t.id, login, "10.0.0.1", &wait), THROTTLE_WAIT);
    assert_int_equal(wait, 1);
    assert_int_equal(throttle_failure(f->db, f->t.id, login, "10.0.0.1"), 0);
    assert_int_equal(throttle_check(f->db, f->t.id, login, "10.0.0.1", &wait), THROTTLE_WAIT);
    assert_int_equal(wait, 2); /* growing */
    time_set_fake(1800000000 + 3);
    assert_int_equal(throttle_check(f->db, f->t.id, login, "10.0.0.1", &wait), THROTTLE_OK);
    /* A success clears the login's count. */
    assert_int_equal(throttle_success(f->db, f->t.id, login), 0);
    for (int i = 0; i < THROTTLE_LOCK_FAILURES; i++)
        assert_int_equal(throttle_failure(f->db, f->t.id, login, "10.0.0.2"), 0);
    time_set_fake(1800000000 + 100000);
    assert_int_equal(throttle_check(f->db, f->t.id, login, "10.0.0.3", &wait), THROTTLE_LOCKED);
    assert_int_equal(count(f, "signin.locked"), 1);
    /* Success does not lift a lock; only the office does. */
    assert_int_equal(throttle_success(f->db, f->t.id, login), 0);
    assert_int_equal(throttle_check(f->db, f->t.id, login, "10.0.0.3", &wait), THROTTLE_LOCKED);
    assert_int_equal(throttle_unlock(f->db, f->t.id, login, 1, "ufficio@prova.it"), 1);
    assert_int_equal(throttle_unlock(f->db, f->t.id, login, 1, "ufficio@prova.it"), 0);
    assert_int_equal(throttle_check(f->db, f->t.id, login, "10.0.0.3", &wait), THROTTLE_OK);
    assert_int_equal(count(f, "signin.unlocked"), 1);
    time_set_fake(0);
}

static void test_email_codes(void **state)
{
    struct fixture *f = *state;
    const char *session = "s1", *email = "nuovo@example.it";
    long wait = 0;
    int left = 0;
    time_set_fake(1800000000);
    assert_int_equal(db_begin(f->db), DB_OK);
    assert_int_equal(email_verify_send(f->db, &f->a, &f->t, session, email, "it", &wait),
                     EMAIL_VERIFY_SENT);
    assert_int_equal(db_commit(f->db), DB_OK);
    /* Re-sending within a minute is refused and says how long to wait. */
    assert_int_equal(email_verify_send(f->db, &f->a, &f->t, session, email, "it", &wait),
                     EMAIL_VERIFY_TOO_SOON);
    assert_int_equal(wait, EMAIL_CODE_RESEND_SECONDS);
    /* Codes are stored hashed: no six-digit column value in the table. */
    struct db_stmt *st = db_stmt(f->db, STMT_EMAIL_CODE_CURRENT);
    db_bind_int(st, 1, f->t.id);
    db_bind_text(st, 2, session);
    db_bind_text(st, 3, email);
    assert_int_equal(db_step(st), DB_ROW);
    assert_int_equal(strlen(db_col_text(st, 1)), 64);
    db_reset(st);
    /* Wrong codes count down; the 5th wrong one exhausts the code. */
    for (int i = 1; i < EMAIL_CODE_ATTEMPTS; i++) {
        assert_int_equal(email_verify_check(f->db, f->t.id, session, email, "000000", &left),
                         EMAIL_VERIFY_WRONG);
        assert_int_equal(left, EMAIL_CODE_ATTEMPTS - i);
    }
    assert_int_equal(email_verify_check(f->db, f->t.id, session, email, "000000", &left),
                     EMAIL_VERIFY_EXHAUSTED);
    /* Another session, another address: no code. */
    assert_int_equal(email_verify_check(f->db, f->t.id, "s2", email, "000000", &left),
                     EMAIL_VERIFY_NO_CODE);
    assert_int_equal(
        email_verify_check(f->db, f->t.id, session, "altro@example.it", "000000", &left),
        EMAIL_VERIFY_NO_CODE);
    /* A new code after a minute; it expires after 15 minutes. */
    time_set_fake(1800000000 + EMAIL_CODE_RESEND_SECONDS);
    assert_int_equal(email_verify_send(f->db, &f->a, &f->t, session, email, "it", &wait),
                     EMAIL_VERIFY_SENT);
    time_set_fake(1800000000 + EMAIL_CODE_RESEND_SECONDS + EMAIL_CODE_MINUTES * 60);
    assert_int_equal(email_verify_check(f->db, f->t.id, session, email, "000000", &left),
                     EMAIL_VERIFY_EXPIRED);
    assert_false(email_verify_done(f->db, f->t.id, session, email));
    assert_string_equal(email_verify_mask(&f->a, "mario.rossi@example.it"), "m***@example.it");
    time_set_fake(0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_guardian_sign_in_by_every_login),
        cmocka_unit_test(test_temporary_password_and_change),
        cmocka_unit_test(test_external_identity_links_on_first_use),
        cmocka_unit_test(test_throttle_delays_lock_and_unlock),
        cmocka_unit_test(test_email_codes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
