/* SPDX-License-Identifier: MIT */
#ifndef SMX_LOADER_CPUS_H
#define SMX_LOADER_CPUS_H

#include <stdint.h>

/* The processors the firmware enabled (EFI_MP_SERVICES_PROTOCOL), the
 * boot CPU included; 0 when the firmware does not say. The VMM waits for
 * exactly these to arrive when it starts the application processors. */
uint32_t loader_cpu_count(void);

#endif
