/*
 * E-mail over the real request path and real SMTP: the server (demo) with mail.url pointing at
 * `refettorio smtp-standin` running as its own process; the background sender delivers, the
 * office page shows each status, a failed message is tried again (CSRF, audit), the status
 * filter is a declared field. A second server uses the demo's own in-process stand-in and shows
 * received mail on the demo-only page, which `serve` on the same database does not have.
 * Attachments: a queued message with files goes out as multipart/mixed and the stand-in holds
 * the same bytes; the office sees names and sizes only; the demo page offers each file for
 * download, byte for byte, and nothing else under that path.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "standins/smtp.h"

#define MAIL_PATH "/esempio/ufficio/posta"
#define DEMO_PATH "/esempio/demo/posta"
#define BODY_MAX  4096

/* srv first, so *state is also a struct harness_server * for the harness functions. */
struct mail_fixture {
    struct harness_server srv;
    struct harness_proc smtp;
    char mail_dir[PATH_MAX];
    char smtp_tmp[64]; /* the stand-in's temporary folder, removed at the end */
};

static int external_setup(void **state)
{
    struct mail_fixture *f = calloc(1, sizeof(*f));
    if (!f)
        return -1;
    snprintf(f->smtp_tmp, sizeof(f->smtp_tmp), "/tmp/refettorio-smtp-XXXXXX");
    if (!mkdtemp(f->smtp_tmp))
        return -1;
    snprintf(f->mail_dir, sizeof(f->mail_dir), "%s/mail", f->smtp_tmp);
    if (harness_smtp_start(&f->smtp, f->mail_dir) != 0)
        return -1;
    char url[64];
    snprintf(url, sizeof(url), "mail.url=smtp://127.0.0.1:%d", f->smtp.port);
    const char *args[] = {"--set", url,
                          "--set", "mail.tls=none",
                          "--set", "mail.poll_seconds=1",
                          "--set", "mail.from=noreply@comune.esempio.it",
                          NULL};
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (harness_start(&f->srv, args) != 0)
        return -1;
    *state = f;
    return 0;
}

static int demo_setup(void **state)
{
    struct mail_fixture *f = calloc(1, sizeof(*f));
    if (!f)
        return -1;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (harness_start(&f->srv, NULL) != 0)
        return -1;
    snprintf(f->mail_dir, sizeof(f->mail_dir), "%s/demo-mail", f->srv.dir);
    *state = f;
    return 0;
}

static int mail_teardown(void **state)
{
    struct mail_fixture *f = *state;
    if (!f)
        return 0;
    harness_destroy(&f->srv);
    if (f->smtp.pid)
        assert_int_equal(harness_proc_stop(&f->smtp), 0);
    if (f->smtp_tmp[0]) {
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->smtp_tmp);
        int rc = system(cmd);
        (void)rc;
    }
    free(f);
    curl_global_cleanup();
    return 0;
}

static void wait_status(void **state, long long id, const char *status)
{
    char idtext[24];
    snprintf(idtext, sizeof(idtext), "%lld", id);
    const char *params[] = {idtext, status, NULL};
    if (!harness_db_wait(*state, "SELECT count(*) FROM mail_outbox WHERE id = ?1 AND status = ?2",
                         params, 1))
        fail_msg("message %lld never reached status %s", id, status);
}

/* Put a message into the outbox as a service would (the services that queue mail are tested
   on their own), due at due ("" for now); returns its id. */
static long long insert_mail_due(void **state, const char *to, const char *subject,
                                 const char *text, const char *status, const char *due)
{
    const char *params[] = {to, subject, text, status, due, NULL};
    long long id = harness_db_write_int(
        *state,
        "INSERT INTO mail_outbox (tenant_id, recipient, lang, kind, subject, body_text, "
        "body_html, status, attempts, next_attempt_at, created_at, last_error) "
        "SELECT id, ?1, 'it', 'verification_code', ?2, ?3, '<p>' || ?3 || '</p>', ?4, "
        "CASE ?4 WHEN 'failed' THEN 8 ELSE 0 END, "
        "CASE ?5 WHEN '' THEN strftime('%Y-%m-%dT%H:%M:%SZ', 'now') ELSE ?5 END, "
        "strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), "
        "CASE ?4 WHEN 'failed' THEN 'Connection refused (SMTP 0)' ELSE '' END "
        "FROM tenant WHERE slug = 'esempio' RETURNING id",
        params);
    assert_true(id > 0);
    return id;
}

