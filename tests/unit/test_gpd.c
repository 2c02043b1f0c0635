/* Unit tests for the pagoPA GPD and Checkout client (src/integrations/pagopa/gpd.h), against
   the pagoPA stand-in (src/standins/pagopa.h) running in this process on loopback: create and
   read back, 404, idempotent and conflicting creates, retries after 5xx and timeouts, answers
   that are not the spec's JSON, a wrong API key, input refused before anything is sent, the
   paid list with paging, payments made through the hooks, the Checkout cart and the payer's
   pages (driven with libcurl like a browser without JavaScript), the confirmation delay and
   the stand-in's persistence across a restart. */
#include <curl/curl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "integrations/pagopa/gpd.h"
#include "standins/pagopa.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/time.h"

#define ORG_CF        "00000000000"
#define API_KEY       "test-subscription-key"
#define RETURN_OK     "http://127.0.0.1:9/esempio/pagamenti/esito?ok=1"
#define RETURN_CANCEL "http://127.0.0.1:9/esempio/pagamenti/esito?annullato=1"
#define RETURN_ERROR  "http://127.0.0.1:9/esempio/pagamenti/esito?errore=1"

struct fixture {
    char dir[64];
    struct pagopa_standin *s;
    char base[128];
    char checkout[128];
    struct gpd_config c;
};

static int next_id; /* IUPDs and IUVs never repeat within a run */

static struct pagopa_standin *start(struct fixture *f, const char *dir, int delay)
{
    struct pagopa_standin_opts o = {
        .dir = dir, .port = 0, .api_key = API_KEY, .confirm_delay_seconds = delay};
    char err[256];
    struct pagopa_standin *s = pagopa_standin_start(&o, err, sizeof(err));
    if (!s)
        fprintf(stderr, "# %s\n", err);
    assert_non_null(s);
    f->s = s;
    snprintf(f->base, sizeof(f->base), "http://127.0.0.1:%d/gpd/debt-positions-service/v1",
             pagopa_standin_port(s));
    snprintf(f->checkout, sizeof(f->checkout), "http://127.0.0.1:%d/checkout/ec/v1",
             pagopa_standin_port(s));
    f->c = (struct gpd_config){.base_url = f->base,
                               .api_key = API_KEY,
                               .connect_timeout_ms = 500,
                               .timeout_ms = 400,
                               .max_attempts = 3,
                               .backoff_ms = 20};
    return s;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    log_set_quiet(1);
    start(f, NULL, 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    pagopa_standin_stop(f->s);
    time_set_fake(0);
    if (f->dir[0]) {
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
        assert_int_equal(system(cmd), 0);
    }
    free(f);
    return 0;
}

/* A position of the demo municipality; iupd and iuv (17 digits) fresh for each call. */
struct new_position {
    char iupd[GPD_ID_MAX], iuv[GPD_ID_MAX], nav[GPD_ID_MAX + 1];
    struct gpd_position_new p;
};

static void new_position(struct new_position *n, int64_t cents)
{
    int id = ++next_id;
    snprintf(n->iupd, sizeof(n->iupd), "REF-%d-%06d", (int)getpid() % 1000, id);
    snprintf(n->iuv, sizeof(n->iuv), "02%015d", id);
    snprintf(n->nav, sizeof(n->nav), "3%s", n->iuv);
    n->p = (struct gpd_position_new){
        .org_fiscal_code = ORG_CF,
        .company_name = "Comune di Esempio",
        .iupd = n->iupd,
        .iuv = n->iuv,
        .debtor_fiscal_code = "RSSMRA80A01H501U",
        .debtor_name = "Mario Rossi",
        .debtor_email = "mario.rossi@example.org",
        .amount_cents = cents,
        .description = "Ricarica mensa scolastica",
        .due_date = "2030-12-22T22:59:59Z",
        .iban = "IT60X0542811101000000123456",
        .postal_iban = "",
        .category = "9/0101108TS/",
    };
}

/* ---- a small HTTP client, as a browser without JavaScript ---- */

struct http_result {
    long status;
    char location[1024];
    struct buf body;
};

static size_t on_body(char *d, size_t size, size_t n, void *u)
{
    buf_append(u, d, size * n);
    return size * n;
}

static void http(const char *method, const char *url, const char *form, struct http_result *r)
{
    buf_init(&r->body, 1024 * 1024);
    r->location[0] = '\0';
    CURL *h = curl_easy_init();
    assert_non_null(h);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 3000L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &r->body);
    if (form)
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, form);
    assert_int_equal(curl_easy_perform(h), CURLE_OK);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
    char *loc = NULL;
    if (curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK && loc)
        snprintf(r->location, sizeof(r->location), "%s", loc);
    curl_easy_cleanup(h);
}

/* ---- create, read, idempotency ---- */

