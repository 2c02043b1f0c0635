#include "services/campaign.h"

#include <stdlib.h>
#include <string.h>

#include "services/attachment.h"
#include "services/audit.h"
#include "services/tenant.h"
#include "util/time.h"
#include "util/time_local.h"

static const char *const campaign_kind_names[] = {"new", "renewal", "both"};

const char *campaign_kind_name(enum campaign_kind k)
{
    return (unsigned)k <= CAMPAIGN_BOTH ? campaign_kind_names[k] : "";
}

bool campaign_kind_parse(const char *s, enum campaign_kind *out)
{
    for (unsigned k = 0; s && k <= CAMPAIGN_BOTH; k++)
        if (!strcmp(s, campaign_kind_names[k])) {
            *out = (enum campaign_kind)k;
            return true;
        }
    return false;
}

bool campaign_accepts(const struct campaign *c, const char *enrollment_kind)
{
    if (!enrollment_kind)
        return false;
    if (!strcmp(enrollment_kind, "new"))
        return c->kind == CAMPAIGN_NEW || c->kind == CAMPAIGN_BOTH;
    if (!strcmp(enrollment_kind, "renewal"))
        return c->kind == CAMPAIGN_RENEWAL || c->kind == CAMPAIGN_BOTH;
    return false;
}

/* Both sides are "YYYY-MM-DDTHH:MM:SSZ", so text order is time order; closes_at is the first
   instant when the campaign is closed. */
enum campaign_window campaign_window_at(const struct campaign *c, const char *now_utc)
{
    if (strcmp(now_utc, c->opens_at) < 0)
        return CAMPAIGN_NOT_YET_OPEN;
    if (strcmp(now_utc, c->closes_at) >= 0)
        return CAMPAIGN_CLOSED;
    return CAMPAIGN_OPEN;
}

const char *campaign_window_name(enum campaign_window w)
{
    switch (w) {
    case CAMPAIGN_NOT_YET_OPEN:
        return "not_yet_open";
    case CAMPAIGN_OPEN:
        return "open";
    case CAMPAIGN_CLOSED:
        return "closed";
    }
    return "";
}

/* ---- validation ----------------------------------------------------------------------------- */

/* UTF-8 code points, as the schema's length() counts them. */
static size_t campaign_chars(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xc0) != 0x80)
            n++;
    return n;
}

static bool campaign_blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            return false;
    return true;
}

/* Text within min..max characters, not blank, without control characters (newlines only when
   multiline). */
static bool campaign_text_ok(const char *s, size_t min, size_t max, bool multiline)
{
    if (!s || campaign_blank(s))
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p < 0x20 && *p != '\t' && !(multiline && (*p == '\n' || *p == '\r'))) || *p == 0x7f)
            return false;
    size_t n = campaign_chars(s);
    return n >= min && n <= max;
}

/* A non-empty, strictly increasing string of ISO weekday digits from Monday (1) to Friday (5). */
static bool campaign_weekdays_ok(const char *w)
{
    if (!w || !*w || strlen(w) > 5)
        return false;
    char prev = '0';
    for (const char *p = w; *p; p++) {
        if (*p < '1' || *p > '5' || *p <= prev)
            return false;
        prev = *p;
    }
    return true;
}

static int campaign_id_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

