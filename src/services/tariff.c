#include "services/tariff.h"

#include <stdio.h>
#include <string.h>

#include "services/audit.h"
#include "services/tenant.h"
#include "util/log.h"
#include "util/time.h"
#include "util/time_local.h"

_Static_assert(SCHOOL_INFANZIA == 0 && SCHOOL_PRIMARIA == 1 && SCHOOL_SECONDARIA == 2 &&
                   TARIFF_KINDS == 3,
               "domain/tariff.h kinds follow enum school_kind");

/* ---- validation ----------------------------------------------------------------------------- */

static bool tariff_label_ok(const char *s)
{
    if (!s)
        return true;
    size_t chars = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            return false;
        chars += (*p & 0xc0) != 0x80;
    }
    return chars <= TARIFF_LABEL_MAX;
}

static bool tariff_bp_ok(int bp)
{
    return bp >= 0 && bp <= 10000;
}

static const char *const tariff_full_fields[TARIFF_KINDS] = {"full_infanzia", "full_primaria",
                                                             "full_secondaria"};

static bool tariff_items_ok(const struct tariff_list_input *in)
{
    if (in->nitems > TARIFF_ITEMS_MAX || (in->nitems && !in->items))
        return false;
    for (size_t i = 0; i < in->nitems; i++) {
        const struct tariff_item *it = &in->items[i];
        if (it->kind < 0 || it->kind >= TARIFF_KINDS ||
            (unsigned)it->category > TARIFF_NON_RESIDENT || it->price_cents < 0 ||
            it->price_cents > TARIFF_PRICE_MAX ||
            (it->category == TARIFF_ISEE) != (it->isee_band_id > 0) || it->isee_band_id < 0)
            return false;
        for (size_t k = 0; k < i; k++)
            if (in->items[k].kind == it->kind && in->items[k].category == it->category &&
                in->items[k].isee_band_id == it->isee_band_id)
                return false;
    }
    return true;
}

size_t tariff_list_input_problems(const struct tariff_list_input *in,
                                  const char *fields[TARIFF_INPUT_FIELDS])
{
    size_t n = 0;
    int y, m, d;
    if (!in->valid_from || !time_parse_date(in->valid_from, &y, &m, &d))
        fields[n++] = "valid_from";
    if (!tariff_label_ok(in->label))
        fields[n++] = "label";
    if (!tariff_bp_ok(in->vat_rate_bp))
        fields[n++] = "vat_rate_bp";
    if (!tariff_bp_ok(in->sibling2_bp))
        fields[n++] = "sibling2_bp";
    if (!tariff_bp_ok(in->sibling3_bp))
        fields[n++] = "sibling3_bp";
    bool items_ok = tariff_items_ok(in);
    for (int k = 0; k < TARIFF_KINDS; k++) {
        bool has = false;
        for (size_t i = 0; items_ok && i < in->nitems; i++)
            has = has || (in->items[i].kind == k && in->items[i].category == TARIFF_FULL);
        if (items_ok && !has)
            fields[n++] = tariff_full_fields[k];
    }
    if (!items_ok)
        fields[n++] = "items";
    return n;
}

/* ---- reading -------------------------------------------------------------------------------- */

static void tariff_read_row(struct db_stmt *st, struct arena *a, struct tariff_list *l)
{
    memset(l, 0, sizeof(*l));
    l->id = db_col_int(st, 0);
    l->valid_from = arena_strdup(a, db_col_text(st, 1));
    l->label = arena_strdup(a, db_col_text(st, 2));
    l->vat_rate_bp = (int)db_col_int(st, 3);
    l->sibling2_bp = (int)db_col_int(st, 4);
    l->sibling3_bp = (int)db_col_int(st, 5);
    l->created_at = arena_strdup(a, db_col_text(st, 6));
    l->created_by = arena_strdup(a, db_col_text(st, 7));
}

