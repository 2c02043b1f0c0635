#include "web/form.h"

#include <string.h>

#include "web/html.h"

const char *form_err_reason(enum form_err e)
{
    switch (e) {
    case FORM_OK:
        return "ok";
    case FORM_ERR_ENCODING:
        return "malformed percent-encoding";
    case FORM_ERR_UTF8:
        return "invalid UTF-8";
    case FORM_ERR_TOO_MANY:
        return "too many fields";
    case FORM_ERR_TOO_LONG:
        return "field too long";
    }
    return "?";
}

static int form_hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

enum form_err form_decode(struct arena *a, const char *s, size_t n, bool plus_is_space, char **out)
{
    if (n > 3 * (size_t)HTTP_MAX_FIELD_BYTES)
        return FORM_ERR_TOO_LONG;
    char *d = arena_alloc(a, n + 1);
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            if (i + 2 >= n)
                return FORM_ERR_ENCODING;
            int hi = form_hex(s[i + 1]), lo = form_hex(s[i + 2]);
            if (hi < 0 || lo < 0)
                return FORM_ERR_ENCODING;
            c = (char)(hi * 16 + lo);
            if (c == '\0')
                return FORM_ERR_ENCODING;
            i += 2;
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        } else if (c == '\0') {
            return FORM_ERR_ENCODING;
        }
        d[j++] = c;
    }
    d[j] = '\0';
    if (j > HTTP_MAX_FIELD_BYTES)
        return FORM_ERR_TOO_LONG;
    if (!html_utf8_valid(d, j))
        return FORM_ERR_UTF8;
    *out = d;
    return FORM_OK;
}

enum form_err form_parse_urlencoded(struct arena *a, const char *s, size_t n, struct kv **out,
                                    size_t *count)
{
    /* Count separators first so the array is allocated once. */
    size_t pairs = 1;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '&')
            pairs++;
    if (pairs > HTTP_MAX_FIELDS + 1)
        return FORM_ERR_TOO_MANY;
    struct kv *list = arena_calloc(a, pairs, sizeof(*list));
    size_t k = 0, start = 0;
    while (start <= n) {
        size_t end = start;
        while (end < n && s[end] != '&')
            end++;
        if (end > start) {
            size_t eq = start;
            while (eq < end && s[eq] != '=')
                eq++;
            if (k == HTTP_MAX_FIELDS)
                return FORM_ERR_TOO_MANY;
            char *name, *value;
            enum form_err e = form_decode(a, s + start, eq - start, true, &name);
            if (e != FORM_OK)
                return e;
            if (eq < end)
                e = form_decode(a, s + eq + 1, end - eq - 1, true, &value);
            else
                value = arena_strdup(a, "");
            if (e != FORM_OK)
                return e;
            list[k].name = name;
            list[k].value = value;
            k++;
        }
        start = end + 1;
    }
    *out = list;
    *count = k;
    return FORM_OK;
}

const char *form_cookie(struct arena *a, const char *header, const char *name)
{
    if (!header)
        return NULL;
    size_t nl = strlen(name);
    const char *p = header;
    while (*p) {
        while (*p == ' ' || *p == ';')
            p++;
        const char *eq = strchr(p, '=');
        const char *semi = strchr(p, ';');
        if (!semi)
            semi = p + strlen(p);
        if (eq && eq < semi && (size_t)(eq - p) == nl && memcmp(p, name, nl) == 0) {
            const char *v = eq + 1;
            size_t vl = (size_t)(semi - v);
            if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
                v++;
                vl -= 2;
            }
            return arena_strndup(a, v, vl);
        }
        p = semi;
    }
    return NULL;
}
