/*
 * HTTP tests of the family's statement and 730 certificates against the real server: a new
 * family (two children) is created in the demo municipality's database by this process, its
 * movements written with ledger_append and its paid pagoPA positions inserted directly; then the
 * family signs in and reads the statement (running balance, month and pupil filters, the balance
 * before the first row shown), downloads it as CSV and PDF, and downloads the certificates.
 * Another family's pupil is a 404 everywhere.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http/harness.h"
#include "services/guardian.h"
#include "services/ledger.h"
#include "services/password.h"
#include "services/tenant.h"
#include "store/store.h"
#include "util/log.h"
#include "util/time.h"
#include "util/time_local.h"

#define T        "/" HARNESS_DEMO_TENANT
#define PASSWORD "Pranzo-Sereno-2026"
#define ANNA_CF  "VRDNNA16A41F205X"
#define ROSSI_CF "RSSGLI18E62H501A" /* a demo family's pupil */

struct world {
    struct harness_server s;
    struct harness_session session; /* the Verdi family, signed in */
    int64_t tenant_id, guardian_id, anna, marco;
};

/* ---- seeding -------------------------------------------------------------------------------- */

static void entry(struct world *w, const char *at, enum ledger_kind kind, int64_t pupil_id,
                  int64_t cents, const char *description)
{
    struct db *db = store_db();
    time_t t;
    assert_true(time_parse_iso(at, &t));
    time_set_fake(t);
    struct ledger_new e = {.guardian_id = w->guardian_id,
                           .pupil_id = pupil_id,
                           .kind = kind,
                           .amount_cents = cents,
                           .description = description,
                           .created_by = "test"};
    assert_int_equal(db_begin(db), DB_OK);
    assert_int_equal(ledger_append(db, w->tenant_id, &e, NULL), 0);
    assert_int_equal(db_commit(db), DB_OK);
    time_set_fake(0);
}

static void paid_position(struct world *w, int n, int64_t pupil_id, int64_t cents,
                          const char *paid_at)
{
    char sql[1024];
    snprintf(sql, sizeof(sql),
             "INSERT INTO payment_position (tenant_id, guardian_id, pupil_id, iupd, iuv, "
             "notice_number, amount_cents, description, due_date, status, created_at, paid_at, "
             "receipt_id, psp) VALUES (%lld, %lld, nullif(%lld, 0), 'TEST-IUPD-%d', "
             "'0977000000000%02d', '30977000000000%04d', %lld, 'Ricarica', '2027-12-31', 'paid', "
             "'2026-01-01T00:00:00Z', '%s', 'RT-TEST-%d', 'Banca di prova')",
             (long long)w->tenant_id, (long long)w->guardian_id, (long long)pupil_id, n, n, n,
             (long long)cents, paid_at, n);
    assert_int_equal(db_exec_script(store_db(), sql), DB_OK);
}

/* The Verdi family: movements from September to November 2026 (running balance in the
   comments), and payments for the certificates. */
static void seed(struct world *w)
{
    char err[256];
    assert_int_equal(password_init(), 0);
    assert_int_equal(store_init(w->s.db_path, err, sizeof(err)), 0);
    struct db *db = store_db();
    struct arena a;
    arena_init(&a, 1024);
    struct tenant t;
    assert_int_equal(tenant_find(db, &a, HARNESS_DEMO_TENANT, &t), 1);
    w->tenant_id = t.id;
    arena_free(&a);
    struct guardian_new g = {"VRDPLA80A01F205S", "Paola", "Verdi", "", "", "", "it", false};
    assert_int_equal(guardian_create(db, w->tenant_id, &g, PASSWORD, &w->guardian_id, NULL),
                     GUARDIAN_OK);
    struct pupil_new anna = {ANNA_CF, "Anna", "Verdi", "2016-01-01", "F"};
    struct pupil_new marco = {"VRDMRC19B12F205Q", "Marco", "Verdi", "2019-02-12", "M"};
    assert_int_equal(pupil_create(db, w->tenant_id, w->guardian_id, &anna, &w->anna), GUARDIAN_OK);
    assert_int_equal(pupil_create(db, w->tenant_id, w->guardian_id, &marco, &w->marco),
                     GUARDIAN_OK);
    entry(w, "2026-09-30T10:00:00Z", LEDGER_OPENING, 0, 1000, "Saldo iniziale"); /* 10,00 */
    entry(w, "2026-10-05T08:00:00Z", LEDGER_MEAL, w->anna, -450, "Pranzo");      /* 5,50 */
    entry(w, "2026-10-06T08:00:00Z", LEDGER_MEAL, w->marco, -450, "Pranzo");     /* 1,00 */
    /* 00:30 on 1 November in Rome: a November movement. */
    entry(w, "2026-10-31T23:30:00Z", LEDGER_TOPUP, 0, 2000, "Ricarica pagoPA");        /* 21,00 */
    entry(w, "2026-11-03T08:00:00Z", LEDGER_MEAL, w->anna, -450, "=SUM(A1) pranzo");   /* 16,50 */
    entry(w, "2026-11-04T09:00:00Z", LEDGER_REFUND, w->anna, -150, "Rimborso uscita"); /* 15,00 */
    /* 2026: the top-up above, and 10,00 for Marco alone in March. */
    paid_position(w, 1, 0, 2000, "2026-10-31T23:30:00Z");
    paid_position(w, 2, w->marco, 1000, "2026-03-01T09:00:00Z");
    store_thread_done();
}

