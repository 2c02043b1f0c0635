/*
 * Unit tests: the cut-off job over the demo municipality. Who eats is checked against the
 * per-pupil rules (calendar_pupil_on and the school calendar, meal_day), each price against
 * tariff_for_pupil, each charge against the ledger (one entry per meal, ledger_check clean);
 * the job run twice, taken over after a crash and rerun over a body that stopped part-way
 * gives one result; cancelled days are not charged, plain days are frozen plain; closures,
 * class trips and weekdays not chosen leave the pupils out; the scheduler runs a day once after
 * its cut-off and never a day whose cut-off passed before the municipality existed. And
 * ledger_append_many: per-family wallet moves, one balance alert per crossing, refs once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/cutoff.h"
#include "domain/school_calendar.h"
#include "services/audit.h"
#include "services/calendar.h"
#include "services/cutoff_job.h"
#include "services/demo.h"
#include "services/job.h"
#include "services/kitchen.h"
#include "services/ledger.h"
#include "services/password.h"
#include "services/tariff.h"
#include "services/tenant.h"
#include "store/store.h"
#include "util/log.h"
#include "util/time.h"

#include "unit/demo_db.h"
#include "web/i18n.h"

/* 2026-11-20T07:00:00Z, a Friday: the demo municipality is created at this instant. */
#define T_SEED ((time_t)1795158000)
#define NODE   "test-node"

/* ---- fixture -------------------------------------------------------------------------------- */

static int setup(void **state)
{
    if (demo_db_setup(state, "cutoff", T_SEED) != 0)
        return -1;
    /* The demo's own booking changes (a cancellation, a plain meal, an absence in the coming
       days) are cleared: each test sets the days it needs. */
    sqlite3 *h;
    int rc = sqlite3_open(db_path, &h) == SQLITE_OK &&
                     sqlite3_exec(h, "DELETE FROM meal_day", NULL, NULL, NULL) == SQLITE_OK
                 ? 0
                 : -1;
    sqlite3_close(h);
    return rc;
}

/* ---- the oracle: who eats by the per-pupil rules -------------------------------------------- */

#define MAX_PUPILS 64

struct expect {
    int64_t pupil_id, guardian_id, enrollment_id, school_id, class_id;
    char diet_code[33];
    bool plain;
};

/* Every pupil of the tenant who eats on day by calendar_pupil_on / calendar_pupil_has_service,
   the meal_day rows and the family's suspension, into out (returns how many). */
static size_t expected_eaters(struct fixture *f, const char *day, struct expect *out)
{
    long dayno;
    assert_true(school_calendar_parse_day(day, &dayno));
    long long npupils =
        sql_int("SELECT count(*) FROM pupil WHERE tenant_id = %lld", (long long)f->t.id);
    assert_true(npupils > 0 && npupils <= MAX_PUPILS);
    size_t n = 0;
    for (long long i = 0; i < npupils; i++) {
        int64_t pid = sql_int("SELECT id FROM pupil WHERE tenant_id = %lld ORDER BY id "
                              "LIMIT 1 OFFSET %lld",
                              (long long)f->t.id, i);
        struct calendar_pupil p;
        struct calendar cal;
        int found = calendar_pupil_on(f->db, &f->a, f->t.id, pid, day, &p, &cal);
        assert_true(found >= 0);
        if (found == 0 || !calendar_pupil_has_service(&cal, &p, dayno, NULL))
            continue;
        long long cancelled = sql_int("SELECT count(*) FROM meal_day WHERE pupil_id = %lld AND "
                                      "day = %Q AND state = 'cancelled'",
                                      (long long)pid, day);
        long long suspended = sql_int("SELECT count(*) FROM wallet WHERE tenant_id = %lld AND "
                                      "guardian_id = %lld AND suspended_at IS NOT NULL",
                                      (long long)f->t.id, (long long)p.guardian_id);
        if (cancelled || suspended)
            continue;
        struct expect *e = &out[n++];
        e->pupil_id = pid;
        e->guardian_id = p.guardian_id;
        e->enrollment_id = p.enrollment_id;
        e->school_id = p.school_id;
        e->class_id = p.class_id;
        snprintf(e->diet_code, sizeof(e->diet_code), "%s", p.diet_code);
        e->plain = sql_int("SELECT count(*) FROM meal_day WHERE pupil_id = %lld AND day = %Q AND "
                           "state = 'plain'",
                           (long long)pid, day) == 1;
    }
    return n;
}

/* The day's meal rows are exactly the expected eaters, each priced as tariff_for_pupil says and
   charged once with its own ledger entry. Returns the number of meals. */
