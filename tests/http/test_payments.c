/*
 * Top-ups and payments over the real request path, with `refettorio pagopa-standin` as pagoPA:
 * a family tops up and pays online (create, Checkout, return, reconcile: credited once, and again
 * once however often the receipt is read back), downloads a payment notice, is refused bad
 * amounts next to the field with what it typed kept and nothing stored, and cannot see another
 * family's payment; the office lists and filters payments, reconciles, edits the payment settings
 * (bad values refused, nothing changed), and the kitchen is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "harness.h"

#define T        "/" HARNESS_DEMO_TENANT
#define ROSSI    "RSSGLI18E62H501A" /* a pupil of Mario Rossi */
#define BIANCHI  "FRRSFO19T41F205D" /* a pupil of Chiara Bianchi */
#define PASSWORD "Pranzo-Sereno-2026"
#define CUCINA   "cucina@ristorazione-esempio.it"
#define BODY_MAX 2048

static struct harness_proc pagopa;
static char pagopa_dir[64];

static int group_setup(void **state)
{
    snprintf(pagopa_dir, sizeof(pagopa_dir), "/tmp/refettorio-gpd-XXXXXX");
    if (!mkdtemp(pagopa_dir) || harness_pagopa_start(&pagopa, pagopa_dir) != 0)
        return -1;
    static char gpd[96], checkout[128];
    snprintf(gpd, sizeof(gpd), "pagopa.gpd_url=http://127.0.0.1:%d", pagopa.port);
    snprintf(checkout, sizeof(checkout), "pagopa.checkout_url=http://127.0.0.1:%d/checkout/ec/v1",
             pagopa.port);
    const char *const args[] = {
        "--set", gpd, "--set", checkout, "--set", "pagopa.reconcile_seconds=3600", NULL};
    return harness_group_setup_args(state, args);
}

static int group_teardown(void **state)
{
    int rc = harness_group_teardown(state);
    harness_proc_stop(&pagopa);
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf %s %s.log", pagopa_dir, pagopa_dir);
    if (system(cmd) != 0)
        rc = -1;
    return rc;
}

static void family_sign_in(const struct harness_server *s, const char *login,
                           struct harness_session *session)
{
    memset(session, 0, sizeof(*session));
    struct harness_resp r;
    harness_expect_get(s, T "/famiglie/accedi", NULL, 200, &r);
    char sid[HARNESS_TOKEN_MAX];
    if (harness_cookie_value(&r, "sid", sid, sizeof(sid)))
        harness_session_set_sid(session, sid);
    assert_true(harness_form_input(&r, "csrf", session->csrf, sizeof(session->csrf)));
    harness_resp_free(&r);
    char body[512];
    snprintf(body, sizeof(body), "csrf=%s&login=%s&password=%s", session->csrf, login, PASSWORD);
    harness_expect_post(s, T "/famiglie/accedi", body, session->cookie, 303, &r);
    assert_true(harness_cookie_value(&r, "sid", sid, sizeof(sid)));
    harness_session_set_sid(session, sid);
    harness_resp_free(&r);
    harness_expect_get(s, T "/famiglie/ricariche", session->cookie, 200, &r);
    assert_true(harness_form_input(&r, "csrf", session->csrf, sizeof(session->csrf)));
    harness_resp_free(&r);
}

static long long positions(const struct harness_server *s)
{
    return harness_db_int(s, "SELECT count(*) FROM payment_position", NULL);
}

static long long rossi_balance(const struct harness_server *s)
{
    return harness_db_int(s,
                          "SELECT ifnull(sum(amount_cents), 0) FROM ledger_entry l JOIN guardian g "
                          "ON g.id = l.guardian_id WHERE g.fiscal_code = 'RSSMRA82C14H501K'",
                          NULL);
}

/* POST a top-up; returns the position id from the redirect (0 when not 303). */
static long long topup(const struct harness_server *s, const struct harness_session *f,
                       const char *fields, long status, struct harness_resp *out)
{
    char body[BODY_MAX];
    snprintf(body, sizeof(body), "csrf=%s&%s", f->csrf, fields);
    harness_expect_post(s, T "/famiglie/ricariche", body, f->cookie, status, out);
    if (status != 303)
        return 0;
    const char *loc = harness_header(out, "Location", 0);
    assert_non_null(loc);
    const char *p = strstr(loc, "/ricariche/");
    assert_non_null(p);
    return strtoll(p + strlen("/ricariche/"), NULL, 10);
}

static size_t discard(char *ptr, size_t size, size_t n, void *ud)
{
    (void)ptr;
    (void)ud;
    return size * n;
}

/* POST to a URL of the stand-in (not the server), without following redirects; the Location
   into loc. Returns the status. */
