/* The kitchen sheet of a day: totals, the special-diet list, CSV and the kitchens' e-mail; see
   kitchen.h. The medical notes of enrollments are never read here: only the approved diet code
   the meal row (or the booking forecast) carries. */
#include "services/kitchen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "integrations/mail/outbox.h"
#include "services/cutoff_job.h"
#include "store/stmt.h"
#include "util/csv.h"
#include "util/log.h"
#include "util/time.h"
#include "util/time_local.h"
#include "web/i18n.h"
#include "web/tmpl.h"

#define KITCHEN_SCHOOLS_MAX 2000 /* schools of one municipality */
#define KITCHEN_CSV_MAX     (4 * 1024 * 1024)

/* One meal (or forecast eater) before it is counted. */
struct kitchen_item {
    int64_t school_id, class_id, pupil_id;
    size_t school_idx; /* in the tenant's school list */
    const char *diet_code, *class_name, *surname, *name;
    bool plain;
};

struct kitchen_items {
    struct arena *a;
    struct kitchen_item *v;
    size_t n, cap;
};

static struct kitchen_item *kitchen_push(struct kitchen_items *it)
{
    if (it->n == it->cap) {
        size_t ncap = it->cap ? it->cap * 2 : 256;
        struct kitchen_item *nv = arena_calloc(it->a, ncap, sizeof(*nv));
        if (it->n)
            memcpy(nv, it->v, it->n * sizeof(*nv));
        it->v = nv;
        it->cap = ncap;
    }
    struct kitchen_item *x = &it->v[it->n++];
    memset(x, 0, sizeof(*x));
    return x;
}

struct kitchen_school_row {
    int64_t id;
    const char *name, *email;
};

static int kitchen_schools(struct db *db, struct arena *a, int64_t tenant_id,
                           struct kitchen_school_row **out, size_t *n)
{
    *n = 0;
    *out = arena_calloc(a, KITCHEN_SCHOOLS_MAX, sizeof(**out));
    struct db_stmt *st = db_stmt(db, STMT_KITCHEN_SCHOOLS);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    enum db_err e;
    while ((e = db_step(st)) == DB_ROW && *n < KITCHEN_SCHOOLS_MAX) {
        struct kitchen_school_row *s = &(*out)[(*n)++];
        s->id = db_col_int(st, 0);
        s->name = arena_strdup(a, db_col_text(st, 1));
        s->email = arena_strdup(a, db_col_text(st, 2));
    }
    db_reset(st);
    return e == DB_ROW || e == DB_DONE ? 0 : -1;
}

/* The frozen rows of the day. */
static int kitchen_frozen_items(struct db *db, int64_t tenant_id, const char *day,
                                int64_t school_id, struct kitchen_items *it)
{
    struct db_stmt *st = db_stmt(db, STMT_KITCHEN_SERVED);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_text(st, 2, day);
    db_bind_int(st, 3, school_id);
    enum db_err e;
    while ((e = db_step(st)) == DB_ROW) {
        struct kitchen_item *x = kitchen_push(it);
        x->school_id = db_col_int(st, 0);
        x->class_id = db_col_int(st, 1);
        x->diet_code = arena_strdup(it->a, db_col_text(st, 2));
        x->plain = db_col_int(st, 3) != 0;
        x->surname = arena_strdup(it->a, db_col_text(st, 4));
        x->name = arena_strdup(it->a, db_col_text(st, 5));
        x->pupil_id = db_col_int(st, 6);
    }
    db_reset(st);
    return e == DB_DONE ? 0 : -1;
}

struct kitchen_forecast {
    struct kitchen_items *it;
    int64_t school_id;
};

static int kitchen_forecast_eater(const struct cutoff_eater *e, void *ctx)
{
    struct kitchen_forecast *f = ctx;
    if (f->school_id && e->school_id != f->school_id)
        return 0;
    struct kitchen_item *x = kitchen_push(f->it);
    x->school_id = e->school_id;
    x->class_id = e->class_id;
    x->pupil_id = e->pupil_id;
    x->diet_code = arena_strdup(f->it->a, e->diet_code ? e->diet_code : "");
    x->plain = e->plain;
    return 0;
}

/* The name of a pupil of the forecast with a diet or a plain meal (the others are counted
   only). */
