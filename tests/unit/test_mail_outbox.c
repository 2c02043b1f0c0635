/* Unit tests for the mail outbox and sender (src/integrations/mail/), against the SMTP
   stand-in running in this process on loopback: rendering in the family's language with the
   municipality's contacts, queueing inside the caller's transaction, delivery, the exclusive
   claim (also with two senders at once), retries with backoff, permanent refusals, the office's
   requeue, and SMTP AUTH. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "integrations/mail/mime.h"
#include "integrations/mail/outbox.h"
#include "integrations/mail/sender.h"
#include "services/audit.h"
#include "services/password.h"
#include "standins/smtp.h"
#include "store/store.h"
#include "util/log.h"
#include "util/time.h"

#define TENANT_NAME "Comune di Città di Prova"

struct fixture {
    char dir[64];
    char db_path[128];
    char mail_dir[128];
    struct db *db;
    struct smtp_standin *smtp;
    struct arena arena;
};

static int group_setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/refettorio-mail-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->db_path, sizeof(f->db_path), "%s/t.sqlite", f->dir);
    snprintf(f->mail_dir, sizeof(f->mail_dir), "%s/mail", f->dir);
    char err[256];
    log_set_quiet(1);
    if (password_init() != 0 || store_init(f->db_path, err, sizeof(err)) != 0)
        return -1;
    f->db = store_db();
    struct smtp_standin_opts o = {.dir = f->mail_dir};
    f->smtp = smtp_standin_start(&o, err, sizeof(err));
    if (!f->smtp)
        return -1;
    arena_init(&f->arena, 0);
    *state = f;
    return 0;
}

static int group_teardown(void **state)
{
    struct fixture *f = *state;
    sender_stop();
    smtp_standin_stop(f->smtp);
    store_thread_done();
    arena_free(&f->arena);
    char cmd[160];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    int rc = system(cmd);
    (void)rc;
    free(f);
    return 0;
}

/* A municipality of its own for each test, so lists and counts never mix. */
static struct tenant make_tenant(struct fixture *f, const char *slug)
{
    struct tenant_new tn = {.slug = slug,
                            .name = TENANT_NAME,
                            .address = "Piazza Municipio 1, Prova",
                            .phone = "0123 456789",
                            .email = "scuola@comune.prova.it",
                            .office_hours = "lun-ven 9-12"};
    assert_int_equal(tenant_create(f->db, &tn, NULL), TENANT_OK);
    struct tenant t;
    assert_int_equal(tenant_find(f->db, &f->arena, slug, &t), 1);
    return t;
}

static void use_server(int port, const char *user, const char *password, int max_attempts)
{
    struct config cfg;
    config_defaults(&cfg);
    snprintf(cfg.mail_url, sizeof(cfg.mail_url), "smtp://127.0.0.1:%d", port);
    snprintf(cfg.mail_tls, sizeof(cfg.mail_tls), "none");
    snprintf(cfg.mail_from, sizeof(cfg.mail_from), "noreply@comune.prova.it");
    snprintf(cfg.mail_username, sizeof(cfg.mail_username), "%s", user ? user : "");
    snprintf(cfg.mail_password, sizeof(cfg.mail_password), "%s", password ? password : "");
    cfg.mail_max_attempts = max_attempts;
    assert_int_equal(sender_configure(&cfg), 0);
}

static int64_t queue_code(struct fixture *f, const struct tenant *t, const char *to,
                          const char *lang, const char *code)
{
    struct tv *d = tv_dict(&f->arena);
    tv_set_str(d, "code", code);
    tv_set_int(d, "minutes", 15);
    int64_t id = 0;
    assert_int_equal(db_begin(f->db), DB_OK);
    assert_int_equal(mail_queue(f->db, &f->arena, t, to, lang, "verification_code", d, &id), 0);
    assert_int_equal(db_commit(f->db), DB_OK);
    assert_true(id > 0);
    return id;
}

static struct mail_row row(struct fixture *f, const struct tenant *t, int64_t id)
{
    struct mail_row r;
    assert_int_equal(mail_find(f->db, &f->arena, t->id, id, &r), 1);
    return r;
}

