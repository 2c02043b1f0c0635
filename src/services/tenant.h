/*
 * Municipalities (tenants) and their schools, school years and classes: lookup for every
 * request, creation for the admin commands and the demo. Every query is scoped by tenant id.
 */
#ifndef REFETTORIO_SERVICES_TENANT_H
#define REFETTORIO_SERVICES_TENANT_H

#include <stdbool.h>
#include <stdint.h>

#include "store/db.h"
#include "util/arena.h"

#define TENANT_SLUG_MAX 40

struct tenant {
    int64_t id;
    const char *slug, *name, *fiscal_code, *timezone, *cutoff_time;
    const char *address, *phone, *email, *pec, *office_hours, *website;
};

enum school_kind { SCHOOL_INFANZIA, SCHOOL_PRIMARIA, SCHOOL_SECONDARIA };

struct school_summary {
    int64_t id;
    const char *name;
    enum school_kind kind;
    const char *address;
    int64_t classes; /* in the school year asked for */
};

/* Results of the create functions. */
enum tenant_err {
    TENANT_OK = 0,
    TENANT_ERR_INVALID,   /* a value failed validation; see the message */
    TENANT_ERR_DUPLICATE, /* unique key already taken */
    TENANT_ERR_NOT_FOUND, /* a referenced row does not exist in this tenant */
    TENANT_ERR_DB,
};

/* 1 found, 0 not found, -1 database error. Strings are copied into the arena. */
int tenant_find(struct db *db, struct arena *a, const char *slug, struct tenant *out);
/* The same by id (background jobs that have no request). */
int tenant_find_id(struct db *db, struct arena *a, int64_t id, struct tenant *out);
bool tenant_slug_valid(const char *slug);

struct tenant_new {
    const char *slug, *name, *fiscal_code, *address, *phone, *email, *pec, *office_hours, *website;
};
enum tenant_err tenant_create(struct db *db, const struct tenant_new *t, int64_t *id);

bool school_kind_parse(const char *s, enum school_kind *out);
const char *school_kind_name(enum school_kind k);
/* English msgid of the kind's label ("Nursery school"...), for tr(). */
const char *school_kind_label(enum school_kind k);

enum tenant_err school_create(struct db *db, int64_t tenant_id, const char *name,
                              enum school_kind kind, const char *address, const char *kitchen_email,
                              int64_t *id);
int64_t school_find(struct db *db, int64_t tenant_id, const char *name); /* 0 if absent */
/* Label "YYYY/YYYY" where the second year is the first plus one; dates YYYY-MM-DD. */
enum tenant_err school_year_create(struct db *db, int64_t tenant_id, const char *label,
                                   const char *starts_on, const char *ends_on, int64_t *id);
int64_t school_year_find(struct db *db, int64_t tenant_id, const char *label); /* 0 if absent */
/* The school year in progress today (or the next one); 1 found, 0 none, -1 error. */
int school_year_current(struct db *db, struct arena *a, int64_t tenant_id, int64_t *id,
                        const char **label);
enum tenant_err class_create(struct db *db, int64_t tenant_id, int64_t school_id,
                             int64_t school_year_id, const char *name, int64_t *id);
/* Schools of the tenant with their class counts in school_year_id (0: counts are 0). */
int school_list(struct db *db, struct arena *a, int64_t tenant_id, int64_t school_year_id,
                struct school_summary **out, size_t *n);

#endif
