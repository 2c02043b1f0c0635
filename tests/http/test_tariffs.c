/*
 * Tariffs over the real request path and against the demo's database: the office creates a
 * price list (amounts typed the Italian way, stored in cents with every price and an audit
 * entry), a wrong price answers 422 with the message tied to its field and everything typed
 * kept, a list in force cannot be changed (409, nothing written) while a future one can; the
 * kitchen is refused and the catering operator only reads. tariff_for_pupil, called on the
 * server's database, picks the list in force on the meal's day (before and after a new list
 * starts), the ISEE price, the non-resident price and the sibling discount, and answers "no
 * price" without a confirmed enrollment. The family's page shows each child's price and why.
 *
 * The demo seeds the 2026/2027 list (from 2026-09-01) and the 2027/2028 one (from
 * 2027-09-01); the test adds a list from 2027-04-01 through SQL, creates (and changes) one
 * from 2040-09-01 through the form, and asks for prices on fixed days, so it does not depend
 * on today's date beyond 2026-09-01 having passed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "services/tariff.h"
#include "store/db.h"

#define TENANT         HARNESS_DEMO_TENANT
#define T              "/" TENANT
#define BASE           T "/ufficio/tariffe"
#define ADMIN          "admin@comune.esempio.it"
#define KITCHEN        "cucina@ristorazione-esempio.it"
#define OPERATOR       "gestore@ristorazione-esempio.it"
#define ROSSI_LOGIN    "RSSGLI18E62H501A"
#define ROSSI_PASSWORD "Pranzo-Sereno-2026"
#define EURO           " \xe2\x82\xac"

static long long db_int(void **state, const char *sql, const char *p1)
{
    const char *const params[] = {p1, NULL};
    return harness_db_int(*state, sql, params);
}

static void staff(void **state, const char *email, struct harness_session *s)
{
    memset(s, 0, sizeof(*s));
    harness_sign_in(*state, TENANT, email, HARNESS_DEMO_PASSWORD, 303, s);
}

/* GET path as session s, expect 200, keep the page's csrf. */
static void open_page(void **state, const char *path, struct harness_session *s)
{
    struct harness_resp r;
    harness_expect_get(*state, path, s->cookie, 200, &r);
    assert_true(harness_form_input(&r, "csrf", s->csrf, sizeof(s->csrf)));
    harness_resp_free(&r);
}

/* The id of the demo tenant's list starting on valid_from, 0 when there is none. */
static long long list_id(void **state, const char *valid_from)
{
    return db_int(state,
                  "SELECT ifnull(max(l.id), 0) FROM price_list l JOIN tenant t "
                  "ON t.id = l.tenant_id WHERE t.slug = '" TENANT "' AND l.valid_from = ?1",
                  valid_from);
}

/* The form body: a complete list, with band A's primaria price; extra pairs appended. */
static void form_body(void **state, const struct harness_session *s, const char *valid_from,
                      const char *full_primaria, const char *extra, char *out, size_t n)
{
    char band_a[24];
    snprintf(band_a, sizeof(band_a), "%lld",
             db_int(state, "SELECT id FROM isee_band WHERE code = ?1", "A"));
    snprintf(out, n,
             "csrf=%s&valid_from=%s&label=Tariffe+di+prova&vat_rate=4&sibling2=20&sibling3=30"
             "&full_infanzia=4%%2C80&full_primaria=%s&full_secondaria=5%%2C50"
             "&non_resident_primaria=6%%2C90&band_1=%s&isee_primaria_1=2%%2C60%s",
             s->csrf, valid_from, full_primaria, band_a, extra ? extra : "");
}

/* ---- the office --------------------------------------------------------------------------- */