static long check_day(struct fixture *f, const char *day, const struct expect *exp, size_t n)
{
    long long tid = (long long)f->t.id;
    assert_int_equal(
        sql_int("SELECT count(*) FROM meal WHERE tenant_id = %lld AND day = %Q", tid, day),
        (long long)n);
    int y, m, d;
    assert_true(time_parse_date(day, &y, &m, &d));
    char shown[16];
    snprintf(shown, sizeof(shown), "%02d/%02d/%04d", d, m, y);
    long charged = 0;
    for (size_t i = 0; i < n; i++) {
        const struct expect *e = &exp[i];
        long long pid = (long long)e->pupil_id;
        const char *where =
            sqlite3_mprintf("tenant_id = %lld AND day = %Q AND pupil_id = %lld", tid, day, pid);
        assert_int_equal(sql_int("SELECT count(*) FROM meal WHERE %s", where), 1);
        assert_int_equal(sql_int("SELECT guardian_id FROM meal WHERE %s", where), e->guardian_id);
        assert_int_equal(sql_int("SELECT enrollment_id FROM meal WHERE %s", where),
                         e->enrollment_id);
        assert_int_equal(sql_int("SELECT school_id FROM meal WHERE %s", where), e->school_id);
        assert_int_equal(sql_int("SELECT ifnull(class_id, 0) FROM meal WHERE %s", where),
                         e->class_id);
        assert_int_equal(sql_int("SELECT diet_code = %Q FROM meal WHERE %s", e->diet_code, where),
                         1);
        assert_int_equal(sql_int("SELECT plain FROM meal WHERE %s", where), e->plain ? 1 : 0);
        assert_int_equal(sql_int("SELECT status = 'served' FROM meal WHERE %s", where), 1);
        /* The price is the pupil's tariff of the day. */
        struct tariff_quote q;
        int priced = tariff_for_pupil(f->db, f->t.id, e->pupil_id, day, &q);
        assert_true(priced == 0 || priced == 1);
        long long price = sql_int("SELECT price_cents FROM meal WHERE %s", where);
        assert_int_equal(price, priced == 0 ? q.price_cents : 0);
        /* Charged once: the entry with the meal's ref, attributed to the pupil. */
        char ref[64];
        snprintf(ref, sizeof(ref), "meal:%lld:%s", pid, day);
        long long entries = sql_int("SELECT count(*) FROM ledger_entry WHERE tenant_id = %lld AND "
                                    "ref = %Q",
                                    tid, ref);
        if (price == 0) {
            assert_int_equal(entries, 0);
            assert_int_equal(sql_int("SELECT ledger_entry_id IS NULL FROM meal WHERE %s", where),
                             1);
        } else {
            assert_int_equal(entries, 1);
            const char *entry = sqlite3_mprintf("tenant_id = %lld AND ref = %Q", tid, ref);
            assert_int_equal(sql_int("SELECT id FROM ledger_entry WHERE %s", entry),
                             sql_int("SELECT ledger_entry_id FROM meal WHERE %s", where));
            assert_int_equal(sql_int("SELECT amount_cents FROM ledger_entry WHERE %s", entry),
                             -price);
            char like[32];
            snprintf(like, sizeof(like), "%% %s", shown);
            assert_int_equal(sql_int("SELECT kind = 'meal' AND pupil_id = %lld AND guardian_id = "
                                     "%lld AND created_by = 'cut-off' AND description LIKE %Q "
                                     "FROM ledger_entry WHERE %s",
                                     pid, (long long)e->guardian_id, like, entry),
                             1);
            sqlite3_free((void *)entry);
            charged++;
        }
        sqlite3_free((void *)where);
    }
    /* No other charge for the day. */
    char refs[32];
    snprintf(refs, sizeof(refs), "meal:%%:%s", day);
    assert_int_equal(sql_int("SELECT count(*) FROM ledger_entry WHERE tenant_id = %lld AND ref "
                             "LIKE %Q",
                             tid, refs),
                     charged);
    size_t checked, mismatches;
    char first[256];
    assert_int_equal(ledger_check(f->db, f->t.id, &checked, &mismatches, first, sizeof(first)), 0);
    if (mismatches)
        fprintf(stderr, "# %s\n", first);
    assert_int_equal(mismatches, 0);
    return charged;
}

static const struct expect *find_expect(const struct expect *exp, size_t n, int64_t pupil_id)
{
    for (size_t i = 0; i < n; i++)
        if (exp[i].pupil_id == pupil_id)
            return &exp[i];
    return NULL;
}

/* A demo pupil's id by codice fiscale. */
static int64_t pupil_id(struct fixture *f, const char *cf)
{
    int64_t id = sql_int("SELECT id FROM pupil WHERE tenant_id = %lld AND fiscal_code = %Q",
                         (long long)f->t.id, cf);
    assert_true(id > 0);
    return id;
}

#define GIULIA "RSSGLI18E62H501A" /* Rossi, primaria Montessori 3A, the first child */
#define LUCA   "RSSLCU21P03H501G" /* Rossi, infanzia Rodari, APLV diet, the second child */
#define MATTEO "SPSMTT17B11F839K" /* Esposito, primaria Montessori 4B, ISEE band B */
#define SOFIA  "FRRSFO19T41F205D" /* Ferri, primaria Milani 2A, NO-SUINO, non-resident */

/* A booking change for a pupil's day, as the bookings service would store it. */
static void set_meal_day(struct fixture *f, int64_t pid, const char *day, const char *state)
{
    static int seq;
    long long tid = (long long)f->t.id;
    seq++;
    sql_exec("INSERT INTO meal_request (tenant_id, receipt, guardian_id, pupil_id, action, "
             "from_day, actor_kind, request_key, created_at) SELECT %lld, 'T-%07d', "
             "guardian_id, id, %Q, %Q, 'family', 'test-key-%d', '2026-11-20T07:00:00Z' "
             "FROM pupil WHERE id = %lld;"
             "INSERT INTO meal_day (pupil_id, day, tenant_id, state, request_id) "
             "VALUES (%lld, %Q, %lld, %Q, last_insert_rowid())",
             tid, seq, strcmp(state, "plain") ? "cancel" : "plain", day, seq, (long long)pid,
             (long long)pid, day, tid, state);
}

/* Rome 08:00 of day, before the demo's 09:30 cut-off. */
static time_t rome_morning(const char *day)
{
    long d;
    assert_true(school_calendar_parse_day(day, &d));
    return cutoff_rome_instant(d, 8 * 60);
}

/* ---- the job -------------------------------------------------------------------------------- */