static long long insert_mail(void **state, const char *to, const char *subject, const char *text,
                             const char *status)
{
    return insert_mail_due(state, to, subject, text, status, "");
}

/* The files of the attachment tests: a PDF with NUL, CR and LF among its bytes, and a CSV with
   a non-ASCII name. */
static const unsigned char letter_pdf[] = "%PDF-1.7\n\0\r\n\r\0\n%\xe2\xe3\xcf\xd3\n"
                                          "1 0 obj << /Type /Catalog >> endobj\n"
                                          "\xff\xfe\x80--=_rm_\r\n.\r\n%%EOF\n";
#define LETTER_LEN  (sizeof(letter_pdf) - 1)
#define LETTER_NAME "Credenziali Anna – Città.pdf"
static const char summary_csv[] = "classe;alunni\n1A;24\n";
#define SUMMARY_NAME "riepilogo città.csv"

/* Attach data to message id as mail_attach would store it (the row, in id order). The bytes go
   into the SQL as a blob literal: test data, never a value from a request. */
static void insert_attachment(void **state, long long id, const char *name, const char *type,
                              const unsigned char *data, size_t len)
{
    char sql[4096], idtext[24];
    int k = snprintf(sql, sizeof(sql),
                     "INSERT INTO mail_attachment (outbox_id, filename, content_type, data) "
                     "VALUES (?1, ?2, ?3, X'");
    for (size_t i = 0; i < len && k + 8 < (int)sizeof(sql); i++)
        k += snprintf(sql + k, sizeof(sql) - (size_t)k, "%02X", data[i]);
    snprintf(sql + k, sizeof(sql) - (size_t)k, "') RETURNING id");
    snprintf(idtext, sizeof(idtext), "%lld", id);
    const char *params[] = {idtext, name, type, NULL};
    assert_true(harness_db_write_int(*state, sql, params) > 0);
}

/* A message with the two files, held back until both are stored, then released to the
   sender; returns its id once it is sent. */
static long long send_with_attachments(void **state, const char *subject)
{
    long long id = insert_mail_due(state, "anna@example.it", subject, "In allegato le credenziali.",
                                   "queued", "9999-12-31T00:00:00Z");
    insert_attachment(state, id, LETTER_NAME, "application/pdf", letter_pdf, LETTER_LEN);
    insert_attachment(state, id, SUMMARY_NAME, "text/csv", (const unsigned char *)summary_csv,
                      strlen(summary_csv));
    char idtext[24];
    snprintf(idtext, sizeof(idtext), "%lld", id);
    const char *params[] = {idtext, NULL};
    assert_int_equal(
        harness_db_write_int(*state,
                             "UPDATE mail_outbox SET next_attempt_at = "
                             "strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?1 RETURNING id",
                             params),
        id);
    wait_status(state, id, "sent");
    return id;
}

/* Files the stand-in stored that contain needle (and also and_needle, when not NULL). */
static int stored_with_both(const char *dir, const char *needle, const char *and_needle)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strstr(e->d_name, ".eml"))
            continue;
        char path[PATH_MAX + 300], buf[65536];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        FILE *fp = fopen(path, "rb");
        if (!fp)
            continue;
        size_t got = fread(buf, 1, sizeof(buf) - 1, fp);
        buf[got] = '\0';
        fclose(fp);
        if (strstr(buf, needle) && (!and_needle || strstr(buf, and_needle)))
            n++;
    }
    closedir(d);
    return n;
}

static int stored_with(const char *dir, const char *needle)
{
    return stored_with_both(dir, needle, NULL);
}

static void test_office_page_needs_staff(void **state)
{
    struct harness_resp r;
    harness_expect_get(*state, MAIL_PATH, NULL, 303, &r);
    assert_string_equal(harness_header(&r, "Location", 0), "/esempio/ufficio/accedi");
    harness_resp_free(&r);
}

