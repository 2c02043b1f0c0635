#include "services/calendar.h"

#include <stdio.h>
#include <string.h>

#include "domain/cutoff.h"
#include "services/audit.h"
#include "services/tenant.h"
#include "store/stmt.h"
#include "util/log.h"
#include "util/msg.h"
#include "util/time.h"

int calendar_load(struct db *db, struct arena *a, int64_t tenant_id, int64_t school_id,
                  int64_t school_year_id, struct calendar *out)
{
    memset(out, 0, sizeof(*out));
    out->school_id = school_id;
    out->school_year_id = school_year_id;
    struct db_stmt *st = db_stmt(db, STMT_CALENDAR_GET);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, school_id);
    db_bind_int(st, 3, school_year_id);
    enum db_err e = db_step(st);
    if (e == DB_ROW) {
        snprintf(out->first_day, sizeof(out->first_day), "%s", db_col_text(st, 0));
        snprintf(out->last_day, sizeof(out->last_day), "%s", db_col_text(st, 1));
        snprintf(out->weekdays, sizeof(out->weekdays), "%s", db_col_text(st, 2));
        out->stored = db_col_int(st, 3) != 0;
    }
    db_reset(st);
    if (e == DB_DONE)
        return 0;
    if (e != DB_ROW)
        return -1;
    if (!school_calendar_parse_day(out->first_day, &out->cal.first_day) ||
        !school_calendar_parse_day(out->last_day, &out->cal.last_day)) {
        log_error("calendar: a stored school calendar has malformed dates");
        return -1;
    }
    out->cal.weekdays = out->weekdays;

    st = db_stmt(db, STMT_CALENDAR_EXCEPTIONS);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, school_id);
    db_bind_int(st, 3, school_year_id);
    size_t cap = 16;
    out->rows = arena_calloc(a, cap, sizeof(*out->rows));
    struct school_calendar_exception *ex = arena_calloc(a, cap, sizeof(*ex));
    while ((e = db_step(st)) == DB_ROW && out->nrows < CALENDAR_EXCEPTIONS_MAX) {
        if (out->nrows == cap) {
            size_t ncap = cap * 2;
            struct calendar_exception_row *nr = arena_calloc(a, ncap, sizeof(*nr));
            struct school_calendar_exception *nx = arena_calloc(a, ncap, sizeof(*nx));
            memcpy(nr, out->rows, cap * sizeof(*nr));
            memcpy(nx, ex, cap * sizeof(*nx));
            out->rows = nr;
            ex = nx;
            cap = ncap;
        }
        struct calendar_exception_row *r = &out->rows[out->nrows];
        struct school_calendar_exception *x = &ex[out->nrows];
        r->id = db_col_int(st, 0);
        r->class_id = db_col_int(st, 1);
        r->kind = arena_strdup(a, db_col_text(st, 2));
        r->from_day = arena_strdup(a, db_col_text(st, 3));
        r->to_day = arena_strdup(a, db_col_text(st, 4));
        r->note = arena_strdup(a, db_col_text(st, 5));
        r->class_name = arena_strdup(a, db_col_text(st, 6));
        x->class_id = r->class_id;
        if (!school_calendar_kind_parse(r->kind, &x->kind) ||
            !school_calendar_parse_day(r->from_day, &x->from) ||
            !school_calendar_parse_day(r->to_day, &x->to)) {
            log_error("calendar: a stored calendar exception is malformed");
            e = DB_ERR;
            break;
        }
        out->nrows++;
    }
    db_reset(st);
    if (e != DB_DONE && e != DB_ROW)
        return -1;
    out->cal.exceptions = ex;
    out->cal.nexceptions = out->nrows;
    if (school_calendar_check(&out->cal) != SCHOOL_CALENDAR_OK) {
        log_error("calendar: a stored school calendar fails the calendar checks");
        return -1;
    }
    return 1;
}

