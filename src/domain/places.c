/* Binary search over the generated Belfiore table (see places.h). */
#include "domain/places.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "domain/normalize.h"

bool places_is_well_formed(const char *s)
{
    if (s == NULL || strlen(s) != PLACES_CODE_LEN) {
        return false;
    }
    if (s[0] < 'A' || s[0] > 'Z') {
        return false;
    }
    for (size_t i = 1; i < PLACES_CODE_LEN; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    return true;
}

bool places_is_foreign(const char *code)
{
    return places_is_well_formed(code) && code[0] == 'Z';
}

/* Index of the first row whose code is not less than code (lower bound). */
static size_t places_lower_bound(const char *code)
{
    size_t lo = 0;
    size_t hi = places_table_len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(places_table[mid].code, code) < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

size_t places_find_all(const char *code, const struct place **first)
{
    *first = NULL;
    if (!places_is_well_formed(code)) {
        return 0;
    }
    size_t i = places_lower_bound(code);
    size_t n = 0;
    while (i + n < places_table_len && strcmp(places_table[i + n].code, code) == 0) {
        n++;
    }
    if (n > 0) {
        *first = &places_table[i];
    }
    return n;
}

const struct place *places_find(const char *code)
{
    const struct place *first;
    return places_find_all(code, &first) > 0 ? first : NULL;
}

/* The name folded for comparison: ASCII, upper case, letters and digits only. */
static void places_fold(const char *in, char *out, size_t out_size)
{
    char ascii[256];
    normalize_fold_ascii(in, ascii, sizeof(ascii));
    size_t n = 0;
    for (const char *p = ascii; *p && n + 1 < out_size; p++)
        if (isalnum((unsigned char)*p))
            out[n++] = (char)toupper((unsigned char)*p);
    out[n] = '\0';
}

size_t places_search_name(const char *typed, const struct place **out, size_t max)
{
    if (!typed)
        return 0;
    /* "Name (PR)" narrows to one province. */
    char name[256], province[3] = "";
    snprintf(name, sizeof(name), "%s", typed);
    size_t len = strlen(name);
    while (len && isspace((unsigned char)name[len - 1]))
        name[--len] = '\0';
    if (len >= 4 && name[len - 1] == ')' && name[len - 4] == '(' &&
        isalpha((unsigned char)name[len - 3]) && isalpha((unsigned char)name[len - 2])) {
        province[0] = (char)toupper((unsigned char)name[len - 3]);
        province[1] = (char)toupper((unsigned char)name[len - 2]);
        province[2] = '\0';
        name[len - 4] = '\0';
    }
    char want[256];
    places_fold(name, want, sizeof(want));
    if (!want[0])
        return 0;
    if (places_is_well_formed(want)) {
        const struct place *p = places_find(want);
        if (p && max)
            out[0] = p;
        return p ? 1 : 0;
    }
    size_t n = 0;
    for (int pass = 0; pass < 2 && n == 0; pass++) /* current names first, then ceased ones */
        for (size_t i = 0; i < places_table_len; i++) {
            const struct place *p = &places_table[i];
            if (p->ceased != pass || (province[0] && strcmp(p->province, province) != 0))
                continue;
            char have[256];
            places_fold(p->name, have, sizeof(have));
            if (strcmp(have, want) != 0)
                continue;
            if (n < max)
                out[n] = p;
            n++;
        }
    return n;
}