size_t campaign_input_problems(const struct campaign_input *in,
                               const char *fields[CAMPAIGN_INPUT_FIELDS])
{
    size_t n = 0;
#define CAMPAIGN_PROBLEM(cond, name)                                                               \
    do {                                                                                           \
        if (cond)                                                                                  \
            fields[n++] = name;                                                                    \
    } while (0)
    time_t opens = 0, closes = 0;
    bool opens_ok = in->opens_at && time_parse_iso(in->opens_at, &opens);
    bool closes_ok = in->closes_at && time_parse_iso(in->closes_at, &closes);
    bool declarations_ok = in->ndeclarations <= CAMPAIGN_DECLARATIONS_MAX &&
                           (in->ndeclarations == 0 || in->declarations);
    for (size_t i = 0; declarations_ok && i < in->ndeclarations; i++)
        declarations_ok = campaign_text_ok(in->declarations[i], CAMPAIGN_DECLARATION_MIN,
                                           CAMPAIGN_DECLARATION_MAX, true);
    CAMPAIGN_PROBLEM(in->school_year_id <= 0, "school_year_id");
    CAMPAIGN_PROBLEM(!campaign_text_ok(in->title, CAMPAIGN_TITLE_MIN, CAMPAIGN_TITLE_MAX, false),
                     "title");
    CAMPAIGN_PROBLEM((unsigned)in->kind > CAMPAIGN_BOTH, "kind");
    CAMPAIGN_PROBLEM(!opens_ok, "opens_at");
    CAMPAIGN_PROBLEM(!closes_ok || (opens_ok && closes <= opens), "closes_at");
    CAMPAIGN_PROBLEM(!campaign_weekdays_ok(in->weekdays), "weekdays");
    CAMPAIGN_PROBLEM(!campaign_text_ok(in->privacy_notice, 1, CAMPAIGN_PRIVACY_MAX, true),
                     "privacy_notice");
    CAMPAIGN_PROBLEM(in->fee_cents < 0 || in->fee_cents > CAMPAIGN_FEE_MAX, "fee_cents");
    CAMPAIGN_PROBLEM(in->has_debt_threshold &&
                         (in->debt_threshold_cents < -CAMPAIGN_THRESHOLD_MAX ||
                          in->debt_threshold_cents > CAMPAIGN_THRESHOLD_MAX),
                     "debt_threshold_cents");
    CAMPAIGN_PROBLEM(in->regulations_attachment_id < 0, "regulations_attachment_id");
    CAMPAIGN_PROBLEM(!declarations_ok, "declarations");
    CAMPAIGN_PROBLEM(in->nclass_ids == 0 || in->nclass_ids > CAMPAIGN_CLASSES_MAX || !in->class_ids,
                     "class_ids");
#undef CAMPAIGN_PROBLEM
    return n;
}

/* The checks that need no database: the first problem. */
static enum campaign_err campaign_check(const struct campaign_input *in, const char **field)
{
    const char *fields[CAMPAIGN_INPUT_FIELDS];
    if (campaign_input_problems(in, fields) == 0)
        return CAMPAIGN_OK;
    *field = fields[0];
    return CAMPAIGN_ERR_INVALID;
}

/* 1 when the statement (tenant $1, id $2) finds a row, 0 when not, -1 on error; *col0 gets the
   first column when not NULL. */
static int campaign_probe(struct db *db, enum stmt_id sid, int64_t tenant_id, int64_t id,
                          int64_t *col0)
{
    struct db_stmt *st = db_stmt(db, sid);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, id);
    enum db_err e = db_step(st);
    if (e == DB_ROW && col0)
        *col0 = db_col_int(st, 0);
    db_reset(st);
    return e == DB_ROW ? 1 : e == DB_DONE ? 0 : -1;
}

/* The checks against the tenant's rows; classes is the sorted, deduplicated list. */
static enum campaign_err campaign_check_refs(struct db *db, int64_t tenant_id,
                                             const struct campaign_input *in,
                                             const int64_t *classes, size_t nclasses,
                                             const char **field)
{
    int found = campaign_probe(db, STMT_CAMPAIGN_YEAR_EXISTS, tenant_id, in->school_year_id, NULL);
    if (found <= 0) {
        *field = "school_year_id";
        return found < 0 ? CAMPAIGN_ERR_DB : CAMPAIGN_ERR_NOT_FOUND;
    }
    for (size_t i = 0; i < nclasses; i++) {
        int64_t year = 0;
        found = campaign_probe(db, STMT_CAMPAIGN_CLASS_YEAR, tenant_id, classes[i], &year);
        if (found < 0)
            return CAMPAIGN_ERR_DB;
        if (found == 0 || year != in->school_year_id) {
            *field = "class_ids";
            return found == 0 ? CAMPAIGN_ERR_NOT_FOUND : CAMPAIGN_ERR_INVALID;
        }
    }
    if (in->regulations_attachment_id) {
        found = campaign_probe(db, STMT_CAMPAIGN_REGULATIONS_EXISTS, tenant_id,
                               in->regulations_attachment_id, NULL);
        if (found <= 0) {
            *field = "regulations_attachment_id";
            return found < 0 ? CAMPAIGN_ERR_DB : CAMPAIGN_ERR_NOT_FOUND;
        }
    }
    return CAMPAIGN_OK;
}

