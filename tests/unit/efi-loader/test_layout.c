/* SPDX-License-Identifier: MIT */
/*
 * The memory layout on memory maps OVMF gave sleepmux.efi on q35 (2 GiB and
 * 1 GiB, tests/fixtures/efi-loader/), and on maps changed from them the way
 * a later boot, a fragmented firmware or a smaller machine changes them.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../../efi-loader/layout.h"

#define MIB (1ull << 20)
#define MAPMAX 512

static struct smx_mem_range map[MAPMAX];
static size_t nmap;
static char msg[256];

static void load_map(const char *name)
{
    char path[4096], line[256];
    snprintf(path, sizeof path, "%s/tests/fixtures/efi-loader/%s", getenv("SMX_ROOT") ? getenv("SMX_ROOT") : ".",
             name);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot open %s", path);
    nmap = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned long long b, p;
        unsigned t;
        if (line[0] == '#')
            continue;
        cr_assert_eq(sscanf(line, "%llx %llu %u", &b, &p, &t), 3, "%s: bad line %s", name, line);
        cr_assert_lt(nmap, MAPMAX);
        map[nmap++] = (struct smx_mem_range){ .base = b, .pages = p, .type = t };
    }
    fclose(f);
    cr_assert_gt(nmap, 10, "%s: too few ranges", name);
}

static struct pol_config cfg;

static void config(const char *mem_a, const char *mem_b)
{
    char text[1024];
    struct pol_error err;
    int n = snprintf(text, sizeof text,
                     "[global]\ndefault = A\nvmm-memory = 32 MiB\n[store]\n"
                     "partition-type = 0fc63daf-8483-4772-8e79-3d69d8477de4\n"
                     "[os A]\nname = a\nloader = \\EFI\\a.efi\nmemory = %s\n"
                     "[os B]\nname = b\nloader = \\EFI\\b.efi\nmemory = %s\n",
                     mem_a, mem_b);
    cr_assert_eq(pol_parse(text, (size_t)n, &cfg, &err), POL_OK, "config: %s", err.msg);
}

/* Every page of [base, base+len) is free conventional memory in the map. */
static int all_free(uint64_t base, uint64_t len)
{
    for (uint64_t p = base; p < base + len; p += 4096) {
        size_t i;
        for (i = 0; i < nmap; i++)
            if (map[i].type == LAYOUT_EFI_CONVENTIONAL && map[i].base <= p && p < map[i].base + map[i].pages * 4096)
                break;
        if (i == nmap)
            return 0;
    }
    return 1;
}

static uint64_t type_bytes(int (*want)(uint32_t), uint64_t floor)
{
    uint64_t t = 0;
    for (size_t i = 0; i < nmap; i++) {
        uint64_t b = map[i].base, e = b + map[i].pages * 4096;
        if (!want(map[i].type) || e <= floor)
            continue;
        t += e - (b < floor ? floor : b);
    }
    return t;
}

static int is_conv(uint32_t t)
{
    return t == LAYOUT_EFI_CONVENTIONAL;
}

static int is_usable(uint32_t t)
{
    return (t >= 1 && t <= 7) || t == 9 || t == 10;
}

static void assert_sane(const struct smx_layout *l)
{
    const uint64_t b[3] = { l->private_base[0], l->private_base[1], l->region_base };
    const uint64_t s[3] = { l->private_size[0], l->private_size[1], l->region_size };
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(b[i] % (2 * MIB), 0, "range %d base %#llx not 2 MiB-aligned", i, (unsigned long long)b[i]);
        cr_assert_eq(s[i] % (2 * MIB), 0, "range %d size not 2 MiB-aligned", i);
        cr_assert_geq(b[i], MIB);
        cr_assert(all_free(b[i], s[i]), "range %d %#llx+%llu MiB is not all free memory", i,
                  (unsigned long long)b[i], (unsigned long long)(s[i] / MIB));
        for (int j = 0; j < i; j++)
            cr_assert(b[i] + s[i] <= b[j] || b[j] + s[j] <= b[i], "ranges %d and %d overlap", i, j);
    }
    cr_assert_lt(l->region_base + l->region_size, 1ull << 32, "the VMM region must be below 4 GiB");
    cr_assert_lt(l->trampoline_base, 0xa0000ull);
    cr_assert_gt(l->trampoline_base, 0);
    cr_assert(all_free(l->trampoline_base, 4096));
    cr_assert_eq(layout_check(map, nmap, l, msg, sizeof msg), LAYOUT_OK, "%s", msg);
}