static void test_sender_delivers_and_office_sees_statuses(void **state)
{
    struct mail_fixture *f = *state;
    long long sent = insert_mail(state, "anna@example.it", "Codice di prova 424242",
                                 "Il codice è 424242", "queued");
    long long failed =
        insert_mail(state, "luca@example.it", "Messaggio non consegnato 99", "testo", "failed");
    wait_status(state, sent, "sent");
    /* What the SMTP server received: our headers and the quoted-printable text part. */
    assert_int_equal(stored_with(f->mail_dir, "Il codice =C3=A8 424242"), 1);
    assert_int_equal(stored_with(f->mail_dir, "X-Standin-Rcpt-To: anna@example.it"), 1);
    /* (The demo queues mail of its own at start-up: look at this message only.) */
    assert_int_equal(stored_with_both(f->mail_dir, "X-Standin-Rcpt-To: anna@example.it",
                                      "X-Refettorio-Tenant: esempio"),
                     1);

    struct harness_session s = {0};
    harness_sign_in(*state, HARNESS_DEMO_TENANT, HARNESS_DEMO_EMAIL, HARNESS_DEMO_PASSWORD, 303,
                    &s);
    struct harness_resp r;
    harness_expect_get(*state, MAIL_PATH, s.cookie, 200, &r);
    assert_true(harness_body_has(&r, "Codice di prova 424242"));
    assert_true(harness_body_has(&r, "data-status=\"sent\""));
    assert_true(harness_body_has(&r, "Messaggio non consegnato 99"));
    assert_true(harness_body_has(&r, "data-status=\"failed\""));
    assert_true(harness_body_has(&r, "Connection refused (SMTP 0)"));
    char action[96];
    snprintf(action, sizeof(action), "action=\"/esempio/ufficio/posta/%lld/riprova\"", failed);
    assert_true(harness_body_has(&r, action)); /* only failed messages can be tried again */
    snprintf(action, sizeof(action), "action=\"/esempio/ufficio/posta/%lld/riprova\"", sent);
    assert_false(harness_body_has(&r, action));
    harness_resp_free(&r);

    /* The filter is a declared, validated field. */
    harness_expect_get(*state, MAIL_PATH "?stato=failed", s.cookie, 200, &r);
    assert_true(harness_body_has(&r, "Messaggio non consegnato 99"));
    assert_false(harness_body_has(&r, "Codice di prova 424242"));
    harness_resp_free(&r);
    harness_expect_get(*state, MAIL_PATH "?stato=%3Cscript%3E", s.cookie, 422, &r);
    assert_true(harness_body_has(&r, "id=\"stato-error\""));
    assert_false(harness_body_has(&r, "<script>"));
    harness_resp_free(&r);
}

static void test_retry_failed_message(void **state)
{
    struct mail_fixture *f = *state;
    long long id =
        insert_mail(state, "giulia@example.it", "Da riprovare 777", "riprova 777", "failed");
    struct harness_session s = {0};
    harness_sign_in(*state, HARNESS_DEMO_TENANT, HARNESS_DEMO_EMAIL, HARNESS_DEMO_PASSWORD, 303,
                    &s);
    char path[96], body[BODY_MAX];
    snprintf(path, sizeof(path), MAIL_PATH "/%lld/riprova", id);
    struct harness_resp r;
    /* Without the CSRF token: refused, nothing changes. */
    harness_expect_post(*state, path, "x=1", s.cookie, 403, &r);
    harness_resp_free(&r);
    const char *q[] = {NULL};
    assert_int_equal(
        harness_db_int(*state, "SELECT count(*) FROM audit_log WHERE action = 'mail.requeue'", q),
        0);
    snprintf(body, sizeof(body), "csrf=%s", s.csrf);
    harness_expect_post(*state, path, body, s.cookie, 303, &r);
    assert_string_equal(harness_header(&r, "Location", 0), MAIL_PATH);
    harness_resp_free(&r);
    assert_int_equal(
        harness_db_int(*state, "SELECT count(*) FROM audit_log WHERE action = 'mail.requeue'", q),
        1);
    wait_status(state, id, "sent");
    assert_int_equal(stored_with(f->mail_dir, "riprova 777"), 1);
    /* A message that is not failed (any more), or does not exist, cannot be requeued. */
    harness_expect_post(*state, path, body, s.cookie, 404, &r);
    harness_resp_free(&r);
    harness_expect_post(*state, MAIL_PATH "/999999/riprova", body, s.cookie, 404, &r);
    harness_resp_free(&r);
}

