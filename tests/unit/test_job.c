/* Unit tests: jobs that run exactly once (claims, leases, fencing, races between connections). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "services/audit.h"
#include "services/job.h"
#include "services/tenant.h"
#include "store/store.h"
#include "util/log.h"
#include "util/time.h"

#define T0 ((time_t)1795000000) /* 2026-11-18T... UTC; any fixed instant */

struct fixture {
    char dir[64];
    struct db *db;
    struct tenant t;
    struct arena a;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/refettorio-job-XXXXXX");
    char path[128], err[256];
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(path, sizeof(path), "%s/t.sqlite", f->dir);
    if (store_init(path, err, sizeof(err)) != 0)
        return -1;
    f->db = store_db();
    arena_init(&f->a, 4096);
    struct tenant_new tn = {.slug = "prova", .name = "Comune di Prova", .email = "u@prova.it"};
    if (tenant_create(f->db, &tn, NULL) != TENANT_OK ||
        tenant_find(f->db, &f->a, "prova", &f->t) != 1)
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

static struct job_run find(struct fixture *f, const char *kind, const char *key)
{
    struct job_run r;
    assert_int_equal(job_find(f->db, &f->a, f->t.id, kind, key, &r), 1);
    return r;
}

static void test_first_claim_wins(void **state)
{
    struct fixture *f = *state;
    time_set_fake(T0);
    struct job_claim c;
    struct job_run r;
    assert_int_equal(job_find(f->db, &f->a, f->t.id, "cutoff", "2026-11-24", &r), 0);
    assert_int_equal(job_claim(f->db, f->t.id, "cutoff", "2026-11-24", "node-a", 60, &c),
                     JOB_CLAIMED);
    assert_true(c.id > 0);
    assert_int_equal(c.attempts, 1);
    assert_int_equal(strlen(c.token), JOB_TOKEN_HEX);
    assert_string_equal(c.node, "node-a");
    char until[TIME_ISO_MAX];
    time_iso(T0 + 60, until);
    assert_string_equal(c.lease_until, until);
    r = find(f, "cutoff", "2026-11-24");
    assert_int_equal(r.id, c.id);
    assert_string_equal(r.status, "running");
    assert_string_equal(r.claimed_by, "node-a");
    assert_string_equal(r.lease_until, until);
    assert_string_equal(r.finished_at, "");
    assert_int_equal(r.attempts, 1);
    assert_int_equal(audit_count(f->db, f->t.id, "job.claim"), 1);
    /* The same kind on another day, and the same day for another kind, are other runs. */
    struct job_claim c2, c3;
    assert_int_equal(job_claim(f->db, f->t.id, "cutoff", "2026-11-25", "node-b", 60, &c2),
                     JOB_CLAIMED);
    assert_int_equal(job_claim(f->db, f->t.id, "kitchen_mail", "2026-11-24", "node-b", 60, &c3),
                     JOB_CLAIMED);
    assert_true(c2.id != c.id && c3.id != c.id && c2.id != c3.id);
    assert_string_not_equal(c.token, c2.token);
    /* And the same key for the platform (tenant 0) is yet another run. */
    struct job_claim c4;
    assert_int_equal(job_claim(f->db, 0, "cutoff", "2026-11-24", "node-b", 60, &c4), JOB_CLAIMED);
    assert_true(c4.id != c.id);
}

static void test_second_claim_is_busy(void **state)
{
    struct fixture *f = *state;
    time_set_fake(T0);
    struct job_claim a, b;
    assert_int_equal(job_claim(f->db, f->t.id, "cutoff", "2026-11-24", "node-a", 60, &a),
                     JOB_CLAIMED);
    time_set_fake(T0 + 59);
    assert_int_equal(job_claim(f->db, f->t.id, "cutoff", "2026-11-24", "node-b", 60, &b), JOB_BUSY);
    assert_int_equal(b.id, 0); /* nothing to hold */
    /* The holder itself asking again (another thread of the same node) is busy too. */
    assert_int_equal(job_claim(f->db, f->t.id, "cutoff", "2026-11-24", "node-a", 60, &b), JOB_BUSY);
    struct job_run r = find(f, "cutoff", "2026-11-24");
    assert_string_equal(r.claimed_by, "node-a");
    assert_int_equal(r.attempts, 1);
    assert_int_equal(audit_count(f->db, f->t.id, "job.claim"), 1);
    /* The losing claim cannot finish what it does not hold. */
    assert_int_equal(job_finish(f->db, &b, "no"), JOB_LOST);
    assert_string_equal(find(f, "cutoff", "2026-11-24").status, "running");
}

static void test_finished_run_is_already_done(void **state)
{
    struct fixture *f = *state;
    time_set_fake(T0);
    struct job_claim a, b;
    assert_int_equal(job_claim(f->db, f->t.id, "cutoff", "2026-11-24", "node-a", 60, &a),
                     JOB_CLAIMED);
    time_set_fake(T0 + 10);
    assert_int_equal(job_finish(f->db, &a, "412 meals in 3 schools"), JOB_OK);
    struct job_run r = find(f, "cutoff", "2026-11-24");
    assert_string_equal(r.status, "done");
    assert_string_equal(r.result, "412 meals in 3 schools");
    char at[TIME_ISO_MAX];
    time_iso(T0 + 10, at);
    assert_string_equal(r.finished_at, at);
    assert_int_equal(job_claim(f->db, f->t.id, "cutoff", "2026-11-24", "node-b", 60, &b),
                     JOB_ALREADY_DONE);
    /* Done is for good: not after the lease would have run out, not for the first holder. */
    time_set_fake(T0 + 86400);
    assert_int_equal(job_claim(f->db, f->t.id, "cutoff", "2026-11-24", "node-a", 60, &b),
                     JOB_ALREADY_DONE);
    /* Finishing twice or failing after the finish changes nothing. */
    assert_int_equal(job_finish(f->db, &a, "again"), JOB_LOST);
    assert_int_equal(job_fail(f->db, &a, "late error"), JOB_LOST);
    assert_int_equal(job_heartbeat(f->db, &a), JOB_LOST);
    r = find(f, "cutoff", "2026-11-24");
    assert_string_equal(r.status, "done");
    assert_string_equal(r.result, "412 meals in 3 schools");
    assert_string_equal(r.last_error, "");
    assert_int_equal(r.attempts, 1);
    assert_int_equal(audit_count(f->db, f->t.id, "job.claim"), 1);
    assert_int_equal(audit_count(f->db, f->t.id, "job.finish"), 1);
    assert_int_equal(audit_count(f->db, f->t.id, "job.fail"), 0);
}

static void test_failed_run_is_claimable_again(void **state)
{
    struct fixture *f = *state;
    time_set_fake(T0);
    struct job_claim a, b, c;
    assert_int_equal(job_claim(f->db, f->t.id, "cutoff", "2026-11-24", "node-a", 600, &a),
                     JOB_CLAIMED);
    assert_int_equal(job_fail(f->db, &a, "database is locked"), JOB_OK);
    struct job_run r = find(f, "cutoff", "2026-11-24");
    assert_string_equal(r.status, "failed");
    assert_string_equal(r.last_error, "database is locked");
    assert_true(r.finished_at[0]);
    /* Well inside the failed holder's lease: failed means claimable now. */
    time_set_fake(T0 + 5);
    assert_int_equal(job_claim(f->db, f->t.id, "cutoff", "2026-11-24", "node-b", 600, &b),
                     JOB_CLAIMED);
    assert_int_equal(b.id, a.id);
    assert_int_equal(b.attempts, 2);
    r = find(f, "cutoff", "2026-11-24");
    assert_string_equal(r.status, "running");
    assert_string_equal(r.claimed_by, "node-b");
    assert_string_equal(r.finished_at, "");
    assert_int_equal(r.attempts, 2);
    assert_string_equal(r.last_error, "database is locked"); /* kept for the office */
    /* The failed holder cannot touch the new run. */
    assert_int_equal(job_finish(f->db, &a, "stale"), JOB_LOST);
    assert_int_equal(job_fail(f->db, &a, "stale"), JOB_LOST);
    assert_int_equal(job_claim(f->db, f->t.id, "cutoff", "2026-11-24", "node-a", 600, &c),
                     JOB_BUSY);
    /* A second failure and a third claim. */
    assert_int_equal(job_fail(f->db, &b, "smtp down"), JOB_OK);
    assert_int_equal(job_claim(f->db, f->t.id, "cutoff", "2026-11-24", "node-a", 600, &c),
                     JOB_CLAIMED);
    assert_int_equal(c.attempts, 3);
    assert_int_equal(job_finish(f->db, &c, "ok"), JOB_OK);
    r = find(f, "cutoff", "2026-11-24");
    assert_string_equal(r.status, "done");
    assert_string_equal(r.result, "ok");
    assert_string_equal(r.last_error, "smtp down");
    assert_int_equal(r.attempts, 3);
    assert_int_equal(audit_count(f->db, f->t.id, "job.claim"), 3);
    assert_int_equal(audit_count(f->db, f->t.id, "job.fail"), 2);
    assert_int_equal(audit_count(f->db, f->t.id, "job.finish"), 1);
}

static void test_expired_lease_is_taken_over(void **state)
{
    struct fixture *f = *state;
    time_set_fake(T0);
    struct job_claim a, b;
    assert_int_equal(job_claim(f->db, f->t.id, "cutoff", "2026-11-24", "node-a", 60, &a),
                     JOB_CLAIMED);
    /* A heartbeat at +30 moves the lease to +90: at +80 the run is still busy. */
    time_set_fake(T0 + 30);
    assert_int_equal(job_heartbeat(f->db, &a), JOB_OK);
    char until[TIME_ISO_MAX];
    time_iso(T0 + 90, until);
    assert_string_equal(a.lease_until, until);
    assert_string_equal(find(f, "cutoff", "2026-11-24").lease_until, until);
    time_set_fake(T0 + 80);
    assert_int_equal(job_claim(f->db, f->t.id, "cutoff", "2026-11-24", "node-b", 60, &b), JOB_BUSY);
    time_set_fake(T0 + 89);
    assert_int_equal(job_claim(f->db, f->t.id, "cutoff", "2026-11-24", "node-b", 60, &b), JOB_BUSY);
    /* node-a stalls; at the end of its lease node-b takes the run over. */
    time_set_fake(T0 + 90);
    assert_int_equal(job_claim(f->db, f->t.id, "cutoff", "2026-11-24", "node-b", 60, &b),
                     JOB_CLAIMED);
    assert_int_equal(b.id, a.id);
    assert_int_equal(b.attempts, 2);
    /* node-a wakes up: every write of its old claim is refused. */
    time_set_fake(T0 + 95);
    assert_int_equal(job_heartbeat(f->db, &a), JOB_LOST);
    assert_int_equal(job_finish(f->db, &a, "result of node-a"), JOB_LOST);
    assert_int_equal(job_fail(f->db, &a, "error of node-a"), JOB_LOST);
    struct job_run r = find(f, "cutoff", "2026-11-24");
    assert_string_equal(r.status, "running");
    assert_string_equal(r.claimed_by, "node-b");
    assert_string_equal(r.result, "");
    assert_string_equal(r.last_error, "");
    assert_int_equal(job_finish(f->db, &b, "result of node-b"), JOB_OK);
    r = find(f, "cutoff", "2026-11-24");
    assert_string_equal(r.status, "done");
    assert_string_equal(r.result, "result of node-b");
    assert_int_equal(job_finish(f->db, &a, "result of node-a"), JOB_LOST);
    assert_string_equal(find(f, "cutoff", "2026-11-24").result, "result of node-b");
    assert_int_equal(audit_count(f->db, f->t.id, "job.claim"), 2);
    assert_int_equal(audit_count(f->db, f->t.id, "job.finish"), 1);
}

/* Two processes configured with the same node name: the token still tells them apart. */
static void test_same_node_name_is_fenced_by_token(void **state)
{
    struct fixture *f = *state;
    time_set_fake(T0);
    struct job_claim first, second;
    assert_int_equal(job_claim(f->db, f->t.id, "cutoff", "2026-11-24", "host", 10, &first),
                     JOB_CLAIMED);
    time_set_fake(T0 + 11);
    assert_int_equal(job_claim(f->db, f->t.id, "cutoff", "2026-11-24", "host", 10, &second),
                     JOB_CLAIMED);
    assert_string_not_equal(first.token, second.token);
    assert_int_equal(job_finish(f->db, &first, "first"), JOB_LOST);
    assert_int_equal(job_heartbeat(f->db, &first), JOB_LOST);
    assert_int_equal(job_finish(f->db, &second, "second"), JOB_OK);
    assert_string_equal(find(f, "cutoff", "2026-11-24").result, "second");
}

/* job_finish_tx: the done mark commits or rolls back with the body's last write. */
static void test_finish_in_the_body_transaction(void **state)
{
    struct fixture *f = *state;
    time_set_fake(T0);
    struct job_claim c;
    assert_int_equal(job_claim(f->db, f->t.id, "cutoff", "2026-11-24", "node-a", 60, &c),
                     JOB_CLAIMED);
    /* The body's transaction fails after the mark: the run is still running, claimable by
       nobody else, and can still be finished. */
    assert_int_equal(db_begin(f->db), DB_OK);
    assert_int_equal(job_finish_tx(f->db, &c, "rolled back"), JOB_OK);
    assert_int_equal(db_rollback(f->db), DB_OK);
    struct job_run r = find(f, "cutoff", "2026-11-24");
    assert_string_equal(r.status, "running");
    assert_string_equal(r.result, "");
    assert_int_equal(audit_count(f->db, f->t.id, "job.finish"), 0);
    assert_int_equal(db_begin(f->db), DB_OK);
    assert_int_equal(job_finish_tx(f->db, &c, "committed"), JOB_OK);
    assert_int_equal(db_commit(f->db), DB_OK);
    r = find(f, "cutoff", "2026-11-24");
    assert_string_equal(r.status, "done");
    assert_string_equal(r.result, "committed");
    assert_int_equal(audit_count(f->db, f->t.id, "job.finish"), 1);
    /* Inside a transaction a lost claim says so and the caller rolls back. */
    assert_int_equal(db_begin(f->db), DB_OK);
    assert_int_equal(job_finish_tx(f->db, &c, "again"), JOB_LOST);
    assert_int_equal(db_rollback(f->db), DB_OK);
}

static void test_limits(void **state)
{
    struct fixture *f = *state;
    struct job_claim c;
    char kind[JOB_KIND_MAX + 2], key[JOB_RUN_KEY_MAX + 2], node[JOB_NODE_MAX + 2];
    memset(kind, 'k', sizeof(kind) - 1);
    kind[sizeof(kind) - 1] = '\0';
    memset(key, '1', sizeof(key) - 1);
    key[sizeof(key) - 1] = '\0';
    memset(node, 'n', sizeof(node) - 1);
    node[sizeof(node) - 1] = '\0';
    assert_int_equal(job_claim(f->db, f->t.id, kind, "d", "n", 60, &c), JOB_INVALID);
    assert_int_equal(job_claim(f->db, f->t.id, "k", key, "n", 60, &c), JOB_INVALID);
    assert_int_equal(job_claim(f->db, f->t.id, "k", "d", node, 60, &c), JOB_INVALID);
    assert_int_equal(job_claim(f->db, f->t.id, "", "d", "n", 60, &c), JOB_INVALID);
    assert_int_equal(job_claim(f->db, f->t.id, NULL, "d", "n", 60, &c), JOB_INVALID);
    assert_int_equal(job_claim(f->db, f->t.id, "k", "d\n", "n", 60, &c), JOB_INVALID);
    assert_int_equal(job_claim(f->db, f->t.id, "k", "d", "n", 0, &c), JOB_INVALID);
    assert_int_equal(job_claim(f->db, f->t.id, "k", "d", "n", JOB_LEASE_MAX + 1, &c), JOB_INVALID);
    assert_int_equal(job_claim(f->db, -1, "k", "d", "n", 60, &c), JOB_INVALID);
    struct job_run *rows;
    size_t n;
    assert_int_equal(job_list(f->db, &f->a, f->t.id, NULL, 10, &rows, &n), 0);
    assert_int_equal(n, 0);
    /* At the limits exactly: accepted. */
    kind[JOB_KIND_MAX] = '\0';
    key[JOB_RUN_KEY_MAX] = '\0';
    node[JOB_NODE_MAX] = '\0';
    assert_int_equal(job_claim(f->db, f->t.id, kind, key, node, JOB_LEASE_MAX, &c), JOB_CLAIMED);
    /* A result past JOB_TEXT_MAX is cut on a character boundary ("è" is two bytes). */
    char big[3 * JOB_TEXT_MAX];
    big[0] = 'x';
    size_t len = 1;
    while (len + 2 < sizeof(big) - 1) {
        memcpy(big + len, "\xc3\xa8", 2);
        len += 2;
    }
    big[len] = '\0';
    assert_int_equal(job_finish(f->db, &c, big), JOB_OK);
    struct job_run r = find(f, kind, key);
    assert_int_equal(strlen(r.result), JOB_TEXT_MAX - 1);
    assert_memory_equal(r.result, big, JOB_TEXT_MAX - 1);
    char node_name[JOB_NODE_MAX + 1];
    job_node_name(node_name);
    assert_true(strchr(node_name, ':') != NULL);
    assert_true(strlen(node_name) <= JOB_NODE_MAX);
}

static void test_list_newest_first_by_tenant_and_kind(void **state)
{
    struct fixture *f = *state;
    struct job_claim c;
    const char *days[] = {"2026-11-23", "2026-11-24", "2026-11-25"};
    for (int i = 0; i < 3; i++) {
        time_set_fake(T0 + i * 86400);
        assert_int_equal(job_claim(f->db, f->t.id, "cutoff", days[i], "node-a", 60, &c),
                         JOB_CLAIMED);
        if (i < 2)
            assert_int_equal(job_finish(f->db, &c, days[i]), JOB_OK);
    }
    assert_int_equal(job_claim(f->db, f->t.id, "kitchen_mail", days[0], "node-a", 60, &c),
                     JOB_CLAIMED);
    assert_int_equal(job_claim(f->db, 0, "cutoff", "2026-11-26", "node-a", 60, &c), JOB_CLAIMED);
    struct job_run *rows;
    size_t n;
    assert_int_equal(job_list(f->db, &f->a, f->t.id, "cutoff", 0, &rows, &n), 0);
    assert_int_equal(n, 3);
    assert_string_equal(rows[0].run_key, "2026-11-25");
    assert_string_equal(rows[0].status, "running");
    assert_string_equal(rows[1].run_key, "2026-11-24");
    assert_string_equal(rows[1].status, "done");
    assert_string_equal(rows[1].result, "2026-11-24");
    assert_string_equal(rows[2].run_key, "2026-11-23");
    assert_int_equal(rows[2].tenant_id, f->t.id);
    assert_int_equal(job_list(f->db, &f->a, f->t.id, "", 0, &rows, &n), 0);
    assert_int_equal(n, 4);
    assert_string_equal(rows[0].kind, "kitchen_mail");
    assert_int_equal(job_list(f->db, &f->a, f->t.id, NULL, 2, &rows, &n), 0);
    assert_int_equal(n, 2);
    /* Another tenant's (here the platform's) runs are not listed. */
    assert_int_equal(job_list(f->db, &f->a, 0, NULL, 0, &rows, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].run_key, "2026-11-26");
    struct job_run r;
    assert_int_equal(job_find(f->db, &f->a, f->t.id, "cutoff", "2026-11-26", &r), 0);
}

/* Two threads, each with its own connection (as two nodes on one database), race for the same
   key, key after key. */
#define RACE_KEYS 1000

struct race {
    int64_t tenant_id;
    pthread_barrier_t barrier;
    atomic_int winners[RACE_KEYS];
    atomic_int busy, errors, lost;
};

struct racer {
    struct race *race;
    const char *node;
};

static void *race_main(void *arg)
{
    struct racer *me = arg;
    struct race *r = me->race;
    struct db *db = store_db();
    for (int i = 0; i < RACE_KEYS; i++) {
        char key[32];
        snprintf(key, sizeof(key), "race-%04d", i);
        pthread_barrier_wait(&r->barrier);
        struct job_claim c;
        enum job_err e =
            db ? job_claim(db, r->tenant_id, "cutoff", key, me->node, 60, &c) : JOB_ERROR;
        if (e == JOB_CLAIMED) {
            atomic_fetch_add(&r->winners[i], 1);
            if (job_finish(db, &c, me->node) != JOB_OK)
                atomic_fetch_add(&r->lost, 1);
        } else if (e == JOB_BUSY || e == JOB_ALREADY_DONE) {
            atomic_fetch_add(&r->busy, 1);
        } else {
            atomic_fetch_add(&r->errors, 1);
        }
    }
    store_thread_done();
    return NULL;
}

static void test_race_one_winner_per_key(void **state)
{
    struct fixture *f = *state;
    struct race *r = calloc(1, sizeof(*r));
    r->tenant_id = f->t.id;
    pthread_barrier_init(&r->barrier, NULL, 2);
    struct racer a = {r, "node-a"}, b = {r, "node-b"};
    pthread_t ta, tb;
    assert_int_equal(pthread_create(&ta, NULL, race_main, &a), 0);
    assert_int_equal(pthread_create(&tb, NULL, race_main, &b), 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    pthread_barrier_destroy(&r->barrier);
    assert_int_equal(atomic_load(&r->errors), 0);
    assert_int_equal(atomic_load(&r->lost), 0);
    assert_int_equal(atomic_load(&r->busy), RACE_KEYS);
    int a_won = 0;
    for (int i = 0; i < RACE_KEYS; i++) {
        assert_int_equal(atomic_load(&r->winners[i]), 1);
        char key[32];
        snprintf(key, sizeof(key), "race-%04d", i);
        struct job_run run = find(f, "cutoff", key);
        assert_string_equal(run.status, "done");
        assert_int_equal(run.attempts, 1);
        assert_string_equal(run.result, run.claimed_by);
        a_won += !strcmp(run.claimed_by, "node-a");
    }
    assert_int_equal(audit_count(f->db, f->t.id, "job.claim"), RACE_KEYS);
    assert_int_equal(audit_count(f->db, f->t.id, "job.finish"), RACE_KEYS);
    print_message("race: node-a won %d keys, node-b %d\n", a_won, RACE_KEYS - a_won);
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_first_claim_wins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_second_claim_is_busy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_finished_run_is_already_done, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_run_is_claimable_again, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expired_lease_is_taken_over, setup, teardown),
        cmocka_unit_test_setup_teardown(test_same_node_name_is_fenced_by_token, setup, teardown),
        cmocka_unit_test_setup_teardown(test_finish_in_the_body_transaction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_newest_first_by_tenant_and_kind, setup, teardown),
        cmocka_unit_test_setup_teardown(test_race_one_winner_per_key, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
