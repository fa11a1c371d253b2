/* SPDX-License-Identifier: MIT */
/*
 * The loader's verdict on a store, on stores the real imagestore library
 * wrote to a block device in memory (tests/unit/imagestore/helpers.c):
 * empty, waiting images, the wrong key, and the rollback docs/image-format.md
 * names (the whole partition put back to an older copy).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "../../../efi-loader/store_check.h"
#include "../imagestore/helpers.h"

static char msg[320];

Test(store_check, blank_partition_is_an_empty_store)
{
    struct fakedev d;
    struct img_store s;
    struct store_verdict v;
    uint8_t io[512];

    fakedev_init(&d, 512, 2048);
    store_judge(&d.dev, test_key, 7, io, &s, &v, msg, sizeof msg);
    cr_assert_eq(v.stored, 0);
    cr_assert(v.empty);
    cr_assert_eq(v.slot_of[0], 0xff);
    cr_assert_eq(v.floor, 7, "the floor stays");
    cr_assert_not(v.raise);
    fakedev_free(&d);
}

Test(store_check, waiting_image_and_the_floor_raised)
{
    struct rig r;
    struct img_store s;
    struct store_verdict v;

    rig_init(&r, 512);
    int slot = save(&r, IMG_OS_B, 0x22, IMG_OK);
    store_judge(&r.fd.dev, test_key, 0, r.io, &s, &v, msg, sizeof msg);
    cr_assert_eq(v.stored, 1 << 1, "B waits: %s", msg);
    cr_assert_eq(v.slot_of[1], slot);
    cr_assert_eq(v.slot_of[0], 0xff);
    cr_assert_eq(v.floor, s.last_generation);
    cr_assert_gt(v.floor, 0);
    cr_assert(v.raise, "the variable learns the newer generation");
    /* Next boot, with the variable raised: same store, nothing to raise. */
    store_judge(&r.fd.dev, test_key, v.floor, r.io, &s, &v, msg, sizeof msg);
    cr_assert_eq(v.stored, 2);
    cr_assert_not(v.raise);
    fakedev_free(&r.fd);
}

Test(store_check, rolled_back_store_is_refused)
{
    struct rig r;
    struct img_store s;
    struct store_verdict v;

    rig_init(&r, 512);
    save(&r, IMG_OS_A, 0x11, IMG_OK);
    size_t bytes = r.fd.dev.block_count * r.fd.dev.block_size;
    uint8_t *old = malloc(bytes);
    memcpy(old, r.fd.durable, bytes); /* the partition copied away with A's image */
    store_judge(&r.fd.dev, test_key, 0, r.io, &s, &v, msg, sizeof msg);
    uint64_t seen = v.floor;
    /* A is restored and B committed later: the machine has seen a newer generation. */
    int slot = img_store_latest(&r.st, IMG_OS_A);
    cr_assert_eq(img_store_open(&r.st, &r.fd.dev, test_key, r.io), IMG_OK);
    cr_assert_eq(img_store_mark_restored(&r.st, slot), IMG_OK);
    save(&r, IMG_OS_B, 0x22, IMG_OK);
    store_judge(&r.fd.dev, test_key, seen, r.io, &s, &v, msg, sizeof msg);
    cr_assert(v.raise);
    seen = v.floor;
    /* Now the old copy goes back on the disk: A's consumed image would run again. */
    memcpy(r.fd.durable, old, bytes);
    memcpy(r.fd.cache, old, bytes);
    store_judge(&r.fd.dev, test_key, seen, r.io, &s, &v, msg, sizeof msg);
    cr_assert_eq(v.stored, -1, "a rolled-back store is refused");
    cr_assert(strstr(msg, "rolled back"), "%s", msg);
    /* Without the variable's memory, the same copy would have been believed. */
    store_judge(&r.fd.dev, test_key, 0, r.io, &s, &v, msg, sizeof msg);
    cr_assert_eq(v.stored, 1);
    free(old);
    fakedev_free(&r.fd);
}

Test(store_check, store_under_another_key_cannot_be_read)
{
    struct rig r;
    struct img_store s;
    struct store_verdict v;

    rig_init(&r, 4096);
    save(&r, IMG_OS_A, 0x11, IMG_OK);
    store_judge(&r.fd.dev, other_key, 0, r.io, &s, &v, msg, sizeof msg);
    cr_assert_eq(v.stored, -1);
    cr_assert(strstr(msg, "cannot be read: ") && strstr(msg, "key"), "%s", msg);
    fakedev_free(&r.fd);
}
