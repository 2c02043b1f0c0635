#include "domain/sha1.h"

#include <string.h>

static uint32_t sha1_rol(uint32_t x, int n)
{
    return (x << n) | (x >> (32 - n));
}

/* FIPS 180-4 section 6.1.2: one 512-bit block. */
static void sha1_block(uint32_t h[5], const unsigned char *p)
{
    uint32_t w[80];
    for (int t = 0; t < 16; t++)
        w[t] = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16 |
               (uint32_t)p[4 * t + 2] << 8 | (uint32_t)p[4 * t + 3];
    for (int t = 16; t < 80; t++)
        w[t] = sha1_rol(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int t = 0; t < 80; t++) {
        uint32_t f, k;
        if (t < 20) {
            f = (b & c) | (~b & d);
            k = 0x5a827999u;
        } else if (t < 40) {
            f = b ^ c ^ d;
            k = 0x6ed9eba1u;
        } else if (t < 60) {
            f = (b & c) | (b & d) | (c & d);
            k = 0x8f1bbcdcu;
        } else {
            f = b ^ c ^ d;
            k = 0xca62c1d6u;
        }
        uint32_t tmp = sha1_rol(a, 5) + f + e + k + w[t];
        e = d;
        d = c;
        c = sha1_rol(b, 30);
        b = a;
        a = tmp;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    memset(w, 0, sizeof(w));
}

void sha1_init(struct sha1_ctx *c)
{
    static const uint32_t init[5] = {0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u,
                                     0xc3d2e1f0u};
    memcpy(c->h, init, sizeof(init));
    c->total = 0;
    c->used = 0;
}

void sha1_update(struct sha1_ctx *c, const void *data, size_t len)
{
    const unsigned char *p = data;
    c->total += len;
    if (c->used) {
        size_t take = SHA1_BLOCK_BYTES - c->used;
        if (take > len)
            take = len;
        memcpy(c->block + c->used, p, take);
        c->used += take;
        p += take;
        len -= take;
        if (c->used < SHA1_BLOCK_BYTES)
            return;
        sha1_block(c->h, c->block);
        c->used = 0;
    }
    for (; len >= SHA1_BLOCK_BYTES; p += SHA1_BLOCK_BYTES, len -= SHA1_BLOCK_BYTES)
        sha1_block(c->h, p);
    memcpy(c->block, p, len);
    c->used = len;
}

void sha1_final(struct sha1_ctx *c, unsigned char out[SHA1_DIGEST_BYTES])
{
    uint64_t bits = c->total * 8;
    /* Padding (5.1.1): a 1 bit, zeros to 56 mod 64 bytes, then the length in bits. */
    c->block[c->used++] = 0x80;
    if (c->used > SHA1_BLOCK_BYTES - 8) {
        memset(c->block + c->used, 0, SHA1_BLOCK_BYTES - c->used);
        sha1_block(c->h, c->block);
        c->used = 0;
    }
    memset(c->block + c->used, 0, SHA1_BLOCK_BYTES - 8 - c->used);
    for (int i = 0; i < 8; i++)
        c->block[SHA1_BLOCK_BYTES - 1 - i] = (unsigned char)(bits >> (8 * i));
    sha1_block(c->h, c->block);
    for (int i = 0; i < 5; i++) {
        out[4 * i] = (unsigned char)(c->h[i] >> 24);
        out[4 * i + 1] = (unsigned char)(c->h[i] >> 16);
        out[4 * i + 2] = (unsigned char)(c->h[i] >> 8);
        out[4 * i + 3] = (unsigned char)c->h[i];
    }
    explicit_bzero(c, sizeof(*c));
}

void sha1(const void *data, size_t len, unsigned char out[SHA1_DIGEST_BYTES])
{
    struct sha1_ctx c;
    sha1_init(&c);
    sha1_update(&c, data, len);
    sha1_final(&c, out);
}
