/* SPDX-License-Identifier: MIT */
/*
 * One GPT partition of a VMM disk as imagestore's block device: block 0
 * is the partition's first block, and no request can reach a block
 * outside it. Requests are cut to what the driver takes in one command,
 * and a buffer the controller cannot take as it is (not 4-byte aligned)
 * goes through a bounce buffer of VMM memory. Pure: tested hosted.
 */
#ifndef SMX_PARTDEV_H
#define SMX_PARTDEV_H

#include <stddef.h>
#include <stdint.h>

#include "blk.h"
#include "imagestore.h"

struct part_dev {
    struct blk_dev *dev;
    uint64_t first, count;  /* the partition, in the disk's blocks */
    uint8_t *bounce;        /* VMM memory, at least one block */
    size_t bounce_size;
    uint64_t refused;       /* requests refused for reaching outside the partition */
};

/* Fill *bd so imagestore's I/O goes through p. */
void part_dev_bind(struct part_dev *p, struct img_blockdev *bd);

#endif
