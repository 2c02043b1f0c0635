/*
 * The statement table: every SQL statement the program runs, indexed by one enum. The SQL text
 * lives in src/store/sql/<area>.def as STMT(id, "sql") lines (one file per area of the
 * application, so areas grow without touching each other); this header and stmt.c include them
 * all to build the enum and the table. Bound parameters $1..$N only. A unit test prepares every
 * entry against a freshly migrated database.
 */
#ifndef REFETTORIO_STORE_STMT_H
#define REFETTORIO_STORE_STMT_H

enum stmt_id {
#define STMT(id, sql) id,
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
    STMT__COUNT
};

const char *stmt_sql(enum stmt_id id);
const char *stmt_name(enum stmt_id id);

#endif
