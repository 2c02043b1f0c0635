#include "domain/totp.h"

#include <stdio.h>
#include <string.h>

/* ---- HMAC-SHA1 (RFC 2104) ----------------------------------------------------------------- */

void totp_hmac_sha1(const void *key, size_t key_len, const void *msg, size_t msg_len,
                    unsigned char out[SHA1_DIGEST_BYTES])
{
    unsigned char k[SHA1_BLOCK_BYTES] = {0}, pad[SHA1_BLOCK_BYTES], inner[SHA1_DIGEST_BYTES];
    /* Keys longer than a block are hashed first; shorter ones are zero-filled. */
    if (key_len > SHA1_BLOCK_BYTES)
        sha1(key, key_len, k);
    else if (key_len)
        memcpy(k, key, key_len);
    struct sha1_ctx c;
    for (size_t i = 0; i < SHA1_BLOCK_BYTES; i++)
        pad[i] = k[i] ^ 0x36;
    sha1_init(&c);
    sha1_update(&c, pad, sizeof(pad));
    sha1_update(&c, msg, msg_len);
    sha1_final(&c, inner);
    for (size_t i = 0; i < SHA1_BLOCK_BYTES; i++)
        pad[i] = k[i] ^ 0x5c;
    sha1_init(&c);
    sha1_update(&c, pad, sizeof(pad));
    sha1_update(&c, inner, sizeof(inner));
    sha1_final(&c, out);
    explicit_bzero(k, sizeof(k));
    explicit_bzero(pad, sizeof(pad));
    explicit_bzero(inner, sizeof(inner));
}

/* ---- HOTP / TOTP ---------------------------------------------------------------------------- */

static const uint32_t totp_pow10[] = {1,      10,      100,      1000,      10000,
                                      100000, 1000000, 10000000, 100000000, 1000000000};

uint32_t totp_hotp(const void *key, size_t key_len, uint64_t counter, int digits)
{
    unsigned char msg[8], mac[SHA1_DIGEST_BYTES];
    for (int i = 0; i < 8; i++)
        msg[7 - i] = (unsigned char)(counter >> (8 * i));
    totp_hmac_sha1(key, key_len, msg, sizeof(msg), mac);
    /* Dynamic truncation (RFC 4226 section 5.3). */
    int off = mac[SHA1_DIGEST_BYTES - 1] & 0x0f;
    uint32_t bin = (uint32_t)(mac[off] & 0x7f) << 24 | (uint32_t)mac[off + 1] << 16 |
                   (uint32_t)mac[off + 2] << 8 | (uint32_t)mac[off + 3];
    explicit_bzero(mac, sizeof(mac));
    if (digits < 1 || digits > 9)
        digits = TOTP_DIGITS;
    return bin % totp_pow10[digits];
}

int64_t totp_step(time_t t)
{
    return t < 0 ? 0 : (int64_t)t / TOTP_STEP_SECONDS;
}

uint32_t totp_at(const void *key, size_t key_len, time_t t, int digits)
{
    return totp_hotp(key, key_len, (uint64_t)totp_step(t), digits);
}

void totp_format(uint32_t value, int digits, char *out)
{
    for (int i = digits - 1; i >= 0; i--) {
        out[i] = (char)('0' + value % 10);
        value /= 10;
    }
    out[digits] = '\0';
}

bool totp_verify(const char *secret_b32, const char *code, time_t now, int64_t last_step,
                 int64_t *step)
{
    if (!secret_b32 || !code || strlen(code) != TOTP_DIGITS)
        return false;
    uint32_t typed = 0;
    for (const char *p = code; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        typed = typed * 10 + (uint32_t)(*p - '0');
    }
    unsigned char key[TOTP_KEY_MAX];
    long n = base32_decode(secret_b32, key, sizeof(key));
    if (n <= 0)
        return false;
    int64_t now_step = totp_step(now);
    bool ok = false;
    /* Every candidate is computed (no early exit), so the time does not tell which matched. */
    for (int64_t s = now_step - TOTP_WINDOW_STEPS; s <= now_step + TOTP_WINDOW_STEPS; s++) {
        if (s < 0)
            continue;
        uint32_t v = totp_hotp(key, (size_t)n, (uint64_t)s, TOTP_DIGITS);
        if (v == typed && s > last_step && !ok) {
            ok = true;
            *step = s;
        }
    }
    explicit_bzero(key, sizeof(key));
    explicit_bzero(&typed, sizeof(typed));
    return ok;
}

