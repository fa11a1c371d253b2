/* The VMM's global state: one CPU, one guest at a time. */
#ifndef SMX_VMM_H
#define SMX_VMM_H

#include <stdint.h>

#include "bootinfo.h"
#include "vcpu.h"

struct vmm_state {
    struct smx_bootinfo *bi;
    const struct vcpu_ops *ops;
    uint32_t sleep_requests; /* PM1 sleep writes seen (any S-state) */
    uint32_t wakes;          /* S3 resumes completed */
};

extern struct vmm_state vmm;

#endif