static void test_create_and_get(void **state)
{
    struct fixture *f = *state;
    struct new_position n;
    new_position(&n, 1250);
    struct gpd_position got;
    char err[256] = "";
    assert_int_equal(gpd_create(&f->c, &n.p, &got, err, sizeof(err)), GPD_OK);
    assert_string_equal(got.iupd, n.iupd);
    assert_string_equal(got.iuv, n.iuv);
    assert_string_equal(got.nav, n.nav);
    assert_int_equal(got.amount_cents, 1250);
    assert_string_equal(got.status, "VALID"); /* published */
    assert_string_equal(got.option_status, "PO_UNPAID");
    assert_string_equal(got.due_date, "2030-12-22T22:59:59Z");
    assert_false(got.paid);
    assert_string_equal(got.receipt_id, "");
    assert_int_equal(pagopa_standin_creates(f->s), 1);

    struct gpd_position back;
    assert_int_equal(gpd_get(&f->c, ORG_CF, n.iupd, &back, err, sizeof(err)), GPD_OK);
    assert_string_equal(back.iupd, n.iupd);
    assert_string_equal(back.iuv, n.iuv);
    assert_int_equal(back.amount_cents, 1250);
    assert_string_equal(back.status, "VALID");
    assert_false(back.paid);
}

static void test_get_unknown_is_not_found(void **state)
{
    struct fixture *f = *state;
    struct gpd_position got;
    char err[256] = "";
    assert_int_equal(gpd_get(&f->c, ORG_CF, "NO-SUCH-IUPD", &got, err, sizeof(err)), GPD_NOT_FOUND);
    assert_non_null(strstr(err, "404"));
    assert_int_equal(pagopa_standin_requests(f->s), 1); /* 404 is final: no retry */
}

static void test_create_twice_is_one_position(void **state)
{
    struct fixture *f = *state;
    struct new_position n;
    new_position(&n, 3000);
    struct gpd_position a, b;
    char err[256] = "";
    assert_int_equal(gpd_create(&f->c, &n.p, &a, err, sizeof(err)), GPD_OK);
    assert_int_equal(gpd_create(&f->c, &n.p, &b, err, sizeof(err)), GPD_OK);
    assert_int_equal(pagopa_standin_creates(f->s), 1);
    assert_int_equal(pagopa_standin_requests(f->s), 3); /* POST 201, POST 409 + GET */
    assert_string_equal(b.iupd, n.iupd);
    assert_string_equal(b.iuv, n.iuv);
    assert_int_equal(b.amount_cents, 3000);
}

static void test_create_conflict(void **state)
{
    struct fixture *f = *state;
    struct new_position n;
    new_position(&n, 3000);
    char err[256] = "";
    struct gpd_position got;
    assert_int_equal(gpd_create(&f->c, &n.p, NULL, err, sizeof(err)), GPD_OK);
    /* Same IUPD, another amount: GPD holds a different position. */
    n.p.amount_cents = 3100;
    assert_int_equal(gpd_create(&f->c, &n.p, &got, err, sizeof(err)), GPD_CONFLICT);
    assert_non_null(strstr(err, n.iupd));
    assert_string_equal(got.iupd, ""); /* out is cleared on failure */
    /* Same IUPD, another IUV. */
    n.p.amount_cents = 3000;
    n.p.iuv = "02999999999999999";
    assert_int_equal(gpd_create(&f->c, &n.p, NULL, err, sizeof(err)), GPD_CONFLICT);
    /* Another IUPD reusing the IUV: GPD refuses with 409 and our IUPD does not exist. */
    struct new_position m;
    new_position(&m, 3000);
    m.p.iuv = n.iuv;
    assert_int_equal(gpd_create(&f->c, &m.p, NULL, err, sizeof(err)), GPD_CONFLICT);
    assert_int_equal(pagopa_standin_creates(f->s), 1);
}

/* ---- transient failures ---- */

static void test_retry_after_500(void **state)
{
    struct fixture *f = *state;
    struct new_position n;
    new_position(&n, 500);
    pagopa_standin_fail_next(f->s, 500, 1);
    char err[256] = "";
    assert_int_equal(gpd_create(&f->c, &n.p, NULL, err, sizeof(err)), GPD_OK);
    assert_int_equal(pagopa_standin_creates(f->s), 1);
    assert_int_equal(pagopa_standin_requests(f->s), 2);
    /* 429 is transient too. */
    pagopa_standin_fail_next(f->s, 429, 2);
    assert_int_equal(gpd_get(&f->c, ORG_CF, n.iupd, NULL, err, sizeof(err)), GPD_OK);
    assert_int_equal(pagopa_standin_requests(f->s), 5);
}