/* The prices of list_id into items (room for TARIFF_ITEMS_MAX). */
static int tariff_read_items(struct db *db, int64_t list_id, struct tariff_item *items, size_t *n)
{
    *n = 0;
    struct db_stmt *st = db_stmt(db, STMT_TARIFF_ITEMS);
    if (!st)
        return -1;
    db_bind_int(st, 1, list_id);
    enum db_err e;
    while ((e = db_step(st)) == DB_ROW && *n < TARIFF_ITEMS_MAX) {
        enum school_kind kind;
        enum tariff_category cat;
        if (!school_kind_parse(db_col_text(st, 0), &kind) ||
            !tariff_category_parse(db_col_text(st, 1), &cat))
            continue;
        items[(*n)++] = (struct tariff_item){.kind = (int)kind,
                                             .category = cat,
                                             .isee_band_id = db_col_int(st, 2),
                                             .price_cents = db_col_int(st, 3)};
    }
    db_reset(st);
    return e == DB_DONE || e == DB_ROW ? 0 : -1;
}

static int tariff_load_items(struct db *db, struct arena *a, struct tariff_list *l)
{
    l->items = arena_calloc(a, TARIFF_ITEMS_MAX, sizeof(*l->items));
    return tariff_read_items(db, l->id, l->items, &l->nitems);
}

/* One list by a statement bound with the tenant ($1) and key ($2, an id or a day). */
static int tariff_find_one(struct db *db, struct arena *a, enum stmt_id sid, int64_t tenant_id,
                           int64_t id, const char *day, struct tariff_list *out)
{
    struct db_stmt *st = db_stmt(db, sid);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    if (day)
        db_bind_text(st, 2, day);
    else
        db_bind_int(st, 2, id);
    enum db_err e = db_step(st);
    if (e == DB_ROW)
        tariff_read_row(st, a, out);
    db_reset(st);
    if (e != DB_ROW)
        return e == DB_DONE ? 0 : -1;
    return tariff_load_items(db, a, out) == 0 ? 1 : -1;
}

int tariff_list_find(struct db *db, struct arena *a, int64_t tenant_id, int64_t id,
                     struct tariff_list *out)
{
    return tariff_find_one(db, a, STMT_TARIFF_BY_ID, tenant_id, id, NULL, out);
}

int tariff_list_in_force(struct db *db, struct arena *a, int64_t tenant_id, const char *day,
                         struct tariff_list *out)
{
    return tariff_find_one(db, a, STMT_TARIFF_IN_FORCE, tenant_id, 0, day, out);
}

int tariff_list_all(struct db *db, struct arena *a, int64_t tenant_id, struct tariff_list **out,
                    size_t *n)
{
    *out = arena_calloc(a, TARIFF_LIST_MAX, sizeof(**out));
    *n = 0;
    struct db_stmt *st = db_stmt(db, STMT_TARIFF_LIST);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, TARIFF_LIST_MAX);
    enum db_err e;
    while ((e = db_step(st)) == DB_ROW && *n < TARIFF_LIST_MAX)
        tariff_read_row(st, a, &(*out)[(*n)++]);
    db_reset(st);
    if (e != DB_DONE && e != DB_ROW)
        return -1;
    for (size_t i = 0; i < *n; i++)
        if (tariff_load_items(db, a, &(*out)[i]) != 0)
            return -1;
    return 0;
}

bool tariff_list_is_future(const struct tariff_list *l, const char *today)
{
    return strcmp(l->valid_from, today) > 0;
}

struct tariff_rules tariff_list_rules(const struct tariff_list *l)
{
    return (struct tariff_rules){.items = l->items,
                                 .nitems = l->nitems,
                                 .vat_rate_bp = l->vat_rate_bp,
                                 .sibling2_bp = l->sibling2_bp,
                                 .sibling3_bp = l->sibling3_bp};
}

/* ---- writing -------------------------------------------------------------------------------- */

static enum tariff_list_err tariff_check(const struct tariff_list_input *in, const char **field)
{
    const char *fields[TARIFF_INPUT_FIELDS];
    if (tariff_list_input_problems(in, fields) == 0)
        return TARIFF_LIST_OK;
    *field = fields[0];
    return TARIFF_LIST_INVALID;
}