/* ---- reading -------------------------------------------------------------------------------- */

static void campaign_read_row(struct db_stmt *st, struct arena *a, struct campaign *c)
{
    memset(c, 0, sizeof(*c));
    c->id = db_col_int(st, 0);
    c->school_year_id = db_col_int(st, 1);
    c->school_year_label = arena_strdup(a, db_col_text(st, 2));
    c->school_year_starts_on = arena_strdup(a, db_col_text(st, 3));
    c->title = arena_strdup(a, db_col_text(st, 4));
    if (!campaign_kind_parse(db_col_text(st, 5), &c->kind))
        c->kind = CAMPAIGN_BOTH;
    c->opens_at = arena_strdup(a, db_col_text(st, 6));
    c->closes_at = arena_strdup(a, db_col_text(st, 7));
    c->weekdays = arena_strdup(a, db_col_text(st, 8));
    c->privacy_notice = arena_strdup(a, db_col_text(st, 9));
    c->fee_cents = db_col_int(st, 10);
    c->diets_offered = db_col_int(st, 11) != 0;
    c->direct_debit_offered = db_col_int(st, 12) != 0;
    c->regulations_attachment_id = db_col_int(st, 13);
    c->has_debt_threshold = db_col_int(st, 14) != 0;
    c->debt_threshold_cents = db_col_int(st, 15);
    c->class_count = db_col_int(st, 16);
}

int campaign_find(struct db *db, struct arena *a, int64_t tenant_id, int64_t id,
                  struct campaign *out)
{
    struct db_stmt *st = db_stmt(db, STMT_CAMPAIGN_BY_ID);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, id);
    enum db_err e = db_step(st);
    if (e == DB_ROW)
        campaign_read_row(st, a, out);
    db_reset(st);
    return e == DB_ROW ? 1 : e == DB_DONE ? 0 : -1;
}

int campaign_list(struct db *db, struct arena *a, int64_t tenant_id, struct campaign **out,
                  size_t *n)
{
    *out = arena_calloc(a, CAMPAIGN_LIST_MAX, sizeof(**out));
    *n = 0;
    struct db_stmt *st = db_stmt(db, STMT_CAMPAIGN_LIST);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, CAMPAIGN_LIST_MAX);
    enum db_err e;
    while ((e = db_step(st)) == DB_ROW && *n < CAMPAIGN_LIST_MAX)
        campaign_read_row(st, a, &(*out)[(*n)++]);
    db_reset(st);
    return e == DB_DONE || e == DB_ROW ? 0 : -1;
}

int campaign_declarations(struct db *db, struct arena *a, int64_t campaign_id,
                          struct campaign_declaration **out, size_t *n)
{
    *out = arena_calloc(a, CAMPAIGN_DECLARATIONS_MAX, sizeof(**out));
    *n = 0;
    struct db_stmt *st = db_stmt(db, STMT_CAMPAIGN_DECLARATIONS);
    if (!st)
        return -1;
    db_bind_int(st, 1, campaign_id);
    enum db_err e;
    while ((e = db_step(st)) == DB_ROW && *n < CAMPAIGN_DECLARATIONS_MAX) {
        struct campaign_declaration *d = &(*out)[(*n)++];
        d->id = db_col_int(st, 0);
        d->position = (int)db_col_int(st, 1);
        d->text = arena_strdup(a, db_col_text(st, 2));
    }
    db_reset(st);
    return e == DB_DONE || e == DB_ROW ? 0 : -1;
}

/* Rows of STMT_CAMPAIGN_CLASSES / STMT_CAMPAIGN_CLASS_CHOICES, already bound. */
static int campaign_read_classes(struct db_stmt *st, struct arena *a, struct campaign_class **out,
                                 size_t *n)
{
    *out = arena_calloc(a, CAMPAIGN_CLASSES_MAX, sizeof(**out));
    *n = 0;
    enum db_err e;
    while ((e = db_step(st)) == DB_ROW && *n < CAMPAIGN_CLASSES_MAX) {
        struct campaign_class *c = &(*out)[(*n)++];
        c->class_id = db_col_int(st, 0);
        c->class_name = arena_strdup(a, db_col_text(st, 1));
        c->school_id = db_col_int(st, 2);
        c->school_name = arena_strdup(a, db_col_text(st, 3));
        enum school_kind k = SCHOOL_PRIMARIA;
        c->school_kind = school_kind_parse(db_col_text(st, 4), &k) ? (int)k : -1;
    }
    db_reset(st);
    return e == DB_DONE || e == DB_ROW ? 0 : -1;
}

