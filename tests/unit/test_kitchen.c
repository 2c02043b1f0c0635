/*
 * Unit tests: the kitchen sheet and the office's meal corrections over the demo municipality,
 * in process. Before the cut-off the sheet is the bookings' forecast; after it, the frozen meal
 * rows, and the two agree; every total (school, class, diet, plain, the special list) is the
 * sum of the meal rows; the CSV has one line per school, class, diet and plain flag whose counts
 * add up to the meals, then the special list; the kitchens' e-mails are one per school with
 * meals. Corrections: bad input refused with nothing changed, remove and add move the ledger
 * with exactly one new entry each (ref meal-fix:<correction>), a repeat changes nothing, the
 * plain flag moves no money; the counts per month and school year follow.
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

#include "services/cutoff_job.h"
#include "services/demo.h"
#include "services/kitchen.h"
#include "services/meal.h"
#include "services/password.h"
#include "services/tenant.h"
#include "store/store.h"
#include "util/log.h"
#include "util/time.h"
#include "web/i18n.h"

#include "unit/demo_db.h"

/* 2026-11-20T07:00:00Z, a Friday: the demo municipality is created at this instant. */
#define T_SEED ((time_t)1795158000)
#define DAY    "2026-11-25" /* a Wednesday: the demo books Giulia a plain meal on it */
#define GIULIA "RSSGLI18E62H501A"
#define MATTEO "SPSMTT17B11F839K"
#define SOFIA  "FRRSFO19T41F205D" /* Milani, diet NO-SUINO */

static int setup(void **state)
{
    return demo_db_setup(state, "kitchen", T_SEED);
}

/* The sheet adds up: classes and diets to their school, schools to the sheet, the special list
   to the pupils with a diet code or a plain meal. */
static void check_sums(const struct kitchen_sheet *s)
{
    long meals = 0, plain = 0, diets = 0;
    for (size_t k = 0; k < s->nschools; k++) {
        const struct kitchen_school *x = &s->schools[k];
        long cm = 0, cp = 0, cd = 0, dm = 0, dp = 0, special = 0;
        for (size_t i = 0; i < x->nclasses; i++) {
            cm += x->classes[i].meals;
            cp += x->classes[i].plain;
            cd += x->classes[i].diets;
        }
        for (size_t i = 0; i < x->ndiet_counts; i++) {
            dm += x->diet_counts[i].meals;
            dp += x->diet_counts[i].plain;
            if (i > 0) /* the normal menu first, then by code */
                assert_true(strcmp(x->diet_counts[i - 1].diet_code, x->diet_counts[i].diet_code) <
                            0);
        }
        for (size_t i = 0; i < x->nspecial; i++) {
            assert_true(x->special[i].diet_code[0] || x->special[i].plain);
            special++;
        }
        assert_int_equal(cm, x->meals);
        assert_int_equal(cp, x->plain);
        assert_int_equal(cd, x->diets);
        assert_int_equal(dm, x->meals);
        assert_int_equal(dp, x->plain);
        long with_diet_or_plain = x->diets;
        for (size_t i = 0; i < x->nspecial; i++)
            if (!x->special[i].diet_code[0])
                with_diet_or_plain++;
        assert_int_equal(special, with_diet_or_plain);
        meals += x->meals;
        plain += x->plain;
        diets += x->diets;
    }
    assert_int_equal(meals, s->meals);
    assert_int_equal(plain, s->plain);
    assert_int_equal(diets, s->diets);
}

