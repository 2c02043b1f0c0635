#include "services/enroll.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "domain/codice_fiscale.h"
#include "domain/promotion.h"
#include "integrations/mail/outbox.h"
#include "services/guardian.h"
#include "services/ledger.h"
#include "util/buf.h"
#include "util/time.h"

static int enroll_audit(struct db *db, const struct enrollment *e,
                        const struct enrollment_actor *who, const char *action, const char *from,
                        const char *to, const char *detail)
{
    struct audit_entry a = {.tenant_id = e->tenant_id,
                            .actor = who->kind,
                            .actor_id = who->id,
                            .actor_label = who->label,
                            .action = action,
                            .entity = "enrollment",
                            .entity_id = e->id,
                            .from_state = from,
                            .to_state = to,
                            .detail = detail,
                            .client_addr = who->client_addr};
    return audit_record(db, &a);
}

static enum enroll_start enroll_insert(struct db *db, int64_t tenant_id, int64_t campaign_id,
                                       const char *kind, const char *session_hash,
                                       int64_t guardian_id, int64_t pupil_id, const char *cf,
                                       int64_t *id)
{
    struct db_stmt *st = db_stmt(db, STMT_ENROLLMENT_INSERT);
    if (!st)
        return ENROLL_START_ERROR;
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, campaign_id);
    db_bind_text(st, 3, kind);
    db_bind_text(st, 4, guardian_id ? NULL : session_hash);
    db_bind_int(st, 5, guardian_id);
    db_bind_int(st, 6, pupil_id);
    db_bind_text(st, 7, cf);
    db_bind_text(st, 8, now);
    if (db_exec_stmt(st) != DB_OK)
        return ENROLL_START_ERROR;
    *id = db_last_id(db);
    return ENROLL_START_OK;
}

/* The account application for (campaign, cf): 1 found (*id, *guardian_id), 0 none, -1 error. */
static int enroll_existing(struct db *db, int64_t tenant_id, int64_t campaign_id, const char *cf,
                           int64_t *id, int64_t *guardian_id)
{
    struct db_stmt *st = db_stmt(db, STMT_ENROLLMENT_BY_CAMPAIGN_CF);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, campaign_id);
    db_bind_text(st, 3, cf);
    enum db_err e = db_step(st);
    if (e == DB_ROW) {
        *id = db_col_int(st, 0);
        *guardian_id = db_col_int(st, 1);
    }
    db_reset(st);
    return e == DB_ROW ? 1 : e == DB_DONE ? 0 : -1;
}

/* The pupil with this codice fiscale: 1 found, 0 none, -1 error. */
static int enroll_pupil_by_cf(struct db *db, int64_t tenant_id, const char *cf, int64_t *pupil_id,
                              int64_t *guardian_id)
{
    struct db_stmt *st = db_stmt(db, STMT_ENROLL_PUPIL_BY_CF);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_text(st, 2, cf);
    enum db_err e = db_step(st);
    if (e == DB_ROW) {
        *pupil_id = db_col_int(st, 0);
        *guardian_id = db_col_int(st, 1);
    }
    db_reset(st);
    return e == DB_ROW ? 1 : e == DB_DONE ? 0 : -1;
}

enum enroll_start enroll_start_new(struct db *db, const struct campaign *c, int64_t tenant_id,
                                   const char *cf, const char *session_hash, int64_t guardian_id,
                                   int64_t *id)
{
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    if (!campaign_accepts(c, "new") || campaign_window_at(c, now) != CAMPAIGN_OPEN)
        return ENROLL_START_NOT_ACCEPTED;
    int64_t existing, owner;
    int found = enroll_existing(db, tenant_id, c->id, cf, &existing, &owner);
    if (found < 0)
        return ENROLL_START_ERROR;
    if (found) {
        if (guardian_id && owner == guardian_id) {
            *id = existing;
            return ENROLL_START_OK;
        }
        return ENROLL_START_EXISTS;
    }
    int64_t pupil_id = 0, pupil_guardian = 0;
    found = enroll_pupil_by_cf(db, tenant_id, cf, &pupil_id, &pupil_guardian);
    if (found < 0)
        return ENROLL_START_ERROR;
    if (found && pupil_guardian != guardian_id)
        return ENROLL_START_KNOWN_PUPIL;
    if (!guardian_id) {
        struct db_stmt *st = db_stmt(db, STMT_ENROLLMENT_BY_SESSION_CF);
        if (!st)
            return ENROLL_START_ERROR;
        db_bind_int(st, 1, tenant_id);
        db_bind_int(st, 2, c->id);
        db_bind_text(st, 3, cf);
        db_bind_text(st, 4, session_hash);
        enum db_err e = db_step(st);
        if (e == DB_ROW)
            *id = db_col_int(st, 0);
        db_reset(st);
        if (e == DB_ROW)
            return ENROLL_START_OK;
        if (e != DB_DONE)
            return ENROLL_START_ERROR;
    }
    return enroll_insert(db, tenant_id, c->id, "new", session_hash, guardian_id, pupil_id, cf, id);
}

