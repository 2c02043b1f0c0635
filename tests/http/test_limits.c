/*
 * Every limit of src/web/http.h, gone past over the real request path: the right status comes
 * back, and the server still answers /health afterwards. Bad encodings, malformed requests and
 * slow bodies are refused the same way. Each test ends with the health check; the last stops the
 * server and expects a clean exit (under ASan: no leak from the refused requests).
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

#include "harness.h"
#include "web/http.h"

#define LOGIN_PATH     "/esempio/ufficio/accedi"
#define SLOW_TIMEOUT_S 1
#define SLOW_PAUSE_MS  1500

/* A malloc'd string of n copies of c. */
static char *repeat(char c, size_t n)
{
    char *s = malloc(n + 1);
    assert_non_null(s);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

/* POST body to the sign-in form, expect status, and check the server is still up. */
static void expect_form_refused(void **state, const char *body, long status)
{
    struct harness_resp r;
    harness_expect_post(*state, LOGIN_PATH, body, NULL, status, &r);
    harness_resp_free(&r);
    harness_assert_healthy(*state);
}

static void expect_get_refused(void **state, const char *path, long status)
{
    struct harness_resp r;
    harness_expect_get(*state, path, NULL, status, &r);
    harness_resp_free(&r);
    harness_assert_healthy(*state);
}

/* Request with one filler header of the given size. */
static long get_with_header_of(void **state, size_t bytes)
{
    char *fill = repeat('h', bytes);
    size_t n = bytes + 16;
    char *line = malloc(n);
    assert_non_null(line);
    snprintf(line, n, "X-Fill: %s", fill);
    const char *headers[] = {line, NULL};
    struct harness_req rq = {.path = "/esempio/", .headers = headers};
    struct harness_resp r;
    harness_request(*state, &rq, &r);
    long status = r.status;
    harness_resp_free(&r);
    free(line);
    free(fill);
    return status;
}

/* Refusals are in the access log with the reason, and with the path like any other request. */
static void test_refusal_is_logged(void **state)
{
    char *fill = repeat('h', HTTP_MAX_HEADER_BYTES + 1);
    size_t n = HTTP_MAX_HEADER_BYTES + 128;
    char *request = malloc(n);
    assert_non_null(request);
    snprintf(request, n, "GET /esempio/refused-probe HTTP/1.1\r\nHost: x\r\nX-Fill: %s\r\n\r\n",
             fill);
    int status = harness_raw_exchange(*state, request, strlen(request));
    free(request);
    free(fill);
    assert_int_equal(status, 431);
    assert_true(harness_log_wait(*state, "status=431 bytes="));
    assert_true(harness_log_wait(*state, "refused=\"request headers too large\""));
    assert_int_equal(harness_log_count(*state, "method=GET path=/esempio/refused-probe status=431"),
                     1);
}

/* "POST /esempio/ufficio/accedi" headers with a content type and one framing header. */
static int raw_post_head(char *out, size_t n, const char *content_type, const char *framing)
{
    return snprintf(out, n,
                    "POST " LOGIN_PATH " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    "Content-Type: %s\r\n%s\r\n\r\n",
                    content_type, framing);
}

/* Send the head, then body bytes of 'a' (the server may stop reading early); return status. */
static int raw_post(void **state, const char *content_type, const char *framing, size_t body)
{
    char head[512];
    int hn = raw_post_head(head, sizeof(head), content_type, framing);
    int fd = harness_raw_connect(*state);
    assert_true(fd >= 0);
    assert_true(harness_raw_send(fd, head, (size_t)hn));
    char *data = repeat('a', body);
    harness_raw_send(fd, data, body);
    free(data);
    char reply[4096];
    harness_raw_read(fd, reply, sizeof(reply), HARNESS_RAW_TIMEOUT);
    close(fd);
    return harness_raw_status(reply);
}

static void test_headers_over_limit_431(void **state)
{
    assert_int_equal(get_with_header_of(state, HTTP_MAX_HEADER_BYTES / 2), 200);
    assert_int_equal(get_with_header_of(state, HTTP_MAX_HEADER_BYTES + 1), 431);
    harness_assert_healthy(*state);
}

static void test_headers_past_connection_memory(void **state)
{
    /* Past HTTP_CONN_MEMORY: the library's own pool runs out before our callback runs. */
    long status = get_with_header_of(state, 2 * HTTP_CONN_MEMORY);
    if (status != 431 && status != 413 && status != 400)
        fprintf(stderr, "# 64 KiB of headers answered %ld\n", status);
    assert_true(status == 431 || status == 413 || status == 400);
    harness_assert_healthy(*state);
}

static void test_body_content_length_over_limit_413(void **state)
{
    char framing[64];
    snprintf(framing, sizeof(framing), "Content-Length: %d", HTTP_MAX_BODY_BYTES + 1);
    /* Only a little of the body is sent: the length alone is reason to refuse. */
    assert_int_equal(raw_post(state, "application/x-www-form-urlencoded", framing, 1024), 413);
    harness_assert_healthy(*state);
}

static void test_chunked_body_over_limit_413(void **state)
{
    char head[512];
    int hn = raw_post_head(head, sizeof(head), "application/x-www-form-urlencoded",
                           "Transfer-Encoding: chunked");
    int fd = harness_raw_connect(*state);
    assert_true(fd >= 0);
    assert_true(harness_raw_send(fd, head, (size_t)hn));
    char *chunk = repeat('a', 4096);
    for (size_t sent = 0; sent <= HTTP_MAX_BODY_BYTES; sent += 4096)
        if (!harness_raw_send(fd, "1000\r\n", 6) || !harness_raw_send(fd, chunk, 4096) ||
            !harness_raw_send(fd, "\r\n", 2))
            break; /* refused mid-way: the answer should be waiting */
    harness_raw_send(fd, "0\r\n\r\n", 5);
    free(chunk);
    char reply[4096];
    harness_raw_read(fd, reply, sizeof(reply), HARNESS_RAW_TIMEOUT);
    close(fd);
    assert_int_equal(harness_raw_status(reply), 413);
    harness_assert_healthy(*state);
}

static void test_multipart_over_upload_limit_413(void **state)
{
    char framing[64];
    snprintf(framing, sizeof(framing), "Content-Length: %d", HTTP_MAX_UPLOAD_BYTES + 1);
    assert_int_equal(raw_post(state, "multipart/form-data; boundary=x", framing, 1024), 413);
    harness_assert_healthy(*state);
}

static void test_uri_over_limit_414(void **state)
{
    char *seg = repeat('u', HTTP_MAX_URI_BYTES);
    size_t n = HTTP_MAX_URI_BYTES + 32;
    char *path = malloc(n);
    assert_non_null(path);
    snprintf(path, n, "/esempio/%s", seg);
    expect_get_refused(state, path, 414);
    snprintf(path, n, "/?q=%s", seg);
    expect_get_refused(state, path, 414);
    free(path);
    free(seg);
}

/* "f0=1&f1=1&..." with n fields. */
static char *many_fields(size_t n)
{
    size_t cap = n * 16 + 1;
    char *s = malloc(cap);
    assert_non_null(s);
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(s + len, cap - len, "%sf%zu=1", i ? "&" : "", i);
    return s;
}

static void test_too_many_fields_400(void **state)
{
    /* At the limit the body is read, and CSRF (absent here) is what refuses it. */
    char *at = many_fields(HTTP_MAX_FIELDS);
    expect_form_refused(state, at, 403);
    free(at);
    char *over = many_fields(HTTP_MAX_FIELDS + 1);
    expect_form_refused(state, over, 400);
    free(over);
}

static void test_field_too_long_400(void **state)
{
    char *value = repeat('v', HTTP_MAX_FIELD_BYTES + 1);
    size_t n = HTTP_MAX_FIELD_BYTES + 16;
    char *body = malloc(n);
    assert_non_null(body);
    snprintf(body, n, "note=%.*s", HTTP_MAX_FIELD_BYTES, value);
    expect_form_refused(state, body, 403); /* exactly at the limit: accepted, then CSRF */
    snprintf(body, n, "note=%s", value);
    expect_form_refused(state, body, 400);
    free(body);
    free(value);
}

static void test_broken_percent_encoding_400(void **state)
{
    expect_get_refused(state, "/esempio/%zz", 400);
    expect_get_refused(state, "/esempio/%4", 400);
    expect_get_refused(state, "/?a=%4", 400);
    expect_get_refused(state, "/?a=%g1", 400);
    expect_form_refused(state, "email=%zz", 400);
    expect_form_refused(state, "email=a%2", 400);
}

static void test_nul_byte_400(void **state)
{
    expect_get_refused(state, "/esempio/%00", 400);
    expect_get_refused(state, "/?a=%00", 400);
    expect_form_refused(state, "email=a%00b", 400);
}

static void test_invalid_utf8_400(void **state)
{
    expect_form_refused(state, "email=%ff%fe", 400);
    expect_form_refused(state, "email=%c3%28", 400); /* bad continuation byte */
    expect_form_refused(state, "email=%c0%af", 400); /* overlong "/" */
    expect_get_refused(state, "/esempio/%ff", 400);
}

static void expect_raw_refused(void **state, const char *request, int status)
{
    int got = harness_raw_exchange(*state, request, strlen(request));
    if (got != status)
        fprintf(stderr, "# %.40s...: expected %d, got %d (0: closed without an answer)\n", request,
                status, got);
    assert_int_equal(got, status);
    harness_assert_healthy(*state);
}

static void test_malformed_header_400(void **state)
{
    expect_raw_refused(state, "GET /health HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n", 400);
    expect_raw_refused(state,
                       "POST " LOGIN_PATH " HTTP/1.1\r\nHost: x\r\n"
                       "Content-Type: application/x-www-form-urlencoded\r\n"
                       "Content-Length: ten\r\n\r\n",
                       400);
    expect_raw_refused(state, "GET /health HTTP/9.9\r\nHost: x\r\n\r\n", 505);
}

static void test_malformed_request_line_400(void **state)
{
    expect_raw_refused(state, "GET /\r\n\r\n", 400);                           /* no version */
    expect_raw_refused(state, "GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n", 400); /* 4 words */
    expect_raw_refused(state, "G@T / HTTP/1.1\r\nHost: x\r\n\r\n", 501);       /* no such method */
    /* A line of one word: libmicrohttpd 0.9.75 closes the connection without an answer (newer
       releases send 400). Nothing is served and the server stays healthy. */
    expect_raw_refused(state, "GARBAGE\r\n\r\n", 0);
}

static void test_unsupported_content_type_415(void **state)
{
    const char *headers[] = {"Content-Type: text/plain", NULL};
    struct harness_req rq = {.path = LOGIN_PATH, .headers = headers, .body = "email=x"};
    struct harness_resp r;
    harness_expect(*state, &rq, 415, &r);
    harness_resp_free(&r);
    harness_assert_healthy(*state);
}

/* Headers and half the body, a pause longer than the request timeout, then the rest. Returns
   the status (0: none, -1: could not connect); asserts nothing, so the caller can always stop
   its server. */
static int slow_exchange(const struct harness_server *s)
{
    static const char body[] = "email=ufficio%40comune.esempio.it&password=Mensa-Esempio-2026";
    char head[512], framing[64], reply[4096];
    snprintf(framing, sizeof(framing), "Content-Length: %zu", sizeof(body) - 1);
    int hn = raw_post_head(head, sizeof(head), "application/x-www-form-urlencoded", framing);
    int fd = harness_raw_connect(s);
    if (fd < 0)
        return -1;
    size_t half = (sizeof(body) - 1) / 2;
    harness_raw_send(fd, head, (size_t)hn);
    harness_raw_send(fd, body, half);
    usleep(SLOW_PAUSE_MS * 1000);
    harness_raw_send(fd, body + half, sizeof(body) - 1 - half);
    harness_raw_read(fd, reply, sizeof(reply), HARNESS_RAW_TIMEOUT);
    close(fd);
    return harness_raw_status(reply);
}

/* A server of its own with a one-second request timeout. */
static void test_slow_body_408(void **state)
{
    char timeout[64];
    snprintf(timeout, sizeof(timeout), "server.request_timeout=%d", SLOW_TIMEOUT_S);
    const char *const args[] = {"--set", timeout, NULL};
    struct harness_server slow;
    int started = harness_start(&slow, args);
    int status = started == 0 ? slow_exchange(&slow) : -1;
    struct harness_req rq = {.path = "/health"};
    struct harness_resp health;
    harness_request(&slow, &rq, &health);
    harness_resp_free(&health);
    int exit_code = harness_stop(&slow);
    harness_destroy(&slow);
    assert_int_equal(started, 0);
    assert_int_equal(status, 408);
    assert_int_equal(health.status, 200);
    assert_int_equal(exit_code, 0);
}

static void test_clean_exit_after_abuse(void **state)
{
    struct harness_server *s = *state;
    harness_assert_healthy(s);
    assert_int_equal(harness_stop(s), 0);
    assert_int_equal(harness_log_count(s, "msg=stopped"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_headers_over_limit_431),
        cmocka_unit_test(test_headers_past_connection_memory),
        cmocka_unit_test(test_refusal_is_logged),
        cmocka_unit_test(test_body_content_length_over_limit_413),
        cmocka_unit_test(test_chunked_body_over_limit_413),
        cmocka_unit_test(test_multipart_over_upload_limit_413),
        cmocka_unit_test(test_uri_over_limit_414),
        cmocka_unit_test(test_too_many_fields_400),
        cmocka_unit_test(test_field_too_long_400),
        cmocka_unit_test(test_broken_percent_encoding_400),
        cmocka_unit_test(test_nul_byte_400),
        cmocka_unit_test(test_invalid_utf8_400),
        cmocka_unit_test(test_malformed_header_400),
        cmocka_unit_test(test_malformed_request_line_400),
        cmocka_unit_test(test_unsupported_content_type_415),
        cmocka_unit_test(test_slow_body_408),
        cmocka_unit_test(test_clean_exit_after_abuse),
    };
    return cmocka_run_group_tests_name("http limits", tests, harness_group_setup,
                                       harness_group_teardown);
}
