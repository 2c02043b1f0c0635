/*
 * The demo municipality, "Comune di Esempio" (slug esempio): realistic schools, classes, a
 * school year and one staff user per role, created in one transaction when absent. Each later
 * feature adds its own demo data here so `make demo` shows it working.
 */
#ifndef REFETTORIO_SERVICES_DEMO_H
#define REFETTORIO_SERVICES_DEMO_H

#include <stdbool.h>
#include <stdint.h>

#include "store/db.h"

#define DEMO_TENANT_SLUG      "esempio"
#define DEMO_PASSWORD         "Mensa-Esempio-2026"
#define DEMO_SUPERADMIN_EMAIL "piattaforma@refettorio.example"

struct demo_login {
    const char *email;
    const char *name;
    const char *role;
};

/* The staff accounts the demo creates, terminated by a NULL email. */
extern const struct demo_login demo_logins[];

/* The families: sign in with the login (a pupil's codice fiscale) and the password. */
struct demo_family_login {
    const char *login;
    const char *password;
    const char *who;
    int temporary; /* the password must be changed at the first sign-in */
};
extern const struct demo_family_login demo_family_logins[];

/* Create the demo data unless the tenant exists. *created tells which. base_url (e.g.
   "http://127.0.0.1:8080") makes the links of the demo's e-mails absolute. 0 or -1. */
int demo_seed(struct db *db, const char *base_url, bool *created);
/* The enrollment part of the demo (demo_enroll.c): school year 2027/2028, ISEE bands, last
   year's closed campaign with the families' children confirmed, this year's open campaign
   with new families' applications, and a family in debt. Inside demo_seed's transaction. */
int demo_seed_enrollments(struct db *db, int64_t tenant_id, int64_t year_id);
/* The tariffs (demo_tariff.c): the 2026/2027 price list in force and next year's, and the ISEE
   band and residence of some confirmed enrollments. After demo_seed_enrollments, inside
   demo_seed's transaction. */
int demo_seed_tariffs(struct db *db, int64_t tenant_id);
/* The debts (demo_debts.c): two more families in debt since different days, a reminder sent
   and a family suspended after a written notice. After demo_seed_enrollments, inside
   demo_seed's transaction. */
int demo_seed_debts(struct db *db, int64_t tenant_id);
/* The school calendars (demo_calendar.c): the three schools' days of service for 2026/2027
   (year_id), the Christmas and Easter holidays and the patron saint for every school, a strike
   at one primary school and a trip of one class. Inside demo_seed's transaction. */
int demo_seed_calendar(struct db *db, int64_t tenant_id, int64_t year_id);
/* The bookings (demo_bookings.c): the Rossi family's changes to the coming school days (a meal
   cancelled and a plain meal for Giulia, a week's absence for Luca), made through
   booking_apply_tx. After demo_seed_calendar, inside demo_seed's transaction. */
int demo_seed_bookings(struct db *db, int64_t tenant_id);

/* The pagoPA stand-in's hands, for the payments demo: pay a position as a family would, and a
   payment for a position nobody here created. Each returns 0 or -1. */
struct demo_pagopa {
    void *ctx;
    int (*pay)(void *ctx, const char *org_cf, const char *iupd);
    int (*add_unknown)(void *ctx, const char *org_cf, const char *iupd, const char *iuv,
                       int64_t cents);
};
/* The payments (demo_payments.c): settings, and top-ups through the stand-in, paid, to pay,
   awaiting confirmation, plus a receipt parked for the office. After demo_seed created the
   data, outside its transaction (each step commits). pagopa NULL: the settings only. */
int demo_seed_payments(struct db *db, const struct demo_pagopa *pagopa);
/* The meals of the last `days` calendar days (demo_meals.c), frozen and charged by the real
   cut-off job, today too once its cut-off has passed. After demo_seed_payments, outside any
   transaction (each day commits). 0 days: none. */
int demo_seed_meal_history(struct db *db, int days);

#endif
