/* SPDX-License-Identifier: MIT */
/*
 * Where each OS, the VMM and the wake trampoline live (DESIGN.md, "Memory
 * model"; struct smx_layout in common/bootinfo.h). Pure functions over a
 * memory map: no UEFI calls, so the unit tests run them on memory maps
 * captured from real firmware. efi-loader/reserve.c applies the result.
 *
 * The layout is computed once, on the first boot, and recorded; every later
 * boot reuses the record if the firmware still leaves those pages free, so
 * each OS finds its RAM where it left it.
 */
#ifndef SMX_LOADER_LAYOUT_H
#define SMX_LOADER_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "bootinfo.h"
#include "policy.h"

/* EFI_MEMORY_TYPE values the layout reads (UEFI 2.10 §7.2.1, Table 7-6). */
#define LAYOUT_EFI_RESERVED 0
#define LAYOUT_EFI_LOADER_CODE 1
#define LAYOUT_EFI_LOADER_DATA 2
#define LAYOUT_EFI_BS_CODE 3
#define LAYOUT_EFI_BS_DATA 4
#define LAYOUT_EFI_RT_CODE 5
#define LAYOUT_EFI_RT_DATA 6
#define LAYOUT_EFI_CONVENTIONAL 7
#define LAYOUT_EFI_ACPI_RECLAIM 9
#define LAYOUT_EFI_ACPI_NVS 10

#define LAYOUT_PAGE 4096ull
#define LAYOUT_1M (1ull << 20)
#define LAYOUT_4G (1ull << 32)
/* The trampoline is entered in real mode (ACPI 6.5 §5.2.10): below the
 * EBDA and the VGA hole. */
#define LAYOUT_TRAMPOLINE_LIMIT 0xa0000ull
/*
 * Left free above the VMM region, at the top of its run. Firmware allocates
 * top-down from there (EDK2's page allocator fills the highest free memory
 * first), so a later boot that allocates a little more before the loader
 * runs grows into this gap instead of into the VMM's recorded region.
 */
#define LAYOUT_HEADROOM (32ull << 20)

enum layout_err {
    LAYOUT_OK = 0,
    LAYOUT_E_ARG,        /* impossible input (no map, VMM size not 2 MiB-aligned) */
    LAYOUT_E_VMM,        /* no free run below 4 GiB holds the VMM region */
    LAYOUT_E_TRAMPOLINE, /* no free page below 640 KiB */
    LAYOUT_E_SHARES,     /* pol_memory_split refused the shares */
    LAYOUT_E_FIT,        /* the private ranges do not fit in one free run */
    LAYOUT_E_IN_THE_WAY, /* layout_check: a recorded range is no longer free */
};

/*
 * Compute the layout from the firmware map as the loader sees it before it
 * reserves anything. Deterministic: the same map and config give the same
 * layout. The VMM region (vmm_bytes, a multiple of 2 MiB) goes at the high
 * end of the largest free run below 4 GiB, LAYOUT_HEADROOM under its top;
 * then A-private and B-private, in that order, from the low end of the
 * largest free run that is left. Because each private range is one run,
 * percent shares are of that run (pol_memory_split's avail_mib), not of all
 * free RAM, which firmware fragments. The trampoline is the highest free
 * page below 640 KiB. On failure msg says what does not fit and where.
 */
enum layout_err layout_compute(const struct smx_mem_range *map, size_t n, const struct pol_config *cfg,
                               uint64_t vmm_bytes, struct smx_layout *out, char *msg, size_t msglen);

/*
 * Can this boot honour a recorded layout: is every page of both private
 * ranges, the VMM region and the trampoline free conventional memory in
 * this map? On LAYOUT_E_IN_THE_WAY msg names the range and what is there.
 */
enum layout_err layout_check(const struct smx_mem_range *map, size_t n, const struct smx_layout *l, char *msg,
                             size_t msglen);

/*
 * Bytes of the shared set: RAM either OS may use (loader, boot-services and
 * runtime code and data, ACPI reclaim, ACPI NVS, conventional) outside both
 * private ranges, the VMM region and the trampoline.
 */
uint64_t layout_shared_bytes(const struct smx_mem_range *map, size_t n, const struct smx_layout *l);

/*
 * The "unassigned" ranges for a boot of `os`: free conventional memory at or
 * above 1 MiB outside os's own private range, the other private range, the
 * VMM region and the trampoline (those are reserved by name). The loader
 * reserves them so that whatever `os` allocates later lands in its own
 * private range. Writes at most max ranges; returns how many there are.
 */
size_t layout_unassigned(const struct smx_mem_range *map, size_t n, const struct smx_layout *l, uint8_t os,
                         struct smx_mem_range *out, size_t max);

/*
 * Give `type` to the parts of map's EfiReservedMemoryType entries that lie
 * inside any of ranges[0..k), splitting entries where needed (the map stays
 * sorted). Returns the new count (at most max; what does not fit is left
 * as it was). For SMX_MEM_UNASSIGNED in the VMM's copy of the map.
 */
size_t layout_tag(struct smx_mem_range *map, size_t n, size_t max, const struct smx_mem_range *ranges, size_t k,
                  uint32_t type);

/* A short name for an EFI memory type ("boot-services data", ...). */
const char *layout_type_name(uint32_t type);

/*
 * What the loader records (a UEFI variable, efi-loader/reserve.c): the
 * layout and the inputs it came from, so a change of `memory =` or
 * `vmm-memory` is noticed and the layout computed again.
 */
#define LAYOUT_RECORD_MAGIC 0x54554f5958554d53ull /* "SMUXYOUT" */
#define LAYOUT_RECORD_VERSION 1
struct layout_record {
    uint64_t magic;
    uint32_t version;
    uint32_t vmm_mib;
    struct pol_share share[2];
    struct smx_layout layout;
};
_Static_assert(sizeof(struct layout_record) == 16 + 16 + sizeof(struct smx_layout), "layout_record layout");

void layout_record_make(struct layout_record *r, const struct pol_config *cfg, uint64_t vmm_bytes,
                        const struct smx_layout *l);
/* The record is well-formed and was made from these inputs. */
int layout_record_matches(const struct layout_record *r, const struct pol_config *cfg, uint64_t vmm_bytes);

#endif
