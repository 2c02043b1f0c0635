/* The cut-off job and its scheduler; see cutoff_job.h. */
#include "services/cutoff_job.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/cutoff.h"
#include "domain/school_calendar.h"
#include "domain/tariff.h"
#include "services/audit.h"
#include "services/calendar.h"
#include "services/kitchen.h"
#include "services/ledger.h"
#include "services/tariff.h"
#include "services/tenant.h"
#include "util/log.h"
#include "util/time.h"
#include "web/i18n.h"

#define CUTOFF_CATCH_UP_DAYS 7 /* the scheduler freezes days at most this many days back */
#define CUTOFF_CREATED_BY    "cut-off"

/* ---- the eaters ----------------------------------------------------------------------------- */

/* One confirmed enrollment of the day's school year (STMT_CUTOFF_ENROLLMENTS), and the eater it
   makes when it counts. */
struct cutoff_row {
    struct cutoff_eater e;
    int64_t year_id, band;
    int kind; /* enum school_kind; -1 for an enrollment without a school */
    bool resident;
    int rank;         /* sibling rank */
    bool own;         /* the pupil belongs to the enrollment's guardian */
    bool cancelled;   /* a 'cancelled' meal_day row */
    bool chose_day;   /* the family chose the weekday */
    char birth[12];   /* "YYYY-MM-DD" */
    char decided[24]; /* UTC ISO-8601, fixed width; "" when never decided */
};

/* The day's enrollments and, pointing into them, its eaters ordered by school, class and pupil. */
struct cutoff_set {
    struct arena a; /* diet codes, calendars */
    struct cutoff_row *rows;
    size_t n, cap;
    struct cutoff_row **eaters;
    size_t neaters;
};

static void cutoff_set_free(struct cutoff_set *s)
{
    free(s->rows);
    free(s->eaters);
    arena_free(&s->a);
}

/* The school calendars a scan has loaded, one per (school, school year), each loaded once. */
struct cutoff_cals {
    struct arena *a;
    struct calendar *cal;
    bool *exists; /* calendar_load found the school and year */
    size_t n, cap;
};

/* The calendar of (school, year), loaded on first use: 1 (*out set; NULL when the school or year
   is not the tenant's), -1 on a database error. */
static int cutoff_calendar(struct db *db, struct cutoff_cals *c, int64_t tenant_id,
                           int64_t school_id, int64_t year_id, const struct calendar **out)
{
    for (size_t i = c->n; i-- > 0;)
        if (c->cal[i].school_id == school_id && c->cal[i].school_year_id == year_id) {
            *out = c->exists[i] ? &c->cal[i] : NULL;
            return 1;
        }
    if (c->n == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 32;
        struct calendar *ncal = arena_calloc(c->a, ncap, sizeof(*ncal));
        bool *nex = arena_calloc(c->a, ncap, sizeof(*nex));
        if (c->n) {
            memcpy(ncal, c->cal, c->n * sizeof(*ncal));
            memcpy(nex, c->exists, c->n * sizeof(*nex));
        }
        /* Loaded calendars point into the arena, never into this array: copying them is safe. */
        c->cal = ncal;
        c->exists = nex;
        c->cap = ncap;
    }
    struct calendar *cal = &c->cal[c->n];
    int rc = calendar_load(db, c->a, tenant_id, school_id, year_id, cal);
    if (rc < 0)
        return -1;
    cal->school_id = school_id;
    cal->school_year_id = year_id;
    c->exists[c->n++] = rc == 1;
    *out = rc == 1 ? cal : NULL;
    return 1;
}

static int cutoff_cmp_i64(int64_t a, int64_t b)
{
    return (a > b) - (a < b);
}

/* Siblings: by guardian and school year, then birth date and pupil. */
static int cutoff_cmp_family(const void *x, const void *y)
{
    const struct cutoff_row *a = *(struct cutoff_row *const *)x,
                            *b = *(struct cutoff_row *const *)y;
    int c = cutoff_cmp_i64(a->e.guardian_id, b->e.guardian_id);
    if (!c)
        c = cutoff_cmp_i64(a->year_id, b->year_id);
    if (!c)
        c = strcmp(a->birth, b->birth);
    return c ? c : cutoff_cmp_i64(a->e.pupil_id, b->e.pupil_id);
}