/* Messages the stand-in holds for this tenant, newest first. */
static size_t received(struct fixture *f, const char *slug, struct smtp_standin_msg *out,
                       size_t max)
{
    struct smtp_standin_msg *msgs;
    size_t n, k = 0;
    assert_int_equal(smtp_standin_read(&f->arena, f->mail_dir, 0, &msgs, &n), 0);
    for (size_t i = 0; i < n; i++)
        if (strcmp(msgs[i].tenant, slug) == 0 && k < max)
            out[k++] = msgs[i];
    return k;
}

static void test_render_language_and_contacts(void **state)
{
    struct fixture *f = *state;
    struct tenant t = make_tenant(f, "render");
    struct tv *d = tv_dict(&f->arena);
    tv_set_str(d, "name", "<b>Anna</b> & Co");
    tv_set_str(d, "password", "Tmp-<pass>-42");
    tv_set_str(d, "signin_href", "https://example.it/render/famiglie/accedi");
    const char *subject, *text, *html;
    assert_int_equal(
        mail_render(&f->arena, &t, "en", "temporary_password", d, &subject, &text, &html), 0);
    assert_string_equal(subject, "Your temporary password for " TENANT_NAME);
    /* Plain text: the values as they are; HTML: escaped. */
    assert_non_null(strstr(text, "Hello <b>Anna</b> & Co,"));
    assert_non_null(strstr(text, "    Tmp-<pass>-42\n"));
    assert_non_null(strstr(html, "Hello &lt;b&gt;Anna&lt;/b&gt; &amp; Co,"));
    assert_null(strstr(html, "<b>Anna"));
    assert_non_null(strstr(html, "<html lang=\"en\">"));
    assert_non_null(strstr(html, "<title>Your temporary password for " TENANT_NAME "</title>"));
    /* The municipality's name and contacts in both parts. */
    assert_non_null(strstr(text, "Piazza Municipio 1, Prova"));
    assert_non_null(strstr(text, "0123 456789"));
    assert_non_null(strstr(text, "scuola@comune.prova.it"));
    assert_non_null(strstr(html, "Piazza Municipio 1, Prova"));
    assert_non_null(strstr(html, ">scuola@comune.prova.it</a>"));
    /* The subject line is not repeated in the body. */
    assert_null(strstr(text, "Your temporary password for"));
    /* Unknown templates and names that try to leave templates/mail are refused. */
    assert_int_equal(mail_render(&f->arena, &t, "en", "nope", NULL, &subject, &text, &html), -1);
    assert_int_equal(
        mail_render(&f->arena, &t, "en", "../office/home", NULL, &subject, &text, &html), -1);
}

static void test_queue_follows_the_transaction(void **state)
{
    struct fixture *f = *state;
    struct tenant t = make_tenant(f, "rollback");
    struct tv *d = tv_dict(&f->arena);
    tv_set_str(d, "code", "111111");
    tv_set_int(d, "minutes", 15);
    assert_int_equal(db_begin(f->db), DB_OK);
    assert_int_equal(
        mail_queue(f->db, &f->arena, &t, "anna@example.it", "it", "verification_code", d, NULL), 0);
    assert_int_equal(db_rollback(f->db), DB_OK);
    struct mail_row *rows;
    size_t n;
    assert_int_equal(mail_list(f->db, &f->arena, t.id, NULL, 10, &rows, &n), 0);
    assert_int_equal(n, 0); /* the action did not happen, so neither does the message */

    int64_t id = queue_code(f, &t, "  anna@EXAMPLE.it ", "it", "222222");
    assert_int_equal(mail_list(f->db, &f->arena, t.id, "queued", 10, &rows, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].id, id);
    assert_string_equal(rows[0].recipient, "anna@example.it");
    assert_string_equal(rows[0].kind, "verification_code");
    assert_int_equal(rows[0].attempts, 0);
    /* Bad addresses, unknown templates: nothing is written. */
    assert_int_equal(db_begin(f->db), DB_OK);
    assert_int_equal(
        mail_queue(f->db, &f->arena, &t, "not an address", "it", "verification_code", d, NULL), -1);
    assert_int_equal(mail_queue(f->db, &f->arena, &t, "a@b.it\r\nBcc: c@d.it", "it",
                                "verification_code", d, NULL),
                     -1);
    assert_int_equal(
        mail_queue(f->db, &f->arena, &t, "anna@example.it", "it", "no_such_mail", d, NULL), -1);
    assert_int_equal(db_commit(f->db), DB_OK);
    assert_int_equal(mail_list(f->db, &f->arena, t.id, NULL, 10, &rows, &n), 0);
    assert_int_equal(n, 1);
}

