/*
 * SHA-1 (FIPS 180-4), written from the standard for HMAC-SHA1 in TOTP (RFC 6238), where
 * authenticator apps still expect it. SHA-1's collision weakness does not affect HMAC; do not
 * use this module for anything else (signatures, content hashes). Owns the hashing context only;
 * no I/O, no allocation. The context is wiped by sha1_final.
 */
#ifndef REFETTORIO_DOMAIN_SHA1_H
#define REFETTORIO_DOMAIN_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define SHA1_DIGEST_BYTES 20
#define SHA1_BLOCK_BYTES  64

struct sha1_ctx {
    uint32_t h[5];
    uint64_t total; /* bytes hashed so far */
    unsigned char block[SHA1_BLOCK_BYTES];
    size_t used; /* bytes waiting in block */
};

void sha1_init(struct sha1_ctx *c);
void sha1_update(struct sha1_ctx *c, const void *data, size_t len);
/* Writes the digest and wipes the context. */
void sha1_final(struct sha1_ctx *c, unsigned char out[SHA1_DIGEST_BYTES]);
/* One-shot digest of data. */
void sha1(const void *data, size_t len, unsigned char out[SHA1_DIGEST_BYTES]);

#endif