/* A pupil's enrollments, the newest decision first. */
static int cutoff_cmp_decision(const void *x, const void *y)
{
    const struct cutoff_row *a = *(struct cutoff_row *const *)x,
                            *b = *(struct cutoff_row *const *)y;
    int c = cutoff_cmp_i64(a->e.pupil_id, b->e.pupil_id);
    if (!c)
        c = -strcmp(a->decided, b->decided);
    return c ? c : -cutoff_cmp_i64(a->e.enrollment_id, b->e.enrollment_id);
}

/* The order of the eaters: school, class, pupil. */
static int cutoff_cmp_place(const void *x, const void *y)
{
    const struct cutoff_row *a = *(struct cutoff_row *const *)x,
                            *b = *(struct cutoff_row *const *)y;
    int c = cutoff_cmp_i64(a->e.school_id, b->e.school_id);
    if (!c)
        c = cutoff_cmp_i64(a->e.class_id, b->e.class_id);
    return c ? c : cutoff_cmp_i64(a->e.pupil_id, b->e.pupil_id);
}

/* Reads the day's confirmed enrollments into s->rows. 0 or -1. */
static int cutoff_read(struct db *db, int64_t tenant_id, const char *day, char weekday,
                       struct cutoff_set *s)
{
    struct db_stmt *st = db_stmt(db, STMT_CUTOFF_ENROLLMENTS);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_text(st, 2, day);
    enum db_err e;
    int rc = 0;
    while ((e = db_step(st)) == DB_ROW) {
        if (s->n == s->cap) {
            size_t ncap = s->cap ? s->cap * 2 : 1024;
            struct cutoff_row *bigger = realloc(s->rows, ncap * sizeof(*bigger));
            if (!bigger) {
                log_error("cut-off: out of memory", "day", day);
                rc = -1;
                break;
            }
            s->rows = bigger;
            s->cap = ncap;
        }
        struct cutoff_row *r = &s->rows[s->n++];
        memset(r, 0, sizeof(*r));
        r->e.enrollment_id = db_col_int(st, 0);
        r->e.pupil_id = db_col_int(st, 1);
        r->e.guardian_id = db_col_int(st, 2);
        r->e.school_id = db_col_int(st, 3);
        r->e.class_id = db_col_int(st, 4);
        r->year_id = db_col_int(st, 5);
        const char *weekdays = db_col_text(st, 6);
        r->chose_day = !weekdays[0] || strchr(weekdays, weekday) != NULL;
        const char *diet = db_col_text(st, 7);
        r->e.diet_code = diet[0] ? arena_strdup(&s->a, diet) : "";
        const char *state = db_col_text(st, 8);
        r->cancelled = !strcmp(state, "cancelled");
        r->e.plain = !strcmp(state, "plain");
        enum school_kind kind;
        r->kind = school_kind_parse(db_col_text(st, 9), &kind) ? (int)kind : -1;
        r->band = db_col_int(st, 10);
        r->resident = db_col_int(st, 11) != 0;
        r->own = db_col_int(st, 12) != 0;
        snprintf(r->birth, sizeof(r->birth), "%s", db_col_text(st, 13));
        snprintf(r->decided, sizeof(r->decided), "%s", db_col_text(st, 14));
    }
    db_reset(st);
    return rc == 0 && e == DB_DONE ? 0 : -1;
}

/* Everyone eating on day by the bookings and the school calendars, with their price situation,
   into s (free it with cutoff_set_free). One query reads the year's confirmed enrollments with
   the day's booking changes; the rest is decided here over the whole set: each pupil's
   enrollment that counts, the sibling ranks, the weekday and cancellations, then the calendar
   rules (dates, weekdays and holidays of the school, exceptions for the school or the class),
   asked once per school and class. 0 or -1. */