static void test_sender_delivers(void **state)
{
    struct fixture *f = *state;
    struct tenant t = make_tenant(f, "deliver");
    use_server(smtp_standin_port(f->smtp), NULL, NULL, 3);
    int64_t a = queue_code(f, &t, "anna@example.it", "en", "123456");
    int64_t b = queue_code(f, &t, "luca@example.it", "it", "654321");
    assert_true(sender_run_once() >= 2);
    struct mail_row ra = row(f, &t, a), rb = row(f, &t, b);
    assert_string_equal(ra.status, "sent");
    assert_string_equal(rb.status, "sent");
    assert_int_equal(ra.attempts, 1);
    assert_true(ra.sent_at[0] != '\0');
    assert_int_equal(sender_run_once(), 0); /* nothing is sent twice */

    struct smtp_standin_msg got[4];
    assert_int_equal(received(f, "deliver", got, 4), 2);
    const struct smtp_standin_msg *en =
        strcmp(got[0].rcpt_to, "anna@example.it") == 0 ? &got[0] : &got[1];
    assert_string_equal(en->rcpt_to, "anna@example.it");
    assert_string_equal(en->mail_from, "<noreply@comune.prova.it>");
    assert_string_equal(en->to, "anna@example.it");
    assert_string_equal(en->subject, "Your verification code for " TENANT_NAME);
    assert_non_null(strstr(en->text, "    123456\n"));
    assert_non_null(strstr(en->text, "Piazza Municipio 1, Prova"));
    assert_non_null(strstr(en->html, "<strong>123456</strong>"));
    assert_non_null(strstr(en->content_type, "multipart/alternative"));
    struct buf from;
    buf_init(&from, 1024);
    mime_header_decode(&from, en->from);
    assert_non_null(strstr(buf_str(&from), TENANT_NAME));
    assert_non_null(strstr(buf_str(&from), "<noreply@comune.prova.it>"));
    buf_free(&from);
}

static void test_claim_is_exclusive(void **state)
{
    struct fixture *f = *state;
    struct tenant t = make_tenant(f, "claim");
    int64_t id = queue_code(f, &t, "anna@example.it", "it", "333333");
    char now[TIME_ISO_MAX], stale[TIME_ISO_MAX];
    time_iso(time_now(), now);
    time_iso(time_now() - 3600, stale);
    static const char *const tokens[] = {"token-a", "token-b"};
    int changes[2];
    for (int i = 0; i < 2; i++) {
        struct db_stmt *st = db_stmt(f->db, STMT_MAIL_CLAIM);
        db_bind_text(st, 1, tokens[i]);
        db_bind_text(st, 2, now);
        db_bind_text(st, 3, stale);
        db_bind_int(st, 4, 100);
        assert_int_equal(db_exec_stmt(st), DB_OK);
        changes[i] = db_changes(f->db);
    }
    assert_int_equal(changes[0], 1);
    assert_int_equal(changes[1], 0); /* already sending under token-a */
    struct db_stmt *st = db_stmt(f->db, STMT_MAIL_CLAIMED);
    db_bind_text(st, 1, "token-b");
    assert_int_equal(db_step(st), DB_DONE);
    db_reset(st);
    assert_string_equal(row(f, &t, id).status, "sending");
    /* Only the holder of the claim records the outcome. */
    st = db_stmt(f->db, STMT_MAIL_MARK_SENT);
    db_bind_int(st, 1, id);
    db_bind_text(st, 2, "token-b");
    db_bind_text(st, 3, now);
    assert_int_equal(db_exec_stmt(st), DB_OK);
    assert_int_equal(db_changes(f->db), 0);
    st = db_stmt(f->db, STMT_MAIL_MARK_SENT);
    db_bind_int(st, 1, id);
    db_bind_text(st, 2, "token-a");
    db_bind_text(st, 3, now);
    assert_int_equal(db_exec_stmt(st), DB_OK);
    assert_int_equal(db_changes(f->db), 1);
    assert_string_equal(row(f, &t, id).status, "sent");
}