static long standin_post(const char *url, char *loc, size_t locsz)
{
    CURL *h = curl_easy_init();
    assert_non_null(h);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
    assert_int_equal(curl_easy_perform(h), CURLE_OK);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    char *redirect = NULL;
    curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &redirect);
    snprintf(loc, locsz, "%s", redirect ? redirect : "");
    curl_easy_cleanup(h);
    return status;
}

static void test_family_tops_up_and_pays_online(void **state)
{
    struct harness_server *s = *state;
    struct harness_session f;
    family_sign_in(s, ROSSI, &f);
    long long before = rossi_balance(s);
    struct harness_resp r;
    /* "Pay online now" goes straight to pagoPA Checkout. */
    char body[BODY_MAX];
    snprintf(body, sizeof(body), "csrf=%s&amount=5000&action=online", f.csrf);
    harness_expect_post(s, T "/famiglie/ricariche", body, f.cookie, 303, &r);
    char checkout[1024];
    snprintf(checkout, sizeof(checkout), "%s", harness_header(&r, "Location", 0));
    harness_resp_free(&r);
    char prefix[64];
    snprintf(prefix, sizeof(prefix), "http://127.0.0.1:%d/checkout/pay/", pagopa.port);
    assert_int_equal(strncmp(checkout, prefix, strlen(prefix)), 0);
    long long id = harness_db_int(s, "SELECT max(id) FROM payment_position", NULL);
    assert_true(id > 0);
    char path[256], sql_id[32];
    snprintf(sql_id, sizeof(sql_id), "%lld", id);
    const char *const pid[] = {sql_id, NULL};
    assert_int_equal(harness_db_int(s,
                                    "SELECT count(*) FROM payment_position WHERE id = ?1 AND "
                                    "status = 'open' AND amount_cents = 5000 AND "
                                    "notice_number LIKE '302%'",
                                    pid),
                     1);
    /* The position page offers paying online again (a new cart, same position). */
    snprintf(path, sizeof(path), T "/famiglie/ricariche/%lld", id);
    harness_expect_get(s, path, f.cookie, 200, &r);
    assert_true(harness_body_has(&r, "50,00"));
    harness_resp_free(&r);
    snprintf(body, sizeof(body), "csrf=%s", f.csrf);
    snprintf(path, sizeof(path), T "/famiglie/ricariche/%lld/paga", id);
    harness_expect_post(s, path, body, f.cookie, 303, &r);
    snprintf(checkout, sizeof(checkout), "%s", harness_header(&r, "Location", 0));
    harness_resp_free(&r);
    assert_int_equal(strncmp(checkout, prefix, strlen(prefix)), 0);
    /* The family pays on pagoPA's page and is sent back. */
    char pay[1100], back[1024];
    snprintf(pay, sizeof(pay), "%s/paga", checkout);
    assert_int_equal(standin_post(pay, back, sizeof(back)), 303);
    char ok_path[512];
    snprintf(ok_path, sizeof(ok_path), "http://127.0.0.1:%d" T "/famiglie/ricariche/%lld/esito",
             s->port, id);
    assert_int_equal(strncmp(back, ok_path, strlen(ok_path)), 0);
    assert_non_null(strstr(back, "esito=ok"));
    const char *back_path = strstr(back + strlen("http://"), "/");
    harness_expect_get(s, back_path, f.cookie, 303, &r);
    harness_resp_free(&r);
    /* Credited once. */
    assert_int_equal(harness_db_int(s,
                                    "SELECT count(*) FROM payment_position WHERE id = ?1 AND "
                                    "status = 'paid' AND receipt_id <> '' AND "
                                    "returned_ok_at IS NOT NULL",
                                    pid),
                     1);
    assert_int_equal(rossi_balance(s), before + 5000);
    /* The receipt read back again and again: nothing more. */
    harness_expect_get(s, back_path, f.cookie, 303, &r);
    harness_resp_free(&r);
    struct harness_session office;
    harness_sign_in(s, HARNESS_DEMO_TENANT, HARNESS_DEMO_EMAIL, HARNESS_DEMO_PASSWORD, 303,
                    &office);
    harness_expect_get(s, T "/ufficio/pagamenti", office.cookie, 200, &r);
    assert_true(harness_form_input(&r, "csrf", office.csrf, sizeof(office.csrf)));
    harness_resp_free(&r);
    snprintf(body, sizeof(body), "csrf=%s", office.csrf);
    harness_expect_post(s, T "/ufficio/pagamenti/riconcilia", body, office.cookie, 200, &r);
    harness_resp_free(&r);
    assert_int_equal(rossi_balance(s), before + 5000);
    assert_int_equal(harness_db_int(s,
                                    "SELECT count(*) FROM ledger_entry l JOIN payment_position "
                                    "p ON l.ref = 'pagopa:' || p.iuv WHERE p.id = ?1",
                                    pid),
                     1);
    /* The family's page says paid; the statement of payments lists it. */
    snprintf(path, sizeof(path), T "/famiglie/ricariche/%lld", id);
    harness_expect_get(s, path, f.cookie, 200, &r);
    assert_true(harness_body_has(&r, "bg-success"));
    harness_resp_free(&r);
    char out[512];
    const char *const args[] = {"admin", "ledger-check", "--db", s->db_path, NULL};
    assert_int_equal(harness_run_cli(s, args, NULL, out, sizeof(out)), 0);
    assert_non_null(strstr(out, "0 differ"));
}

