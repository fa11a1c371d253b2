/* SPDX-License-Identifier: MIT */
/*
 * The power-on hook (issue 8): when the running OS asks for a sleep state
 * its schedule names (wake-from), arm the RTC alarm for its next wake slot
 * before the request reaches the hardware, and keep the alarm's wake enable
 * set against the OS. With no schedule, nothing is trapped and nothing runs.
 */
#ifndef SMX_WAKE_HOOK_H
#define SMX_WAKE_HOOK_H

#include <stdint.h>

/* Called by the sleep trap with the decoded state, before the hardware
 * sees the request. */
void wake_hook_before_sleep(uint8_t os, unsigned state);
/* The platform is running again (an S3 that woke, or one that failed). */
void wake_hook_after_sleep(void);

#endif
