/* SPDX-License-Identifier: MIT */
#include "store_check.h"

#include <string.h>

#include "fmt.h"

void store_judge(const struct img_blockdev *dev, const uint8_t key[IMG_KEY_SIZE], uint64_t floor, void *io,
                 struct img_store *s, struct store_verdict *v, char *msg, size_t msglen)
{
    char why[160];

    memset(v, 0, sizeof *v);
    v->slot_of[0] = v->slot_of[1] = 0xff;
    v->floor = floor;
    enum img_err e = img_store_open(s, dev, key, io);
    if (e == IMG_E_NOT_IMAGE) {
        /* Nothing was ever committed here, so nothing old can come back:
         * a blank partition is an empty store, whatever the floor. */
        v->empty = 1;
        smx_snprintf(msg, msglen, "empty (no store written yet)");
        return;
    }
    if (e != IMG_OK) {
        img_error_format(&s->err, why, sizeof why);
        smx_snprintf(msg, msglen, "cannot be read: %s", why);
        v->stored = -1;
        return;
    }
    if (s->last_generation < floor) {
        smx_snprintf(msg, msglen,
                     "refused: its last generation %llu is older than %llu, the newest this machine has seen "
                     "committed (SleepmuxGeneration): the store was rolled back to an older copy",
                     (unsigned long long)s->last_generation, (unsigned long long)floor);
        v->stored = -1;
        return;
    }
    if (s->last_generation > floor) {
        v->floor = s->last_generation;
        v->raise = 1;
    }
    for (uint32_t os = 0; os < 2; os++) {
        int slot = img_store_latest(s, os);
        if (slot >= 0) {
            v->slot_of[os] = (uint8_t)slot;
            v->stored |= 1 << os;
        }
    }
    smx_snprintf(msg, msglen, "generation %llu, A %s, B %s", (unsigned long long)v->floor,
                 v->slot_of[0] != 0xff ? "waits" : "not stored", v->slot_of[1] != 0xff ? "waits" : "not stored");
}
