/*
 * Enrollments: one pupil's application in one campaign, from the family's first step to the
 * office's decision.
 *
 *   draft ──submit──▶ submitted ──confirm──▶ confirmed
 *     │                  │  ╰──reject (reason)──▶ rejected
 *     ╰──withdraw──▶ withdrawn ◀──withdraw──╯
 *
 * An anonymous family's application in progress is a draft row bound to its browser session
 * (guardian_id 0). The first "save draft" or the submission creates the guardian account (or
 * links the existing one whose verified e-mail matches) and the pupil, whose badge code then
 * stays the same for the pupil's whole school career; the badge is active once an enrollment is
 * confirmed. The form is saved step by step (pupil, guardian, school, diet, payment,
 * declarations); a submitted application can still be changed until the office decides. Every
 * saved change is appended to the enrollment's history and every state change to the audit log.
 */
#ifndef REFETTORIO_SERVICES_ENROLLMENT_H
#define REFETTORIO_SERVICES_ENROLLMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "services/audit.h"
#include "store/db.h"
#include "util/arena.h"

enum enrollment_status {
    ENROLLMENT_DRAFT,
    ENROLLMENT_SUBMITTED,
    ENROLLMENT_CONFIRMED,
    ENROLLMENT_REJECTED,
    ENROLLMENT_WITHDRAWN,
};

/* Steps of the form, in order; enrollment.step is the last one completed. */
enum enrollment_step {
    STEP_NONE = 0,
    STEP_PUPIL = 1,
    STEP_GUARDIAN = 2, /* with the privacy consent */
    STEP_SCHOOL = 3,   /* school, class, weekdays */
    STEP_DIET = 4,
    STEP_PAYMENT = 5, /* payment method, ISEE band */
    STEP_DECLARATIONS = 6,
};
#define ENROLLMENT_STEPS 6

struct enrollment {
    int64_t id, tenant_id, campaign_id;
    const char *kind; /* "new" / "renewal" */
    enum enrollment_status status;
    int step;
    int64_t guardian_id, pupil_id, previous_id; /* 0 when none */
    const char *email_verified;                 /* address verified for an anonymous draft */
    /* pupil */
    const char *pupil_fiscal_code, *pupil_name, *pupil_surname, *pupil_birth_date, *pupil_sex,
        *pupil_birth_place;
    /* guardian */
    const char *guardian_fiscal_code, *guardian_name, *guardian_surname, *guardian_email,
        *guardian_mobile, *guardian_address;
    bool guardian_resident;
    bool privacy_accepted;
    /* school */
    int64_t school_id, class_id;
    const char *weekdays; /* ISO digits */
    /* diet */
    const char *diet_kind; /* "none", "medical", "ethical" */
    const char *diet_notes;
    int64_t certificate_id;
    const char *diet_status; /* "none", "pending", "approved", "rejected" */
    const char *diet_code, *diet_decision_note;
    /* payment */
    const char *payment_method; /* "prepaid", "direct_debit" */
    const char *iban, *iban_holder;
    bool mandate_accepted;
    int64_t isee_band_id;
    bool declarations_accepted;
    /* decisions */
    const char *reject_reason, *debt_override_reason, *decided_by;
    /* times, UTC ("" when not yet) */
    const char *created_at, *first_saved_at, *updated_at, *submitted_at, *decided_at;
    /* joined for display ("" when none) */
    const char *campaign_title, *school_year_label, *school_name, *class_name, *isee_band_label,
        *badge_code, *user_code;
    int school_kind;          /* enum school_kind, -1 when no school */
    const char *session_hash; /* of the anonymous family's session; "" once in an account */
};

struct enrollment_event {
    const char *at; /* UTC */
    const char *actor_kind, *actor_label, *action, *status, *detail;
};

/* Who acts: the family (id = guardian id, 0 when anonymous), a staff member, the system. */
struct enrollment_actor {
    enum audit_actor kind;
    int64_t id;
    const char *label;
    const char *client_addr;
};

const char *enrollment_status_name(enum enrollment_status s); /* "draft", ... */
bool enrollment_status_parse(const char *s, enum enrollment_status *out);
/* English msgid of the status as families see it ("Draft", "Submitted", ...). */
const char *enrollment_status_label(enum enrollment_status s);
/* English msgid of a diet kind ("No special diet", "Medical diet", "Ethical or religious"). */
const char *enrollment_diet_label(const char *diet_kind);
/* English msgid of a weekday 1..7 ("Monday"...). */
const char *enrollment_weekday_label(int iso_day);

/* Read the current row of a statement whose select list starts with ENROLLMENT_COLUMNS (see
   src/store/sql/enrollment.def) into out; strings are copied into a. */
void enrollment_read_row(struct db_stmt *st, struct arena *a, struct enrollment *out);
/* 1 found, 0 not (in this tenant), -1 error. */
int enrollment_find(struct db *db, struct arena *a, int64_t tenant_id, int64_t id,
                    struct enrollment *out);
/* The history, oldest first. */
int enrollment_history(struct db *db, struct arena *a, int64_t tenant_id, int64_t id,
                       struct enrollment_event **out, size_t *n);
/* Append one history event for the enrollment (and nothing else). Inside the caller's
   transaction. */
int enrollment_history_add(struct db *db, int64_t enrollment_id, const struct enrollment_actor *who,
                           const char *action, enum enrollment_status status, const char *detail);
/* Every enrollment of the guardian's pupils, newest school year first. */
int enrollment_list_for_guardian(struct db *db, struct arena *a, int64_t tenant_id,
                                 int64_t guardian_id, struct enrollment **out, size_t *n);

#endif