/* Find the class the pupil is promoted to in campaign c (0 when the family must pick). */
static int64_t enroll_promoted_class(struct db *db, const struct campaign *c, int64_t tenant_id,
                                     const struct enrollment *prev)
{
    int by, bm, bd, ny, nm, nd;
    if (!time_parse_date(prev->pupil_birth_date, &by, &bm, &bd) ||
        !time_parse_date(c->school_year_starts_on, &ny, &nm, &nd) || prev->school_kind < 0)
        return 0;
    char name[48];
    int next_kind;
    if (promotion_next(prev->class_name, prev->school_kind, by, ny, name, sizeof(name),
                       &next_kind) != PROMOTION_SAME_SCHOOL)
        return 0;
    struct db_stmt *st = db_stmt(db, STMT_ENROLL_CLASS_BY_NAME);
    if (!st)
        return 0;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, c->id);
    db_bind_int(st, 3, prev->school_id);
    db_bind_text(st, 4, name);
    int64_t class_id = db_step(st) == DB_ROW ? db_col_int(st, 0) : 0;
    db_reset(st);
    return class_id;
}

/* No earlier application here (a pupil from the previous platform): the pupil's and the
   guardian's records fill the first two steps. */
static int enroll_fill_from_account(struct db *db, struct arena *a, int64_t tenant_id, int64_t id,
                                    int64_t guardian_id, const struct pupil_summary *p)
{
    struct guardian g;
    if (guardian_find_by_id(db, a, tenant_id, guardian_id, &g) != 1)
        return -1;
    struct codice_fiscale cf;
    const char *place = codice_fiscale_parse(p->fiscal_code, &cf) == CODICE_FISCALE_OK
                            ? arena_strdup(a, cf.place)
                            : "";
    const char *sex = codice_fiscale_parse(p->fiscal_code, &cf) == CODICE_FISCALE_OK
                          ? (cf.sex == 'F' ? "F" : "M")
                          : "";
    struct db_stmt *st = db_stmt(db, STMT_ENROLLMENT_FILL_FROM_ACCOUNT);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, id);
    db_bind_text(st, 3, p->name);
    db_bind_text(st, 4, p->surname);
    db_bind_text(st, 5, p->birth_date);
    db_bind_text(st, 6, sex);
    db_bind_text(st, 7, place);
    db_bind_text(st, 8, g.fiscal_code);
    db_bind_text(st, 9, g.name);
    db_bind_text(st, 10, g.surname);
    db_bind_text(st, 11, g.email);
    db_bind_text(st, 12, g.mobile);
    db_bind_text(st, 13, g.address);
    return db_exec_stmt(st) == DB_OK ? 0 : -1;
}

