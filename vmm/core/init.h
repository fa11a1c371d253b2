/* SPDX-License-Identifier: MIT */
/*
 * Self-registering initialisation (BitVisor's INITFUNC): a subsystem places
 * its init function in a linker section named for its order, and the VMM
 * runs them all in that order, so adding a subsystem edits no central list.
 *
 *   SMX_INIT("50", reset_trap_init);
 *
 * Orders: "10" platform discovery, "50" traps, "90" late checks.
 */
#ifndef SMX_INIT_H
#define SMX_INIT_H

#include "bootinfo.h"

typedef int smx_init_fn(const struct smx_bootinfo *bi);

#define SMX_INIT(order, fn)                                                          \
    static smx_init_fn *const smx_init_##fn __attribute__((used, section(".smx_init." order))) = fn

/* Runs every registered init function; returns the first non-zero result. */
int smx_run_inits(const struct smx_bootinfo *bi);

#endif
