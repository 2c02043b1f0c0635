/*
 * Password hashing: Argon2id through libsodium, with OWASP's parameters (t=2, m=19 MiB) so one
 * small server can afford it, and a bound on how many hashes run at once (each holds its memory).
 * Secrets are wiped after use.
 */
#ifndef REFETTORIO_SERVICES_PASSWORD_H
#define REFETTORIO_SERVICES_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#define PASSWORD_HASH_MAX    128  /* crypto_pwhash_STRBYTES */
#define PASSWORD_MAX_LEN     1024 /* longer inputs are refused before hashing */
#define PASSWORD_CONCURRENCY 2

/* Call once before threads start (initialises libsodium). 0 or -1. */
int password_init(void);
/* out receives a NUL-terminated Argon2id string. 0 or -1. */
int password_hash(const char *password, char out[PASSWORD_HASH_MAX]);
/* True when password matches hash. */
bool password_verify(const char *hash, const char *password);
/* Spend the same time as a verification, for unknown accounts (no timing oracle). */
void password_verify_dummy(const char *password);

#endif