enum enroll_start enroll_start_renewal(struct db *db, struct arena *a, const struct campaign *c,
                                       int64_t tenant_id, int64_t guardian_id, int64_t pupil_id,
                                       int64_t *id)
{
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    if (!campaign_accepts(c, "renewal") || campaign_window_at(c, now) != CAMPAIGN_OPEN)
        return ENROLL_START_NOT_ACCEPTED;
    struct pupil_summary *pupils;
    size_t n;
    if (guardian_pupils(db, a, tenant_id, guardian_id, &pupils, &n) != 0)
        return ENROLL_START_ERROR;
    const struct pupil_summary *p = NULL;
    for (size_t i = 0; i < n; i++)
        if (pupils[i].id == pupil_id)
            p = &pupils[i];
    if (!p)
        return ENROLL_START_ERROR;
    int64_t existing, owner;
    int found = enroll_existing(db, tenant_id, c->id, p->fiscal_code, &existing, &owner);
    if (found < 0)
        return ENROLL_START_ERROR;
    if (found) {
        *id = existing;
        return owner == guardian_id ? ENROLL_START_OK : ENROLL_START_EXISTS;
    }
    if (enroll_insert(db, tenant_id, c->id, "renewal", NULL, guardian_id, pupil_id, p->fiscal_code,
                      id) != ENROLL_START_OK)
        return ENROLL_START_ERROR;
    struct db_stmt *st = db_stmt(db, STMT_ENROLLMENT_PREVIOUS);
    if (!st)
        return ENROLL_START_ERROR;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, pupil_id);
    db_bind_text(st, 3, c->school_year_starts_on);
    enum db_err e = db_step(st);
    int64_t prev_id = e == DB_ROW ? db_col_int(st, 0) : 0;
    db_reset(st);
    if (e != DB_ROW && e != DB_DONE)
        return ENROLL_START_ERROR;
    struct enrollment prev;
    if (prev_id && enrollment_find(db, a, tenant_id, prev_id, &prev) == 1) {
        int64_t class_id = enroll_promoted_class(db, c, tenant_id, &prev);
        int64_t school_id = class_id ? prev.school_id : 0;
        st = db_stmt(db, STMT_ENROLLMENT_COPY_PREVIOUS);
        if (!st)
            return ENROLL_START_ERROR;
        db_bind_int(st, 1, tenant_id);
        db_bind_int(st, 2, *id);
        db_bind_int(st, 3, prev_id);
        db_bind_int(st, 4, school_id);
        db_bind_int(st, 5, class_id);
        if (db_exec_stmt(st) != DB_OK)
            return ENROLL_START_ERROR;
    } else if (enroll_fill_from_account(db, a, tenant_id, *id, guardian_id, p) != 0) {
        return ENROLL_START_ERROR;
    }
    struct enrollment cur = {.id = *id, .tenant_id = tenant_id};
    struct enrollment_actor who = {.kind = AUDIT_FAMILY, .id = guardian_id};
    if (enrollment_history_add(db, *id, &who, "start.renewal", ENROLLMENT_DRAFT,
                               prev_id ? "pre-filled from the previous school year" : "") != 0 ||
        enroll_audit(db, &cur, &who, "enrollment.start", NULL, "draft", "renewal") != 0)
        return ENROLL_START_ERROR;
    return ENROLL_START_OK;
}

bool enroll_owned(const struct enrollment *e, const char *session_hash, int64_t guardian_id)
{
    if (e->guardian_id)
        return guardian_id > 0 && e->guardian_id == guardian_id;
    return guardian_id == 0 && session_hash && *session_hash && e->session_hash[0] &&
           !strcmp(e->session_hash, session_hash);
}

bool enroll_editable(const struct enrollment *e)
{
    return e->status == ENROLLMENT_DRAFT || e->status == ENROLLMENT_SUBMITTED;
}

int enroll_set_email(struct db *db, int64_t tenant_id, int64_t id, const char *email)
{
    struct db_stmt *st = db_stmt(db, STMT_ENROLLMENT_SET_EMAIL);
    if (!st)
        return -1;
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, id);
    db_bind_text(st, 3, email);
    db_bind_text(st, 4, now);
    return db_exec_stmt(st) == DB_OK ? 0 : -1;
}

/* "key: old → new" lines for the history, one per changed value. */
static void enroll_diff(struct buf *b, const char *key, const char *old, const char *new_value)
{
    old = old ? old : "";
    new_value = new_value ? new_value : "";
    if (!strcmp(old, new_value))
        return;
    if (b->len)
        buf_puts(b, "\n");
    buf_printf(b, "%s: %s → %s", key, *old ? old : "—", *new_value ? new_value : "—");
}

static void enroll_diff_int(struct buf *b, const char *key, int64_t old, int64_t new_value)
{
    char o[24], n[24];
    snprintf(o, sizeof(o), "%lld", (long long)old);
    snprintf(n, sizeof(n), "%lld", (long long)new_value);
    enroll_diff(b, key, old ? o : "", new_value ? n : "");
}