static void test_all_attempts_503(void **state)
{
    struct fixture *f = *state;
    struct new_position n;
    new_position(&n, 500);
    pagopa_standin_fail_next(f->s, 503, 10);
    char err[256] = "";
    assert_int_equal(gpd_create(&f->c, &n.p, NULL, err, sizeof(err)), GPD_UNAVAILABLE);
    assert_int_equal(pagopa_standin_requests(f->s), 3); /* max_attempts */
    assert_int_equal(pagopa_standin_creates(f->s), 0);
    assert_non_null(strstr(err, "503"));
    assert_non_null(strstr(err, "injected")); /* the ProblemJson detail */
    /* A 400 is final: one request. */
    pagopa_standin_fail_next(f->s, 400, 10);
    assert_int_equal(gpd_get(&f->c, ORG_CF, n.iupd, NULL, err, sizeof(err)), GPD_REFUSED);
    assert_int_equal(pagopa_standin_requests(f->s), 4);
    pagopa_standin_fail_next(f->s, 0, 0);
}

static void test_stall_longer_than_timeout(void **state)
{
    struct fixture *f = *state;
    struct new_position n;
    new_position(&n, 700);
    char err[256] = "";
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pagopa_standin_stall_next(f->s, 2000, 3);
    assert_int_equal(gpd_get(&f->c, ORG_CF, n.iupd, NULL, err, sizeof(err)), GPD_UNAVAILABLE);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    assert_true(ms >= 3 * 400 && ms < 1900); /* three timed-out attempts, not one long wait */
    assert_non_null(strstr(err, "imeout"));
}

static void test_timed_out_create_is_not_duplicated(void **state)
{
    struct fixture *f = *state;
    struct new_position n;
    new_position(&n, 800);
    char err[256] = "";
    struct gpd_position got;
    /* The first attempt times out on our side but GPD still creates the position; whichever
       answer the retry gets (201, or 409 and the same position), the result is one position. */
    pagopa_standin_stall_next(f->s, 500, 1);
    assert_int_equal(gpd_create(&f->c, &n.p, &got, err, sizeof(err)), GPD_OK);
    assert_string_equal(got.iuv, n.iuv);
    usleep(400 * 1000); /* let the stalled request finish */
    assert_int_equal(pagopa_standin_creates(f->s), 1);
    assert_int_equal(gpd_get(&f->c, ORG_CF, n.iupd, NULL, err, sizeof(err)), GPD_OK);
}

static void test_malformed_answer(void **state)
{
    struct fixture *f = *state;
    struct new_position n;
    new_position(&n, 900);
    char err[256] = "";
    struct gpd_position got;
    /* The create is done but its answer is garbage: MALFORMED, and a later create of the same
       position is recognised through 409. */
    pagopa_standin_malformed_next(f->s, 1);
    assert_int_equal(gpd_create(&f->c, &n.p, &got, err, sizeof(err)), GPD_MALFORMED);
    assert_int_equal(pagopa_standin_requests(f->s), 1); /* not retried */
    assert_string_equal(got.iupd, "");
    assert_int_equal(gpd_create(&f->c, &n.p, &got, err, sizeof(err)), GPD_OK);
    assert_int_equal(pagopa_standin_creates(f->s), 1);
    pagopa_standin_malformed_next(f->s, 1);
    assert_int_equal(gpd_get(&f->c, ORG_CF, n.iupd, &got, err, sizeof(err)), GPD_MALFORMED);
    assert_non_null(strstr(err, "not JSON"));
}

static void test_wrong_key_is_refused(void **state)
{
    struct fixture *f = *state;
    struct new_position n;
    new_position(&n, 900);
    char err[256] = "";
    struct gpd_config c = f->c;
    c.api_key = "wrong-key";
    assert_int_equal(gpd_create(&c, &n.p, NULL, err, sizeof(err)), GPD_REFUSED);
    assert_non_null(strstr(err, "401"));
    assert_null(strstr(err, "wrong-key"));
    c.api_key = NULL;
    assert_int_equal(gpd_get(&c, ORG_CF, n.iupd, NULL, err, sizeof(err)), GPD_REFUSED);
    assert_int_equal(pagopa_standin_requests(f->s), 2); /* final, no retries */
    assert_int_equal(pagopa_standin_creates(f->s), 0);
}

