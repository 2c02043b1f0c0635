/*
 * The office's debt pages over the real request path, on the demo municipality: three families
 * in debt (Colombo 156,00 since 75 days, reminded and suspended; Esposito 45,00 since today;
 * Ricci 31,20 since 20 days) and the Rossi family in credit. Covered: the debtors list with its
 * amounts, ages and every filter, the order, a bad filter shown next to its field, the CSV
 * export; bulk reminders (one e-mail and one balance_notice per family still in debt with an
 * address, the others skipped with the reason, audit-logged); suspension (reason and date
 * required, a future date refused, audit, e-mail, shown on the account page, only for a family
 * in debt) and lifting it; manual entries (the balance moves by exactly the amount, the reason is
 * required, bad amounts refused with a message and nothing changed, refunds and fees taken out,
 * the ledger still consistent); the opening-balance import (the dry run lists every bad line
 * with its reason and changes nothing, applying needs the same file, applies exactly the valid
 * lines once, a second import applies nothing); the link from an enrollment; the kitchen
 * refused everywhere and the catering operator reading only.
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
#include "web/route.h"

extern const struct route debts_routes[];

#define T        "/" HARNESS_DEMO_TENANT
#define DEBTORS  T "/ufficio/debitori"
#define IMPORT   T "/ufficio/saldi-iniziali"
#define UFFICIO  "ufficio@comune.esempio.it"
#define GESTORE  "gestore@ristorazione-esempio.it"
#define CUCINA   "cucina@ristorazione-esempio.it"
#define ROSSI    "RSSMRA82C14H501K" /* guardian Mario Rossi, in credit */
#define ESPOSITO "SPSNNA87S70F839K" /* guardian Anna Esposito, owes 45,00 */
#define BODY_MAX 16384
#define BOUNDARY "----debts-test-boundary"

struct who {
    struct harness_session s;
    char cookie[HARNESS_TOKEN_MAX + 32]; /* with lang=en, so texts are the English msgids */
};

static void sign_in(void **state, const char *email, struct who *w)
{
    memset(w, 0, sizeof(*w));
    harness_sign_in(*state, HARNESS_DEMO_TENANT, email, HARNESS_DEMO_PASSWORD, 303, &w->s);
    snprintf(w->cookie, sizeof(w->cookie), "%s; lang=en", w->s.cookie);
}

static void get(void **state, const struct who *w, const char *path, long status,
                struct harness_resp *r)
{
    harness_expect_get(*state, path, w->cookie, status, r);
}

static void post(void **state, const struct who *w, const char *path, const char *fields,
                 long status, struct harness_resp *r)
{
    char body[BODY_MAX];
    snprintf(body, sizeof(body), "csrf=%s%s%s", w->s.csrf, fields && *fields ? "&" : "",
             fields ? fields : "");
    harness_expect_post(*state, path, body, w->cookie, status, r);
}

static void assert_has(const struct harness_resp *r, const char *needle)
{
    if (!harness_body_has(r, needle))
        fprintf(stderr, "# missing in the response: %s\n", needle);
    assert_true(harness_body_has(r, needle));
}

static long long db1(void **state, const char *sql, const char *p1)
{
    const char *const p[] = {p1, NULL};
    return harness_db_int(*state, sql, p);
}

static long long guardian_id(void **state, const char *surname)
{
    return db1(state, "SELECT id FROM guardian WHERE surname = ?1 ORDER BY id LIMIT 1", surname);
}

static long long balance(void **state, long long gid)
{
    char id[24];
    snprintf(id, sizeof(id), "%lld", gid);
    /* Shifted, as the harness reads a negative result as a failed query. */
    return db1(state, "SELECT balance_cents + 1000000000 FROM wallet WHERE guardian_id = ?1", id) -
           1000000000;
}

static long long audits(void **state, const char *action)
{
    return db1(state, "SELECT count(*) FROM audit_log WHERE action = ?1", action);
}

static long long entries(void **state)
{
    return harness_db_int(*state, "SELECT count(*) FROM ledger_entry", NULL);
}

