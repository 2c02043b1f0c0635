/*
 * Parsers for what browsers send: percent-decoding, application/x-www-form-urlencoded bodies
 * and query strings, and the Cookie header. Strict: a broken %-escape, an encoded NUL or invalid
 * UTF-8 is an error (the request gets 400), never a silent repair. Bounded by HTTP_MAX_FIELDS
 * and HTTP_MAX_FIELD_BYTES. Pure functions over an arena; fuzzed by fuzz/fuzz_form.c.
 */
#ifndef REFETTORIO_WEB_FORM_H
#define REFETTORIO_WEB_FORM_H

#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"
#include "web/http.h"

enum form_err {
    FORM_OK = 0,
    FORM_ERR_ENCODING, /* bad percent-escape or encoded NUL */
    FORM_ERR_UTF8,     /* decoded bytes are not valid UTF-8 */
    FORM_ERR_TOO_MANY, /* more than HTTP_MAX_FIELDS pairs */
    FORM_ERR_TOO_LONG, /* a name or value longer than HTTP_MAX_FIELD_BYTES */
};

const char *form_err_reason(enum form_err e);
/* Decode n bytes of s. plus_is_space for form data and queries, not for paths. */
enum form_err form_decode(struct arena *a, const char *s, size_t n, bool plus_is_space, char **out);
/* Parse "a=1&b=2" (query string or urlencoded body); empty pairs are skipped. */
enum form_err form_parse_urlencoded(struct arena *a, const char *s, size_t n, struct kv **out,
                                    size_t *count);
/* Value of a cookie in a Cookie header, copied into the arena; NULL when absent. */
const char *form_cookie(struct arena *a, const char *header, const char *name);

#endif