static int cutoff_load(struct db *db, int64_t tenant_id, const char *day, struct cutoff_set *s)
{
    memset(s, 0, sizeof(*s));
    arena_init(&s->a, 16384);
    long dayno;
    if (!day || !school_calendar_parse_day(day, &dayno))
        return -1;
    char weekday = (char)('0' + school_calendar_weekday(dayno));
    if (cutoff_read(db, tenant_id, day, weekday, s) != 0)
        return -1;
    s->eaters = malloc((s->n ? s->n : 1) * sizeof(*s->eaters));
    if (!s->eaters) {
        log_error("cut-off: out of memory", "day", day);
        return -1;
    }
    struct cutoff_row **v = s->eaters;
    /* Sibling ranks: the dense rank of (birth date, pupil) among the guardian's enrollments of
       the school year (a pupil enrolled twice counts once). */
    for (size_t i = 0; i < s->n; i++)
        v[i] = &s->rows[i];
    qsort(v, s->n, sizeof(*v), cutoff_cmp_family);
    for (size_t i = 0; i < s->n; i++) {
        bool same_family = i > 0 && v[i]->e.guardian_id == v[i - 1]->e.guardian_id &&
                           v[i]->year_id == v[i - 1]->year_id;
        if (!same_family)
            v[i]->rank = 1;
        else
            v[i]->rank = v[i - 1]->rank + (v[i]->e.pupil_id != v[i - 1]->e.pupil_id);
    }
    /* The enrollment that counts for each pupil: the newest decision of their own. */
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->rows[i].own)
            v[n++] = &s->rows[i];
    qsort(v, n, sizeof(*v), cutoff_cmp_decision);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && v[i]->e.pupil_id == v[i - 1]->e.pupil_id)
            continue;
        if (v[i]->chose_day && !v[i]->cancelled && v[i]->e.school_id > 0 && v[i]->kind >= 0)
            v[k++] = v[i];
    }
    /* The calendars, per school and class. */
    qsort(v, k, sizeof(*v), cutoff_cmp_place);
    struct cutoff_cals cals = {.a = &s->a};
    bool serves = false;
    s->neaters = 0;
    for (size_t i = 0; i < k; i++) {
        const struct cutoff_row *r = v[i];
        if (i == 0 || r->e.school_id != v[i - 1]->e.school_id ||
            r->e.class_id != v[i - 1]->e.class_id || r->year_id != v[i - 1]->year_id) {
            const struct calendar *cal;
            if (cutoff_calendar(db, &cals, tenant_id, r->e.school_id, r->year_id, &cal) < 0)
                return -1;
            serves =
                cal && school_calendar_has_service(&cal->cal, dayno, r->e.class_id, NULL, NULL);
        }
        if (serves)
            v[s->neaters++] = v[i];
    }
    return 0;
}

int cutoff_job_eaters(struct db *db, int64_t tenant_id, const char *day, cutoff_eater_fn fn,
                      void *ctx)
{
    if (!fn)
        return -1;
    struct cutoff_set s;
    int rc = cutoff_load(db, tenant_id, day, &s);
    for (size_t i = 0; rc == 0 && i < s.neaters; i++)
        rc = fn(&s.eaters[i]->e, ctx);
    cutoff_set_free(&s);
    return rc;
}

/* ---- the job's body ------------------------------------------------------------------------- */

/* A meal already stored for the day. */
struct cutoff_meal {
    int64_t id, pupil_id, guardian_id, price_cents, ledger_entry_id;
};

static int cutoff_meal_cmp(const void *key, const void *elem)
{
    int64_t k = *(const int64_t *)key, p = ((const struct cutoff_meal *)elem)->pupil_id;
    return (k > p) - (k < p);
}

