/* SPDX-License-Identifier: MIT */
/*
 * The VMM's GPT reader on disk images sfdisk and sgdisk made
 * (tests/unit/store/mkgpt.sh), and on copies of them damaged in each way
 * the reader must notice: every malformation is refused with its own
 * error, and a damaged primary table falls back to the backup.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpt.h"

#define BS 512
#define ESP_TYPE "c12a7328-f81f-11d2-ba4b-00a0c93ec93b"
#define LINUX_TYPE "0fc63daf-8483-4772-8e79-3d69d8477de4"
#define STORE_GUID "6e0c2a4f-3b1d-4c8e-9f27-5a81d0c4e9b2"
#define SWAP_GUID "11111111-2222-4333-8444-555555555504"

struct image {
    uint8_t *data;
    size_t len;
    int fail_lba; /* a read touching this LBA fails; -1: none */
};

static struct image img;

static void load(const char *name)
{
    char path[4096];
    const char *b = getenv("SMX_BUILD");
    snprintf(path, sizeof path, "%s/fixtures/gpt/%s", b ? b : "build", name);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s (run make first)", path);
    fseek(f, 0, SEEK_END);
    img.len = (size_t)ftell(f);
    rewind(f);
    img.data = malloc(img.len);
    cr_assert_eq(fread(img.data, 1, img.len, f), img.len);
    fclose(f);
    img.fail_lba = -1;
}

static void load_sfdisk(void) { load("sfdisk-512.img"); }
static void load_sgdisk(void) { load("sgdisk-512.img"); }
static void unload(void) { free(img.data); }

static int read_blocks(void *ctx, uint64_t lba, uint32_t n, void *buf)
{
    struct image *im = ctx;
    if ((lba + n) * BS > im->len)
        return -1;
    if (im->fail_lba >= 0 && (uint64_t)im->fail_lba >= lba && (uint64_t)im->fail_lba < lba + n)
        return -1;
    memcpy(buf, im->data + lba * BS, (size_t)n * BS);
    return 0;
}

static struct pol_guid guid(const char *s)
{
    static const int order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
    struct pol_guid g;
    int i = 0;
    for (const char *p = s; *p && i < 16; p++) {
        if (*p == '-')
            continue;
        unsigned v;
        sscanf(p, "%2x", &v);
        g.b[order[i++]] = (uint8_t)v;
        p++;
    }
    return g;
}

static enum gpt_err find(enum gpt_by by, const char *g, struct gpt_part *p, char *why)
{
    struct gpt_disk d = { .ctx = &img, .block_size = BS, .block_count = img.len / BS, .read = read_blocks };
    uint8_t block[BS];
    struct pol_guid want = guid(g);
    return gpt_find(&d, by, &want, block, p, why, 300);
}

/* Header fields, UEFI 2.10 table 5-5. */
static uint8_t *header(uint64_t lba) { return img.data + lba * BS; }
static uint64_t backup_lba(void) { return img.len / BS - 1; }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

static void fix_header_crc(uint64_t lba)
{
    uint8_t *h = header(lba);
    put32(h + 16, 0);
    put32(h + 16, gpt_crc32(0, h, get32(h + 12)));
}

/* Recompute the entry array CRC and the header's after editing entries. */
static void fix_table(uint64_t lba)
{
    uint8_t *h = header(lba);
    uint8_t *arr = img.data + get64(h + 72) * BS;
    put32(h + 88, gpt_crc32(0, arr, (size_t)get32(h + 80) * get32(h + 84)));
    fix_header_crc(lba);
}

static uint8_t *entry(uint64_t header_lba, unsigned i)
{
    uint8_t *h = header(header_lba);
    return img.data + get64(h + 72) * BS + (size_t)(i - 1) * get32(h + 84);
}

TestSuite(gpt, .init = load_sfdisk, .fini = unload);
TestSuite(gpt_sgdisk, .init = load_sgdisk, .fini = unload);