/* Every ISEE band of the input is the tenant's. */
static enum tariff_list_err tariff_check_bands(struct db *db, int64_t tenant_id,
                                               const struct tariff_list_input *in,
                                               const char **field)
{
    for (size_t i = 0; i < in->nitems; i++) {
        if (in->items[i].category != TARIFF_ISEE)
            continue;
        struct db_stmt *st = db_stmt(db, STMT_TARIFF_BAND_EXISTS);
        if (!st)
            return TARIFF_LIST_DB;
        db_bind_int(st, 1, tenant_id);
        db_bind_int(st, 2, in->items[i].isee_band_id);
        enum db_err e = db_step(st);
        db_reset(st);
        if (e == DB_DONE) {
            *field = "items";
            return TARIFF_LIST_NOT_FOUND;
        }
        if (e != DB_ROW)
            return TARIFF_LIST_DB;
    }
    return TARIFF_LIST_OK;
}

static bool tariff_write_items(struct db *db, int64_t list_id, const struct tariff_list_input *in)
{
    struct db_stmt *st = db_stmt(db, STMT_TARIFF_ITEM_CLEAR);
    if (!st)
        return false;
    db_bind_int(st, 1, list_id);
    if (db_exec_stmt(st) != DB_OK)
        return false;
    for (size_t i = 0; i < in->nitems; i++) {
        const struct tariff_item *it = &in->items[i];
        st = db_stmt(db, STMT_TARIFF_ITEM_INSERT);
        if (!st)
            return false;
        db_bind_int(st, 1, list_id);
        db_bind_text(st, 2, school_kind_name((enum school_kind)it->kind));
        db_bind_text(st, 3, tariff_category_name(it->category));
        db_bind_int(st, 4, it->isee_band_id);
        db_bind_int(st, 5, it->price_cents);
        if (db_exec_stmt(st) != DB_OK)
            return false;
    }
    return true;
}

static void tariff_bind_fields(struct db_stmt *st, int first, const struct tariff_list_input *in)
{
    db_bind_text(st, first, in->valid_from);
    db_bind_text(st, first + 1, in->label ? in->label : "");
    db_bind_int(st, first + 2, in->vat_rate_bp);
    db_bind_int(st, first + 3, in->sibling2_bp);
    db_bind_int(st, first + 4, in->sibling3_bp);
}

static int tariff_audit(struct db *db, int64_t tenant_id, const char *actor_label,
                        const char *action, int64_t id, const char *from,
                        const struct tariff_list_input *in)
{
    char to[64], detail[512];
    snprintf(to, sizeof(to), "valid from %s", in->valid_from);
    snprintf(detail, sizeof(detail), "%s; VAT %d bp; siblings %d/%d bp; %zu prices",
             in->label ? in->label : "", in->vat_rate_bp, in->sibling2_bp, in->sibling3_bp,
             in->nitems);
    struct audit_entry e = {
        .tenant_id = tenant_id,
        .actor = actor_label ? AUDIT_STAFF : AUDIT_SYSTEM,
        .actor_label = actor_label ? actor_label : "refettorio",
        .action = action,
        .entity = "price_list",
        .entity_id = id,
        .from_state = from,
        .to_state = to,
        .detail = detail,
    };
    return audit_record(db, &e);
}

/* The checks both writes share, then the start-day rule when today is not NULL. */
static enum tariff_list_err tariff_check_all(struct db *db, int64_t tenant_id,
                                             const struct tariff_list_input *in, const char *today,
                                             const char **field)
{
    enum tariff_list_err err = tariff_check(in, field);
    if (err == TARIFF_LIST_OK && today && strcmp(in->valid_from, today) <= 0) {
        *field = "valid_from";
        err = TARIFF_LIST_INVALID;
    }
    return err == TARIFF_LIST_OK ? tariff_check_bands(db, tenant_id, in, field) : err;
}