/* ---- base32 (RFC 4648 section 6) ---------------------------------------------------------- */

static const char base32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

size_t base32_encode(const void *data, size_t len, bool pad, char *out, size_t out_size)
{
    const unsigned char *p = data;
    size_t n = 0;
    uint32_t acc = 0;
    int bits = 0;
    if (out_size == 0)
        return 0;
    for (size_t i = 0; i < len; i++) {
        acc = (acc << 8) | p[i];
        bits += 8;
        while (bits >= 5) {
            if (n + 1 >= out_size)
                goto done;
            out[n++] = base32_alphabet[(acc >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits > 0 && n + 1 < out_size)
        out[n++] = base32_alphabet[(acc << (5 - bits)) & 31];
    while (pad && n % 8 && n + 1 < out_size)
        out[n++] = '=';
done:
    out[n] = '\0';
    return n;
}

static int base32_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a';
    if (c >= '2' && c <= '7')
        return c - '2' + 26;
    return -1;
}

long base32_decode(const char *in, unsigned char *out, size_t out_size)
{
    if (strlen(in) > BASE32_ENCODED_MAX)
        return -1;
    size_t n = 0;
    uint32_t acc = 0;
    int bits = 0;
    bool padding = false;
    for (const char *p = in; *p; p++) {
        if (*p == ' ')
            continue;
        if (*p == '=') {
            padding = true;
            continue;
        }
        int v = base32_value(*p);
        if (v < 0 || padding)
            return -1;
        acc = (acc << 5) | (uint32_t)v;
        bits += 5;
        if (bits >= 8) {
            if (n == out_size)
                return -1;
            out[n++] = (unsigned char)(acc >> (bits - 8));
            bits -= 8;
        }
        acc &= (1u << bits) - 1;
    }
    /* Left-over bits must be zero fill and fewer than a byte's worth. */
    if (bits >= 5 || (acc & ((1u << bits) - 1)) != 0)
        return -1;
    return (long)n;
}

/* ---- otpauth URI ------------------------------------------------------------------------------
 */

static bool totp_put_encoded(const char *s, char *out, size_t out_size, size_t *n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        bool plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                     (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' || *p == '~';
        size_t need = plain ? 1 : 3;
        if (*n + need >= out_size)
            return false;
        if (plain) {
            out[(*n)++] = (char)*p;
        } else {
            out[(*n)++] = '%';
            out[(*n)++] = hex[*p >> 4];
            out[(*n)++] = hex[*p & 15];
        }
    }
    return true;
}

static bool totp_put(const char *s, char *out, size_t out_size, size_t *n)
{
    size_t len = strlen(s);
    if (*n + len >= out_size)
        return false;
    memcpy(out + *n, s, len);
    *n += len;
    return true;
}

int totp_uri(const char *issuer, const char *account, const char *secret_b32, char *out,
             size_t out_size)
{
    size_t il = strlen(issuer), al = strlen(account);
    if (out_size == 0 || il == 0 || al == 0 || il > TOTP_LABEL_MAX || al > TOTP_LABEL_MAX)
        return -1;
    size_t n = 0;
    char tail[64];
    snprintf(tail, sizeof(tail), "&algorithm=SHA1&digits=%d&period=%d", TOTP_DIGITS,
             TOTP_STEP_SECONDS);
    bool ok = totp_put("otpauth://totp/", out, out_size, &n) &&
              totp_put_encoded(issuer, out, out_size, &n) && totp_put(":", out, out_size, &n) &&
              totp_put_encoded(account, out, out_size, &n) &&
              totp_put("?secret=", out, out_size, &n) &&
              totp_put_encoded(secret_b32, out, out_size, &n) &&
              totp_put("&issuer=", out, out_size, &n) &&
              totp_put_encoded(issuer, out, out_size, &n) && totp_put(tail, out, out_size, &n);
    out[ok ? n : 0] = '\0';
    return ok ? (int)n : -1;
}