static void *run_sender(void *arg)
{
    (void)arg;
    sender_run_once();
    store_thread_done();
    return NULL;
}

static void test_two_senders_never_send_twice(void **state)
{
    struct fixture *f = *state;
    struct tenant t = make_tenant(f, "twosenders");
    use_server(smtp_standin_port(f->smtp), NULL, NULL, 3);
    enum { N = 12 };
    int64_t ids[N];
    for (int i = 0; i < N; i++) {
        char to[64], code[16];
        snprintf(to, sizeof(to), "family%d@example.it", i);
        snprintf(code, sizeof(code), "%06d", 100000 + i);
        ids[i] = queue_code(f, &t, to, "it", code);
    }
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&th[i], NULL, run_sender, NULL), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < N; i++) {
        struct mail_row r = row(f, &t, ids[i]);
        assert_string_equal(r.status, "sent");
        assert_int_equal(r.attempts, 1);
    }
    struct smtp_standin_msg got[N + 4];
    assert_int_equal(received(f, "twosenders", got, N + 4), N);
}

static void test_permanent_refusal_fails_at_once(void **state)
{
    struct fixture *f = *state;
    struct tenant t = make_tenant(f, "bounce");
    use_server(smtp_standin_port(f->smtp), NULL, NULL, 5);
    int64_t before = audit_count(f->db, t.id, "mail.failed");
    int64_t id = queue_code(f, &t, "bounce@example.it", "it", "444444");
    assert_true(sender_run_once() >= 1);
    struct mail_row r = row(f, &t, id);
    assert_string_equal(r.status, "failed");
    assert_int_equal(r.attempts, 1);
    assert_non_null(strstr(r.last_error, "550"));
    assert_int_equal(audit_count(f->db, t.id, "mail.failed"), before + 1);
}

static void test_server_down_retries_then_fails(void **state)
{
    struct fixture *f = *state;
    struct tenant t = make_tenant(f, "down");
    /* A port where nothing listens: start a stand-in for a free port, then stop it. */
    char err[128];
    char dead_dir[160];
    snprintf(dead_dir, sizeof(dead_dir), "%s/dead", f->dir);
    struct smtp_standin_opts o = {.dir = dead_dir};
    struct smtp_standin *dead = smtp_standin_start(&o, err, sizeof(err));
    assert_non_null(dead);
    int port = smtp_standin_port(dead);
    smtp_standin_stop(dead);
    use_server(port, NULL, NULL, 3);

    time_t t0 = time_now();
    time_set_fake(t0);
    int64_t id = queue_code(f, &t, "anna@example.it", "it", "555555");
    assert_int_equal(sender_run_once(), 1);
    struct mail_row r = row(f, &t, id);
    assert_string_equal(r.status, "retrying");
    assert_int_equal(r.attempts, 1);
    assert_true(r.last_error[0] != '\0');
    char at[TIME_ISO_MAX];
    time_iso(t0 + 60, at);
    assert_string_equal(r.next_attempt_at, at); /* first wait: 1 minute */
    assert_int_equal(sender_run_once(), 0);     /* not due yet */

    time_set_fake(t0 + 61);
    assert_int_equal(sender_run_once(), 1);
    r = row(f, &t, id);
    assert_string_equal(r.status, "retrying");
    assert_int_equal(r.attempts, 2);
    time_iso(t0 + 61 + 120, at);
    assert_string_equal(r.next_attempt_at, at); /* then 2 minutes */

    int64_t failed_before = audit_count(f->db, t.id, "mail.failed");
    time_set_fake(t0 + 61 + 121);
    assert_int_equal(sender_run_once(), 1);
    r = row(f, &t, id);
    assert_string_equal(r.status, "failed"); /* mail.max_attempts = 3 */
    assert_int_equal(r.attempts, 3);
    assert_int_equal(audit_count(f->db, t.id, "mail.failed"), failed_before + 1);
    time_set_fake(t0 + 3600);
    assert_int_equal(sender_run_once(), 0); /* failed is final */

    /* The office requeues it; the server is back; it is delivered. */
    assert_int_equal(mail_requeue(f->db, t.id, id), 1);
    assert_int_equal(mail_requeue(f->db, t.id, id), 0);        /* only failed messages */
    assert_int_equal(mail_requeue(f->db, t.id + 1000, id), 0); /* only this tenant's */
    r = row(f, &t, id);
    assert_string_equal(r.status, "queued");
    assert_int_equal(r.attempts, 0);
    use_server(smtp_standin_port(f->smtp), NULL, NULL, 3);
    assert_int_equal(sender_run_once(), 1);
    assert_string_equal(row(f, &t, id).status, "sent");
    time_set_fake(0);
}

