/*
 * Balance alerts: the municipality sets thresholds (by default 15,00 euro of credit, zero, and
 * 15,00 euro of debt). A wallet's alert level is how many thresholds its balance is at or below.
 * When an entry lowers the level's count (the balance crosses a threshold downwards) the family
 * gets one e-mail about the deepest threshold crossed; a top-up that lifts the balance above a
 * threshold re-arms it, so the next crossing is told again. Once per crossing, never per entry.
 * The wallet's debt_since is set when the balance goes below zero and cleared when it is back.
 */
#ifndef REFETTORIO_SERVICES_BALANCE_ALERT_H
#define REFETTORIO_SERVICES_BALANCE_ALERT_H

#include <stddef.h>
#include <stdint.h>

#include "store/db.h"

/* How many thresholds balance is at or below. */
int balance_alert_level(const int64_t *thresholds, size_t n, int64_t balance);

/* Called by ledger_append inside its transaction after the wallet moved from before to after;
   level and debt_since are the wallet's stored state. Updates them and queues the e-mail on a
   downward crossing (nothing when the family has no address). 0 or -1. */
int balance_alert_after_change(struct db *db, int64_t tenant_id, int64_t guardian_id,
                               int64_t before, int64_t after, int level, const char *debt_since);

#endif
