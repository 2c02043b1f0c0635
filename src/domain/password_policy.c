#include "domain/password_policy.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/msg.h"

/* Room for the longest password in bytes (4 bytes per character at most). */
#define PASSWORD_POLICY_MAX_BYTES (PASSWORD_POLICY_MAX_CHARS * 4)
/* A common word padded with at most this many digits or symbols is still common. */
#define PASSWORD_POLICY_MAX_PADDING 4
#define PASSWORD_POLICY_MIN_CORE    5

static int password_policy_cmp(const void *key, const void *elem)
{
    return strcmp((const char *)key, *(const char *const *)elem);
}

int password_policy_is_common(const char *s)
{
    char lower[PASSWORD_POLICY_MAX_BYTES + 1];
    size_t n = strlen(s);
    if (n > PASSWORD_POLICY_MAX_BYTES)
        return 0;
    for (size_t i = 0; i <= n; i++)
        lower[i] = (char)tolower((unsigned char)s[i]);
    return bsearch(lower, password_common, password_common_count, sizeof(password_common[0]),
                   password_policy_cmp) != NULL;
}

/* Counts UTF-8 characters; -1 when the bytes are not valid UTF-8 or hold control characters. */
static long password_policy_chars(const char *s)
{
    long chars = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned char c = *p;
        size_t len = c < 0x80             ? 1
                     : (c & 0xe0) == 0xc0 ? 2
                     : (c & 0xf0) == 0xe0 ? 3
                     : (c & 0xf8) == 0xf0 ? 4
                                          : 0;
        if (len == 0 || (len == 1 && (c < 0x20 || c == 0x7f)) || (len == 2 && c < 0xc2))
            return -1;
        for (size_t i = 1; i < len; i++)
            if ((p[i] & 0xc0) != 0x80)
                return -1;
        p += len;
        chars++;
    }
    return chars;
}

/* The password without up to PASSWORD_POLICY_MAX_PADDING digits/symbols at each end. */
static bool password_policy_padded_common(const char *s)
{
    size_t n = strlen(s), start = 0, end = n;
    while (start < n && start < PASSWORD_POLICY_MAX_PADDING && !isalpha((unsigned char)s[start]))
        start++;
    while (end > start && n - end < PASSWORD_POLICY_MAX_PADDING &&
           !isalpha((unsigned char)s[end - 1]))
        end--;
    if (end - start < PASSWORD_POLICY_MIN_CORE || (start == 0 && end == n))
        return false;
    char core[PASSWORD_POLICY_MAX_BYTES + 1];
    memcpy(core, s + start, end - start);
    core[end - start] = '\0';
    return password_policy_is_common(core);
}

static bool password_policy_contains_ci(const char *haystack, const char *needle)
{
    size_t n = strlen(needle);
    if (n == 0)
        return false;
    for (const char *p = haystack; *p; p++)
        if (strncasecmp(p, needle, n) == 0)
            return true;
    return false;
}

enum password_policy_err password_policy_check(const char *password, const char *fiscal_code,
                                               const char *email)
{
    if (strlen(password) > PASSWORD_POLICY_MAX_BYTES)
        return PASSWORD_POLICY_TOO_LONG;
    long chars = password_policy_chars(password);
    if (chars < 0)
        return PASSWORD_POLICY_INVALID;
    if (chars < PASSWORD_POLICY_MIN_CHARS)
        return PASSWORD_POLICY_TOO_SHORT;
    if (chars > PASSWORD_POLICY_MAX_CHARS)
        return PASSWORD_POLICY_TOO_LONG;
    if (password_policy_is_common(password) || password_policy_padded_common(password))
        return PASSWORD_POLICY_COMMON;
    if (fiscal_code && strlen(fiscal_code) >= 11 &&
        password_policy_contains_ci(password, fiscal_code))
        return PASSWORD_POLICY_PERSONAL;
    if (email && *email) {
        /* The whole address, or its local part when it is long enough to mean something. */
        const char *at = strchr(email, '@');
        char local[PASSWORD_POLICY_MAX_BYTES + 1] = "";
        if (at && (size_t)(at - email) < sizeof(local)) {
            memcpy(local, email, (size_t)(at - email));
            local[at - email] = '\0';
        }
        if (password_policy_contains_ci(password, email) ||
            (strlen(local) >= 4 && password_policy_contains_ci(password, local)))
            return PASSWORD_POLICY_PERSONAL;
    }
    unsigned char seen[256] = {0};
    int distinct = 0;
    for (const unsigned char *p = (const unsigned char *)password; *p; p++)
        if (!seen[*p]++)
            distinct++;
    if (distinct < 4)
        return PASSWORD_POLICY_REPETITIVE;
    return PASSWORD_POLICY_OK;
}

const char *password_policy_message(enum password_policy_err err)
{
    switch (err) {
    case PASSWORD_POLICY_OK:
        return "";
    case PASSWORD_POLICY_TOO_SHORT:
        return N_("Use at least 10 characters.");
    case PASSWORD_POLICY_TOO_LONG:
        return N_("Use at most 128 characters.");
    case PASSWORD_POLICY_COMMON:
        return N_("This password is too common and easy to guess: choose another one.");
    case PASSWORD_POLICY_PERSONAL:
        return N_("Do not use your codice fiscale or your e-mail address in the password.");
    case PASSWORD_POLICY_REPETITIVE:
        return N_("Use more different characters.");
    case PASSWORD_POLICY_INVALID:
        return N_("The password contains characters that cannot be used.");
    }
    return "";
}
