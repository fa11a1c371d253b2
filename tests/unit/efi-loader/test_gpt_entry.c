/* SPDX-License-Identifier: MIT */
/*
 * The GPT entry reader on a table sgdisk wrote (tests/fixtures/efi-loader/
 * gpt-two-partitions.bin, README there), and on that table damaged.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../../efi-loader/gpt_entry.h"

static uint8_t disk[34 * 512];

static int rd(void *ctx, uint64_t lba, void *buf)
{
    (void)ctx;
    if (lba >= sizeof disk / 512)
        return -1;
    memcpy(buf, disk + lba * 512, 512);
    return 0;
}

static void load(void)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/fixtures/efi-loader/gpt-two-partitions.bin",
             getenv("SMX_ROOT") ? getenv("SMX_ROOT") : ".");
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    cr_assert_eq(fread(disk, 1, sizeof disk, f), sizeof disk);
    fclose(f);
}

TestSuite(gpt_entry, .init = load);

static const struct gpt_reader r = { NULL, 512, rd };
/* 0fc63daf-8483-4772-8e79-3d69d8477de4 and 5b8e1c3d-2f4a-4e6b-8c7d-9a0b1c2d3e4f in on-disk order. */
static const uint8_t linux_fs[16] = { 0xaf, 0x3d, 0xc6, 0x0f, 0x83, 0x84, 0x72, 0x47,
                                      0x8e, 0x79, 0x3d, 0x69, 0xd8, 0x47, 0x7d, 0xe4 };
static const uint8_t made_up[16] = { 0x3d, 0x1c, 0x8e, 0x5b, 0x4a, 0x2f, 0x6b, 0x4e,
                                     0x8c, 0x7d, 0x9a, 0x0b, 0x1c, 0x2d, 0x3e, 0x4f };

Test(gpt_entry, both_partitions_by_number)
{
    uint8_t buf[512], type[16];
    cr_assert_null(gpt_entry_type(&r, 1, 2048, buf, type));
    cr_assert_arr_eq(type, linux_fs, 16);
    cr_assert_null(gpt_entry_type(&r, 2, 4096, buf, type));
    cr_assert_arr_eq(type, made_up, 16);
}

Test(gpt_entry, refuses_what_does_not_match)
{
    uint8_t buf[512], type[16];
    const char *e = gpt_entry_type(&r, 2, 2048, buf, type);
    cr_assert(e && strstr(e, "does not start where"), "%s", e);
    e = gpt_entry_type(&r, 0, 2048, buf, type);
    cr_assert(e && strstr(e, "not in the entry array"), "%s", e);
    e = gpt_entry_type(&r, 129, 2048, buf, type);
    cr_assert(e && strstr(e, "not in the entry array"), "%s", e);
    /* An empty entry starts at LBA 0. */
    e = gpt_entry_type(&r, 3, 6144, buf, type);
    cr_assert_not_null(e);
}

Test(gpt_entry, refuses_a_damaged_header)
{
    uint8_t buf[512], type[16];
    disk[512] ^= 0x20; /* "eFI PART" */
    const char *e = gpt_entry_type(&r, 1, 2048, buf, type);
    cr_assert(e && strstr(e, "signature"), "%s", e);
    disk[512] ^= 0x20;
    disk[512 + 84] = 100; /* entry size */
    e = gpt_entry_type(&r, 1, 2048, buf, type);
    cr_assert(e && strstr(e, "entry size"), "%s", e);
}