static void test_forecast_then_frozen(void **state)
{
    struct fixture *f = *state;
    long long tid = (long long)f->t.id;
    struct kitchen_sheet fc, fz;
    assert_int_equal(kitchen_sheet_load(f->db, &f->a, f->t.id, DAY, 0, &fc), 0);
    assert_false(fc.frozen);
    assert_string_equal(fc.day, DAY);
    assert_true(fc.meals >= 3);
    check_sums(&fc);
    /* The demo's plain-meal request for the day is in the forecast. */
    long long plain = sql_int("SELECT count(*) FROM meal_day WHERE tenant_id = %lld AND day = %Q "
                              "AND state = 'plain'",
                              tid, DAY);
    assert_int_equal(fc.plain, plain);

    struct cutoff_job_result res;
    assert_int_equal(cutoff_job_run(f->db, f->t.id, DAY, "test-node", &res), 0);
    assert_int_equal(kitchen_sheet_load(f->db, &f->a, f->t.id, DAY, 0, &fz), 0);
    assert_true(fz.frozen);
    check_sums(&fz);
    assert_int_equal(fz.meals, fc.meals);
    assert_int_equal(fz.plain, fc.plain);
    assert_int_equal(fz.diets, fc.diets);
    /* Against the meal rows, school by school and class by class. */
    assert_int_equal(fz.meals, sql_int("SELECT count(*) FROM meal WHERE tenant_id = %lld AND "
                                       "day = %Q AND status = 'served'",
                                       tid, DAY));
    for (size_t k = 0; k < fz.nschools; k++) {
        const struct kitchen_school *x = &fz.schools[k];
        assert_int_equal(x->meals, sql_int("SELECT count(*) FROM meal WHERE tenant_id = %lld AND "
                                           "day = %Q AND status = 'served' AND school_id = %lld",
                                           tid, DAY, (long long)x->school_id));
        for (size_t i = 0; i < x->nclasses; i++)
            assert_int_equal(x->classes[i].meals,
                             sql_int("SELECT count(*) FROM meal WHERE tenant_id = %lld AND day = "
                                     "%Q AND status = 'served' AND ifnull(class_id, 0) = %lld",
                                     tid, DAY, (long long)x->classes[i].class_id));
        for (size_t i = 0; i < x->ndiet_counts; i++)
            assert_int_equal(x->diet_counts[i].meals,
                             sql_int("SELECT count(*) FROM meal WHERE tenant_id = %lld AND day = "
                                     "%Q AND status = 'served' AND school_id = %lld AND diet_code "
                                     "= %Q",
                                     tid, DAY, (long long)x->school_id,
                                     x->diet_counts[i].diet_code));
    }
    /* One school: the same figures for it alone. */
    int64_t milani = sql_int("SELECT school_id FROM meal m JOIN pupil p ON p.id = m.pupil_id "
                             "WHERE p.fiscal_code = %Q AND m.day = %Q",
                             SOFIA, DAY);
    assert_true(milani > 0);
    struct kitchen_sheet one;
    assert_int_equal(kitchen_sheet_load(f->db, &f->a, f->t.id, DAY, milani, &one), 0);
    assert_int_equal(one.nschools, 1);
    assert_int_equal(one.schools[0].school_id, milani);
    bool diet = false;
    for (size_t i = 0; i < one.schools[0].nspecial; i++)
        diet |= !strcmp(one.schools[0].special[i].diet_code, "NO-SUINO") &&
                !strcmp(one.schools[0].special[i].surname, "Ferri");
    assert_true(diet);
    /* A malformed day is refused. */
    assert_int_equal(kitchen_sheet_load(f->db, &f->a, f->t.id, "2026-02-30", 0, &one), -1);
}