static void test_invalid_input_sends_nothing(void **state)
{
    struct fixture *f = *state;
    char err[256] = "";
    char long_text[200];
    memset(long_text, 'x', 141);
    long_text[141] = '\0';
    struct new_position n;
    struct {
        const char **field;
        const char *value;
    } bad[] = {
        {&n.p.org_fiscal_code, "0000000000"},
        {&n.p.org_fiscal_code, "0000000000A"},
        {&n.p.company_name, ""},
        {&n.p.company_name, long_text},
        {&n.p.iupd, NULL},
        {&n.p.iupd, "a/b"},
        {&n.p.iupd, ".."},
        {&n.p.iuv, ""},
        {&n.p.iuv, "0200-01"},
        {&n.p.debtor_fiscal_code, ""},
        {&n.p.debtor_name, NULL},
        {&n.p.debtor_email, "no-at-sign"},
        {&n.p.description, ""},
        {&n.p.description, long_text},
        {&n.p.description, "two\nlines"},
        {&n.p.due_date, "2030-12-22"},
        {&n.p.due_date, "2030-02-30T10:00:00Z"},
        {&n.p.iban, "IT60 X054"},
        {&n.p.iban, NULL},
        {&n.p.postal_iban, "IT-60"},
        {&n.p.category, ""},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        new_position(&n, 100);
        *bad[i].field = bad[i].value;
        err[0] = '\0';
        if (gpd_create(&f->c, &n.p, NULL, err, sizeof(err)) != GPD_INVALID)
            fprintf(stderr, "# case %zu was not refused\n", i);
        assert_int_equal(gpd_create(&f->c, &n.p, NULL, err, sizeof(err)), GPD_INVALID);
        assert_true(strlen(err) > 0);
    }
    new_position(&n, 0);
    assert_int_equal(gpd_create(&f->c, &n.p, NULL, err, sizeof(err)), GPD_INVALID);
    new_position(&n, -500);
    assert_int_equal(gpd_create(&f->c, &n.p, NULL, err, sizeof(err)), GPD_INVALID);
    assert_int_equal(gpd_get(&f->c, "123", "X", NULL, err, sizeof(err)), GPD_INVALID);
    assert_int_equal(gpd_get(&f->c, ORG_CF, "a b", NULL, err, sizeof(err)), GPD_INVALID);
    struct gpd_position page[GPD_PAGE_LIMIT_MAX + 1];
    size_t got;
    int pages;
    assert_int_equal(
        gpd_list_paid(&f->c, ORG_CF, "2026-13-01", 0, 10, page, 10, &got, &pages, err, sizeof(err)),
        GPD_INVALID);
    assert_int_equal(
        gpd_list_paid(&f->c, ORG_CF, "2026-11-01", 0, 51, page, 51, &got, &pages, err, sizeof(err)),
        GPD_INVALID);
    assert_int_equal(
        gpd_list_paid(&f->c, ORG_CF, "2026-11-01", 0, 10, page, 5, &got, &pages, err, sizeof(err)),
        GPD_INVALID);
    struct gpd_config c = f->c;
    c.base_url = "ftp://127.0.0.1/";
    new_position(&n, 100);
    assert_int_equal(gpd_create(&c, &n.p, NULL, err, sizeof(err)), GPD_INVALID);
    c = f->c;
    c.api_key = "key\r\nX-Injected: 1";
    assert_int_equal(gpd_create(&c, &n.p, NULL, err, sizeof(err)), GPD_INVALID);
    assert_int_equal(pagopa_standin_requests(f->s), 0);
}

/* ---- payments ---- */

static void test_pay_hook_then_get_shows_paid(void **state)
{
    struct fixture *f = *state;
    struct new_position n;
    new_position(&n, 4500);
    char err[256] = "";
    assert_int_equal(gpd_create(&f->c, &n.p, NULL, err, sizeof(err)), GPD_OK);
    assert_int_equal(pagopa_standin_pay(f->s, ORG_CF, n.iupd, 0), 0);
    assert_int_equal(pagopa_standin_pay(f->s, ORG_CF, n.iupd, 0), 1);
    assert_int_equal(pagopa_standin_pay(f->s, ORG_CF, "NO-SUCH", 0), -1);
    struct gpd_position got;
    assert_int_equal(gpd_get(&f->c, ORG_CF, n.iupd, &got, err, sizeof(err)), GPD_OK);
    assert_true(got.paid);
    assert_string_equal(got.status, "PAID");
    assert_string_equal(got.option_status, "PO_PAID");
    assert_int_equal(got.amount_cents, 4500);
    assert_int_equal(strlen(got.receipt_id), 32);
    assert_string_equal(got.psp_company, "Banca Demo");
    assert_string_equal(got.payment_method, "CP");
    assert_int_equal(strlen(got.payment_date), 20); /* 2026-11-22T10:32:58Z */
    assert_int_equal(got.payment_date[19], 'Z');

    /* A payment of another amount is reported as such. */
    struct new_position m;
    new_position(&m, 4500);
    assert_int_equal(gpd_create(&f->c, &m.p, NULL, err, sizeof(err)), GPD_OK);
    assert_int_equal(pagopa_standin_pay(f->s, ORG_CF, m.iupd, 4000), 0);
    assert_int_equal(gpd_get(&f->c, ORG_CF, m.iupd, &got, err, sizeof(err)), GPD_OK);
    assert_true(got.paid);
    assert_int_equal(got.amount_cents, 4000);
}

