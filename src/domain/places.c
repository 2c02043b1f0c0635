/* Binary search over the generated Belfiore table (see places.h). */
#include "domain/places.h"

#include <string.h>

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