static void test_office_creates_a_list(void **state)
{
    struct harness_session s;
    staff(state, ADMIN, &s);
    struct harness_resp r;
    harness_expect_get(*state, BASE, s.cookie, 200, &r);
    /* The demo's lists, the one in force marked. */
    assert_true(harness_body_has(&r, "01/09/2026"));
    assert_true(harness_body_has(&r, "01/09/2027"));
    assert_true(harness_body_has(&r, "5,10" EURO));
    assert_true(harness_body_has(&r, "rf-tariff-current"));
    harness_resp_free(&r);
    /* The new form is prefilled from the list in force. */
    harness_expect_get(*state, BASE "/nuova", s.cookie, 200, &r);
    assert_true(harness_body_has(&r, "name=\"full_primaria\" value=\"5,10\""));
    assert_true(harness_form_input(&r, "csrf", s.csrf, sizeof(s.csrf)));
    harness_resp_free(&r);

    long long audits =
        db_int(state, "SELECT count(*) FROM audit_log WHERE action = ?1", "price_list.create");
    char body[2048];
    form_body(state, &s, "01%2F09%2F2040", "5%2C40", NULL, body, sizeof(body));
    harness_expect_post(*state, BASE "/nuova", body, s.cookie, 303, &r);
    long long id = list_id(state, "2040-09-01");
    assert_true(id > 0);
    char where[128];
    snprintf(where, sizeof(where), BASE "/%lld?esito=creato", id);
    assert_string_equal(harness_header(&r, "Location", 0), where);
    harness_resp_free(&r);
    char ids[24];
    snprintf(ids, sizeof(ids), "%lld", id);
    assert_int_equal(db_int(state, "SELECT count(*) FROM price_item WHERE price_list_id = ?1", ids),
                     5);
    assert_int_equal(db_int(state,
                            "SELECT price_cents FROM price_item WHERE price_list_id = ?1 AND "
                            "school_kind = 'primaria' AND category = 'full'",
                            ids),
                     540);
    assert_int_equal(db_int(state,
                            "SELECT price_cents FROM price_item WHERE price_list_id = ?1 AND "
                            "category = 'isee'",
                            ids),
                     260);
    assert_int_equal(db_int(state,
                            "SELECT sibling2_bp * 100000 + sibling3_bp * 10 + (vat_rate_bp = 400) "
                            "FROM price_list WHERE id = ?1",
                            ids),
                     2000LL * 100000 + 3000 * 10 + 1);
    assert_int_equal(
        db_int(state, "SELECT count(*) FROM audit_log WHERE action = ?1", "price_list.create"),
        audits + 1);
    /* Its page, with the change button (it has not started). */
    snprintf(where, sizeof(where), BASE "/%lld", id);
    harness_expect_get(*state, where, s.cookie, 200, &r);
    assert_true(harness_body_has(&r, "5,40" EURO));
    assert_true(harness_body_has(&r, "2,60" EURO));
    assert_true(harness_body_has(&r, "/modifica\""));
    harness_resp_free(&r);
    /* A second list on the same day is refused next to the date. */
    open_page(state, BASE "/nuova", &s);
    form_body(state, &s, "2040-09-01", "5%2C40", NULL, body, sizeof(body));
    harness_expect_post(*state, BASE "/nuova", body, s.cookie, 422, &r);
    assert_true(harness_body_has(&r, "valid_from-error"));
    harness_resp_free(&r);
    /* A list starting today or earlier is refused: past meals keep their price. */
    form_body(state, &s, "2026-10-01", "5%2C40", NULL, body, sizeof(body));
    harness_expect_post(*state, BASE "/nuova", body, s.cookie, 422, &r);
    assert_true(harness_body_has(&r, "valid_from-error"));
    harness_resp_free(&r);
    assert_int_equal(list_id(state, "2026-10-01"), 0);
}

static void test_field_error_keeps_what_was_typed(void **state)
{
    struct harness_session s;
    staff(state, ADMIN, &s);
    open_page(state, BASE "/nuova", &s);
    long long before = db_int(state, "SELECT count(*) FROM price_list", NULL);
    char body[2048];
    /* "5.10": the dot only separates thousands; a negative price. */
    form_body(state, &s, "2041-09-01", "5.10", "&isee_infanzia_1=-1&non_resident_infanzia=6%2C20",
              body, sizeof(body));
    struct harness_resp r;
    harness_expect_post(*state, BASE "/nuova", body, s.cookie, 422, &r);
    assert_true(harness_body_has(&r, "id=\"full_primaria\" name=\"full_primaria\" value=\"5.10\""));
    assert_true(harness_body_has(&r, "full_primaria-error"));
    assert_true(harness_body_has(&r, "isee_infanzia_1-error"));
    assert_true(harness_body_has(&r, "name=\"isee_infanzia_1\" value=\"-1\""));
    assert_false(harness_body_has(&r, "full_infanzia-error"));
    /* Everything else typed is still there. */
    assert_true(harness_body_has(&r, "value=\"2041-09-01\""));
    assert_true(harness_body_has(&r, "value=\"Tariffe di prova\""));
    assert_true(harness_body_has(&r, "name=\"full_infanzia\" value=\"4,80\""));
    assert_true(harness_body_has(&r, "name=\"non_resident_infanzia\" value=\"6,20\""));
    assert_true(harness_body_has(&r, "name=\"isee_primaria_1\" value=\"2,60\""));
    assert_true(harness_body_has(&r, "name=\"sibling2\" value=\"20\""));
    harness_resp_free(&r);
    /* A missing full price is refused too. */
    form_body(state, &s, "2041-09-01", "", NULL, body, sizeof(body));
    harness_expect_post(*state, BASE "/nuova", body, s.cookie, 422, &r);
    assert_true(harness_body_has(&r, "full_primaria-error"));
    harness_resp_free(&r);
    assert_int_equal(db_int(state, "SELECT count(*) FROM price_list", NULL), before);
}