int campaign_classes(struct db *db, struct arena *a, int64_t campaign_id,
                     struct campaign_class **out, size_t *n)
{
    struct db_stmt *st = db_stmt(db, STMT_CAMPAIGN_CLASSES);
    if (!st) {
        *out = NULL;
        *n = 0;
        return -1;
    }
    db_bind_int(st, 1, campaign_id);
    return campaign_read_classes(st, a, out, n);
}

int campaign_class_choices(struct db *db, struct arena *a, int64_t tenant_id,
                           int64_t school_year_id, struct campaign_class **out, size_t *n)
{
    struct db_stmt *st = db_stmt(db, STMT_CAMPAIGN_CLASS_CHOICES);
    if (!st) {
        *out = NULL;
        *n = 0;
        return -1;
    }
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, school_year_id);
    db_bind_int(st, 3, CAMPAIGN_CLASSES_MAX);
    return campaign_read_classes(st, a, out, n);
}

bool campaign_has_class(struct db *db, int64_t campaign_id, int64_t class_id)
{
    return campaign_probe(db, STMT_CAMPAIGN_HAS_CLASS, campaign_id, class_id, NULL) == 1;
}

int campaign_year_choices(struct db *db, struct arena *a, int64_t tenant_id, const char *today,
                          int64_t also_id, struct campaign_year **out, size_t *n)
{
    *out = arena_calloc(a, CAMPAIGN_YEARS_MAX, sizeof(**out));
    *n = 0;
    struct db_stmt *st = db_stmt(db, STMT_CAMPAIGN_YEAR_CHOICES);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_text(st, 2, today);
    db_bind_int(st, 3, also_id);
    db_bind_int(st, 4, CAMPAIGN_YEARS_MAX);
    enum db_err e;
    while ((e = db_step(st)) == DB_ROW && *n < CAMPAIGN_YEARS_MAX) {
        struct campaign_year *y = &(*out)[(*n)++];
        y->id = db_col_int(st, 0);
        y->label = arena_strdup(a, db_col_text(st, 1));
        y->starts_on = arena_strdup(a, db_col_text(st, 2));
        y->ends_on = arena_strdup(a, db_col_text(st, 3));
    }
    db_reset(st);
    return e == DB_DONE || e == DB_ROW ? 0 : -1;
}

/* ---- writing -------------------------------------------------------------------------------- */

static void campaign_bind_fields(struct db_stmt *st, int first, const struct campaign_input *in)
{
    db_bind_int(st, first, in->school_year_id);
    db_bind_text(st, first + 1, in->title);
    db_bind_text(st, first + 2, campaign_kind_name(in->kind));
    db_bind_text(st, first + 3, in->opens_at);
    db_bind_text(st, first + 4, in->closes_at);
    db_bind_text(st, first + 5, in->weekdays);
    db_bind_text(st, first + 6, in->privacy_notice);
    db_bind_int(st, first + 7, in->fee_cents);
    db_bind_int(st, first + 8, in->diets_offered);
    db_bind_int(st, first + 9, in->direct_debit_offered);
    if (in->regulations_attachment_id)
        db_bind_int(st, first + 10, in->regulations_attachment_id);
    else
        db_bind_null(st, first + 10);
    if (in->has_debt_threshold)
        db_bind_int(st, first + 11, in->debt_threshold_cents);
    else
        db_bind_null(st, first + 11);
}