int calendar_pupil_on(struct db *db, struct arena *a, int64_t tenant_id, int64_t pupil_id,
                      const char *day, struct calendar_pupil *out, struct calendar *cal)
{
    memset(out, 0, sizeof(*out));
    out->pupil_id = pupil_id;
    struct db_stmt *st = db_stmt(db, STMT_CALENDAR_PUPIL_ON);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, pupil_id);
    db_bind_text(st, 3, day);
    enum db_err e = db_step(st);
    if (e == DB_ROW) {
        out->enrollment_id = db_col_int(st, 0);
        out->guardian_id = db_col_int(st, 1);
        out->school_id = db_col_int(st, 2);
        out->class_id = db_col_int(st, 3);
        out->school_year_id = db_col_int(st, 4);
        snprintf(out->weekdays, sizeof(out->weekdays), "%s", db_col_text(st, 5));
        snprintf(out->diet_code, sizeof(out->diet_code), "%s", db_col_text(st, 6));
        out->name = arena_strdup(a, db_col_text(st, 7));
        out->surname = arena_strdup(a, db_col_text(st, 8));
        out->school_name = arena_strdup(a, db_col_text(st, 9));
        out->class_name = arena_strdup(a, db_col_text(st, 10));
    }
    db_reset(st);
    if (e == DB_DONE)
        return 0;
    if (e != DB_ROW)
        return -1;
    if (out->weekdays[0] && !school_calendar_weekdays_valid(out->weekdays))
        out->weekdays[0] = '\0';
    if (!cal)
        return 1;
    int rc = calendar_load(db, a, tenant_id, out->school_id, out->school_year_id, cal);
    return rc == 1 ? 1 : -1;
}

bool calendar_pupil_has_service(const struct calendar *cal, const struct calendar_pupil *p,
                                long day, enum school_calendar_reason *reason)
{
    return school_calendar_has_service(&cal->cal, day, p->class_id,
                                       p->weekdays[0] ? p->weekdays : NULL, reason);
}

/* ---- the office's changes ----------------------------------------------------------------- */

static const char *const calendar_frozen_msg =
    N_("Days up to {day} are already frozen and this change would alter them: change only later "
       "days.");

static void calendar_problem_set(struct calendar_problem *p, const char *field, const char *msg)
{
    if (!p)
        return;
    p->field = field;
    p->message = msg;
}

int calendar_first_changeable_day(struct db *db, int64_t tenant_id, long *day)
{
    struct db_stmt *st = db_stmt(db, STMT_CALENDAR_TENANT_CUTOFF);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    char latest[16] = "";
    enum db_err e = db_step(st);
    if (e == DB_ROW)
        snprintf(latest, sizeof(latest), "%s", db_col_text(st, 0));
    db_reset(st);
    if (e != DB_ROW)
        return -1;
    time_t now = time_now();
    long today = cutoff_rome_day(now);
    struct cutoff_rule rule;
    if (cutoff_rule_parse(latest, NULL, &rule) != CUTOFF_OK) {
        /* A rule that cannot be read freezes today too: the safe side. */
        log_error("calendar: the tenant's cut-off time is not valid", "cutoff_time", latest);
        *day = today + 1;
        return 0;
    }
    *day = now < cutoff_closes_at(&rule, today) ? today : today + 1;
    return 0;
}

/* Whether class_id is already in ids[0..n-1]. */
static bool calendar_has_id(const int64_t *ids, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id)
            return true;
    return false;
}

/* Whether some day before `until` has service under one calendar and not under the other, for
   the whole school or for a class named by an exception of either. */
static bool calendar_past_differs(struct arena *a, const struct school_calendar *old,
                                  const struct school_calendar *next, long until)
{
    long from = old->first_day < next->first_day ? old->first_day : next->first_day;
    long to = old->last_day > next->last_day ? old->last_day : next->last_day;
    if (to > until - 1)
        to = until - 1;
    if (from > to)
        return false;
    size_t cap = 1 + old->nexceptions + next->nexceptions, n = 0;
    int64_t *classes = arena_calloc(a, cap, sizeof(*classes));
    classes[n++] = 0;
    const struct school_calendar *both[] = {old, next};
    for (int c = 0; c < 2; c++)
        for (size_t i = 0; i < both[c]->nexceptions; i++)
            if (!calendar_has_id(classes, n, both[c]->exceptions[i].class_id))
                classes[n++] = both[c]->exceptions[i].class_id;
    for (long day = from; day <= to; day++)
        for (size_t k = 0; k < n; k++)
            if (school_calendar_has_service(old, day, classes[k], NULL, NULL) !=
                school_calendar_has_service(next, day, classes[k], NULL, NULL))
                return true;
    return false;
}

/* The frozen-day rule for one school: CALENDAR_OK, CALENDAR_FROZEN (problem filled) or
   CALENDAR_DB. */
static enum calendar_err calendar_check_frozen(struct db *db, struct arena *a, int64_t tenant_id,
                                               int64_t school_id, const struct school_calendar *old,
                                               const struct school_calendar *next,
                                               const char *field, const char *msg,
                                               struct calendar_problem *p)
{
    long first;
    if (calendar_first_changeable_day(db, tenant_id, &first) != 0)
        return CALENDAR_DB;
    if (!calendar_past_differs(a, old, next, first))
        return CALENDAR_OK;
    calendar_problem_set(p, field, msg);
    if (p) {
        school_calendar_format_day(first - 1, p->day);
        p->school_id = school_id;
    }
    return CALENDAR_FROZEN;
}

