/* Frozen meals for the office: counts, a day's rows and corrections; see meal.h. */
#include "services/meal.h"

#include <stdio.h>
#include <string.h>

#include "services/audit.h"
#include "services/calendar.h"
#include "services/cutoff_job.h"
#include "services/ledger.h"
#include "services/tariff.h"
#include "store/stmt.h"
#include "util/log.h"
#include "util/time.h"
#include "util/time_local.h"
#include "web/i18n.h"

#define MEAL_DAY_ROWS_MAX   20000 /* meal rows of one day read at once (a large city's day) */
#define MEAL_COUNT_ROWS_MAX 5000  /* day-and-school or month-and-school rows of one answer */

const char *meal_fix_name(enum meal_fix f)
{
    switch (f) {
    case MEAL_FIX_REMOVE:
        return "remove";
    case MEAL_FIX_ADD:
        return "add";
    case MEAL_FIX_PLAIN:
        return "plain";
    case MEAL_FIX_UNPLAIN:
        return "unplain";
    }
    return "remove";
}

bool meal_fix_parse(const char *s, enum meal_fix *out)
{
    for (int f = MEAL_FIX_REMOVE; s && f <= MEAL_FIX_UNPLAIN; f++)
        if (!strcmp(s, meal_fix_name((enum meal_fix)f))) {
            *out = (enum meal_fix)f;
            return true;
        }
    return false;
}

const char *meal_strerror(enum meal_err e)
{
    switch (e) {
    case MEAL_OK:
        return N_("The correction was recorded.");
    case MEAL_NOT_FOUND:
        return N_("This pupil has no meal on this day.");
    case MEAL_NOT_FROZEN:
        return N_("This day has not been frozen yet: change the pupil's booking instead.");
    case MEAL_NO_CHANGE:
        return N_("The meal is already so: nothing changed.");
    case MEAL_NOT_ENROLLED:
        return N_("The pupil has no confirmed enrollment for this day.");
    case MEAL_BAD_REASON:
        return N_("Write the reason: from 3 to 500 characters.");
    case MEAL_BAD_DATE:
        return N_("Enter a date like 15/01/2027.");
    case MEAL_DB:
        break;
    }
    return N_("Something went wrong on our side: try again.");
}

/* ---- corrections ------------------------------------------------------------------------ */

/* The reason without the blanks around it, copied into buf; NULL when it does not fit. */
static const char *meal_reason_trim(char *buf, size_t size, const char *reason)
{
    while (*reason == ' ' || *reason == '\t' || *reason == '\r' || *reason == '\n')
        reason++;
    size_t n = strlen(reason);
    while (n > 0 && (reason[n - 1] == ' ' || reason[n - 1] == '\t' || reason[n - 1] == '\r' ||
                     reason[n - 1] == '\n'))
        n--;
    if (n >= size)
        return NULL;
    memcpy(buf, reason, n);
    buf[n] = '\0';
    return buf;
}

/* Characters (UTF-8 code points) of s. */
static size_t meal_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

struct meal_state {
    int64_t id, guardian_id, price_cents;
    char status[16];
    bool plain;
};

/* The meal row of the pupil on the day: 1, 0 none, -1. */
static int meal_find(struct db *db, int64_t tenant_id, int64_t pupil_id, const char *day,
                     struct meal_state *out)
{
    memset(out, 0, sizeof(*out));
    struct db_stmt *st = db_stmt(db, STMT_OFFICE_MEAL_FIND);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, pupil_id);
    db_bind_text(st, 3, day);
    enum db_err e = db_step(st);
    if (e == DB_ROW) {
        out->id = db_col_int(st, 0);
        snprintf(out->status, sizeof(out->status), "%s", db_col_text(st, 1));
        out->plain = db_col_int(st, 2) != 0;
        out->price_cents = db_col_int(st, 3);
        out->guardian_id = db_col_int(st, 4);
    }
    db_reset(st);
    return e == DB_ROW ? 1 : e == DB_DONE ? 0 : -1;
}

/* What one correction does, filled in step by step inside the transaction. */
struct meal_fix_job {
    int64_t tenant_id, pupil_id;
    const char *day, *reason, *actor;
    enum meal_fix fix;
    int64_t correction_id, meal_id, entry_id;
    const char *from_state, *to_state;
};