/* Wallets whose cached balance or count differs from their entries: must stay 0. */
static long long ledger_mismatches(void **state)
{
    return harness_db_int(*state,
                          "SELECT count(*) FROM wallet w WHERE w.balance_cents <> "
                          "(SELECT ifnull(sum(amount_cents), 0) FROM ledger_entry l WHERE "
                          "l.guardian_id = w.guardian_id) OR w.entries <> (SELECT count(*) FROM "
                          "ledger_entry l WHERE l.guardian_id = w.guardian_id)",
                          NULL);
}

static void list_count(void **state, const struct who *w, const char *query, int n)
{
    char path[512], want[64];
    snprintf(path, sizeof(path), DEBTORS "%s", query);
    snprintf(want, sizeof(want), "Families in debt: %d", n);
    struct harness_resp r;
    get(state, w, path, 200, &r);
    if (!harness_body_has(&r, want))
        fprintf(stderr, "# %s: expected %s\n", path, want);
    assert_true(harness_body_has(&r, want));
    harness_resp_free(&r);
}

static void account_path(char *out, size_t n, long long gid, const char *suffix)
{
    snprintf(out, n, T "/ufficio/famiglie/%lld/%s", gid, suffix);
}

/* ---- the list ------------------------------------------------------------------------------- */

static void test_list_and_filters(void **state)
{
    struct who w;
    sign_in(state, UFFICIO, &w);
    struct harness_resp r;
    get(state, &w, DEBTORS, 200, &r);
    assert_has(&r, "Families in debt: 3");
    assert_has(&r, "156,00");
    assert_has(&r, "45,00");
    assert_has(&r, "31,20");
    assert_has(&r, "75 days");
    assert_has(&r, "20 days");
    assert_has(&r, "0 days");
    assert_has(&r, "Esposito Anna");
    assert_has(&r, "Matteo Esposito"); /* the pupils */
    assert_has(&r, "SPSNNA87S70F839K");
    assert_has(&r, "Suspended");
    assert_has(&r, "name=\"famiglia[]\"");
    assert_has(&r, "saldi-iniziali"); /* the import is reachable from here */
    /* Largest debt first. */
    const char *colombo = strstr(r.body, "Colombo Francesca");
    const char *esposito = strstr(r.body, "Esposito Anna");
    const char *ricci = strstr(r.body, "Ricci Luca");
    assert_non_null(colombo);
    assert_non_null(esposito);
    assert_non_null(ricci);
    assert_true(colombo < esposito && esposito < ricci);
    assert_false(harness_body_has(&r, "Rossi Mario")); /* in credit */
    harness_resp_free(&r);

    /* Oldest debt first. */
    get(state, &w, DEBTORS "?ordine=anzianita", 200, &r);
    colombo = strstr(r.body, "Colombo Francesca");
    esposito = strstr(r.body, "Esposito Anna");
    ricci = strstr(r.body, "Ricci Luca");
    assert_true(colombo && esposito && ricci && colombo < ricci && ricci < esposito);
    harness_resp_free(&r);

    list_count(state, &w, "?minimo=50", 1);
    list_count(state, &w, "?minimo=45%2C00", 2);
    list_count(state, &w, "?minimo=45%2C01", 1);
    list_count(state, &w, "?giorni=20", 2);
    list_count(state, &w, "?giorni=21", 1);
    list_count(state, &w, "?giorni=76", 0);
    list_count(state, &w, "?sospese=si", 1);
    list_count(state, &w, "?sospese=no", 2);
    list_count(state, &w, "?q=esposito", 1);
    list_count(state, &w, "?q=spsmtt17", 1); /* a piece of the pupil's codice fiscale */
    list_count(state, &w, "?q=anna+esposito", 1);
    list_count(state, &w, "?q=rossi", 0);
    list_count(state, &w, "?minimo=40&giorni=10&sospese=no", 0);

    /* A bad filter is shown next to its field. */
    get(state, &w, DEBTORS "?minimo=abc&giorni=x", 422, &r);
    assert_has(&r, "Enter an amount in euro, like 50 or 12,50.");
    assert_has(&r, "Enter a number of days, like 30.");
    assert_has(&r, "value=\"abc\"");
    harness_resp_free(&r);

    /* The CSV. */
    get(state, &w, DEBTORS ".csv?ordine=anzianita", 200, &r);
    assert_string_equal(harness_header(&r, "Content-Type", 0), "text/csv; charset=utf-8");
    assert_memory_equal(r.body,
                        "\xEF\xBB\xBF"
                        "Cognome;Nome;Codice fiscale;",
                        31);
    assert_has(&r, "\r\nColombo;Francesca;");
    assert_has(&r, ";156,00;");
    assert_has(&r, ";45,00;");
    assert_has(&r, "Esposito;Anna;SPSNNA87S70F839K;");
    assert_false(harness_body_has(&r, "Rossi;Mario"));
    harness_resp_free(&r);
    get(state, &w, DEBTORS ".csv?sospese=si", 200, &r);
    assert_has(&r, "Colombo;Francesca");
    assert_false(harness_body_has(&r, "Esposito;Anna"));
    harness_resp_free(&r);
}

