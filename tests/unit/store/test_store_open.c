/* SPDX-License-Identifier: MIT */
/*
 * vmm_store_open's decisions, hosted: store.c over a fake disk holding the
 * sfdisk fixture (store = partition 3, LBA 8192..12287). An empty
 * partition is formatted; a store that fails to open for any other reason
 * (damage, another key, a rollback, a partition not where the loader saw
 * it) is refused without a byte written; nothing outside the partition is
 * ever written.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blk.h"
#include "log.h"
#include "mem.h"
#include "store.h"
#include "tftp.h"
#include "time.h"

#define BS 512
#define PART_FIRST 8192
#define PART_BLOCKS 4096
#define LINUX_TYPE_LE { 0xaf, 0x3d, 0xc6, 0x0f, 0x83, 0x84, 0x72, 0x47, 0x8e, 0x79, 0x3d, 0x69, 0xd8, 0x47, 0x7d, 0xe4 }
#define STORE_GUID_LE { 0x4f, 0x2a, 0x0c, 0x6e, 0x1d, 0x3b, 0x8e, 0x4c, 0x9f, 0x27, 0x5a, 0x81, 0xd0, 0xc4, 0xe9, 0xb2 }

static uint8_t *disk, *snapshot;
static uint64_t allowed_first = PART_FIRST, allowed_blocks = PART_BLOCKS; /* where writes may land */
static size_t disk_len;
static unsigned resets, writes;
static char logbuf[8192];
static struct smx_bootinfo bi;

/* ---- what store.c needs from the VMM ---- */
void smx_log(const char *tag, const char *fmt, ...)
{
    va_list ap;
    size_t n = strlen(logbuf);
    va_start(ap, fmt);
    n += (size_t)snprintf(logbuf + n, sizeof logbuf - n, "%s: ", tag);
    if (n < sizeof logbuf)
        n += (size_t)vsnprintf(logbuf + n, sizeof logbuf - n, fmt, ap);
    if (n + 1 < sizeof logbuf)
        strcat(logbuf, "\n");
    va_end(ap);
}

void *mem_alloc_pages(size_t n)
{
    void *p = aligned_alloc(4096, n * 4096);
    memset(p, 0, n * 4096);
    return p;
}

uint64_t smx_time_ns(void) { return 0; }

/* The TFTP store (vmm/store/tftp_open.c) needs the network: here, a
 * machine without a NIC the VMM drives. */
static unsigned tftp_opens;
enum img_err tftp_store_open(const struct smx_bootinfo *b, struct img_store *s, void *io, char *why, size_t n)
{
    (void)b, (void)s, (void)io;
    tftp_opens++;
    snprintf(why, n, "no network card the VMM drives (Intel 82574L) answered");
    return IMG_E_IO;
}

static int fake_read(struct blk_dev *d, uint64_t lba, uint32_t n, void *buf)
{
    cr_assert_leq((lba + n) * BS, disk_len);
    memcpy(buf, disk + lba * BS, (size_t)n * BS);
    return 0;
}

static int fake_write(struct blk_dev *d, uint64_t lba, uint32_t n, const void *buf)
{
    cr_assert(lba >= allowed_first && lba + n <= allowed_first + allowed_blocks, "write at %llu+%u: outside the partition",
              (unsigned long long)lba, n);
    memcpy(disk + lba * BS, buf, (size_t)n * BS);
    writes++;
    return 0;
}

static int fake_flush(struct blk_dev *d) { return 0; }

static struct blk_dev dev = { .name = "fake 00:00.0 port 0", .ctrl = SMX_CTRL_AHCI, .block_size = BS,
                              .max_blocks = 64, .read = fake_read, .write = fake_write, .flush = fake_flush };

bool blk_scan(const struct blk_where *prefer, blk_visit_fn *visit, void *ctx) { return visit(ctx, &dev); }
void blk_reset_all(void) { resets++; }