Test(layout, q35_2g_even_split)
{
    struct smx_layout l, again;
    load_map("ovmf-q35-2G.memmap");
    config("50%", "50%");
    cr_assert_eq(layout_compute(map, nmap, &cfg, 32 * MIB, &l, msg, sizeof msg), LAYOUT_OK, "%s", msg);
    assert_sane(&l);
    /* The largest free run is 0x1500000-0x7bb75000: the VMM at its top,
     * under the headroom; A then B from its 2 MiB-aligned low end. */
    cr_assert_eq(l.region_base, 0x7ba00000ull - LAYOUT_HEADROOM - 32 * MIB);
    cr_assert_eq(l.private_base[POL_OS_A], 0x1600000ull);
    cr_assert_eq(l.private_base[POL_OS_B], l.private_base[POL_OS_A] + l.private_size[POL_OS_A]);
    cr_assert_eq(l.private_size[POL_OS_A], l.private_size[POL_OS_B]);
    /* 50% each of what lies between the low end and the VMM, to the MiB (even here). */
    uint64_t run = l.region_base - l.private_base[POL_OS_A];
    cr_assert_eq(l.private_size[POL_OS_A], run / MIB / 2 * MIB);
    cr_assert_eq(l.trampoline_base, 0x9f000ull, "the highest page below 640 KiB");
    cr_assert_eq(layout_compute(map, nmap, &cfg, 32 * MIB, &again, msg, sizeof msg), LAYOUT_OK);
    cr_assert_eq(memcmp(&l, &again, sizeof l), 0, "same map and config, same layout");
}

Test(layout, q35_1g_uneven_split)
{
    struct smx_layout l;
    load_map("ovmf-q35-1G.memmap");
    config("60%", "256 MiB");
    cr_assert_eq(layout_compute(map, nmap, &cfg, 64 * MIB, &l, msg, sizeof msg), LAYOUT_OK, "%s", msg);
    assert_sane(&l);
    cr_assert_eq(l.private_size[POL_OS_B], 256 * MIB);
    uint64_t run = l.region_base - l.private_base[POL_OS_A];
    cr_assert_eq(l.private_size[POL_OS_A], ((run / MIB * 60 / 100) & ~1ull) * MIB);
}

/* The shared set is what either OS may use minus what is private: here
 * counted from the map's types, independently of the layout code. */
Test(layout, shared_set_is_usable_ram_minus_private)
{
    struct smx_layout l;
    load_map("ovmf-q35-2G.memmap");
    config("50%", "50%");
    cr_assert_eq(layout_compute(map, nmap, &cfg, 32 * MIB, &l, msg, sizeof msg), LAYOUT_OK, "%s", msg);
    uint64_t want = type_bytes(is_usable, 0) - l.private_size[0] - l.private_size[1] - l.region_size - 4096;
    cr_assert_eq(layout_shared_bytes(map, nmap, &l), want);
    /* 2 GiB minus 1.85 GiB of private RAM: sanity of the magnitude */
    cr_assert_lt(want, 256 * MIB);
}

/* What a boot of A reserves as unassigned, plus both private ranges and the
 * VMM, is exactly the free memory above 1 MiB; none of it is A's. */