/* Replace the campaign's classes and declarations. */
static bool campaign_write_lists(struct db *db, int64_t id, const struct campaign_input *in,
                                 const int64_t *classes, size_t nclasses)
{
    struct db_stmt *st = db_stmt(db, STMT_CAMPAIGN_CLASS_CLEAR);
    if (!st)
        return false;
    db_bind_int(st, 1, id);
    if (db_exec_stmt(st) != DB_OK)
        return false;
    for (size_t i = 0; i < nclasses; i++) {
        st = db_stmt(db, STMT_CAMPAIGN_CLASS_INSERT);
        if (!st)
            return false;
        db_bind_int(st, 1, id);
        db_bind_int(st, 2, classes[i]);
        if (db_exec_stmt(st) != DB_OK)
            return false;
    }
    st = db_stmt(db, STMT_CAMPAIGN_DECLARATION_CLEAR);
    if (!st)
        return false;
    db_bind_int(st, 1, id);
    if (db_exec_stmt(st) != DB_OK)
        return false;
    for (size_t i = 0; i < in->ndeclarations; i++) {
        st = db_stmt(db, STMT_CAMPAIGN_DECLARATION_INSERT);
        if (!st)
            return false;
        db_bind_int(st, 1, id);
        db_bind_int(st, 2, (int64_t)i + 1);
        db_bind_text(st, 3, in->declarations[i]);
        if (db_exec_stmt(st) != DB_OK)
            return false;
    }
    return true;
}

static int campaign_audit(struct db *db, int64_t tenant_id, const char *actor_label,
                          const char *action, int64_t id, const char *from, const char *to,
                          const char *detail)
{
    struct audit_entry e = {
        .tenant_id = tenant_id,
        .actor = actor_label ? AUDIT_STAFF : AUDIT_SYSTEM,
        .actor_label = actor_label ? actor_label : "refettorio",
        .action = action,
        .entity = "campaign",
        .entity_id = id,
        .from_state = from,
        .to_state = to,
        .detail = detail,
    };
    return audit_record(db, &e);
}

/* The validated input's classes, sorted and without repeats, in the arena. */
static int64_t *campaign_unique_classes(struct arena *a, const struct campaign_input *in, size_t *n)
{
    int64_t *ids = arena_calloc(a, in->nclass_ids, sizeof(*ids));
    memcpy(ids, in->class_ids, in->nclass_ids * sizeof(*ids));
    qsort(ids, in->nclass_ids, sizeof(*ids), campaign_id_cmp);
    size_t k = 0;
    for (size_t i = 0; i < in->nclass_ids; i++)
        if (k == 0 || ids[k - 1] != ids[i])
            ids[k++] = ids[i];
    *n = k;
    return ids;
}

static const char *campaign_window_now(const char *opens_at, const char *closes_at)
{
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    struct campaign c = {.opens_at = opens_at, .closes_at = closes_at};
    return campaign_window_name(campaign_window_at(&c, now));
}

enum campaign_err campaign_create_tx(struct db *db, int64_t tenant_id,
                                     const struct campaign_input *in, const char *actor_label,
                                     int64_t *id, const char **field)
{
    const char *ignored = NULL;
    if (!field)
        field = &ignored;
    *field = NULL;
    enum campaign_err err = campaign_check(in, field);
    if (err != CAMPAIGN_OK)
        return err;
    struct arena a;
    arena_init(&a, 1024);
    size_t nclasses;
    int64_t *classes = campaign_unique_classes(&a, in, &nclasses);
    err = campaign_check_refs(db, tenant_id, in, classes, nclasses, field);
    int64_t new_id = 0;
    if (err == CAMPAIGN_OK) {
        char now[TIME_ISO_MAX];
        time_now_iso(now);
        struct db_stmt *st = db_stmt(db, STMT_CAMPAIGN_INSERT);
        err = CAMPAIGN_ERR_DB;
        if (st) {
            db_bind_int(st, 1, tenant_id);
            campaign_bind_fields(st, 2, in);
            db_bind_text(st, 14, now);
            if (db_exec_stmt(st) == DB_OK) {
                new_id = db_last_id(db);
                if (campaign_write_lists(db, new_id, in, classes, nclasses) &&
                    campaign_audit(db, tenant_id, actor_label, "campaign.create", new_id, NULL,
                                   campaign_window_now(in->opens_at, in->closes_at),
                                   in->title) == 0)
                    err = CAMPAIGN_OK;
            }
        }
    }
    arena_free(&a);
    if (err == CAMPAIGN_OK && id)
        *id = new_id;
    return err;
}

/* Commit on CAMPAIGN_OK, roll back otherwise; a failed commit is CAMPAIGN_ERR_DB. */
static enum campaign_err campaign_finish(struct db *db, enum campaign_err err)
{
    if (err == CAMPAIGN_OK)
        return db_commit(db) == DB_OK ? CAMPAIGN_OK : CAMPAIGN_ERR_DB;
    db_rollback(db);
    return err;
}

