/* SPDX-License-Identifier: MIT */
/*
 * vmm_store_open for a TFTP store: the partition store's rules (store.c)
 * on the server's files. A server that has neither superblock file holds
 * no store yet and gets a new one; damage, another key or an older store
 * than the loader has seen is refused and nothing is written.
 */
#include "tftp.h"

#include "fmt.h"
#include "log.h"
#include "mem.h"
#include "store.h"
#include "time.h"

static struct img_blockdev bd;
static struct tftp_buffers mem;

enum img_err tftp_store_open(const struct smx_bootinfo *bi, struct img_store *s, void *io, char *why, size_t n)
{
    uint64_t t0 = smx_time_ns();
    char m[120];

    if (!mem.stage) {
        mem.stage = mem_alloc_pages(TFTP_STAGE_BYTES / 4096);
        mem.rx = mem_alloc_pages(TFTP_RX_BYTES / 4096);
        mem.window = mem_alloc_pages(TFTP_WINDOW_BYTES / 4096);
    }
    if (!mem.stage || !mem.rx || !mem.window) {
        smx_snprintf(why, n, "out of VMM memory for the TFTP store's %u KiB of buffers",
                     (TFTP_STAGE_BYTES + TFTP_RX_BYTES + TFTP_WINDOW_BYTES) >> 10);
        return IMG_E_LIMIT;
    }
    if (!tftp_dev_open(bi, &mem, &bd, why, n))
        return IMG_E_IO;
    enum img_err e = img_store_open(s, &bd, bi->master_key, io);
    bool formatted = false;
    if (e == IMG_E_NOT_IMAGE) {
        uint8_t id[IMG_ID_SIZE];
        store_random(id, sizeof id, bi->master_key);
        e = img_store_format(s, &bd, bi->master_key, id, io);
        if (e != IMG_OK) {
            img_error_format(&s->err, m, sizeof m);
            smx_snprintf(why, n, "%s: formatting a new store failed: %s", tftp_dev_name(), m);
            return e;
        }
        formatted = true;
        smx_log("store", "%s held no store: formatted a new one, store %02x%02x%02x%02x", tftp_dev_name(), id[0],
                id[1], id[2], id[3]);
    } else if (e != IMG_OK) {
        img_error_format(&s->err, m, sizeof m);
        smx_snprintf(why, n, "%s: %s", tftp_dev_name(), m);
        return e;
    }
    if (!formatted && s->last_generation < bi->store.generation_floor) {
        smx_snprintf(why, n, "%s: store generation %llu is older than the %llu the loader has seen: rolled back",
                     tftp_dev_name(), (unsigned long long)s->last_generation,
                     (unsigned long long)bi->store.generation_floor);
        return IMG_E_REPLAYED;
    }
    smx_log("store", "%s: store %02x%02x%02x%02x %s in %llu ms, generation %llu, slots: %s / %s", tftp_dev_name(),
            s->store_id[0], s->store_id[1], s->store_id[2], s->store_id[3], formatted ? "formatted" : "opened",
            (unsigned long long)((smx_time_ns() - t0) / 1000000), (unsigned long long)s->last_generation,
            s->slot[0].state == IMG_SLOT_COMMITTED ? (s->slot[0].os ? "B committed" : "A committed") : "no image",
            s->slot[1].state == IMG_SLOT_COMMITTED ? (s->slot[1].os ? "B committed" : "A committed") : "no image");
    return IMG_OK;
}