struct group_count {
    int64_t school_id, class_id;
    char diet[33];
    bool plain;
    long n;
};
struct group_counts {
    struct group_count g[MAX_PUPILS];
    size_t n;
};

static int count_eater(const struct cutoff_eater *e, void *ctx)
{
    struct group_counts *c = ctx;
    for (size_t i = 0; i < c->n; i++)
        if (c->g[i].school_id == e->school_id && c->g[i].class_id == e->class_id &&
            !strcmp(c->g[i].diet, e->diet_code) && c->g[i].plain == e->plain) {
            c->g[i].n++;
            return 0;
        }
    struct group_count *g = &c->g[c->n++];
    g->school_id = e->school_id;
    g->class_id = e->class_id;
    snprintf(g->diet, sizeof(g->diet), "%s", e->diet_code);
    g->plain = e->plain;
    g->n = 1;
    return 0;
}

static void test_run_freezes_and_charges_once(void **state)
{
    struct fixture *f = *state;
    const char *day = "2026-11-24"; /* a Tuesday of school */
    long long tid = (long long)f->t.id;
    time_set_fake(rome_morning("2026-11-24") + 2 * 3600);
    int64_t giulia = pupil_id(f, GIULIA), matteo = pupil_id(f, MATTEO);
    set_meal_day(f, giulia, day, "cancelled");
    set_meal_day(f, matteo, day, "plain");
    struct expect exp[MAX_PUPILS];
    size_t n = expected_eaters(f, day, exp);
    assert_true(n >= 3); /* Luca, Matteo and Sofia at least */
    assert_null(find_expect(exp, n, giulia));
    assert_true(find_expect(exp, n, matteo)->plain);
    /* What the kitchen forecast sees before the day is frozen: the same pupils. */
    struct group_counts before = {0};
    assert_int_equal(cutoff_job_eaters(f->db, f->t.id, day, count_eater, &before), 0);
    long forecast = 0;
    for (size_t i = 0; i < before.n; i++)
        forecast += before.g[i].n;
    assert_int_equal(forecast, (long)n);

    /* The kitchen's forecast, from the bookings. */
    struct kitchen_sheet forecast_sheet;
    assert_int_equal(kitchen_sheet_load(f->db, &f->a, f->t.id, day, 0, &forecast_sheet), 0);
    assert_false(forecast_sheet.frozen);
    assert_int_equal(forecast_sheet.meals, (long)n);

    long long audits = sql_int("SELECT count(*) FROM audit_log WHERE action = 'meal.cutoff'");
    long long mails = sql_int("SELECT count(*) FROM mail_outbox WHERE kind = 'kitchen_sheet'");
    long long batches =
        sql_int("SELECT count(*) FROM audit_log WHERE action = 'ledger.append_many'");
    int64_t rossi = find_expect(exp, n, pupil_id(f, LUCA))->guardian_id;
    struct wallet w0;
    assert_int_equal(ledger_wallet(f->db, f->t.id, rossi, &w0), 0);
    assert_int_equal(cutoff_job_frozen(f->db, f->t.id, day), 0);

    struct cutoff_job_result res;
    assert_int_equal(cutoff_job_run(f->db, f->t.id, day, NODE, &res), 0);
    assert_int_equal(res.claim, JOB_CLAIMED);
    assert_int_equal(res.meals, (long)n);
    assert_int_equal(res.plain, 1);
    assert_int_equal(cutoff_job_frozen(f->db, f->t.id, day), 1);
    /* The kitchens' e-mails of the day, queued with the meals. */
    assert_true(res.mails > 0);
    assert_int_equal(sql_int("SELECT count(*) FROM mail_outbox WHERE kind = 'kitchen_sheet'"),
                     mails + res.mails);
    long charged = check_day(f, day, exp, n);
    assert_int_equal(res.charged, charged);
    assert_int_equal(res.unpriced, 0); /* the demo's 2026/2027 list prices every kind */
    assert_int_equal(charged, (long)n);
    assert_int_equal(res.charged_cents,
                     sql_int("SELECT sum(price_cents) FROM meal WHERE tenant_id = %lld AND day = "
                             "%Q",
                             tid, day));
    /* The cancelled pupil: no meal, no charge. */
    assert_int_equal(sql_int("SELECT count(*) FROM ledger_entry WHERE ref = 'meal:' || %lld || "
                             "':' || %Q",
                             (long long)giulia, day),
                     0);
    /* The demo's prices: Luca is the Rossi's second child (20% off the nursery's 4,60 euro),
       Matteo is in ISEE band B (3,70), Sofia is not resident (6,60). */
    assert_int_equal(sql_int("SELECT price_cents FROM meal WHERE pupil_id = %lld AND day = %Q",
                             (long long)pupil_id(f, LUCA), day),
                     368);
    assert_int_equal(sql_int("SELECT price_cents FROM meal WHERE pupil_id = %lld AND day = %Q",
                             (long long)matteo, day),
                     370);
    assert_int_equal(sql_int("SELECT price_cents FROM meal WHERE pupil_id = %lld AND day = %Q",
                             (long long)pupil_id(f, SOFIA), day),
                     660);
    /* The family's wallet moved once, by its children's meals. */
    struct wallet w1;
    assert_int_equal(ledger_wallet(f->db, f->t.id, rossi, &w1), 0);
    assert_int_equal(w1.balance_cents, w0.balance_cents - 368);
    assert_int_equal(w1.entries, w0.entries + 1);
    /* One record of the run, one of the batch of charges. */
    assert_int_equal(sql_int("SELECT count(*) FROM audit_log WHERE action = 'meal.cutoff'"),
                     audits + 1);
    assert_int_equal(sql_int("SELECT count(*) FROM audit_log WHERE action = 'ledger.append_many'"),
                     batches + 1);
    assert_int_equal(sql_int("SELECT count(*) FROM audit_log WHERE action = 'meal.cutoff' AND "
                             "entity = 'job_run' AND entity_id = (SELECT id FROM job_run WHERE "
                             "tenant_id = %lld AND kind = 'cutoff' AND run_key = %Q)",
                             tid, day),
                     1);
    /* The kitchen sheet of the frozen day: its totals are the meal rows', per school, class and
       diet, and the forecast's. */
    struct kitchen_sheet sheet;
    assert_int_equal(kitchen_sheet_load(f->db, &f->a, f->t.id, day, 0, &sheet), 0);
    assert_true(sheet.frozen);
    assert_int_equal(sheet.meals, (long)n);
    assert_int_equal(sheet.meals, forecast_sheet.meals);
    assert_int_equal(sheet.plain, forecast_sheet.plain);
    assert_int_equal(sheet.diets, forecast_sheet.diets);
    assert_int_equal(sheet.plain,
                     sql_int("SELECT count(*) FROM meal WHERE tenant_id = %lld AND day = %Q AND "
                             "plain = 1",
                             tid, day));
    assert_int_equal(sheet.diets,
                     sql_int("SELECT count(*) FROM meal WHERE tenant_id = %lld AND day = %Q AND "
                             "diet_code <> ''",
                             tid, day));
    long school_total = 0;
    for (size_t i = 0; i < sheet.nschools; i++) {
        const struct kitchen_school *ks = &sheet.schools[i];
        school_total += ks->meals;
        assert_int_equal(ks->meals, sql_int("SELECT count(*) FROM meal WHERE tenant_id = %lld AND "
                                            "day = %Q AND school_id = %lld",
                                            tid, day, (long long)ks->school_id));
        long class_total = 0, diet_total = 0;
        for (size_t k = 0; k < ks->nclasses; k++) {
            class_total += ks->classes[k].meals;
            assert_int_equal(ks->classes[k].meals,
                             sql_int("SELECT count(*) FROM meal WHERE tenant_id = %lld AND day = "
                                     "%Q AND school_id = %lld AND ifnull(class_id, 0) = %lld",
                                     tid, day, (long long)ks->school_id,
                                     (long long)ks->classes[k].class_id));
        }
        for (size_t k = 0; k < ks->ndiet_counts; k++) {
            diet_total += ks->diet_counts[k].meals;
            assert_int_equal(ks->diet_counts[k].meals,
                             sql_int("SELECT count(*) FROM meal WHERE tenant_id = %lld AND day = "
                                     "%Q AND school_id = %lld AND diet_code = %Q",
                                     tid, day, (long long)ks->school_id,
                                     ks->diet_counts[k].diet_code));
        }
        assert_int_equal(class_total, ks->meals);
        assert_int_equal(diet_total, ks->meals);
    }
    assert_int_equal(school_total, (long)n);
    /* The same totals per school, class, diet and plain flag from the eaters. */
    struct group_counts after = {0};
    assert_int_equal(cutoff_job_eaters(f->db, f->t.id, day, count_eater, &after), 0);
    assert_int_equal(after.n, before.n);
    long long groups = sql_int("SELECT count(*) FROM (SELECT 1 FROM meal WHERE tenant_id = %lld "
                               "AND day = %Q GROUP BY school_id, class_id, diet_code, plain)",
                               tid, day);
    assert_int_equal(groups, (long long)after.n);
    for (size_t i = 0; i < after.n; i++)
        assert_int_equal(sql_int("SELECT count(*) FROM meal WHERE tenant_id = %lld AND day = %Q "
                                 "AND school_id = %lld AND ifnull(class_id, 0) = %lld AND "
                                 "diet_code = %Q AND plain = %d",
                                 tid, day, (long long)after.g[i].school_id,
                                 (long long)after.g[i].class_id, after.g[i].diet,
                                 after.g[i].plain ? 1 : 0),
                         after.g[i].n);
}

