#include "services/tenant.h"

#include <string.h>

#include "domain/cf11.h"
#include "util/msg.h"
#include "util/time.h"

#define SCHOOL_LIST_MAX 500

bool tenant_slug_valid(const char *slug)
{
    size_t n = strlen(slug);
    if (n < 2 || n > TENANT_SLUG_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = slug[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == '-' && i > 0);
        if (!ok)
            return false;
    }
    /* Reserved first path segments used by the platform itself ("piattaforma": its own
       administration, src/app/platform/admin.c). */
    static const char *const reserved[] = {"static", "api",         "demo",
                                           "health", "favicon.ico", "piattaforma"};
    for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
        if (!strcmp(slug, reserved[i]))
            return false;
    return true;
}

static int tenant_read(struct db_stmt *st, struct arena *a, struct tenant *out)
{
    enum db_err e = db_step(st);
    if (e == DB_ROW) {
        out->id = db_col_int(st, 0);
        const char **fields[] = {&out->slug,         &out->name,        &out->fiscal_code,
                                 &out->timezone,     &out->cutoff_time, &out->address,
                                 &out->phone,        &out->email,       &out->pec,
                                 &out->office_hours, &out->website};
        for (int i = 0; i < 11; i++)
            *fields[i] = arena_strdup(a, db_col_text(st, i + 1));
    }
    db_reset(st);
    return e == DB_ROW ? 1 : e == DB_DONE ? 0 : -1;
}

int tenant_find(struct db *db, struct arena *a, const char *slug, struct tenant *out)
{
    struct db_stmt *st = db_stmt(db, STMT_TENANT_BY_SLUG);
    if (!st)
        return -1;
    db_bind_text(st, 1, slug);
    return tenant_read(st, a, out);
}

int tenant_find_id(struct db *db, struct arena *a, int64_t id, struct tenant *out)
{
    struct db_stmt *st = db_stmt(db, STMT_TENANT_BY_ID);
    if (!st)
        return -1;
    db_bind_int(st, 1, id);
    return tenant_read(st, a, out);
}

static enum tenant_err tenant_insert_result(struct db *db, enum db_err e, int64_t *id)
{
    if (e == DB_ERR_CONSTRAINT)
        return TENANT_ERR_DUPLICATE;
    if (e != DB_OK)
        return TENANT_ERR_DB;
    if (id)
        *id = db_last_id(db);
    return TENANT_OK;
}

static const char *tenant_or_empty(const char *s)
{
    return s ? s : "";
}

enum tenant_err tenant_create(struct db *db, const struct tenant_new *t, int64_t *id)
{
    if (!t->slug || !tenant_slug_valid(t->slug) || !t->name || strlen(t->name) < 2 ||
        strlen(t->name) > 120)
        return TENANT_ERR_INVALID;
    struct cf11 cf;
    if (t->fiscal_code && *t->fiscal_code && cf11_parse(t->fiscal_code, &cf) != CF11_OK)
        return TENANT_ERR_INVALID;
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    struct db_stmt *st = db_stmt(db, STMT_TENANT_INSERT);
    if (!st)
        return TENANT_ERR_DB;
    db_bind_text(st, 1, t->slug);
    db_bind_text(st, 2, t->name);
    db_bind_text(st, 3, t->fiscal_code && *t->fiscal_code ? t->fiscal_code : NULL);
    db_bind_text(st, 4, tenant_or_empty(t->address));
    db_bind_text(st, 5, tenant_or_empty(t->phone));
    db_bind_text(st, 6, tenant_or_empty(t->email));
    db_bind_text(st, 7, tenant_or_empty(t->pec));
    db_bind_text(st, 8, tenant_or_empty(t->office_hours));
    db_bind_text(st, 9, tenant_or_empty(t->website));
    db_bind_text(st, 10, now);
    return tenant_insert_result(db, db_exec_stmt(st), id);
}

static const char *const school_kind_names[] = {"infanzia", "primaria", "secondaria"};

bool school_kind_parse(const char *s, enum school_kind *out)
{
    for (int i = 0; i < 3; i++)
        if (!strcmp(s, school_kind_names[i])) {
            *out = (enum school_kind)i;
            return true;
        }
    return false;
}

const char *school_kind_name(enum school_kind k)
{
    return school_kind_names[k];
}

const char *school_kind_label(enum school_kind k)
{
    switch (k) {
    case SCHOOL_INFANZIA:
        return N_("Nursery school");
    case SCHOOL_PRIMARIA:
        return N_("Primary school");
    case SCHOOL_SECONDARIA:
        return N_("Lower secondary school");
    }
    return "";
}

enum tenant_err school_create(struct db *db, int64_t tenant_id, const char *name,
                              enum school_kind kind, const char *address, const char *kitchen_email,
                              int64_t *id)
{
    size_t n = strlen(name);
    if (n < 2 || n > 120)
        return TENANT_ERR_INVALID;
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    struct db_stmt *st = db_stmt(db, STMT_SCHOOL_INSERT);
    if (!st)
        return TENANT_ERR_DB;
    db_bind_int(st, 1, tenant_id);
    db_bind_text(st, 2, name);
    db_bind_text(st, 3, school_kind_name(kind));
    db_bind_text(st, 4, tenant_or_empty(address));
    db_bind_text(st, 5, tenant_or_empty(kitchen_email));
    db_bind_text(st, 6, now);
    return tenant_insert_result(db, db_exec_stmt(st), id);
}

