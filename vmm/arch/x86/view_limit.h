/* SPDX-License-Identifier: MIT */
/*
 * How far a memory view's identity map reaches, for both back ends' nested
 * tables (SVM's NPT, VMX's EPT: the same 4-level shape).
 *
 * The map covers the CPU's whole physical-address space (CPUID 80000008H
 * EAX[7:0]: AMD APM vol. 3 §E.4.7, Intel SDM vol. 2A CPUID), where devices'
 * BARs may be placed, up to what 4-level tables translate (IDMAP_REACH).
 * Without 1 GiB pages every GiB costs a 4 KiB table, so the map then stops
 * where a share of the VMM's memory runs out, never below the RAM and
 * devices the loader mapped. Chosen at the first view and kept: every view
 * maps the same range.
 */
#ifndef SMX_X86_VIEW_LIMIT_H
#define SMX_X86_VIEW_LIMIT_H

#include <stdint.h>

#include "idmap.h"
#include "../../core/vcpu.h"

uint64_t view_limit(enum idmap_leaf leaf);

/* The tables of one view: the identity map to view_limit with `holes`
 * sunk onto the page at `sink` or trapped, as their kind says (the same
 * bits serve both: NPT's P/RW/US are EPT's R/W/X). Root, or 0 when out of
 * memory. */
uint64_t view_tables(enum idmap_leaf leaf, const struct mem_hole *holes, unsigned n, uint64_t sink);

#endif
