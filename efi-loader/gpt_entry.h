/* SPDX-License-Identifier: MIT */
/*
 * One entry of a disk's GUID partition table (UEFI 2.10 §5.3.2-§5.3.3),
 * for firmware without EFI_PARTITION_INFO_PROTOCOL: the loader knows the
 * partition from its hard-drive device path node and needs its type GUID.
 * Pure: the disk is a block reader.
 */
#ifndef SMX_LOADER_GPT_ENTRY_H
#define SMX_LOADER_GPT_ENTRY_H

#include <stdint.h>

struct gpt_reader {
    void *ctx;
    uint32_t block_size; /* 512..4096 */
    int (*read)(void *ctx, uint64_t lba, void *buf); /* one block; nonzero: I/O error */
};

/*
 * The type GUID (on-disk byte order) of entry `number`, 1-based as the
 * hard-drive node's PartitionNumber counts (UEFI 2.10 §10.3.5.1), which must
 * start at first_lba. buf is one block of scratch. Returns NULL on success,
 * else what is wrong, naming the object.
 */
const char *gpt_entry_type(const struct gpt_reader *r, uint32_t number, uint64_t first_lba, void *buf,
                           uint8_t type[16]);

#endif