Test(layout, unassigned_covers_the_rest)
{
    struct smx_layout l;
    struct smx_mem_range un[64];
    load_map("ovmf-q35-2G.memmap");
    config("40%", "40%");
    cr_assert_eq(layout_compute(map, nmap, &cfg, 32 * MIB, &l, msg, sizeof msg), LAYOUT_OK, "%s", msg);
    size_t k = layout_unassigned(map, nmap, &l, POL_OS_A, un, 64);
    cr_assert_gt(k, 0);
    cr_assert_leq(k, 64);
    uint64_t total = 0;
    for (size_t i = 0; i < k; i++) {
        uint64_t b = un[i].base, e = b + un[i].pages * 4096;
        cr_assert_geq(b, MIB);
        cr_assert(all_free(b, e - b), "unassigned %#llx is not free memory", (unsigned long long)b);
        for (int os = 0; os < 2; os++)
            cr_assert(e <= l.private_base[os] || b >= l.private_base[os] + l.private_size[os]);
        cr_assert(e <= l.region_base || b >= l.region_base + l.region_size);
        total += e - b;
    }
    /* 40% + 40% leaves a fifth of the run between B and the VMM */
    cr_assert_gt(total, 300 * MIB);
    cr_assert_eq(total + l.private_size[0] + l.private_size[1] + l.region_size, type_bytes(is_conv, MIB));
}

/* A later boot whose firmware put a page of boot-services data in B's range. */
Test(layout, recorded_layout_blocked_by_a_firmware_allocation)
{
    struct smx_layout l;
    load_map("ovmf-q35-2G.memmap");
    config("50%", "50%");
    cr_assert_eq(layout_compute(map, nmap, &cfg, 32 * MIB, &l, msg, sizeof msg), LAYOUT_OK, "%s", msg);
    /* Split the big free run around one BS-data page in the middle of B. */
    uint64_t page = l.private_base[POL_OS_B] + 100 * MIB;
    size_t i;
    for (i = 0; i < nmap; i++)
        if (map[i].type == LAYOUT_EFI_CONVENTIONAL && map[i].base <= page && page < map[i].base + map[i].pages * 4096)
            break;
    cr_assert_lt(i, nmap);
    struct smx_mem_range r = map[i];
    memmove(&map[i + 3], &map[i + 1], (nmap - i - 1) * sizeof map[0]);
    nmap += 2;
    map[i] = (struct smx_mem_range){ r.base, (page - r.base) / 4096, LAYOUT_EFI_CONVENTIONAL, 0 };
    map[i + 1] = (struct smx_mem_range){ page, 1, LAYOUT_EFI_BS_DATA, 0 };
    map[i + 2] = (struct smx_mem_range){ page + 4096, r.pages - map[i].pages - 1, LAYOUT_EFI_CONVENTIONAL, 0 };
    cr_assert_eq(layout_check(map, nmap, &l, msg, sizeof msg), LAYOUT_E_IN_THE_WAY);
    char want[128];
    snprintf(want, sizeof want, "B-private %#llx+%llu MiB: %#llx-%#llx is boot-services data",
             (unsigned long long)l.private_base[POL_OS_B], (unsigned long long)(l.private_size[POL_OS_B] / MIB),
             (unsigned long long)page, (unsigned long long)page + 4095);
    cr_assert_str_eq(msg, want);
}

/* The same disk moved to a machine with half the RAM. */
Test(layout, recorded_layout_on_a_smaller_machine)
{
    struct smx_layout l;
    load_map("ovmf-q35-2G.memmap");
    config("50%", "50%");
    cr_assert_eq(layout_compute(map, nmap, &cfg, 32 * MIB, &l, msg, sizeof msg), LAYOUT_OK, "%s", msg);
    load_map("ovmf-q35-1G.memmap");
    cr_assert_eq(layout_check(map, nmap, &l, msg, sizeof msg), LAYOUT_E_IN_THE_WAY);
    cr_assert(strstr(msg, "A-private 0x1600000+") == msg, "%s", msg);
    cr_assert(strstr(msg, "is boot-services data"), "%s", msg);
    /* The VMM region alone is past the end of RAM. */
    l.private_size[0] = l.private_size[1] = 0;
    cr_assert_eq(layout_check(map, nmap, &l, msg, sizeof msg), LAYOUT_E_IN_THE_WAY);
    cr_assert(strstr(msg, "the VMM region") == msg && strstr(msg, "is not in the memory map"), "%s", msg);
}

