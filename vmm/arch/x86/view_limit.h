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

uint64_t view_limit(enum idmap_leaf leaf);

#endif