static void test_notice_and_another_family(void **state)
{
    struct harness_server *s = *state;
    struct harness_session f;
    family_sign_in(s, ROSSI, &f);
    struct harness_resp r;
    long long id = topup(s, &f, "amount=other&other_amount=35%2C50&action=notice", 303, &r);
    harness_resp_free(&r);
    char path[256];
    snprintf(path, sizeof(path), T "/famiglie/ricariche/%lld/avviso.pdf", id);
    harness_expect_get(s, path, f.cookie, 200, &r);
    assert_string_equal(harness_header(&r, "Content-Type", 0), "application/pdf");
    assert_int_equal(memcmp(r.body, "%PDF", 4), 0);
    harness_resp_free(&r);
    char sql_id[32];
    snprintf(sql_id, sizeof(sql_id), "%lld", id);
    const char *const pid[] = {sql_id, NULL};
    assert_int_equal(
        harness_db_int(s, "SELECT amount_cents FROM payment_position WHERE id = ?1", pid), 3550);
    /* Another family: not found, for the page, the notice and paying. */
    struct harness_session other;
    family_sign_in(s, BIANCHI, &other);
    harness_expect_get(s, path, other.cookie, 404, &r);
    harness_resp_free(&r);
    snprintf(path, sizeof(path), T "/famiglie/ricariche/%lld", id);
    harness_expect_get(s, path, other.cookie, 404, &r);
    harness_resp_free(&r);
    char body[256];
    snprintf(body, sizeof(body), "csrf=%s", other.csrf);
    snprintf(path, sizeof(path), T "/famiglie/ricariche/%lld/paga", id);
    harness_expect_post(s, path, body, other.cookie, 404, &r);
    harness_resp_free(&r);
    /* Signed out: to the sign-in. */
    harness_expect_get(s, T "/famiglie/ricariche", NULL, 303, &r);
    harness_resp_free(&r);
}

static void test_bad_amounts_refused_and_kept(void **state)
{
    struct harness_server *s = *state;
    struct harness_session f;
    family_sign_in(s, ROSSI, &f);
    long long before = positions(s);
    static const char *const bad[] = {
        "amount=other&other_amount=abc",
        "amount=other&other_amount=0",
        "amount=other&other_amount=-5%2C00",
        "amount=other&other_amount=12.50",
        "amount=other&other_amount=9999%2C00",
        "amount=other&other_amount=",
        "amount=4242",
        "amount=other&other_amount=5%2C00",
        "amount=other&other_amount=12%2C345",
        "",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct harness_resp r;
        topup(s, &f, bad[i], 422, &r);
        assert_true(harness_body_has(&r, "rf-field-error"));
        harness_resp_free(&r);
    }
    struct harness_resp r;
    topup(s, &f, "amount=other&other_amount=12.50", 422, &r);
    assert_true(harness_body_has(&r, "value=\"12.50\""));
    assert_true(harness_body_has(&r, "id=\"other_amount-error\""));
    harness_resp_free(&r);
    /* Another family's child. */
    long long bianchi_pupil =
        harness_db_int(s, "SELECT id FROM pupil WHERE fiscal_code = '" BIANCHI "'", NULL);
    char fields[128];
    snprintf(fields, sizeof(fields), "amount=2000&pupil=%lld", bianchi_pupil);
    topup(s, &f, fields, 422, &r);
    harness_resp_free(&r);
    assert_int_equal(positions(s), before);
}

