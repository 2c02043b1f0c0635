/* Unit tests: migrations, the statement table, transactions, audit log, tenant-scoped services. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pthread.h>
#include <stdatomic.h>

#include "integrations/mail/outbox.h"
#include "services/audit.h"
#include "services/demo.h"
#include "services/password.h"
#include "services/staff.h"
#include "services/tenant.h"
#include "store/migrate.h"
#include "store/store.h"
#include "util/log.h"

struct fixture {
    char dir[64];
    char path[128];
    struct db *db;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/refettorio-test-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof(f->path), "%s/t.sqlite", f->dir);
    char err[256];
    if (password_init() != 0 || store_init(f->path, err, sizeof(err)) != 0)
        return -1;
    f->db = store_db();
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    store_thread_done();
    char cmd[160];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    int rc = system(cmd);
    (void)rc;
    free(f);
    return 0;
}

static void test_migrations_apply_once(void **state)
{
    struct fixture *f = *state;
    int applied = -1;
    char err[256];
    assert_int_equal(migrate_apply(f->db, &applied, err, sizeof(err)), 0);
    assert_int_equal(applied, 0); /* store_init already applied them */
    assert_true(migrate_latest_version() >= 1);
}

static void test_every_statement_prepares(void **state)
{
    struct fixture *f = *state;
    for (int id = 0; id < STMT__COUNT; id++) {
        assert_non_null(stmt_sql((enum stmt_id)id));
        if (db_stmt(f->db, (enum stmt_id)id) == NULL)
            fail_msg("statement %s does not prepare", stmt_name((enum stmt_id)id));
    }
}

