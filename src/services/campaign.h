/*
 * Enrollment campaigns. A campaign opens enrollments for one school year between two instants:
 * which classes (and so which schools) it enrolls into, its kind (new pupils, renewals or both),
 * the service weekdays families may choose, the declarations they must tick, the privacy notice,
 * an optional enrollment fee, whether special diets and direct debit are offered, the
 * regulations document, and the debt threshold below which a family cannot submit. Also the
 * municipality's ISEE bands for reduced tariffs. Every change is audit-logged.
 */
#ifndef REFETTORIO_SERVICES_CAMPAIGN_H
#define REFETTORIO_SERVICES_CAMPAIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/db.h"
#include "util/arena.h"

#define CAMPAIGN_DECLARATIONS_MAX 12
#define CAMPAIGN_CLASSES_MAX      400

enum campaign_kind { CAMPAIGN_NEW, CAMPAIGN_RENEWAL, CAMPAIGN_BOTH };

/* Where "now" falls in the campaign's window. */
enum campaign_window { CAMPAIGN_NOT_YET_OPEN, CAMPAIGN_OPEN, CAMPAIGN_CLOSED };

struct campaign {
    int64_t id;
    int64_t school_year_id;
    const char *school_year_label; /* "2027/2028" */
    const char *school_year_starts_on;
    const char *title;
    enum campaign_kind kind;
    const char *opens_at, *closes_at; /* UTC "YYYY-MM-DDTHH:MM:SSZ" */
    const char *weekdays;             /* ISO digits, "12345" */
    const char *privacy_notice;
    int64_t fee_cents;
    bool diets_offered;
    bool direct_debit_offered;
    int64_t regulations_attachment_id; /* 0 when none */
    bool has_debt_threshold;
    int64_t debt_threshold_cents;
};

struct campaign_declaration {
    int64_t id;
    int position;
    const char *text;
};

/* A class a campaign enrolls into, with its school. */
struct campaign_class {
    int64_t class_id;
    const char *class_name;
    int64_t school_id;
    const char *school_name;
    int school_kind; /* enum school_kind */
};

struct isee_band {
    int64_t id;
    const char *code;
    const char *label;
    bool has_max;
    int64_t max_isee_cents;
};

/* What the office writes; strings already trimmed. */
struct campaign_input {
    int64_t school_year_id;
    const char *title;
    enum campaign_kind kind;
    const char *opens_at, *closes_at; /* UTC */
    const char *weekdays;
    const char *privacy_notice;
    int64_t fee_cents;
    bool diets_offered;
    bool direct_debit_offered;
    int64_t regulations_attachment_id; /* 0 = keep none / unchanged on update */
    bool has_debt_threshold;
    int64_t debt_threshold_cents;
    const char *const *declarations; /* texts in order */
    size_t ndeclarations;
    const int64_t *class_ids;
    size_t nclass_ids;
};

enum campaign_err {
    CAMPAIGN_OK = 0,
    CAMPAIGN_ERR_INVALID,   /* a value is out of range: see *field (the input's field name) */
    CAMPAIGN_ERR_NOT_FOUND, /* campaign, school year or a class not in this tenant */
    CAMPAIGN_ERR_DB,
};

const char *campaign_kind_name(enum campaign_kind k); /* "new", "renewal", "both" */
bool campaign_kind_parse(const char *s, enum campaign_kind *out);
/* Whether the campaign accepts applications of this enrollment kind ("new" / "renewal"). */
bool campaign_accepts(const struct campaign *c, const char *enrollment_kind);
/* now_utc is "YYYY-MM-DDTHH:MM:SSZ". */
enum campaign_window campaign_window_at(const struct campaign *c, const char *now_utc);

/* Create / replace a campaign with its declarations and classes; audit-logged with actor. On
   CAMPAIGN_ERR_INVALID, *field names the offending input ("title", "closes_at", ...). */
enum campaign_err campaign_create(struct db *db, int64_t tenant_id, const struct campaign_input *in,
                                  const char *actor_label, int64_t *id, const char **field);
enum campaign_err campaign_update(struct db *db, int64_t tenant_id, int64_t id,
                                  const struct campaign_input *in, const char *actor_label,
                                  const char **field);

/* 1 found, 0 not, -1 error. */
int campaign_find(struct db *db, struct arena *a, int64_t tenant_id, int64_t id,
                  struct campaign *out);
/* Every campaign of the tenant, newest opening first. */
int campaign_list(struct db *db, struct arena *a, int64_t tenant_id, struct campaign **out,
                  size_t *n);
int campaign_declarations(struct db *db, struct arena *a, int64_t campaign_id,
                          struct campaign_declaration **out, size_t *n);
/* Classes in school then class name order. */
int campaign_classes(struct db *db, struct arena *a, int64_t campaign_id,
                     struct campaign_class **out, size_t *n);
/* Whether class_id is one of the campaign's classes. */
bool campaign_has_class(struct db *db, int64_t campaign_id, int64_t class_id);

int isee_band_list(struct db *db, struct arena *a, int64_t tenant_id, struct isee_band **out,
                   size_t *n);
/* 1 found, 0 not, -1 error. */
int isee_band_find(struct db *db, struct arena *a, int64_t tenant_id, int64_t id,
                   struct isee_band *out);
enum campaign_err isee_band_create(struct db *db, int64_t tenant_id, const char *code,
                                   const char *label, bool has_max, int64_t max_isee_cents,
                                   int64_t *id);

#endif