static void test_list_in_force_cannot_change(void **state)
{
    struct harness_session s;
    staff(state, ADMIN, &s);
    /* The demo's list in force, and the one test_office_creates_a_list made for 2040. */
    long long current = list_id(state, "2026-09-01"), future = list_id(state, "2040-09-01");
    assert_true(current > 0 && future > 0);
    char path[128], body[2048];
    struct harness_resp r;
    /* In force: no form, and a POST writes nothing. */
    snprintf(path, sizeof(path), BASE "/%lld/modifica", current);
    harness_expect_get(*state, path, s.cookie, 409, &r);
    harness_resp_free(&r);
    open_page(state, BASE "/nuova", &s);
    form_body(state, &s, "2042-09-01", "9%2C99", NULL, body, sizeof(body));
    harness_expect_post(*state, path, body, s.cookie, 409, &r);
    harness_resp_free(&r);
    char ids[24];
    snprintf(ids, sizeof(ids), "%lld", current);
    assert_int_equal(db_int(state,
                            "SELECT price_cents FROM price_item WHERE price_list_id = ?1 AND "
                            "school_kind = 'primaria' AND category = 'full'",
                            ids),
                     510);
    assert_int_equal(list_id(state, "2042-09-01"), 0);
    /* Not yet in force: changed, every price replaced, audit-logged. */
    long long audits =
        db_int(state, "SELECT count(*) FROM audit_log WHERE action = ?1", "price_list.update");
    snprintf(path, sizeof(path), BASE "/%lld/modifica", future);
    harness_expect_get(*state, path, s.cookie, 200, &r);
    assert_true(harness_body_has(&r, "name=\"full_primaria\" value=\"5,40\""));
    assert_true(harness_body_has(&r, "value=\"2040-09-01\""));
    assert_true(harness_form_input(&r, "csrf", s.csrf, sizeof(s.csrf)));
    harness_resp_free(&r);
    form_body(state, &s, "2040-09-02", "5%2C35", NULL, body, sizeof(body));
    harness_expect_post(*state, path, body, s.cookie, 303, &r);
    harness_resp_free(&r);
    assert_int_equal(list_id(state, "2040-09-02"), future);
    snprintf(ids, sizeof(ids), "%lld", future);
    assert_int_equal(db_int(state,
                            "SELECT price_cents FROM price_item WHERE price_list_id = ?1 AND "
                            "school_kind = 'primaria' AND category = 'full'",
                            ids),
                     535);
    assert_int_equal(
        db_int(state, "SELECT count(*) FROM audit_log WHERE action = ?1", "price_list.update"),
        audits + 1);
}

static void test_roles(void **state)
{
    struct harness_session s;
    struct harness_resp r;
    staff(state, KITCHEN, &s);
    harness_expect_get(*state, BASE, s.cookie, 403, &r);
    harness_resp_free(&r);
    harness_expect_get(*state, BASE "/nuova", s.cookie, 403, &r);
    harness_resp_free(&r);
    /* The catering operator reads, without the buttons, and cannot write. */
    staff(state, OPERATOR, &s);
    harness_expect_get(*state, BASE, s.cookie, 200, &r);
    assert_true(harness_body_has(&r, "5,10" EURO));
    assert_false(harness_body_has(&r, BASE "/nuova\""));
    harness_resp_free(&r);
    char path[128];
    snprintf(path, sizeof(path), BASE "/%lld", list_id(state, "2040-09-02"));
    harness_expect_get(*state, path, s.cookie, 200, &r);
    assert_false(harness_body_has(&r, "/modifica\""));
    harness_resp_free(&r);
    harness_expect_get(*state, BASE "/nuova", s.cookie, 403, &r);
    harness_resp_free(&r);
}

/* ---- tariff_for_pupil ----------------------------------------------------------------------- */

struct priced {
    int rc;
    struct tariff_quote q;
};

