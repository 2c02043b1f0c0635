/*
 * One-time passwords for the staff second factor: HMAC-SHA1 (RFC 2104), HOTP (RFC 4226), TOTP
 * (RFC 6238) with 30-second steps and 6 digits, base32 (RFC 4648) for the shared secret, and the
 * otpauth:// URI that authenticator apps read from a QR code. Pure functions: the caller supplies
 * the time and remembers the last accepted step (replay protection lives in the store). Keys and
 * intermediate digests are wiped before returning.
 */
#ifndef REFETTORIO_DOMAIN_TOTP_H
#define REFETTORIO_DOMAIN_TOTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "domain/sha1.h"

#define TOTP_SECRET_BYTES  20 /* RFC 4226 section 4: at least 128 bits, 160 recommended */
#define TOTP_SECRET_B32    32 /* base32 characters of a TOTP_SECRET_BYTES secret, no padding */
#define TOTP_KEY_MAX       64 /* longest key totp_verify accepts after base32 decoding */
#define TOTP_DIGITS        6
#define TOTP_STEP_SECONDS  30
#define TOTP_WINDOW_STEPS  1    /* steps accepted either side of now (clock drift) */
#define TOTP_URI_MAX       1024 /* otpauth URI, percent-encoded */
#define TOTP_LABEL_MAX     254  /* issuer or account name, before encoding */
#define BASE32_ENCODED_MAX 128  /* inputs longer than this are refused by base32_decode */

/* HMAC-SHA1 (RFC 2104) of msg under key. */
void totp_hmac_sha1(const void *key, size_t key_len, const void *msg, size_t msg_len,
                    unsigned char out[SHA1_DIGEST_BYTES]);
/* HOTP value (RFC 4226 section 5.3) of counter with digits decimal digits (6..8). */
uint32_t totp_hotp(const void *key, size_t key_len, uint64_t counter, int digits);
/* The time step of t: floor(t / TOTP_STEP_SECONDS) (t >= 0). */
int64_t totp_step(time_t t);
/* TOTP value at time t (RFC 6238): HOTP of the step, digits decimal digits. */
uint32_t totp_at(const void *key, size_t key_len, time_t t, int digits);
/* Format a value as exactly digits decimal digits, zero-padded, into out[digits + 1]. */
void totp_format(uint32_t value, int digits, char *out);

/* Check a typed code (exactly TOTP_DIGITS digits) for the secret (base32) at time now, within
   +-TOTP_WINDOW_STEPS, accepting only steps greater than last_step (each code works once).
   Returns true and sets *step to the matched step; false for a malformed, wrong or replayed
   code. */
bool totp_verify(const char *secret_b32, const char *code, time_t now, int64_t last_step,
                 int64_t *step);

/* RFC 4648 base32 of data into out (needs 8 * ceil(len / 5) + 1 bytes with padding, fewer
   without); returns the length written. */
size_t base32_encode(const void *data, size_t len, bool pad, char *out, size_t out_size);
/* Decode base32, case-insensitive, ignoring spaces and trailing '=' padding. Returns the bytes
   written, or -1 for a character outside the alphabet, bits left over, input longer than
   BASE32_ENCODED_MAX, or out too small. */
long base32_decode(const char *in, unsigned char *out, size_t out_size);

/* otpauth://totp/ISSUER:ACCOUNT?secret=S&issuer=ISSUER&algorithm=SHA1&digits=6&period=30, with
   the label and issuer percent-encoded (Key Uri Format read by authenticator apps). Returns the
   length, or -1 when out is too small or a label is empty or longer than TOTP_LABEL_MAX. */
int totp_uri(const char *issuer, const char *account, const char *secret_b32, char *out,
             size_t out_size);

#endif
