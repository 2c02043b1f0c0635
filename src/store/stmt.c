/*
 * SQLite dialect of the statement table (see stmt.h). Column order in SELECTs is part of the
 * contract with the services that read them; each statement names its columns in a comment.
 */
#include "store/stmt.h"

#include <stddef.h>

struct stmt_entry {
    const char *name;
    const char *sql;
};

static const struct stmt_entry stmt_table[STMT__COUNT] = {
#define STMT(id, text) [id] = {#id, text},
#include "store/sql/core.def"
#include "store/sql/accounts.def"
#include "store/sql/mail.def"
#include "store/sql/staff.def"
#include "store/sql/platform.def"
#include "store/sql/attachment.def"
#include "store/sql/ledger.def"
#include "store/sql/payment.def"
#include "store/sql/debts.def"
#include "store/sql/campaign.def"
#include "store/sql/enrollment.def"
#include "store/sql/review.def"
#include "store/sql/tariff.def"
#include "store/sql/tax_certificate.def"
#include "store/sql/job.def"
#include "store/sql/calendar.def"
#include "store/sql/booking.def"
#include "store/sql/meals.def"
#include "store/sql/kitchen.def"
#undef STMT
};

const char *stmt_sql(enum stmt_id id)
{
    if ((int)id < 0 || id >= STMT__COUNT)
        return NULL;
    return stmt_table[id].sql;
}

const char *stmt_name(enum stmt_id id)
{
    if ((int)id < 0 || id >= STMT__COUNT)
        return "?";
    return stmt_table[id].name;
}