/* The refund or charge of the correction: kind meal, ref "meal-fix:<correction id>". */
static enum meal_err meal_ledger(struct db *db, struct meal_fix_job *j, int64_t guardian_id,
                                 int64_t amount_cents)
{
    if (amount_cents == 0)
        return MEAL_OK; /* a meal without a price moves no money */
    char ref[64], description[160];
    snprintf(ref, sizeof(ref), "meal-fix:%lld", (long long)j->correction_id);
    int y = 0, m = 0, d = 0;
    time_parse_date(j->day, &y, &m, &d);
    snprintf(description, sizeof(description), "%s %02d/%02d/%04d",
             tr(I18N_DEFAULT_LANG, amount_cents > 0 ? N_("Refund of the meal of")
                                                    : N_("Meal added by the office, day")),
             d, m, y);
    struct ledger_new e = {.guardian_id = guardian_id,
                           .pupil_id = j->pupil_id,
                           .kind = LEDGER_MEAL,
                           .amount_cents = amount_cents,
                           .description = description,
                           .reason = j->reason,
                           .ref = ref,
                           .created_by = j->actor};
    int rc = ledger_append(db, j->tenant_id, &e, &j->entry_id);
    if (rc != 0) {
        log_error("meal: the correction's ledger entry failed", "ref", ref);
        return MEAL_DB;
    }
    return MEAL_OK;
}

static enum meal_err meal_fix_remove(struct db *db, struct meal_fix_job *j,
                                     const struct meal_state *ms)
{
    if (strcmp(ms->status, "served") != 0)
        return MEAL_NO_CHANGE;
    struct db_stmt *st = db_stmt(db, STMT_OFFICE_MEAL_REMOVE);
    if (!st)
        return MEAL_DB;
    db_bind_int(st, 1, j->tenant_id);
    db_bind_int(st, 2, ms->id);
    if (db_exec_stmt(st) != DB_OK || db_changes(db) != 1)
        return MEAL_DB;
    j->from_state = "served";
    j->to_state = "removed";
    return meal_ledger(db, j, ms->guardian_id, ms->price_cents);
}

static enum meal_err meal_fix_add(struct db *db, struct arena *a, struct meal_fix_job *j,
                                  const struct meal_state *ms, bool exists)
{
    if (exists && strcmp(ms->status, "removed") != 0)
        return MEAL_NO_CHANGE;
    struct calendar_pupil p;
    int found = calendar_pupil_on(db, a, j->tenant_id, j->pupil_id, j->day, &p, NULL);
    if (found < 0)
        return MEAL_DB;
    if (found == 0)
        return MEAL_NOT_ENROLLED;
    struct tariff_quote q;
    int priced = tariff_for_pupil(db, j->tenant_id, j->pupil_id, j->day, &q);
    if (priced < 0)
        return MEAL_DB;
    int64_t price = priced == 0 && q.price_cents > 0 ? q.price_cents : 0;
    /* The guardian of the meal row when there is one (the family charged at the cut-off),
       else the enrollment's. */
    int64_t guardian_id = exists ? ms->guardian_id : p.guardian_id;
    enum meal_err e = meal_ledger(db, j, guardian_id, -price);
    if (e != MEAL_OK)
        return e;
    struct db_stmt *st;
    if (exists) {
        st = db_stmt(db, STMT_OFFICE_MEAL_RESERVE);
        if (!st)
            return MEAL_DB;
        db_bind_int(st, 1, j->tenant_id);
        db_bind_int(st, 2, ms->id);
        db_bind_int(st, 3, price);
        db_bind_int(st, 4, j->entry_id);
        if (db_exec_stmt(st) != DB_OK || db_changes(db) != 1)
            return MEAL_DB;
        j->meal_id = ms->id;
        j->from_state = "removed";
    } else {
        st = db_stmt(db, STMT_OFFICE_MEAL_INSERT);
        if (!st)
            return MEAL_DB;
        char now[TIME_ISO_MAX];
        time_now_iso(now);
        db_bind_int(st, 1, j->tenant_id);
        db_bind_text(st, 2, j->day);
        db_bind_int(st, 3, j->pupil_id);
        db_bind_int(st, 4, p.guardian_id);
        db_bind_int(st, 5, p.enrollment_id);
        db_bind_int(st, 6, p.school_id);
        db_bind_int(st, 7, p.class_id);
        db_bind_text(st, 8, p.diet_code);
        db_bind_int(st, 9, price);
        db_bind_int(st, 10, j->entry_id);
        db_bind_text(st, 11, now);
        if (db_exec_stmt(st) != DB_OK)
            return MEAL_DB;
        j->meal_id = db_last_id(db);
        j->from_state = "none";
    }
    j->to_state = "served";
    return MEAL_OK;
}

