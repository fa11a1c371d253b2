/* SPDX-License-Identifier: MIT */
#include "gpt_entry.h"

#include <string.h>

/* GPT header offsets (UEFI 2.10 §5.3.2, Table 5-5) and entry offsets (Table 5-6). */
#define HDR_SIGNATURE 0
#define HDR_ENTRY_LBA 72
#define HDR_ENTRY_COUNT 80
#define HDR_ENTRY_SIZE 84
#define ENTRY_TYPE 0
#define ENTRY_FIRST_LBA 32
#define ENTRY_SIZE_MIN 128

static uint32_t le32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v); /* x86: little-endian like the disk */
    return v;
}

static uint64_t le64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

const char *gpt_entry_type(const struct gpt_reader *r, uint32_t number, uint64_t first_lba, void *buf,
                           uint8_t type[16])
{
    uint8_t *b = buf;

    if (r->block_size < 512 || r->block_size > 4096)
        return "GPT: block size outside 512-4096";
    if (r->read(r->ctx, 1, b))
        return "GPT header (LBA 1): read error";
    if (memcmp(b + HDR_SIGNATURE, "EFI PART", 8))
        return "GPT header (LBA 1): no \"EFI PART\" signature";
    uint64_t entry_lba = le64(b + HDR_ENTRY_LBA);
    uint32_t count = le32(b + HDR_ENTRY_COUNT), esize = le32(b + HDR_ENTRY_SIZE);
    /* 128 * 2^n bytes (§5.3.2), so entries never straddle a block. */
    if (esize < ENTRY_SIZE_MIN || (esize & (esize - 1)) || esize > r->block_size)
        return "GPT header (LBA 1): entry size is not 128 * 2^n up to a block";
    if (number == 0 || number > count)
        return "GPT: the partition number is not in the entry array";
    uint32_t per_block = r->block_size / esize, index = number - 1;
    if (r->read(r->ctx, entry_lba + index / per_block, b))
        return "GPT entry array: read error";
    const uint8_t *e = b + (index % per_block) * esize;
    if (le64(e + ENTRY_FIRST_LBA) != first_lba)
        return "GPT entry: it does not start where the device path says the partition starts";
    memcpy(type, e + ENTRY_TYPE, 16);
    return NULL;
}