/* Finish a step save: the history event (when something changed, or on the first save of the
   step) and, for a submitted application, an audit entry. */
static int enroll_saved(struct db *db, const struct enrollment *e,
                        const struct enrollment_actor *who, const char *action, struct buf *diff,
                        bool first_time)
{
    int rc = 0;
    if (diff->err)
        rc = -1;
    else if (diff->len || first_time)
        rc = enrollment_history_add(db, e->id, who, action, e->status, buf_str(diff));
    if (rc == 0 && e->status == ENROLLMENT_SUBMITTED && diff->len)
        rc = enroll_audit(db, e, who, "enrollment.modify", "submitted", "submitted", action);
    buf_free(diff);
    return rc;
}

static void enroll_bind_now(struct db_stmt *st, int pos)
{
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    db_bind_text(st, pos, now);
}

int enroll_save_pupil(struct db *db, const struct enrollment *e, const struct enroll_pupil *p,
                      const struct enrollment_actor *who)
{
    struct db_stmt *st = db_stmt(db, STMT_ENROLLMENT_SAVE_PUPIL);
    if (!st)
        return -1;
    db_bind_int(st, 1, e->tenant_id);
    db_bind_int(st, 2, e->id);
    db_bind_text(st, 3, p->name);
    db_bind_text(st, 4, p->surname);
    db_bind_text(st, 5, p->birth_date);
    db_bind_text(st, 6, p->sex);
    db_bind_text(st, 7, p->birth_place);
    enroll_bind_now(st, 8);
    if (db_exec_stmt(st) != DB_OK)
        return -1;
    struct buf d;
    buf_init(&d, 4096);
    enroll_diff(&d, "pupil.name", e->pupil_name, p->name);
    enroll_diff(&d, "pupil.surname", e->pupil_surname, p->surname);
    enroll_diff(&d, "pupil.birth_date", e->pupil_birth_date, p->birth_date);
    enroll_diff(&d, "pupil.sex", e->pupil_sex, p->sex);
    enroll_diff(&d, "pupil.birth_place", e->pupil_birth_place, p->birth_place);
    return enroll_saved(db, e, who, "save.pupil", &d, e->step < STEP_PUPIL);
}

int enroll_save_guardian(struct db *db, const struct enrollment *e, const struct enroll_guardian *g,
                         const struct enrollment_actor *who)
{
    struct db_stmt *st = db_stmt(db, STMT_ENROLLMENT_SAVE_GUARDIAN);
    if (!st)
        return -1;
    db_bind_int(st, 1, e->tenant_id);
    db_bind_int(st, 2, e->id);
    db_bind_text(st, 3, g->fiscal_code);
    db_bind_text(st, 4, g->name);
    db_bind_text(st, 5, g->surname);
    db_bind_text(st, 6, g->mobile);
    db_bind_text(st, 7, g->address);
    db_bind_int(st, 8, g->resident);
    enroll_bind_now(st, 9);
    if (db_exec_stmt(st) != DB_OK)
        return -1;
    struct buf d;
    buf_init(&d, 4096);
    enroll_diff(&d, "guardian.fiscal_code", e->guardian_fiscal_code, g->fiscal_code);
    enroll_diff(&d, "guardian.name", e->guardian_name, g->name);
    enroll_diff(&d, "guardian.surname", e->guardian_surname, g->surname);
    enroll_diff(&d, "guardian.mobile", e->guardian_mobile, g->mobile);
    enroll_diff(&d, "guardian.address", e->guardian_address, g->address);
    enroll_diff(&d, "guardian.resident", e->guardian_resident ? "1" : "0", g->resident ? "1" : "0");
    return enroll_saved(db, e, who, "save.guardian", &d, e->step < STEP_GUARDIAN);
}

