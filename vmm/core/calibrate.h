/* SPDX-License-Identifier: MIT */
#ifndef SMX_CALIBRATE_H
#define SMX_CALIBRATE_H
#include <stdint.h>
/* The TSC's frequency in Hz, or 0 if no timer answered. */
uint64_t calibrate_tsc_hz(void);
#endif
