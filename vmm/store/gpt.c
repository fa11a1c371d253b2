/* SPDX-License-Identifier: MIT */
/* GPT lookup, UEFI 2.10 §5.2.3 (protective MBR) and §5.3 (GPT). */
#include "gpt.h"

#include <string.h>

#include "fmt.h"

/* §5.2.1 / §5.2.3: the MBR's partition records and signature. */
#define MBR_PARTS_OFFSET 446
#define MBR_SIGNATURE_OFFSET 510
#define MBR_TYPE_GPT_PROTECTIVE 0xee

struct mbr_part {
    uint8_t boot, chs_first[3], type, chs_last[3];
    uint32_t first_lba, size_lba;
} __attribute__((packed));
_Static_assert(sizeof(struct mbr_part) == 16, "MBR partition record");

/* §5.3.2, table 5-5: the GPT header. */
#define GPT_SIGNATURE "EFI PART"
#define GPT_HEADER_MIN 92
#define GPT_REVISION_MAJOR 1
struct gpt_header {
    char signature[8];
    uint32_t revision;
    uint32_t header_size;
    uint32_t header_crc;
    uint32_t reserved;
    uint64_t my_lba, alternate_lba;
    uint64_t first_usable, last_usable;
    uint8_t disk_guid[16];
    uint64_t entry_lba;
    uint32_t entry_count, entry_size, entries_crc;
} __attribute__((packed));
_Static_assert(sizeof(struct gpt_header) == GPT_HEADER_MIN, "GPT header");
_Static_assert(__builtin_offsetof(struct gpt_header, header_crc) == 16, "HeaderCRC32 offset");
_Static_assert(__builtin_offsetof(struct gpt_header, entry_lba) == 72, "PartitionEntryLBA offset");

/* §5.3.3, table 5-6: a partition entry (at least 128 bytes). */
#define GPT_ENTRY_MIN 128
struct gpt_entry {
    struct pol_guid type, unique;
    uint64_t first_lba, last_lba, attributes;
    uint16_t name[36];
} __attribute__((packed));
_Static_assert(sizeof(struct gpt_entry) == GPT_ENTRY_MIN, "GPT entry");
_Static_assert(__builtin_offsetof(struct gpt_entry, first_lba) == 32, "StartingLBA offset");

/* Entry arrays beyond this are refused rather than read (sgdisk's default is 16 KiB). */
#define GPT_ARRAY_MAX (4u << 20)

static const char *const names[GPT_E_COUNT_] = {
    [GPT_OK] = "ok",
    [GPT_E_IO] = "read error",
    [GPT_E_ARG] = "bad disk geometry",
    [GPT_E_NO_MBR] = "no MBR signature",
    [GPT_E_NOT_PROTECTIVE] = "no protective MBR",
    [GPT_E_SIGNATURE] = "bad header signature",
    [GPT_E_REVISION] = "unknown revision",
    [GPT_E_HEADER_SIZE] = "bad header size",
    [GPT_E_HEADER_CRC] = "header checksum mismatch",
    [GPT_E_MY_LBA] = "header in the wrong place",
    [GPT_E_USABLE] = "bad usable range",
    [GPT_E_ENTRY_SIZE] = "bad entry size",
    [GPT_E_ENTRY_ARRAY] = "bad entry array location",
    [GPT_E_ENTRIES_CRC] = "entry array checksum mismatch",
    [GPT_E_PART_RANGE] = "partition outside the usable range",
    [GPT_E_NOT_FOUND] = "partition not found",
};

const char *gpt_err_name(enum gpt_err e)
{
    return (unsigned)e < GPT_E_COUNT_ ? names[e] : "?";
}

uint32_t gpt_crc32(uint32_t crc, const void *p, size_t n)
{
    const uint8_t *b = p;

    crc = ~crc;
    while (n--) {
        crc ^= *b++;
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
    }
    return ~crc;
}

void gpt_guid_text(const struct pol_guid *g, char out[37])
{
    /* §Appendix A: the first three fields little-endian, the rest as stored. */
    static const int order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
    static const char hex[] = "0123456789abcdef";
    char *o = out;

    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *o++ = '-';
        *o++ = hex[g->b[order[i]] >> 4];
        *o++ = hex[g->b[order[i]] & 15];
    }
    *o = 0;
}

static bool guid_zero(const struct pol_guid *g)
{
    for (int i = 0; i < 16; i++)
        if (g->b[i])
            return false;
    return true;
}