static void test_demo_page_without_standin(void **state)
{
    /* mail.url names another server: the demo page says the stand-in is not running. */
    struct harness_resp r;
    harness_expect_get(*state, DEMO_PATH, NULL, 200, &r);
    assert_false(harness_body_has(&r, "Codice di prova 424242"));
    harness_resp_free(&r);
}

static void test_demo_page_shows_received_mail(void **state)
{
    long long id =
        insert_mail(state, "anna@example.it", "Benvenuti 31337", "Riga <b>uno</b> 31337", "queued");
    wait_status(state, id, "sent");
    struct harness_resp r;
    harness_expect_get(*state, DEMO_PATH, NULL, 200, &r);
    assert_true(harness_body_has(&r, "Benvenuti 31337"));
    assert_true(harness_body_has(&r, "anna@example.it"));
    /* The text part is text, and the HTML part is shown as escaped source. */
    assert_true(harness_body_has(&r, "Riga &lt;b&gt;uno&lt;/b&gt; 31337"));
    assert_true(harness_body_has(&r, "&lt;p&gt;Riga"));
    assert_false(harness_body_has(&r, "<b>uno</b>"));
    harness_resp_free(&r);
}

static void test_attachments_delivered_and_named_for_the_office(void **state)
{
    struct mail_fixture *f = *state;
    send_with_attachments(state, "Credenziali 5150");
    /* What the SMTP server received: multipart/mixed, and the same bytes once decoded. */
    struct arena a;
    arena_init(&a, 0);
    struct smtp_standin_msg *msgs;
    size_t n, found = 0;
    assert_int_equal(smtp_standin_read(&a, f->mail_dir, 0, &msgs, &n), 0);
    for (size_t i = 0; i < n; i++) {
        const struct smtp_standin_msg *m = &msgs[i];
        if (strcmp(m->subject, "Credenziali 5150") != 0)
            continue;
        found++;
        assert_non_null(strstr(m->content_type, "multipart/mixed"));
        assert_string_equal(m->text, "In allegato le credenziali.");
        assert_int_equal(m->nattachments, 2);
        assert_string_equal(m->attachments[0].filename, LETTER_NAME);
        assert_string_equal(m->attachments[0].content_type, "application/pdf");
        assert_int_equal(m->attachments[0].len, LETTER_LEN);
        assert_memory_equal(m->attachments[0].data, letter_pdf, LETTER_LEN);
        assert_string_equal(m->attachments[1].filename, SUMMARY_NAME);
        assert_int_equal(m->attachments[1].len, strlen(summary_csv));
        assert_memory_equal(m->attachments[1].data, summary_csv, strlen(summary_csv));
    }
    assert_int_equal(found, 1);
    arena_free(&a);

    /* The office sees the names and sizes, and no way to open the files. */
    struct harness_session s = {0};
    harness_sign_in(*state, HARNESS_DEMO_TENANT, HARNESS_DEMO_EMAIL, HARNESS_DEMO_PASSWORD, 303,
                    &s);
    struct harness_resp r;
    harness_expect_get(*state, MAIL_PATH, s.cookie, 200, &r);
    assert_true(harness_body_has(&r, "Credenziali 5150"));
    assert_true(harness_body_has(&r, "<li>" LETTER_NAME " (78 B)</li>"));
    assert_true(harness_body_has(&r, "<li>" SUMMARY_NAME " (20 B)</li>"));
    assert_false(harness_body_has(&r, "allegati"));
    harness_resp_free(&r);
}

/* The href of the n-th attachment link after the message whose subject is subject. */
static void attachment_href(const struct harness_resp *r, const char *subject, int n, char *out,
                            size_t cap)
{
    const char *p = strstr(r->body, subject);
    assert_non_null(p);
    for (int i = 0; i < n; i++) {
        p = strstr(p + 1, "href=\"/esempio/demo/posta/");
        assert_non_null(p);
    }
    p += strlen("href=\"");
    size_t len = strcspn(p, "\"");
    assert_true(len < cap);
    memcpy(out, p, len);
    out[len] = '\0';
}

