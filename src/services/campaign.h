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

#include "services/attachment.h"
#include "store/db.h"
#include "util/arena.h"

#define CAMPAIGN_DECLARATIONS_MAX 12
#define CAMPAIGN_CLASSES_MAX      400

/* Limits the service holds every campaign to (characters are UTF-8 code points). */
#define CAMPAIGN_TITLE_MIN       3
#define CAMPAIGN_TITLE_MAX       120
#define CAMPAIGN_DECLARATION_MIN 3 /* characters of one declaration */
#define CAMPAIGN_DECLARATION_MAX 1000
#define CAMPAIGN_PRIVACY_MAX     10000    /* characters of the privacy notice */
#define CAMPAIGN_FEE_MAX         100000   /* cents: 1.000,00 euro */
#define CAMPAIGN_THRESHOLD_MAX   10000000 /* cents, either sign: 100.000,00 euro */
#define CAMPAIGN_LIST_MAX        200      /* campaigns campaign_list returns */
#define CAMPAIGN_YEARS_MAX       20       /* school years campaign_year_choices returns */
#define ISEE_BAND_CODE_MAX       8
#define ISEE_BAND_LABEL_MAX      120
#define ISEE_BAND_LIST_MAX       50
#define ISEE_MAX_CENTS           100000000 /* 1.000.000,00 euro, the highest band maximum */

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
    int64_t class_count; /* classes the campaign enrolls into */
};

/* A school year the office may choose for a campaign. */
struct campaign_year {
    int64_t id;
    const char *label; /* "2027/2028" */
    const char *starts_on, *ends_on;
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
    CAMPAIGN_ERR_DUPLICATE, /* isee_band_add: the code is taken */
};

const char *campaign_kind_name(enum campaign_kind k); /* "new", "renewal", "both" */
bool campaign_kind_parse(const char *s, enum campaign_kind *out);
/* Whether the campaign accepts applications of this enrollment kind ("new" / "renewal"). */
bool campaign_accepts(const struct campaign *c, const char *enrollment_kind);
/* now_utc is "YYYY-MM-DDTHH:MM:SSZ". */
enum campaign_window campaign_window_at(const struct campaign *c, const char *now_utc);
/* "not_yet_open", "open", "closed" (the states in the audit log). */
const char *campaign_window_name(enum campaign_window w);

/* Create / replace a campaign with its declarations and classes; audit-logged with actor. On
   CAMPAIGN_ERR_INVALID, *field names the offending input ("title", "closes_at", ...).
   The rules: title CAMPAIGN_TITLE_MIN..MAX characters; opens_at and closes_at well-formed, and
   closes_at later; weekdays a non-empty increasing subset of "12345"; a privacy notice that is
   not blank (at most CAMPAIGN_PRIVACY_MAX characters); fee 0..CAMPAIGN_FEE_MAX; debt threshold
   within +-CAMPAIGN_THRESHOLD_MAX; up to CAMPAIGN_DECLARATIONS_MAX declarations of
   CAMPAIGN_DECLARATION_MIN..MAX characters; 1..CAMPAIGN_CLASSES_MAX classes (repeats ignored),
   each of the tenant and of the campaign's school year. *field is the input's member name:
   "school_year_id", "title", "kind", "opens_at", "closes_at", "weekdays", "privacy_notice",
   "fee_cents", "debt_threshold_cents", "declarations", "class_ids" or
   "regulations_attachment_id"; it is set as well with CAMPAIGN_ERR_NOT_FOUND for a school year,
   class or document that is not the tenant's. Once a campaign has applications its school year
   cannot change (CAMPAIGN_ERR_INVALID, "school_year_id"). actor_label NULL records the system. */
enum campaign_err campaign_create(struct db *db, int64_t tenant_id, const struct campaign_input *in,
                                  const char *actor_label, int64_t *id, const char **field);
enum campaign_err campaign_update(struct db *db, int64_t tenant_id, int64_t id,
                                  const struct campaign_input *in, const char *actor_label,
                                  const char **field);