static enum tariff_list_err tariff_create_checked(struct db *db, int64_t tenant_id,
                                                  const struct tariff_list_input *in,
                                                  const char *today, const char *actor_label,
                                                  int64_t *id, const char **field)
{
    const char *ignored = NULL;
    if (!field)
        field = &ignored;
    *field = NULL;
    enum tariff_list_err err = tariff_check_all(db, tenant_id, in, today, field);
    if (err != TARIFF_LIST_OK)
        return err;
    struct db_stmt *st = db_stmt(db, STMT_TARIFF_INSERT);
    if (!st)
        return TARIFF_LIST_DB;
    char now[TIME_ISO_MAX];
    time_now_iso(now);
    db_bind_int(st, 1, tenant_id);
    tariff_bind_fields(st, 2, in);
    db_bind_text(st, 7, now);
    db_bind_text(st, 8, actor_label ? actor_label : "refettorio");
    enum db_err e = db_exec_stmt(st);
    if (e == DB_ERR_CONSTRAINT) {
        *field = "valid_from";
        return TARIFF_LIST_DUPLICATE;
    }
    if (e != DB_OK)
        return TARIFF_LIST_DB;
    int64_t new_id = db_last_id(db);
    if (!tariff_write_items(db, new_id, in) ||
        tariff_audit(db, tenant_id, actor_label, "price_list.create", new_id, NULL, in) != 0)
        return TARIFF_LIST_DB;
    if (id)
        *id = new_id;
    return TARIFF_LIST_OK;
}

enum tariff_list_err tariff_list_create_tx(struct db *db, int64_t tenant_id,
                                           const struct tariff_list_input *in,
                                           const char *actor_label, int64_t *id, const char **field)
{
    return tariff_create_checked(db, tenant_id, in, NULL, actor_label, id, field);
}

/* Commit on TARIFF_LIST_OK, roll back otherwise; a failed commit is TARIFF_LIST_DB. */
static enum tariff_list_err tariff_finish(struct db *db, enum tariff_list_err err)
{
    if (err == TARIFF_LIST_OK)
        return db_commit(db) == DB_OK ? TARIFF_LIST_OK : TARIFF_LIST_DB;
    db_rollback(db);
    return err;
}

enum tariff_list_err tariff_list_create(struct db *db, int64_t tenant_id,
                                        const struct tariff_list_input *in, const char *actor_label,
                                        int64_t *id, const char **field)
{
    char today[TIME_LOCAL_DATE_MAX];
    time_today(TARIFF_TZ, today);
    if (db_begin(db) != DB_OK)
        return TARIFF_LIST_DB;
    int64_t new_id = 0;
    enum tariff_list_err err = tariff_finish(
        db, tariff_create_checked(db, tenant_id, in, today, actor_label, &new_id, field));
    if (err == TARIFF_LIST_OK && id)
        *id = new_id;
    if (err == TARIFF_LIST_DB)
        log_error("price list not created", "detail", db_errmsg(db));
    return err;
}

static enum tariff_list_err tariff_update_tx(struct db *db, int64_t tenant_id, int64_t id,
                                             const struct tariff_list_input *in, const char *today,
                                             const char *actor_label, const char **field)
{
    struct arena a;
    arena_init(&a, 1024);
    struct tariff_list old;
    int found = tariff_list_find(db, &a, tenant_id, id, &old);
    enum tariff_list_err err = found < 0    ? TARIFF_LIST_DB
                               : found == 0 ? TARIFF_LIST_NOT_FOUND
                               : !tariff_list_is_future(&old, today)
                                   ? TARIFF_LIST_IN_FORCE
                                   : tariff_check_all(db, tenant_id, in, today, field);
    char from[64] = "";
    if (found == 1)
        snprintf(from, sizeof(from), "valid from %s", old.valid_from);
    arena_free(&a);
    if (err != TARIFF_LIST_OK)
        return err;
    struct db_stmt *st = db_stmt(db, STMT_TARIFF_UPDATE);
    if (!st)
        return TARIFF_LIST_DB;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, id);
    tariff_bind_fields(st, 3, in);
    enum db_err e = db_exec_stmt(st);
    if (e == DB_ERR_CONSTRAINT) {
        *field = "valid_from";
        return TARIFF_LIST_DUPLICATE;
    }
    if (e != DB_OK || !tariff_write_items(db, id, in) ||
        tariff_audit(db, tenant_id, actor_label, "price_list.update", id, from, in) != 0)
        return TARIFF_LIST_DB;
    return TARIFF_LIST_OK;
}

