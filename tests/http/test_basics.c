/*
 * The foundation's HTTP basics against the real server: pages, platform home, security headers,
 * static files, path traversal, unknown tenants and routes, redirects, HEAD, 405, keep-alive,
 * language choice, the access log, serve --help and a clean shutdown.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "util/config.h"

#define CSS_PATH    "/static/css/refettorio.css"
#define TENANT_NAME "Comune di Esempio"

/* Value of one CSP directive (up to ';') into out; false when the directive is absent. */
static bool csp_directive(const char *csp, const char *name, char *out, size_t n)
{
    size_t len = strlen(name);
    for (const char *p = csp; p && *p;) {
        while (*p == ' ' || *p == ';')
            p++;
        if (!strncmp(p, name, len) && (p[len] == ' ' || p[len] == ';' || p[len] == '\0')) {
            size_t vlen = strcspn(p + len, ";");
            snprintf(out, n, "%.*s", (int)vlen, p + len);
            return true;
        }
        p = strchr(p, ';');
    }
    return false;
}

static void assert_security_headers(const struct harness_resp *r)
{
    const char *csp = harness_header(r, "Content-Security-Policy", 0);
    assert_non_null(csp);
    char scripts[512];
    /* Scripts follow script-src, or default-src when there is none. */
    assert_true(csp_directive(csp, "script-src", scripts, sizeof(scripts)) ||
                csp_directive(csp, "default-src", scripts, sizeof(scripts)));
    assert_null(strstr(scripts, "'unsafe-inline'"));
    assert_null(strstr(scripts, "'unsafe-eval'"));
    char frames[128];
    assert_true(csp_directive(csp, "frame-ancestors", frames, sizeof(frames)));
    assert_non_null(strstr(frames, "'none'"));
    const char *nosniff = harness_header(r, "X-Content-Type-Options", 0);
    assert_non_null(nosniff);
    assert_string_equal(nosniff, "nosniff");
    assert_non_null(harness_header(r, "Referrer-Policy", 0));
}

static void test_tenant_home(void **state)
{
    struct harness_resp r;
    harness_expect_get(*state, "/esempio/", NULL, 200, &r);
    assert_true(harness_body_has(&r, TENANT_NAME));
    assert_true(harness_body_has(&r, "Scuola primaria Maria Montessori"));
    const char *ct = harness_header(&r, "Content-Type", 0);
    assert_non_null(ct);
    assert_non_null(strstr(ct, "text/html"));
    harness_resp_free(&r);
}

static void test_platform_home_lists_tenant(void **state)
{
    struct harness_resp r;
    harness_expect_get(*state, "/", NULL, 200, &r);
    assert_true(harness_body_has(&r, TENANT_NAME));
    assert_true(harness_body_has(&r, "href=\"/esempio/\""));
    harness_resp_free(&r);
}

static void test_security_headers_everywhere(void **state)
{
    static const struct {
        const char *path;
        long status;
    } cases[] = {
        {"/esempio/", 200},       {"/", 200},       {"/esempio/non-esiste", 404},
        {"/nessun-comune/", 404}, {CSS_PATH, 200},  {"/static/css/manca.css", 404},
        {"/esempio", 308},        {"/health", 200}, {"/esempio/ufficio/", 303},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct harness_resp r;
        harness_expect_get(*state, cases[i].path, NULL, cases[i].status, &r);
        assert_security_headers(&r);
        harness_resp_free(&r);
    }
}

static void test_static_etag_and_304(void **state)
{
    struct harness_resp r;
    harness_expect_get(*state, CSS_PATH, NULL, 200, &r);
    assert_true(r.body_len > 0);
    const char *ct = harness_header(&r, "Content-Type", 0);
    assert_non_null(ct);
    assert_non_null(strstr(ct, "text/css"));
    const char *cache = harness_header(&r, "Cache-Control", 0);
    assert_non_null(cache);
    assert_non_null(strstr(cache, "max-age="));
    const char *etag = harness_header(&r, "ETag", 0);
    assert_non_null(etag);
    assert_true(strlen(etag) > 2);

    char inm[HARNESS_HEADER_VALUE + 32];
    snprintf(inm, sizeof(inm), "If-None-Match: %s", etag);
    const char *headers[] = {inm, NULL};
    struct harness_req rq = {.path = CSS_PATH, .headers = headers};
    struct harness_resp again;
    harness_expect(*state, &rq, 304, &again);
    assert_int_equal(again.body_len, 0);

    const char *stale[] = {"If-None-Match: \"not-the-etag\"", NULL};
    struct harness_req rq_stale = {.path = CSS_PATH, .headers = stale};
    struct harness_resp full;
    harness_expect(*state, &rq_stale, 200, &full);
    assert_int_equal(full.body_len, r.body_len);
    harness_resp_free(&full);
    harness_resp_free(&again);
    harness_resp_free(&r);
}

