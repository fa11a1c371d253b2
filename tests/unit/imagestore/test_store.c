/* SPDX-License-Identifier: MIT */
/* The on-partition store: superblock copies, slot choice, the slot life cycle. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "layout.h"
#include "seal.h"

Test(imagestore_store, save_restore_mark_restored)
{
    struct rig r;
    enum img_err e;

    for (uint32_t bs = 512; bs <= 4096; bs *= 2) {
        rig_init(&r, bs);
        cr_assert_eq(img_store_latest(&r.st, IMG_OS_A), -1);
        int slot = save(&r, IMG_OS_A, 0x11, IMG_OK);
        cr_assert_eq(r.st.slot[slot].state, IMG_SLOT_COMMITTED);
        cr_assert_eq(r.st.slot[slot].generation, 1);

        /* What a fresh boot sees: the store read back from the device. */
        cr_assert_eq(img_store_open(&r.st, &r.fd.dev, test_key, r.io), IMG_OK);
        cr_assert_eq(r.st.bad_copies, 0);
        cr_assert_eq(restore(&r, IMG_OS_A, &e), 0x11, "block size %u: %s", bs, img_err_name(e));
        cr_assert_eq(img_store_mark_restored(&r.st, slot), IMG_OK);
        cr_assert_eq(img_store_latest(&r.st, IMG_OS_A), -1);
        struct img_slot_stream ss;
        struct img_expect x;
        cr_assert_eq(img_store_read(&r.st, slot, false, &ss, &x), IMG_E_REPLAYED, "a restored image never runs twice");
        cr_assert_eq(img_store_read(&r.st, slot, true, &ss, &x), IMG_OK, "but can be inspected");
        cr_assert_eq(img_store_mark_restored(&r.st, slot), IMG_E_ARG);
        cr_assert_eq(img_store_open(&r.st, &r.fd.dev, test_key, r.io), IMG_OK);
        cr_assert_eq(r.st.slot[slot].state, IMG_SLOT_RESTORED);
        fakedev_free(&r.fd);
    }
}

Test(imagestore_store, slots_alternate_and_newer_supersedes)
{
    struct rig r;
    enum img_err e;

    rig_init(&r, 512);
    int s1 = save(&r, IMG_OS_A, 1, IMG_OK);
    int s2 = save(&r, IMG_OS_A, 2, IMG_OK);
    cr_assert_neq(s1, s2, "the previous image stays while the new one is written");
    cr_assert_eq(r.st.slot[s1].state, IMG_SLOT_SUPERSEDED);
    cr_assert_eq(restore(&r, IMG_OS_A, &e), 2);
    struct img_slot_stream ss;
    struct img_expect x;
    cr_assert_eq(img_store_read(&r.st, s1, false, &ss, &x), IMG_E_REPLAYED, "superseded images never run");
    int s3 = save(&r, IMG_OS_A, 3, IMG_OK);
    cr_assert_eq(s3, s1);
    cr_assert_eq(r.st.slot[s3].generation, 3);
    cr_assert_eq(restore(&r, IMG_OS_A, &e), 3);
    fakedev_free(&r.fd);
}

Test(imagestore_store, never_overwrites_an_unrestored_image)
{
    struct rig r;
    enum img_err e;

    rig_init(&r, 512);
    int sa = save(&r, IMG_OS_A, 0xa, IMG_OK);
    int sb = save(&r, IMG_OS_B, 0xb, IMG_OK);
    cr_assert_neq(sa, sb);
    save(&r, IMG_OS_A, 0xa2, IMG_E_BUSY);
    cr_assert_str_eq(r.st.err.what, "both slots hold unrestored images (generations %a and %b)");
    struct img_slot_stream ss;
    uint64_t gen;
    cr_assert_eq(img_store_begin(&r.st, IMG_OS_A, sb, &ss, &gen), IMG_E_BUSY);
    /* Nothing changed on the device: both images still restore. */
    cr_assert_eq(img_store_open(&r.st, &r.fd.dev, test_key, r.io), IMG_OK);
    cr_assert_eq(restore(&r, IMG_OS_A, &e), 0xa);
    cr_assert_eq(restore(&r, IMG_OS_B, &e), 0xb);
    cr_assert_eq(img_store_mark_restored(&r.st, sb), IMG_OK);
    cr_assert_eq(save(&r, IMG_OS_A, 0xa3, IMG_OK), sb);
    cr_assert_eq(restore(&r, IMG_OS_A, &e), 0xa3);
    fakedev_free(&r.fd);
}