/* The day's stored meals, by pupil, into the arena. 0 or -1. */
static int cutoff_read_meals(struct db *db, struct arena *a, int64_t tenant_id, const char *day,
                             struct cutoff_meal **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    struct db_stmt *st = db_stmt(db, STMT_CUTOFF_MEALS_OF_DAY);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_text(st, 2, day);
    size_t cap = 0;
    enum db_err e;
    while ((e = db_step(st)) == DB_ROW) {
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 256;
            struct cutoff_meal *bigger = arena_calloc(a, ncap, sizeof(*bigger));
            if (*n)
                memcpy(bigger, *out, *n * sizeof(*bigger));
            *out = bigger;
            cap = ncap;
        }
        (*out)[(*n)++] = (struct cutoff_meal){.id = db_col_int(st, 0),
                                              .pupil_id = db_col_int(st, 1),
                                              .guardian_id = db_col_int(st, 2),
                                              .price_cents = db_col_int(st, 3),
                                              .ledger_entry_id = db_col_int(st, 4)};
    }
    db_reset(st);
    return e == DB_DONE ? 0 : -1;
}

/* The id of the ledger entry with ref: 1 found, 0 not, -1 error. */
static int cutoff_entry_by_ref(struct db *db, int64_t tenant_id, const char *ref, int64_t *id)
{
    struct db_stmt *st = db_stmt(db, STMT_LEDGER_ID_BY_REF);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_text(st, 2, ref);
    enum db_err e = db_step(st);
    if (e == DB_ROW)
        *id = db_col_int(st, 0);
    db_reset(st);
    return e == DB_ROW ? 1 : e == DB_DONE ? 0 : -1;
}

/* What the body does with one new meal. */
struct cutoff_new {
    const struct cutoff_row *row;
    int64_t price_cents;
    long entry; /* index in the entries, -1 for none */
};