Test(gpt, crc32_check_value)
{
    cr_assert_eq(gpt_crc32(0, "123456789", 9), 0xcbf43926u);
}

Test(gpt, guid_text_round_trip)
{
    char t[37];
    struct pol_guid g = guid(STORE_GUID);
    gpt_guid_text(&g, t);
    cr_assert_str_eq(t, STORE_GUID);
    /* EFI_GUID byte order: the first field little-endian on disk. */
    cr_assert_eq(g.b[0], 0x4f);
    cr_assert_eq(g.b[3], 0x6e);
}

Test(gpt, first_partition_of_a_type)
{
    struct gpt_part p;
    char why[300];
    cr_assert_eq(find(GPT_BY_TYPE, LINUX_TYPE, &p, why), GPT_OK, "%s", why);
    cr_assert_eq(p.index, 2);
    cr_assert_eq(p.first_lba, 6144);
    cr_assert_eq(p.last_lba, 8191);
    cr_assert(!p.from_backup);
    char t[37];
    gpt_guid_text(&p.unique, t);
    cr_assert_str_eq(t, "11111111-2222-4333-8444-555555555502");
}

Test(gpt, partition_by_unique_guid)
{
    struct gpt_part p;
    char why[300];
    cr_assert_eq(find(GPT_BY_UNIQUE, STORE_GUID, &p, why), GPT_OK, "%s", why);
    cr_assert_eq(p.index, 3);
    cr_assert_eq(p.first_lba, 8192);
    cr_assert_eq(p.last_lba, 12287);
    char t[37];
    gpt_guid_text(&p.type, t);
    cr_assert_str_eq(t, LINUX_TYPE);
}

Test(gpt, type_and_unique_guids_are_not_confused)
{
    struct gpt_part p;
    char why[300];
    /* A unique GUID is not a type, and a type is not a unique GUID. */
    cr_assert_eq(find(GPT_BY_TYPE, STORE_GUID, &p, why), GPT_E_NOT_FOUND);
    cr_assert_eq(find(GPT_BY_UNIQUE, ESP_TYPE, &p, why), GPT_E_NOT_FOUND);
    cr_assert(strstr(why, ESP_TYPE), "%s", why);
    cr_assert(strstr(why, "no partition with unique GUID"), "%s", why);
}

Test(gpt_sgdisk, sgdisk_table_of_32_entries)
{
    struct gpt_part p;
    char why[300];
    cr_assert_eq(get32(header(1) + 80), 32);
    cr_assert_eq(find(GPT_BY_UNIQUE, STORE_GUID, &p, why), GPT_OK, "%s", why);
    cr_assert_eq(p.index, 3);
    cr_assert_eq(p.first_lba, 8192);
    cr_assert_eq(p.last_lba, 12287);
    cr_assert_eq(find(GPT_BY_UNIQUE, SWAP_GUID, &p, why), GPT_OK, "%s", why);
    cr_assert_eq(p.index, 4);
}

Test(gpt, damaged_primary_header_falls_back_to_backup)
{
    struct gpt_part p;
    char why[300];
    header(1)[40] ^= 1; /* FirstUsableLBA, checksum left stale */
    cr_assert_eq(find(GPT_BY_UNIQUE, STORE_GUID, &p, why), GPT_OK, "%s", why);
    cr_assert(p.from_backup);
    cr_assert_eq(p.primary_err, GPT_E_HEADER_CRC);
    cr_assert(strstr(p.primary_why, "primary header (LBA 1): HeaderCRC32"), "%s", p.primary_why);
    cr_assert_eq(p.index, 3);
    cr_assert_eq(p.first_lba, 8192);
}