static enum calendar_err calendar_load_err(int rc)
{
    return rc == 1 ? CALENDAR_OK : rc == 0 ? CALENDAR_NOT_FOUND : CALENDAR_DB;
}

static int calendar_audit(struct db *db, int64_t tenant_id, const char *actor_label,
                          const char *action, const char *entity, int64_t entity_id,
                          const char *from, const char *to, const char *detail)
{
    struct audit_entry e = {
        .tenant_id = tenant_id,
        .actor = actor_label ? AUDIT_STAFF : AUDIT_SYSTEM,
        .actor_label = actor_label ? actor_label : "refettorio",
        .action = action,
        .entity = entity,
        .entity_id = entity_id,
        .from_state = from,
        .to_state = to,
        .detail = detail,
    };
    return audit_record(db, &e);
}

static const char *calendar_service_text(struct arena *a, const char *first, const char *last,
                                         const char *weekdays)
{
    return arena_printf(a, "%s..%s weekdays %s", first, last, weekdays);
}

static bool calendar_upsert_service(struct db *db, int64_t tenant_id, int64_t school_id,
                                    int64_t school_year_id, const char *first, const char *last,
                                    const char *weekdays, const char *actor_label)
{
    struct db_stmt *st = db_stmt(db, STMT_CALENDAR_SERVICE_UPSERT);
    if (!st)
        return false;
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, school_id);
    db_bind_int(st, 3, school_year_id);
    db_bind_text(st, 4, first);
    db_bind_text(st, 5, last);
    db_bind_text(st, 6, weekdays);
    db_bind_text(st, 7, now);
    db_bind_text(st, 8, actor_label ? actor_label : "refettorio");
    return db_exec_stmt(st) == DB_OK;
}

static bool calendar_insert_exception(struct db *db, int64_t tenant_id, int64_t school_id,
                                      int64_t school_year_id, int64_t class_id, const char *kind,
                                      const char *from, const char *to, const char *note,
                                      const char *actor_label, int64_t *id)
{
    struct db_stmt *st = db_stmt(db, STMT_CALENDAR_EXCEPTION_INSERT);
    if (!st)
        return false;
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, school_id);
    db_bind_int(st, 3, school_year_id);
    db_bind_int(st, 4, class_id);
    db_bind_text(st, 5, kind);
    db_bind_text(st, 6, from);
    db_bind_text(st, 7, to);
    db_bind_text(st, 8, note ? note : "");
    db_bind_text(st, 9, now);
    db_bind_text(st, 10, actor_label ? actor_label : "refettorio");
    if (db_exec_stmt(st) != DB_OK)
        return false;
    if (id)
        *id = db_last_id(db);
    return true;
}

/* A day typed for the service: a real date within the school year's dates. */
static bool calendar_service_day(const struct calendar_year *y, const char *ymd, long *day,
                                 const char *field, struct calendar_problem *p)
{
    long first, last;
    if (!school_calendar_parse_day(ymd, day)) {
        calendar_problem_set(p, field, school_calendar_strerror(SCHOOL_CALENDAR_BAD_DATE));
        return false;
    }
    if (!school_calendar_parse_day(y->starts_on, &first) ||
        !school_calendar_parse_day(y->ends_on, &last) || *day < first || *day > last) {
        calendar_problem_set(p, field, school_calendar_strerror(SCHOOL_CALENDAR_OUTSIDE_YEAR));
        return false;
    }
    return true;
}