/* The body inside the claim's transaction: everything but the finish. 0, or -1 (roll back). */
static int cutoff_body(struct db *db, struct arena *a, int64_t tenant_id, const char *day,
                       const struct job_claim *claim, struct cutoff_job_result *res)
{
    struct cutoff_set set;
    struct cutoff_new *fresh = NULL;
    struct ledger_new *entries = NULL;
    int64_t *ids = NULL;
    size_t *repair = NULL; /* stored meals left without their charge, by index */
    int rc = -1;
    /* 1. who eats, by the bookings as they are now (read inside this transaction). */
    if (cutoff_load(db, tenant_id, day, &set) != 0)
        goto out;
    struct cutoff_meal *stored;
    size_t nstored;
    if (cutoff_read_meals(db, a, tenant_id, day, &stored, &nstored) != 0)
        goto out;
    /* 2. the prices: the list in force that day, loaded once; each pupil's situation came with
       the eaters, so tariff_compute prices them as tariff_for_pupil would one by one. */
    struct tariff_list list;
    int has_list = tariff_list_in_force(db, a, tenant_id, day, &list);
    if (has_list < 0)
        goto out;
    struct tariff_rules rules = has_list ? tariff_list_rules(&list) : (struct tariff_rules){0};
    fresh = calloc(set.neaters ? set.neaters : 1, sizeof(*fresh));
    /* An entry per new priced meal, and per stored meal left without its charge by a run that
       stopped part-way. */
    entries = calloc(set.neaters + nstored + 1, sizeof(*entries));
    ids = calloc(set.neaters + nstored + 1, sizeof(*ids));
    repair = calloc(nstored + 1, sizeof(*repair));
    if (!fresh || !entries || !ids || !repair) {
        log_error("cut-off: out of memory", "day", day);
        goto out;
    }
    int y, m, d;
    time_parse_date(day, &y, &m, &d);
    const char *description =
        arena_printf(a, "%s %02d/%02d/%04d", tr("it", N_("Meal on")), d, m, y);
    size_t nfresh = 0, nentries = 0, nrepair = 0;
    for (size_t i = 0; i < set.neaters; i++) {
        const struct cutoff_row *r = set.eaters[i];
        if (nstored && bsearch(&r->e.pupil_id, stored, nstored, sizeof(*stored), cutoff_meal_cmp))
            continue; /* frozen by an earlier run: neither a new meal nor a new charge */
        struct cutoff_new *f = &fresh[nfresh++];
        f->row = r;
        f->entry = -1;
        struct tariff_price price;
        enum tariff_err te = TARIFF_NO_PRICE;
        if (has_list) {
            struct tariff_pupil p = {.kind = r->kind,
                                     .isee_band_id = r->band,
                                     .resident = r->resident,
                                     .sibling_rank = r->rank};
            te = tariff_compute(&rules, &p, &price);
        }
        if (te == TARIFF_NO_PRICE) {
            res->unpriced++;
            continue;
        }
        if (te != TARIFF_OK) {
            log_error("cut-off: the price list in force is not usable", "day", day);
            goto out;
        }
        f->price_cents = price.price_cents;
        if (f->price_cents == 0)
            continue; /* a free meal: nothing to charge */
        f->entry = (long)nentries;
        entries[nentries++] = (struct ledger_new){
            .guardian_id = r->e.guardian_id,
            .pupil_id = r->e.pupil_id,
            .kind = LEDGER_MEAL,
            .amount_cents = -f->price_cents,
            .description = description,
            .ref = arena_printf(a, "meal:%lld:%s", (long long)r->e.pupil_id, day),
            .created_by = CUTOFF_CREATED_BY};
    }
    size_t first_repair = nentries;
    for (size_t i = 0; i < nstored; i++) {
        const struct cutoff_meal *s = &stored[i];
        if (s->price_cents <= 0 || s->ledger_entry_id)
            continue;
        repair[nrepair++] = i;
        entries[nentries++] =
            (struct ledger_new){.guardian_id = s->guardian_id,
                                .pupil_id = s->pupil_id,
                                .kind = LEDGER_MEAL,
                                .amount_cents = -s->price_cents,
                                .description = description,
                                .ref = arena_printf(a, "meal:%lld:%s", (long long)s->pupil_id, day),
                                .created_by = CUTOFF_CREATED_BY};
    }
    /* 3. the charges, once: a ref already used is a charge made by an earlier run. */
    size_t taken = 0;
    if (ledger_append_many(db, tenant_id, entries, nentries, ids, &taken) != 0)
        goto out;
    for (size_t i = 0; i < nentries; i++) {
        if (ids[i]) {
            res->charged++;
            res->charged_cents -= entries[i].amount_cents;
        } else if (cutoff_entry_by_ref(db, tenant_id, entries[i].ref, &ids[i]) != 1) {
            goto out;
        }
    }
    /* 4. the meal rows, each with its charge. */
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    for (size_t i = 0; i < nfresh; i++) {
        const struct cutoff_new *f = &fresh[i];
        struct db_stmt *st = db_stmt(db, STMT_CUTOFF_MEAL_INSERT);
        if (!st)
            goto out;
        db_bind_int(st, 1, tenant_id);
        db_bind_text(st, 2, day);
        db_bind_int(st, 3, f->row->e.pupil_id);
        db_bind_int(st, 4, f->row->e.guardian_id);
        db_bind_int(st, 5, f->row->e.enrollment_id);
        db_bind_int(st, 6, f->row->e.school_id);
        db_bind_int(st, 7, f->row->e.class_id);
        db_bind_text(st, 8, f->row->e.diet_code);
        db_bind_int(st, 9, f->row->e.plain ? 1 : 0);
        db_bind_int(st, 10, f->price_cents);
        db_bind_int(st, 11, f->entry >= 0 ? ids[f->entry] : 0);
        db_bind_text(st, 12, now);
        /* The write lock is held since the stored meals were read: the row cannot be there. */
        if (db_exec_stmt(st) != DB_OK || db_changes(db) != 1) {
            log_error("cut-off: a meal could not be stored", "day", day, "error", db_errmsg(db));
            goto out;
        }
        res->meals++;
        if (f->row->e.plain)
            res->plain++;
    }
    for (size_t i = 0; i < nrepair; i++) {
        struct db_stmt *st = db_stmt(db, STMT_CUTOFF_MEAL_SET_LEDGER);
        if (!st)
            goto out;
        db_bind_int(st, 1, tenant_id);
        db_bind_int(st, 2, stored[repair[i]].id);
        db_bind_int(st, 3, ids[first_repair + i]);
        if (db_exec_stmt(st) != DB_OK)
            goto out;
    }
    /* 5. the kitchens' e-mails, only for rows new in this run. */
    if (res->meals > 0) {
        struct tenant t;
        size_t queued = 0;
        if (tenant_find_id(db, a, tenant_id, &t) != 1 ||
            kitchen_mail_queue_tx(db, a, &t, day, &queued) != 0)
            goto out;
        res->mails = (long)queued;
    }
    /* 6. the record. */
    char detail[256];
    snprintf(detail, sizeof(detail),
             "%s: %ld meals (%ld plain), %ld charged for %lld cents, %ld without a price, "
             "%zu charges already made, %ld kitchen e-mails",
             day, res->meals, res->plain, res->charged, (long long)res->charged_cents,
             res->unpriced, taken, res->mails);
    struct audit_entry ae = {.tenant_id = tenant_id,
                             .actor = AUDIT_SYSTEM,
                             .actor_label = claim->node,
                             .action = "meal.cutoff",
                             .entity = "job_run",
                             .entity_id = claim->id,
                             .to_state = "frozen",
                             .detail = detail};
    rc = audit_record(db, &ae);
out:
    cutoff_set_free(&set);
    free(fresh);
    free(entries);
    free(ids);
    free(repair);
    return rc;
}