static int kitchen_pupil_name(struct db *db, struct arena *a, int64_t tenant_id,
                              struct kitchen_item *x)
{
    struct db_stmt *st = db_stmt(db, STMT_KITCHEN_PUPIL_NAME);
    if (!st)
        return -1;
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, x->pupil_id);
    enum db_err e = db_step(st);
    if (e == DB_ROW) {
        x->surname = arena_strdup(a, db_col_text(st, 0));
        x->name = arena_strdup(a, db_col_text(st, 1));
    }
    db_reset(st);
    return e == DB_ROW || e == DB_DONE ? 0 : -1;
}

/* Class names, looked up once per class. */
struct kitchen_class_name {
    int64_t id;
    const char *name;
};

static const char *kitchen_class_name(struct db *db, struct arena *a, int64_t tenant_id,
                                      struct kitchen_class_name **cache, size_t *n, size_t *cap,
                                      int64_t class_id, bool *failed)
{
    if (!class_id)
        return "";
    for (size_t i = 0; i < *n; i++)
        if ((*cache)[i].id == class_id)
            return (*cache)[i].name;
    const char *name = "";
    struct db_stmt *st = db_stmt(db, STMT_KITCHEN_CLASS_NAME);
    if (!st) {
        *failed = true;
        return "";
    }
    db_bind_int(st, 1, tenant_id);
    db_bind_int(st, 2, class_id);
    enum db_err e = db_step(st);
    if (e == DB_ROW)
        name = arena_strdup(a, db_col_text(st, 0));
    else if (e != DB_DONE)
        *failed = true;
    db_reset(st);
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 32;
        struct kitchen_class_name *nc = arena_calloc(a, ncap, sizeof(*nc));
        if (*n)
            memcpy(nc, *cache, *n * sizeof(*nc));
        *cache = nc;
        *cap = ncap;
    }
    (*cache)[(*n)++] = (struct kitchen_class_name){class_id, name};
    return name;
}

/* Sheet order: school (by name), class (by name), surname, name. */
static int kitchen_item_cmp(const void *pa, const void *pb)
{
    const struct kitchen_item *a = pa, *b = pb;
    if (a->school_idx != b->school_idx)
        return a->school_idx < b->school_idx ? -1 : 1;
    int c = strcmp(a->class_name, b->class_name);
    if (c)
        return c;
    if (a->class_id != b->class_id)
        return a->class_id < b->class_id ? -1 : 1;
    if ((c = strcmp(a->surname ? a->surname : "", b->surname ? b->surname : "")))
        return c;
    if ((c = strcmp(a->name ? a->name : "", b->name ? b->name : "")))
        return c;
    return a->pupil_id < b->pupil_id ? -1 : a->pupil_id > b->pupil_id;
}

static int kitchen_diet_cmp(const void *pa, const void *pb)
{
    const struct kitchen_diet_count *a = pa, *b = pb;
    return strcmp(a->diet_code, b->diet_code); /* "" (the normal menu) sorts first */
}

static bool kitchen_special(const struct kitchen_item *x)
{
    return x->diet_code[0] || x->plain;
}

