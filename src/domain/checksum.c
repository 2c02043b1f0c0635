/* MOD 97-10 and the codice fiscale odd/even check character (see checksum.h). */
#include "domain/checksum.h"

int checksum_mod97(int r, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            r = (r * 10 + (c - '0')) % 97;
        } else if (c >= 'A' && c <= 'Z') {
            r = (r * 100 + (c - 'A' + 10)) % 97;
        } else {
            return -1;
        }
    }
    return r;
}

/*
 * Values for characters in odd positions, indexed by ordinal (A=0 .. Z=25, and '0'..'9' share
 * the first ten entries): the table published with DM 23 December 1976.
 */
static const unsigned char odd_values[26] = {1,  0,  5, 7, 9, 13, 15, 17, 19, 21, 2,  4,  18,
                                             20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23};

char checksum_odd_even(const char *s, size_t n)
{
    unsigned sum = 0;
    for (size_t i = 0; i < n; i++) {
        int v;
        if (s[i] >= '0' && s[i] <= '9') {
            v = s[i] - '0';
        } else if (s[i] >= 'A' && s[i] <= 'Z') {
            v = s[i] - 'A';
        } else {
            return 0;
        }
        /* i is 0-based, so i even is an odd 1-based position. */
        sum += (i % 2 == 0) ? odd_values[v] : (unsigned)v;
    }
    return (char)('A' + sum % 26);
}