Test(gpt, damaged_primary_entries_fall_back_to_backup)
{
    struct gpt_part p;
    char why[300];
    entry(1, 3)[40] ^= 0x10; /* the store's EndingLBA in the primary array */
    cr_assert_eq(find(GPT_BY_UNIQUE, STORE_GUID, &p, why), GPT_OK, "%s", why);
    cr_assert(p.from_backup);
    cr_assert_eq(p.primary_err, GPT_E_ENTRIES_CRC);
    cr_assert(strstr(p.primary_why, "PartitionEntryArrayCRC32"), "%s", p.primary_why);
    cr_assert_eq(p.last_lba, 12287, "the backup's value, not the damaged one");
}

Test(gpt, both_tables_damaged_is_an_error_naming_both)
{
    struct gpt_part p;
    char why[300];
    header(1)[60] ^= 1;
    header(backup_lba())[60] ^= 1;
    cr_assert_eq(find(GPT_BY_UNIQUE, STORE_GUID, &p, why), GPT_E_HEADER_CRC);
    cr_assert(strstr(why, "primary header (LBA 1)"), "%s", why);
    cr_assert(strstr(why, "backup header (LBA 16383)"), "%s", why);
}

Test(gpt, no_mbr_signature)
{
    struct gpt_part p;
    char why[300];
    img.data[510] = 0;
    cr_assert_eq(find(GPT_BY_TYPE, LINUX_TYPE, &p, why), GPT_E_NO_MBR);
    cr_assert(strstr(why, "protective MBR (LBA 0): signature 00aa"), "%s", why);
}

Test(gpt, mbr_without_protective_partition)
{
    struct gpt_part p;
    char why[300];
    cr_assert_eq(img.data[446 + 4], 0xee, "sfdisk writes a protective MBR");
    img.data[446 + 4] = 0x83;
    cr_assert_eq(find(GPT_BY_TYPE, LINUX_TYPE, &p, why), GPT_E_NOT_PROTECTIVE);
    cr_assert(strstr(why, "0xEE"), "%s", why);
}

Test(gpt, signature)
{
    struct gpt_part p;
    char why[300];
    memcpy(header(1), "EFI TRAP", 8);
    memcpy(header(backup_lba()), "EFI TRAP", 8);
    cr_assert_eq(find(GPT_BY_TYPE, LINUX_TYPE, &p, why), GPT_E_SIGNATURE);
    cr_assert(strstr(why, "\"EFI PART\""), "%s", why);
}

Test(gpt, revision)
{
    struct gpt_part p;
    char why[300];
    put32(header(1) + 8, 0x00020000);
    fix_header_crc(1);
    cr_assert_eq(find(GPT_BY_TYPE, LINUX_TYPE, &p, why), GPT_OK);
    cr_assert_eq(p.primary_err, GPT_E_REVISION);
    cr_assert(strstr(p.primary_why, "revision 0x20000"), "%s", p.primary_why);
}

Test(gpt, header_size)
{
    struct gpt_part p;
    char why[300];
    put32(header(1) + 12, 91);
    put32(header(backup_lba()) + 12, 513);
    cr_assert_eq(find(GPT_BY_TYPE, LINUX_TYPE, &p, why), GPT_E_HEADER_SIZE);
    cr_assert(strstr(why, "HeaderSize 91"), "%s", why);
    cr_assert(strstr(why, "HeaderSize 513"), "%s", why);
}

Test(gpt, my_lba)
{
    struct gpt_part p;
    char why[300];
    put64(header(1) + 24, 2);
    fix_header_crc(1);
    cr_assert_eq(find(GPT_BY_TYPE, LINUX_TYPE, &p, why), GPT_OK);
    cr_assert_eq(p.primary_err, GPT_E_MY_LBA);
    cr_assert(strstr(p.primary_why, "MyLBA says 2"), "%s", p.primary_why);
}

Test(gpt, usable_range_off_the_disk)
{
    struct gpt_part p;
    char why[300];
    put64(header(1) + 48, backup_lba() + 5);
    fix_header_crc(1);
    cr_assert_eq(find(GPT_BY_TYPE, LINUX_TYPE, &p, why), GPT_OK);
    cr_assert_eq(p.primary_err, GPT_E_USABLE);
}