/* One school's totals from its items (sorted), into s. */
static void kitchen_school_fill(struct arena *a, struct kitchen_school *s,
                                const struct kitchen_item *v, size_t n)
{
    size_t nclasses = 0, nspecial = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || v[i].class_id != v[i - 1].class_id)
            nclasses++;
        if (kitchen_special(&v[i]))
            nspecial++;
    }
    s->classes = arena_calloc(a, nclasses ? nclasses : 1, sizeof(*s->classes));
    s->special = arena_calloc(a, nspecial ? nspecial : 1, sizeof(*s->special));
    /* At most one diet count per item, plus the normal menu. */
    s->diet_counts = arena_calloc(a, n + 1, sizeof(*s->diet_counts));
    s->diet_counts[0].diet_code = "";
    s->ndiet_counts = 1;
    for (size_t i = 0; i < n; i++) {
        const struct kitchen_item *x = &v[i];
        if (i == 0 || x->class_id != v[i - 1].class_id) {
            struct kitchen_class *c = &s->classes[s->nclasses++];
            c->class_id = x->class_id;
            c->class_name = x->class_name;
        }
        struct kitchen_class *c = &s->classes[s->nclasses - 1];
        c->meals++;
        s->meals++;
        if (x->plain) {
            c->plain++;
            s->plain++;
        }
        if (x->diet_code[0]) {
            c->diets++;
            s->diets++;
        }
        struct kitchen_diet_count *dc = NULL;
        for (size_t k = 0; k < s->ndiet_counts && !dc; k++)
            if (!strcmp(s->diet_counts[k].diet_code, x->diet_code))
                dc = &s->diet_counts[k];
        if (!dc) {
            dc = &s->diet_counts[s->ndiet_counts++];
            dc->diet_code = x->diet_code;
        }
        dc->meals++;
        if (x->plain)
            dc->plain++;
        if (kitchen_special(x)) {
            struct kitchen_pupil *p = &s->special[s->nspecial++];
            p->surname = x->surname ? x->surname : "";
            p->name = x->name ? x->name : "";
            p->class_name = x->class_name;
            p->diet_code = x->diet_code;
            p->plain = x->plain;
        }
    }
    if (s->ndiet_counts > 2)
        qsort(s->diet_counts + 1, s->ndiet_counts - 1, sizeof(*s->diet_counts), kitchen_diet_cmp);
    if (s->diet_counts[0].meals == 0 && s->ndiet_counts > 1) {
        /* Every meal is a diet: no normal-menu line. */
        s->diet_counts++;
        s->ndiet_counts--;
    } else if (n == 0) {
        s->ndiet_counts = 0;
    }
}

/* The sheet of day from the frozen rows (frozen) or the bookings. */
static int kitchen_sheet_build(struct db *db, struct arena *a, int64_t tenant_id, const char *day,
                               int64_t school_id, bool frozen, struct kitchen_sheet *out)
{
    memset(out, 0, sizeof(*out));
    int y, m, d;
    if (!day || strlen(day) != 10 || !time_parse_date(day, &y, &m, &d))
        return -1;
    memcpy(out->day, day, 11);
    out->frozen = frozen;
    struct kitchen_school_row *schools;
    size_t nschools;
    if (kitchen_schools(db, a, tenant_id, &schools, &nschools) != 0)
        return -1;
    struct kitchen_items it = {.a = a};
    if (frozen) {
        if (kitchen_frozen_items(db, tenant_id, day, school_id, &it) != 0)
            return -1;
    } else {
        struct kitchen_forecast f = {&it, school_id};
        if (cutoff_job_eaters(db, tenant_id, day, kitchen_forecast_eater, &f) != 0)
            return -1;
    }
    struct kitchen_class_name *cache = NULL;
    size_t ncache = 0, capcache = 0;
    bool failed = false;
    for (size_t i = 0; i < it.n && !failed; i++) {
        struct kitchen_item *x = &it.v[i];
        x->school_idx = nschools;
        for (size_t k = 0; k < nschools; k++)
            if (schools[k].id == x->school_id)
                x->school_idx = k;
        x->class_name =
            kitchen_class_name(db, a, tenant_id, &cache, &ncache, &capcache, x->class_id, &failed);
        if (!frozen && kitchen_special(x) && kitchen_pupil_name(db, a, tenant_id, x) != 0)
            failed = true;
    }
    if (failed)
        return -1;
    if (it.n > 1)
        qsort(it.v, it.n, sizeof(*it.v), kitchen_item_cmp);
    out->schools = arena_calloc(a, nschools ? nschools : 1, sizeof(*out->schools));
    size_t i = 0;
    for (size_t k = 0; k < nschools; k++) {
        size_t j = i;
        while (j < it.n && it.v[j].school_idx == k)
            j++;
        if (school_id && schools[k].id != school_id) {
            i = j;
            continue;
        }
        struct kitchen_school *s = &out->schools[out->nschools++];
        s->school_id = schools[k].id;
        s->school_name = schools[k].name;
        s->kitchen_email = schools[k].email;
        kitchen_school_fill(a, s, it.v + i, j - i);
        out->meals += s->meals;
        out->plain += s->plain;
        out->diets += s->diets;
        i = j;
    }
    if (i < it.n)
        log_warn("kitchen: meals of a school not in the tenant left out", "day", day);
    return 0;
}

