/* SPDX-License-Identifier: MIT */
/* The VMM's global state. Per-OS state is in guest.h, the policy state in
 * switch.c; this is what every part reads. */
#ifndef SMX_VMM_H
#define SMX_VMM_H

#include <stdint.h>

#include "bootinfo.h"
#include "vcpu.h"

struct vmm_state {
    struct smx_bootinfo *bi;
    const struct vcpu_ops *ops;
    struct pcpu cpus[SMX_CPUS_MAX]; /* [0] is the boot CPU */
    unsigned ncpus;                 /* CPUs that ever arrived in the VMM */
    uint32_t sleep_requests; /* PM1 sleep writes seen (any S-state) */
    uint32_t wakes;          /* S3 resumes completed */
};

extern struct vmm_state vmm;

#endif