/* ---- reminders ------------------------------------------------------------------------------ */

static void test_reminders(void **state)
{
    struct who w;
    sign_in(state, UFFICIO, &w);
    long long esposito = guardian_id(state, "Esposito");
    long long rossi = guardian_id(state, "Rossi");
    long long ricci = guardian_id(state, "Ricci");
    char ricci_id[24];
    snprintf(ricci_id, sizeof(ricci_id), "%lld", ricci);
    assert_true(harness_db_write_int(*state,
                                     "UPDATE guardian SET email = '' WHERE id = ?1 RETURNING id",
                                     (const char *const[]){ricci_id, NULL}) > 0);
    long long mails =
        db1(state, "SELECT count(*) FROM mail_outbox WHERE kind = ?1", "debt_reminder");
    long long notices =
        db1(state, "SELECT count(*) FROM balance_notice WHERE kind = ?1", "reminder");
    long long audited = audits(state, "debt.reminder");

    /* Nothing selected. */
    struct harness_resp r;
    post(state, &w, DEBTORS "/solleciti", "", 422, &r);
    assert_has(&r, "Select at least one family in the list.");
    harness_resp_free(&r);

    char fields[256];
    snprintf(fields, sizeof(fields),
             "famiglia%%5B%%5D=%lld&famiglia%%5B%%5D=%lld&famiglia%%5B%%5D=%lld&"
             "famiglia%%5B%%5D=%lld",
             esposito, rossi, esposito, ricci);
    post(state, &w, DEBTORS "/solleciti", fields, 200, &r);
    assert_has(&r, "Reminders sent: 1. Skipped: 2.");
    assert_has(&r, "Reminder sent");
    assert_has(&r, "Skipped: the family is no longer in debt.");
    assert_has(&r, "Skipped: the family has no e-mail address.");
    harness_resp_free(&r);
    assert_int_equal(
        db1(state, "SELECT count(*) FROM mail_outbox WHERE kind = ?1", "debt_reminder"), mails + 1);
    assert_int_equal(db1(state,
                         "SELECT count(*) FROM mail_outbox WHERE kind = 'debt_reminder' AND "
                         "recipient = ?1",
                         "anna.esposito@example.it"),
                     1);
    assert_int_equal(db1(state, "SELECT count(*) FROM balance_notice WHERE kind = ?1", "reminder"),
                     notices + 1);
    char id[24];
    snprintf(id, sizeof(id), "%lld", esposito);
    assert_int_equal(db1(state,
                         "SELECT count(*) FROM balance_notice WHERE kind = 'reminder' AND "
                         "guardian_id = ?1 AND balance_cents = -4500 AND outbox_id IS NOT NULL",
                         id),
                     1);
    assert_int_equal(audits(state, "debt.reminder"), audited + 1);
    /* The subject tells the amount. */
    assert_int_equal(db1(state,
                         "SELECT count(*) FROM mail_outbox WHERE kind = 'debt_reminder' AND "
                         "recipient = ?1 AND subject LIKE '%45,00%'",
                         "anna.esposito@example.it"),
                     1);

    /* The list shows the reminder; "None" is left only for Ricci. */
    get(state, &w, DEBTORS "?q=esposito", 200, &r);
    assert_false(harness_body_has(&r, ">None<"));
    harness_resp_free(&r);
    get(state, &w, DEBTORS "?q=ricci", 200, &r);
    assert_has(&r, ">None<");
    assert_has(&r, "No e-mail address");
    harness_resp_free(&r);
}