int enroll_save_school(struct db *db, const struct enrollment *e, const struct enroll_school *s,
                       const struct enrollment_actor *who)
{
    struct db_stmt *st = db_stmt(db, STMT_ENROLL_CLASS_SCHOOL);
    if (!st)
        return -1;
    db_bind_int(st, 1, e->tenant_id);
    db_bind_int(st, 2, e->campaign_id);
    db_bind_int(st, 3, s->class_id);
    enum db_err r = db_step(st);
    int64_t school_id = r == DB_ROW ? db_col_int(st, 1) : 0;
    db_reset(st);
    if (!school_id)
        return -1;
    st = db_stmt(db, STMT_ENROLLMENT_SAVE_SCHOOL);
    if (!st)
        return -1;
    db_bind_int(st, 1, e->tenant_id);
    db_bind_int(st, 2, e->id);
    db_bind_int(st, 3, school_id);
    db_bind_int(st, 4, s->class_id);
    db_bind_text(st, 5, s->weekdays);
    enroll_bind_now(st, 6);
    if (db_exec_stmt(st) != DB_OK)
        return -1;
    struct buf d;
    buf_init(&d, 4096);
    enroll_diff_int(&d, "school", e->school_id, school_id);
    enroll_diff_int(&d, "class", e->class_id, s->class_id);
    enroll_diff(&d, "weekdays", e->weekdays, s->weekdays);
    return enroll_saved(db, e, who, "save.school", &d, e->step < STEP_SCHOOL);
}

int enroll_save_diet(struct db *db, const struct enrollment *e, const struct enroll_diet *dt,
                     const struct enrollment_actor *who)
{
    struct db_stmt *st = db_stmt(db, STMT_ENROLLMENT_SAVE_DIET);
    if (!st)
        return -1;
    db_bind_int(st, 1, e->tenant_id);
    db_bind_int(st, 2, e->id);
    db_bind_text(st, 3, dt->kind);
    db_bind_text(st, 4, dt->notes ? dt->notes : "");
    db_bind_int(st, 5, dt->certificate_id);
    enroll_bind_now(st, 6);
    if (db_exec_stmt(st) != DB_OK)
        return -1;
    struct buf d;
    buf_init(&d, 4096);
    enroll_diff(&d, "diet.kind", e->diet_kind, dt->kind);
    enroll_diff(&d, "diet.notes", e->diet_notes, dt->notes);
    enroll_diff_int(&d, "diet.certificate", e->certificate_id, dt->certificate_id);
    return enroll_saved(db, e, who, "save.diet", &d, e->step < STEP_DIET);
}

int enroll_save_payment(struct db *db, const struct enrollment *e, const struct enroll_payment *p,
                        const struct enrollment_actor *who)
{
    struct db_stmt *st = db_stmt(db, STMT_ENROLLMENT_SAVE_PAYMENT);
    if (!st)
        return -1;
    db_bind_int(st, 1, e->tenant_id);
    db_bind_int(st, 2, e->id);
    db_bind_text(st, 3, p->method);
    db_bind_text(st, 4, p->iban ? p->iban : "");
    db_bind_text(st, 5, p->iban_holder ? p->iban_holder : "");
    db_bind_int(st, 6, p->mandate);
    db_bind_int(st, 7, p->isee_band_id);
    enroll_bind_now(st, 8);
    if (db_exec_stmt(st) != DB_OK)
        return -1;
    struct buf d;
    buf_init(&d, 4096);
    enroll_diff(&d, "payment.method", e->payment_method, p->method);
    enroll_diff(&d, "payment.iban", e->iban, p->iban);
    enroll_diff(&d, "payment.holder", e->iban_holder, p->iban_holder);
    enroll_diff(&d, "payment.mandate", e->mandate_accepted ? "1" : "0", p->mandate ? "1" : "0");
    enroll_diff_int(&d, "isee_band", e->isee_band_id, p->isee_band_id);
    return enroll_saved(db, e, who, "save.payment", &d, e->step < STEP_PAYMENT);
}

int enroll_save_declarations(struct db *db, const struct enrollment *e,
                             const struct enrollment_actor *who)
{
    struct db_stmt *st = db_stmt(db, STMT_ENROLLMENT_SAVE_DECLARATIONS);
    if (!st)
        return -1;
    db_bind_int(st, 1, e->tenant_id);
    db_bind_int(st, 2, e->id);
    enroll_bind_now(st, 3);
    if (db_exec_stmt(st) != DB_OK)
        return -1;
    struct buf d;
    buf_init(&d, 256);
    if (!e->declarations_accepted)
        buf_puts(&d, "declarations: accepted");
    return enroll_saved(db, e, who, "save.declarations", &d, false);
}

