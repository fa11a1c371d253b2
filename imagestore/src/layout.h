/* SPDX-License-Identifier: MIT */
/*
 * The byte layout of format version 1, one place for every offset
 * (docs/image-format.md explains each field). All integers are
 * little-endian and read and written byte by byte, so nothing here depends
 * on the host's alignment or byte order.
 */
#ifndef IMG_LAYOUT_H
#define IMG_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "imagestore.h"

/* ---- header record: HDR_CLEAR clear bytes, then the sealed part, then a tag */
#define HDR_MAGIC "SMXIMAGE"
#define HDR_CLEAR IMG_HEADER_CLEAR
#define HDR_O_MAGIC 0          /* 8 bytes */
#define HDR_O_VERSION 8        /* u16 */
#define HDR_O_CLEAR_SIZE 10    /* u16: HDR_CLEAR */
#define HDR_O_FLAGS 12         /* u32: 0 */
#define HDR_O_IMAGE_ID 16      /* 16 bytes */
#define HDR_O_GENERATION 32    /* u64 */
#define HDR_O_OS 40            /* u32 */
#define HDR_O_PAGE_SIZE 44     /* u32 */
#define HDR_O_CHUNK_PAGES 48   /* u32 */
#define HDR_O_REGIONS 52       /* u32 */
#define HDR_O_CPU_SIZE 56      /* u32 */
#define HDR_O_RESERVED0 60     /* u32: 0 */
#define HDR_O_KEY_ID 64        /* 16 bytes */
#define HDR_O_RESERVED1 80     /* 44 bytes: 0 */
#define HDR_O_CRC 124          /* u32: CRC-32C of bytes [0, 124) */
#define REGION_SIZE 16         /* sealed: base u64, pages u64 */

/* ---- chunk and commit records: a FRAME_SIZE clear frame, the sealed body, a tag */
#define FRAME_SIZE 32
#define FRAME_CHUNK "SXCK"
#define FRAME_COMMIT "SXCM"
#define FRAME_O_MAGIC 0        /* 4 bytes */
#define FRAME_O_INDEX 4        /* u32: chunk index; the commit record's is the chunk count */
#define FRAME_O_BODY 8         /* u32: sealed body bytes (the tag follows) */
#define FRAME_O_RESERVED0 12   /* u32: 0 */
#define FRAME_O_IMAGE 16       /* 8 bytes: the image id's first 8 bytes */
#define FRAME_O_RESERVED1 24   /* u32: 0 */
#define FRAME_O_CRC 28         /* u32: CRC-32C of bytes [0, 28) */

/* chunk body (sealed) */
#define CHUNK_O_GPA 0          /* u64 */
#define CHUNK_O_PAGES 8        /* u32: pages covered, zero ones included */
#define CHUNK_O_RESERVED 12    /* u32: 0 */
#define CHUNK_O_BITMAP 16      /* chunk_pages / 8 bytes: bit i set = page i is zero */
#define RUN_HEAD 8             /* before each run of non-zero pages: */
#define RUN_O_SIZE 0           /* u32: stored bytes | RUN_RAW */
#define RUN_O_PAGES 4          /* u32: pages in the run */
#define RUN_RAW 0x80000000u

/* commit body (sealed) */
#define COMMIT_O_CHUNKS 0      /* u64 */
#define COMMIT_O_PAGES 8       /* u64 */
#define COMMIT_O_ZERO 16       /* u64 */
#define COMMIT_O_RAW 24        /* u64 */
#define COMMIT_O_OFFSET 32     /* u64: stream bytes before the commit record */
#define COMMIT_O_CHAIN 40      /* 32 bytes */
#define COMMIT_BODY 72

#define TAG_SIZE 16
#define AAD_SIZE (FRAME_SIZE + IMG_DIGEST_SIZE)

/* Nonce domains: a record's nonce is its domain and its index. */
#define NONCE_HEADER 1u
#define NONCE_CHUNK 2u
#define NONCE_COMMIT 3u

/* ---- superblock: SB_SIZE bytes at byte 0 and at byte SB_AREA ---------------- */
#define SB_MAGIC "SMXSTORE"
#define SB_SIZE 512
#define SB_AREA 4096           /* each copy owns 4 KiB: whole blocks up to 4 KiB */
#define SB_O_MAGIC 0
#define SB_O_VERSION 8         /* u16 */
#define SB_O_SIZE 10           /* u16: SB_SIZE */
#define SB_O_FLAGS 12          /* u32: 0 */
#define SB_O_SEQUENCE 16       /* u64 */
#define SB_O_STORE_ID 24       /* 16 bytes */
#define SB_O_KEY_ID 40         /* 16 bytes */
#define SB_O_LAST_GEN 56       /* u64 */
#define SB_O_SLOT_OFFSET 64    /* u64 */
#define SB_O_SLOT_SIZE 72      /* u64 */
#define SB_O_SLOTS 80          /* IMG_STORE_SLOTS entries of SLOT_SIZE */
#define SLOT_SIZE 96
#define SLOT_O_STATE 0         /* u32 */
#define SLOT_O_OS 4            /* u32 */
#define SLOT_O_GENERATION 8    /* u64 */
#define SLOT_O_IMAGE_ID 16     /* 16 bytes */
#define SLOT_O_BYTES 32        /* u64 */
#define SLOT_O_DIGEST 40       /* 32 bytes; 24 reserved after */
#define SB_O_MAC 472           /* HMAC-SHA256 of bytes [0, 472) */
#define SB_O_CRC 508           /* u32: CRC-32C of bytes [0, 508) */
#define SLOT_ALIGN 65536       /* slots start and end on 64 KiB boundaries */

_Static_assert(HDR_O_RESERVED1 + 44 == HDR_O_CRC, "header clear layout");
_Static_assert(HDR_O_CRC + 4 == HDR_CLEAR, "header clear layout");
_Static_assert(FRAME_O_CRC + 4 == FRAME_SIZE, "frame layout");
_Static_assert(COMMIT_O_CHAIN + IMG_DIGEST_SIZE == COMMIT_BODY, "commit layout");
_Static_assert(SB_O_SLOTS + IMG_STORE_SLOTS * SLOT_SIZE <= SB_O_MAC, "superblock layout");
_Static_assert(SB_O_MAC + 32 + 4 == SB_O_CRC, "superblock layout");
_Static_assert(SB_O_CRC + 4 == SB_SIZE, "superblock layout");
_Static_assert(SLOT_O_DIGEST + IMG_DIGEST_SIZE <= SLOT_SIZE, "slot entry layout");

/* The largest chunk body for chunk_pages pages: descriptor, bitmap, and at
 * worst every page a run of its own, stored raw. */
static inline size_t chunk_body_max(uint32_t chunk_pages)
{
    return CHUNK_O_BITMAP + chunk_pages / 8 + (size_t)chunk_pages * (RUN_HEAD + IMG_PAGE_SIZE);
}

static inline size_t header_sealed_max(void)
{
    return (size_t)IMG_REGIONS_MAX * REGION_SIZE + IMG_CPU_MAX;
}

/* ---- little-endian fields ------------------------------------------------------ */

static inline void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t get64(const uint8_t *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* The first 8 bytes of an id as one number that prints like the id's hex. */
static inline uint64_t id_prefix(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

#endif