int kitchen_sheet_load(struct db *db, struct arena *a, int64_t tenant_id, const char *day,
                       int64_t school_id, struct kitchen_sheet *out)
{
    memset(out, 0, sizeof(*out));
    int frozen = day ? cutoff_job_frozen(db, tenant_id, day) : -1;
    if (frozen < 0)
        return -1;
    return kitchen_sheet_build(db, a, tenant_id, day, school_id, frozen == 1, out);
}

/* ---- CSV ----------------------------------------------------------------------------------- */

static void kitchen_csv_count(struct buf *out, long n, bool last)
{
    char text[24];
    snprintf(text, sizeof(text), "%ld", n);
    csv_cell(out, text, last);
}

static const char *kitchen_diet_label(const char *code)
{
    return code && *code ? code : tr(I18N_DEFAULT_LANG, N_("Normal menu"));
}

/* One line per (diet code, plain) of a class, from its special pupils; the rest of the class
   is the normal menu, not plain. */
static void kitchen_csv_class(struct buf *out, const struct kitchen_school *s,
                              const struct kitchen_class *c)
{
    const char *yes = tr(I18N_DEFAULT_LANG, N_("Yes")), *no = tr(I18N_DEFAULT_LANG, N_("No"));
    long special = 0;
    for (size_t i = 0; i < s->nspecial; i++)
        if (!strcmp(s->special[i].class_name, c->class_name))
            special++;
    if (c->meals - special > 0) {
        csv_cell(out, s->school_name, false);
        csv_cell(out, c->class_name, false);
        csv_cell(out, kitchen_diet_label(""), false);
        csv_cell(out, no, false);
        kitchen_csv_count(out, c->meals - special, true);
    }
    /* Each (code, plain) pair once, in the order of the school's diet counts. */
    for (size_t k = 0; k < s->ndiet_counts; k++)
        for (int plain = 0; plain < 2; plain++) {
            long n = 0;
            for (size_t i = 0; i < s->nspecial; i++) {
                const struct kitchen_pupil *p = &s->special[i];
                if (!strcmp(p->class_name, c->class_name) &&
                    !strcmp(p->diet_code, s->diet_counts[k].diet_code) && p->plain == (plain == 1))
                    n++;
            }
            if (!n)
                continue;
            csv_cell(out, s->school_name, false);
            csv_cell(out, c->class_name, false);
            csv_cell(out, kitchen_diet_label(s->diet_counts[k].diet_code), false);
            csv_cell(out, plain ? yes : no, false);
            kitchen_csv_count(out, n, true);
        }
}

int kitchen_sheet_csv(const struct kitchen_sheet *s, struct buf *out)
{
    /* The kitchens work in the municipality's language: the file is in Italian whoever
       downloads it, like the e-mail that carries it. */
    const char *l = I18N_DEFAULT_LANG;
    struct csv_mark mark = csv_mark(out);
    csv_begin(out);
    csv_cell(out, tr(l, N_("School")), false);
    csv_cell(out, tr(l, N_("Class")), false);
    csv_cell(out, tr(l, N_("Diet")), false);
    csv_cell(out, tr(l, N_("Plain meal")), false);
    csv_cell(out, tr(l, N_("Meals")), true);
    for (size_t k = 0; k < s->nschools; k++)
        for (size_t c = 0; c < s->schools[k].nclasses; c++)
            kitchen_csv_class(out, &s->schools[k], &s->schools[k].classes[c]);
    buf_puts(out, "\r\n");
    csv_cell(out, tr(l, N_("School")), false);
    csv_cell(out, tr(l, N_("Class")), false);
    csv_cell(out, tr(l, N_("Surname")), false);
    csv_cell(out, tr(l, N_("Name")), false);
    csv_cell(out, tr(l, N_("Diet")), false);
    csv_cell(out, tr(l, N_("Plain meal")), true);
    for (size_t k = 0; k < s->nschools; k++)
        for (size_t i = 0; i < s->schools[k].nspecial; i++) {
            const struct kitchen_pupil *p = &s->schools[k].special[i];
            csv_cell(out, s->schools[k].school_name, false);
            csv_cell(out, p->class_name, false);
            csv_cell(out, p->surname, false);
            csv_cell(out, p->name, false);
            csv_cell(out, kitchen_diet_label(p->diet_code), false);
            csv_cell(out, tr(l, p->plain ? N_("Yes") : N_("No")), true);
        }
    if (out->err != BUF_OK) {
        csv_rollback(out, mark);
        return -1;
    }
    return 0;
}