static void test_list_paid_with_paging(void **state)
{
    struct fixture *f = *state;
    char err[256] = "", today[TIME_ISO_MAX];
    time_now_iso(today);
    struct new_position n[5];
    for (int i = 0; i < 5; i++) {
        new_position(&n[i], 1000 + i);
        assert_int_equal(gpd_create(&f->c, &n[i].p, NULL, err, sizeof(err)), GPD_OK);
    }
    for (int i = 0; i < 3; i++)
        assert_int_equal(pagopa_standin_pay(f->s, ORG_CF, n[i].iupd, 0), 0);
    /* Two payments of positions nobody created through the API. */
    assert_int_equal(
        pagopa_standin_add_paid(f->s, ORG_CF, "SPONTANEOUS-1", "01000000000000001", 2500), 0);
    assert_int_equal(
        pagopa_standin_add_paid(f->s, ORG_CF, "SPONTANEOUS-2", "01000000000000002", 2600), 0);
    assert_int_equal(
        pagopa_standin_add_paid(f->s, ORG_CF, "SPONTANEOUS-2", "01000000000000003", 2600), -1);
    /* Another municipality's payment never shows. */
    assert_int_equal(
        pagopa_standin_add_paid(f->s, "11111111111", "OTHER-1", "01000000000000004", 100), 0);
    struct gpd_position page[2];
    size_t got = 0, total = 0;
    int pages = -1;
    char receipts[5][GPD_ID_MAX];
    for (int p = 0; p < 3; p++) {
        assert_int_equal(
            gpd_list_paid(&f->c, ORG_CF, today, p, 2, page, 2, &got, &pages, err, sizeof(err)),
            GPD_OK);
        assert_int_equal(pages, 3);
        assert_int_equal(got, p < 2 ? 2 : 1);
        for (size_t i = 0; i < got; i++) {
            assert_true(page[i].paid);
            assert_true(page[i].receipt_id[0] != '\0');
            for (size_t k = 0; k < total; k++)
                assert_string_not_equal(receipts[k], page[i].receipt_id);
            snprintf(receipts[total++], GPD_ID_MAX, "%s", page[i].receipt_id);
        }
    }
    assert_int_equal(total, 5);
    /* Past the last page: empty. From tomorrow: nothing yet. */
    assert_int_equal(
        gpd_list_paid(&f->c, ORG_CF, today, 3, 2, page, 2, &got, &pages, err, sizeof(err)), GPD_OK);
    assert_int_equal(got, 0);
    char tomorrow[TIME_ISO_MAX];
    time_iso(time_now() + 86400, tomorrow);
    assert_int_equal(
        gpd_list_paid(&f->c, ORG_CF, tomorrow, 0, 2, page, 2, &got, &pages, err, sizeof(err)),
        GPD_OK);
    assert_int_equal(got, 0);
    assert_int_equal(pages, 0);
}

/* The cart for position n: its Location. */
static void make_cart(struct fixture *f, const struct new_position *n, char *loc, size_t locsz)
{
    struct checkout_cart cart = {
        .checkout_url = f->checkout,
        .api_key = API_KEY,
        .notice_number = n->nav,
        .org_fiscal_code = ORG_CF,
        .amount_cents = n->p.amount_cents,
        .company_name = "Comune di Esempio",
        .description = "Ricarica mensa scolastica",
        .email = "mario.rossi@example.org",
        .return_ok_url = RETURN_OK,
        .return_cancel_url = RETURN_CANCEL,
        .return_error_url = RETURN_ERROR,
    };
    char err[256] = "";
    assert_int_equal(checkout_cart_create(&f->c, &cart, loc, locsz, err, sizeof(err)), GPD_OK);
}