Test(gpt, entry_size)
{
    struct gpt_part p;
    char why[300];
    put32(header(1) + 84, 100);
    fix_header_crc(1);
    cr_assert_eq(find(GPT_BY_TYPE, LINUX_TYPE, &p, why), GPT_OK);
    cr_assert_eq(p.primary_err, GPT_E_ENTRY_SIZE);
    cr_assert(strstr(p.primary_why, "SizeOfPartitionEntry 100"), "%s", p.primary_why);
}

Test(gpt, entry_array_inside_the_usable_range)
{
    struct gpt_part p;
    char why[300];
    put64(header(1) + 72, 4096); /* PartitionEntryLBA in the middle of the ESP */
    fix_header_crc(1);
    put32(header(backup_lba()) + 80, 1u << 20); /* 128 MiB of entries */
    fix_header_crc(backup_lba());
    cr_assert_eq(find(GPT_BY_TYPE, LINUX_TYPE, &p, why), GPT_E_ENTRY_ARRAY);
    cr_assert(strstr(why, "overlaps the usable LBAs"), "%s", why);
    cr_assert(strstr(why, "does not fit the disk"), "%s", why);
}

Test(gpt, partition_outside_the_usable_range)
{
    struct gpt_part p;
    char why[300];
    /* A consistent table (checksums right) whose store partition runs off
     * the usable range: refused, not clamped, and no fallback to the
     * backup, which is for damage, not for a second opinion. */
    put64(entry(1, 3) + 40, backup_lba());
    fix_table(1);
    cr_assert_eq(find(GPT_BY_UNIQUE, STORE_GUID, &p, why), GPT_E_PART_RANGE);
    cr_assert(strstr(why, "partition 3"), "%s", why);
    cr_assert(strstr(why, "outside the usable"), "%s", why);
}

Test(gpt, partition_ending_before_it_starts)
{
    struct gpt_part p;
    char why[300];
    put64(entry(1, 2) + 40, 6000);
    fix_table(1);
    cr_assert_eq(find(GPT_BY_TYPE, LINUX_TYPE, &p, why), GPT_E_PART_RANGE);
}

Test(gpt, deleted_entries_are_skipped)
{
    struct gpt_part p;
    char why[300];
    memset(entry(1, 2), 0, 128); /* the first Linux partition removed */
    fix_table(1);
    cr_assert_eq(find(GPT_BY_TYPE, LINUX_TYPE, &p, why), GPT_OK, "%s", why);
    cr_assert_eq(p.index, 3);
    cr_assert(!p.from_backup);
}

Test(gpt, read_error)
{
    struct gpt_part p;
    char why[300];
    img.fail_lba = 2; /* the primary entry array */
    cr_assert_eq(find(GPT_BY_TYPE, LINUX_TYPE, &p, why), GPT_OK, "%s", why);
    cr_assert_eq(p.primary_err, GPT_E_IO);
    img.fail_lba = 0;
    cr_assert_eq(find(GPT_BY_TYPE, LINUX_TYPE, &p, why), GPT_E_IO);
}

Test(gpt, unusable_geometry)
{
    struct gpt_disk d = { .ctx = &img, .block_size = 768, .block_count = 100, .read = read_blocks };
    uint8_t block[1024];
    struct gpt_part p;
    char why[200];
    struct pol_guid g = guid(LINUX_TYPE);
    cr_assert_eq(gpt_find(&d, GPT_BY_TYPE, &g, block, &p, why, sizeof why), GPT_E_ARG);
    cr_assert(strstr(why, "768"), "%s", why);
}

Test(gpt, every_error_has_a_name)
{
    for (int e = 0; e < GPT_E_COUNT_; e++)
        cr_assert(gpt_err_name(e) && strcmp(gpt_err_name(e), "?"), "error %d", e);
}