/* ---- suspension ----------------------------------------------------------------------------- */

static void test_suspension(void **state)
{
    struct who w;
    sign_in(state, UFFICIO, &w);
    long long ricci = guardian_id(state, "Ricci");
    char id[24], path[256];
    snprintf(id, sizeof(id), "%lld", ricci);
    account_path(path, sizeof(path), ricci, "sospensione");
    long long audited = audits(state, "debt.suspend");
    struct harness_resp r;

    /* No reason, no date: refused next to the fields, nothing changed. */
    post(state, &w, path, "data_avviso=&motivo_sospensione=", 422, &r);
    assert_has(&r, "id=\"data_avviso-error\"");
    assert_has(&r, "id=\"motivo_sospensione-error\"");
    harness_resp_free(&r);
    post(state, &w, path, "data_avviso=2026-01-10&motivo_sospensione=abc", 422, &r);
    assert_has(&r, "Write the reason: at least 5 characters.");
    harness_resp_free(&r);
    post(state, &w, path, "data_avviso=2999-01-01&motivo_sospensione=Diffida+inviata", 422, &r);
    assert_has(&r, "The date of the notice cannot be in the future.");
    assert_has(&r, "Diffida inviata"); /* kept */
    harness_resp_free(&r);
    assert_int_equal(db1(state,
                         "SELECT count(*) FROM wallet WHERE guardian_id = ?1 AND "
                         "suspended_at IS NULL",
                         id),
                     1);
    assert_int_equal(audits(state, "debt.suspend"), audited);

    /* With both: suspended, audited, the family told (Ricci has an address again). */
    assert_true(harness_db_write_int(*state,
                                     "UPDATE guardian SET email = 'luca.ricci@example.it' WHERE "
                                     "id = ?1 RETURNING id",
                                     (const char *const[]){id, NULL}) > 0);
    post(state, &w, path,
         "data_avviso=15%2F01%2F2026&motivo_sospensione=Debito+non+saldato+dopo+la+diffida", 303,
         &r);
    harness_resp_free(&r);
    assert_int_equal(db1(state,
                         "SELECT count(*) FROM wallet WHERE guardian_id = ?1 AND suspended_at IS "
                         "NOT NULL AND suspended_notice_on = '2026-01-15' AND suspended_reason = "
                         "'Debito non saldato dopo la diffida' AND suspended_by = "
                         "'ufficio@comune.esempio.it'",
                         id),
                     1);
    assert_int_equal(audits(state, "debt.suspend"), audited + 1);
    assert_int_equal(db1(state,
                         "SELECT count(*) FROM balance_notice WHERE kind = 'suspension' AND "
                         "guardian_id = ?1",
                         id),
                     1);
    assert_int_equal(db1(state,
                         "SELECT count(*) FROM mail_outbox WHERE kind = 'debt_suspension' AND "
                         "recipient = ?1",
                         "luca.ricci@example.it"),
                     1);
    account_path(path, sizeof(path), ricci, "conto");
    get(state, &w, path, 200, &r);
    assert_has(&r, "Suspended");
    assert_has(&r, "15/01/2026");
    assert_has(&r, "Debito non saldato dopo la diffida");
    assert_has(&r, "Lift the suspension");
    harness_resp_free(&r);

    /* Twice: refused. A family in credit: refused. */
    account_path(path, sizeof(path), ricci, "sospensione");
    post(state, &w, path, "data_avviso=2026-01-15&motivo_sospensione=Ancora+una+volta", 409, &r);
    harness_resp_free(&r);
    account_path(path, sizeof(path), guardian_id(state, "Rossi"), "sospensione");
    post(state, &w, path, "data_avviso=2026-01-15&motivo_sospensione=Ancora+una+volta", 409, &r);
    harness_resp_free(&r);
    assert_int_equal(audits(state, "debt.suspend"), audited + 1);

    /* Lifting needs a reason too. */
    long long lifted = audits(state, "debt.lift");
    account_path(path, sizeof(path), ricci, "riattivazione");
    post(state, &w, path, "motivo_riattivazione=", 422, &r);
    harness_resp_free(&r);
    assert_int_equal(audits(state, "debt.lift"), lifted);
    post(state, &w, path, "motivo_riattivazione=Piano+di+rientro+concordato", 303, &r);
    harness_resp_free(&r);
    assert_int_equal(audits(state, "debt.lift"), lifted + 1);
    assert_int_equal(db1(state,
                         "SELECT count(*) FROM wallet WHERE guardian_id = ?1 AND "
                         "suspended_at IS NULL AND suspended_reason = ''",
                         id),
                     1);
    assert_int_equal(db1(state,
                         "SELECT count(*) FROM audit_log WHERE action = 'debt.lift' AND "
                         "entity_id = ?1 AND detail = 'Piano di rientro concordato'",
                         id),
                     1);
    post(state, &w, path, "motivo_riattivazione=Piano+di+rientro+concordato", 409, &r);
    harness_resp_free(&r);
}