static void test_checkout_cart_and_pay(void **state)
{
    struct fixture *f = *state;
    struct new_position n;
    new_position(&n, 123456);
    char err[256] = "", loc[GPD_URL_MAX], prefix[128], url[GPD_URL_MAX + 16];
    assert_int_equal(gpd_create(&f->c, &n.p, NULL, err, sizeof(err)), GPD_OK);
    make_cart(f, &n, loc, sizeof(loc));
    snprintf(prefix, sizeof(prefix), "http://127.0.0.1:%d/checkout/pay/",
             pagopa_standin_port(f->s));
    assert_memory_equal(loc, prefix, strlen(prefix));

    struct http_result r;
    http("GET", loc, NULL, &r);
    assert_int_equal(r.status, 200);
    const char *html = buf_str(&r.body);
    assert_non_null(strstr(html, "<html lang=\"it\">"));
    assert_non_null(strstr(html, "1.234,56")); /* money_format */
    char grouped[32];
    snprintf(grouped, sizeof(grouped), "%.4s %.4s %.4s %.4s %.2s", n.nav, n.nav + 4, n.nav + 8,
             n.nav + 12, n.nav + 16);
    assert_non_null(strstr(html, grouped));
    assert_non_null(strstr(html, "Comune di Esempio"));
    assert_non_null(strstr(html, "Ricarica mensa scolastica"));
    assert_non_null(strstr(html, "method=\"post\" action=\"/checkout/pay/"));
    assert_non_null(strstr(html, "/paga\""));
    assert_non_null(strstr(html, "/annulla\""));
    buf_free(&r.body);

    struct gpd_position got;
    assert_int_equal(gpd_get(&f->c, ORG_CF, n.iupd, &got, err, sizeof(err)), GPD_OK);
    assert_false(got.paid);
    snprintf(url, sizeof(url), "%s/paga", loc);
    http("POST", url, "", &r);
    assert_int_equal(r.status, 303);
    assert_string_equal(r.location, RETURN_OK);
    buf_free(&r.body);
    assert_int_equal(gpd_get(&f->c, ORG_CF, n.iupd, &got, err, sizeof(err)), GPD_OK);
    assert_true(got.paid);
    assert_int_equal(got.amount_cents, 123456);

    /* The page of a paid cart says so and offers no second payment. */
    http("GET", loc, NULL, &r);
    assert_null(strstr(buf_str(&r.body), "/paga\""));
    buf_free(&r.body);

    /* Cancelling another cart goes back to the cancel URL and pays nothing. */
    struct new_position m;
    new_position(&m, 2000);
    assert_int_equal(gpd_create(&f->c, &m.p, NULL, err, sizeof(err)), GPD_OK);
    make_cart(f, &m, loc, sizeof(loc));
    snprintf(url, sizeof(url), "%s/annulla", loc);
    http("POST", url, "", &r);
    assert_int_equal(r.status, 303);
    assert_string_equal(r.location, RETURN_CANCEL);
    buf_free(&r.body);
    assert_int_equal(gpd_get(&f->c, ORG_CF, m.iupd, &got, err, sizeof(err)), GPD_OK);
    assert_false(got.paid);

    /* A cart for a notice GPD does not know: paying goes to the error URL. */
    struct new_position ghost;
    new_position(&ghost, 2000);
    make_cart(f, &ghost, loc, sizeof(loc));
    snprintf(url, sizeof(url), "%s/paga", loc);
    http("POST", url, "", &r);
    assert_int_equal(r.status, 303);
    assert_string_equal(r.location, RETURN_ERROR);
    buf_free(&r.body);

    /* Invalid cart input is refused before sending. */
    unsigned before = pagopa_standin_requests(f->s);
    struct checkout_cart bad = {.checkout_url = f->checkout,
                                .notice_number = "12345",
                                .org_fiscal_code = ORG_CF,
                                .amount_cents = 100,
                                .company_name = "Comune",
                                .description = "Ricarica",
                                .return_ok_url = RETURN_OK,
                                .return_cancel_url = RETURN_CANCEL,
                                .return_error_url = RETURN_ERROR};
    assert_int_equal(checkout_cart_create(&f->c, &bad, loc, sizeof(loc), err, sizeof(err)),
                     GPD_INVALID);
    bad.notice_number = n.nav;
    bad.return_ok_url = "javascript:alert(1)";
    assert_int_equal(checkout_cart_create(&f->c, &bad, loc, sizeof(loc), err, sizeof(err)),
                     GPD_INVALID);
    assert_int_equal(pagopa_standin_requests(f->s), before);
    /* Without the key: refused. */
    bad.return_ok_url = RETURN_OK;
    assert_int_equal(checkout_cart_create(&f->c, &bad, loc, sizeof(loc), err, sizeof(err)),
                     GPD_REFUSED);
}

static void test_pay_by_notice_number(void **state)
{
    struct fixture *f = *state;
    struct new_position n;
    new_position(&n, 5000);
    char err[256] = "", url[256], form[GPD_ID_MAX + 16];
    assert_int_equal(gpd_create(&f->c, &n.p, NULL, err, sizeof(err)), GPD_OK);
    int port = pagopa_standin_port(f->s);
    struct http_result r;
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/paga", port);
    http("GET", url, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(buf_str(&r.body), "<label for=\"nav\">"));
    buf_free(&r.body);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/paga?nav=12345", port);
    http("GET", url, NULL, &r);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(buf_str(&r.body), "aria-invalid=\"true\""));
    assert_non_null(strstr(buf_str(&r.body), "value=\"12345\""));
    buf_free(&r.body);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/paga?nav=%.4s+%s", port, n.nav, n.nav + 4);
    http("GET", url, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(buf_str(&r.body), "50,00"));
    assert_non_null(strstr(buf_str(&r.body), "name=\"nav\" value=\""));
    buf_free(&r.body);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/paga", port);
    snprintf(form, sizeof(form), "nav=%s", n.nav);
    http("POST", url, form, &r);
    assert_int_equal(r.status, 200);
    buf_free(&r.body);
    struct gpd_position got;
    assert_int_equal(gpd_get(&f->c, ORG_CF, n.iupd, &got, err, sizeof(err)), GPD_OK);
    assert_true(got.paid);
    snprintf(form, sizeof(form), "nav=399999999999999999");
    http("POST", url, form, &r);
    assert_int_equal(r.status, 404);
    buf_free(&r.body);
}