/* ---- the kitchens' e-mail ------------------------------------------------------------------ */

static const char *kitchen_count(struct arena *a, long n)
{
    return arena_printf(a, "%ld", n);
}

static struct tv *kitchen_mail_data(struct arena *a, const struct kitchen_sheet *sheet,
                                    const struct kitchen_school *s)
{
    const char *l = I18N_DEFAULT_LANG;
    struct tv *d = tv_dict(a);
    tv_set_str(d, "day", time_date_display(a, sheet->day));
    tv_set_str(d, "school", s->school_name);
    tv_set_str(d, "meals", kitchen_count(a, s->meals));
    tv_set_str(d, "plain", kitchen_count(a, s->plain));
    tv_set_str(d, "diets", kitchen_count(a, s->diets));
    struct tv *list = tv_set_list(d, "classes");
    for (size_t i = 0; i < s->nclasses; i++) {
        struct tv *c = tv_push_dict(list);
        tv_set_str(c, "name",
                   *s->classes[i].class_name ? s->classes[i].class_name : tr(l, N_("No class")));
        tv_set_str(c, "meals", kitchen_count(a, s->classes[i].meals));
        tv_set_str(c, "plain", kitchen_count(a, s->classes[i].plain));
        tv_set_str(c, "diets", kitchen_count(a, s->classes[i].diets));
    }
    list = tv_set_list(d, "diet_counts");
    for (size_t i = 0; i < s->ndiet_counts; i++) {
        struct tv *c = tv_push_dict(list);
        tv_set_str(c, "diet", kitchen_diet_label(s->diet_counts[i].diet_code));
        tv_set_str(c, "meals", kitchen_count(a, s->diet_counts[i].meals));
        tv_set_str(c, "plain", kitchen_count(a, s->diet_counts[i].plain));
    }
    list = tv_set_list(d, "special");
    for (size_t i = 0; i < s->nspecial; i++) {
        const struct kitchen_pupil *p = &s->special[i];
        struct tv *c = tv_push_dict(list);
        tv_set_str(c, "pupil", arena_printf(a, "%s %s", p->surname, p->name));
        tv_set_str(c, "class", *p->class_name ? p->class_name : tr(l, N_("No class")));
        tv_set_str(c, "diet", kitchen_diet_label(p->diet_code));
        tv_set_bool(c, "plain", p->plain);
    }
    return d;
}

int kitchen_mail_queue_tx(struct db *db, struct arena *a, const struct tenant *t, const char *day,
                          size_t *queued)
{
    if (queued)
        *queued = 0;
    struct kitchen_sheet sheet;
    if (kitchen_sheet_build(db, a, t->id, day, 0, true, &sheet) != 0)
        return -1;
    struct buf csv;
    buf_init(&csv, KITCHEN_CSV_MAX);
    int rc = 0;
    for (size_t k = 0; k < sheet.nschools && rc == 0; k++) {
        const struct kitchen_school *s = &sheet.schools[k];
        if (!s->meals || !s->kitchen_email[0])
            continue;
        struct kitchen_sheet one = sheet;
        one.schools = &sheet.schools[k];
        one.nschools = 1;
        one.meals = s->meals;
        one.plain = s->plain;
        one.diets = s->diets;
        buf_reset(&csv);
        int64_t outbox_id = 0;
        char filename[64];
        snprintf(filename, sizeof(filename), "foglio-cucina-%s-%lld.csv", day,
                 (long long)s->school_id);
        if (kitchen_sheet_csv(&one, &csv) != 0 ||
            mail_queue(db, a, t, s->kitchen_email, I18N_DEFAULT_LANG, "kitchen_sheet",
                       kitchen_mail_data(a, &sheet, s), &outbox_id) != 0 ||
            mail_attach(db, outbox_id, filename, "text/csv", csv.data, csv.len) != 0) {
            log_error("kitchen: the kitchen e-mail could not be queued", "day", day);
            rc = -1;
            break;
        }
        if (queued)
            (*queued)++;
    }
    buf_free(&csv);
    return rc;
}