static void test_tenant_school_class_and_isolation(void **state)
{
    struct fixture *f = *state;
    struct tenant_new a = {.slug = "alfa", .name = "Comune di Alfa"};
    struct tenant_new b = {.slug = "beta", .name = "Comune di Beta"};
    int64_t ta, tb, sa, ya, yb, c;
    assert_int_equal(tenant_create(f->db, &a, &ta), TENANT_OK);
    assert_int_equal(tenant_create(f->db, &b, &tb), TENANT_OK);
    assert_int_equal(tenant_create(f->db, &a, NULL), TENANT_ERR_DUPLICATE);
    struct tenant_new bad = {.slug = "static", .name = "Reserved"};
    assert_int_equal(tenant_create(f->db, &bad, NULL), TENANT_ERR_INVALID);
    struct tenant_new bad_cf = {
        .slug = "gamma", .name = "Comune di Gamma", .fiscal_code = "80012345674"};
    assert_int_equal(tenant_create(f->db, &bad_cf, NULL), TENANT_ERR_INVALID);
    bad_cf.fiscal_code = "80012345676";
    assert_int_equal(tenant_create(f->db, &bad_cf, NULL), TENANT_OK);
    struct tenant_new upper = {.slug = "Alfa", .name = "Upper"};
    assert_int_equal(tenant_create(f->db, &upper, NULL), TENANT_ERR_INVALID);

    assert_int_equal(school_create(f->db, ta, "Primaria Alfa", SCHOOL_PRIMARIA, "", "", &sa),
                     TENANT_OK);
    assert_int_equal(school_year_create(f->db, ta, "2026/2027", "2026-09-14", "2027-06-30", &ya),
                     TENANT_OK);
    assert_int_equal(school_year_create(f->db, tb, "2026/2027", "2026-09-14", "2027-06-30", &yb),
                     TENANT_OK);
    assert_int_equal(school_year_create(f->db, ta, "2026/2028", "2026-09-14", "2027-06-30", NULL),
                     TENANT_ERR_INVALID);
    assert_int_equal(school_year_create(f->db, ta, "2027/2028", "2028-06-30", "2027-09-14", NULL),
                     TENANT_ERR_INVALID);
    assert_int_equal(class_create(f->db, ta, sa, ya, "1A", &c), TENANT_OK);
    assert_int_equal(class_create(f->db, ta, sa, ya, "1A", NULL), TENANT_ERR_DUPLICATE);
    /* A class of tenant beta cannot point at alfa's school, nor alfa's at beta's year. */
    assert_int_equal(class_create(f->db, tb, sa, yb, "1A", NULL), TENANT_ERR_NOT_FOUND);
    assert_int_equal(class_create(f->db, ta, sa, yb, "2A", NULL), TENANT_ERR_NOT_FOUND);

    struct arena ar;
    arena_init(&ar, 1024);
    struct school_summary *list;
    size_t n;
    assert_int_equal(school_list(f->db, &ar, ta, ya, &list, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(list[0].name, "Primaria Alfa");
    assert_int_equal(list[0].classes, 1);
    assert_int_equal(school_list(f->db, &ar, tb, yb, &list, &n), 0);
    assert_int_equal(n, 0);
    struct tenant t;
    assert_int_equal(tenant_find(f->db, &ar, "beta", &t), 1);
    assert_string_equal(t.name, "Comune di Beta");
    assert_string_equal(t.timezone, "Europe/Rome");
    assert_int_equal(tenant_find(f->db, &ar, "delta", &t), 0);
    arena_free(&ar);
}

static void test_staff_create_and_authenticate(void **state)
{
    struct fixture *f = *state;
    struct tenant_new a = {.slug = "staffville", .name = "Comune di Staffville"};
    int64_t tid, uid;
    assert_int_equal(tenant_create(f->db, &a, &tid), TENANT_OK);
    assert_int_equal(staff_create(f->db, tid, "Ufficio@Staffville.IT", "Giulia", ROLE_UFFICIO,
                                  "password-lunga-1", &uid),
                     STAFF_OK);
    assert_int_equal(staff_create(f->db, tid, "ufficio@staffville.it", "Altra", ROLE_ADMIN,
                                  "password-lunga-2", NULL),
                     STAFF_ERR_DUPLICATE);
    assert_int_equal(staff_create(f->db, tid, "x@y.it", "Short", ROLE_ADMIN, "corta", NULL),
                     STAFF_ERR_PASSWORD);
    assert_int_equal(
        staff_create(f->db, tid, "not-an-email", "N", ROLE_ADMIN, "abcdefghijkl", NULL),
        STAFF_ERR_EMAIL);

    struct arena ar;
    arena_init(&ar, 1024);
    struct staff_user u;
    log_set_quiet(1);
    assert_int_equal(staff_authenticate(f->db, &ar, tid, "UFFICIO@staffville.it",
                                        "password-lunga-1", "127.0.0.1", &u),
                     STAFF_AUTH_OK);
    assert_int_equal(u.role, ROLE_UFFICIO);
    assert_string_equal(u.name, "Giulia");
    assert_int_equal(
        staff_authenticate(f->db, &ar, tid, "ufficio@staffville.it", "sbagliata", "127.0.0.1", &u),
        STAFF_AUTH_BAD);
    assert_int_equal(
        staff_authenticate(f->db, &ar, tid, "nessuno@staffville.it", "sbagliata", "127.0.0.1", &u),
        STAFF_AUTH_BAD);
    /* The same account is unknown in another tenant. */
    struct tenant_new other = {.slug = "altrove", .name = "Comune di Altrove"};
    int64_t other_id;
    assert_int_equal(tenant_create(f->db, &other, &other_id), TENANT_OK);
    assert_int_equal(staff_authenticate(f->db, &ar, other_id, "ufficio@staffville.it",
                                        "password-lunga-1", "127.0.0.1", &u),
                     STAFF_AUTH_BAD);
    log_set_quiet(0);
    assert_int_equal(audit_count(f->db, tid, "staff.login"), 1);
    assert_int_equal(audit_count(f->db, tid, "staff.login_failed"), 2);
    arena_free(&ar);
}

static void test_audit_log_is_append_only(void **state)
{
    struct fixture *f = *state;
    struct audit_entry e = {.actor = AUDIT_SYSTEM, .action = "test.event", .entity = "none"};
    assert_int_equal(audit_record(f->db, &e), 0);
    assert_int_equal(audit_count(f->db, 0, "test.event"), 1);
    log_set_quiet(1);
    assert_int_not_equal(db_exec_script(f->db, "UPDATE audit_log SET action = 'x'"), DB_OK);
    assert_int_not_equal(db_exec_script(f->db, "DELETE FROM audit_log"), DB_OK);
    log_set_quiet(0);
    assert_int_equal(audit_count(f->db, 0, "test.event"), 1);
}

static int test_tx_fail(struct db *db, void *arg)
{
    struct tenant_new t = {.slug = "rolled", .name = "Comune Rollback"};
    tenant_create(db, &t, NULL);
    return -1; /* the change must not survive */
}

static void test_transaction_rollback(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(store_tx(f->db, test_tx_fail, NULL), -1);
    struct arena ar;
    arena_init(&ar, 512);
    struct tenant t;
    assert_int_equal(tenant_find(f->db, &ar, "rolled", &t), 0);
    arena_free(&ar);
}

/* Writers of one process queue for the write transaction: a second connection's db_begin
   returns only once the first connection's transaction has committed (it waits on the writer
   mutex, not on SQLite's busy sleeps), and then sees the first one's row. */
struct writer_race {
    const char *path;
    _Atomic int first_began, first_committed, second_saw_commit;
};

static void *second_writer(void *arg)
{
    struct writer_race *w = arg;
    while (!atomic_load(&w->first_began))
        usleep(1000);
    char err[256];
    struct db *db = db_open(w->path, NULL, err, sizeof(err));
    if (!db)
        return NULL;
    if (db_begin(db) == DB_OK) {
        atomic_store(&w->second_saw_commit, atomic_load(&w->first_committed) ? 1 : -1);
        db_commit(db);
    }
    db_close(db);
    return NULL;
}

static void test_writers_queue_for_the_write_transaction(void **state)
{
    struct fixture *f = *state;
    struct writer_race w = {.path = f->path};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, second_writer, &w), 0);
    assert_int_equal(db_begin(f->db), DB_OK);
    atomic_store(&w.first_began, 1);
    usleep(200000); /* the second writer is now waiting in db_begin */
    assert_int_equal(atomic_load(&w.second_saw_commit), 0);
    atomic_store(&w.first_committed, 1);
    assert_int_equal(db_commit(f->db), DB_OK);
    pthread_join(th, NULL);
    assert_int_equal(atomic_load(&w.second_saw_commit), 1);
    /* And a rollback hands the turn on as well. */
    assert_int_equal(db_begin(f->db), DB_OK);
    assert_int_equal(db_rollback(f->db), DB_OK);
    assert_int_equal(db_begin(f->db), DB_OK);
    assert_int_equal(db_commit(f->db), DB_OK);
}