static struct priced price(void **state, const char *pupil_sql, const char *arg, const char *day)
{
    const struct harness_server *srv = *state;
    long long pupil = db_int(state, pupil_sql, arg);
    long long tenant = db_int(state, "SELECT id FROM tenant WHERE slug = ?1", TENANT);
    assert_true(pupil > 0 && tenant > 0);
    char err[256];
    struct db_open_opts opts = {.read_only = true};
    struct db *db = db_open(srv->db_path, &opts, err, sizeof(err));
    assert_non_null(db);
    struct priced p;
    p.rc = tariff_for_pupil(db, tenant, pupil, day, &p.q);
    db_close(db);
    return p;
}

#define BY_CF   "SELECT id FROM pupil WHERE fiscal_code = ?1"
#define BY_NAME "SELECT id FROM pupil WHERE name || ' ' || surname = ?1"

static void test_price_follows_the_list_in_force(void **state)
{
    /* A list from 2027-04-01 with every 2026/2027 price one euro dearer. */
    const char *const none[] = {NULL};
    long long id = harness_db_write_int(
        *state,
        "INSERT INTO price_list (tenant_id, valid_from, label, vat_rate_bp, sibling2_bp, "
        "sibling3_bp, created_at) SELECT tenant_id, '2027-04-01', 'Aprile', vat_rate_bp, "
        "sibling2_bp, sibling3_bp, created_at FROM price_list WHERE valid_from = '2026-09-01' "
        "RETURNING id",
        none);
    assert_true(id > 0);
    char sql[512];
    snprintf(sql, sizeof(sql),
             "INSERT INTO price_item (price_list_id, school_kind, category, isee_band_id, "
             "price_cents) SELECT %lld, school_kind, category, isee_band_id, price_cents + 100 "
             "FROM price_item WHERE price_list_id = (SELECT id FROM price_list WHERE valid_from "
             "= '2026-09-01') RETURNING 1",
             id);
    assert_true(harness_db_write_int(*state, sql, none) == 1);

    struct priced before = price(state, BY_CF, ROSSI_LOGIN, "2027-03-31");
    assert_int_equal(before.rc, 0);
    assert_int_equal(before.q.price_cents, 510);
    assert_int_equal(before.q.net_cents, 490);
    assert_int_equal(before.q.vat_cents, 20);
    assert_int_equal(before.q.vat_rate_bp, 400);
    assert_string_equal(before.q.valid_from, "2026-09-01");
    assert_int_equal(before.q.sibling_rank, 1);
    struct priced after = price(state, BY_CF, ROSSI_LOGIN, "2027-04-01");
    assert_int_equal(after.rc, 0);
    assert_int_equal(after.q.price_cents, 610);
    assert_int_equal(after.q.price_list_id, id);
    assert_string_equal(after.q.valid_from, "2027-04-01");
    /* Next school year, next list: Emma Lombardi's 2027/2028 enrollment in primaria. */
    struct priced next = price(state, BY_NAME, "Emma Lombardi", "2027-09-20");
    assert_int_equal(next.rc, 0);
    assert_int_equal(next.q.price_cents, 525);
    assert_string_equal(next.q.valid_from, "2027-09-01");
    /* Before any list, and outside the school year: no price. */
    assert_int_equal(price(state, BY_CF, ROSSI_LOGIN, "2026-08-31").rc, 1);
    assert_int_equal(price(state, BY_CF, ROSSI_LOGIN, "2027-07-15").rc, 1);
    /* Only a submitted application: no price. */
    assert_int_equal(price(state, BY_NAME, "Tommaso Colombo", "2027-09-20").rc, 1);
    /* A malformed day is an error, not a price. */
    assert_int_equal(price(state, BY_CF, ROSSI_LOGIN, "2027-02-30").rc, -1);
}