static enum meal_err meal_fix_plain(struct db *db, struct meal_fix_job *j,
                                    const struct meal_state *ms, bool plain)
{
    if (strcmp(ms->status, "served") != 0)
        return MEAL_NOT_FOUND;
    if (ms->plain == plain)
        return MEAL_NO_CHANGE;
    struct db_stmt *st = db_stmt(db, STMT_OFFICE_MEAL_SET_PLAIN);
    if (!st)
        return MEAL_DB;
    db_bind_int(st, 1, j->tenant_id);
    db_bind_int(st, 2, ms->id);
    db_bind_int(st, 3, plain ? 1 : 0);
    if (db_exec_stmt(st) != DB_OK || db_changes(db) != 1)
        return MEAL_DB;
    j->from_state = plain ? "normal" : "plain";
    j->to_state = plain ? "plain" : "normal";
    return MEAL_OK;
}

/* The correction inside the open transaction. */
static enum meal_err meal_correct_tx(struct db *db, struct arena *a, struct meal_fix_job *j)
{
    struct meal_pupil p;
    int found = meal_pupil_find(db, a, j->tenant_id, j->pupil_id, NULL, &p);
    if (found != 1)
        return found == 0 ? MEAL_NOT_FOUND : MEAL_DB;
    int frozen = cutoff_job_frozen(db, j->tenant_id, j->day);
    if (frozen < 0)
        return MEAL_DB;
    if (frozen == 0)
        return MEAL_NOT_FROZEN;
    struct meal_state ms;
    int exists = meal_find(db, j->tenant_id, j->pupil_id, j->day, &ms);
    if (exists < 0)
        return MEAL_DB;
    if (!exists && j->fix != MEAL_FIX_ADD)
        return j->fix == MEAL_FIX_REMOVE ? MEAL_NO_CHANGE : MEAL_NOT_FOUND;
    j->meal_id = ms.id;
    /* The id this correction will take: the ledger ref names it, and the correction row (which
       never changes once written) names the entry. The write lock is held, so it is ours. */
    struct db_stmt *st = db_stmt(db, STMT_OFFICE_MEAL_CORRECTION_NEXT);
    if (!st)
        return MEAL_DB;
    enum db_err de = db_step(st);
    j->correction_id = de == DB_ROW ? db_col_int(st, 0) : 0;
    db_reset(st);
    if (!j->correction_id)
        return MEAL_DB;
    enum meal_err e;
    switch (j->fix) {
    case MEAL_FIX_REMOVE:
        e = meal_fix_remove(db, j, &ms);
        break;
    case MEAL_FIX_ADD:
        e = meal_fix_add(db, a, j, &ms, exists == 1);
        break;
    case MEAL_FIX_PLAIN:
    case MEAL_FIX_UNPLAIN:
        e = meal_fix_plain(db, j, &ms, j->fix == MEAL_FIX_PLAIN);
        break;
    default:
        e = MEAL_DB;
    }
    if (e != MEAL_OK)
        return e;
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    st = db_stmt(db, STMT_OFFICE_MEAL_CORRECTION_INSERT);
    if (!st)
        return MEAL_DB;
    db_bind_int(st, 1, j->correction_id);
    db_bind_int(st, 2, j->tenant_id);
    db_bind_int(st, 3, j->meal_id);
    db_bind_text(st, 4, meal_fix_name(j->fix));
    db_bind_text(st, 5, j->reason);
    db_bind_text(st, 6, j->actor);
    db_bind_int(st, 7, j->entry_id);
    db_bind_text(st, 8, now);
    if (db_exec_stmt(st) != DB_OK)
        return MEAL_DB;
    char action[48];
    snprintf(action, sizeof(action), "meal.correct.%s", meal_fix_name(j->fix));
    const char *detail =
        arena_printf(a, "pupil %lld, day %s, correction %lld: %s", (long long)j->pupil_id, j->day,
                     (long long)j->correction_id, j->reason);
    struct audit_entry ae = {.tenant_id = j->tenant_id,
                             .actor = AUDIT_STAFF,
                             .actor_label = j->actor,
                             .action = action,
                             .entity = "meal",
                             .entity_id = j->meal_id,
                             .from_state = j->from_state,
                             .to_state = j->to_state,
                             .detail = detail};
    return audit_record(db, &ae) == 0 ? MEAL_OK : MEAL_DB;
}