static enum gpt_err check_mbr(const struct gpt_disk *d, uint8_t *blk, char *why, size_t n)
{
    if (d->read(d->ctx, 0, 1, blk)) {
        smx_snprintf(why, n, "protective MBR (LBA 0): read failed");
        return GPT_E_IO;
    }
    if (blk[MBR_SIGNATURE_OFFSET] != 0x55 || blk[MBR_SIGNATURE_OFFSET + 1] != 0xaa) {
        smx_snprintf(why, n, "protective MBR (LBA 0): signature %02x%02x, expected 55aa", blk[MBR_SIGNATURE_OFFSET],
                     blk[MBR_SIGNATURE_OFFSET + 1]);
        return GPT_E_NO_MBR;
    }
    for (int i = 0; i < 4; i++) {
        struct mbr_part p;
        memcpy(&p, blk + MBR_PARTS_OFFSET + 16 * i, sizeof p);
        if (p.type == MBR_TYPE_GPT_PROTECTIVE)
            return GPT_OK;
    }
    smx_snprintf(why, n, "protective MBR (LBA 0): no partition record of type 0xEE: not a GPT disk");
    return GPT_E_NOT_PROTECTIVE;
}

/* §5.3.2: "valid GPT header" checks, in the order the spec lists them. */
static enum gpt_err check_header(const struct gpt_disk *d, uint64_t lba, const char *which, uint8_t *blk,
                                 struct gpt_header *h, char *why, size_t n)
{
    if (d->read(d->ctx, lba, 1, blk)) {
        smx_snprintf(why, n, "GPT %s header (LBA %llu): read failed", which, (unsigned long long)lba);
        return GPT_E_IO;
    }
    memcpy(h, blk, sizeof *h);
    if (memcmp(h->signature, GPT_SIGNATURE, 8)) {
        smx_snprintf(why, n, "GPT %s header (LBA %llu): no \"EFI PART\" signature", which, (unsigned long long)lba);
        return GPT_E_SIGNATURE;
    }
    if (h->revision >> 16 != GPT_REVISION_MAJOR) {
        smx_snprintf(why, n, "GPT %s header (LBA %llu): revision %#x, only 1.x is known", which,
                     (unsigned long long)lba, h->revision);
        return GPT_E_REVISION;
    }
    if (h->header_size < GPT_HEADER_MIN || h->header_size > d->block_size) {
        smx_snprintf(why, n, "GPT %s header (LBA %llu): HeaderSize %u outside 92..%u", which, (unsigned long long)lba,
                     h->header_size, d->block_size);
        return GPT_E_HEADER_SIZE;
    }
    memset(blk + __builtin_offsetof(struct gpt_header, header_crc), 0, 4);
    uint32_t crc = gpt_crc32(0, blk, h->header_size);
    if (crc != h->header_crc) {
        smx_snprintf(why, n, "GPT %s header (LBA %llu): HeaderCRC32 %#x, computed %#x", which, (unsigned long long)lba,
                     h->header_crc, crc);
        return GPT_E_HEADER_CRC;
    }
    if (h->my_lba != lba) {
        smx_snprintf(why, n, "GPT %s header (LBA %llu): MyLBA says %llu", which, (unsigned long long)lba,
                     (unsigned long long)h->my_lba);
        return GPT_E_MY_LBA;
    }
    if (h->first_usable > h->last_usable || h->last_usable >= d->block_count || h->first_usable < 2) {
        smx_snprintf(why, n, "GPT %s header (LBA %llu): usable LBAs %llu..%llu on a disk of %llu blocks", which,
                     (unsigned long long)lba, (unsigned long long)h->first_usable, (unsigned long long)h->last_usable,
                     (unsigned long long)d->block_count);
        return GPT_E_USABLE;
    }
    if (h->entry_size < GPT_ENTRY_MIN || (h->entry_size & (h->entry_size - 1)) || h->entry_size > d->block_size) {
        smx_snprintf(why, n, "GPT %s header (LBA %llu): SizeOfPartitionEntry %u (128 x 2^n, at most a block)",
                     which, (unsigned long long)lba, h->entry_size);
        return GPT_E_ENTRY_SIZE;
    }
    uint64_t bytes = (uint64_t)h->entry_count * h->entry_size;
    uint64_t blocks = (bytes + d->block_size - 1) / d->block_size;
    bool off_disk = bytes > GPT_ARRAY_MAX || h->entry_lba < 2 || h->entry_lba + blocks > d->block_count;
    bool overlaps = h->entry_lba <= h->last_usable && h->entry_lba + blocks > h->first_usable;
    if (h->entry_count == 0 || off_disk || overlaps) {
        smx_snprintf(why, n, "GPT %s header (LBA %llu): entry array of %u x %u bytes at LBA %llu %s", which,
                     (unsigned long long)lba, h->entry_count, h->entry_size, (unsigned long long)h->entry_lba,
                     h->entry_count == 0 ? "is empty" : off_disk ? "does not fit the disk" : "overlaps the usable LBAs");
        return GPT_E_ENTRY_ARRAY;
    }
    return GPT_OK;
}