static void test_office_payments_and_settings(void **state)
{
    struct harness_server *s = *state;
    struct harness_session office;
    harness_sign_in(s, HARNESS_DEMO_TENANT, HARNESS_DEMO_EMAIL, HARNESS_DEMO_PASSWORD, 303,
                    &office);
    struct harness_resp r;
    harness_expect_get(s, T "/ufficio/pagamenti?stato=paid", office.cookie, 200, &r);
    assert_true(harness_body_has(&r, "Rossi"));
    harness_resp_free(&r);
    harness_expect_get(s, T "/ufficio/pagamenti?stato=nonsense&dal=30/02/2026", office.cookie, 422,
                       &r);
    assert_true(harness_body_has(&r, "id=\"dal-error\""));
    assert_true(harness_body_has(&r, "id=\"stato-error\""));
    harness_resp_free(&r);
    harness_expect_get(s, T "/ufficio/pagamenti/impostazioni", office.cookie, 200, &r);
    assert_true(harness_form_input(&r, "csrf", office.csrf, sizeof(office.csrf)));
    harness_resp_free(&r);
    char body[BODY_MAX];
    snprintf(body, sizeof(body),
             "csrf=%s&segregation_code=2&creditor_iban=IT00X0000&postal_account=12345678&"
             "postal_iban=&cbill_code=&topup_amounts=20%%2C00%%3B+50%%2C00&topup_min=10%%2C00&"
             "topup_max=500%%2C00&due_days=30&thresholds=15%%2C00%%3B+0%%2C00",
             office.csrf);
    harness_expect_post(s, T "/ufficio/pagamenti/impostazioni", body, office.cookie, 422, &r);
    assert_true(harness_body_has(&r, "id=\"creditor_iban-error\""));
    assert_true(harness_body_has(&r, "value=\"IT00X0000\""));
    harness_resp_free(&r);
    assert_int_equal(harness_db_int(s,
                                    "SELECT count(*) FROM payment_settings WHERE topup_amounts "
                                    "= '2000,5000'",
                                    NULL),
                     0);
    /* The same amount twice would leave families with no amounts to pick: refused. */
    snprintf(body, sizeof(body),
             "csrf=%s&segregation_code=2&creditor_iban=IT60X0542811101000000123456&"
             "postal_account=12345678&postal_iban=&cbill_code=AB12C&topup_amounts=20%%2C00%%3B+"
             "20%%2C00&topup_min=10%%2C00&topup_max=500%%2C00&due_days=30&thresholds=15%%2C00",
             office.csrf);
    harness_expect_post(s, T "/ufficio/pagamenti/impostazioni", body, office.cookie, 422, &r);
    assert_true(harness_body_has(&r, "id=\"topup_amounts-error\""));
    harness_resp_free(&r);
    /* Amounts and thresholds in any order are stored sorted. */
    snprintf(body, sizeof(body),
             "csrf=%s&segregation_code=2&creditor_iban=IT60X0542811101000000123456&"
             "postal_account=12345678&postal_iban=&cbill_code=AB12C&topup_amounts=50%%2C00%%3B+"
             "20%%2C00&topup_min=10%%2C00&topup_max=500%%2C00&due_days=30&thresholds=0%%2C00%%3B+"
             "15%%2C00",
             office.csrf);
    harness_expect_post(s, T "/ufficio/pagamenti/impostazioni", body, office.cookie, 200, &r);
    harness_resp_free(&r);
    assert_int_equal(harness_db_int(s,
                                    "SELECT count(*) FROM payment_settings WHERE topup_amounts "
                                    "= '2000,5000' AND alert_thresholds = '1500,0'",
                                    NULL),
                     1);
    assert_true(harness_db_int(s,
                               "SELECT count(*) FROM audit_log WHERE action = "
                               "'payment_settings.save'",
                               NULL) >= 1);
    /* The kitchen has no business here. */
    struct harness_session kitchen;
    harness_sign_in(s, HARNESS_DEMO_TENANT, CUCINA, HARNESS_DEMO_PASSWORD, 303, &kitchen);
    harness_expect_get(s, T "/ufficio/pagamenti", kitchen.cookie, 403, &r);
    harness_resp_free(&r);
    harness_expect_get(s, T "/ufficio/pagamenti/impostazioni", kitchen.cookie, 403, &r);
    harness_resp_free(&r);
    /* The money summary of the back-office home: for the office, not for the kitchen. */
    harness_expect_get(s, T "/ufficio/", kitchen.cookie, 200, &r);
    assert_false(harness_body_has(&r, "href=\"" T "/ufficio/debitori\">"));
    harness_resp_free(&r);
    harness_expect_get(s, T "/ufficio/", office.cookie, 200, &r);
    assert_true(harness_body_has(&r, "href=\"" T "/ufficio/debitori\">"));
    assert_true(
        harness_body_has(&r, "Debito di 3 famiglie")); /* the demo: Esposito, Colombo, Ricci */
    harness_resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_family_tops_up_and_pays_online),
        cmocka_unit_test(test_notice_and_another_family),
        cmocka_unit_test(test_bad_amounts_refused_and_kept),
        cmocka_unit_test(test_office_payments_and_settings),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