enum meal_err meal_correct(struct db *db, int64_t tenant_id, int64_t pupil_id, const char *day,
                           enum meal_fix fix, const char *reason, const char *actor_label,
                           int64_t *correction_id)
{
    if (correction_id)
        *correction_id = 0;
    int y, m, d;
    if (!day || strlen(day) != 10 || !time_parse_date(day, &y, &m, &d) || y < 2000 || y > 2999)
        return MEAL_BAD_DATE;
    char why[MEAL_REASON_MAX * 4 + 1];
    const char *r = reason ? meal_reason_trim(why, sizeof(why), reason) : NULL;
    size_t chars = r ? meal_chars(r) : 0;
    if (!r || chars < MEAL_REASON_MIN || chars > MEAL_REASON_MAX)
        return MEAL_BAD_REASON;
    if ((unsigned)fix > MEAL_FIX_UNPLAIN || pupil_id <= 0)
        return MEAL_NOT_FOUND;
    struct meal_fix_job j = {.tenant_id = tenant_id,
                             .pupil_id = pupil_id,
                             .day = day,
                             .reason = r,
                             .actor = actor_label ? actor_label : "",
                             .fix = fix};
    struct arena a;
    arena_init(&a, 2048);
    enum meal_err e = MEAL_DB;
    if (db_begin(db) != DB_OK)
        goto out;
    e = meal_correct_tx(db, &a, &j);
    if (e == MEAL_OK && db_commit(db) != DB_OK)
        e = MEAL_DB;
    if (e != MEAL_OK)
        db_rollback(db);
    else if (correction_id)
        *correction_id = j.correction_id;
out:
    arena_free(&a);
    return e;
}

/* ---- reading ------------------------------------------------------------------------------- */

static int meal_counts_read(struct db_stmt *st, struct arena *a, struct meal_count **rows,
                            size_t *n)
{
    *rows = NULL;
    *n = 0;
    size_t cap = 0;
    enum db_err e;
    while ((e = db_step(st)) == DB_ROW) {
        if (*n == MEAL_COUNT_ROWS_MAX)
            break;
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 32;
            struct meal_count *nr = arena_calloc(a, ncap, sizeof(*nr));
            if (*n)
                memcpy(nr, *rows, *n * sizeof(*nr));
            *rows = nr;
            cap = ncap;
        }
        struct meal_count *c = &(*rows)[(*n)++];
        c->key = arena_strdup(a, db_col_text(st, 0));
        c->school_id = db_col_int(st, 1);
        c->school_name = arena_strdup(a, db_col_text(st, 2));
        c->meals = (long)db_col_int(st, 3);
        c->plain = (long)db_col_int(st, 4);
        c->diets = (long)db_col_int(st, 5);
        c->removed = (long)db_col_int(st, 6);
        c->charged_cents = db_col_int(st, 7);
    }
    db_reset(st);
    return e == DB_ROW || e == DB_DONE ? 0 : -1;
}

int meal_counts_month(struct db *db, struct arena *a, int64_t tenant_id, const char *month,
                      int64_t school_id, struct meal_count **rows, size_t *n)
{
    *rows = NULL;
    *n = 0;
    int y, m, d;
    char first[16];
    if (!month || strlen(month) != 7)
        return -1;
    snprintf(first, sizeof(first), "%s-01", month);
    if (!time_parse_date(first, &y, &m, &d))
        return -1;
    char last[16];
    snprintf(last, sizeof(last), "%s-31", month);
    struct db_stmt *st = db_stmt(db, STMT_OFFICE_MEAL_COUNTS_DAYS);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_text(st, 2, first);
    db_bind_text(st, 3, last);
    db_bind_int(st, 4, school_id);
    return meal_counts_read(st, a, rows, n);
}