enum campaign_err campaign_create(struct db *db, int64_t tenant_id, const struct campaign_input *in,
                                  const char *actor_label, int64_t *id, const char **field)
{
    if (db_begin(db) != DB_OK)
        return CAMPAIGN_ERR_DB;
    int64_t new_id = 0;
    enum campaign_err err =
        campaign_finish(db, campaign_create_tx(db, tenant_id, in, actor_label, &new_id, field));
    if (err == CAMPAIGN_OK && id)
        *id = new_id;
    return err;
}

/* list with name appended ("a, b") when cond holds. */
static const char *campaign_note(struct arena *a, const char *list, bool cond, const char *name)
{
    if (!cond)
        return list;
    return *list ? arena_printf(a, "%s, %s", list, name) : name;
}

static bool campaign_classes_differ(struct db *db, struct arena *a, int64_t id,
                                    const int64_t *classes, size_t nclasses)
{
    struct campaign_class *old;
    size_t n;
    if (campaign_classes(db, a, id, &old, &n) != 0 || n != nclasses)
        return true;
    for (size_t i = 0; i < n; i++)
        if (!bsearch(&old[i].class_id, classes, nclasses, sizeof(*classes), campaign_id_cmp))
            return true;
    return false;
}

static bool campaign_declarations_differ(struct db *db, struct arena *a, int64_t id,
                                         const struct campaign_input *in)
{
    struct campaign_declaration *old;
    size_t n;
    if (campaign_declarations(db, a, id, &old, &n) != 0 || n != in->ndeclarations)
        return true;
    for (size_t i = 0; i < n; i++)
        if (strcmp(old[i].text, in->declarations[i]))
            return true;
    return false;
}

/* "title, closes_at, classes": what an update changes, for the audit log. */
static const char *campaign_changes(struct db *db, struct arena *a, const struct campaign *old,
                                    const struct campaign_input *in, const int64_t *classes,
                                    size_t nclasses)
{
    const char *s = "";
    s = campaign_note(a, s, old->school_year_id != in->school_year_id, "school_year");
    s = campaign_note(a, s, strcmp(old->title, in->title) != 0, "title");
    s = campaign_note(a, s, old->kind != in->kind, "kind");
    s = campaign_note(a, s, strcmp(old->opens_at, in->opens_at) != 0, "opens_at");
    s = campaign_note(a, s, strcmp(old->closes_at, in->closes_at) != 0, "closes_at");
    s = campaign_note(a, s, strcmp(old->weekdays, in->weekdays) != 0, "weekdays");
    s = campaign_note(a, s, strcmp(old->privacy_notice, in->privacy_notice) != 0, "privacy_notice");
    s = campaign_note(a, s, old->fee_cents != in->fee_cents, "fee");
    s = campaign_note(a, s, old->diets_offered != in->diets_offered, "diets_offered");
    s = campaign_note(a, s, old->direct_debit_offered != in->direct_debit_offered,
                      "direct_debit_offered");
    s = campaign_note(a, s,
                      in->regulations_attachment_id &&
                          in->regulations_attachment_id != old->regulations_attachment_id,
                      "regulations");
    s = campaign_note(
        a, s,
        old->has_debt_threshold != in->has_debt_threshold ||
            (in->has_debt_threshold && old->debt_threshold_cents != in->debt_threshold_cents),
        "debt_threshold");
    s = campaign_note(a, s, campaign_classes_differ(db, a, old->id, classes, nclasses), "classes");
    s = campaign_note(a, s, campaign_declarations_differ(db, a, old->id, in), "declarations");
    return *s ? s : "no changes";
}