static int enroll_link(struct db *db, const struct enrollment *e, int64_t guardian_id,
                       int64_t pupil_id)
{
    struct db_stmt *st = db_stmt(db, STMT_ENROLLMENT_LINK_ACCOUNT);
    if (!st)
        return -1;
    db_bind_int(st, 1, e->tenant_id);
    db_bind_int(st, 2, e->id);
    db_bind_int(st, 3, guardian_id);
    db_bind_int(st, 4, pupil_id);
    enroll_bind_now(st, 5);
    enum db_err r = db_exec_stmt(st);
    return r == DB_OK ? 0 : r == DB_ERR_CONSTRAINT ? 1 : -1;
}

enum enroll_account enroll_save_draft(struct db *db, struct arena *a, const struct tenant *t,
                                      const struct enrollment *e, const char *signin_href,
                                      const struct enrollment_actor *who, int64_t *guardian_id,
                                      bool *created)
{
    *created = false;
    *guardian_id = e->guardian_id;
    if (e->step < STEP_GUARDIAN || !e->privacy_accepted)
        return ENROLL_ACCOUNT_INCOMPLETE;
    int64_t gid = e->guardian_id;
    if (!gid) {
        struct guardian g;
        int found = guardian_find_by_login(db, a, t->id, e->guardian_fiscal_code, &g);
        if (found < 0)
            return ENROLL_ACCOUNT_ERROR;
        if (found) {
            /* The same person, proven by the address verified in this application. */
            if (strcasecmp(g.fiscal_code, e->guardian_fiscal_code) != 0 ||
                strcasecmp(g.email, e->email_verified) != 0)
                return ENROLL_ACCOUNT_TAKEN;
            gid = g.id;
        } else {
            struct guardian_new gn = {.fiscal_code = e->guardian_fiscal_code,
                                      .name = e->guardian_name,
                                      .surname = e->guardian_surname,
                                      .email = e->email_verified,
                                      .mobile = e->guardian_mobile,
                                      .address = e->guardian_address,
                                      .lang = "it",
                                      .email_verified = true};
            char temp[GUARDIAN_TEMP_PASSWORD_LEN + 1];
            enum guardian_err ge = guardian_create(db, t->id, &gn, NULL, &gid, temp);
            if (ge == GUARDIAN_ERR_DUPLICATE)
                return ENROLL_ACCOUNT_TAKEN;
            if (ge != GUARDIAN_OK)
                return ENROLL_ACCOUNT_ERROR;
            struct tv *data = tv_dict(a);
            tv_set_str(data, "name",
                       arena_printf(a, "%s %s", e->guardian_name, e->guardian_surname));
            tv_set_str(data, "password", temp);
            tv_set_str(data, "signin_href", signin_href);
            if (mail_queue(db, a, t, e->email_verified, "it", "temporary_password", data, NULL) !=
                0)
                return ENROLL_ACCOUNT_ERROR;
            *created = true;
        }
    }
    int64_t pupil_id = e->pupil_id, pupil_guardian = 0;
    if (!pupil_id) {
        int found = enroll_pupil_by_cf(db, t->id, e->pupil_fiscal_code, &pupil_id, &pupil_guardian);
        if (found < 0)
            return ENROLL_ACCOUNT_ERROR;
        if (found && pupil_guardian != gid)
            return ENROLL_ACCOUNT_PUPIL_TAKEN;
        if (!found) {
            struct pupil_new pn = {e->pupil_fiscal_code, e->pupil_name, e->pupil_surname,
                                   e->pupil_birth_date, e->pupil_sex};
            if (pupil_create(db, t->id, gid, &pn, &pupil_id) != GUARDIAN_OK)
                return ENROLL_ACCOUNT_ERROR;
        }
    }
    bool first = e->first_saved_at[0] == '\0';
    int rc = enroll_link(db, e, gid, pupil_id);
    if (rc == 1)
        return ENROLL_ACCOUNT_PUPIL_TAKEN; /* an application for this pupil is in the account */
    if (rc != 0)
        return ENROLL_ACCOUNT_ERROR;
    if (first && (enrollment_history_add(db, e->id, who, "save.draft", e->status,
                                         *created ? "account created" : "") != 0 ||
                  enroll_audit(db, e, who, "enrollment.draft", NULL, "draft", "") != 0))
        return ENROLL_ACCOUNT_ERROR;
    *guardian_id = gid;
    return ENROLL_ACCOUNT_OK;
}

