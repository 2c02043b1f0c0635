/* Routes of the family area: sign-in, passwords, the account, e-mail verification. */
#include "app/family/family.h"
#include "app/handlers.h"
#include "web/route.h"

static const struct field_spec login_fields[] = {
    {"login", field_text, 32, true},
    {"password", field_secret, 1024, true},
};
static const struct field_spec forgot_fields[] = {
    {"login", field_text, 32, true},
};
static const struct field_spec token_fields[] = {
    {"token", field_token, 64, false},
};
static const struct field_spec reset_fields[] = {
    {"token", field_token, 64, true},
    {"password", field_secret, 1024, true},
    {"confirm", field_secret, 1024, true},
};
static const struct field_spec password_fields[] = {
    {"current", field_secret, 1024, false},
    {"password", field_secret, 1024, true},
    {"confirm", field_secret, 1024, true},
};
static const struct field_spec email_fields[] = {
    {"email", field_email, 254, true},
};
static const struct field_spec email_code_fields[] = {
    {"email", field_email, 254, true},
    {"code", field_token, 6, true},
};

const struct route family_routes[] = {
    {HTTP_GET, "/famiglie/accedi", 0, NULL, 0, family_login_form, 0},
    {HTTP_POST, "/famiglie/accedi", 0, ROUTE_FIELDS(login_fields), family_login_submit, 0},
    {HTTP_POST, "/famiglie/esci", ROLE_FAMILY, NULL, 0, family_logout, 0},
    {HTTP_GET, "/famiglie/password-dimenticata", 0, NULL, 0, family_forgot_form, 0},
    {HTTP_POST, "/famiglie/password-dimenticata", 0, ROUTE_FIELDS(forgot_fields),
     family_forgot_submit, 0},
    {HTTP_GET, "/famiglie/reimposta", 0, ROUTE_FIELDS(token_fields), family_reset_form, 0},
    {HTTP_POST, "/famiglie/reimposta", 0, ROUTE_FIELDS(reset_fields), family_reset_submit, 0},
    {HTTP_GET, "/famiglie/", ROLE_FAMILY, NULL, 0, family_home, 0},
    {HTTP_GET, "/famiglie/password", ROLE_FAMILY, NULL, 0, family_password_form, 0},
    {HTTP_POST, "/famiglie/password", ROLE_FAMILY, ROUTE_FIELDS(password_fields),
     family_password_submit, 0},
    {HTTP_GET, "/famiglie/email", ROLE_FAMILY, NULL, 0, family_email_form, 0},
    {HTTP_POST, "/famiglie/email", ROLE_FAMILY, ROUTE_FIELDS(email_fields), family_email_send, 0},
    {HTTP_POST, "/famiglie/email/codice", ROLE_FAMILY, ROUTE_FIELDS(email_code_fields),
     family_email_verify, 0},
    {0},
};
