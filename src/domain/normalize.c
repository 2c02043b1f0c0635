/* Identifier compaction and Latin-1 transliteration (see normalize.h). */
#include "domain/normalize.h"

#include <string.h>

#include <stdint.h>

enum normalize_err normalize_compact(const char *in, char *out, size_t out_size, size_t *len,
                                     size_t *bad_pos)
{
    size_t n = 0;
    if (bad_pos != NULL) {
        *bad_pos = 0;
    }
    *len = 0;
    if (out_size == 0) {
        return NORMALIZE_TOO_LONG;
    }
    out[0] = '\0';
    if (in == NULL) {
        return NORMALIZE_EMPTY;
    }
    for (size_t i = 0; in[i] != '\0'; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == ' ' || c == '\t') {
            continue;
        }
        if (c >= 0x80 || c < 0x20 || c == 0x7f) {
            if (bad_pos != NULL) {
                *bad_pos = i + 1;
            }
            return c >= 0x80 ? NORMALIZE_NON_ASCII : NORMALIZE_CONTROL;
        }
        if (n + 1 >= out_size) {
            out[n] = '\0';
            *len = n;
            return NORMALIZE_TOO_LONG;
        }
        out[n++] = (char)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    }
    out[n] = '\0';
    *len = n;
    return n == 0 ? NORMALIZE_EMPTY : NORMALIZE_OK;
}

/*
 * ASCII base letters for U+00C0..U+00FF, '?' where there is no sensible one (multiplication and
 * division signs). Ligatures and sharp s fold to their first letter: the codice fiscale rules only
 * need letters, and a one-to-one map keeps output lengths predictable.
 */
static const char latin1_fold[64] = "AAAAAAACEEEEIIIIDNOOOOO?OUUUUYTs"
                                    "aaaaaaaceeeeiiiidnooooo?ouuuuyty";

/* Length of the UTF-8 sequence starting with lead byte c, 0 when c cannot start one. */
static size_t normalize_utf8_len(unsigned char c)
{
    if (c < 0x80) {
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        return 2;
    }
    if (c >= 0xe0 && c <= 0xef) {
        return 3;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        return 4;
    }
    return 0;
}

size_t normalize_fold_ascii(const char *in, char *out, size_t out_size)
{
    size_t n = 0;
    if (out_size == 0) {
        return 0;
    }
    if (in == NULL) {
        out[0] = '\0';
        return 0;
    }
    const unsigned char *p = (const unsigned char *)in;
    while (*p != '\0' && n + 1 < out_size) {
        size_t len = normalize_utf8_len(*p);
        size_t have = 1;
        while (have < len && (p[have] & 0xc0) == 0x80) {
            have++;
        }
        if (len == 1) {
            out[n++] = (char)(*p < 0x20 || *p == 0x7f ? ' ' : *p);
        } else if (len == 2 && have == 2) {
            uint32_t cp = ((uint32_t)(p[0] & 0x1f) << 6) | (p[1] & 0x3f);
            out[n++] = cp >= 0xc0 && cp <= 0xff ? latin1_fold[cp - 0xc0] : '?';
        } else {
            out[n++] = '?';
        }
        /* A truncated or invalid sequence consumes only the bytes that belong to it. */
        p += (len != 0 && have == len) ? len : have;
    }
    out[n] = '\0';
    return n;
}

const char *normalize_strerror(enum normalize_err err)
{
    switch (err) {
    case NORMALIZE_OK:
        return "ok";
    case NORMALIZE_EMPTY:
        return "the value is empty";
    case NORMALIZE_NON_ASCII:
        return "the value contains a non-ASCII character";
    case NORMALIZE_CONTROL:
        return "the value contains a control character";
    case NORMALIZE_TOO_LONG:
        return "the value is too long";
    }
    return "unknown error";
}

enum normalize_iso_err normalize_iso_head(const char *in, char *out, size_t out_size, size_t *len,
                                          size_t *err_pos, char country[3])
{
    size_t bad = 0;
    switch (normalize_compact(in, out, out_size, len, &bad)) {
    case NORMALIZE_OK:
        break;
    case NORMALIZE_EMPTY:
        return NORMALIZE_ISO_EMPTY;
    case NORMALIZE_NON_ASCII:
        *err_pos = bad;
        return NORMALIZE_ISO_NON_ASCII;
    case NORMALIZE_CONTROL:
        *err_pos = bad;
        return NORMALIZE_ISO_BAD_CHARACTER;
    case NORMALIZE_TOO_LONG:
        return NORMALIZE_ISO_TOO_LONG;
    }
    for (size_t i = 0; i < *len; i++) {
        char c = out[i];
        if (!(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9')) {
            *err_pos = i + 1;
            return NORMALIZE_ISO_BAD_CHARACTER;
        }
    }
    if (*len < 2 || !(out[0] >= 'A' && out[0] <= 'Z') || !(out[1] >= 'A' && out[1] <= 'Z')) {
        return NORMALIZE_ISO_BAD_COUNTRY;
    }
    memcpy(country, out, 2);
    country[2] = '\0';
    if (*len < 4 || !(out[2] >= '0' && out[2] <= '9') || !(out[3] >= '0' && out[3] <= '9')) {
        return NORMALIZE_ISO_BAD_CHECK_FORMAT;
    }
    return NORMALIZE_ISO_OK;
}