static void test_backoff(void **state)
{
    static const int want[] = {1, 2, 4, 8, 16, 32, 60, 60, 60};
    for (int i = 0; i < 9; i++)
        assert_int_equal(sender_backoff_minutes(i + 1), want[i]);
    assert_int_equal(sender_backoff_minutes(1000), SENDER_BACKOFF_MAX_MINUTES);
}

static void test_configuration_checked(void **state)
{
    struct config cfg;
    config_defaults(&cfg);
    snprintf(cfg.mail_url, sizeof(cfg.mail_url), "http://127.0.0.1:25");
    assert_int_equal(sender_configure(&cfg), -1);
    char msg[256];
    assert_int_equal(config_set(&cfg, "mail.tls", "sometimes", msg, sizeof(msg)), CONFIG_ERR_VALUE);
    assert_int_equal(config_set(&cfg, "mail.tls", "starttls", msg, sizeof(msg)), CONFIG_OK);
    assert_int_equal(config_set(&cfg, "mail.max_attempts", "0", msg, sizeof(msg)),
                     CONFIG_ERR_VALUE);
}

/* Last: it leaves messages retrying. */
static void test_auth_and_temporary_refusal(void **state)
{
    struct fixture *f = *state;
    struct tenant t = make_tenant(f, "auth");
    char err[128], dir[160];
    snprintf(dir, sizeof(dir), "%s/auth-mail", f->dir);
    struct smtp_standin_opts o = {.dir = dir, .username = "mensa", .password = "S3greto!"};
    struct smtp_standin *smtp = smtp_standin_start(&o, err, sizeof(err));
    assert_non_null(smtp);
    use_server(smtp_standin_port(smtp), "mensa", "S3greto!", 3);
    int64_t ok = queue_code(f, &t, "anna@example.it", "it", "666666");
    assert_true(sender_run_once() >= 1);
    assert_string_equal(row(f, &t, ok).status, "sent");
    assert_int_equal(smtp_standin_count(smtp), 1);

    use_server(smtp_standin_port(smtp), "mensa", "wrong", 3);
    int64_t bad = queue_code(f, &t, "anna@example.it", "it", "777777");
    assert_true(sender_run_once() >= 1);
    struct mail_row r = row(f, &t, bad);
    assert_string_equal(r.status, "retrying");
    assert_true(r.last_error[0] != '\0');
    assert_int_equal(smtp_standin_count(smtp), 1);

    use_server(smtp_standin_port(f->smtp), NULL, NULL, 3);
    int64_t temp = queue_code(f, &t, "tempfail@example.it", "it", "888888");
    assert_true(sender_run_once() >= 1);
    r = row(f, &t, temp);
    assert_string_equal(r.status, "retrying"); /* a 4xx refusal is tried again */
    assert_non_null(strstr(r.last_error, "451"));
    smtp_standin_stop(smtp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_language_and_contacts),
        cmocka_unit_test(test_queue_follows_the_transaction),
        cmocka_unit_test(test_sender_delivers),
        cmocka_unit_test(test_claim_is_exclusive),
        cmocka_unit_test(test_two_senders_never_send_twice),
        cmocka_unit_test(test_permanent_refusal_fails_at_once),
        cmocka_unit_test(test_server_down_retries_then_fails),
        cmocka_unit_test(test_backoff),
        cmocka_unit_test(test_configuration_checked),
        cmocka_unit_test(test_auth_and_temporary_refusal),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