static void test_run_twice_is_one_result(void **state)
{
    struct fixture *f = *state;
    const char *day = "2026-11-25";
    time_set_fake(rome_morning(day) + 2 * 3600);
    struct expect exp[MAX_PUPILS];
    size_t n = expected_eaters(f, day, exp);
    struct cutoff_job_result res;
    assert_int_equal(cutoff_job_run(f->db, f->t.id, day, NODE, &res), 0);
    assert_int_equal(res.claim, JOB_CLAIMED);
    assert_int_equal(res.meals, (long)n);
    long long meals = sql_int("SELECT count(*) FROM meal");
    long long entries = sql_int("SELECT count(*) FROM ledger_entry");
    long long audits = sql_int("SELECT count(*) FROM audit_log");
    long long mails = sql_int("SELECT count(*) FROM mail_outbox");
    long long balance = sql_int("SELECT sum(balance_cents) FROM wallet");
    /* Again, by this node and by another: nothing more. */
    assert_int_equal(cutoff_job_run(f->db, f->t.id, day, NODE, &res), 0);
    assert_int_equal(res.claim, JOB_ALREADY_DONE);
    assert_int_equal(res.meals, 0);
    assert_int_equal(res.charged, 0);
    assert_int_equal(cutoff_job_run(f->db, f->t.id, day, "another-node", &res), 0);
    assert_int_equal(res.claim, JOB_ALREADY_DONE);
    assert_int_equal(sql_int("SELECT count(*) FROM meal"), meals);
    assert_int_equal(sql_int("SELECT count(*) FROM ledger_entry"), entries);
    assert_int_equal(sql_int("SELECT count(*) FROM audit_log"), audits);
    assert_int_equal(sql_int("SELECT count(*) FROM mail_outbox"), mails);
    assert_int_equal(sql_int("SELECT sum(balance_cents) FROM wallet"), balance);
    check_day(f, day, exp, n);
    struct job_run r;
    assert_int_equal(job_find(f->db, &f->a, f->t.id, CUTOFF_JOB_KIND, day, &r), 1);
    assert_string_equal(r.status, "done");
    assert_int_equal(r.attempts, 1);
    assert_non_null(strstr(r.result, "meals"));
    /* A malformed day is refused without a claim. */
    assert_int_equal(cutoff_job_run(f->db, f->t.id, "2026-11-31", NODE, &res), -1);
    assert_int_equal(job_find(f->db, &f->a, f->t.id, CUTOFF_JOB_KIND, "2026-11-31", &r), 0);
}

