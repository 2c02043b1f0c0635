/*
 * Sign-in throttling, per login name and per client address: after each failure the next attempt
 * must wait longer (1 s after the 3rd failure, doubling up to 15 minutes); after
 * THROTTLE_LOCK_FAILURES failures on one login name the account is locked until the office lifts
 * the lock. Login names are counted whether or not an account exists, so the answers never reveal
 * which accounts do. Every failure, lock and unlock is in the audit log.
 */
#ifndef REFETTORIO_SERVICES_THROTTLE_H
#define REFETTORIO_SERVICES_THROTTLE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "store/db.h"

#define THROTTLE_FREE_FAILURES 3   /* failures allowed before delays start */
#define THROTTLE_MAX_DELAY     900 /* seconds */
#define THROTTLE_LOCK_FAILURES 10  /* on one login name: locked until the office unlocks */

enum throttle_verdict {
    THROTTLE_OK,     /* go ahead and check the password */
    THROTTLE_WAIT,   /* too soon after a failure; *wait_seconds says how long */
    THROTTLE_LOCKED, /* the login name is locked; only the office can lift it */
    THROTTLE_ERROR,
};

/* login is the normalised login name with a kind prefix, e.g. "staff:ufficio@comune.it" or
   "family:RSSMRA80A01H501U". */
enum throttle_verdict throttle_check(struct db *db, int64_t tenant_id, const char *login,
                                     const char *client_addr, long *wait_seconds);
/* Record a failure for both the login and the address (and lock the login past the limit). */
int throttle_failure(struct db *db, int64_t tenant_id, const char *login, const char *client_addr);
/* A successful sign-in clears the login's counters (not the address's). */
int throttle_success(struct db *db, int64_t tenant_id, const char *login);
/* The office lifts a lock; audit-logged with the staff member. 1 unlocked, 0 was not locked. */
int throttle_unlock(struct db *db, int64_t tenant_id, const char *login, int64_t staff_id,
                    const char *staff_label);

#endif
