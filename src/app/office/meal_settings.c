/*
 * The municipality's meal rule (/ufficio/impostazioni-pasti), for administrators and the office:
 * the time limit on the day itself, the earliest time on the day before (none when empty) and
 * the consecutive days of plain meal allowed without a medical certificate. The rule is
 * services/booking.h's; saving is audit-logged there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/handlers.h"
#include "services/booking.h"
#include "store/store.h"
#include "templates.h"
#include "web/i18n.h"
#include "web/page.h"
#include "web/route.h"

#define MEAL_SETTINGS_ROLES (ROLE_ADMIN | ROLE_UFFICIO)

static const struct field_spec meal_settings_fields[] = {
    {"cutoff_time", field_text, 5, true},
    {"earliest_time", field_text, 5, false},
    {"plain_max_days", field_text, 2, true},
};

static void meal_settings_page(struct req *r, struct resp *w, int status, bool done,
                               const struct booking_rules *rules)
{
    struct tv *d = page_new(r, N_("Meal settings"));
    page_crumb(r, d, N_("Back office"), arena_printf(&r->arena, "/%s/ufficio/", r->tenant.slug));
    page_crumb(r, d, N_("Meal settings"), NULL);
    office_nav(r, d, "meals");
    if (!page_form_begin(r, w, d,
                         status == 422 ? tr(r->lang, N_("Check the highlighted fields.")) : NULL))
        return;
    tv_set_bool(d, "done", done);
    tv_set_str(d, "form_action",
               arena_printf(&r->arena, "/%s/ufficio/impostazioni-pasti", r->tenant.slug));
    char latest[CUTOFF_HHMM_SIZE] = "", earliest[CUTOFF_HHMM_SIZE] = "", plain[16] = "";
    if (rules) {
        cutoff_format_minute(rules->cutoff.latest_minute, latest);
        cutoff_format_minute(rules->cutoff.earliest_minute, earliest);
        snprintf(plain, sizeof(plain), "%d", rules->plain_max_days);
    }
    struct tv *f =
        page_field(r, d, "fields", "cutoff_time", N_("Time limit on the day"), "text", "off",
                   N_("Families change a day's meal strictly before this time of the "
                      "day itself, e.g. 09:30; the kitchen's counts are made then."));
    if (rules)
        tv_set_str(f, "value", latest);
    tv_set_str(f, "inputmode", "numeric");
    f = page_field(r, d, "fields", "earliest_time", N_("Earliest time on the day before"), "text",
                   "off",
                   N_("Optional, e.g. 18:00: changes for a day are accepted only from this time "
                      "of the day before. Leave it empty to accept them at any time before. An "
                      "extended absence may always be entered ahead."));
    if (rules)
        tv_set_str(f, "value", earliest);
    tv_set_str(f, "inputmode", "numeric");
    f = page_field(r, d, "fields", "plain_max_days", N_("Days of plain meal in a row"), "text",
                   "off", N_("Without a medical certificate; from 1 to 30."));
    if (rules)
        tv_set_str(f, "value", plain);
    tv_set_str(f, "inputmode", "numeric");
    page_render(r, w, status, tmpl_office_meal_settings, d);
}

static void office_meal_settings(struct req *r, struct resp *w)
{
    struct db *db = store_db();
    struct booking_rules rules;
    if (!db || booking_rules_load(db, r->tenant.id, &rules) != 0) {
        page_error(r, w, 500);
        return;
    }
    meal_settings_page(r, w, 200, false, &rules);
}

static void office_meal_settings_save(struct req *r, struct resp *w)
{
    struct db *db = store_db();
    if (!db) {
        page_error(r, w, 500);
        return;
    }
    const char *latest = req_field(r, "cutoff_time");
    const char *earliest = req_field(r, "earliest_time");
    const char *days = req_field(r, "plain_max_days");
    char *end = NULL;
    long plain = days && *days ? strtol(days, &end, 10) : 0;
    if (days && (!*days || *end || plain < 1 || plain > 30))
        req_set_field_error(r, "plain_max_days", N_("Enter a number of days from 1 to 30."));
    if (r->has_errors) {
        meal_settings_page(r, w, 422, false, NULL);
        return;
    }
    const char *field = NULL;
    enum booking_err e =
        booking_rules_save(db, r->tenant.id, latest, earliest, (int)plain, r->user.email, &field);
    if (e == BOOKING_OK) {
        struct booking_rules rules;
        if (booking_rules_load(db, r->tenant.id, &rules) != 0) {
            page_error(r, w, 500);
            return;
        }
        meal_settings_page(r, w, 200, true, &rules);
        return;
    }
    if (e != BOOKING_INVALID || !field) {
        page_error(r, w, 500);
        return;
    }
    req_set_field_error(r, field,
                        !strcmp(field, "plain_max_days")
                            ? N_("Enter a number of days from 1 to 30.")
                            : N_("Enter a time as hh:mm, for example 09:30."));
    meal_settings_page(r, w, 422, false, NULL);
}

const struct route meal_settings_routes[] = {
    {HTTP_GET, "/ufficio/impostazioni-pasti", MEAL_SETTINGS_ROLES, NULL, 0, office_meal_settings,
     0},
    {HTTP_POST, "/ufficio/impostazioni-pasti", MEAL_SETTINGS_ROLES,
     ROUTE_FIELDS(meal_settings_fields), office_meal_settings_save, 0},
    {0},
};