static void test_restart_after_a_crash(void **state)
{
    struct fixture *f = *state;
    const char *day = "2026-11-26";
    time_t t0 = rome_morning(day) + 2 * 3600;
    time_set_fake(t0);
    struct expect exp[MAX_PUPILS];
    size_t n = expected_eaters(f, day, exp);
    /* A node claimed the run and died without finishing. */
    struct job_claim dead;
    assert_int_equal(job_claim(f->db, f->t.id, CUTOFF_JOB_KIND, day, "dead-node", 30, &dead),
                     JOB_CLAIMED);
    struct cutoff_job_result res;
    assert_int_equal(cutoff_job_run(f->db, f->t.id, day, NODE, &res), 1); /* its lease holds */
    assert_int_equal(res.claim, JOB_BUSY);
    assert_int_equal(sql_int("SELECT count(*) FROM meal WHERE day = %Q", day), 0);
    /* Its lease runs out: the next run takes the day over and freezes it once. */
    time_set_fake(t0 + 31);
    assert_int_equal(cutoff_job_run(f->db, f->t.id, day, NODE, &res), 0);
    assert_int_equal(res.claim, JOB_CLAIMED);
    assert_int_equal(res.meals, (long)n);
    assert_int_equal(check_day(f, day, exp, n), res.charged);
    struct job_run r;
    assert_int_equal(job_find(f->db, &f->a, f->t.id, CUTOFF_JOB_KIND, day, &r), 1);
    assert_int_equal(r.attempts, 2);
    /* The dead node, back, can no longer finish the run. */
    assert_int_equal(job_finish(f->db, &dead, "late"), JOB_LOST);
}

/* A ledger charge for pupil's meal of day, as a run that stopped part-way left it. */
static int64_t partial_charge(struct fixture *f, const struct expect *e, const char *day,
                              int64_t price)
{
    assert_int_equal(db_begin(f->db), DB_OK);
    char ref[64];
    snprintf(ref, sizeof(ref), "meal:%lld:%s", (long long)e->pupil_id, day);
    struct ledger_new le = {.guardian_id = e->guardian_id,
                            .pupil_id = e->pupil_id,
                            .kind = LEDGER_MEAL,
                            .amount_cents = -price,
                            .description = "Pasto del 27/11/2026",
                            .ref = ref,
                            .created_by = "cut-off"};
    int64_t id = 0;
    assert_int_equal(ledger_append(f->db, f->t.id, &le, &id), 0);
    assert_int_equal(db_commit(f->db), DB_OK);
    return id;
}

static void partial_meal(struct fixture *f, const struct expect *e, const char *day, int64_t price,
                         int64_t entry)
{
    sql_exec("INSERT INTO meal (tenant_id, day, pupil_id, guardian_id, enrollment_id, school_id, "
             "class_id, diet_code, plain, price_cents, ledger_entry_id, created_at) VALUES "
             "(%lld, %Q, %lld, %lld, %lld, %lld, nullif(%lld, 0), %Q, 0, %lld, nullif(%lld, 0), "
             "'2026-11-27T08:30:00Z')",
             (long long)f->t.id, day, (long long)e->pupil_id, (long long)e->guardian_id,
             (long long)e->enrollment_id, (long long)e->school_id, (long long)e->class_id,
             e->diet_code, (long long)price, (long long)entry);
}

static void test_rerun_over_a_partial_body(void **state)
{
    struct fixture *f = *state;
    const char *day = "2026-11-27";
    time_t t0 = rome_morning(day) + 2 * 3600;
    time_set_fake(t0);
    struct expect exp[MAX_PUPILS];
    size_t n = expected_eaters(f, day, exp);
    assert_true(n >= 4);
    int64_t price[4];
    for (int i = 0; i < 4; i++) {
        struct tariff_quote q;
        assert_int_equal(tariff_for_pupil(f->db, f->t.id, exp[i].pupil_id, day, &q), 0);
        price[i] = q.price_cents;
    }
    /* A failed run wrote part of the day (as a body outside one transaction could): a meal with
       its charge, a meal without its charge, and a charge without its meal. */
    struct job_claim c;
    assert_int_equal(job_claim(f->db, f->t.id, CUTOFF_JOB_KIND, day, "crashed-node", 30, &c),
                     JOB_CLAIMED);
    int64_t e0 = partial_charge(f, &exp[0], day, price[0]);
    partial_meal(f, &exp[0], day, price[0], e0);
    partial_meal(f, &exp[1], day, price[1], 0);
    int64_t e2 = partial_charge(f, &exp[2], day, price[2]);
    assert_int_equal(job_fail(f->db, &c, "crashed"), JOB_OK);
    long long entries = sql_int("SELECT count(*) FROM ledger_entry");

    struct cutoff_job_result res;
    assert_int_equal(cutoff_job_run(f->db, f->t.id, day, NODE, &res), 0);
    assert_int_equal(res.claim, JOB_CLAIMED);
    assert_int_equal(res.meals, (long)n - 2); /* all but the two meals already there */
    /* One meal per pupil, one charge per meal: the missing charge is made, the one already made
       is linked, and nothing is charged twice. */
    assert_int_equal(check_day(f, day, exp, n), (long)n);
    assert_int_equal(res.charged, (long)n - 2); /* the charges of exp[1] and exp[3..] */
    assert_int_equal(sql_int("SELECT count(*) FROM ledger_entry"), entries + (long long)n - 2);
    assert_int_equal(sql_int("SELECT ledger_entry_id FROM meal WHERE pupil_id = %lld AND day = %Q",
                             (long long)exp[0].pupil_id, day),
                     e0);
    assert_int_equal(sql_int("SELECT ledger_entry_id FROM meal WHERE pupil_id = %lld AND day = %Q",
                             (long long)exp[2].pupil_id, day),
                     e2);
}

