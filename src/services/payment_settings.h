/*
 * A municipality's payment settings: the pagoPA segregation code that starts its notice numbers,
 * its accounts (IBAN, postal account for the Poste DataMatrix, CBILL code), the top-up amounts
 * offered and the limits of a typed one, the days a notice stays payable, and the balance alert
 * thresholds. Without a saved row the defaults of schema 0007 apply.
 */
#ifndef REFETTORIO_SERVICES_PAYMENT_SETTINGS_H
#define REFETTORIO_SERVICES_PAYMENT_SETTINGS_H

#include <stddef.h>
#include <stdint.h>

#include "store/db.h"

#define PAYMENT_AMOUNTS_MAX    6
#define PAYMENT_THRESHOLDS_MAX 5
#define PAYMENT_TOPUP_CEILING  INT64_C(100000000) /* 1,000,000.00 euro: no top-up above it */

struct payment_settings {
    int segregation_code; /* 0-99 */
    char creditor_iban[40];
    char postal_account[16];
    char postal_iban[40];
    char cbill_code[16];
    int64_t topup_amounts[PAYMENT_AMOUNTS_MAX];
    size_t ntopup_amounts;
    int64_t topup_min_cents, topup_max_cents;
    int due_days;
    int64_t thresholds[PAYMENT_THRESHOLDS_MAX]; /* descending */
    size_t nthresholds;
};

/* The tenant's settings, or the defaults. 0 or -1. */
int payment_settings_get(struct db *db, int64_t tenant_id, struct payment_settings *s);
/* Validate and store (caller's transaction), audit-logged. 0, 1 invalid (msg says which field
   and why, an N_() msgid in field_msg and the field name in field), -1 database error. */
int payment_settings_save(struct db *db, int64_t tenant_id, const struct payment_settings *s,
                          const char *by, const char **field, const char **field_msg);

/* "2000,5000,10000" to cents values; false when malformed, empty, too many or out of
   [lo, hi]. The values are sorted descending when descending is set, ascending otherwise. */
int payment_cents_list_parse(const char *text, int64_t *out, size_t max, size_t *n, int64_t lo,
                             int64_t hi, int descending);
/* The stored form of a list ("2000,5000,10000"); out must hold 32 bytes per value. */
void payment_cents_list_format(const int64_t *v, size_t n, char *out, size_t outsz);

#endif
