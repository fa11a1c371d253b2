/* SPDX-License-Identifier: MIT */
/*
 * The cryptography of the format, in one place: key derivation, record
 * sealing (ChaCha20-Poly1305, RFC 8439), the digests and the checksum.
 * All of it is BearSSL's constant-time C, the same code in the VMM and on
 * the host (see seal.c for why not BearSSL's SSE2 ChaCha20).
 */
#ifndef IMG_SEAL_H
#define IMG_SEAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "imagestore.h"

/* HKDF-SHA256 (RFC 5869) from the master key: salt = image id for the
 * image key, no salt for the key id and the superblock's MAC key. */
void img_seal_image_key(const uint8_t master[IMG_KEY_SIZE], const uint8_t id[IMG_ID_SIZE],
                    uint8_t key[IMG_KEY_SIZE]);
void img_seal_store_key(const uint8_t master[IMG_KEY_SIZE], uint8_t key[IMG_KEY_SIZE]);

/* Encrypt data in place and compute its tag. The nonce is (domain, index). */
void img_seal(const uint8_t key[IMG_KEY_SIZE], uint32_t domain, uint64_t index, void *data, size_t len,
          const void *aad, size_t aad_len, uint8_t tag[16]);

/* Check the tag and decrypt data in place. On a mismatch data is wiped
 * (it never leaves the library) and the result is false. */
bool img_unseal(const uint8_t key[IMG_KEY_SIZE], uint32_t domain, uint64_t index, void *data, size_t len,
            const void *aad, size_t aad_len, const uint8_t tag[16]);

void img_sha256(const void *data, size_t len, uint8_t out[32]);
/* SHA-256(a || b): the commit chain's step. */
void img_sha256_pair(const void *a, size_t alen, const void *b, size_t blen, uint8_t out[32]);
void img_hmac_sha256(const uint8_t key[32], const void *data, size_t len, uint8_t out[32]);

/* CRC-32C (Castagnoli, as in iSCSI, RFC 3720 §B.4): catches torn and
 * damaged bytes before anything keyed looks at them. */
uint32_t img_crc32c(const void *data, size_t len);

bool img_equal_ct(const void *a, const void *b, size_t len);
/* A memset the compiler may not drop: for keys and plaintext. */
void img_wipe(void *p, size_t len);

#endif