static void test_calendar_and_weekday_rules(void **state)
{
    struct fixture *f = *state;
    const char *day = "2026-11-30"; /* a Monday */
    long long tid = (long long)f->t.id;
    time_set_fake(rome_morning(day) + 2 * 3600);
    int64_t giulia = pupil_id(f, GIULIA), luca = pupil_id(f, LUCA), matteo = pupil_id(f, MATTEO),
            sofia = pupil_id(f, SOFIA);
    struct expect exp[MAX_PUPILS];
    size_t n = expected_eaters(f, day, exp);
    assert_non_null(find_expect(exp, n, giulia));
    assert_non_null(find_expect(exp, n, luca));
    assert_non_null(find_expect(exp, n, sofia));
    /* Sofia's school is closed, Giulia's class (3A) is on a trip while Matteo's (4B) of the same
       school is not, and Luca's family chose Tuesday to Friday only. */
    const struct expect *es = find_expect(exp, n, sofia), *eg = find_expect(exp, n, giulia),
                        *el = find_expect(exp, n, luca);
    long long year = sql_int("SELECT c.school_year_id FROM enrollment e JOIN campaign c ON c.id = "
                             "e.campaign_id WHERE e.id = %lld",
                             (long long)es->enrollment_id);
    sql_exec(
        "INSERT INTO calendar_exception (tenant_id, school_id, school_year_id, class_id, kind, "
        "from_day, to_day, created_at) VALUES (%lld, %lld, %lld, NULL, 'closure', %Q, %Q, "
        "'2026-11-20T07:00:00Z')",
        tid, (long long)es->school_id, year, day, day);
    sql_exec(
        "INSERT INTO calendar_exception (tenant_id, school_id, school_year_id, class_id, kind, "
        "from_day, to_day, created_at) VALUES (%lld, %lld, %lld, %lld, 'trip', '2026-11-29', "
        "'2026-12-01', '2026-11-20T07:00:00Z')",
        tid, (long long)eg->school_id, year, (long long)eg->class_id);
    int64_t luca_enrollment = el->enrollment_id;
    long long chose_all =
        sql_int("SELECT weekdays = '' FROM enrollment WHERE id = %lld", (long long)luca_enrollment);
    assert_true(chose_all == 1 || sql_int("SELECT weekdays = '12345' FROM enrollment WHERE id = "
                                          "%lld",
                                          (long long)luca_enrollment) == 1);
    sql_exec("UPDATE enrollment SET weekdays = '2345' WHERE id = %lld", (long long)luca_enrollment);
    size_t m = expected_eaters(f, day, exp);
    assert_null(find_expect(exp, m, giulia));
    assert_null(find_expect(exp, m, luca));
    assert_null(find_expect(exp, m, sofia));
    assert_non_null(find_expect(exp, m, matteo));

    struct cutoff_job_result res;
    assert_int_equal(cutoff_job_run(f->db, f->t.id, day, NODE, &res), 0);
    assert_int_equal(res.meals, (long)m);
    check_day(f, day, exp, m);
    assert_int_equal(sql_int("SELECT count(*) FROM meal WHERE day = %Q AND pupil_id IN (%lld, "
                             "%lld, %lld)",
                             day, (long long)giulia, (long long)luca, (long long)sofia),
                     0);
    assert_int_equal(sql_int("SELECT count(*) FROM meal WHERE day = %Q AND pupil_id = %lld", day,
                             (long long)matteo),
                     1);
    sql_exec("UPDATE enrollment SET weekdays = %Q WHERE id = %lld", chose_all ? "" : "12345",
             (long long)luca_enrollment);
}

/* A family whose service is suspended for debt is not booked: no meal, no charge; once the
   suspension is lifted its children eat again. */