enum enroll_submit enroll_submit_check(struct db *db, const struct campaign *c,
                                       const struct enrollment *e, int *missing_step,
                                       int64_t *balance)
{
    *missing_step = 0;
    *balance = 0;
    if (!enroll_editable(e))
        return ENROLL_SUBMIT_STATE;
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    if (campaign_window_at(c, now) != CAMPAIGN_OPEN || !campaign_accepts(c, e->kind))
        return ENROLL_SUBMIT_CLOSED;
    if (e->step < STEP_PAYMENT || !e->class_id || !e->privacy_accepted) {
        *missing_step = !e->pupil_name[0]                              ? STEP_PUPIL
                        : !e->guardian_name[0] || !e->privacy_accepted ? STEP_GUARDIAN
                        : !e->class_id                                 ? STEP_SCHOOL
                        : e->step < STEP_DIET                          ? STEP_DIET
                                                                       : STEP_PAYMENT;
        return ENROLL_SUBMIT_INCOMPLETE;
    }
    if (!e->declarations_accepted)
        return ENROLL_SUBMIT_DECLARATIONS;
    if (c->has_debt_threshold && e->guardian_id && !e->debt_override_reason[0]) {
        if (ledger_balance(db, e->tenant_id, e->guardian_id, balance) != 0)
            return ENROLL_SUBMIT_ERROR;
        if (*balance < c->debt_threshold_cents)
            return ENROLL_SUBMIT_DEBT;
    }
    return ENROLL_SUBMIT_OK;
}

enum enroll_submit enroll_submit(struct db *db, const struct campaign *c,
                                 const struct enrollment *e, const struct enrollment_actor *who,
                                 int *missing_step, int64_t *balance)
{
    enum enroll_submit r = enroll_submit_check(db, c, e, missing_step, balance);
    if (r != ENROLL_SUBMIT_OK)
        return r;
    if (!e->guardian_id)
        return ENROLL_SUBMIT_ERROR; /* enroll_save_draft first */
    if (e->status == ENROLLMENT_SUBMITTED) {
        if (enrollment_history_add(db, e->id, who, "resubmit", e->status, "") != 0 ||
            enroll_audit(db, e, who, "enrollment.resubmit", "submitted", "submitted", "") != 0)
            return ENROLL_SUBMIT_ERROR;
        return ENROLL_SUBMIT_OK;
    }
    struct db_stmt *st = db_stmt(db, STMT_ENROLLMENT_SET_STATUS);
    if (!st)
        return ENROLL_SUBMIT_ERROR;
    db_bind_int(st, 1, e->tenant_id);
    db_bind_int(st, 2, e->id);
    db_bind_text(st, 3, "submitted");
    enroll_bind_now(st, 4);
    db_bind_text(st, 5, "draft");
    if (db_exec_stmt(st) != DB_OK)
        return ENROLL_SUBMIT_ERROR;
    if (db_changes(db) != 1)
        return ENROLL_SUBMIT_STATE;
    if (enrollment_history_add(db, e->id, who, "submit", ENROLLMENT_SUBMITTED, "") != 0 ||
        enroll_audit(db, e, who, "enrollment.submit", "draft", "submitted", "") != 0)
        return ENROLL_SUBMIT_ERROR;
    return ENROLL_SUBMIT_OK;
}

int enroll_withdraw(struct db *db, const struct enrollment *e, const struct enrollment_actor *who)
{
    if (!enroll_editable(e))
        return 1;
    struct db_stmt *st = db_stmt(db, STMT_ENROLLMENT_SET_STATUS);
    if (!st)
        return -1;
    const char *from = enrollment_status_name(e->status);
    db_bind_int(st, 1, e->tenant_id);
    db_bind_int(st, 2, e->id);
    db_bind_text(st, 3, "withdrawn");
    enroll_bind_now(st, 4);
    db_bind_text(st, 5, from);
    if (db_exec_stmt(st) != DB_OK)
        return -1;
    if (db_changes(db) != 1)
        return 1;
    if (enrollment_history_add(db, e->id, who, "withdraw", ENROLLMENT_WITHDRAWN, "") != 0 ||
        enroll_audit(db, e, who, "enrollment.withdraw", from, "withdrawn", "") != 0)
        return -1;
    return 0;
}
