/* SPDX-License-Identifier: MIT */
/*
 * What the loader makes of the store it found (pure: the partition is an
 * img_blockdev, so the unit tests run it on stores the real library wrote).
 * The anti-rollback check of docs/image-format.md lives here: a store whose
 * last committed generation is older than the newest this machine has seen
 * (the UEFI variable SleepmuxGeneration) was rolled back and is refused.
 */
#ifndef SMX_LOADER_STORE_CHECK_H
#define SMX_LOADER_STORE_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "imagestore.h"

struct store_verdict {
    int stored;         /* bit POL_OS_x: x's committed image waits; -1: the store cannot be trusted */
    int empty;          /* no store written on the partition yet */
    uint8_t slot_of[2]; /* the slot of each OS's waiting image, or 0xff */
    uint64_t floor;     /* the generation floor from now on (pass it to the VMM) */
    int raise;          /* floor is newer than the variable: write it back */
};

/*
 * Open the store on dev with the master key; floor is SleepmuxGeneration
 * (0 when absent). io is one block of memory; s receives the store. msg
 * gets one line for the log either way.
 */
void store_judge(const struct img_blockdev *dev, const uint8_t key[IMG_KEY_SIZE], uint64_t floor, void *io,
                 struct img_store *s, struct store_verdict *v, char *msg, size_t msglen);

#endif
