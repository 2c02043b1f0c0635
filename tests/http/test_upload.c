/*
 * multipart/form-data over the real request path (src/web/route.c, web/multipart.c): on a route
 * flagged ROUTE_UPLOAD the text parts are the form (the CSRF token is read from them) and a
 * malformed body is a 400; on any other route a multipart body stays a 415; the larger upload
 * limit holds only for upload routes. The upload route is found in the route tables the server
 * was built with (the first public POST with ROUTE_UPLOAD), so what its handler then does is not
 * this file's concern: only that the request got past the router. Skipped when there is none.
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
#include "util/buf.h"
#include "web/http.h"
#include "web/route.h"

#define TENANT     HARNESS_DEMO_TENANT
#define LOGIN_PATH "/" TENANT "/ufficio/accedi"
#define BOUNDARY   "----RefettorioTestBoundary7MA4YWxk"
#define CT         "Content-Type: multipart/form-data; boundary=" BOUNDARY
#define DASH       "--" BOUNDARY

/* "/<tenant>" + the pattern of the first public upload route, each {param} as "1"; false when
   the application has none. */
static bool upload_path(char *out, size_t n)
{
    ROUTE_FOREACH(rt)
    {
        if (!(rt->flags & ROUTE_UPLOAD) || (rt->flags & ROUTE_PLATFORM) || rt->roles ||
            rt->method != HTTP_POST)
            continue;
        size_t k = (size_t)snprintf(out, n, "/%s", TENANT);
        for (const char *p = rt->pattern; *p && k + 2 < n; p++) {
            if (*p == '{') {
                out[k++] = '1';
                p = strchr(p, '}');
                if (!p)
                    return false;
            } else {
                out[k++] = *p;
            }
        }
        out[k] = '\0';
        return true;
    }
    return false;
}

/* A multipart body: the csrf part (when csrf is not NULL), a text part, and a file of file_len
   bytes of 'p' after a PDF header. Caller frees. */
static char *body_with(const char *csrf, size_t file_len, size_t *len)
{
    struct buf b;
    buf_init(&b, 2 * (size_t)HTTP_MAX_UPLOAD_BYTES);
    if (csrf)
        buf_printf(&b, DASH "\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n%s\r\n",
                   csrf);
    buf_puts(&b, DASH "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nciao\r\n");
    buf_puts(&b, DASH "\r\nContent-Disposition: form-data; name=\"certificate\"; "
                      "filename=\"cert.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n");
    for (size_t i = 0; i < file_len; i++)
        buf_putc(&b, 'p');
    buf_puts(&b, "\r\n" DASH "--\r\n");
    assert_int_equal(b.err, BUF_OK);
    return buf_steal(&b, len);
}

static long post_multipart(void **state, const char *path, const char *ctype, const char *body,
                           size_t len, const char *cookie)
{
    const char *headers[] = {ctype, NULL};
    struct harness_req rq = {
        .path = path, .headers = headers, .body = body, .body_len = len, .cookie = cookie};
    struct harness_resp r;
    harness_request(*state, &rq, &r);
    long status = r.status;
    harness_resp_free(&r);
    return status;
}

static void test_multipart_elsewhere_is_415(void **state)
{
    struct harness_session s = {0};
    harness_open_login(*state, TENANT, &s);
    size_t len;
    char *body = body_with(s.csrf, 16, &len);
    assert_int_equal(post_multipart(state, LOGIN_PATH, CT, body, len, s.cookie), 415);
    free(body);
    /* Past the form limit it is refused by size before anything else. */
    body = body_with(s.csrf, HTTP_MAX_BODY_BYTES, &len);
    assert_int_equal(post_multipart(state, LOGIN_PATH, CT, body, len, s.cookie), 413);
    free(body);
    harness_assert_healthy(*state);
}

static void test_malformed_is_400(void **state)
{
    char path[256];
    if (!upload_path(path, sizeof(path)))
        skip();
    struct harness_session s = {0};
    harness_open_login(*state, TENANT, &s);
    const char *bodies[] = {
        DASH "\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nx\r\n", /* no end */
        DASH "\r\nContent-Disposition: attachment; name=\"csrf\"\r\n\r\nx\r\n" DASH "--",
        DASH "\r\nContent-Disposition: form-data; name=\"csrf\"\r\n folded\r\n\r\nx\r\n" DASH "--",
        "preamble\r\n" DASH "--",
        DASH "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n\xff\r\n" DASH "--",
    };
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++)
        assert_int_equal(post_multipart(state, path, CT, bodies[i], strlen(bodies[i]), s.cookie),
                         400);
    assert_int_equal(post_multipart(state, path, "Content-Type: multipart/form-data", DASH "--",
                                    strlen(DASH "--"), s.cookie),
                     400);
    assert_true(harness_log_wait(*state, "refused=\"malformed multipart body\""));
    assert_true(harness_log_wait(*state, "refused=\"multipart content type without a valid "
                                         "boundary\""));
    harness_assert_healthy(*state);
}

static void test_csrf_is_read_from_the_parts(void **state)
{
    char path[256];
    if (!upload_path(path, sizeof(path)))
        skip();
    struct harness_session s = {0};
    harness_open_login(*state, TENANT, &s);
    size_t len;
    char *body = body_with(NULL, 16, &len);
    assert_int_equal(post_multipart(state, path, CT, body, len, s.cookie), 403);
    free(body);
    body = body_with("not-the-token", 16, &len);
    assert_int_equal(post_multipart(state, path, CT, body, len, s.cookie), 403);
    free(body);
    int rejected = harness_log_count(*state, "csrf rejected");
    assert_true(rejected >= 2);

    /* The session's token in a part: past the CSRF check and the router, to the handler. A file
       larger than any form body is accepted on an upload route. */
    body = body_with(s.csrf, 2 * HTTP_MAX_BODY_BYTES, &len);
    long status = post_multipart(state, path, CT, body, len, s.cookie);
    free(body);
    assert_true(status != 400 && status != 413 && status != 415 && status < 500);
    assert_int_equal(harness_log_count(*state, "csrf rejected"), rejected);
    /* Past the upload limit: 413. */
    body = body_with(s.csrf, HTTP_MAX_UPLOAD_BYTES, &len);
    assert_true(len > HTTP_MAX_UPLOAD_BYTES);
    assert_int_equal(post_multipart(state, path, CT, body, len, s.cookie), 413);
    free(body);
    harness_assert_healthy(*state);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_multipart_elsewhere_is_415),
        cmocka_unit_test(test_malformed_is_400),
        cmocka_unit_test(test_csrf_is_read_from_the_parts),
    };
    return cmocka_run_group_tests(tests, harness_group_setup, harness_group_teardown);
}