static enum calendar_err calendar_service_in_tx(struct db *db, struct arena *a, int64_t tenant_id,
                                                int64_t school_id, int64_t school_year_id,
                                                const char *first_day, const char *last_day,
                                                const char *weekdays, const char *actor_label,
                                                bool frozen_rule, struct calendar_problem *p)
{
    struct calendar_year y;
    struct calendar old;
    int rc = calendar_year_find(db, a, tenant_id, school_year_id, &y);
    if (rc == 1)
        rc = calendar_load(db, a, tenant_id, school_id, school_year_id, &old);
    if (rc != 1)
        return calendar_load_err(rc);
    long first, last;
    if (!calendar_service_day(&y, first_day, &first, "first_day", p) ||
        !calendar_service_day(&y, last_day, &last, "last_day", p))
        return CALENDAR_INVALID;
    if (last < first) {
        calendar_problem_set(p, "last_day", school_calendar_strerror(SCHOOL_CALENDAR_BAD_RANGE));
        return CALENDAR_INVALID;
    }
    if (!school_calendar_weekdays_valid(weekdays)) {
        calendar_problem_set(p, "weekdays", school_calendar_strerror(SCHOOL_CALENDAR_BAD_WEEKDAYS));
        return CALENDAR_INVALID;
    }
    struct school_calendar next = old.cal;
    next.first_day = first;
    next.last_day = last;
    next.weekdays = weekdays;
    if (frozen_rule) {
        enum calendar_err err = calendar_check_frozen(db, a, tenant_id, school_id, &old.cal, &next,
                                                      "first_day", calendar_frozen_msg, p);
        if (err != CALENDAR_OK)
            return err;
    }
    char first_text[SCHOOL_CALENDAR_DAY_SIZE], last_text[SCHOOL_CALENDAR_DAY_SIZE];
    school_calendar_format_day(first, first_text);
    school_calendar_format_day(last, last_text);
    if (!calendar_upsert_service(db, tenant_id, school_id, school_year_id, first_text, last_text,
                                 weekdays, actor_label) ||
        calendar_audit(db, tenant_id, actor_label, "calendar.service", "school_calendar", school_id,
                       calendar_service_text(a, old.first_day, old.last_day, old.weekdays),
                       calendar_service_text(a, first_text, last_text, weekdays),
                       arena_printf(a, "school year %lld%s", (long long)school_year_id,
                                    old.stored ? "" : "; was the default")) != 0)
        return CALENDAR_DB;
    return CALENDAR_OK;
}

/* A note: at most CALENDAR_NOTE_MAX characters (code points), no control characters. */
static bool calendar_note_valid(const char *note)
{
    size_t chars = 0;
    for (const unsigned char *s = (const unsigned char *)note; *s; s++) {
        if (*s < 0x20 || *s == 0x7f)
            return false;
        if ((*s & 0xc0) != 0x80)
            chars++;
    }
    return chars <= CALENDAR_NOTE_MAX;
}

static bool calendar_class_of(struct db *db, int64_t tenant_id, int64_t school_id,
                              int64_t school_year_id, int64_t class_id, enum db_err *e)
{
    struct db_stmt *st = db_stmt(db, STMT_CALENDAR_CLASS_OF);
    if (!st) {
        *e = DB_ERR;
        return false;
    }
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, school_id);
    db_bind_int(st, 3, school_year_id);
    db_bind_int(st, 4, class_id);
    *e = db_step(st);
    db_reset(st);
    return *e == DB_ROW;
}

/* The checks of an exception against the school's calendar; on CALENDAR_OK out is the
   exception as the domain sees it. */
static enum calendar_err calendar_exception_check(struct db *db, int64_t tenant_id,
                                                  int64_t school_id, int64_t school_year_id,
                                                  const struct calendar *cal,
                                                  const struct calendar_exception_input *in,
                                                  struct school_calendar_exception *out,
                                                  struct calendar_problem *p)
{
    enum school_calendar_err se =
        school_calendar_check_day(&cal->cal, in->from_day ? in->from_day : "", &out->from);
    if (se != SCHOOL_CALENDAR_OK) {
        calendar_problem_set(p, "from_day", school_calendar_strerror(se));
        return CALENDAR_INVALID;
    }
    const char *to = in->to_day && *in->to_day ? in->to_day : in->from_day;
    se = school_calendar_check_day(&cal->cal, to, &out->to);
    if (se == SCHOOL_CALENDAR_OK && out->to < out->from)
        se = SCHOOL_CALENDAR_BAD_RANGE;
    if (se == SCHOOL_CALENDAR_OK && out->to - out->from + 1 > SCHOOL_CALENDAR_RANGE_MAX)
        se = SCHOOL_CALENDAR_RANGE_TOO_LONG;
    if (se != SCHOOL_CALENDAR_OK) {
        calendar_problem_set(p, "to_day", school_calendar_strerror(se));
        return CALENDAR_INVALID;
    }
    if (!school_calendar_kind_parse(in->kind, &out->kind)) {
        calendar_problem_set(p, "kind", N_("Choose one of the options listed."));
        return CALENDAR_INVALID;
    }
    out->class_id = in->class_id;
    if (in->class_id < 0) {
        calendar_problem_set(p, "class_id", N_("Choose a class of this school."));
        return CALENDAR_INVALID;
    }
    if (in->class_id > 0) {
        enum db_err e;
        if (!calendar_class_of(db, tenant_id, school_id, school_year_id, in->class_id, &e)) {
            if (e != DB_DONE)
                return CALENDAR_DB;
            calendar_problem_set(p, "class_id", N_("Choose a class of this school."));
            return CALENDAR_INVALID;
        }
    }
    if (in->note && !calendar_note_valid(in->note)) {
        calendar_problem_set(p, "note", N_("Write a note of at most 200 characters, on one line."));
        return CALENDAR_INVALID;
    }
    if (cal->nrows >= CALENDAR_EXCEPTIONS_MAX) {
        calendar_problem_set(p, "from_day",
                             N_("This school year has as many calendar entries as allowed: "
                                "delete some first."));
        return CALENDAR_INVALID;
    }
    return CALENDAR_OK;
}

