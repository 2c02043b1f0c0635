/*
 * The debts part of the demo: two of this year's new families fall behind with their meals at
 * different times (Colombo about two and a half months ago, Ricci three weeks ago), the office
 * reminded Colombo by e-mail a month ago and, after a written notice two weeks ago, suspended
 * its service; Anna Esposito's debt from the previous platform (demo_enroll.c) is the third.
 * The entries are dated in the past by running the clock back while they are written, so the
 * ledger, the age of each debt and the reminder agree.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain/codice_fiscale.h"
#include "services/debts.h"
#include "services/demo.h"
#include "services/guardian.h"
#include "services/ledger.h"
#include "services/tenant.h"
#include "util/arena.h"
#include "util/time.h"
#include "web/page.h"

#define DEMO_DEBTS_DAY 86400

/* The guardian (and first pupil) of a demo family by the parent's data. 0 or -1. */
static int demo_debts_family(struct db *db, struct arena *a, int64_t tenant_id,
                             const struct codice_fiscale_person *parent, int64_t *guardian_id,
                             int64_t *pupil_id)
{
    char cf[CODICE_FISCALE_LEN + 1];
    struct guardian g;
    struct pupil_summary *pupils = NULL;
    size_t n = 0;
    if (codice_fiscale_compute(parent, cf) != CODICE_FISCALE_OK ||
        guardian_find_by_login(db, a, tenant_id, cf, &g) != 1 ||
        guardian_pupils(db, a, tenant_id, g.id, &pupils, &n) != 0 || n == 0)
        return -1;
    *guardian_id = g.id;
    *pupil_id = pupils[0].id;
    return 0;
}

/* A month of meals, charged at the instant at. */
static int demo_debts_meals(struct db *db, int64_t tenant_id, int64_t guardian_id, int64_t pupil_id,
                            int meals, const char *month, time_t at)
{
    char description[96];
    snprintf(description, sizeof(description), "Pasti di %s (%d)", month, meals);
    struct ledger_new e = {.guardian_id = guardian_id,
                           .pupil_id = pupil_id,
                           .kind = LEDGER_MEAL,
                           .amount_cents = -520LL * meals,
                           .description = description,
                           .created_by = "refettorio demo"};
    time_set_fake(at);
    return ledger_append(db, tenant_id, &e, NULL);
}

int demo_seed_debts(struct db *db, int64_t tenant_id)
{
    /* The clock is put back as it was: the real one, or a fake one the caller had set. */
    time_t now = time_now();
    time_t restore = labs((long)(now - time(NULL))) > 2 ? now : 0;
    struct arena a;
    arena_init(&a, 4096);
    int rc = -1;
    struct tenant t;
    int64_t colombo, colombo_child, ricci, ricci_child;
    static const struct codice_fiscale_person colombo_parent = {"Colombo", "Francesca", 1988,  3,
                                                                14,        'F',         "F205"};
    static const struct codice_fiscale_person ricci_parent = {"Ricci", "Luca", 1985,  7,
                                                              2,       'M',    "H501"};
    if (tenant_find_id(db, &a, tenant_id, &t) != 1 ||
        demo_debts_family(db, &a, tenant_id, &colombo_parent, &colombo, &colombo_child) != 0 ||
        demo_debts_family(db, &a, tenant_id, &ricci_parent, &ricci, &ricci_child) != 0)
        goto out;
    if (demo_debts_meals(db, tenant_id, colombo, colombo_child, 12, "settembre",
                         now - 75 * DEMO_DEBTS_DAY) != 0 ||
        demo_debts_meals(db, tenant_id, colombo, colombo_child, 18, "ottobre",
                         now - 45 * DEMO_DEBTS_DAY) != 0 ||
        demo_debts_meals(db, tenant_id, ricci, ricci_child, 6, "ottobre",
                         now - 20 * DEMO_DEBTS_DAY) != 0)
        goto out;
    struct debts_actor by = {0, "ufficio@comune.esempio.it", ""};
    /* The reminder, a month ago. */
    time_set_fake(now - 30 * DEMO_DEBTS_DAY);
    struct debts_reminder_item it = {.guardian_id = colombo};
    const char *topup = arena_printf(&a, "%s/%s/ricariche", page_public_base(), t.slug);
    if (debts_remind_tx(db, &a, &t, &by, topup, &it) != DEBTS_OK ||
        it.result != DEBTS_REMINDER_SENT)
        goto out;
    /* The written notice two weeks ago, the suspension two days ago. */
    char notice[TIME_ISO_MAX];
    time_iso(now - 14 * DEMO_DEBTS_DAY, notice);
    notice[10] = '\0';
    time_set_fake(now - 2 * DEMO_DEBTS_DAY);
    if (debts_suspend_tx(db, &a, &t, &by, colombo, notice,
                         "Debito non saldato dopo il sollecito e la diffida scritta inviata "
                         "con raccomandata.") != DEBTS_OK)
        goto out;
    rc = 0;
out:
    time_set_fake(restore);
    arena_free(&a);
    return rc;
}