static void open_form(const struct harness_server *s, const char *path,
                      struct harness_session *session)
{
    struct harness_resp r;
    harness_expect_get(s, path, session->cookie[0] ? session->cookie : NULL, 200, &r);
    char sid[HARNESS_TOKEN_MAX];
    if (harness_cookie_value(&r, "sid", sid, sizeof(sid)))
        harness_session_set_sid(session, sid);
    assert_true(harness_form_input(&r, "csrf", session->csrf, sizeof(session->csrf)));
    harness_resp_free(&r);
}

static void sign_in(struct world *w)
{
    memset(&w->session, 0, sizeof(w->session));
    open_form(&w->s, T "/famiglie/accedi", &w->session);
    char body[512];
    snprintf(body, sizeof(body), "csrf=%s&login=%s&password=%s", w->session.csrf, ANNA_CF,
             PASSWORD);
    struct harness_resp r;
    harness_expect_post(&w->s, T "/famiglie/accedi", body, w->session.cookie, 303, &r);
    char sid[HARNESS_TOKEN_MAX];
    assert_true(harness_cookie_value(&r, "sid", sid, sizeof(sid)));
    harness_session_set_sid(&w->session, sid);
    harness_resp_free(&r);
}

static int group_setup(void **state)
{
    struct world *w = calloc(1, sizeof(*w));
    if (!w || harness_start(&w->s, NULL) != 0)
        return -1;
    log_set_quiet(1);
    *state = w;
    seed(w);
    sign_in(w);
    return 0;
}

static int group_teardown(void **state)
{
    struct world *w = *state;
    harness_destroy(&w->s);
    free(w);
    return 0;
}

/* ---- helpers -------------------------------------------------------------------------------- */

static void get(struct world *w, const char *path, long status, struct harness_resp *r)
{
    harness_expect_get(&w->s, path, w->session.cookie, status, r);
}

/* GET T"/famiglie" + fmt..., expecting status. */
static void getf(struct world *w, long status, struct harness_resp *r, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void getf(struct world *w, long status, struct harness_resp *r, const char *fmt, ...)
{
    char path[512];
    int n = snprintf(path, sizeof(path), "%s", T "/famiglie");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path + n, sizeof(path) - (size_t)n, fmt, ap);
    va_end(ap);
    get(w, path, status, r);
}

/* The needles appear in the body in this order (NULL-terminated). */
static void assert_in_order(const struct harness_resp *r, ...)
{
    va_list ap;
    va_start(ap, r);
    const char *from = r->body;
    for (const char *s = va_arg(ap, const char *); s; s = va_arg(ap, const char *)) {
        const char *at = strstr(from, s);
        if (!at)
            fail_msg("\"%s\" missing (or out of order) in the body", s);
        from = at + strlen(s);
    }
    va_end(ap);
}

