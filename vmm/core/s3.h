/* SPDX-License-Identifier: MIT */
/*
 * Entering S3 under the VMM and coming back (DESIGN.md, "Switch flow:
 * Resume"). The sleep trap decides that an S3 request goes through; s3.c
 * makes the platform wake into the VMM instead of into the OS, and on wake
 * re-creates the VMM's state and enters the OS at its own waking vector
 * exactly as firmware would have.
 */
#ifndef SMX_S3_H
#define SMX_S3_H

#include <stdint.h>

#include "vcpu.h"

/* The real-mode address the firmware must jump to on wake. */
uint32_t s3_trampoline_vector(void);
/* Copy the trampoline into its page and fill in its data (the wake path
 * and the AP start, smp.h). */
void s3_trampoline_install(void);

/* The callback that, after wake, puts the OS's FACS back and says how to
 * enter it. */
typedef void s3_wake_fn(struct wake_entry *we);

/* Last steps before the platform sleeps: point the FACS waking vector at
 * the VMM's trampoline, freeze the clock, flush caches, write the sleep
 * registers (s3_sleep_os: the OS's own write(s), exactly as trapped;
 * s3_sleep_vmm: \_S3_ values, for a switch the VMM makes through S3). On
 * wake, `on_wake` (on a fresh stack) decides where the CPU goes. They
 * return only if the platform did not sleep; the FACS then still points at
 * the trampoline, and the caller puts the OS's vector back. */
void s3_sleep_os(void (*write_sleep_registers)(void *ctx), void *ctx, s3_wake_fn *on_wake);
void s3_sleep_vmm(s3_wake_fn *on_wake);

#endif