/* A regulations document sent with the office's form. */
struct campaign_upload {
    const char *filename; /* as the browser sent it; attachment_store cleans it */
    const void *data;
    size_t len;
};
/* The office's form in one transaction: create (id 0) or update campaign id, storing upload
   (NULL: none) as its regulations document first (attachment_store: a PDF of at most
   ATTACHMENT_MAX_BYTES, checked by content). A refused document is CAMPAIGN_ERR_INVALID with
   *field "regulations_attachment_id" and *upload_err saying why (attachment_err_message);
   nothing is stored when anything fails. *saved_id gets the campaign's id. */
enum campaign_err campaign_save(struct db *db, int64_t tenant_id, int64_t id,
                                const struct campaign_input *in,
                                const struct campaign_upload *upload, const char *actor_label,
                                int64_t *saved_id, const char **field,
                                enum attachment_err *upload_err);

/* Every rule of campaign_create that needs no database, at once (for a form that shows each
   problem next to its field): the names of the failing inputs, as *field above, in fields;
   returns how many. campaign_create and campaign_update check them again. */
#define CAMPAIGN_INPUT_FIELDS 16
size_t campaign_input_problems(const struct campaign_input *in,
                               const char *fields[CAMPAIGN_INPUT_FIELDS]);
/* campaign_create and campaign_update inside the caller's transaction (the demo's, the CLI's):
   nothing is committed or rolled back here. */
enum campaign_err campaign_create_tx(struct db *db, int64_t tenant_id,
                                     const struct campaign_input *in, const char *actor_label,
                                     int64_t *id, const char **field);
enum campaign_err campaign_update_tx(struct db *db, int64_t tenant_id, int64_t id,
                                     const struct campaign_input *in, const char *actor_label,
                                     const char **field);

/* 1 found, 0 not, -1 error. */
int campaign_find(struct db *db, struct arena *a, int64_t tenant_id, int64_t id,
                  struct campaign *out);
/* Every campaign of the tenant, newest opening first (at most CAMPAIGN_LIST_MAX). */
int campaign_list(struct db *db, struct arena *a, int64_t tenant_id, struct campaign **out,
                  size_t *n);
int campaign_declarations(struct db *db, struct arena *a, int64_t campaign_id,
                          struct campaign_declaration **out, size_t *n);
/* Classes in school then class name order. */
int campaign_classes(struct db *db, struct arena *a, int64_t campaign_id,
                     struct campaign_class **out, size_t *n);
/* Whether class_id is one of the campaign's classes. */
bool campaign_has_class(struct db *db, int64_t campaign_id, int64_t class_id);

/* For the office's form: the school years not yet ended on today (a "YYYY-MM-DD" date), plus
   also_id (the year of the campaign being edited; 0 for none), oldest first; at most
   CAMPAIGN_YEARS_MAX. */
int campaign_year_choices(struct db *db, struct arena *a, int64_t tenant_id, const char *today,
                          int64_t also_id, struct campaign_year **out, size_t *n);
/* The classes of one school year of the tenant, in school then class name order; at most
   CAMPAIGN_CLASSES_MAX. */
int campaign_class_choices(struct db *db, struct arena *a, int64_t tenant_id,
                           int64_t school_year_id, struct campaign_class **out, size_t *n);

int isee_band_list(struct db *db, struct arena *a, int64_t tenant_id, struct isee_band **out,
                   size_t *n);
/* 1 found, 0 not, -1 error. */
int isee_band_find(struct db *db, struct arena *a, int64_t tenant_id, int64_t id,
                   struct isee_band *out);
/* Code 1..ISEE_BAND_CODE_MAX characters (letters, digits, '-'), label 1..ISEE_BAND_LABEL_MAX,
   maximum 0..ISEE_MAX_CENTS; audit-logged as the system. Runs inside the caller's transaction
   (the demo's, the CLI's): nothing is committed or rolled back here. */
enum campaign_err isee_band_create(struct db *db, int64_t tenant_id, const char *code,
                                   const char *label, bool has_max, int64_t max_isee_cents,
                                   int64_t *id);
/* The same in a transaction of its own, by a staff member (actor_label). On CAMPAIGN_ERR_INVALID
   *field names the input: "code", "label" or "max_isee_cents"; a taken code is
   CAMPAIGN_ERR_DUPLICATE. */
enum campaign_err isee_band_add(struct db *db, int64_t tenant_id, const char *code,
                                const char *label, bool has_max, int64_t max_isee_cents,
                                const char *actor_label, int64_t *id, const char **field);

#endif