/* The text of a PDF response (pdftotext); the caller frees it. */
static char *pdf_text(const struct harness_resp *r)
{
    char path[64] = "/tmp/refettorio-statement-XXXXXX.pdf";
    int fd = mkstemps(path, 4);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, r->body, r->body_len), (ssize_t)r->body_len);
    close(fd);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "pdftotext -enc UTF-8 -layout %s -", path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t cap = 1 << 20, n = 0;
    char *text = malloc(cap);
    size_t got;
    while (n + 1 < cap && (got = fread(text + n, 1, cap - 1 - n, p)) > 0)
        n += got;
    text[n] = '\0';
    assert_int_equal(pclose(p), 0);
    unlink(path);
    return text;
}

/* ---- the statement -------------------------------------------------------------------------- */

static void test_statement_rows_and_running_balance(void **state)
{
    struct world *w = *state;
    struct harness_resp r;
    getf(w, 200, &r, "/conto");
    /* The balance on top, then every movement oldest first with the balance after it. */
    assert_in_order(&r, "<strong>15,00 €</strong>", "table-responsive", "30/09/2026",
                    "Saldo iniziale", "+10,00 €", "10,00 €", "05/10/2026", "Anna Verdi", "-4,50 €",
                    "5,50 €", "06/10/2026", "Marco Verdi", "-4,50 €", "1,00 €", "01/11/2026",
                    "+20,00 €", "21,00 €", "03/11/2026", "16,50 €", "04/11/2026", "-1,50 €",
                    "15,00 €", NULL);
    /* The months that have movements, newest first, and the family's pupils. */
    assert_in_order(&r, "<option value=\"2026-11\">", "<option value=\"2026-10\">",
                    "<option value=\"2026-09\">", NULL);
    char opt[64];
    snprintf(opt, sizeof(opt), "<option value=\"%lld\">Marco Verdi", (long long)w->marco);
    assert_true(harness_body_has(&r, opt));
    /* Not filtered: no "balance before" line. */
    assert_false(harness_body_has(&r, "id=\"opening\""));
    assert_true(harness_body_has(&r, "/famiglie/conto.csv\""));
    harness_resp_free(&r);
    /* The family home links here and to the certificates. */
    getf(w, 200, &r, "/");
    assert_true(harness_body_has(&r, "href=\"" T "/famiglie/conto\""));
    assert_true(harness_body_has(&r, "href=\"" T "/famiglie/attestazioni\""));
    harness_resp_free(&r);
    /* Signed out: to the sign-in page. */
    harness_expect_get(&w->s, T "/famiglie/conto", NULL, 303, &r);
    harness_resp_free(&r);
}

static void test_month_filter(void **state)
{
    struct world *w = *state;
    struct harness_resp r;
    getf(w, 200, &r, "/conto?mese=2026-11");
    /* The top-up at 23:30 UTC on 31 October is 1 November in Rome. */
    assert_in_order(&r, "<option value=\"2026-11\" selected>", "id=\"opening\"",
                    "<strong class=\"text-nowrap\">1,00 €</strong>", "01/11/2026", "+20,00 €",
                    "04/11/2026", "id=\"closing\"", "15,00 €", NULL);
    assert_false(harness_body_has(&r, "05/10/2026"));
    assert_true(harness_body_has(&r, "conto.csv?mese=2026-11\""));
    harness_resp_free(&r);
    getf(w, 200, &r, "/conto?mese=2026-10");
    assert_in_order(&r, "id=\"opening\"", "<strong class=\"text-nowrap\">10,00 €</strong>",
                    "05/10/2026", "06/10/2026", "id=\"closing\"", "1,00 €", NULL);
    assert_false(harness_body_has(&r, "01/11/2026"));
    harness_resp_free(&r);
    /* A month without movements: the empty state. */
    getf(w, 200, &r, "/conto?mese=2026-12");
    assert_true(harness_body_has(&r, "id=\"empty\""));
    assert_false(harness_body_has(&r, "<tbody>"));
    harness_resp_free(&r);
    /* Not a month: said next to the select. */
    getf(w, 422, &r, "/conto?mese=2026-13");
    assert_true(harness_body_has(&r, "id=\"mese-error\""));
    harness_resp_free(&r);
}

