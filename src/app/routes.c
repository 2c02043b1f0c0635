/*
 * The route tables: every URL the application answers, with the roles allowed and the fields
 * each accepts. Anything not declared is a 404; any field not declared is dropped. This file
 * holds the core table and the list of every area's table (each area keeps its own table beside
 * its handlers, in src/app/<area>/).
 */
#include "app/handlers.h"
#include "services/staff.h"
#include "web/route.h"

static const struct field_spec login_fields[] = {
    {"email", field_email, 254, true},
    {"password", field_secret, 1024, true},
};

const struct route core_routes[] = {
    {HTTP_GET, "/", 0, NULL, 0, platform_home, ROUTE_PLATFORM},
    {HTTP_GET, "/health", 0, NULL, 0, platform_health, ROUTE_PLATFORM},

    {HTTP_GET, "/", 0, NULL, 0, portal_home, 0},
    {HTTP_GET, "/privacy", 0, NULL, 0, portal_privacy, 0},
    {HTTP_GET, "/accessibilita", 0, NULL, 0, portal_accessibility, 0},
    {HTTP_GET, "/note-legali", 0, NULL, 0, portal_legal, 0},

    {HTTP_GET, "/ufficio/accedi", 0, NULL, 0, office_login_form, 0},
    {HTTP_POST, "/ufficio/accedi", 0, ROUTE_FIELDS(login_fields), office_login_submit, 0},
    {HTTP_POST, "/ufficio/esci", ROLE_ANY_STAFF, NULL, 0, office_logout, 0},
    {HTTP_GET, "/ufficio/", ROLE_ANY_STAFF, NULL, 0, office_home, 0},
    {0},
};

const struct route *const app_route_tables[] = {
    core_routes,        family_routes,        enroll_routes,
    mail_routes,        staff_routes,         locks_routes,
    campaign_routes,    review_routes,        platform_routes,
    statement_routes,   topup_routes,         payments_routes,
    tariff_routes,      family_tariff_routes, debts_routes,
    calendar_routes,    meals_routes,         meal_settings_routes,
    meal_office_routes, kitchen_routes,       NULL,
};
