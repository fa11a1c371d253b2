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

/* The callback that, after wake, puts the OS's FACS back and says how to
 * enter it. */
typedef void s3_wake_fn(struct wake_entry *we);

/* Last steps before the platform sleeps: freeze the clock, flush caches,
 * write the sleep registers (PM1b first when present, then PM1a, ACPI 6.5
 * §7.4.2 lets either order; the OS's own write already chose). On wake,
 * `on_wake` decides where the CPU goes. Returns only if the platform did not
 * sleep. */
void s3_sleep(void (*write_sleep_registers)(void *ctx), void *ctx, s3_wake_fn *on_wake);

#endif