int meal_counts_year(struct db *db, struct arena *a, int64_t tenant_id, int64_t school_year_id,
                     int64_t school_id, struct meal_count **rows, size_t *n)
{
    struct db_stmt *st = db_stmt(db, STMT_OFFICE_MEAL_COUNTS_YEAR);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, school_year_id);
    db_bind_int(st, 3, school_id);
    return meal_counts_read(st, a, rows, n);
}

int meal_day_rows(struct db *db, struct arena *a, int64_t tenant_id, const char *day,
                  int64_t school_id, struct meal_row **rows, size_t *n)
{
    *rows = NULL;
    *n = 0;
    struct db_stmt *st = db_stmt(db, STMT_OFFICE_MEAL_DAY_ROWS);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_text(st, 2, day);
    db_bind_int(st, 3, school_id);
    size_t cap = 0;
    enum db_err e;
    while ((e = db_step(st)) == DB_ROW && *n < MEAL_DAY_ROWS_MAX) {
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            struct meal_row *nr = arena_calloc(a, ncap, sizeof(*nr));
            if (*n)
                memcpy(nr, *rows, *n * sizeof(*nr));
            *rows = nr;
            cap = ncap;
        }
        struct meal_row *r = &(*rows)[(*n)++];
        r->id = db_col_int(st, 0);
        r->pupil_id = db_col_int(st, 1);
        r->school_id = db_col_int(st, 2);
        r->class_id = db_col_int(st, 3);
        r->pupil_name = arena_strdup(a, db_col_text(st, 4));
        r->school_name = arena_strdup(a, db_col_text(st, 5));
        r->class_name = arena_strdup(a, db_col_text(st, 6));
        r->diet_code = arena_strdup(a, db_col_text(st, 7));
        r->status = arena_strdup(a, db_col_text(st, 8));
        r->plain = db_col_int(st, 9) != 0;
        r->price_cents = db_col_int(st, 10);
        r->corrections = (long)db_col_int(st, 11);
    }
    db_reset(st);
    return e == DB_ROW || e == DB_DONE ? 0 : -1;
}

int meal_pupil_find(struct db *db, struct arena *a, int64_t tenant_id, int64_t id,
                    const char *fiscal_code, struct meal_pupil *out)
{
    memset(out, 0, sizeof(*out));
    if (id <= 0 && (!fiscal_code || !*fiscal_code))
        return 0;
    struct db_stmt *st = db_stmt(db, STMT_OFFICE_MEAL_PUPIL);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, id > 0 ? id : 0);
    db_bind_text(st, 3, id > 0 ? NULL : fiscal_code);
    enum db_err e = db_step(st);
    if (e == DB_ROW) {
        out->id = db_col_int(st, 0);
        out->guardian_id = db_col_int(st, 1);
        out->name = arena_strdup(a, db_col_text(st, 2));
        out->surname = arena_strdup(a, db_col_text(st, 3));
        out->fiscal_code = arena_strdup(a, db_col_text(st, 4));
    }
    db_reset(st);
    return e == DB_ROW ? 1 : e == DB_DONE ? 0 : -1;
}

int meal_school_year(struct db *db, struct arena *a, int64_t tenant_id, const char *from,
                     const char *to, int64_t *id, const char **label)
{
    *id = 0;
    if (label)
        *label = "";
    struct db_stmt *st = db_stmt(db, STMT_OFFICE_MEAL_SCHOOL_YEAR);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_text(st, 2, from);
    db_bind_text(st, 3, to);
    enum db_err e = db_step(st);
    if (e == DB_ROW) {
        *id = db_col_int(st, 0);
        if (label)
            *label = arena_strdup(a, db_col_text(st, 1));
    }
    db_reset(st);
    return e == DB_ROW ? 1 : e == DB_DONE ? 0 : -1;
}