static void test_csv_and_mail(void **state)
{
    struct fixture *f = *state;
    struct kitchen_sheet s;
    assert_int_equal(kitchen_sheet_load(f->db, &f->a, f->t.id, DAY, 0, &s), 0);
    assert_true(s.frozen);
    struct buf csv;
    buf_init(&csv, 1 << 20);
    assert_int_equal(kitchen_sheet_csv(&s, &csv), 0);
    const char *text = buf_str(&csv);
    assert_memory_equal(text, "\xEF\xBB\xBF", 3);
    char *copy = strdup(text + 3);
    long sum = 0, counted_lines = 0, special_lines = 0;
    int section = 0;
    char *save = NULL;
    for (char *line = strtok_r(copy, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
        size_t cells = 1;
        for (const char *p = line; *p; p++)
            cells += *p == ';';
        if (!strncmp(line, "Scuola;Classe;", 14)) {
            section++;
            assert_int_equal(cells, section == 1 ? 5 : 6);
            continue;
        }
        if (section == 1) {
            assert_int_equal(cells, 5);
            sum += atol(strrchr(line, ';') + 1);
            counted_lines++;
        } else {
            assert_int_equal(cells, 6);
            special_lines++;
        }
    }
    free(copy);
    assert_int_equal(section, 2);
    assert_int_equal(sum, s.meals);
    assert_true(counted_lines >= (long)s.nschools);
    long special = 0;
    for (size_t k = 0; k < s.nschools; k++)
        special += (long)s.schools[k].nspecial;
    assert_int_equal(special_lines, special);
    buf_free(&csv);

    /* The kitchens' e-mails, in the caller's transaction: one per school with meals. */
    long long before = sql_int("SELECT count(*) FROM mail_outbox WHERE kind = 'kitchen_sheet'");
    const char *attachments = "SELECT count(*) FROM mail_attachment a JOIN mail_outbox o ON "
                              "o.id = a.outbox_id WHERE o.kind = 'kitchen_sheet' AND "
                              "a.content_type = 'text/csv' AND a.filename LIKE "
                              "'foglio-cucina-" DAY "-%'";
    long long attached = sql_int("%s", attachments);
    assert_true(before > 0); /* the cut-off's own */
    size_t queued = 0;
    assert_int_equal(db_begin(f->db), DB_OK);
    assert_int_equal(kitchen_mail_queue_tx(f->db, &f->a, &f->t, DAY, &queued), 0);
    assert_int_equal(db_commit(f->db), DB_OK);
    long long schools = sql_int("SELECT count(DISTINCT m.school_id) FROM meal m JOIN school s ON "
                                "s.id = m.school_id WHERE m.day = %Q AND m.status = 'served' AND "
                                "s.kitchen_email <> ''",
                                DAY);
    assert_int_equal(queued, schools);
    assert_int_equal(sql_int("SELECT count(*) FROM mail_outbox WHERE kind = 'kitchen_sheet'"),
                     before + schools);
    assert_int_equal(sql_int("%s", attachments), attached + schools);
    /* Never the medical notes. */
    assert_int_equal(sql_int("SELECT count(*) FROM mail_outbox o JOIN enrollment e ON "
                             "e.diet_notes <> '' AND (instr(o.body_text, e.diet_notes) > 0 OR "
                             "instr(o.body_html, e.diet_notes) > 0) WHERE o.kind = "
                             "'kitchen_sheet'"),
                     0);
}

static void test_corrections(void **state)
{
    struct fixture *f = *state;
    long long tid = (long long)f->t.id;
    int64_t giulia = sql_int("SELECT id FROM pupil WHERE fiscal_code = %Q", GIULIA);
    int64_t matteo = sql_int("SELECT id FROM pupil WHERE fiscal_code = %Q", MATTEO);
    long long price = sql_int("SELECT price_cents FROM meal WHERE pupil_id = %lld AND day = %Q",
                              (long long)giulia, DAY);
    assert_true(price > 0);
    long long entries = sql_int("SELECT count(*) FROM ledger_entry");
    int64_t cid = -1;
    char long_reason[MEAL_REASON_MAX + 2];
    memset(long_reason, 'x', sizeof(long_reason) - 1);
    long_reason[sizeof(long_reason) - 1] = '\0';

    /* Refused, nothing changed. */
    assert_int_equal(meal_correct(f->db, f->t.id, giulia, "2026-13-01", MEAL_FIX_REMOVE,
                                  "Febbre alta", "test", &cid),
                     MEAL_BAD_DATE);
    assert_int_equal(cid, 0);
    assert_int_equal(
        meal_correct(f->db, f->t.id, giulia, DAY, MEAL_FIX_REMOVE, "  ab  ", "test", NULL),
        MEAL_BAD_REASON);
    assert_int_equal(
        meal_correct(f->db, f->t.id, giulia, DAY, MEAL_FIX_REMOVE, long_reason, "test", NULL),
        MEAL_BAD_REASON);
    assert_int_equal(meal_correct(f->db, f->t.id, giulia, DAY, MEAL_FIX_REMOVE, NULL, "test", NULL),
                     MEAL_BAD_REASON);
    assert_int_equal(
        meal_correct(f->db, f->t.id, 999999, DAY, MEAL_FIX_REMOVE, "Febbre alta", "test", NULL),
        MEAL_NOT_FOUND);
    assert_int_equal(
        meal_correct(f->db, f->t.id + 1, giulia, DAY, MEAL_FIX_REMOVE, "Febbre alta", "test", NULL),
        MEAL_NOT_FOUND);
    assert_int_equal(meal_correct(f->db, f->t.id, giulia, "2026-11-27", MEAL_FIX_REMOVE,
                                  "Febbre alta", "test", NULL),
                     MEAL_NOT_FROZEN);
    assert_int_equal(sql_int("SELECT count(*) FROM ledger_entry"), entries);
    assert_int_equal(sql_int("SELECT count(*) FROM meal_correction"), 0);
    assert_int_equal(sql_int("SELECT count(*) FROM meal WHERE status = 'removed'"), 0);

    /* Remove: once, the price given back. */
    assert_int_equal(meal_correct(f->db, f->t.id, giulia, DAY, MEAL_FIX_REMOVE,
                                  " Mandata a casa con la febbre ", "ufficio@test", &cid),
                     MEAL_OK);
    assert_true(cid > 0);
    assert_int_equal(sql_int("SELECT count(*) FROM ledger_entry"), entries + 1);
    assert_int_equal(sql_int("SELECT amount_cents FROM ledger_entry WHERE tenant_id = %lld AND "
                             "ref = 'meal-fix:%lld' AND kind = 'meal' AND pupil_id = %lld AND "
                             "reason = 'Mandata a casa con la febbre'",
                             tid, (long long)cid, (long long)giulia),
                     price);
    assert_int_equal(sql_int("SELECT ledger_entry_id = (SELECT id FROM ledger_entry WHERE ref = "
                             "'meal-fix:%lld') AND action = 'remove' FROM meal_correction WHERE "
                             "id = %lld",
                             (long long)cid, (long long)cid),
                     1);
    assert_int_equal(sql_int("SELECT count(*) FROM audit_log WHERE action = "
                             "'meal.correct.remove' AND entity = 'meal' AND to_state = "
                             "'removed'"),
                     1);
    assert_int_equal(meal_correct(f->db, f->t.id, giulia, DAY, MEAL_FIX_REMOVE, "Ancora febbre",
                                  "ufficio@test", NULL),
                     MEAL_NO_CHANGE);
    assert_int_equal(sql_int("SELECT count(*) FROM ledger_entry"), entries + 1);
    struct kitchen_sheet s;
    long long served =
        sql_int("SELECT count(*) FROM meal WHERE day = %Q AND status = 'served'", DAY);
    assert_int_equal(kitchen_sheet_load(f->db, &f->a, f->t.id, DAY, 0, &s), 0);
    assert_int_equal(s.meals, served);
    check_sums(&s);

    /* Add it back: charged again at the tariff, once. */
    assert_int_equal(meal_correct(f->db, f->t.id, giulia, DAY, MEAL_FIX_ADD, "Era in mensa",
                                  "ufficio@test", &cid),
                     MEAL_OK);
    assert_int_equal(sql_int("SELECT amount_cents FROM ledger_entry WHERE ref = 'meal-fix:%lld'",
                             (long long)cid),
                     -price);
    assert_int_equal(sql_int("SELECT status = 'served' FROM meal WHERE pupil_id = %lld AND day = "
                             "%Q",
                             (long long)giulia, DAY),
                     1);
    assert_int_equal(meal_correct(f->db, f->t.id, giulia, DAY, MEAL_FIX_ADD, "Era in mensa",
                                  "ufficio@test", NULL),
                     MEAL_NO_CHANGE);
    assert_int_equal(sql_int("SELECT count(*) FROM ledger_entry"), entries + 2);

    /* Plain and back: no money. */
    assert_int_equal(meal_correct(f->db, f->t.id, matteo, DAY, MEAL_FIX_PLAIN, "Mal di pancia",
                                  "ufficio@test", NULL),
                     MEAL_OK);
    assert_int_equal(meal_correct(f->db, f->t.id, matteo, DAY, MEAL_FIX_PLAIN, "Mal di pancia",
                                  "ufficio@test", NULL),
                     MEAL_NO_CHANGE);
    assert_int_equal(sql_int("SELECT plain FROM meal WHERE pupil_id = %lld AND day = %Q",
                             (long long)matteo, DAY),
                     1);
    assert_int_equal(meal_correct(f->db, f->t.id, matteo, DAY, MEAL_FIX_UNPLAIN, "Sta meglio",
                                  "ufficio@test", NULL),
                     MEAL_OK);
    assert_int_equal(sql_int("SELECT count(*) FROM ledger_entry"), entries + 2);
    assert_int_equal(sql_int("SELECT ledger_entry_id IS NULL FROM meal_correction WHERE action = "
                             "'plain'"),
                     1);

    /* A pupil with no meal that day (cancelled, or not enrolled): remove changes nothing, add
       needs a confirmed enrollment. */
    int64_t applicant = sql_int("SELECT p.id FROM pupil p JOIN enrollment e ON e.pupil_id = p.id "
                                "WHERE e.status = 'submitted' ORDER BY p.id LIMIT 1");
    assert_true(applicant > 0);
    assert_int_equal(meal_correct(f->db, f->t.id, applicant, DAY, MEAL_FIX_REMOVE, "Assente",
                                  "ufficio@test", NULL),
                     MEAL_NO_CHANGE);
    assert_int_equal(meal_correct(f->db, f->t.id, applicant, DAY, MEAL_FIX_ADD, "Ha mangiato",
                                  "ufficio@test", NULL),
                     MEAL_NOT_ENROLLED);
    assert_int_equal(meal_correct(f->db, f->t.id, applicant, DAY, MEAL_FIX_PLAIN, "In bianco",
                                  "ufficio@test", NULL),
                     MEAL_NOT_FOUND);
    assert_int_equal(sql_int("SELECT count(*) FROM ledger_entry"), entries + 2);
    assert_int_equal(sql_int("SELECT count(*) FROM meal_correction"), 4);
}

static void test_counts(void **state)
{
    struct fixture *f = *state;
    struct meal_count *rows;
    size_t n;
    assert_int_equal(meal_counts_month(f->db, &f->a, f->t.id, "2026-11", 0, &rows, &n), 0);
    long meals = 0, removed = 0, day_meals = 0;
    int64_t charged = 0;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(strncmp(rows[i].key, "2026-11-", 8), 0);
        if (i > 0)
            assert_true(strcmp(rows[i - 1].key, rows[i].key) <= 0);
        meals += rows[i].meals;
        removed += rows[i].removed;
        charged += rows[i].charged_cents;
        if (!strcmp(rows[i].key, DAY))
            day_meals += rows[i].meals;
    }
    assert_int_equal(meals, sql_int("SELECT count(*) FROM meal WHERE day LIKE '2026-11-%%' AND "
                                    "status = 'served'"));
    assert_int_equal(removed, sql_int("SELECT count(*) FROM meal WHERE day LIKE '2026-11-%%' AND "
                                      "status = 'removed'"));
    assert_int_equal(charged, sql_int("SELECT sum(price_cents) FROM meal WHERE day LIKE "
                                      "'2026-11-%%' AND status = 'served'"));
    assert_int_equal(
        day_meals, sql_int("SELECT count(*) FROM meal WHERE day = %Q AND status = 'served'", DAY));
    assert_int_equal(meal_counts_month(f->db, &f->a, f->t.id, "2026-1", 0, &rows, &n), -1);
    int64_t year_id;
    const char *label;
    assert_int_equal(
        meal_school_year(f->db, &f->a, f->t.id, "2026-11-01", "2026-11-31", &year_id, &label), 1);
    assert_string_equal(label, "2026/2027");
    struct meal_count *months;
    size_t nm;
    assert_int_equal(meal_counts_year(f->db, &f->a, f->t.id, year_id, 0, &months, &nm), 0);
    long year_meals = 0, november = 0;
    for (size_t i = 0; i < nm; i++) {
        year_meals += months[i].meals;
        if (!strcmp(months[i].key, "2026-11"))
            november += months[i].meals;
    }
    assert_int_equal(november, meals);
    assert_int_equal(year_meals, sql_int("SELECT count(*) FROM meal WHERE day BETWEEN "
                                         "'2026-09-14' AND '2027-06-30' AND status = 'served'"));
    struct meal_row *day;
    size_t nd;
    assert_int_equal(meal_day_rows(f->db, &f->a, f->t.id, DAY, 0, &day, &nd), 0);
    assert_int_equal(nd, sql_int("SELECT count(*) FROM meal WHERE day = %Q", DAY));
    long corrections = 0;
    for (size_t i = 0; i < nd; i++)
        corrections += day[i].corrections;
    assert_int_equal(corrections, sql_int("SELECT count(*) FROM meal_correction"));
    struct meal_pupil p;
    assert_int_equal(meal_pupil_find(f->db, &f->a, f->t.id, 0, GIULIA, &p), 1);
    assert_string_equal(p.name, "Giulia");
    assert_int_equal(meal_pupil_find(f->db, &f->a, f->t.id + 1, p.id, NULL, &p), 0);
}

static void test_names(void **state)
{
    for (int i = MEAL_FIX_REMOVE; i <= MEAL_FIX_UNPLAIN; i++) {
        enum meal_fix back;
        assert_true(meal_fix_parse(meal_fix_name((enum meal_fix)i), &back));
        assert_int_equal(back, i);
    }
    enum meal_fix x;
    assert_false(meal_fix_parse("delete", &x));
    assert_false(meal_fix_parse(NULL, &x));
    for (int e = MEAL_OK; e <= MEAL_DB; e++)
        assert_true(meal_strerror((enum meal_err)e)[0] != '\0');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forecast_then_frozen),
        cmocka_unit_test(test_csv_and_mail),
        cmocka_unit_test(test_corrections),
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, setup, demo_db_teardown);
}
