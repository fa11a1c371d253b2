/* SPDX-License-Identifier: MIT */
#include "integrity.h"

#include "idmap.h"
#include "log.h"
#include "mem.h"
#include "vmm.h"

extern const char __text_start[], __rodata_end[];

/* A string only the VMM's image holds: a guest that could read the VMM's
 * region would find it (tests/guest's sleepmux.probe=vmm looks for it). */
static const char marker[] __attribute__((used)) = "sleepmux-vmm-region-marker";

#define PTE_A (1ull << 5)
#define PTE_D (1ull << 6)
/* The host's tables and one nested tree per memory view (one per OS). */
#define MAX_TABLES 4

struct tables {
    uint64_t root;
    const char *what;
    uint32_t crc;
    unsigned pages;
};
static struct tables tables[MAX_TABLES];
static unsigned ntables;
static uint32_t image_crc, info_crc, crc_table[256];
static int tainted;

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & -(c & 1));
        crc_table[i] = c;
    }
}

/* CRC-32 (IEEE), continued from `c` (start with 0). */
static uint32_t crc32(uint32_t c, const void *p, uint64_t n)
{
    const unsigned char *b = p;

    c = ~c;
    for (uint64_t i = 0; i < n; i++)
        c = (c >> 8) ^ crc_table[(c ^ b[i]) & 0xff];
    return ~c;
}

/* Every table page reachable from `table` (level 4 = PML4), entries with
 * A/D masked; large pages (PS at levels 3 and 2) and level 1 are leaves. */
static uint32_t walk(uint64_t table, int level, uint32_t c, unsigned *pages)
{
    const uint64_t *e = phys_ptr(table);

    ++*pages;
    for (unsigned i = 0; i < 512; i++) {
        uint64_t w = e[i] & ~(PTE_A | PTE_D);
        c = crc32(c, &w, sizeof w);
    }
    for (unsigned i = 0; level > 1 && i < 512; i++)
        if ((e[i] & PTE_P) && !(level <= 3 && (e[i] & PTE_PS)))
            c = walk(e[i] & PTE_ADDR, level - 1, c, pages);
    return c;
}

static uint64_t image_bytes(void) { return (uint64_t)(__rodata_end - __text_start); }

/* Offset of the first nonzero byte in the unallocated pages, or -1. */
static int64_t unallocated_dirty(void)
{
    uint64_t from = mem_free_start();
    const uint64_t *p = phys_ptr(from);

    for (uint64_t i = 0; i < mem_free_bytes() / 8; i++)
        if (p[i])
            return (int64_t)(from + i * 8);
    return -1;
}

void integrity_add_tables(uint64_t root, const char *what)
{
    if (ntables < MAX_TABLES) {
        tables[ntables++] = (struct tables){ root, what, 0, 0 };
        smx_log("vmm", "integrity: covering %s, root %#llx", what, (unsigned long long)root);
    }
    else /* said in the log, so "covers" is never claimed for it */
        smx_log("vmm", "integrity: no room to cover %s at %#llx (%d trees at most)", what,
                (unsigned long long)root, MAX_TABLES);
}

void integrity_tables_changed(uint64_t root)
{
    for (unsigned i = 0; i < ntables; i++) {
        if (tables[i].root != root || !tables[i].crc)
            continue;
        tables[i].pages = 0;
        tables[i].crc = walk(root, 4, 0, &tables[i].pages);
        smx_log("vmm", "integrity: %s changed by the VMM itself: fingerprint taken again (%u pages)",
                tables[i].what, tables[i].pages);
    }
}

void integrity_init(void)
{
    crc_init();
    integrity_add_tables(vmm.bi->host_cr3, "host page tables");
    image_crc = crc32(0, __text_start, image_bytes());
    info_crc = crc32(0, vmm.bi, sizeof *vmm.bi);
    unsigned pages = 0, nested = 0;
    for (unsigned i = 0; i < ntables; i++) {
        tables[i].crc = walk(tables[i].root, 4, 0, &tables[i].pages);
        pages += tables[i].pages;
        nested += tables[i].root != vmm.bi->host_cr3;
    }
    smx_log("vmm", "image crc32 %08x over %llu bytes; region marker at %#llx", image_crc,
            (unsigned long long)image_bytes(), (unsigned long long)mem_phys(marker));
    smx_log("vmm", "integrity covers: code and rodata %llu KiB, boot info, %u page-table trees (host and %u "
            "nested, %u pages), %llu KiB unallocated (zero) %#llx-%#llx; not: data, bss, control blocks, "
            "I/O map, sink page", (unsigned long long)(image_bytes() >> 10), ntables, nested, pages,
            (unsigned long long)(mem_free_bytes() >> 10), (unsigned long long)(mem_free_start()),
            (unsigned long long)(mem_free_start() + mem_free_bytes()));
    if (unallocated_dirty() >= 0)
        smx_log("vmm", "integrity: unallocated pages not zero at start (%#llx)",
                (unsigned long long)unallocated_dirty());
}

static void modified(const char *when, const char *what, uint32_t now, uint32_t expected)
{
    smx_log("vmm", "IMAGE MODIFIED at %s: %s crc32 %08x, expected %08x", when, what, now, expected);
    tainted = 1;
}

int integrity_check(const char *when)
{
    int was = tainted;
    uint32_t c = crc32(0, __text_start, image_bytes());

    if (c != image_crc)
        modified(when, "code and rodata", c, image_crc);
    if ((c = crc32(0, vmm.bi, sizeof *vmm.bi)) != info_crc)
        modified(when, "boot info", c, info_crc);
    for (unsigned i = 0; i < ntables; i++) {
        unsigned pages = 0;
        if ((c = walk(tables[i].root, 4, 0, &pages)) != tables[i].crc)
            modified(when, tables[i].what, c, tables[i].crc);
    }
    int64_t dirty = unallocated_dirty();
    if (dirty >= 0) {
        smx_log("vmm", "IMAGE MODIFIED at %s: unallocated page written at %#llx", when, (unsigned long long)dirty);
        tainted = 1;
    }
    if (!tainted) {
        smx_log("vmm", "image intact at %s (crc32 %08x over %llu bytes, boot info, %u page-table trees, "
                "unallocated pages zero)", when, image_crc, (unsigned long long)image_bytes(), ntables);
        return 1;
    }
    if (was)
        smx_log("vmm", "IMAGE MODIFIED earlier: the VMM is not trusted again until the next boot");
    return 0;
}
