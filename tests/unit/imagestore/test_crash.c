/* SPDX-License-Identifier: MIT */
/*
 * Crash consistency: power is cut at every operation of a save (and of
 * marking an image restored), with the device's volatile cache keeping a
 * random subset of what was not yet flushed and the cut write landing in
 * part. After every reboot the store opens, the OS's previous image (or,
 * once its commit is durable, the new one) restores byte for byte, and the
 * next save works.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

/* The device as it was before the operation under test. */
struct snap {
    uint8_t *bytes;
    size_t size;
};

static struct snap snap_take(const struct rig *r)
{
    struct snap s = { .size = r->fd.dev.block_count * r->fd.dev.block_size };
    s.bytes = malloc(s.size);
    memcpy(s.bytes, r->fd.durable, s.size);
    return s;
}

static void snap_restore(struct rig *r, const struct snap *s)
{
    memcpy(r->fd.durable, s->bytes, s->size);
    memcpy(r->fd.cache, s->bytes, s->size);
    memset(r->fd.dirty, 0, r->fd.dev.block_count);
    r->fd.ops = 0;
    r->fd.crash_at = 0;
    r->fd.dead = false;
    cr_assert_eq(img_store_open(&r->st, &r->fd.dev, test_key, r->io), IMG_OK);
}

/* Operations a clean save makes; the last four are the commit's superblock update. */
static uint64_t clean_ops(struct rig *r, const struct snap *s, uint32_t os)
{
    int slot;
    snap_restore(r, s);
    cr_assert_eq(try_save(r, os, 0x77, &slot), IMG_OK);
    return r->fd.ops;
}

static void crash_every_point_of_a_save(uint32_t bs, int seeds)
{
    struct rig r;
    enum img_err e;
    unsigned old_back = 0, new_back = 0;

    rig_init(&r, bs);
    save(&r, IMG_OS_A, 1, IMG_OK);
    struct snap s = snap_take(&r);
    uint64_t total = clean_ops(&r, &s, IMG_OS_A);
    cr_assert_gt(total, 12);

    for (uint64_t k = 1; k <= total; k++) {
        for (int seed = 1; seed <= seeds; seed++) {
            int slot;
            snap_restore(&r, &s);
            r.fd.crash_at = k;
            r.fd.rng = k * 7919 + (uint64_t)seed;
            e = try_save(&r, IMG_OS_A, 2, &slot);
            cr_assert_neq(e, IMG_OK, "power was cut at operation %lu of %lu", (unsigned long)k, (unsigned long)total);
            fakedev_reboot(&r.fd);

            cr_assert_eq(img_store_open(&r.st, &r.fd.dev, test_key, r.io), IMG_OK, "crash at %lu, seed %d",
                         (unsigned long)k, seed);
            int tag = restore(&r, IMG_OS_A, &e);
            cr_assert(tag == 1 || tag == 2, "crash at op %lu/%lu seed %d: no image restores (%s)", (unsigned long)k,
                      (unsigned long)total, seed, img_err_name(e));
            /* Before the commit's superblock write the new image cannot win. */
            if (k < total - 3)
                cr_assert_eq(tag, 1, "crash at op %lu/%lu: an uncommitted image restored", (unsigned long)k,
                             (unsigned long)total);
            old_back += tag == 1;
            new_back += tag == 2;

            /* The store is not wedged: the next save commits and restores. */
            save(&r, IMG_OS_A, 3, IMG_OK);
            cr_assert_eq(restore(&r, IMG_OS_A, &e), 3);
        }
    }
    cr_assert_gt(old_back, 0);
    cr_assert_gt(new_back, 0, "some crashes land after the commit point");
    free(s.bytes);
    fakedev_free(&r.fd);
}

Test(imagestore_crash, every_point_of_a_save_512, .timeout = 120)
{
    crash_every_point_of_a_save(512, 6);
}

Test(imagestore_crash, every_point_of_a_save_4096, .timeout = 120)
{
    crash_every_point_of_a_save(4096, 6);
}

Test(imagestore_crash, random_walk_of_saves_and_restores, .timeout = 120)
{
    struct rig r;
    enum img_err e;
    uint64_t rng = 0x9e3779b97f4a7c15ull;
    int current[2] = { -1, -1 }; /* the tag each OS must restore to, -1: none */

    rig_init(&r, 512);
    for (int round = 0; round < 300; round++) {
        rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
        uint32_t os = rng & 1;
        uint8_t tag = (uint8_t)(round + 10);
        int slot;
        r.fd.crash_at = 1 + (rng >> 8) % 40; /* sometimes beyond the operation's end: no crash */
        r.fd.rng = rng | 1;
        r.fd.ops = 0;
        if ((rng >> 20) % 3 == 0 && current[os] >= 0) {
            /* A restore that is then recorded, possibly cut short. */
            int latest = img_store_latest(&r.st, os);
            enum img_err m = img_store_mark_restored(&r.st, latest);
            fakedev_reboot(&r.fd);
            cr_assert_eq(img_store_open(&r.st, &r.fd.dev, test_key, r.io), IMG_OK);
            int now = img_store_latest(&r.st, os);
            if (m == IMG_OK)
                cr_assert_eq(now, -1, "round %d: a durable restore mark was lost", round);
            if (now < 0)
                current[os] = -1;
            else
                cr_assert_eq(restore(&r, os, &e), current[os]);
            continue;
        }
        e = try_save(&r, os, tag, &slot);
        fakedev_reboot(&r.fd);
        cr_assert_eq(img_store_open(&r.st, &r.fd.dev, test_key, r.io), IMG_OK, "round %d", round);
        int got = restore(&r, os, &e);
        if (e == IMG_E_EMPTY)
            got = -1;
        if (e == IMG_OK || e == IMG_E_EMPTY)
            e = IMG_OK;
        cr_assert_eq(e, IMG_OK, "round %d: %s", round, img_err_name(e));
        cr_assert(got == current[os] || got == tag, "round %d: OS %u restored %d, expected %d or %d", round, os, got,
                  current[os], tag);
        current[os] = got;
        /* The other OS's image is never disturbed. */
        if (current[os ^ 1] >= 0)
            cr_assert_eq(restore(&r, os ^ 1, &e), current[os ^ 1], "round %d", round);
    }
    fakedev_free(&r.fd);
}