enum campaign_err campaign_update_tx(struct db *db, int64_t tenant_id, int64_t id,
                                     const struct campaign_input *in, const char *actor_label,
                                     const char **field)
{
    const char *ignored = NULL;
    if (!field)
        field = &ignored;
    *field = NULL;
    enum campaign_err err = campaign_check(in, field);
    if (err != CAMPAIGN_OK)
        return err;
    struct arena a;
    arena_init(&a, 2048);
    struct campaign old;
    int found = campaign_find(db, &a, tenant_id, id, &old);
    size_t nclasses = 0;
    int64_t *classes = campaign_unique_classes(&a, in, &nclasses);
    if (found < 0)
        err = CAMPAIGN_ERR_DB;
    else if (found == 0)
        err = CAMPAIGN_ERR_NOT_FOUND;
    else
        err = campaign_check_refs(db, tenant_id, in, classes, nclasses, field);
    if (err == CAMPAIGN_OK && old.school_year_id != in->school_year_id) {
        int64_t applications = 0;
        int got = campaign_probe(db, STMT_CAMPAIGN_ENROLLMENT_COUNT, tenant_id, id, &applications);
        if (got != 1)
            err = CAMPAIGN_ERR_DB;
        else if (applications > 0) {
            *field = "school_year_id";
            err = CAMPAIGN_ERR_INVALID;
        }
    }
    if (err == CAMPAIGN_OK) {
        const char *detail = campaign_changes(db, &a, &old, in, classes, nclasses);
        char now[TIME_ISO_MAX];
        time_now_iso(now);
        struct db_stmt *st = db_stmt(db, STMT_CAMPAIGN_UPDATE);
        err = CAMPAIGN_ERR_DB;
        if (st) {
            db_bind_int(st, 1, tenant_id);
            db_bind_int(st, 2, id);
            campaign_bind_fields(st, 3, in);
            db_bind_text(st, 15, now);
            if (db_exec_stmt(st) == DB_OK && db_changes(db) == 1 &&
                campaign_write_lists(db, id, in, classes, nclasses) &&
                campaign_audit(db, tenant_id, actor_label, "campaign.update", id,
                               campaign_window_now(old.opens_at, old.closes_at),
                               campaign_window_now(in->opens_at, in->closes_at), detail) == 0)
                err = CAMPAIGN_OK;
        }
    }
    arena_free(&a);
    return err;
}

enum campaign_err campaign_update(struct db *db, int64_t tenant_id, int64_t id,
                                  const struct campaign_input *in, const char *actor_label,
                                  const char **field)
{
    if (db_begin(db) != DB_OK)
        return CAMPAIGN_ERR_DB;
    return campaign_finish(db, campaign_update_tx(db, tenant_id, id, in, actor_label, field));
}

enum campaign_err campaign_save(struct db *db, int64_t tenant_id, int64_t id,
                                const struct campaign_input *in,
                                const struct campaign_upload *upload, const char *actor_label,
                                int64_t *saved_id, const char **field,
                                enum attachment_err *upload_err)
{
    const char *ignored = NULL;
    if (!field)
        field = &ignored;
    *field = NULL;
    if (upload_err)
        *upload_err = ATTACHMENT_OK;
    /* The cheap checks first, so a wrong form never stores (then drops) the document. */
    enum campaign_err err = campaign_check(in, field);
    if (err != CAMPAIGN_OK)
        return err;
    if (db_begin(db) != DB_OK)
        return CAMPAIGN_ERR_DB;
    struct campaign_input with = *in;
    if (upload) {
        int64_t att = 0;
        enum attachment_err ae =
            attachment_store(db, tenant_id, ATTACHMENT_REGULATIONS, upload->filename, upload->data,
                             upload->len, actor_label ? actor_label : "", &att);
        if (ae != ATTACHMENT_OK) {
            if (upload_err)
                *upload_err = ae;
            *field = "regulations_attachment_id";
            db_rollback(db);
            return ae == ATTACHMENT_ERR_DB ? CAMPAIGN_ERR_DB : CAMPAIGN_ERR_INVALID;
        }
        with.regulations_attachment_id = att;
    }
    int64_t new_id = id;
    err = id ? campaign_update_tx(db, tenant_id, id, &with, actor_label, field)
             : campaign_create_tx(db, tenant_id, &with, actor_label, &new_id, field);
    err = campaign_finish(db, err);
    if (err == CAMPAIGN_OK && saved_id)
        *saved_id = new_id;
    return err;
}

/* ---- ISEE bands ----------------------------------------------------------------------------- */

static void isee_band_read_row(struct db_stmt *st, struct arena *a, struct isee_band *b)
{
    b->id = db_col_int(st, 0);
    b->code = arena_strdup(a, db_col_text(st, 1));
    b->label = arena_strdup(a, db_col_text(st, 2));
    b->has_max = db_col_int(st, 3) != 0;
    b->max_isee_cents = db_col_int(st, 4);
}