enum tariff_list_err tariff_list_update(struct db *db, int64_t tenant_id, int64_t id,
                                        const struct tariff_list_input *in, const char *actor_label,
                                        const char **field)
{
    const char *ignored = NULL;
    if (!field)
        field = &ignored;
    *field = NULL;
    char today[TIME_LOCAL_DATE_MAX];
    time_today(TARIFF_TZ, today);
    if (db_begin(db) != DB_OK)
        return TARIFF_LIST_DB;
    enum tariff_list_err err =
        tariff_finish(db, tariff_update_tx(db, tenant_id, id, in, today, actor_label, field));
    if (err == TARIFF_LIST_DB)
        log_error("price list not changed", "detail", db_errmsg(db));
    return err;
}

/* ---- pricing -------------------------------------------------------------------------------- */

int tariff_for_pupil(struct db *db, int64_t tenant_id, int64_t pupil_id, const char *day,
                     struct tariff_quote *q)
{
    memset(q, 0, sizeof(*q));
    int y, m, d;
    if (!day || !time_parse_date(day, &y, &m, &d))
        return -1;
    /* The list in force that day. */
    struct db_stmt *st = db_stmt(db, STMT_TARIFF_IN_FORCE);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_text(st, 2, day);
    enum db_err e = db_step(st);
    struct tariff_rules rules = {0};
    if (e == DB_ROW) {
        q->price_list_id = db_col_int(st, 0);
        snprintf(q->valid_from, sizeof(q->valid_from), "%s", db_col_text(st, 1));
        rules.vat_rate_bp = (int)db_col_int(st, 3);
        rules.sibling2_bp = (int)db_col_int(st, 4);
        rules.sibling3_bp = (int)db_col_int(st, 5);
    }
    db_reset(st);
    if (e != DB_ROW)
        return e == DB_DONE ? 1 : -1;
    /* The pupil's situation in the school year of that day. */
    st = db_stmt(db, STMT_TARIFF_PUPIL_SITUATION);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, pupil_id);
    db_bind_text(st, 3, day);
    e = db_step(st);
    enum school_kind kind = SCHOOL_PRIMARIA;
    bool kind_ok = false;
    if (e == DB_ROW) {
        q->enrollment_id = db_col_int(st, 0);
        kind_ok = school_kind_parse(db_col_text(st, 1), &kind);
        q->isee_band_id = db_col_int(st, 2);
        q->resident = db_col_int(st, 3) != 0;
        q->school_year_id = db_col_int(st, 4);
        q->sibling_rank = (int)db_col_int(st, 5);
    }
    db_reset(st);
    if (e != DB_ROW)
        return e == DB_DONE ? 1 : -1;
    if (!kind_ok)
        return -1;
    q->school_kind = (int)kind;
    /* Its prices. */
    struct tariff_item items[TARIFF_ITEMS_MAX];
    size_t nitems;
    if (tariff_read_items(db, q->price_list_id, items, &nitems) != 0)
        return -1;
    rules.items = items;
    rules.nitems = nitems;
    struct tariff_pupil p = {.kind = q->school_kind,
                             .isee_band_id = q->isee_band_id,
                             .resident = q->resident,
                             .sibling_rank = q->sibling_rank};
    struct tariff_price price;
    enum tariff_err te = tariff_compute(&rules, &p, &price);
    if (te == TARIFF_NO_PRICE)
        return 1;
    if (te != TARIFF_OK) {
        char list[24];
        snprintf(list, sizeof(list), "%lld", (long long)q->price_list_id);
        log_error("price list not usable", "list", list);
        return -1;
    }
    q->price_cents = price.price_cents;
    q->net_cents = price.net_cents;
    q->vat_cents = price.vat_cents;
    q->vat_rate_bp = price.vat_rate_bp;
    memcpy(q->reasons, price.reasons, sizeof(q->reasons));
    q->nreasons = price.nreasons;
    return 0;
}