static enum calendar_err calendar_exception_in_tx(struct db *db, struct arena *a, int64_t tenant_id,
                                                  int64_t school_id, int64_t school_year_id,
                                                  const struct calendar_exception_input *in,
                                                  const char *actor_label, bool frozen_rule,
                                                  int64_t *id, struct calendar_problem *p)
{
    struct calendar old;
    int rc = calendar_load(db, a, tenant_id, school_id, school_year_id, &old);
    if (rc != 1)
        return calendar_load_err(rc);
    struct school_calendar_exception x;
    enum calendar_err err =
        calendar_exception_check(db, tenant_id, school_id, school_year_id, &old, in, &x, p);
    if (err != CALENDAR_OK)
        return err;
    if (frozen_rule) {
        struct school_calendar next = old.cal;
        struct school_calendar_exception *ex =
            arena_calloc(a, old.cal.nexceptions + 1, sizeof(*ex));
        if (old.cal.nexceptions)
            memcpy(ex, old.cal.exceptions, old.cal.nexceptions * sizeof(*ex));
        ex[old.cal.nexceptions] = x;
        next.exceptions = ex;
        next.nexceptions = old.cal.nexceptions + 1;
        err = calendar_check_frozen(db, a, tenant_id, school_id, &old.cal, &next, "from_day",
                                    calendar_frozen_msg, p);
        if (err != CALENDAR_OK)
            return err;
    }
    char from[SCHOOL_CALENDAR_DAY_SIZE], to[SCHOOL_CALENDAR_DAY_SIZE];
    school_calendar_format_day(x.from, from);
    school_calendar_format_day(x.to, to);
    const char *kind = school_calendar_kind_name(x.kind);
    int64_t new_id = 0;
    if (!calendar_insert_exception(db, tenant_id, school_id, school_year_id, x.class_id, kind, from,
                                   to, in->note, actor_label, &new_id) ||
        calendar_audit(db, tenant_id, actor_label, "calendar.exception_add", "calendar_exception",
                       new_id, NULL, arena_printf(a, "%s %s..%s", kind, from, to),
                       arena_printf(a, "school %lld, school year %lld, class %lld: %s",
                                    (long long)school_id, (long long)school_year_id,
                                    (long long)x.class_id, in->note ? in->note : "")) != 0)
        return CALENDAR_DB;
    if (id)
        *id = new_id;
    return CALENDAR_OK;
}

/* Commit on CALENDAR_OK, roll back otherwise; a failed commit is CALENDAR_DB. */
static enum calendar_err calendar_finish(struct db *db, enum calendar_err err, const char *what)
{
    if (err == CALENDAR_OK && db_commit(db) == DB_OK)
        return CALENDAR_OK;
    if (err == CALENDAR_OK)
        err = CALENDAR_DB;
    if (err == CALENDAR_DB)
        log_error("calendar: change not saved", "change", what, "detail", db_errmsg(db));
    db_rollback(db);
    return err;
}

static struct calendar_problem *calendar_problem_init(struct calendar_problem *p)
{
    if (p)
        memset(p, 0, sizeof(*p));
    return p;
}

enum calendar_err calendar_save_service(struct db *db, int64_t tenant_id, int64_t school_id,
                                        int64_t school_year_id, const char *first_day,
                                        const char *last_day, const char *weekdays,
                                        const char *actor_label, struct calendar_problem *problem)
{
    calendar_problem_init(problem);
    if (db_begin(db) != DB_OK)
        return CALENDAR_DB;
    struct arena a;
    arena_init(&a, 4096);
    enum calendar_err err =
        calendar_service_in_tx(db, &a, tenant_id, school_id, school_year_id, first_day, last_day,
                               weekdays, actor_label, true, problem);
    arena_free(&a);
    return calendar_finish(db, err, "service");
}

enum calendar_err calendar_save_service_tx(struct db *db, int64_t tenant_id, int64_t school_id,
                                           int64_t school_year_id, const char *first_day,
                                           const char *last_day, const char *weekdays,
                                           const char *actor_label,
                                           struct calendar_problem *problem)
{
    calendar_problem_init(problem);
    struct arena a;
    arena_init(&a, 4096);
    enum calendar_err err =
        calendar_service_in_tx(db, &a, tenant_id, school_id, school_year_id, first_day, last_day,
                               weekdays, actor_label, false, problem);
    arena_free(&a);
    return err;
}