static void test_demo_seed_is_idempotent(void **state)
{
    struct fixture *f = *state;
    bool created;
    assert_int_equal(demo_seed(f->db, "http://127.0.0.1:8080", &created), 0);
    assert_true(created);
    assert_int_equal(demo_seed(f->db, "http://127.0.0.1:8080", &created), 0);
    assert_false(created);
    struct arena ar;
    arena_init(&ar, 1024);
    struct tenant t;
    assert_int_equal(tenant_find(f->db, &ar, DEMO_TENANT_SLUG, &t), 1);
    int64_t year = school_year_find(f->db, t.id, "2026/2027");
    assert_true(year > 0);
    struct school_summary *list;
    size_t n;
    assert_int_equal(school_list(f->db, &ar, t.id, year, &list, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(list[0].kind, SCHOOL_INFANZIA);
    /* Families with their children, and the letter of the temporary password in the outbox. */
    struct db_stmt *st = db_stmt(f->db, STMT_GUARDIAN_BY_PUPIL_CF);
    db_bind_int(st, 1, t.id);
    db_bind_text(st, 2, "SPSMTT17B11F839K");
    assert_int_equal(db_step(st), DB_ROW);
    db_reset(st);
    struct mail_row *mails;
    size_t nmails;
    assert_int_equal(mail_list(f->db, &ar, t.id, "queued", 50, &mails, &nmails), 0);
    /* Also the balance alerts, the debt reminder and the suspension of the families in debt. */
    size_t temporary = 0, alerts = 0;
    for (size_t i = 0; i < nmails; i++) {
        if (!strcmp(mails[i].kind, "temporary_password")) {
            temporary++;
            assert_string_equal(mails[i].recipient, "anna.esposito@example.it");
        }
        if (!strcmp(mails[i].kind, "balance_alert"))
            alerts++;
    }
    assert_int_equal(temporary, 1);
    assert_true(alerts >= 1);
    arena_free(&ar);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_migrations_apply_once),
        cmocka_unit_test(test_writers_queue_for_the_write_transaction),
        cmocka_unit_test(test_every_statement_prepares),
        cmocka_unit_test(test_tenant_school_class_and_isolation),
        cmocka_unit_test(test_staff_create_and_authenticate),
        cmocka_unit_test(test_audit_log_is_append_only),
        cmocka_unit_test(test_transaction_rollback),
        cmocka_unit_test(test_demo_seed_is_idempotent),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
