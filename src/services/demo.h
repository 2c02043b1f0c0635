/*
 * The demo municipality, "Comune di Esempio" (slug esempio): realistic schools, classes, a
 * school year and one staff user per role, created in one transaction when absent. Each later
 * feature adds its own demo data here so `make demo` shows it working.
 */
#ifndef REFETTORIO_SERVICES_DEMO_H
#define REFETTORIO_SERVICES_DEMO_H

#include <stdbool.h>

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

#endif