enum calendar_err calendar_add_exception(struct db *db, int64_t tenant_id, int64_t school_id,
                                         int64_t school_year_id,
                                         const struct calendar_exception_input *in,
                                         const char *actor_label, int64_t *id,
                                         struct calendar_problem *problem)
{
    calendar_problem_init(problem);
    if (db_begin(db) != DB_OK)
        return CALENDAR_DB;
    struct arena a;
    arena_init(&a, 4096);
    enum calendar_err err = calendar_exception_in_tx(db, &a, tenant_id, school_id, school_year_id,
                                                     in, actor_label, true, id, problem);
    arena_free(&a);
    return calendar_finish(db, err, "exception");
}

enum calendar_err calendar_add_exception_tx(struct db *db, int64_t tenant_id, int64_t school_id,
                                            int64_t school_year_id,
                                            const struct calendar_exception_input *in,
                                            const char *actor_label, int64_t *id,
                                            struct calendar_problem *problem)
{
    calendar_problem_init(problem);
    struct arena a;
    arena_init(&a, 4096);
    enum calendar_err err = calendar_exception_in_tx(db, &a, tenant_id, school_id, school_year_id,
                                                     in, actor_label, false, id, problem);
    arena_free(&a);
    return err;
}

static enum calendar_err calendar_delete_in_tx(struct db *db, struct arena *a, int64_t tenant_id,
                                               int64_t school_id, int64_t school_year_id,
                                               int64_t id, const char *actor_label,
                                               struct calendar_problem *p)
{
    struct calendar old;
    int rc = calendar_load(db, a, tenant_id, school_id, school_year_id, &old);
    if (rc != 1)
        return calendar_load_err(rc);
    size_t at = old.nrows;
    for (size_t i = 0; i < old.nrows; i++)
        if (old.rows[i].id == id)
            at = i;
    if (at == old.nrows)
        return CALENDAR_NOT_FOUND;
    struct school_calendar next = old.cal;
    struct school_calendar_exception *ex =
        arena_calloc(a, old.cal.nexceptions ? old.cal.nexceptions : 1, sizeof(*ex));
    size_t n = 0;
    for (size_t i = 0; i < old.cal.nexceptions; i++)
        if (i != at)
            ex[n++] = old.cal.exceptions[i];
    next.exceptions = ex;
    next.nexceptions = n;
    enum calendar_err err = calendar_check_frozen(db, a, tenant_id, school_id, &old.cal, &next,
                                                  NULL, calendar_frozen_msg, p);
    if (err != CALENDAR_OK)
        return err;
    const struct calendar_exception_row *row = &old.rows[at];
    struct db_stmt *st = db_stmt(db, STMT_CALENDAR_EXCEPTION_DELETE);
    if (!st)
        return CALENDAR_DB;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, school_id);
    db_bind_int(st, 3, school_year_id);
    db_bind_int(st, 4, id);
    if (db_exec_stmt(st) != DB_OK || db_changes(db) != 1 ||
        calendar_audit(
            db, tenant_id, actor_label, "calendar.exception_delete", "calendar_exception", id,
            arena_printf(a, "%s %s..%s", row->kind, row->from_day, row->to_day), NULL,
            arena_printf(a, "school %lld, school year %lld, class %lld: %s", (long long)school_id,
                         (long long)school_year_id, (long long)row->class_id, row->note)) != 0)
        return CALENDAR_DB;
    return CALENDAR_OK;
}

enum calendar_err calendar_delete_exception(struct db *db, int64_t tenant_id, int64_t school_id,
                                            int64_t school_year_id, int64_t id,
                                            const char *actor_label,
                                            struct calendar_problem *problem)
{
    calendar_problem_init(problem);
    if (db_begin(db) != DB_OK)
        return CALENDAR_DB;
    struct arena a;
    arena_init(&a, 4096);
    enum calendar_err err = calendar_delete_in_tx(db, &a, tenant_id, school_id, school_year_id, id,
                                                  actor_label, problem);
    arena_free(&a);
    return calendar_finish(db, err, "delete exception");
}

/* ---- copy ----------------------------------------------------------------------------------- */

/* One target of a copy: its calendar becomes the source's service and whole-school exceptions,
   with its own class exceptions kept. */