/* ---- manual entries ------------------------------------------------------------------------- */

static void test_manual_entry(void **state)
{
    struct who w;
    sign_in(state, UFFICIO, &w);
    long long rossi = guardian_id(state, "Rossi");
    char path[256];
    account_path(path, sizeof(path), rossi, "movimenti");
    long long before = balance(state, rossi);
    long long n = entries(state);
    long long audited = audits(state, "debt.manual_entry");
    struct harness_resp r;

    /* Bad amounts: refused with a message, nothing changes. */
    static const struct {
        const char *amount, *message;
    } bad[] = {
        {"abc", "Enter an amount in euro, like 12,50 or -3,20."},
        {"0", "The amount cannot be zero."},
        {"0%2C00", "The amount cannot be zero."},
        {"-", "Enter an amount in euro, like 12,50 or -3,20."},
        {"12.50", "Write the cents after a comma, as in 12,50 (not 12.50)."},
        {"1.000.000%2C01", "The amount can be at most 1.000.000,00 euro."},
        {"99999999999999999999", "The amount can be at most 1.000.000,00 euro."},
        {"", "Enter the amount."},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char fields[512];
        snprintf(fields, sizeof(fields),
                 "tipo_movimento=adjustment&importo=%s&motivo_movimento=Rettifica+di+prova",
                 bad[i].amount);
        post(state, &w, path, fields, 422, &r);
        assert_has(&r, bad[i].message);
        assert_has(&r, "id=\"importo-error\"");
        assert_has(&r, "Rettifica di prova"); /* the reason is kept */
        harness_resp_free(&r);
    }
    /* A refund or a fee is typed without a sign. */
    post(state, &w, path, "tipo_movimento=fee&importo=-3%2C00&motivo_movimento=Quota+annuale", 422,
         &r);
    assert_has(&r, "Enter the amount without a minus sign");
    harness_resp_free(&r);
    /* The reason is required. */
    post(state, &w, path, "tipo_movimento=adjustment&importo=12%2C50&motivo_movimento=", 422, &r);
    assert_has(&r, "id=\"motivo_movimento-error\"");
    assert_has(&r, "value=\"12,50\"");
    harness_resp_free(&r);
    post(state, &w, path, "tipo_movimento=adjustment&importo=12%2C50&motivo_movimento=abc", 422,
         &r);
    harness_resp_free(&r);
    /* A refund larger than the credit. */
    post(state, &w, path, "tipo_movimento=refund&importo=100000&motivo_movimento=Rimborso+finale",
         422, &r);
    assert_has(&r, "A refund cannot be larger than the family"); /* the apostrophe is escaped */
    harness_resp_free(&r);
    assert_int_equal(balance(state, rossi), before);
    assert_int_equal(entries(state), n);
    assert_int_equal(audits(state, "debt.manual_entry"), audited);
    assert_int_equal(ledger_mismatches(state), 0);

    /* An adjustment: the balance moves by exactly the amount. */
    post(state, &w, path,
         "tipo_movimento=adjustment&importo=12%2C50&motivo_movimento=Pasti+non+consumati+in+gita",
         303, &r);
    assert_non_null(strstr(harness_header(&r, "Location", 0), "?esito=movimento"));
    harness_resp_free(&r);
    assert_int_equal(balance(state, rossi), before + 1250);
    post(state, &w, path,
         "tipo_movimento=adjustment&importo=-2%2C30&motivo_movimento=Correzione+addebito", 303, &r);
    harness_resp_free(&r);
    assert_int_equal(balance(state, rossi), before + 1250 - 230);
    /* A refund and a fee leave the wallet. */
    post(state, &w, path, "tipo_movimento=refund&importo=5&motivo_movimento=Rimborso+al+ritiro",
         303, &r);
    harness_resp_free(&r);
    post(state, &w, path,
         "tipo_movimento=fee&importo=1%2C00&motivo_movimento=Diritti+di+segreteria", 303, &r);
    harness_resp_free(&r);
    assert_int_equal(balance(state, rossi), before + 1250 - 230 - 500 - 100);
    assert_int_equal(entries(state), n + 4);
    assert_int_equal(audits(state, "debt.manual_entry"), audited + 4);
    assert_int_equal(ledger_mismatches(state), 0);
    char id[24];
    snprintf(id, sizeof(id), "%lld", rossi);
    assert_int_equal(db1(state,
                         "SELECT count(*) FROM ledger_entry WHERE guardian_id = ?1 AND kind = "
                         "'refund' AND amount_cents = -500 AND reason = 'Rimborso al ritiro' AND "
                         "created_by = 'ufficio@comune.esempio.it'",
                         id),
                     1);

    /* The account page lists them with the running balance, and filters by kind. */
    account_path(path, sizeof(path), rossi, "conto?esito=movimento");
    get(state, &w, path, 200, &r);
    assert_has(&r, "The entry was recorded.");
    assert_has(&r, "Pasti non consumati in gita");
    assert_has(&r, "Record an entry");
    harness_resp_free(&r);
    account_path(path, sizeof(path), rossi, "conto?tipo=refund");
    get(state, &w, path, 200, &r);
    assert_has(&r, "Entries: 1");
    assert_has(&r, "Rimborso al ritiro");
    assert_false(harness_body_has(&r, "Pasti non consumati in gita"));
    harness_resp_free(&r);
    account_path(path, sizeof(path), rossi, "conto?mese=2026-13");
    get(state, &w, path, 422, &r);
    harness_resp_free(&r);
}