static void test_price_isee_non_resident_siblings(void **state)
{
    /* Matteo Esposito: primaria, ISEE band B. */
    struct priced isee = price(state, BY_CF, "SPSMTT17B11F839K", "2027-01-15");
    assert_int_equal(isee.rc, 0);
    assert_int_equal(isee.q.price_cents, 370);
    assert_true(isee.q.resident);
    assert_int_equal(isee.q.nreasons, 2);
    assert_int_equal(isee.q.reasons[1].kind, TARIFF_REASON_ISEE);
    assert_int_equal(isee.q.reasons[1].isee_band_id,
                     db_int(state, "SELECT id FROM isee_band WHERE code = ?1", "B"));
    /* Sofia Ferri: primaria, non-resident. */
    struct priced nonres = price(state, BY_CF, "FRRSFO19T41F205D", "2027-01-15");
    assert_int_equal(nonres.rc, 0);
    assert_int_equal(nonres.q.price_cents, 660);
    assert_false(nonres.q.resident);
    assert_int_equal(nonres.q.reasons[1].kind, TARIFF_REASON_NON_RESIDENT);
    /* Luca Rossi, born after Giulia: second child, infanzia 4,60 - 20%. */
    struct priced second = price(state, BY_CF, "RSSLCU21P03H501G", "2027-01-15");
    assert_int_equal(second.rc, 0);
    assert_int_equal(second.q.sibling_rank, 2);
    assert_int_equal(second.q.price_cents, 368);
    assert_int_equal(second.q.reasons[1].kind, TARIFF_REASON_SIBLING);
    assert_int_equal(second.q.reasons[1].amount_cents, -92);
    /* Giulia stays the first child. */
    assert_int_equal(price(state, BY_CF, ROSSI_LOGIN, "2027-01-15").q.sibling_rank, 1);
}

/* ---- the family's page -------------------------------------------------------------------- */

static void test_family_sees_its_price(void **state)
{
    struct harness_session s;
    memset(&s, 0, sizeof(s));
    struct harness_resp r;
    harness_expect_get(*state, T "/famiglie/accedi", NULL, 200, &r);
    char sid[HARNESS_TOKEN_MAX];
    if (harness_cookie_value(&r, "sid", sid, sizeof(sid)))
        harness_session_set_sid(&s, sid);
    assert_true(harness_form_input(&r, "csrf", s.csrf, sizeof(s.csrf)));
    harness_resp_free(&r);
    char body[512];
    snprintf(body, sizeof(body), "csrf=%s&login=%s&password=%s", s.csrf, ROSSI_LOGIN,
             ROSSI_PASSWORD);
    harness_expect_post(*state, T "/famiglie/accedi", body, s.cookie, 303, &r);
    assert_true(harness_cookie_value(&r, "sid", sid, sizeof(sid)));
    harness_session_set_sid(&s, sid);
    harness_resp_free(&r);
    /* The home links to the page. */
    harness_expect_get(*state, T "/famiglie/", s.cookie, 200, &r);
    assert_true(harness_body_has(&r, T "/famiglie/tariffa\""));
    harness_resp_free(&r);
    harness_expect_get(*state, T "/famiglie/tariffa?giorno=2027-01-15", s.cookie, 200, &r);
    assert_true(harness_body_has(&r, "Giulia Rossi"));
    assert_true(harness_body_has(&r, "Luca Rossi"));
    assert_true(harness_body_has(&r, "<strong>5,10" EURO "</strong>"));
    assert_true(harness_body_has(&r, "<strong>3,68" EURO "</strong>"));
    assert_true(harness_body_has(&r, "4,90" EURO)); /* 5,10 net of 4% VAT */
    assert_true(harness_body_has(&r, "0,20" EURO));
    assert_true(harness_body_has(&r, "01/09/2026"));
    /* Why: the full price of each school and the second child's discount. */
    assert_true(harness_body_has(&r, "4,60" EURO));
    assert_true(harness_body_has(&r, "20%"));
    assert_true(harness_body_has(&r, "-0,92" EURO));
    harness_resp_free(&r);
    /* In the summer there is no confirmed enrollment: no price, said plainly. */
    harness_expect_get(*state, T "/famiglie/tariffa?giorno=2027-07-15", s.cookie, 200, &r);
    assert_false(harness_body_has(&r, "<strong>5,10"));
    assert_true(harness_body_has(&r, "Giulia Rossi"));
    harness_resp_free(&r);
    /* A wrong day is a field error, and the page still answers with today. */
    harness_expect_get(*state, T "/famiglie/tariffa?giorno=31-02-2027", s.cookie, 422, &r);
    assert_true(harness_body_has(&r, "giorno-error"));
    harness_resp_free(&r);
    /* Signed out: to the sign-in. */
    harness_expect_get(*state, T "/famiglie/tariffa", NULL, 303, &r);
    harness_resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_office_creates_a_list),
        cmocka_unit_test(test_field_error_keeps_what_was_typed),
        cmocka_unit_test(test_list_in_force_cannot_change),
        cmocka_unit_test(test_roles),
        cmocka_unit_test(test_price_follows_the_list_in_force),
        cmocka_unit_test(test_price_isee_non_resident_siblings),
        cmocka_unit_test(test_family_sees_its_price),
    };
    return cmocka_run_group_tests(tests, harness_group_setup, harness_group_teardown);
}