/* ---- fixtures ---- */
static void setup(void)
{
    char path[4096];
    const char *b = getenv("SMX_BUILD");
    snprintf(path, sizeof path, "%s/fixtures/gpt/sfdisk-512.img", b ? b : "build");
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s (run make first)", path);
    fseek(f, 0, SEEK_END);
    disk_len = (size_t)ftell(f);
    rewind(f);
    disk = malloc(disk_len);
    snapshot = malloc(disk_len);
    cr_assert_eq(fread(disk, 1, disk_len, f), disk_len);
    fclose(f);
    dev.block_count = disk_len / BS;
    memset(&bi, 0, sizeof bi);
    bi.config.store.kind = POL_STORE_PART_GUID;
    bi.config.store.guid = (struct pol_guid){ STORE_GUID_LE };
    memset(bi.master_key, 0x5a, sizeof bi.master_key);
    logbuf[0] = 0;
    resets = writes = 0;
}

static void teardown(void)
{
    free(disk);
    free(snapshot);
}

TestSuite(store_open, .init = setup, .fini = teardown);

static enum img_err open_store(struct img_store **s, char *why)
{
    return vmm_store_open(&bi, s, why, 200);
}

static void take_snapshot(void) { memcpy(snapshot, disk, disk_len); }
static bool unchanged(void) { return memcmp(snapshot, disk, disk_len) == 0; }

Test(store_open, empty_partition_is_formatted_and_logged)
{
    struct img_store *s;
    char why[200];
    take_snapshot();
    cr_assert_eq(open_store(&s, why), IMG_OK, "%s", why);
    cr_assert_not_null(s);
    cr_assert(strstr(logbuf, "partition 3 held no store: formatted a new one"), "%s", logbuf);
    cr_assert(strstr(logbuf, "partition 3 (lba 8192+4096, 512-byte blocks)"), "%s", logbuf);
    cr_assert_eq(memcmp(disk + PART_FIRST * BS, "SMXSTORE", 8), 0, "superblock at the partition's start");
    cr_assert_eq(memcmp(disk, snapshot, PART_FIRST * BS), 0, "nothing before the partition changed");
    cr_assert_eq(memcmp(disk + (PART_FIRST + PART_BLOCKS) * BS, snapshot + (PART_FIRST + PART_BLOCKS) * BS,
                        disk_len - (PART_FIRST + PART_BLOCKS) * BS), 0, "nothing after it either");
    vmm_store_close();
    cr_assert_eq(resets, 1, "close resets the controllers");
}

Test(store_open, a_store_is_reopened_not_formatted)
{
    struct img_store *s;
    char why[200];
    cr_assert_eq(open_store(&s, why), IMG_OK, "%s", why);
    uint8_t id[IMG_ID_SIZE];
    memcpy(id, s->store_id, sizeof id);
    vmm_store_close();
    logbuf[0] = 0;
    take_snapshot();
    cr_assert_eq(open_store(&s, why), IMG_OK, "%s", why);
    cr_assert_eq(memcmp(s->store_id, id, sizeof id), 0);
    cr_assert(strstr(logbuf, "opened in"), "%s", logbuf);
    cr_assert(!strstr(logbuf, "formatted"), "%s", logbuf);
    cr_assert(unchanged(), "opening writes nothing");
}

Test(store_open, type_guid_finds_the_first_partition_of_the_type)
{
    struct img_store *s;
    char why[200];
    bi.config.store.kind = POL_STORE_PART_TYPE;
    bi.config.store.guid = (struct pol_guid){ LINUX_TYPE_LE };
    allowed_first = 6144;
    allowed_blocks = 2048;
    cr_assert_eq(open_store(&s, why), IMG_OK, "%s", why);
    cr_assert(strstr(logbuf, "partition 2 (lba 6144+2048"), "%s", logbuf);
}

