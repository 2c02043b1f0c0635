/* Routes of the enrollment flow (/<tenant>/iscrizioni/...). The form's steps share one route:
   every field of every step is declared optional here and each step checks its own. */
#include "app/family/enroll.h"
#include "app/handlers.h"
#include "services/staff.h"
#include "web/route.h"

static const struct field_spec start_fields[] = {
    {"fiscal_code", field_text, 24, true},
};
static const struct field_spec email_fields[] = {
    {"email", field_email, 254, true},
};
static const struct field_spec email_code_fields[] = {
    {"email", field_email, 254, true},
    {"code", field_token, 6, true},
};
static const struct field_spec step_fields[] = {
    {"action", field_token, 16, false},
    /* pupil / guardian */
    {"name", field_text, 60, false},
    {"surname", field_text, 60, false},
    {"birth_date", field_text, 10, false},
    {"sex", field_token, 1, false},
    {"birth_place", field_text, 80, false},
    {"fiscal_code", field_text, 24, false},
    {"mobile", field_text, 24, false},
    {"address", field_text, 200, false},
    {"resident", field_token, 3, false},
    {"privacy", field_token, 3, false},
    /* school */
    {"class_id", field_token, 12, false},
    {"wd_1", field_token, 3, false},
    {"wd_2", field_token, 3, false},
    {"wd_3", field_token, 3, false},
    {"wd_4", field_token, 3, false},
    {"wd_5", field_token, 3, false},
    {"weekdays", field_token, 1, false}, /* never sent: carries the error of the group */
    /* diet */
    {"diet_kind", field_token, 10, false},
    {"diet_notes", field_multiline, 1000, false},
    {"certificate", field_token, 1, false}, /* the file part; carries its error */
    /* payment */
    {"payment_method", field_token, 16, false},
    {"iban", field_text, 42, false},
    {"iban_holder", field_text, 120, false},
    {"mandate", field_token, 3, false},
    {"isee_band", field_token, 12, false},
    /* declarations */
    {"decl_1", field_token, 3, false},
    {"decl_2", field_token, 3, false},
    {"decl_3", field_token, 3, false},
    {"decl_4", field_token, 3, false},
    {"decl_5", field_token, 3, false},
    {"decl_6", field_token, 3, false},
    {"decl_7", field_token, 3, false},
    {"decl_8", field_token, 3, false},
    {"decl_9", field_token, 3, false},
    {"decl_10", field_token, 3, false},
    {"decl_11", field_token, 3, false},
    {"decl_12", field_token, 3, false},
};
static const struct field_spec renew_fields[] = {
    {"campaign", field_token, 12, true},
    {"pupil", field_token, 12, true},
};

const struct route enroll_routes[] = {
    {HTTP_GET, "/iscrizioni", 0, NULL, 0, enroll_campaigns, 0},
    {HTTP_GET, "/iscrizioni/{id}/nuova", 0, NULL, 0, enroll_start_form, 0},
    {HTTP_POST, "/iscrizioni/{id}/nuova", 0, ROUTE_FIELDS(start_fields), enroll_start_submit, 0},
    {HTTP_GET, "/iscrizioni/domanda/{id}", 0, NULL, 0, enroll_status, 0},
    {HTTP_GET, "/iscrizioni/domanda/{id}/email", 0, NULL, 0, enroll_email_form, 0},
    {HTTP_POST, "/iscrizioni/domanda/{id}/email", 0, ROUTE_FIELDS(email_fields), enroll_email_send,
     0},
    {HTTP_POST, "/iscrizioni/domanda/{id}/email/codice", 0, ROUTE_FIELDS(email_code_fields),
     enroll_email_verify, 0},
    {HTTP_GET, "/iscrizioni/domanda/{id}/passo/{n}", 0, ROUTE_FIELDS(step_fields), enroll_step_form,
     0},
    {HTTP_POST, "/iscrizioni/domanda/{id}/passo/{n}", 0, ROUTE_FIELDS(step_fields),
     enroll_step_submit, ROUTE_UPLOAD},
    {HTTP_GET, "/iscrizioni/domanda/{id}/riepilogo", 0, NULL, 0, enroll_summary, 0},
    {HTTP_POST, "/iscrizioni/domanda/{id}/invia", 0, NULL, 0, enroll_submit_post, 0},
    {HTTP_POST, "/iscrizioni/domanda/{id}/ritira", 0, NULL, 0, enroll_withdraw_post, 0},
    {HTTP_GET, "/iscrizioni/domanda/{id}/riepilogo.pdf", 0, NULL, 0, enroll_summary_pdf, 0},
    {HTTP_GET, "/iscrizioni/domanda/{id}/lettera-credenziali.pdf", 0, NULL, 0, enroll_letter_pdf,
     0},
    {HTTP_POST, "/famiglie/rinnova", ROLE_FAMILY, ROUTE_FIELDS(renew_fields), enroll_renew, 0},
    {0},
};
