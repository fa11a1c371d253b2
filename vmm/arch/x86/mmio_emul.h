/* SPDX-License-Identifier: MIT */
/*
 * A guest access to a trapped device page, emulated the same way for both
 * back ends: fetch the instruction at CS.base + RIP through the guest's
 * page tables (guest_walk.h), decode its MOV (insn.h), hand the access to
 * the core (core/mmio.h) and write a load's result into the registers.
 * The back end fills in what its fault told it and moves RIP by *len.
 */
#ifndef SMX_MMIO_EMUL_H
#define SMX_MMIO_EMUL_H

#include <stdbool.h>
#include <stdint.h>

#include "../../core/vcpu.h"
#include "guest_walk.h"
#include "insn.h"

struct mmio_fault {
    uint64_t gpa;            /* the faulting guest-physical address */
    bool write;              /* what the fault says the access was */
    uint64_t rip, cs_base;
    enum insn_mode mode;
    struct guest_paging paging;
};

/* true and *len when emulated; false (logged) when the instruction cannot
 * be fetched or decoded, disagrees with the fault, or no claim covers the
 * address. */
bool mmio_emulate(struct pcpu *c, const struct mmio_fault *f, struct insn_regs *r, unsigned *len);

#endif