static int64_t tenant_lookup_id(struct db *db, enum stmt_id id, int64_t tenant_id, const char *key)
{
    struct db_stmt *st = db_stmt(db, id);
    if (!st)
        return 0;
    db_bind_int(st, 1, tenant_id);
    db_bind_text(st, 2, key);
    int64_t found = db_step(st) == DB_ROW ? db_col_int(st, 0) : 0;
    db_reset(st);
    return found;
}

int64_t school_find(struct db *db, int64_t tenant_id, const char *name)
{
    return tenant_lookup_id(db, STMT_SCHOOL_BY_NAME, tenant_id, name);
}

int64_t school_year_find(struct db *db, int64_t tenant_id, const char *label)
{
    return tenant_lookup_id(db, STMT_SCHOOL_YEAR_BY_LABEL, tenant_id, label);
}

enum tenant_err school_year_create(struct db *db, int64_t tenant_id, const char *label,
                                   const char *starts_on, const char *ends_on, int64_t *id)
{
    int y1, y2, y, m, d;
    if (strlen(label) != 9 || label[4] != '/' || !time_parse_date(starts_on, &y, &m, &d) ||
        !time_parse_date(ends_on, &y, &m, &d) || strcmp(ends_on, starts_on) <= 0)
        return TENANT_ERR_INVALID;
    for (int i = 0; i < 9; i++)
        if (i != 4 && (label[i] < '0' || label[i] > '9'))
            return TENANT_ERR_INVALID;
    y1 = (label[0] - '0') * 1000 + (label[1] - '0') * 100 + (label[2] - '0') * 10 + label[3] - '0';
    y2 = (label[5] - '0') * 1000 + (label[6] - '0') * 100 + (label[7] - '0') * 10 + label[8] - '0';
    if (y2 != y1 + 1)
        return TENANT_ERR_INVALID;
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    struct db_stmt *st = db_stmt(db, STMT_SCHOOL_YEAR_INSERT);
    if (!st)
        return TENANT_ERR_DB;
    db_bind_int(st, 1, tenant_id);
    db_bind_text(st, 2, label);
    db_bind_text(st, 3, starts_on);
    db_bind_text(st, 4, ends_on);
    db_bind_text(st, 5, now);
    return tenant_insert_result(db, db_exec_stmt(st), id);
}

int school_year_current(struct db *db, struct arena *a, int64_t tenant_id, int64_t *id,
                        const char **label)
{
    char today[11];
    time_today("Europe/Rome", today);
    struct db_stmt *st = db_stmt(db, STMT_SCHOOL_YEAR_CURRENT);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_text(st, 2, today);
    enum db_err e = db_step(st);
    if (e == DB_ROW) {
        *id = db_col_int(st, 0);
        *label = arena_strdup(a, db_col_text(st, 1));
    }
    db_reset(st);
    return e == DB_ROW ? 1 : e == DB_DONE ? 0 : -1;
}

enum tenant_err class_create(struct db *db, int64_t tenant_id, int64_t school_id,
                             int64_t school_year_id, const char *name, int64_t *id)
{
    size_t n = strlen(name);
    if (n < 1 || n > 40)
        return TENANT_ERR_INVALID;
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    struct db_stmt *st = db_stmt(db, STMT_CLASS_INSERT);
    if (!st)
        return TENANT_ERR_DB;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, school_id);
    db_bind_int(st, 3, school_year_id);
    db_bind_text(st, 4, name);
    db_bind_text(st, 5, now);
    enum db_err e = db_exec_stmt(st);
    /* The INSERT ... SELECT inserts nothing when school or year belong to another tenant. */
    if (e == DB_OK && db_changes(db) == 0)
        return TENANT_ERR_NOT_FOUND;
    return tenant_insert_result(db, e, id);
}

int school_list(struct db *db, struct arena *a, int64_t tenant_id, int64_t school_year_id,
                struct school_summary **out, size_t *n)
{
    struct db_stmt *st = db_stmt(db, STMT_SCHOOL_LIST);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, school_year_id);
    size_t cap = 16, count = 0;
    struct school_summary *list = arena_calloc(a, cap, sizeof(*list));
    enum db_err e;
    while ((e = db_step(st)) == DB_ROW && count < SCHOOL_LIST_MAX) {
        if (count == cap) {
            struct school_summary *bigger = arena_calloc(a, cap * 2, sizeof(*list));
            memcpy(bigger, list, cap * sizeof(*list));
            list = bigger;
            cap *= 2;
        }
        struct school_summary *s = &list[count++];
        s->id = db_col_int(st, 0);
        s->name = arena_strdup(a, db_col_text(st, 1));
        if (!school_kind_parse(db_col_text(st, 2), &s->kind))
            s->kind = SCHOOL_PRIMARIA;
        s->address = arena_strdup(a, db_col_text(st, 3));
        s->classes = db_col_int(st, 4);
    }
    db_reset(st);
    *out = list;
    *n = count;
    return (e == DB_ROW || e == DB_DONE) ? 0 : -1;
}