/* ---- opening balances ----------------------------------------------------------------------- */

/* POST the import form with file data, azione and impronta (may be NULL). */
static void post_import(void **state, const struct who *w, const char *data, const char *action,
                        const char *digest, long status, struct harness_resp *r)
{
    static char body[BODY_MAX];
    size_t len = (size_t)snprintf(body, sizeof(body),
                                  "--" BOUNDARY "\r\nContent-Disposition: form-data; "
                                  "name=\"csrf\"\r\n\r\n%s\r\n",
                                  w->s.csrf);
    if (action)
        len += (size_t)snprintf(body + len, sizeof(body) - len,
                                "--" BOUNDARY "\r\nContent-Disposition: form-data; "
                                "name=\"azione\"\r\n\r\n%s\r\n",
                                action);
    if (digest)
        len += (size_t)snprintf(body + len, sizeof(body) - len,
                                "--" BOUNDARY "\r\nContent-Disposition: form-data; "
                                "name=\"impronta\"\r\n\r\n%s\r\n",
                                digest);
    len += (size_t)snprintf(
        body + len, sizeof(body) - len,
        "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"file\"; "
        "filename=\"saldi.csv\"\r\nContent-Type: text/csv\r\n\r\n%s\r\n--" BOUNDARY "--\r\n",
        data);
    assert_true(len < sizeof(body));
    const char *headers[] = {"Content-Type: multipart/form-data; boundary=" BOUNDARY, NULL};
    struct harness_req rq = {.method = "POST",
                             .path = IMPORT,
                             .headers = headers,
                             .body = body,
                             .body_len = len,
                             .cookie = w->cookie};
    harness_expect(*state, &rq, status, r);
}

