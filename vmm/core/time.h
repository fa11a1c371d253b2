/* SPDX-License-Identifier: MIT */
/*
 * The VMM's monotonic clock: TSC-based, calibrated once at start. The TSC
 * restarts from zero when the platform comes back from S3, so the clock keeps
 * its own base and is carried across a resume by smx_time_resume(); time
 * spent in S3 is not counted.
 */
#ifndef SMX_TIME_H
#define SMX_TIME_H

#include <stdint.h>

void smx_time_init(uint64_t tsc_hz);
uint64_t smx_time_ns(void);
uint64_t smx_time_tsc_hz(void);
/* Before entering S3: freeze the clock. After resume: continue from there. */
void smx_time_suspend(void);
void smx_time_resume(void);

#endif