int isee_band_list(struct db *db, struct arena *a, int64_t tenant_id, struct isee_band **out,
                   size_t *n)
{
    *out = arena_calloc(a, ISEE_BAND_LIST_MAX, sizeof(**out));
    *n = 0;
    struct db_stmt *st = db_stmt(db, STMT_ISEE_BAND_LIST);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, ISEE_BAND_LIST_MAX);
    enum db_err e;
    while ((e = db_step(st)) == DB_ROW && *n < ISEE_BAND_LIST_MAX)
        isee_band_read_row(st, a, &(*out)[(*n)++]);
    db_reset(st);
    return e == DB_DONE || e == DB_ROW ? 0 : -1;
}

int isee_band_find(struct db *db, struct arena *a, int64_t tenant_id, int64_t id,
                   struct isee_band *out)
{
    struct db_stmt *st = db_stmt(db, STMT_ISEE_BAND_BY_ID);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, id);
    enum db_err e = db_step(st);
    if (e == DB_ROW)
        isee_band_read_row(st, a, out);
    db_reset(st);
    return e == DB_ROW ? 1 : e == DB_DONE ? 0 : -1;
}

static bool isee_band_code_ok(const char *code)
{
    size_t n = code ? strlen(code) : 0;
    if (n == 0 || n > ISEE_BAND_CODE_MAX)
        return false;
    for (const char *p = code; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '-'))
            return false;
    return true;
}

/* Validate, insert and audit, inside the caller's transaction. */
static enum campaign_err isee_band_insert(struct db *db, int64_t tenant_id, const char *code,
                                          const char *label, bool has_max, int64_t max_isee_cents,
                                          const char *actor_label, int64_t *id, const char **field)
{
    *field = !isee_band_code_ok(code)                                             ? "code"
             : !campaign_text_ok(label, 1, ISEE_BAND_LABEL_MAX, false)            ? "label"
             : has_max && (max_isee_cents < 0 || max_isee_cents > ISEE_MAX_CENTS) ? "max_isee_cents"
                                                                                  : NULL;
    if (*field)
        return CAMPAIGN_ERR_INVALID;
    struct db_stmt *st = db_stmt(db, STMT_ISEE_BAND_INSERT);
    if (!st)
        return CAMPAIGN_ERR_DB;
    db_bind_int(st, 1, tenant_id);
    db_bind_text(st, 2, code);
    db_bind_text(st, 3, label);
    if (has_max)
        db_bind_int(st, 4, max_isee_cents);
    else
        db_bind_null(st, 4);
    enum db_err e = db_exec_stmt(st);
    if (e == DB_ERR_CONSTRAINT) {
        *field = "code";
        return CAMPAIGN_ERR_DUPLICATE;
    }
    if (e != DB_OK)
        return CAMPAIGN_ERR_DB;
    int64_t new_id = db_last_id(db);
    struct audit_entry ae = {
        .tenant_id = tenant_id,
        .actor = actor_label ? AUDIT_STAFF : AUDIT_SYSTEM,
        .actor_label = actor_label ? actor_label : "refettorio",
        .action = "isee_band.create",
        .entity = "isee_band",
        .entity_id = new_id,
        .to_state = code,
        .detail = label,
    };
    if (audit_record(db, &ae) != 0)
        return CAMPAIGN_ERR_DB;
    if (id)
        *id = new_id;
    return CAMPAIGN_OK;
}

enum campaign_err isee_band_create(struct db *db, int64_t tenant_id, const char *code,
                                   const char *label, bool has_max, int64_t max_isee_cents,
                                   int64_t *id)
{
    const char *field = NULL;
    return isee_band_insert(db, tenant_id, code, label, has_max, max_isee_cents, NULL, id, &field);
}

enum campaign_err isee_band_add(struct db *db, int64_t tenant_id, const char *code,
                                const char *label, bool has_max, int64_t max_isee_cents,
                                const char *actor_label, int64_t *id, const char **field)
{
    const char *ignored = NULL;
    if (!field)
        field = &ignored;
    if (db_begin(db) != DB_OK)
        return CAMPAIGN_ERR_DB;
    int64_t new_id = 0;
    enum campaign_err err =
        campaign_finish(db, isee_band_insert(db, tenant_id, code, label, has_max, max_isee_cents,
                                             actor_label, &new_id, field));
    if (err == CAMPAIGN_OK && id)
        *id = new_id;
    return err;
}
