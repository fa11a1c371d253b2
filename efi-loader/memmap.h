/* SPDX-License-Identifier: MIT */
/* The firmware's memory map (UEFI 2.10 §7.2.3 GetMemoryMap), simplified to
 * struct smx_mem_range: what the layout reads and the VMM is handed. */
#ifndef SMX_LOADER_MEMMAP_H
#define SMX_LOADER_MEMMAP_H

#include <efi.h>
#include <stddef.h>

#include "bootinfo.h"

/* Fills out[0..max) and *n; *n > max when the map was cut (out holds the
 * first max). Returns the end of the highest range, 0 if there is no map. */
uint64_t loader_memmap(struct smx_mem_range *out, size_t max, size_t *n);

/* One log line per range ("memmap: BASE PAGES TYPE"), the form
 * tests/fixtures/efi-loader/ keeps real maps in. */
void loader_memmap_log(const struct smx_mem_range *map, size_t n);

#endif