static void test_pupil_filter(void **state)
{
    struct world *w = *state;
    struct harness_resp r;
    getf(w, 200, &r, "/conto?alunno=%lld", (long long)w->marco);
    /* Marco's one meal, with the family balance before and after it. */
    assert_in_order(&r, "id=\"opening\"", "5,50 €", "06/10/2026", "-4,50 €", "1,00 €",
                    "id=\"closing\"", "1,00 €", NULL);
    assert_false(harness_body_has(&r, "05/10/2026"));
    assert_false(harness_body_has(&r, "Saldo iniziale"));
    harness_resp_free(&r);
    getf(w, 200, &r, "/conto?alunno=%lld&mese=2026-10", (long long)w->anna);
    assert_true(harness_body_has(&r, "05/10/2026"));
    assert_false(harness_body_has(&r, "06/10/2026"));
    assert_false(harness_body_has(&r, "03/11/2026"));
    harness_resp_free(&r);
    /* Another family's pupil, in the page and in the downloads. */
    const char *const cf[] = {ROSSI_CF, NULL};
    long long rossi = harness_db_int(&w->s, "SELECT id FROM pupil WHERE fiscal_code = ?1", cf);
    assert_true(rossi > 0);
    getf(w, 404, &r, "/conto?alunno=%lld", rossi);
    harness_resp_free(&r);
    getf(w, 404, &r, "/conto.csv?alunno=%lld", rossi);
    harness_resp_free(&r);
    getf(w, 404, &r, "/conto.pdf?alunno=%lld", rossi);
    harness_resp_free(&r);
    getf(w, 422, &r, "/conto?alunno=abc");
    assert_true(harness_body_has(&r, "id=\"alunno-error\""));
    harness_resp_free(&r);
}

static void test_csv(void **state)
{
    struct world *w = *state;
    struct harness_resp r;
    getf(w, 200, &r, "/conto.csv?mese=2026-11");
    assert_string_equal(harness_header(&r, "Content-Type", 0), "text/csv; charset=utf-8");
    const char *cd = harness_header(&r, "Content-Disposition", 0);
    assert_non_null(cd);
    assert_non_null(strstr(cd, "attachment;"));
    assert_non_null(strstr(cd, "filename=\"estratto-conto-2026-11.csv\""));
    assert_non_null(strstr(harness_header(&r, "Cache-Control", 0), "no-store"));
    /* BOM, header, then the rows with ';' and CRLF; amounts are plain numbers. */
    assert_memory_equal(r.body, "\xEF\xBB\xBF", 3);
    assert_true(harness_body_has(&r, ";Ricarica pagoPA;;"));
    assert_true(harness_body_has(&r, "01/11/2026;"));
    assert_true(harness_body_has(&r, ";20,00;21,00\r\n"));
    assert_true(harness_body_has(&r, ";Anna Verdi;"));
    assert_true(harness_body_has(&r, ";-1,50;15,00\r\n"));
    /* A description that a spreadsheet would run is neutralised. */
    assert_true(harness_body_has(&r, ";'=SUM(A1) pranzo;"));
    assert_false(harness_body_has(&r, "05/10/2026"));
    /* Header plus three rows. */
    size_t lines = 0;
    for (const char *p = r.body; (p = strstr(p, "\r\n")); p += 2)
        lines++;
    assert_int_equal(lines, 4);
    harness_resp_free(&r);
    getf(w, 200, &r, "/conto.csv?alunno=%lld", (long long)w->marco);
    assert_non_null(strstr(harness_header(&r, "Content-Disposition", 0), "-VRDMRC19B12F205Q.csv"));
    assert_true(harness_body_has(&r, "06/10/2026;Pranzo;Marco Verdi;"));
    assert_true(harness_body_has(&r, ";-4,50;1,00\r\n"));
    harness_resp_free(&r);
}

static void test_pdf(void **state)
{
    struct world *w = *state;
    struct harness_resp r;
    getf(w, 200, &r, "/conto.pdf");
    assert_string_equal(harness_header(&r, "Content-Type", 0), "application/pdf");
    assert_non_null(strstr(harness_header(&r, "Content-Disposition", 0), "estratto-conto.pdf"));
    assert_memory_equal(r.body, "%PDF", 4);
    char *text = pdf_text(&r);
    harness_resp_free(&r);
    assert_non_null(strstr(text, "Paola Verdi"));
    assert_non_null(strstr(text, "Comune")); /* the issuer */
    assert_non_null(strstr(text, "Ricarica pagoPA"));
    assert_non_null(strstr(text, "15,00 €"));
    free(text);
    /* Filtered: the period, opening 1,00 and closing 15,00 for November. */
    getf(w, 200, &r, "/conto.pdf?mese=2026-11");
    assert_memory_equal(r.body, "%PDF", 4);
    text = pdf_text(&r);
    harness_resp_free(&r);
    assert_non_null(strstr(text, "2026"));
    assert_non_null(strstr(text, "1,00 €"));
    assert_non_null(strstr(text, "15,00 €"));
    assert_null(strstr(text, "Saldo iniziale"));
    free(text);
}