static enum calendar_err calendar_copy_one(struct db *db, struct arena *a, int64_t tenant_id,
                                           const struct calendar *src, int64_t target,
                                           const char *actor_label, size_t *copied,
                                           struct calendar_problem *p)
{
    struct calendar old;
    int rc = calendar_load(db, a, tenant_id, target, src->school_year_id, &old);
    if (rc == 0) {
        calendar_problem_set(p, "targets", N_("Choose among the schools listed."));
        return CALENDAR_INVALID;
    }
    if (rc != 1)
        return CALENDAR_DB;
    struct school_calendar next = src->cal;
    struct school_calendar_exception *ex =
        arena_calloc(a, src->cal.nexceptions + old.cal.nexceptions + 1, sizeof(*ex));
    size_t n = 0, whole = 0;
    for (size_t i = 0; i < src->cal.nexceptions; i++)
        if (src->cal.exceptions[i].class_id == 0) {
            ex[n++] = src->cal.exceptions[i];
            whole++;
        }
    for (size_t i = 0; i < old.cal.nexceptions; i++)
        if (old.cal.exceptions[i].class_id != 0)
            ex[n++] = old.cal.exceptions[i];
    next.exceptions = ex;
    next.nexceptions = n;
    if (n > CALENDAR_EXCEPTIONS_MAX) {
        calendar_problem_set(p, "targets",
                             N_("A school would have more calendar entries than allowed: "
                                "delete some first."));
        if (p)
            p->school_id = target;
        return CALENDAR_INVALID;
    }
    enum calendar_err err = calendar_check_frozen(
        db, a, tenant_id, target, &old.cal, &next, "targets",
        N_("Days up to {day} are already frozen at {school} and the copy would alter them: "
           "change that school's calendar by hand."),
        p);
    if (err != CALENDAR_OK)
        return err;
    if (!calendar_upsert_service(db, tenant_id, target, src->school_year_id, src->first_day,
                                 src->last_day, src->weekdays, actor_label))
        return CALENDAR_DB;
    struct db_stmt *st = db_stmt(db, STMT_CALENDAR_EXCEPTIONS_DELETE_SCHOOL);
    if (!st)
        return CALENDAR_DB;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, target);
    db_bind_int(st, 3, src->school_year_id);
    if (db_exec_stmt(st) != DB_OK)
        return CALENDAR_DB;
    for (size_t i = 0; i < src->nrows; i++) {
        const struct calendar_exception_row *r = &src->rows[i];
        if (r->class_id == 0 &&
            !calendar_insert_exception(db, tenant_id, target, src->school_year_id, 0, r->kind,
                                       r->from_day, r->to_day, r->note, actor_label, NULL))
            return CALENDAR_DB;
    }
    if (calendar_audit(
            db, tenant_id, actor_label, "calendar.copy", "school_calendar", target,
            calendar_service_text(a, old.first_day, old.last_day, old.weekdays),
            calendar_service_text(a, src->first_day, src->last_day, src->weekdays),
            arena_printf(a, "from school %lld, school year %lld: %zu whole-school exceptions",
                         (long long)src->school_id, (long long)src->school_year_id, whole)) != 0)
        return CALENDAR_DB;
    *copied = whole;
    return CALENDAR_OK;
}

static enum calendar_err calendar_copy_in_tx(struct db *db, struct arena *a, int64_t tenant_id,
                                             int64_t from_school_id, int64_t school_year_id,
                                             const int64_t *targets, size_t ntargets,
                                             const char *actor_label,
                                             struct calendar_copy_result *res,
                                             struct calendar_problem *p)
{
    struct calendar src;
    int rc = calendar_load(db, a, tenant_id, from_school_id, school_year_id, &src);
    if (rc != 1)
        return calendar_load_err(rc);
    if (ntargets == 0) {
        calendar_problem_set(p, "targets", N_("Choose at least one school."));
        return CALENDAR_INVALID;
    }
    if (ntargets > CALENDAR_COPY_MAX) {
        calendar_problem_set(p, "targets", N_("Choose among the schools listed."));
        return CALENDAR_INVALID;
    }
    for (size_t i = 0; i < ntargets; i++)
        if (targets[i] == from_school_id || calendar_has_id(targets, i, targets[i])) {
            calendar_problem_set(p, "targets", N_("Choose among the schools listed."));
            return CALENDAR_INVALID;
        }
    for (size_t i = 0; i < src.nrows; i++)
        if (src.rows[i].class_id != 0)
            res->skipped_class_only++;
    for (size_t i = 0; i < ntargets; i++) {
        enum calendar_err err =
            calendar_copy_one(db, a, tenant_id, &src, targets[i], actor_label, &res->exceptions, p);
        if (err != CALENDAR_OK)
            return err;
        res->schools++;
    }
    return CALENDAR_OK;
}