static void test_demo_page_serves_attachments(void **state)
{
    send_with_attachments(state, "Lettera 8086");
    struct harness_resp r;
    harness_expect_get(*state, DEMO_PATH, NULL, 200, &r);
    assert_true(harness_body_has(&r, "Lettera 8086"));
    assert_true(harness_body_has(&r, LETTER_NAME));
    assert_true(harness_body_has(&r, SUMMARY_NAME "</a> (20 B)"));
    char pdf_href[128], csv_href[128];
    attachment_href(&r, "Lettera 8086", 1, pdf_href, sizeof(pdf_href));
    attachment_href(&r, "Lettera 8086", 2, csv_href, sizeof(csv_href));
    harness_resp_free(&r);
    assert_non_null(strstr(pdf_href, "/allegati/1"));
    assert_non_null(strstr(csv_href, "/allegati/2"));

    /* Each file downloads byte for byte, as a download with its name. */
    harness_expect_get(*state, pdf_href, NULL, 200, &r);
    assert_int_equal(r.body_len, LETTER_LEN);
    assert_memory_equal(r.body, letter_pdf, LETTER_LEN);
    assert_string_equal(harness_header(&r, "Content-Type", 0), "application/pdf");
    const char *cd = harness_header(&r, "Content-Disposition", 0);
    assert_non_null(cd);
    assert_int_equal(strncmp(cd, "attachment;", 11), 0);
    assert_non_null(strstr(cd, "filename*=UTF-8''Credenziali%20Anna%20%E2%80%93%20Citt%C3%A0.pdf"));
    assert_non_null(strstr(harness_header(&r, "Cache-Control", 0), "no-store"));
    harness_resp_free(&r);
    harness_expect_get(*state, csv_href, NULL, 200, &r);
    assert_int_equal(r.body_len, strlen(summary_csv));
    assert_memory_equal(r.body, summary_csv, r.body_len);
    assert_int_equal(strncmp(harness_header(&r, "Content-Type", 0), "text/csv", 8), 0);
    harness_resp_free(&r);

    /* Nothing else under that path: no third file, no file 0, numbers written otherwise, a
       message that does not exist. */
    char bad[160];
    const char *slash = strrchr(pdf_href, '/');
    static const char *const tails[] = {"3", "0", "01", "1x", "-1", "99999999999"};
    for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
        snprintf(bad, sizeof(bad), "%.*s/%s", (int)(slash - pdf_href), pdf_href, tails[i]);
        harness_expect_get(*state, bad, NULL, 404, &r);
        harness_resp_free(&r);
    }
    harness_expect_get(*state, DEMO_PATH "/999999/allegati/1", NULL, 404, &r);
    harness_resp_free(&r);
    harness_expect_get(*state, DEMO_PATH "/0/allegati/1", NULL, 404, &r);
    harness_resp_free(&r);
}

static void test_demo_page_only_in_demo_mode(void **state)
{
    struct mail_fixture *f = *state;
    assert_int_equal(harness_restart_serve(&f->srv, NULL), 0);
    struct harness_resp r;
    harness_expect_get(*state, "/esempio/", NULL, 200, &r); /* same database, same tenant */
    harness_resp_free(&r);
    harness_expect_get(*state, DEMO_PATH, NULL, 404, &r);
    harness_resp_free(&r);
    assert_int_equal(harness_stop(&f->srv), 0); /* the sender stops cleanly too */
}

int main(void)
{
    const struct CMUnitTest external[] = {
        cmocka_unit_test(test_office_page_needs_staff),
        cmocka_unit_test(test_sender_delivers_and_office_sees_statuses),
        cmocka_unit_test(test_retry_failed_message),
        cmocka_unit_test(test_demo_page_without_standin),
        cmocka_unit_test(test_attachments_delivered_and_named_for_the_office),
    };
    const struct CMUnitTest demo[] = {
        cmocka_unit_test(test_demo_page_shows_received_mail),
        cmocka_unit_test(test_demo_page_serves_attachments),
        cmocka_unit_test(test_demo_page_only_in_demo_mode),
    };
    int rc =
        cmocka_run_group_tests_name("external stand-in", external, external_setup, mail_teardown);
    rc |= cmocka_run_group_tests_name("demo stand-in", demo, demo_setup, mail_teardown);
    return rc;
}