static void test_static_traversal_refused(void **state)
{
    /* The server binary sits next to the static folder (build/refettorio, build/static). */
    static const char *const paths[] = {
        "/static/../refettorio",
        "/static/%2e%2e/refettorio",
        "/static/%2E%2E/refettorio",
        "/static/css/../../refettorio",
        "/static/..%2frefettorio",
        "/static/../Makefile",
        "/static/../../Makefile",
        "/static/%2e%2e/x",
        "/static/.hidden",
        "/static/./css/refettorio.css",
        "/static//css/refettorio.css",
        "/static/css/",
    };
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        struct harness_req rq = {.path = paths[i]};
        struct harness_resp r;
        harness_request(*state, &rq, &r);
        if (r.status != 404 && r.status != 400)
            fprintf(stderr, "# %s answered %ld\n", paths[i], r.status);
        assert_true(r.status == 404 || r.status == 400);
        assert_false(harness_body_has(&r, "ELF"));
        assert_false(harness_body_has(&r, "DEFAULT_GOAL"));
        harness_resp_free(&r);
    }
}

static void test_unknown_tenant_is_404_page(void **state)
{
    struct harness_resp r;
    harness_expect_get(*state, "/nessun-comune/", NULL, 404, &r);
    const char *ct = harness_header(&r, "Content-Type", 0);
    assert_non_null(ct);
    assert_non_null(strstr(ct, "text/html"));
    assert_true(harness_body_has(&r, "<html"));
    harness_resp_free(&r);
    /* Not a valid slug at all. */
    harness_expect_get(*state, "/NO_SUCH$/", NULL, 404, &r);
    harness_resp_free(&r);
}

static void test_unknown_route_in_tenant_is_404(void **state)
{
    struct harness_resp r;
    harness_expect_get(*state, "/esempio/non-esiste", NULL, 404, &r);
    assert_true(harness_body_has(&r, TENANT_NAME)); /* the tenant's own 404 page */
    harness_resp_free(&r);
    harness_expect_get(*state, "/esempio/ufficio/non-esiste", NULL, 404, &r);
    harness_resp_free(&r);
}

static void test_tenant_without_slash_redirects(void **state)
{
    struct harness_resp r;
    harness_expect_get(*state, "/esempio", NULL, 308, &r);
    const char *loc = harness_header(&r, "Location", 0);
    assert_non_null(loc);
    assert_string_equal(loc, "/esempio/");
    harness_resp_free(&r);
}

static void test_head(void **state)
{
    struct harness_req rq = {.method = "HEAD", .path = "/esempio/"};
    struct harness_resp r;
    harness_expect(*state, &rq, 200, &r);
    assert_int_equal(r.body_len, 0);
    const char *ct = harness_header(&r, "Content-Type", 0);
    assert_non_null(ct);
    assert_non_null(strstr(ct, "text/html"));
    harness_resp_free(&r);
}

static void test_post_to_get_route_is_405(void **state)
{
    struct harness_resp r;
    harness_expect_post(*state, "/esempio/", "a=b", NULL, 405, &r);
    const char *allow = harness_header(&r, "Allow", 0);
    assert_non_null(allow);
    assert_non_null(strstr(allow, "GET"));
    assert_null(strstr(allow, "POST")); /* Allow lists what the resource does accept */
    assert_security_headers(&r);
    harness_resp_free(&r);
}

static void test_keep_alive_curl(void **state)
{
    CURL *h = curl_easy_init();
    assert_non_null(h);
    struct harness_req rq = {.path = "/esempio/"};
    struct harness_resp first, second;
    harness_request_on(h, *state, &rq, &first);
    assert_int_equal(first.status, 200);
    assert_int_equal(first.new_connections, 1);
    rq.path = CSS_PATH;
    harness_request_on(h, *state, &rq, &second);
    assert_int_equal(second.status, 200);
    assert_int_equal(second.new_connections, 0); /* the first connection was reused */
    harness_resp_free(&first);
    harness_resp_free(&second);
    curl_easy_cleanup(h);
}

static int count_status_lines(const char *reply, const char *status_line)
{
    int n = 0;
    for (const char *p = reply; (p = strstr(p, status_line)) != NULL; p++)
        n++;
    return n;
}

static void test_keep_alive_raw_pipelined(void **state)
{
    static const char two[] =
        "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    int fd = harness_raw_connect(*state);
    assert_true(fd >= 0);
    assert_true(harness_raw_send(fd, two, sizeof(two) - 1));
    char reply[8192];
    harness_raw_read(fd, reply, sizeof(reply), HARNESS_RAW_TIMEOUT);
    close(fd);
    assert_int_equal(count_status_lines(reply, "HTTP/1.1 200 "), 2);

    /* Sequential: the second request goes out after the first answer, on the same socket. */
    static const char one[] = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    static const char last[] =
        "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    fd = harness_raw_connect(*state);
    assert_true(fd >= 0);
    assert_true(harness_raw_send(fd, one, sizeof(one) - 1));
    char part[4096];
    harness_raw_read(fd, part, sizeof(part), 500); /* the connection stays open: read times out */
    assert_int_equal(harness_raw_status(part), 200);
    assert_true(harness_raw_send(fd, last, sizeof(last) - 1));
    harness_raw_read(fd, part, sizeof(part), HARNESS_RAW_TIMEOUT);
    assert_int_equal(harness_raw_status(part), 200);
    close(fd);
}