/* ---- the certificates ----------------------------------------------------------------------- */

static void test_certificates(void **state)
{
    struct world *w = *state;
    struct harness_resp r;
    /* 2026: 20,00 for the family, 10,00 for Marco, 1,50 refunded; meals 9,00 Anna, 4,50 Marco.
       The 18,50 left after Marco's own payment splits 2:1 = 12,333 / 6,167. */
    getf(w, 200, &r, "/attestazioni");
    char href[128];
    snprintf(href, sizeof(href), T "/famiglie/attestazioni/%lld/2026.pdf", (long long)w->anna);
    assert_in_order(&r, "Anna Verdi", href, "12,33 €", "Marco Verdi", "16,17 €", NULL);
    assert_false(harness_body_has(&r, "2025.pdf"));
    harness_resp_free(&r);

    getf(w, 200, &r, "/attestazioni/%lld/2026.pdf", (long long)w->anna);
    assert_string_equal(harness_header(&r, "Content-Type", 0), "application/pdf");
    assert_non_null(
        strstr(harness_header(&r, "Content-Disposition", 0), "attestazione-mensa-2026-" ANNA_CF));
    assert_memory_equal(r.body, "%PDF", 4);
    char *text = pdf_text(&r);
    harness_resp_free(&r);
    assert_non_null(strstr(text, "80012345676"));      /* the municipality's codice fiscale */
    assert_non_null(strstr(text, "VRDPLA80A01F205S")); /* the payer */
    assert_non_null(strstr(text, ANNA_CF));
    assert_non_null(strstr(text, "12,33 €"));
    assert_non_null(strstr(text, "097700000000001")); /* the family payment's IUV */
    assert_non_null(strstr(text, "RT-TEST-1"));
    assert_null(strstr(text, "RT-TEST-2")); /* Marco's own payment is not on Anna's */
    free(text);

    getf(w, 200, &r, "/attestazioni/%lld/2026.pdf", (long long)w->marco);
    text = pdf_text(&r);
    harness_resp_free(&r);
    assert_non_null(strstr(text, "16,17 €"));
    assert_non_null(strstr(text, "RT-TEST-2"));
    free(text);

    /* Nothing paid in 2025: the page says so, no PDF. */
    getf(w, 404, &r, "/attestazioni/%lld/2025.pdf", (long long)w->anna);
    assert_true(harness_body_has(&r, "id=\"nothing-paid\""));
    assert_true(harness_body_has(&r, "text/html") || r.body_len > 0);
    assert_memory_not_equal(r.body, "%PDF", 4);
    harness_resp_free(&r);
    /* Another family's pupil, and malformed addresses. */
    const char *const cf[] = {ROSSI_CF, NULL};
    long long rossi = harness_db_int(&w->s, "SELECT id FROM pupil WHERE fiscal_code = ?1", cf);
    getf(w, 404, &r, "/attestazioni/%lld/2026.pdf", rossi);
    assert_false(harness_body_has(&r, "id=\"nothing-paid\""));
    harness_resp_free(&r);
    getf(w, 404, &r, "/attestazioni/%lld/2026.txt", (long long)w->anna);
    harness_resp_free(&r);
    getf(w, 404, &r, "/attestazioni/x/2026.pdf");
    harness_resp_free(&r);
}

static void test_clean_exit(void **state)
{
    struct world *w = *state;
    harness_assert_healthy(&w->s);
    assert_int_equal(harness_stop(&w->s), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_statement_rows_and_running_balance),
        cmocka_unit_test(test_month_filter),
        cmocka_unit_test(test_pupil_filter),
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_pdf),
        cmocka_unit_test(test_certificates),
        cmocka_unit_test(test_clean_exit),
    };
    return cmocka_run_group_tests_name("http statement", tests, group_setup, group_teardown);
}