int cutoff_job_run(struct db *db, int64_t tenant_id, const char *day, const char *node,
                   struct cutoff_job_result *res)
{
    memset(res, 0, sizeof(*res));
    long dayno;
    if (tenant_id <= 0 || !day || !school_calendar_parse_day(day, &dayno)) {
        res->claim = JOB_INVALID;
        return -1;
    }
    struct job_claim claim;
    res->claim = job_claim(db, tenant_id, CUTOFF_JOB_KIND, day, node, CUTOFF_JOB_LEASE, &claim);
    switch (res->claim) {
    case JOB_CLAIMED:
        break;
    case JOB_ALREADY_DONE:
        return 0;
    case JOB_BUSY:
        return 1;
    default:
        return -1;
    }
    if (db_begin(db) != DB_OK) {
        log_error("cut-off: cannot begin", "day", day, "error", db_errmsg(db));
        job_fail(db, &claim, "the transaction could not begin");
        return -1;
    }
    struct arena a;
    arena_init(&a, 65536);
    const char *failure = "the meals could not be frozen (see the server log)";
    int rc = cutoff_body(db, &a, tenant_id, day, &claim, res);
    if (rc == 0) {
        char summary[256];
        snprintf(summary, sizeof(summary),
                 "%ld meals (%ld plain), %ld charged for %lld cents, %ld without a price, "
                 "%ld kitchen e-mails",
                 res->meals, res->plain, res->charged, (long long)res->charged_cents, res->unpriced,
                 res->mails);
        enum job_err je = job_finish_tx(db, &claim, summary);
        if (je == JOB_LOST) {
            /* Our lease ran out and another node took the run over: its result stands. */
            db_rollback(db);
            arena_free(&a);
            memset(res, 0, sizeof(*res));
            res->claim = JOB_LOST;
            return 1;
        }
        if (je != JOB_OK)
            rc = -1;
        else if (db_commit(db) != DB_OK) {
            failure = "the meals could not be committed";
            rc = -1;
        }
        if (rc == 0)
            log_info("cut-off done", "day", day, "result", summary);
    }
    if (rc != 0) {
        log_error("cut-off failed", "day", day, "error", db_errmsg(db));
        db_rollback(db);
        job_fail(db, &claim, failure);
        memset(res, 0, sizeof(*res));
        res->claim = JOB_CLAIMED;
    }
    arena_free(&a);
    return rc;
}

/* ---- the scheduler -------------------------------------------------------------------------- */

