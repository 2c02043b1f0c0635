#include "services/enrollment.h"

#include <string.h>

#include "util/msg.h"
#include "util/time.h"

static const char *const enrollment_status_names[] = {
    [ENROLLMENT_DRAFT] = "draft",         [ENROLLMENT_SUBMITTED] = "submitted",
    [ENROLLMENT_CONFIRMED] = "confirmed", [ENROLLMENT_REJECTED] = "rejected",
    [ENROLLMENT_WITHDRAWN] = "withdrawn",
};

const char *enrollment_status_name(enum enrollment_status s)
{
    return s <= ENROLLMENT_WITHDRAWN ? enrollment_status_names[s] : "draft";
}

bool enrollment_status_parse(const char *s, enum enrollment_status *out)
{
    for (int i = 0; s && i <= ENROLLMENT_WITHDRAWN; i++)
        if (!strcmp(s, enrollment_status_names[i])) {
            *out = (enum enrollment_status)i;
            return true;
        }
    return false;
}

const char *enrollment_status_label(enum enrollment_status s)
{
    switch (s) {
    case ENROLLMENT_DRAFT:
        return N_("Draft");
    case ENROLLMENT_SUBMITTED:
        return N_("Submitted");
    case ENROLLMENT_CONFIRMED:
        return N_("Confirmed");
    case ENROLLMENT_REJECTED:
        return N_("Rejected");
    case ENROLLMENT_WITHDRAWN:
        return N_("Withdrawn");
    }
    return N_("Draft");
}

const char *enrollment_diet_label(const char *diet_kind)
{
    if (diet_kind && !strcmp(diet_kind, "medical"))
        return N_("Medical diet");
    if (diet_kind && !strcmp(diet_kind, "ethical"))
        return N_("Ethical or religious diet");
    return N_("No special diet");
}

const char *enrollment_weekday_label(int iso_day)
{
    static const char *const days[] = {
        N_("Monday"), N_("Tuesday"),  N_("Wednesday"), N_("Thursday"),
        N_("Friday"), N_("Saturday"), N_("Sunday"),
    };
    return iso_day >= 1 && iso_day <= 7 ? days[iso_day - 1] : "";
}

void enrollment_read_row(struct db_stmt *st, struct arena *a, struct enrollment *e)
{
#define S(i) arena_strdup(a, db_col_text(st, (i)))
    memset(e, 0, sizeof(*e));
    e->id = db_col_int(st, 0);
    e->tenant_id = db_col_int(st, 1);
    e->campaign_id = db_col_int(st, 2);
    e->kind = S(3);
    if (!enrollment_status_parse(db_col_text(st, 4), &e->status))
        e->status = ENROLLMENT_DRAFT;
    e->step = (int)db_col_int(st, 5);
    e->guardian_id = db_col_int(st, 6);
    e->pupil_id = db_col_int(st, 7);
    e->previous_id = db_col_int(st, 8);
    e->email_verified = S(9);
    e->pupil_fiscal_code = S(10);
    e->pupil_name = S(11);
    e->pupil_surname = S(12);
    e->pupil_birth_date = S(13);
    e->pupil_sex = S(14);
    e->pupil_birth_place = S(15);
    e->guardian_fiscal_code = S(16);
    e->guardian_name = S(17);
    e->guardian_surname = S(18);
    e->guardian_email = S(19);
    e->guardian_mobile = S(20);
    e->guardian_address = S(21);
    e->guardian_resident = db_col_int(st, 22) != 0;
    e->privacy_accepted = db_col_int(st, 23) != 0;
    e->school_id = db_col_int(st, 24);
    e->class_id = db_col_int(st, 25);
    e->weekdays = S(26);
    e->diet_kind = S(27);
    e->diet_notes = S(28);
    e->certificate_id = db_col_int(st, 29);
    e->diet_status = S(30);
    e->diet_code = S(31);
    e->diet_decision_note = S(32);
    e->payment_method = S(33);
    e->iban = S(34);
    e->iban_holder = S(35);
    e->mandate_accepted = db_col_int(st, 36) != 0;
    e->isee_band_id = db_col_int(st, 37);
    e->declarations_accepted = db_col_int(st, 38) != 0;
    e->reject_reason = S(39);
    e->debt_override_reason = S(40);
    e->decided_by = S(41);
    e->created_at = S(42);
    e->first_saved_at = S(43);
    e->updated_at = S(44);
    e->submitted_at = S(45);
    e->decided_at = S(46);
    e->campaign_title = S(47);
    e->school_year_label = S(48);
    e->school_name = S(49);
    e->class_name = S(50);
    e->isee_band_label = S(51);
    e->badge_code = S(52);
    e->user_code = S(53);
    e->school_kind = (int)db_col_int(st, 54);
    e->session_hash = S(55);
#undef S
}