static void test_suspended_family_is_left_out(void **state)
{
    struct fixture *f = *state;
    const char *day = "2026-12-02", *next = "2026-12-09"; /* Wednesdays */
    time_set_fake(rome_morning(day) + 2 * 3600);
    int64_t sofia = pupil_id(f, SOFIA), matteo = pupil_id(f, MATTEO);
    long long bianchi = sql_int("SELECT guardian_id FROM pupil WHERE id = %lld", (long long)sofia);
    struct expect exp[MAX_PUPILS];
    size_t n = expected_eaters(f, day, exp);
    assert_non_null(find_expect(exp, n, sofia));
    sql_exec("INSERT OR IGNORE INTO wallet (tenant_id, guardian_id, updated_at) VALUES (%lld, "
             "%lld, '2026-11-20T07:00:00Z')",
             (long long)f->t.id, bianchi);
    sql_exec("UPDATE wallet SET suspended_at = '2026-11-20T07:00:00Z' WHERE tenant_id = %lld AND "
             "guardian_id = %lld",
             (long long)f->t.id, bianchi);
    long long entries =
        sql_int("SELECT count(*) FROM ledger_entry WHERE guardian_id = %lld", bianchi);
    struct cutoff_job_result res;
    assert_int_equal(cutoff_job_run(f->db, f->t.id, day, NODE, &res), 0);
    assert_int_equal(sql_int("SELECT count(*) FROM meal WHERE day = %Q AND pupil_id = %lld", day,
                             (long long)sofia),
                     0);
    assert_int_equal(sql_int("SELECT count(*) FROM meal WHERE day = %Q AND pupil_id = %lld", day,
                             (long long)matteo),
                     1);
    assert_int_equal(sql_int("SELECT count(*) FROM ledger_entry WHERE guardian_id = %lld", bianchi),
                     entries);
    size_t m = expected_eaters(f, day, exp);
    assert_null(find_expect(exp, m, sofia));
    check_day(f, day, exp, m);

    sql_exec("UPDATE wallet SET suspended_at = NULL WHERE tenant_id = %lld AND guardian_id = %lld",
             (long long)f->t.id, bianchi);
    time_set_fake(rome_morning(next) + 2 * 3600);
    assert_int_equal(cutoff_job_run(f->db, f->t.id, next, NODE, &res), 0);
    assert_int_equal(sql_int("SELECT count(*) FROM meal WHERE day = %Q AND pupil_id = %lld", next,
                             (long long)sofia),
                     1);
}

static void test_scheduler(void **state)
{
    struct fixture *f = *state;
    long long tid = (long long)f->t.id;
    /* The day after the municipality was set up: its first day (created before that day's
       cut-off) and today are frozen; the days whose cut-off came before it are not. */
    time_set_fake((time_t)1795258800); /* 2026-11-21T11:00:00Z, a Saturday */
    assert_int_equal(cutoff_job_tick(f->db, time_now(), NODE), 2);
    assert_int_equal(cutoff_job_frozen(f->db, f->t.id, "2026-11-20"), 1);
    assert_int_equal(cutoff_job_frozen(f->db, f->t.id, "2026-11-21"), 1);
    assert_int_equal(cutoff_job_frozen(f->db, f->t.id, "2026-11-19"), 0);
    assert_int_equal(cutoff_job_frozen(f->db, f->t.id, "2026-11-14"), 0);
    assert_true(sql_int("SELECT count(*) FROM meal WHERE day = '2026-11-20'") > 0);
    assert_int_equal(cutoff_job_tick(f->db, time_now(), NODE), 0);

    /* Tuesday 1 December before the cut-off: the days of the week not yet frozen (the weekend)
       are, today is not. */
    const char *today = "2026-12-01";
    time_t morning = rome_morning(today) + 3600; /* 09:00 in Rome */
    time_set_fake(morning);
    long long open = 0;
    long first;
    assert_true(school_calendar_parse_day(today, &first));
    for (long d = first - 7; d < first; d++) {
        char day[SCHOOL_CALENDAR_DAY_SIZE];
        school_calendar_format_day(d, day);
        open += cutoff_job_frozen(f->db, f->t.id, day) == 0;
    }
    assert_true(open >= 2); /* 28 and 29 November at least */
    assert_int_equal(cutoff_job_tick(f->db, time_now(), NODE), open);
    assert_int_equal(cutoff_job_frozen(f->db, f->t.id, today), 0);
    assert_int_equal(sql_int("SELECT count(*) FROM meal WHERE day = %Q", today), 0);
    assert_int_equal(sql_int("SELECT count(*) FROM job_run WHERE tenant_id = %lld AND run_key = "
                             "%Q",
                             tid, today),
                     0);
    /* 09:30:00 in Rome: the cut-off has come; today is frozen, once. */
    time_set_fake(morning + 30 * 60);
    struct expect exp[MAX_PUPILS];
    size_t n = expected_eaters(f, today, exp);
    assert_int_equal(cutoff_job_tick(f->db, time_now(), NODE), 1);
    assert_int_equal(cutoff_job_frozen(f->db, f->t.id, today), 1);
    check_day(f, today, exp, n);
    assert_int_equal(cutoff_job_tick(f->db, time_now() + 60, NODE), 0);
    assert_int_equal(cutoff_job_tick(f->db, time_now() + 120, "another-node"), 0);
    struct job_run r;
    assert_int_equal(job_find(f->db, &f->a, f->t.id, CUTOFF_JOB_KIND, today, &r), 1);
    assert_int_equal(r.attempts, 1);
    assert_string_equal(r.claimed_by, NODE);
}

/* ---- ledger_append_many ------------------------------------------------------------------- */