/* Small changes of a later boot (the loader's own pool moved) keep it. */
Test(layout, recorded_layout_survives_small_changes)
{
    struct smx_layout l;
    load_map("ovmf-q35-2G.memmap");
    config("50%", "50%");
    cr_assert_eq(layout_compute(map, nmap, &cfg, 32 * MIB, &l, msg, sizeof msg), LAYOUT_OK, "%s", msg);
    /* Firmware allocates top-down: 20 MiB more of it eats into the headroom. */
    for (size_t i = 0; i < nmap; i++)
        if (map[i].base == 0x1500000ull) {
            map[i].pages -= 20 * 256;
            map[nmap++] = (struct smx_mem_range){ map[i].base + map[i].pages * 4096, 20 * 256, LAYOUT_EFI_BS_DATA, 0 };
        }
    cr_assert_eq(layout_check(map, nmap, &l, msg, sizeof msg), LAYOUT_OK, "%s", msg);
}

Test(layout, no_room_for_the_vmm)
{
    struct smx_layout l;
    load_map("ovmf-q35-1G.memmap");
    config("50%", "50%");
    cr_assert_eq(layout_compute(map, nmap, &cfg, 1024 * MIB, &l, msg, sizeof msg), LAYOUT_E_VMM);
    cr_assert_str_eq(msg, "layout: the VMM needs 1024 MiB in one free run below 4 GiB; the largest is 932 MiB");
}

Test(layout, shares_that_do_not_fit)
{
    struct smx_layout l;
    load_map("ovmf-q35-2G.memmap");
    config("1000 MiB", "1000 MiB");
    cr_assert_eq(layout_compute(map, nmap, &cfg, 32 * MIB, &l, msg, sizeof msg), LAYOUT_E_SHARES);
    cr_assert(strstr(msg, "A 1000 MiB + B 1000 MiB exceed the"), "%s", msg);
    cr_assert(strstr(msg, "the largest free run is 0x1600000+"), "%s", msg);
    config("3%", "90%");
    cr_assert_eq(layout_compute(map, nmap, &cfg, 32 * MIB, &l, msg, sizeof msg), LAYOUT_E_SHARES);
    cr_assert(strstr(msg, "less than 64 MiB"), "%s", msg);
}

/* A firmware that leaves RAM in 48 MiB pieces: each private range is one
 * run, so shares are of the largest piece, and a fixed size larger than
 * any piece is refused by name. */
Test(layout, fragmented)
{
    struct smx_layout l;
    nmap = 0;
    map[nmap++] = (struct smx_mem_range){ 0, 160, LAYOUT_EFI_CONVENTIONAL, 0 };
    for (uint64_t b = 16 * MIB; b < 1024 * MIB; b += 50 * MIB) {
        map[nmap++] = (struct smx_mem_range){ b, 48 * 256, LAYOUT_EFI_CONVENTIONAL, 0 };
        map[nmap++] = (struct smx_mem_range){ b + 48 * MIB, 2 * 256, LAYOUT_EFI_BS_DATA, 0 };
    }
    config("256 MiB", "64 MiB");
    cr_assert_eq(layout_compute(map, nmap, &cfg, 16 * MIB, &l, msg, sizeof msg), LAYOUT_E_SHARES);
    cr_assert(strstr(msg, "exceed the 48 MiB there are"), "%s", msg);
    /* Runs meet where a range of the map is split in two: merged. */
    for (size_t i = 1; i < nmap; i++)
        if (map[i].type == LAYOUT_EFI_BS_DATA && map[i].base > 500 * MIB) {
            for (size_t j = i; j < i + 8 && j < nmap; j++)
                map[j].type = LAYOUT_EFI_CONVENTIONAL;
            break;
        }
    config("64 MiB", "64 MiB");
    cr_assert_eq(layout_compute(map, nmap, &cfg, 16 * MIB, &l, msg, sizeof msg), LAYOUT_OK, "%s", msg);
    assert_sane(&l);
    /* The first range made free is the split at 514 MiB: the run is 466-714 MiB. */
    cr_assert_eq(l.private_base[0], 466 * MIB, "A goes at the low end of the merged, largest run");
    cr_assert_eq(l.region_base, 714 * MIB - LAYOUT_HEADROOM - 16 * MIB, "the VMM at its high end");
}