/* Read one table: header, then the entry array, checksummed as it is
 * searched (a match only counts once the whole array verified). */
static enum gpt_err read_table(const struct gpt_disk *d, uint64_t lba, const char *which, enum gpt_by by,
                               const struct pol_guid *guid, uint8_t *blk, struct gpt_part *out, char *why,
                               size_t n)
{
    struct gpt_header h;
    enum gpt_err e = check_header(d, lba, which, blk, &h, why, n);

    if (e)
        return e;
    uint64_t left = (uint64_t)h.entry_count * h.entry_size;
    uint32_t crc = 0, index = 0;
    bool found = false;
    for (uint64_t b = h.entry_lba; left; b++) {
        if (d->read(d->ctx, b, 1, blk)) {
            smx_snprintf(why, n, "GPT %s entry array: read of LBA %llu failed", which, (unsigned long long)b);
            return GPT_E_IO;
        }
        uint32_t take = left < d->block_size ? (uint32_t)left : d->block_size;
        crc = gpt_crc32(crc, blk, take);
        for (uint32_t off = 0; off < take; off += h.entry_size) {
            struct gpt_entry ent;
            memcpy(&ent, blk + off, sizeof ent);
            index++;
            if (found || guid_zero(&ent.type))
                continue;
            const struct pol_guid *key = by == GPT_BY_TYPE ? &ent.type : &ent.unique;
            if (memcmp(key, guid, sizeof *guid))
                continue;
            found = true;
            out->index = index;
            out->type = ent.type;
            out->unique = ent.unique;
            out->first_lba = ent.first_lba;
            out->last_lba = ent.last_lba;
            out->attributes = ent.attributes;
        }
        left -= take;
    }
    if (crc != h.entries_crc) {
        smx_snprintf(why, n, "GPT %s entry array (LBA %llu, %u x %u bytes): PartitionEntryArrayCRC32 %#x, computed %#x",
                     which, (unsigned long long)h.entry_lba, h.entry_count, h.entry_size, h.entries_crc, crc);
        return GPT_E_ENTRIES_CRC;
    }
    char g[37];
    gpt_guid_text(guid, g);
    if (!found) {
        smx_snprintf(why, n, "GPT %s table: no partition with %s GUID %s among %u entries", which,
                     by == GPT_BY_TYPE ? "type" : "unique", g, h.entry_count);
        return GPT_E_NOT_FOUND;
    }
    if (out->first_lba > out->last_lba || out->first_lba < h.first_usable || out->last_lba > h.last_usable) {
        smx_snprintf(why, n, "GPT %s table: partition %u (%s) spans LBA %llu..%llu, outside the usable %llu..%llu",
                     which, out->index, g, (unsigned long long)out->first_lba, (unsigned long long)out->last_lba,
                     (unsigned long long)h.first_usable, (unsigned long long)h.last_usable);
        return GPT_E_PART_RANGE;
    }
    return GPT_OK;
}

enum gpt_err gpt_find(const struct gpt_disk *d, enum gpt_by by, const struct pol_guid *guid, void *block,
                      struct gpt_part *out, char *why, size_t n)
{
    uint8_t *blk = block;
    char backup_why[200];

    memset(out, 0, sizeof *out);
    if (n)
        why[0] = 0;
    if (d->block_size < 512 || d->block_size > 4096 || (d->block_size & (d->block_size - 1)) || d->block_count < 4) {
        smx_snprintf(why, n, "disk of %llu blocks of %u bytes cannot hold a GPT", (unsigned long long)d->block_count,
                     d->block_size);
        return GPT_E_ARG;
    }
    enum gpt_err e = check_mbr(d, blk, why, n);
    if (e)
        return e;
    e = read_table(d, 1, "primary", by, guid, blk, out, out->primary_why, sizeof out->primary_why);
    /* A valid primary table is the answer, found or not (§5.3.2: the backup
     * is for when the primary is corrupt, not a second place to look). */
    if (e == GPT_OK || e == GPT_E_NOT_FOUND || e == GPT_E_PART_RANGE) {
        smx_snprintf(why, n, "%s", out->primary_why);
        out->primary_why[0] = 0;
        return e;
    }
    enum gpt_err pe = e;
    struct gpt_part saved_primary = *out;
    e = read_table(d, d->block_count - 1, "backup", by, guid, blk, out, backup_why, sizeof backup_why);
    memcpy(out->primary_why, saved_primary.primary_why, sizeof out->primary_why);
    out->primary_err = pe;
    out->from_backup = true;
    if (e == GPT_OK)
        return GPT_OK;
    smx_snprintf(why, n, "%s; %s", out->primary_why, backup_why);
    return e;
}