static void test_confirm_delay(void **state)
{
    struct fixture *f = *state;
    pagopa_standin_stop(f->s);
    start(f, NULL, 60);
    struct new_position n;
    new_position(&n, 2500);
    char err[256] = "", loc[GPD_URL_MAX], url[GPD_URL_MAX + 16];
    assert_int_equal(gpd_create(&f->c, &n.p, NULL, err, sizeof(err)), GPD_OK);
    make_cart(f, &n, loc, sizeof(loc));
    snprintf(url, sizeof(url), "%s/paga", loc);
    struct http_result r;
    http("POST", url, "", &r);
    assert_int_equal(r.status, 303);
    buf_free(&r.body);
    /* Paid, but GPD does not say so yet. */
    struct gpd_position got;
    assert_int_equal(gpd_get(&f->c, ORG_CF, n.iupd, &got, err, sizeof(err)), GPD_OK);
    assert_false(got.paid);
    assert_string_equal(got.receipt_id, "");
    struct gpd_position page[10];
    size_t count;
    int pages;
    char today[TIME_ISO_MAX];
    time_now_iso(today);
    assert_int_equal(
        gpd_list_paid(&f->c, ORG_CF, today, 0, 10, page, 10, &count, &pages, err, sizeof(err)),
        GPD_OK);
    assert_int_equal(count, 0);
    /* A minute later it does. */
    time_set_fake(time(NULL) + 61);
    assert_int_equal(gpd_get(&f->c, ORG_CF, n.iupd, &got, err, sizeof(err)), GPD_OK);
    assert_true(got.paid);
    assert_int_equal(
        gpd_list_paid(&f->c, ORG_CF, today, 0, 10, page, 10, &count, &pages, err, sizeof(err)),
        GPD_OK);
    assert_int_equal(count, 1);
    time_set_fake(0);
    /* The hooks pay at once, whatever the delay. */
    struct new_position m;
    new_position(&m, 2500);
    assert_int_equal(gpd_create(&f->c, &m.p, NULL, err, sizeof(err)), GPD_OK);
    assert_int_equal(pagopa_standin_pay(f->s, ORG_CF, m.iupd, 0), 0);
    assert_int_equal(gpd_get(&f->c, ORG_CF, m.iupd, &got, err, sizeof(err)), GPD_OK);
    assert_true(got.paid);
}

