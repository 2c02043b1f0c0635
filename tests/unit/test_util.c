/* Unit tests: arena, bounded buffer, configuration layers, Europe/Rome time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/buf.h"
#include "util/config.h"
#include "util/time.h"

static void test_arena_alignment_and_large_blocks(void **state)
{
    struct arena a;
    arena_init(&a, 64);
    char *small = arena_alloc(&a, 3);
    double *d = arena_alloc(&a, sizeof(double));
    assert_int_equal((uintptr_t)d % _Alignof(max_align_t), 0);
    char *big = arena_alloc(&a, 10000); /* larger than a block: its own block */
    memset(big, 'x', 10000);
    char *after = arena_alloc(&a, 8); /* still served from the current block */
    assert_non_null(small);
    assert_non_null(after);
    assert_true(a.total >= 10000 + 8 + 3);
    char *s = arena_printf(&a, "%s-%d", "scuola", 42);
    assert_string_equal(s, "scuola-42");
    assert_string_equal(arena_strndup(&a, "abcdef", 3), "abc");
    arena_free(&a);
    assert_null(a.head);
}

static void test_buf_limit_is_hard_and_sticky(void **state)
{
    struct buf b;
    buf_init(&b, 10);
    assert_int_equal(buf_puts(&b, "12345"), BUF_OK);
    assert_int_equal(buf_puts(&b, "67890"), BUF_OK);
    assert_int_equal(b.len, 10);
    assert_int_equal(buf_putc(&b, 'x'), BUF_TOOBIG);
    assert_string_equal(buf_str(&b), "1234567890"); /* unchanged by the refused append */
    assert_int_equal(b.err, BUF_TOOBIG);
    assert_int_equal(buf_printf(&b, "%d", 1), BUF_TOOBIG);
    buf_reset(&b);
    assert_int_equal(b.err, BUF_OK);
    assert_int_equal(buf_printf(&b, "%s=%d", "a", 7), BUF_OK);
    size_t len;
    char *p = buf_steal(&b, &len);
    assert_string_equal(p, "a=7");
    assert_int_equal(len, 3);
    assert_int_equal(b.len, 0);
    free(p);
    buf_free(&b);
}

static void test_config_file_env_and_errors(void **state)
{
    struct config c;
    char msg[256];
    config_defaults(&c);
    assert_int_equal(c.port, 8080);
    assert_string_equal(c.listen, "127.0.0.1");
    const char *ini = "# comment\n[server]\nport = 9090\ntls = yes\n\n[database]\n"
                      "path = \"/srv/refettorio/db.sqlite\"\n";
    assert_int_equal(config_load_text(&c, ini, strlen(ini), msg, sizeof(msg)), CONFIG_OK);
    assert_int_equal(c.port, 9090);
    assert_true(c.tls);
    assert_string_equal(c.db_path, "/srv/refettorio/db.sqlite");

    setenv("REFETTORIO_SERVER_PORT", "7070", 1);
    assert_int_equal(config_load_env(&c, msg, sizeof(msg)), CONFIG_OK);
    assert_int_equal(c.port, 7070);
    setenv("REFETTORIO_SERVER_PORT", "70000", 1);
    assert_int_equal(config_load_env(&c, msg, sizeof(msg)), CONFIG_ERR_VALUE);
    assert_non_null(strstr(msg, "REFETTORIO_SERVER_PORT"));
    unsetenv("REFETTORIO_SERVER_PORT");

    const char *bad_key = "[server]\nprot = 1\n";
    assert_int_equal(config_load_text(&c, bad_key, strlen(bad_key), msg, sizeof(msg)),
                     CONFIG_ERR_KEY);
    assert_non_null(strstr(msg, "line 2"));
    const char *no_section = "port = 1\n";
    assert_int_equal(config_load_text(&c, no_section, strlen(no_section), msg, sizeof(msg)),
                     CONFIG_ERR_SYNTAX);
    const char *bad_bool = "[server]\ntls = maybe\n";
    assert_int_equal(config_load_text(&c, bad_bool, strlen(bad_bool), msg, sizeof(msg)),
                     CONFIG_ERR_VALUE);
    const char nul[] = "[server]\nport = 1\0 2\n";
    assert_int_equal(config_load_text(&c, nul, sizeof(nul) - 1, msg, sizeof(msg)),
                     CONFIG_ERR_SYNTAX);
    assert_int_equal(config_set(&c, "server.threads", "0", msg, sizeof(msg)), CONFIG_ERR_VALUE);
}

static time_t test_utc(int y, int mo, int d, int h, int mi)
{
    struct tm tm = {
        .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi};
    return timegm(&tm);
}

static void test_rome_offset_on_dst_change_days(void **state)
{
    /* 2026: summer time from 29 March 01:00 UTC to 25 October 01:00 UTC. */
    assert_int_equal(time_rome_offset(test_utc(2026, 3, 29, 0, 59)), 3600);
    assert_int_equal(time_rome_offset(test_utc(2026, 3, 29, 1, 0)), 7200);
    assert_int_equal(time_rome_offset(test_utc(2026, 10, 25, 0, 59)), 7200);
    assert_int_equal(time_rome_offset(test_utc(2026, 10, 25, 1, 0)), 3600);
    assert_int_equal(time_rome_offset(test_utc(2026, 1, 15, 12, 0)), 3600);
    assert_int_equal(time_rome_offset(test_utc(2026, 7, 15, 12, 0)), 7200);
    /* 2027: 28 March and 31 October. */
    assert_int_equal(time_rome_offset(test_utc(2027, 3, 28, 1, 0)), 7200);
    assert_int_equal(time_rome_offset(test_utc(2027, 10, 31, 0, 30)), 7200);
    assert_int_equal(time_rome_offset(test_utc(2027, 10, 31, 1, 30)), 3600);

    /* 23:30 UTC on 31 December is already the next year in Rome. */
    time_set_fake(test_utc(2026, 12, 31, 23, 30));
    char today[11];
    time_today("Europe/Rome", today);
    assert_string_equal(today, "2027-01-01");
    assert_int_equal(time_year_rome(), 2027);
    char iso[TIME_ISO_MAX];
    time_now_iso(iso);
    assert_string_equal(iso, "2026-12-31T23:30:00Z");
    time_set_fake(0);
}

static void test_parse_date_is_strict(void **state)
{
    int y, m, d;
    assert_true(time_parse_date("2028-02-29", &y, &m, &d));
    assert_int_equal(y * 10000 + m * 100 + d, 20280229);
    assert_false(time_parse_date("2027-02-29", &y, &m, &d));
    assert_false(time_parse_date("2027-13-01", &y, &m, &d));
    assert_false(time_parse_date("2027-1-01", &y, &m, &d));
    assert_false(time_parse_date("2027-04-31", &y, &m, &d));
    assert_false(time_parse_date("20x7-04-01", &y, &m, &d));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arena_alignment_and_large_blocks),
        cmocka_unit_test(test_buf_limit_is_hard_and_sticky),
        cmocka_unit_test(test_config_file_env_and_errors),
        cmocka_unit_test(test_rome_offset_on_dst_change_days),
        cmocka_unit_test(test_parse_date_is_strict),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
