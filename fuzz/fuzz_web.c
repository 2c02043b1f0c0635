/*
 * libFuzzer target over the parsers of untrusted or operator input in src/web and src/util:
 * percent-decoding, urlencoded forms and queries, the Cookie header, INI configuration text and
 * .mo translation catalogues. The first byte picks the parser.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/arena.h"
#include "util/config.h"
#include "web/form.h"
#include "web/i18n.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *s = (const char *)data + 1;
    size_t n = size - 1;
    struct arena a;
    arena_init(&a, 4096);
    switch (data[0] % 5) {
    case 0: {
        char *out;
        if (form_decode(&a, s, n, data[0] & 8, &out) == FORM_OK && strlen(out) > n)
            __builtin_trap(); /* decoding never grows the input */
        break;
    }
    case 1: {
        struct kv *kv;
        size_t count;
        if (form_parse_urlencoded(&a, s, n, &kv, &count) == FORM_OK && count > HTTP_MAX_FIELDS)
            __builtin_trap();
        break;
    }
    case 2: {
        char *header = arena_strndup(&a, s, n);
        form_cookie(&a, header, "sid");
        break;
    }
    case 3: {
        struct config c;
        char msg[256];
        config_defaults(&c);
        config_load_text(&c, s, n, msg, sizeof(msg));
        break;
    }
    case 4: {
        struct i18n_catalog *cat = i18n_catalog_parse(s, n);
        if (cat) {
            i18n_catalog_lookup(cat, "Home");
            i18n_catalog_free(cat);
        }
        break;
    }
    }
    arena_free(&a);
    return 0;
}