Test(imagestore_store, one_bad_superblock_copy_is_survived_and_healed)
{
    struct rig r;
    enum img_err e;

    for (int copy = 0; copy < 2; copy++) {
        rig_init(&r, 512);
        save(&r, IMG_OS_A, 7, IMG_OK);
        r.fd.cache[copy * SB_AREA + SB_O_LAST_GEN] ^= 1;
        cr_assert_eq(img_store_open(&r.st, &r.fd.dev, test_key, r.io), IMG_OK);
        cr_assert_eq(r.st.bad_copies, 1u << copy);
        cr_assert_eq(r.st.err.code, IMG_E_ALTERED);
        cr_assert_eq(restore(&r, IMG_OS_A, &e), 7);
        save(&r, IMG_OS_A, 8, IMG_OK); /* the next update rewrites both copies */
        cr_assert_eq(img_store_open(&r.st, &r.fd.dev, test_key, r.io), IMG_OK);
        cr_assert_eq(r.st.bad_copies, 0);
        fakedev_free(&r.fd);
    }
}

Test(imagestore_store, superblock_errors_are_distinct)
{
    struct rig r;
    char msg[200];

    rig_init(&r, 512);
    cr_assert_eq(img_store_open(&r.st, &r.fd.dev, other_key, r.io), IMG_E_KEY);
    img_error_format(&r.st.err, msg, sizeof msg);
    cr_assert(strstr(msg, "superblock copy 0: store belongs to key 0x"), "%s", msg);

    /* A forged superblock: fields changed and the checksum redone, but no key for the MAC. */
    for (int c = 0; c < 2; c++) {
        uint8_t *p = r.fd.cache + c * SB_AREA;
        p[SB_O_SLOTS + SLOT_O_STATE] = IMG_SLOT_COMMITTED;
        put32(p + SB_O_CRC, img_crc32c(p, SB_O_CRC));
    }
    cr_assert_eq(img_store_open(&r.st, &r.fd.dev, test_key, r.io), IMG_E_ALTERED);
    img_error_format(&r.st.err, msg, sizeof msg);
    cr_assert_str_eq(msg, "superblock copy 0 fails authentication (altered)");

    memset(r.fd.cache, 0, 2 * SB_AREA);
    cr_assert_eq(img_store_open(&r.st, &r.fd.dev, test_key, r.io), IMG_E_NOT_IMAGE);
    fakedev_free(&r.fd);

    struct fakedev tiny;
    fakedev_init(&tiny, 512, 128 * 1024 / 512);
    cr_assert_eq(img_store_format(&r.st, &tiny.dev, test_key, store_id, r.io), IMG_E_NOSPACE);
    fakedev_free(&tiny);
    fakedev_init(&tiny, 300, 4096);
    cr_assert_eq(img_store_format(&r.st, &tiny.dev, test_key, store_id, r.io), IMG_E_ARG);
    fakedev_free(&tiny);
}

Test(imagestore_store, image_larger_than_a_slot)
{
    struct fakedev fd;
    struct img_store st;
    uint8_t io[512];
    /* 256 KiB: two 64 KiB slots, too small for 48 real pages. */
    fakedev_init(&fd, 512, 512);
    cr_assert_eq(img_store_format(&st, &fd.dev, test_key, store_id, io), IMG_OK);
    cr_assert_eq(st.slot_size, 65536);
    struct rig *r = calloc(1, sizeof *r);
    r->fd = fd;
    r->st = st;
    r->st.io = r->io;
    r->st.dev = &r->fd.dev;
    r->fd.dev.ctx = &r->fd;
    save(r, IMG_OS_A, 1, IMG_E_IO);
    cr_assert_eq(r->st.err.code, IMG_E_NOSPACE, "the store says why the sink failed");
    fakedev_free(&r->fd);
    free(r);
}