static void test_ledger_append_many(void **state)
{
    struct fixture *f = *state;
    time_set_fake((time_t)1796000000);
    long long tid = (long long)f->t.id;
    int64_t rossi = sql_int("SELECT guardian_id FROM pupil WHERE fiscal_code = %Q", GIULIA);
    int64_t ferri = sql_int("SELECT guardian_id FROM pupil WHERE fiscal_code = %Q", SOFIA);
    int64_t giulia = pupil_id(f, GIULIA), sofia = pupil_id(f, SOFIA);
    struct wallet wr, wf;
    assert_int_equal(ledger_wallet(f->db, f->t.id, rossi, &wr), 0);
    assert_int_equal(ledger_wallet(f->db, f->t.id, ferri, &wf), 0);
    /* Bring the Rossi family to 20,00 euro: above the first alert threshold (15,00). */
    assert_int_equal(db_begin(f->db), DB_OK);
    struct ledger_new top = {.guardian_id = rossi,
                             .kind = LEDGER_ADJUSTMENT,
                             .amount_cents = 2000 - wr.balance_cents,
                             .reason = "prova",
                             .ref = "test-many-top",
                             .created_by = "test"};
    assert_true(ledger_append(f->db, f->t.id, &top, NULL) >= 0);
    assert_int_equal(db_commit(f->db), DB_OK);
    assert_int_equal(ledger_wallet(f->db, f->t.id, rossi, &wr), 0);
    assert_int_equal(wr.balance_cents, 2000);
    long long alerts =
        sql_int("SELECT count(*) FROM balance_notice WHERE guardian_id = %lld", (long long)rossi);
    long long batches =
        sql_int("SELECT count(*) FROM audit_log WHERE action = 'ledger.append_many'");

    /* Three meals for the Rossi family (20,00 -> 8,00, one crossing of 15,00), one for Ferri, and
       one whose ref is already used. */
    struct ledger_new e[5] = {
        {rossi, giulia, LEDGER_MEAL, -400, "Pasto", NULL, "test-many-1", "test"},
        {ferri, sofia, LEDGER_MEAL, -660, "Pasto", NULL, "test-many-2", "test"},
        {rossi, giulia, LEDGER_MEAL, -400, "Pasto", NULL, "test-many-3", "test"},
        {rossi, giulia, LEDGER_MEAL, -400, "Pasto", NULL, "test-many-4", "test"},
        {rossi, giulia, LEDGER_MEAL, -400, "Pasto", NULL, "test-many-top", "test"},
    };
    int64_t ids[5];
    size_t skipped = 99;
    assert_int_equal(db_begin(f->db), DB_OK);
    assert_int_equal(ledger_append_many(f->db, f->t.id, e, 5, ids, &skipped), 0);
    assert_int_equal(db_commit(f->db), DB_OK);
    assert_int_equal(skipped, 1);
    assert_int_equal(ids[4], 0);
    for (int i = 0; i < 4; i++) {
        assert_true(ids[i] > 0);
        assert_int_equal(
            sql_int("SELECT amount_cents FROM ledger_entry WHERE id = %lld", (long long)ids[i]),
            e[i].amount_cents);
    }
    struct wallet wr2, wf2;
    assert_int_equal(ledger_wallet(f->db, f->t.id, rossi, &wr2), 0);
    assert_int_equal(ledger_wallet(f->db, f->t.id, ferri, &wf2), 0);
    assert_int_equal(wr2.balance_cents, 800);
    assert_int_equal(wr2.entries, wr.entries + 3);
    assert_int_equal(wf2.balance_cents, wf.balance_cents - 660);
    assert_int_equal(wf2.entries, wf.entries + 1);
    /* One alert for the one crossing, one audit row for the batch. */
    assert_int_equal(
        sql_int("SELECT count(*) FROM balance_notice WHERE guardian_id = %lld", (long long)rossi),
        alerts + 1);
    assert_int_equal(sql_int("SELECT count(*) FROM audit_log WHERE action = 'ledger.append_many'"),
                     batches + 1);
    assert_int_equal(sql_int("SELECT count(*) FROM audit_log WHERE action = 'ledger.append_many' "
                             "AND tenant_id = %lld AND detail LIKE '4 entries, total -1860%%'",
                             tid),
                     1);
    size_t checked, mismatches;
    assert_int_equal(ledger_check(f->db, f->t.id, &checked, &mismatches, NULL, 0), 0);
    assert_int_equal(mismatches, 0);

    /* An invalid entry anywhere in the batch: nothing is written. */
    long long entries = sql_int("SELECT count(*) FROM ledger_entry");
    struct ledger_new bad[2] = {
        {rossi, giulia, LEDGER_MEAL, -400, "Pasto", NULL, "test-many-5", "test"},
        {rossi, giulia, LEDGER_MEAL, 0, "Pasto", NULL, "test-many-6", "test"},
    };
    assert_int_equal(db_begin(f->db), DB_OK);
    assert_int_equal(ledger_append_many(f->db, f->t.id, bad, 2, NULL, NULL), -1);
    db_rollback(f->db);
    assert_int_equal(sql_int("SELECT count(*) FROM ledger_entry"), entries);
    /* An empty batch writes nothing either. */
    assert_int_equal(db_begin(f->db), DB_OK);
    assert_int_equal(ledger_append_many(f->db, f->t.id, NULL, 0, NULL, &skipped), 0);
    assert_int_equal(db_commit(f->db), DB_OK);
    assert_int_equal(skipped, 0);
    assert_int_equal(sql_int("SELECT count(*) FROM audit_log WHERE action = 'ledger.append_many'"),
                     batches + 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_freezes_and_charges_once),
        cmocka_unit_test(test_run_twice_is_one_result),
        cmocka_unit_test(test_restart_after_a_crash),
        cmocka_unit_test(test_rerun_over_a_partial_body),
        cmocka_unit_test(test_calendar_and_weekday_rules),
        cmocka_unit_test(test_suspended_family_is_left_out),
        cmocka_unit_test(test_scheduler),
        cmocka_unit_test(test_ledger_append_many),
    };
    return cmocka_run_group_tests(tests, setup, demo_db_teardown);
}
