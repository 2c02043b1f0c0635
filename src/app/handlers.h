/*
 * HTTP handlers, by audience. Each reads validated fields from struct req, calls services, and
 * renders a template or redirects; none writes markup or SQL.
 */
#ifndef REFETTORIO_APP_HANDLERS_H
#define REFETTORIO_APP_HANDLERS_H

#include "services/tenant.h"
#include "store/db.h"
#include "web/http.h"
#include "web/route.h"
#include "web/tmpl.h"

/* Shared by the portal and office pages: the schools as a template list under data.schools
   ({name, kind_label, address, classes_count}). */
void app_schools_data(struct req *r, struct tv *data, const struct school_summary *schools,
                      size_t n);

/* The sign-in throttle's verdict for key (services/throttle.h) as a page: on a wait or a lock,
   page() renders the sign-in form with the message (locked_msgid for a lock) and false is
   returned; true when the attempt may go ahead. */
bool app_throttle_allows(struct req *r, struct resp *w, struct db *db, const char *key,
                         void (*page)(struct req *, struct resp *, int, const char *),
                         const char *locked_msgid);

/* Sign out whoever the request belongs to (family, staff or super-admin): an audit entry, the
   session ended, and a redirect to home_href. */
void app_sign_out(struct req *r, struct resp *w, const char *home_href);

/* The municipality's logo (an attachment), in the request's arena. 1, or 0 when it has none. */
int app_tenant_logo(struct req *r, const void **data, size_t *len);
struct doc;
/* A PDF document issued by the municipality: its name, "School meal service", the logo, the
   contacts in the footer and "Page n of N", in lang; title is a msgid. */
struct doc *app_doc_new(struct req *r, const char *lang, const char *title);

/* Route tables by area (each ends with an entry whose handler is NULL). */
extern const struct route core_routes[];
extern const struct route family_routes[];   /* src/app/family/ */
extern const struct route mail_routes[];     /* src/app/office/mail.c */
extern const struct route staff_routes[];    /* src/app/office/staff.c */
extern const struct route locks_routes[];    /* src/app/office/locks.c */
extern const struct route campaign_routes[]; /* src/app/office/campaigns.c */
extern const struct route review_routes[];   /* src/app/office/enrollments.c */
extern const struct route enroll_routes[];   /* src/app/family/enroll_routes.c */
extern const struct route tariff_routes[];   /* src/app/office/tariffs.c */
/* The family's meal price page (src/app/family/tariff.c). */
extern const struct route family_tariff_routes[];
/* The statement and the 730 certificates of the family area (src/app/family/statement.c). */
extern const struct route statement_routes[];
extern const struct route topup_routes[];         /* src/app/family/topup.c */
extern const struct route payments_routes[];      /* src/app/office/payments.c */
extern const struct route debts_routes[];         /* src/app/office/debts.c */
extern const struct route calendar_routes[];      /* src/app/office/calendar.c */
extern const struct route meals_routes[];         /* src/app/family/meals.c */
extern const struct route meal_settings_routes[]; /* src/app/office/meal_settings.c */
extern const struct route meal_office_routes[];   /* src/app/office/meals.c */
extern const struct route kitchen_routes[];       /* src/app/office/kitchen.c */
/* The platform's administration area, /piattaforma/ (src/app/platform/admin.c). */
extern const struct route platform_routes[];

/* Platform (no tenant). */
void platform_home(struct req *r, struct resp *w);
void platform_health(struct req *r, struct resp *w);

/* Portal: what families and the public see. */
void portal_home(struct req *r, struct resp *w);
void portal_privacy(struct req *r, struct resp *w);
void portal_accessibility(struct req *r, struct resp *w);
void portal_legal(struct req *r, struct resp *w);

/* Back office. */
void office_login_form(struct req *r, struct resp *w);
void office_login_submit(struct req *r, struct resp *w);
void office_logout(struct req *r, struct resp *w);
void office_home(struct req *r, struct resp *w);
/* The office navigation entries the user's role may open; current: "home", "staff", "mail",
   "locks", "tariffs" or "profile". */
void office_nav(struct req *r, struct tv *data, const char *current);
void office_locks(struct req *r, struct resp *w);
void office_unlock(struct req *r, struct resp *w);

#endif