static const char import_file[] = "\xEF\xBB\xBF"
                                  "Codice Fiscale;Saldo\r\n"
                                  "RSSGLI18E62H501A;12,50\r\n" /* 2: Giulia Rossi, credit */
                                  "SPSMTT17B11F839K;-3,20\r\n" /* 3: Matteo Esposito, debt */
                                  "XYZ123;1,00\r\n"            /* 4: malformed codice fiscale */
                                  "RSSMRA82C14H501K;5,00\r\n"  /* 5: a guardian, not a pupil */
                                  "RSSGLI18E62H501A;12,50\r\n" /* 6: repeated */
                                  "RSSLCU21P03H501G;12.50\r\n" /* 7: dot before the cents */
                                  "RSSLCU21P03H501G;0\r\n"     /* 8: zero (and repeated) */
                                  "\r\n"                       /* 9: blank, skipped */
                                  "RSSLCU21P03H501G;abc\r\n";  /* 10: not an amount */

static void test_opening_import(void **state)
{
    struct who w;
    sign_in(state, UFFICIO, &w);
    long long rossi = guardian_id(state, "Rossi");
    long long esposito = guardian_id(state, "Esposito");
    long long rb = balance(state, rossi), eb = balance(state, esposito);
    long long n = entries(state);
    struct harness_resp r;

    get(state, &w, IMPORT, 200, &r);
    assert_has(&r, "enctype=\"multipart/form-data\"");
    harness_resp_free(&r);

    /* The dry run. */
    post_import(state, &w, import_file, "verifica", NULL, 200, &r);
    assert_has(&r, "Check of the file (nothing was changed)");
    assert_has(&r, "Lines in the file: 8. Would be applied: 2, total 9,30");
    assert_has(&r, "Refused: 6.");
    assert_has(&r, "The codice fiscale is not valid.");
    assert_has(&r, "No pupil with this codice fiscale in the municipality.");
    assert_has(&r, "This codice fiscale is already on an earlier line of the file.");
    assert_has(&r, "Write the cents after a comma, as in 12,50 (not 12.50).");
    assert_has(&r, "The amount cannot be zero.");
    assert_has(&r, "Enter an amount in euro, like 12,50 or -3,20.");
    assert_has(&r, "<th scope=\"row\">4</th>");
    assert_has(&r, "<th scope=\"row\">10</th>");
    assert_has(&r, "XYZ123;1,00");
    char digest[80];
    assert_true(harness_form_input(&r, "impronta", digest, sizeof(digest)));
    assert_int_equal(strlen(digest), 64);
    harness_resp_free(&r);
    assert_int_equal(entries(state), n);
    assert_int_equal(balance(state, rossi), rb);

    /* Applying another file than the one checked applies nothing. */
    post_import(state, &w, "codice_fiscale;saldo\nRSSGLI18E62H501A;99,00\n", "applica", digest, 200,
                &r);
    assert_has(&r, "This is not the file that was checked");
    harness_resp_free(&r);
    assert_int_equal(entries(state), n);

    /* Apply: exactly the two valid lines. */
    long long audited = audits(state, "debt.opening_import");
    post_import(state, &w, import_file, "applica", digest, 200, &r);
    assert_has(&r, "Applied: 2 lines, total 9,30");
    harness_resp_free(&r);
    assert_int_equal(entries(state), n + 2);
    assert_int_equal(balance(state, rossi), rb + 1250);
    assert_int_equal(balance(state, esposito), eb - 320);
    assert_int_equal(db1(state,
                         "SELECT count(*) FROM ledger_entry l JOIN pupil p ON p.id = l.pupil_id "
                         "WHERE l.kind = 'opening' AND l.ref = ?1 AND p.fiscal_code = "
                         "'RSSGLI18E62H501A' AND l.amount_cents = 1250",
                         "opening:RSSGLI18E62H501A"),
                     1);
    assert_int_equal(audits(state, "debt.opening_import"), audited + 1);
    assert_int_equal(ledger_mismatches(state), 0);

    /* The same file again: already imported, nothing applied. */
    post_import(state, &w, import_file, "verifica", NULL, 200, &r);
    assert_has(&r, "Would be applied: 0");
    assert_has(&r, "The opening balance of this pupil was already imported.");
    harness_resp_free(&r);
    post_import(state, &w, import_file, "applica", digest, 200, &r);
    assert_has(&r, "Applied: 0 lines");
    harness_resp_free(&r);
    assert_int_equal(entries(state), n + 2);
    assert_int_equal(balance(state, rossi), rb + 1250);

    /* A file refused as a whole. */
    post_import(state, &w, "nome;cognome\nMario;Rossi\n", "verifica", NULL, 422, &r);
    assert_has(&r, "The first line must name the columns: codice_fiscale;saldo.");
    harness_resp_free(&r);
    assert_int_equal(entries(state), n + 2);
}