enum calendar_err calendar_copy(struct db *db, int64_t tenant_id, int64_t from_school_id,
                                int64_t school_year_id, const int64_t *targets, size_t ntargets,
                                const char *actor_label, struct calendar_copy_result *result,
                                struct calendar_problem *problem)
{
    calendar_problem_init(problem);
    struct calendar_copy_result res = {0};
    if (db_begin(db) != DB_OK)
        return CALENDAR_DB;
    struct arena a;
    arena_init(&a, 8192);
    enum calendar_err err = calendar_copy_in_tx(db, &a, tenant_id, from_school_id, school_year_id,
                                                targets, ntargets, actor_label, &res, problem);
    arena_free(&a);
    err = calendar_finish(db, err, "copy");
    if (result)
        *result = err == CALENDAR_OK ? res : (struct calendar_copy_result){0};
    return err;
}

/* ---- reading ----------------------------------------------------------------------------------
 */

int calendar_summaries(struct db *db, struct arena *a, int64_t tenant_id, int64_t school_year_id,
                       struct calendar_summary **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    struct school_summary *schools;
    size_t count;
    if (school_list(db, a, tenant_id, school_year_id, &schools, &count) != 0)
        return -1;
    struct calendar_summary *list = arena_calloc(a, count ? count : 1, sizeof(*list));
    for (size_t i = 0; i < count; i++) {
        struct calendar cal;
        if (calendar_load(db, a, tenant_id, schools[i].id, school_year_id, &cal) != 1)
            return -1;
        struct calendar_summary *s = &list[i];
        s->school_id = schools[i].id;
        s->school_name = schools[i].name;
        s->school_kind = (int)schools[i].kind;
        s->stored = cal.stored;
        memcpy(s->first_day, cal.first_day, sizeof(s->first_day));
        memcpy(s->last_day, cal.last_day, sizeof(s->last_day));
        memcpy(s->weekdays, cal.weekdays, sizeof(s->weekdays));
        s->nexceptions = cal.nrows;
        s->service_days =
            school_calendar_count_service(&cal.cal, cal.cal.first_day, cal.cal.last_day, 0, NULL);
    }
    *out = list;
    *n = count;
    return 0;
}

static void calendar_year_row(struct arena *a, struct db_stmt *st, int col, struct calendar_year *y)
{
    y->label = arena_strdup(a, db_col_text(st, col));
    snprintf(y->starts_on, sizeof(y->starts_on), "%s", db_col_text(st, col + 1));
    snprintf(y->ends_on, sizeof(y->ends_on), "%s", db_col_text(st, col + 2));
}

int calendar_years(struct db *db, struct arena *a, int64_t tenant_id, struct calendar_year **out,
                   size_t *n)
{
    *out = arena_calloc(a, CALENDAR_YEARS_MAX, sizeof(**out));
    *n = 0;
    struct db_stmt *st = db_stmt(db, STMT_CALENDAR_YEARS);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, CALENDAR_YEARS_MAX);
    enum db_err e;
    while ((e = db_step(st)) == DB_ROW && *n < CALENDAR_YEARS_MAX) {
        struct calendar_year *y = &(*out)[(*n)++];
        y->id = db_col_int(st, 0);
        calendar_year_row(a, st, 1, y);
    }
    db_reset(st);
    return e == DB_DONE || e == DB_ROW ? 0 : -1;
}

int calendar_year_find(struct db *db, struct arena *a, int64_t tenant_id, int64_t school_year_id,
                       struct calendar_year *out)
{
    memset(out, 0, sizeof(*out));
    struct db_stmt *st = db_stmt(db, STMT_CALENDAR_YEAR);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, school_year_id);
    enum db_err e = db_step(st);
    if (e == DB_ROW) {
        out->id = school_year_id;
        calendar_year_row(a, st, 0, out);
    }
    db_reset(st);
    return e == DB_ROW ? 1 : e == DB_DONE ? 0 : -1;
}

int calendar_classes(struct db *db, struct arena *a, int64_t tenant_id, int64_t school_id,
                     int64_t school_year_id, struct calendar_class **out, size_t *n)
{
    *out = arena_calloc(a, CALENDAR_CLASSES_MAX, sizeof(**out));
    *n = 0;
    struct db_stmt *st = db_stmt(db, STMT_CALENDAR_CLASSES);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, school_id);
    db_bind_int(st, 3, school_year_id);
    db_bind_int(st, 4, CALENDAR_CLASSES_MAX);
    enum db_err e;
    while ((e = db_step(st)) == DB_ROW && *n < CALENDAR_CLASSES_MAX) {
        struct calendar_class *c = &(*out)[(*n)++];
        c->id = db_col_int(st, 0);
        c->name = arena_strdup(a, db_col_text(st, 1));
    }
    db_reset(st);
    return e == DB_DONE || e == DB_ROW ? 0 : -1;
}
