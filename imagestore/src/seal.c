/* SPDX-License-Identifier: MIT */
/*
 * Sealing and key derivation on top of BearSSL.
 *
 * ChaCha20 is br_chacha20_ct_run everywhere. The VMM must use it (no SSE),
 * and on the host BearSSL 0.6's SSE2 ChaCha20 measured slower than the
 * portable one on the machines we bench on (make bench prints both), so
 * the host runs the VMM's code too and the benchmark measures what the VMM
 * will do. Poly1305 is ctmulq (64x64->128 multiplies, no vector unit).
 */
#include <string.h>

#include "bearssl.h"

#include "seal.h"

static const char info_image[] = "sleepmux image v1 aead";
static const char info_key_id[] = "sleepmux key id v1";
static const char info_store[] = "sleepmux store v1 mac";

static void hkdf(const uint8_t master[IMG_KEY_SIZE], const void *salt, size_t salt_len,
                 const char *info, void *out, size_t out_len)
{
    br_hkdf_context kc;

    br_hkdf_init(&kc, &br_sha256_vtable, salt, salt_len);
    br_hkdf_inject(&kc, master, IMG_KEY_SIZE);
    br_hkdf_flip(&kc);
    br_hkdf_produce(&kc, info, strlen(info), out, out_len);
    img_wipe(&kc, sizeof kc);
}

void img_seal_image_key(const uint8_t master[IMG_KEY_SIZE], const uint8_t id[IMG_ID_SIZE],
                    uint8_t key[IMG_KEY_SIZE])
{
    hkdf(master, id, IMG_ID_SIZE, info_image, key, IMG_KEY_SIZE);
}

void img_seal_store_key(const uint8_t master[IMG_KEY_SIZE], uint8_t key[IMG_KEY_SIZE])
{
    hkdf(master, BR_HKDF_NO_SALT, 0, info_store, key, IMG_KEY_SIZE);
}

void img_key_id(const uint8_t master_key[IMG_KEY_SIZE], uint8_t key_id[16])
{
    hkdf(master_key, BR_HKDF_NO_SALT, 0, info_key_id, key_id, 16);
}

static void nonce(uint8_t iv[12], uint32_t domain, uint64_t index)
{
    for (int i = 0; i < 4; i++)
        iv[i] = (uint8_t)(domain >> (8 * i));
    for (int i = 0; i < 8; i++)
        iv[4 + i] = (uint8_t)(index >> (8 * i));
}

void img_seal(const uint8_t key[IMG_KEY_SIZE], uint32_t domain, uint64_t index, void *data, size_t len,
          const void *aad, size_t aad_len, uint8_t tag[16])
{
    uint8_t iv[12];

    nonce(iv, domain, index);
    br_poly1305_ctmulq_run(key, iv, data, len, aad, aad_len, tag, br_chacha20_ct_run, 1);
}

bool img_unseal(const uint8_t key[IMG_KEY_SIZE], uint32_t domain, uint64_t index, void *data, size_t len,
            const void *aad, size_t aad_len, const uint8_t tag[16])
{
    uint8_t iv[12], mine[16];

    nonce(iv, domain, index);
    /* BearSSL authenticates and decrypts in one pass; the plaintext stays
     * in our buffer until the tag has been compared. */
    br_poly1305_ctmulq_run(key, iv, data, len, aad, aad_len, mine, br_chacha20_ct_run, 0);
    if (img_equal_ct(mine, tag, sizeof mine))
        return true;
    img_wipe(data, len);
    return false;
}

void img_sha256(const void *data, size_t len, uint8_t out[32])
{
    img_sha256_pair(data, len, NULL, 0, out);
}

void img_sha256_pair(const void *a, size_t alen, const void *b, size_t blen, uint8_t out[32])
{
    br_sha256_context c;

    br_sha256_init(&c);
    br_sha256_update(&c, a, alen);
    if (blen)
        br_sha256_update(&c, b, blen);
    br_sha256_out(&c, out);
}

void img_hmac_sha256(const uint8_t key[32], const void *data, size_t len, uint8_t out[32])
{
    br_hmac_key_context kc;
    br_hmac_context hc;

    br_hmac_key_init(&kc, &br_sha256_vtable, key, 32);
    br_hmac_init(&hc, &kc, 0);
    br_hmac_update(&hc, data, len);
    br_hmac_out(&hc, out);
    img_wipe(&kc, sizeof kc);
    img_wipe(&hc, sizeof hc);
}

uint32_t img_crc32c(const void *data, size_t len)
{
    const uint8_t *p = data;
    uint32_t c = 0xffffffffu;

    /* Bitwise: it only ever covers a few dozen bytes of a frame or header. */
    while (len--) {
        c ^= *p++;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0x82f63b78u & (0u - (c & 1)));
    }
    return ~c;
}

bool img_equal_ct(const void *a, const void *b, size_t len)
{
    const uint8_t *x = a, *y = b;
    uint8_t d = 0;

    for (size_t i = 0; i < len; i++)
        d |= x[i] ^ y[i];
    return d == 0;
}

void img_wipe(void *p, size_t len)
{
    memset(p, 0, len);
    __asm__ volatile("" : : "r"(p) : "memory");
}