/* ---- navigation and roles ------------------------------------------------------------------- */

static void test_enrollment_link(void **state)
{
    struct who w;
    sign_in(state, UFFICIO, &w);
    long long esposito = guardian_id(state, "Esposito");
    char gid[24], path[256];
    snprintf(gid, sizeof(gid), "%lld", esposito);
    long long e = db1(state, "SELECT id FROM enrollment WHERE guardian_id = ?1 LIMIT 1", gid);
    assert_true(e > 0);
    snprintf(path, sizeof(path), T "/ufficio/iscrizioni/%lld", e);
    struct harness_resp r;
    get(state, &w, path, 200, &r);
    char href[64];
    snprintf(href, sizeof(href), "href=\"./%lld/conto\"", e);
    assert_has(&r, href);
    harness_resp_free(&r);
    snprintf(path, sizeof(path), T "/ufficio/iscrizioni/%lld/conto", e);
    get(state, &w, path, 303, &r);
    char want[128];
    snprintf(want, sizeof(want), T "/ufficio/famiglie/%lld/conto", esposito);
    assert_non_null(strstr(harness_header(&r, "Location", 0), want));
    harness_resp_free(&r);
    get(state, &w, T "/ufficio/famiglie/999999/conto", 404, &r);
    harness_resp_free(&r);
    /* The navigation has the entry. */
    get(state, &w, T "/ufficio/", 200, &r);
    assert_has(&r, "/ufficio/debitori");
    harness_resp_free(&r);
}

static void test_roles(void **state)
{
    struct who k;
    sign_in(state, CUCINA, &k);
    long long esposito = guardian_id(state, "Esposito");
    long long before = balance(state, esposito);
    int routes = 0;
    for (const struct route *rt = debts_routes; rt->handler; rt++) {
        char path[256];
        const char *brace = strchr(rt->pattern, '{');
        if (brace)
            snprintf(path, sizeof(path), T "%.*s%lld%s", (int)(brace - rt->pattern), rt->pattern,
                     esposito, strchr(brace, '}') + 1);
        else
            snprintf(path, sizeof(path), T "%s", rt->pattern);
        struct harness_resp r;
        if (rt->method == HTTP_GET)
            get(state, &k, path, 403, &r);
        else
            post(state, &k, path,
                 "tipo_movimento=adjustment&importo=10&motivo_movimento=Prova+ruoli&"
                 "famiglia%5B%5D=1&data_avviso=2026-01-01&motivo_sospensione=Prova+ruoli",
                 403, &r);
        harness_resp_free(&r);
        routes++;
    }
    assert_true(routes >= 9);
    assert_int_equal(balance(state, esposito), before);

    /* The catering operator reads, but writes nothing. */
    struct who g;
    sign_in(state, GESTORE, &g);
    struct harness_resp r;
    get(state, &g, DEBTORS, 200, &r);
    assert_has(&r, "Families in debt:");
    assert_false(harness_body_has(&r, "name=\"famiglia[]\""));
    harness_resp_free(&r);
    char path[256];
    account_path(path, sizeof(path), esposito, "conto");
    get(state, &g, path, 200, &r);
    assert_false(harness_body_has(&r, "Record an entry"));
    harness_resp_free(&r);
    account_path(path, sizeof(path), esposito, "movimenti");
    post(state, &g, path, "tipo_movimento=adjustment&importo=10&motivo_movimento=Prova+ruoli", 403,
         &r);
    harness_resp_free(&r);
    get(state, &g, IMPORT, 403, &r);
    harness_resp_free(&r);
    assert_int_equal(balance(state, esposito), before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list_and_filters),
        cmocka_unit_test(test_reminders),
        cmocka_unit_test(test_suspension),
        cmocka_unit_test(test_manual_entry),
        cmocka_unit_test(test_opening_import),
        cmocka_unit_test(test_enrollment_link),
        cmocka_unit_test(test_roles),
    };
    return cmocka_run_group_tests(tests, harness_group_setup, harness_group_teardown);
}
