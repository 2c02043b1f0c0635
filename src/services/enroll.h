/*
 * The family's side of an enrollment: starting an application (a new pupil by codice fiscale,
 * or the renewal of a pupil already in the account), saving the form step by step, saving a
 * draft (which creates or links the guardian account and the pupil), submitting (with the
 * campaign window, the declarations and the debt gate checked), and withdrawing. Values reach
 * these functions already validated by the handler; the functions check the state they depend
 * on (status, window, ownership) and record history and audit entries in the same transaction.
 */
#ifndef REFETTORIO_SERVICES_ENROLL_H
#define REFETTORIO_SERVICES_ENROLL_H

#include <stdbool.h>
#include <stdint.h>

#include "services/campaign.h"
#include "services/enrollment.h"
#include "services/tenant.h"

enum enroll_start {
    ENROLL_START_OK,           /* *id: the application to continue */
    ENROLL_START_EXISTS,       /* an application for this pupil exists: sign in and modify it */
    ENROLL_START_KNOWN_PUPIL,  /* the pupil is already in an account: sign in (renewal) */
    ENROLL_START_NOT_ACCEPTED, /* the campaign is not open for this kind */
    ENROLL_START_ERROR,
};

/* A new pupil's application in campaign c: for an anonymous family bound to session_hash
   (guardian_id 0), or for a signed-in family (guardian_id > 0; *id may then be an existing
   application of theirs). cf is a valid, normalised codice fiscale. */
enum enroll_start enroll_start_new(struct db *db, const struct campaign *c, int64_t tenant_id,
                                   const char *cf, const char *session_hash, int64_t guardian_id,
                                   int64_t *id);
/* A renewal of the guardian's pupil in campaign c, pre-filled from the pupil's latest earlier
   application with the class promoted; an existing application in c is returned instead. */
enum enroll_start enroll_start_renewal(struct db *db, struct arena *a, const struct campaign *c,
                                       int64_t tenant_id, int64_t guardian_id, int64_t pupil_id,
                                       int64_t *id);

/* Whether the request may see and change the application: the session that started it while
   anonymous, or the signed-in guardian it belongs to. */
bool enroll_owned(const struct enrollment *e, const char *session_hash, int64_t guardian_id);
/* Whether the family may still change it: a draft, or submitted and not yet decided. */
bool enroll_editable(const struct enrollment *e);

int enroll_set_email(struct db *db, int64_t tenant_id, int64_t id, const char *email);

struct enroll_pupil {
    const char *name, *surname, *birth_date, *sex, *birth_place;
};
struct enroll_guardian {
    const char *fiscal_code, *name, *surname, *mobile, *address;
    bool resident;
};
struct enroll_school {
    int64_t class_id; /* the school follows from the class */
    const char *weekdays;
};
struct enroll_diet {
    const char *kind, *notes;
    int64_t certificate_id; /* 0: none */
};
struct enroll_payment {
    const char *method, *iban, *iban_holder;
    bool mandate;
    int64_t isee_band_id;
};

/* Save one step. Each appends a history event listing the fields that changed. 0 or -1. */
int enroll_save_pupil(struct db *db, const struct enrollment *e, const struct enroll_pupil *p,
                      const struct enrollment_actor *who);
int enroll_save_guardian(struct db *db, const struct enrollment *e, const struct enroll_guardian *g,
                         const struct enrollment_actor *who);
int enroll_save_school(struct db *db, const struct enrollment *e, const struct enroll_school *s,
                       const struct enrollment_actor *who);
int enroll_save_diet(struct db *db, const struct enrollment *e, const struct enroll_diet *d,
                     const struct enrollment_actor *who);
int enroll_save_payment(struct db *db, const struct enrollment *e, const struct enroll_payment *p,
                        const struct enrollment_actor *who);
int enroll_save_declarations(struct db *db, const struct enrollment *e,
                             const struct enrollment_actor *who);

enum enroll_account {
    ENROLL_ACCOUNT_OK,
    ENROLL_ACCOUNT_INCOMPLETE, /* pupil, guardian and privacy consent are needed first */
    ENROLL_ACCOUNT_TAKEN, /* the guardian's codice fiscale has an account with another e-mail */
    ENROLL_ACCOUNT_PUPIL_TAKEN, /* the pupil is in another family's account */
    ENROLL_ACCOUNT_ERROR,
};

/* "Save draft": make sure the application belongs to an account. For an anonymous family this
   creates the guardian account (or links the existing one whose e-mail is the one verified in
   this application) and the pupil; a new account gets a temporary password by e-mail (queued).
   *created tells whether an account was created. Call inside a transaction. */
enum enroll_account enroll_save_draft(struct db *db, struct arena *a, const struct tenant *t,
                                      const struct enrollment *e, const char *signin_href,
                                      const struct enrollment_actor *who, int64_t *guardian_id,
                                      bool *created);

enum enroll_submit {
    ENROLL_SUBMIT_OK,
    ENROLL_SUBMIT_INCOMPLETE,   /* a step is missing: *missing_step */
    ENROLL_SUBMIT_DECLARATIONS, /* the declarations are not accepted */
    ENROLL_SUBMIT_CLOSED,       /* the campaign window is not open */
    ENROLL_SUBMIT_DEBT,         /* balance below the campaign's threshold, no override */
    ENROLL_SUBMIT_STATE,        /* not a draft any more */
    ENROLL_SUBMIT_ERROR,
};

/* The checks of a submission without changing anything (for the summary page): the same
   results as enroll_submit. balance: the family's balance (cents) when relevant. */
enum enroll_submit enroll_submit_check(struct db *db, const struct campaign *c,
                                       const struct enrollment *e, int *missing_step,
                                       int64_t *balance);
/* Submit an application that already belongs to an account (enroll_save_draft first). For a
   submitted application being modified, records the re-submission in the history. Call inside
   a transaction. */
enum enroll_submit enroll_submit(struct db *db, const struct campaign *c,
                                 const struct enrollment *e, const struct enrollment_actor *who,
                                 int *missing_step, int64_t *balance);
/* Withdraw a draft or a submitted application not yet decided. 0, 1 when not allowed, -1. */
int enroll_withdraw(struct db *db, const struct enrollment *e, const struct enrollment_actor *who);

#endif
