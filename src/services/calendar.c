#include "services/calendar.h"

#include <stdio.h>
#include <string.h>

#include "store/stmt.h"
#include "util/log.h"

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