static void test_persistence_across_restart(void **state)
{
    struct fixture *f = *state;
    snprintf(f->dir, sizeof(f->dir), "/tmp/refettorio-gpd-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    char dir[128];
    snprintf(dir, sizeof(dir), "%s/state", f->dir); /* created by the stand-in */
    pagopa_standin_stop(f->s);
    start(f, dir, 0);
    struct new_position n, m;
    new_position(&n, 1500);
    new_position(&m, 1600);
    char err[256] = "", loc[GPD_URL_MAX];
    assert_int_equal(gpd_create(&f->c, &n.p, NULL, err, sizeof(err)), GPD_OK);
    assert_int_equal(gpd_create(&f->c, &m.p, NULL, err, sizeof(err)), GPD_OK);
    assert_int_equal(pagopa_standin_pay(f->s, ORG_CF, n.iupd, 0), 0);
    make_cart(f, &m, loc, sizeof(loc));
    struct gpd_position before;
    assert_int_equal(gpd_get(&f->c, ORG_CF, n.iupd, &before, err, sizeof(err)), GPD_OK);
    pagopa_standin_stop(f->s);

    start(f, dir, 0);
    struct gpd_position got;
    assert_int_equal(gpd_get(&f->c, ORG_CF, n.iupd, &got, err, sizeof(err)), GPD_OK);
    assert_true(got.paid);
    assert_string_equal(got.receipt_id, before.receipt_id);
    assert_string_equal(got.payment_date, before.payment_date);
    assert_int_equal(gpd_get(&f->c, ORG_CF, m.iupd, &got, err, sizeof(err)), GPD_OK);
    assert_false(got.paid);
    /* The same create after the restart is still recognised. */
    assert_int_equal(gpd_create(&f->c, &m.p, NULL, err, sizeof(err)), GPD_OK);
    assert_int_equal(pagopa_standin_creates(f->s), 0);
    /* The cart made before the restart can still be paid (the port changed: same path). */
    const char *path = strstr(loc, "/checkout/pay/");
    assert_non_null(path);
    char url[GPD_URL_MAX + 64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s/paga", pagopa_standin_port(f->s), path);
    struct http_result r;
    http("POST", url, "", &r);
    assert_int_equal(r.status, 303);
    buf_free(&r.body);
    assert_int_equal(gpd_get(&f->c, ORG_CF, m.iupd, &got, err, sizeof(err)), GPD_OK);
    assert_true(got.paid);

    /* A state file that is not ours stops the start. */
    pagopa_standin_stop(f->s);
    f->s = NULL;
    char file[160];
    snprintf(file, sizeof(file), "%s/positions.json", dir);
    FILE *fp = fopen(file, "w");
    assert_non_null(fp);
    fputs("[1, 2", fp);
    fclose(fp);
    struct pagopa_standin_opts o = {.dir = dir};
    assert_null(pagopa_standin_start(&o, err, sizeof(err)));
    assert_non_null(strstr(err, "positions.json"));
    start(f, NULL, 0); /* for the teardown */
}

/* ---- the answer parsers ---- */

static void test_parsers_are_strict(void **state)
{
    (void)state;
    struct gpd_position p;
    char err[256];
    const char *good = "{\"iupd\":\"A\",\"status\":\"VALID\",\"paymentOption\":[{\"iuv\":\"1\","
                       "\"amount\":100,\"status\":\"PO_UNPAID\"}]}";
    assert_int_equal(gpd_parse_position(good, strlen(good), &p, err, sizeof(err)), GPD_OK);
    assert_int_equal(p.amount_cents, 100);
    static const char *const bad[] = {
        "",
        "[]",
        "{\"iupd\":\"A\"}",
        "{\"iupd\":\"\",\"status\":\"VALID\",\"paymentOption\":[{\"iuv\":\"1\",\"amount\":1}]}",
        "{\"iupd\":1,\"status\":\"VALID\",\"paymentOption\":[{\"iuv\":\"1\",\"amount\":1}]}",
        "{\"iupd\":\"A\",\"status\":\"SOLD\",\"paymentOption\":[{\"iuv\":\"1\",\"amount\":1}]}",
        "{\"iupd\":\"A\",\"status\":\"VALID\",\"paymentOption\":[]}",
        "{\"iupd\":\"A\",\"status\":\"VALID\",\"paymentOption\":[{\"iuv\":\"1\",\"amount\":\"1\"}]"
        "}",
        "{\"iupd\":\"A\",\"status\":\"VALID\",\"paymentOption\":[{\"iuv\":\"1\",\"amount\":1.5}]}",
        "{\"iupd\":\"A\",\"status\":\"VALID\",\"paymentOption\":[{\"iuv\":\"1\",\"amount\":0}]}",
        "{\"iupd\":\"A\",\"status\":\"VALID\",\"paymentOption\":[{\"amount\":1}]}",
        "{\"iupd\":\"A\\u0000B\",\"status\":\"VALID\",\"paymentOption\":[{\"iuv\":\"1\","
        "\"amount\":1}]}",
        "{\"iupd\":\"A\",\"status\":\"VALID\",\"paymentOption\":[{\"iuv\":\"1\",\"amount\":1,"
        "\"status\":\"PO_LOST\"}]}",
        "{\"iupd\":\"A\",\"iupd\":\"B\",\"status\":\"VALID\",\"paymentOption\":[{\"iuv\":\"1\","
        "\"amount\":1}]}",
        "{\"iupd\":\"A\",\"status\":\"VALID\",\"paymentOption\":[{\"iuv\":\"1\",\"amount\":1,"
        "\"idReceipt\":\"0123456789012345678901234567890123456789012345678901234567890123456789\""
        "}]}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(gpd_parse_position(bad[i], strlen(bad[i]), &p, err, sizeof(err)),
                         GPD_MALFORMED);
    struct gpd_position page[1];
    size_t n;
    int pages;
    const char *two = "{\"payment_position_list\":[{},{}],\"page_info\":{\"page\":0,\"limit\":1,"
                      "\"items_found\":2,\"total_pages\":2}}";
    assert_int_equal(gpd_parse_page(two, strlen(two), page, 1, &n, &pages, err, sizeof(err)),
                     GPD_MALFORMED);
    const char *no_info = "{\"payment_position_list\":[]}";
    assert_int_equal(
        gpd_parse_page(no_info, strlen(no_info), page, 1, &n, &pages, err, sizeof(err)),
        GPD_MALFORMED);
    const char *empty = "{\"payment_position_list\":[],\"page_info\":{\"page\":0,\"limit\":1,"
                        "\"items_found\":0,\"total_pages\":0}}";
    assert_int_equal(gpd_parse_page(empty, strlen(empty), page, 1, &n, &pages, err, sizeof(err)),
                     GPD_OK);
    assert_int_equal(n, 0);
    assert_string_equal(gpd_result_name(GPD_CONFLICT), "conflict");
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_and_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get_unknown_is_not_found, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_twice_is_one_position, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_conflict, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retry_after_500, setup, teardown),
        cmocka_unit_test_setup_teardown(test_all_attempts_503, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stall_longer_than_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timed_out_create_is_not_duplicated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_answer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_key_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_input_sends_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pay_hook_then_get_shows_paid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_paid_with_paging, setup, teardown),
        cmocka_unit_test_setup_teardown(test_checkout_cart_and_pay, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pay_by_notice_number, setup, teardown),
        cmocka_unit_test_setup_teardown(test_confirm_delay, setup, teardown),
        cmocka_unit_test_setup_teardown(test_persistence_across_restart, setup, teardown),
        cmocka_unit_test(test_parsers_are_strict),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
