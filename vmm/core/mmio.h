/* SPDX-License-Identifier: MIT */
/*
 * Trapped device memory, the MMIO counterpart of iotrap.h. A subsystem
 * claims a range at start; every memory view maps it read-only
 * (HOLE_TRAP_WRITE) or not at all (HOLE_TRAP_ALL), so the guest's accesses
 * exit. The back end decodes the instruction (arch/x86/insn.h), the core
 * hands the access to the claimant, and the back end writes a load's
 * result back and moves RIP past the instruction.
 *
 * Users: the local APIC page (start-up IPIs, smp.c) and the PCIe ECAM
 * window of buses with a hidden function (the air gap).
 */
#ifndef SMX_MMIO_H
#define SMX_MMIO_H

#include <stdbool.h>
#include <stdint.h>

#include "vcpu.h"

struct mmio_access {
    uint64_t gpa;
    uint8_t size;   /* 1, 2, 4 or 8 */
    bool write;
    uint64_t value; /* a write's value; a read's result, filled by the handler */
};

/* Handle an access: fill a->value for a read; return false to have the
 * core perform the access on the hardware exactly as the guest asked. */
typedef bool mmio_fn(struct pcpu *c, struct mmio_access *a, void *ctx);

#define MMIO_TRAPS_MAX 16

/* Claim [base, base + size) (page-aligned) before the views are built;
 * false (logged) when the table is full or the range overlaps a claim. */
bool mmio_trap_add(const char *name, uint64_t base, uint64_t size, enum hole_kind kind, mmio_fn *fn,
                   void *ctx);

/* The claims as view holes, for building views; returns the count. */
unsigned mmio_trap_holes(struct mem_hole *out, unsigned max);

/* From the back end: an access to a trapped page. False when no claim
 * covers it (the back end then treats it as a fault). */
bool vmm_mmio(struct pcpu *c, struct mmio_access *a);

/* Hardware access inside a claimed range, for handlers that pass (part
 * of) an access through. */
uint64_t mmio_hw_read(uint64_t pa, unsigned size);
void mmio_hw_write(uint64_t pa, unsigned size, uint64_t value);

#endif
