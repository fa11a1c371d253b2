/* SPDX-License-Identifier: MIT */
/*
 * A GUID Partition Table reader (UEFI 2.10 §5.3): finds one partition by
 * its unique GUID or by its type GUID, on any disk it can read blocks
 * from. Pure code: the VMM runs it over its own drivers, the unit tests
 * over disk images made by sfdisk and sgdisk.
 *
 * The primary table (header at LBA 1) is used when it is valid; when its
 * header or its entry array is damaged, the backup (header at the last
 * LBA) is, and the result says why the primary was passed over. A
 * malformation is never guessed around: each has its own error and a
 * message naming the structure and the values.
 */
#ifndef SMX_GPT_H
#define SMX_GPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"

enum gpt_err {
    GPT_OK = 0,
    GPT_E_IO,            /* the disk failed a read */
    GPT_E_ARG,           /* block size not a power of two from 512 to 4096, or a disk too small */
    GPT_E_NO_MBR,        /* LBA 0 lacks the 0x55AA signature */
    GPT_E_NOT_PROTECTIVE,/* the MBR has no 0xEE (GPT protective) partition */
    GPT_E_SIGNATURE,     /* the header lacks "EFI PART" */
    GPT_E_REVISION,      /* a major revision other than 1 */
    GPT_E_HEADER_SIZE,   /* HeaderSize below 92 or above the block size */
    GPT_E_HEADER_CRC,    /* HeaderCRC32 does not match */
    GPT_E_MY_LBA,        /* MyLBA is not where the header was read */
    GPT_E_USABLE,        /* the usable range is empty or off the disk */
    GPT_E_ENTRY_SIZE,    /* SizeOfPartitionEntry is not 128 x 2^n */
    GPT_E_ENTRY_ARRAY,   /* the entry array is off the disk, too large, or overlaps the usable range */
    GPT_E_ENTRIES_CRC,   /* PartitionEntryArrayCRC32 does not match */
    GPT_E_PART_RANGE,    /* the partition found lies outside the usable range, or ends before it starts */
    GPT_E_NOT_FOUND,     /* a valid table without the partition asked for */
    GPT_E_COUNT_
};

enum gpt_by {
    GPT_BY_UNIQUE = 0, /* the partition with this unique GUID */
    GPT_BY_TYPE = 1,   /* the first partition (by entry index) of this type */
};

/* Blocks in, the caller's way: read n blocks at lba into buf. */
struct gpt_disk {
    void *ctx;
    uint32_t block_size;
    uint64_t block_count;
    int (*read)(void *ctx, uint64_t lba, uint32_t n, void *buf);
};

struct gpt_part {
    uint32_t index;            /* 1-based entry number: /dev/sda<index> */
    struct pol_guid type, unique;
    uint64_t first_lba, last_lba; /* inclusive, as GPT records them */
    uint64_t attributes;
    bool from_backup;          /* the backup table was used */
    enum gpt_err primary_err;  /* why the primary table was passed over (from_backup) */
    char primary_why[200];
};

/*
 * Find a partition. block is one block of the caller's memory (the only
 * working memory used). On failure why (n bytes, always NUL-terminated)
 * says what was wrong, e.g. "GPT primary header (LBA 1): HeaderCRC32
 * 0x1a2b3c4d, computed 0x5e6f7a8b; backup header (LBA 16383): ...".
 */
enum gpt_err gpt_find(const struct gpt_disk *d, enum gpt_by by, const struct pol_guid *guid, void *block,
                      struct gpt_part *out, char *why, size_t n);

/* The CRC-32 GPT uses (UEFI 2.10 §5.3.2: ISO 3309 / ITU-T V.42, reflected 0xEDB88320). */
uint32_t gpt_crc32(uint32_t crc, const void *p, size_t n);

const char *gpt_err_name(enum gpt_err e);

/* "0fc63daf-8483-4772-8e79-3d69d8477de4" (37 bytes with the NUL). */
void gpt_guid_text(const struct pol_guid *g, char out[37]);

#endif