int enrollment_find(struct db *db, struct arena *a, int64_t tenant_id, int64_t id,
                    struct enrollment *out)
{
    struct db_stmt *st = db_stmt(db, STMT_ENROLLMENT_BY_ID);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, id);
    enum db_err e = db_step(st);
    if (e == DB_ROW)
        enrollment_read_row(st, a, out);
    db_reset(st);
    return e == DB_ROW ? 1 : e == DB_DONE ? 0 : -1;
}

int enrollment_history(struct db *db, struct arena *a, int64_t tenant_id, int64_t id,
                       struct enrollment_event **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    struct db_stmt *st = db_stmt(db, STMT_ENROLLMENT_HISTORY);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, id);
    size_t cap = 0;
    enum db_err e;
    while ((e = db_step(st)) == DB_ROW) {
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct enrollment_event *grown = arena_alloc(a, ncap * sizeof(*grown));
            if (*n)
                memcpy(grown, *out, *n * sizeof(*grown));
            *out = grown;
            cap = ncap;
        }
        struct enrollment_event *ev = &(*out)[(*n)++];
        ev->at = arena_strdup(a, db_col_text(st, 0));
        ev->actor_kind = arena_strdup(a, db_col_text(st, 1));
        ev->actor_label = arena_strdup(a, db_col_text(st, 2));
        ev->action = arena_strdup(a, db_col_text(st, 3));
        ev->status = arena_strdup(a, db_col_text(st, 4));
        ev->detail = arena_strdup(a, db_col_text(st, 5));
    }
    db_reset(st);
    return e == DB_DONE ? 0 : -1;
}

static const char *enrollment_actor_kind(enum audit_actor k)
{
    switch (k) {
    case AUDIT_STAFF:
        return "staff";
    case AUDIT_FAMILY:
        return "family";
    case AUDIT_CLI:
        return "cli";
    case AUDIT_SYSTEM:
        break;
    }
    return "system";
}

int enrollment_history_add(struct db *db, int64_t enrollment_id, const struct enrollment_actor *who,
                           const char *action, enum enrollment_status status, const char *detail)
{
    struct db_stmt *st = db_stmt(db, STMT_ENROLLMENT_HISTORY_INSERT);
    if (!st)
        return -1;
    char now[32];
    time_now_iso(now);
    db_bind_int(st, 1, enrollment_id);
    db_bind_text(st, 2, now);
    db_bind_text(st, 3, enrollment_actor_kind(who->kind));
    db_bind_text(st, 4, who->label ? who->label : "");
    db_bind_text(st, 5, action);
    db_bind_text(st, 6, enrollment_status_name(status));
    db_bind_text(st, 7, detail ? detail : "");
    return db_exec_stmt(st) == DB_OK ? 0 : -1;
}

int enrollment_list_for_guardian(struct db *db, struct arena *a, int64_t tenant_id,
                                 int64_t guardian_id, struct enrollment **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    struct db_stmt *st = db_stmt(db, STMT_ENROLLMENT_FOR_GUARDIAN);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, guardian_id);
    size_t cap = 0;
    enum db_err e;
    while ((e = db_step(st)) == DB_ROW) {
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            struct enrollment *grown = arena_alloc(a, ncap * sizeof(*grown));
            if (*n)
                memcpy(grown, *out, *n * sizeof(*grown));
            *out = grown;
            cap = ncap;
        }
        enrollment_read_row(st, a, &(*out)[(*n)++]);
    }
    db_reset(st);
    return e == DB_DONE ? 0 : -1;
}