Test(store_open, another_key_is_refused_and_nothing_written)
{
    struct img_store *s;
    char why[200];
    cr_assert_eq(open_store(&s, why), IMG_OK, "%s", why);
    vmm_store_close();
    take_snapshot();
    resets = 0;
    bi.master_key[0] ^= 1;
    cr_assert_eq(open_store(&s, why), IMG_E_KEY, "%s", why);
    cr_assert_null(s);
    cr_assert(strstr(why, "fake 00:00.0 port 0 partition 3"), "%s", why);
    cr_assert(unchanged(), "a store under another key is never formatted over");
    cr_assert_eq(resets, 1, "a failed open leaves every controller reset");
}

Test(store_open, damaged_superblocks_are_refused_and_nothing_written)
{
    struct img_store *s;
    char why[200];
    cr_assert_eq(open_store(&s, why), IMG_OK, "%s", why);
    vmm_store_close();
    disk[PART_FIRST * BS + 24] ^= 0xff;        /* copy 0's store id */
    disk[PART_FIRST * BS + 4096 + 24] ^= 0xff; /* copy 1's */
    take_snapshot();
    cr_assert_eq(open_store(&s, why), IMG_E_ALTERED, "%s", why);
    cr_assert(strstr(why, "checksum does not match"), "%s", why);
    cr_assert(unchanged());
}

Test(store_open, partition_elsewhere_than_the_loader_saw_is_refused)
{
    struct img_store *s;
    char why[200];
    bi.store.found = 1;
    bi.store.block_size = BS;
    bi.store.first_lba = PART_FIRST;
    bi.store.lba_count = PART_BLOCKS - 1;
    take_snapshot();
    cr_assert_eq(open_store(&s, why), IMG_E_ARG, "%s", why);
    cr_assert(strstr(why, "lba 8192+4096") && strstr(why, "loader found the store at lba 8192+4095"), "%s", why);
    cr_assert(unchanged());
    bi.store.lba_count = PART_BLOCKS;
    cr_assert_eq(open_store(&s, why), IMG_OK, "%s", why);
}

Test(store_open, a_store_older_than_the_generation_floor_is_refused)
{
    struct img_store *s;
    char why[200];
    cr_assert_eq(open_store(&s, why), IMG_OK, "%s", why);
    vmm_store_close();
    take_snapshot();
    bi.store.found = 1;
    bi.store.block_size = BS;
    bi.store.first_lba = PART_FIRST;
    bi.store.lba_count = PART_BLOCKS;
    bi.store.generation_floor = 3;
    cr_assert_eq(open_store(&s, why), IMG_E_REPLAYED, "%s", why);
    cr_assert(strstr(why, "rolled back"), "%s", why);
    cr_assert(unchanged());
}

Test(store_open, no_such_partition)
{
    struct img_store *s;
    char why[200];
    bi.config.store.guid.b[0] ^= 1;
    take_snapshot();
    cr_assert_eq(open_store(&s, why), IMG_E_IO, "%s", why);
    cr_assert(strstr(why, "no disk has the partition with unique GUID 6e0c2a4e"), "%s", why);
    cr_assert(unchanged());
}

Test(store_open, a_tftp_store_goes_to_the_server_and_leaves_every_disk_alone)
{
    struct img_store *s;
    char why[200];
    bi.config.store.kind = POL_STORE_TFTP;
    take_snapshot();
    cr_assert_eq(open_store(&s, why), IMG_E_IO);
    cr_assert(strstr(why, "no network card"), "%s", why);
    cr_assert_eq(tftp_opens, 1);
    cr_assert_eq(resets, 0, "no disk controller was touched");
    cr_assert(unchanged());
}

Test(store_open, an_unknown_store_kind_is_refused)
{
    struct img_store *s;
    char why[200];
    bi.config.store.kind = 9;
    cr_assert_eq(open_store(&s, why), IMG_E_ARG);
    cr_assert(strstr(why, "names no GPT partition and no TFTP server"), "%s", why);
}