Test(layout, no_low_page_for_the_trampoline)
{
    struct smx_layout l;
    load_map("ovmf-q35-2G.memmap");
    for (size_t i = 0; i < nmap; i++)
        if (map[i].base == 0)
            map[i].type = LAYOUT_EFI_BS_DATA;
    config("50%", "50%");
    cr_assert_eq(layout_compute(map, nmap, &cfg, 32 * MIB, &l, msg, sizeof msg), LAYOUT_E_TRAMPOLINE);
}

Test(layout, record_notices_changed_shares)
{
    struct smx_layout l = { .region_base = 0x77a00000, .region_size = 32 * MIB };
    struct layout_record r;
    config("50%", "50%");
    layout_record_make(&r, &cfg, 32 * MIB, &l);
    cr_assert(layout_record_matches(&r, &cfg, 32 * MIB));
    cr_assert_not(layout_record_matches(&r, &cfg, 64 * MIB), "vmm-memory changed");
    config("50%", "40%");
    cr_assert_not(layout_record_matches(&r, &cfg, 32 * MIB), "B's share changed");
    config("50%", "50%");
    r.magic ^= 1;
    cr_assert_not(layout_record_matches(&r, &cfg, 32 * MIB), "not a record");
}

/* SMX_MEM_UNASSIGNED: only reserved entries are retagged, split where a
 * tagged range covers part of one, and the map stays sorted. */
Test(layout, tag_splits_reserved_entries_only)
{
    struct smx_mem_range mm[8] = {
        { 0x000000, 0x100, 7, 0 },   /* conventional: never retagged */
        { 0x100000, 0x300, 0, 0 },   /* reserved 0x100000-0x400000: middle part tagged */
        { 0x400000, 0x100, 4, 0 },   /* boot-services data */
    };
    struct smx_mem_range un[2] = { { 0x200000, 0x100, 0, 0 }, { 0x000000, 0x50, 0, 0 } };
    size_t n = layout_tag(mm, 3, 8, un, 2, SMX_MEM_UNASSIGNED);

    cr_assert_eq(n, 5);
    cr_assert_eq(mm[0].type, 7);
    cr_assert(mm[1].base == 0x100000 && mm[1].pages == 0x100 && mm[1].type == 0);
    cr_assert(mm[2].base == 0x200000 && mm[2].pages == 0x100 && mm[2].type == SMX_MEM_UNASSIGNED);
    cr_assert(mm[3].base == 0x300000 && mm[3].pages == 0x100 && mm[3].type == 0);
    cr_assert(mm[4].base == 0x400000 && mm[4].type == 4);
}

Test(layout, tag_stops_when_the_map_is_full)
{
    struct smx_mem_range mm[2] = { { 0x100000, 0x300, 0, 0 } };
    struct smx_mem_range un[1] = { { 0x200000, 0x100, 0, 0 } };
    size_t n = layout_tag(mm, 1, 2, un, 1, SMX_MEM_UNASSIGNED);

    cr_assert_eq(n, 2); /* split once, then no room for the tail: the rest stays reserved */
    cr_assert_eq(mm[0].type, 0);
    cr_assert(mm[1].base == 0x200000 && mm[1].type == 0);
}