int cutoff_job_frozen_days(struct db *db, int64_t tenant_id, long first, long last, bool *frozen)
{
    if (last < first)
        return 0;
    memset(frozen, 0, (size_t)(last - first + 1) * sizeof(*frozen));
    char from[SCHOOL_CALENDAR_DAY_SIZE], to[SCHOOL_CALENDAR_DAY_SIZE];
    school_calendar_format_day(first, from);
    school_calendar_format_day(last, to);
    struct db_stmt *st = db_stmt(db, STMT_CUTOFF_DONE_DAYS);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_text(st, 2, CUTOFF_JOB_KIND);
    db_bind_text(st, 3, from);
    db_bind_text(st, 4, to);
    enum db_err e;
    while ((e = db_step(st)) == DB_ROW) {
        long d;
        if (school_calendar_parse_day(db_col_text(st, 0), &d) && d >= first && d <= last)
            frozen[d - first] = true;
    }
    db_reset(st);
    return e == DB_DONE ? 0 : -1;
}

int cutoff_job_frozen(struct db *db, int64_t tenant_id, const char *day)
{
    long d;
    bool frozen;
    if (!school_calendar_parse_day(day, &d))
        return -1;
    return cutoff_job_frozen_days(db, tenant_id, d, d, &frozen) != 0 ? -1 : frozen;
}

struct cutoff_tenant {
    int64_t id;
    struct cutoff_rule rule;
    bool rule_ok;
    char created_at[TIME_ISO_MAX];
};

int cutoff_job_tick(struct db *db, time_t now, const char *node)
{
    /* The tenants first: the runs below use the connection's statements and transactions. */
    struct arena a;
    arena_init(&a, 4096);
    struct cutoff_tenant *tenants = NULL;
    size_t n = 0, cap = 0;
    struct db_stmt *st = db_stmt(db, STMT_CUTOFF_TENANTS);
    if (!st) {
        arena_free(&a);
        return -1;
    }
    enum db_err e;
    while ((e = db_step(st)) == DB_ROW) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct cutoff_tenant *bigger = arena_calloc(&a, ncap, sizeof(*bigger));
            if (n)
                memcpy(bigger, tenants, n * sizeof(*bigger));
            tenants = bigger;
            cap = ncap;
        }
        struct cutoff_tenant *t = &tenants[n++];
        t->id = db_col_int(st, 0);
        t->rule_ok =
            cutoff_rule_parse(db_col_text(st, 1), db_col_text(st, 2), &t->rule) == CUTOFF_OK;
        snprintf(t->created_at, sizeof(t->created_at), "%s", db_col_text(st, 3));
    }
    db_reset(st);
    if (e != DB_DONE) {
        arena_free(&a);
        return -1;
    }
    long today = cutoff_rome_day(now), first = today - CUTOFF_CATCH_UP_DAYS;
    int runs = 0, rc = 0;
    for (size_t i = 0; i < n; i++) {
        const struct cutoff_tenant *t = &tenants[i];
        char id[24];
        snprintf(id, sizeof(id), "%lld", (long long)t->id);
        if (!t->rule_ok) {
            log_warn("cut-off: the municipality's cut-off time is not valid", "tenant", id);
            continue;
        }
        bool done[CUTOFF_CATCH_UP_DAYS + 1];
        if (cutoff_job_frozen_days(db, t->id, first, today, done) != 0) {
            rc = -1;
            continue;
        }
        for (long d = first; d <= today; d++) {
            if (done[d - first])
                continue;
            time_t closes = cutoff_closes_at(&t->rule, d);
            if (closes > now)
                continue;
            /* A cut-off that passed before the municipality was set up here is not ours: its
               families could not cancel through us, so nothing of that day is frozen. */
            char closes_iso[TIME_ISO_MAX];
            time_iso(closes, closes_iso);
            if (strcmp(closes_iso, t->created_at) <= 0)
                continue;
            char day[SCHOOL_CALENDAR_DAY_SIZE];
            school_calendar_format_day(d, day);
            struct cutoff_job_result res;
            int r = cutoff_job_run(db, t->id, day, node, &res);
            if (r == 0 && res.claim == JOB_CLAIMED)
                runs++;
            else if (r < 0)
                log_warn("cut-off: the run failed and will be retried", "tenant", id, "day", day);
        }
    }
    arena_free(&a);
    return rc < 0 ? -1 : runs;
}