static void test_lang_query_sets_cookie(void **state)
{
    struct harness_resp r;
    harness_expect_get(*state, "/esempio/?lang=en", NULL, 200, &r);
    char lang[16];
    assert_true(harness_cookie_value(&r, "lang", lang, sizeof(lang)));
    assert_string_equal(lang, "en");
    assert_true(harness_body_has(&r, "<html lang=\"en\""));
    assert_true(harness_body_has(&r, "Schools served"));
    harness_resp_free(&r);

    harness_expect_get(*state, "/esempio/", "lang=en", 200, &r);
    assert_true(harness_body_has(&r, "<html lang=\"en\""));
    assert_true(harness_body_has(&r, "Schools served"));
    harness_resp_free(&r);

    /* The query wins over the cookie. */
    harness_expect_get(*state, "/esempio/?lang=it", "lang=en", 200, &r);
    assert_true(harness_body_has(&r, "<html lang=\"it\""));
    harness_resp_free(&r);
}

static void test_default_lang_is_italian(void **state)
{
    struct harness_resp r;
    harness_expect_get(*state, "/esempio/", NULL, 200, &r);
    assert_true(harness_body_has(&r, "<html lang=\"it\""));
    assert_null(harness_set_cookie(&r, "lang"));
    harness_resp_free(&r);
    /* An unknown language falls back to the default. */
    harness_expect_get(*state, "/esempio/", "lang=xx", 200, &r);
    assert_true(harness_body_has(&r, "<html lang=\"it\""));
    harness_resp_free(&r);
}

static void test_access_log_line(void **state)
{
    struct harness_resp r;
    harness_expect_get(*state, "/esempio/log-probe-7f3a", NULL, 404, &r);
    harness_resp_free(&r);
    const char *line = "msg=request method=GET path=/esempio/log-probe-7f3a status=404";
    assert_true(harness_log_wait(*state, line));
    assert_int_equal(harness_log_count(*state, "path=/esempio/log-probe-7f3a"), 1);

    harness_expect_post(*state, "/esempio/log-probe-7f3b", "a=b", NULL, 404, &r);
    harness_resp_free(&r);
    assert_true(harness_log_wait(
        *state, "msg=request method=POST path=/esempio/log-probe-7f3b status=404"));
}

static void test_serve_help(void **state)
{
    /* The configuration table of src/util/config.c. */
    static const char *const args[] = {"serve", "--help", NULL};
    char out[16384];
    assert_int_equal(harness_run_cli(*state, args, NULL, out, sizeof(out)), 0);
    /* Every option of the configuration table (the test links the same table). */
    const char *name;
    size_t i = 0;
    for (; (name = config_option_name(i)) != NULL; i++) {
        if (!strstr(out, name))
            fprintf(stderr, "# serve --help does not mention %s\n", name);
        assert_non_null(strstr(out, name));
    }
    assert_true(i >= 13);
}

/* Last: the server took everything above and still stops cleanly. */
static void test_sigterm_clean_exit(void **state)
{
    struct harness_server *s = *state;
    harness_assert_healthy(s);
    assert_int_equal(harness_stop(s), 0);
    assert_true(harness_log_count(s, "msg=stopped") == 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tenant_home),
        cmocka_unit_test(test_platform_home_lists_tenant),
        cmocka_unit_test(test_security_headers_everywhere),
        cmocka_unit_test(test_static_etag_and_304),
        cmocka_unit_test(test_static_traversal_refused),
        cmocka_unit_test(test_unknown_tenant_is_404_page),
        cmocka_unit_test(test_unknown_route_in_tenant_is_404),
        cmocka_unit_test(test_tenant_without_slash_redirects),
        cmocka_unit_test(test_head),
        cmocka_unit_test(test_post_to_get_route_is_405),
        cmocka_unit_test(test_keep_alive_curl),
        cmocka_unit_test(test_keep_alive_raw_pipelined),
        cmocka_unit_test(test_lang_query_sets_cookie),
        cmocka_unit_test(test_default_lang_is_italian),
        cmocka_unit_test(test_access_log_line),
        cmocka_unit_test(test_serve_help),
        cmocka_unit_test(test_sigterm_clean_exit),
    };
    return cmocka_run_group_tests_name("http basics", tests, harness_group_setup,
                                       harness_group_teardown);
}
