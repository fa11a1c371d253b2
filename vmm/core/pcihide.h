/* SPDX-License-Identifier: MIT */
/*
 * The air gap (DESIGN.md, "Switch flow"): the PCI functions an OS's
 * `hide-pci` names do not exist for it. While it runs, their configuration
 * space reads as no device (vendor 0xffff) and ignores writes, through the
 * legacy ports (CONFIG_DATA 0xcfc-0xcff; CONFIG_ADDRESS is read from the
 * hardware, never trapped) and through the ECAM window (the function's
 * 4 KiB page, mmio.h); their memory BARs and option ROM are the sink page
 * in its view, their I/O BARs are trapped and ignored, and their decoding
 * and bus mastering are off. The OS that may use a function gets its
 * command register back when it runs again.
 */
#ifndef SMX_PCIHIDE_H
#define SMX_PCIHIDE_H

#include <stdbool.h>
#include <stdint.h>

#include "vcpu.h"

/* Sink holes per view, at most: memory BARs and option ROMs of hidden
 * functions, and ECAM pages that could not be trapped. */
#define PCIHIDE_HOLES_MAX 64

/* The holes `os`'s view needs (guest.c adds them when it builds the view). */
unsigned pcihide_holes(uint8_t os, struct mem_hole *out, unsigned max);

/* `os` is about to run (boot, wake, switch): quiesce what it hides, give
 * back what it may use, and answer for it from now on. */
void pcihide_activate(uint8_t os);

/* The i-th range `os`'s view sinks for a hidden function (CPUID
 * 0x40000006, so a test guest can prove it reads nothing there); false
 * past the last. */
bool pcihide_sink(uint8_t os, unsigned i, uint64_t *base, uint64_t *size);

#endif
