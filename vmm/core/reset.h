/* SPDX-License-Identifier: MIT */
#ifndef SMX_RESET_H
#define SMX_RESET_H
/* Start trapping the reset control register 0xcf9 (see reset.c for why it
 * is not trapped from the start). For the switch engine, once an OS is
 * parked in RAM. */
void reset_watch_rst_cnt(void);

/* A full platform reset, now (the VMM's own, through RST_CNT). */
__attribute__((noreturn)) void reset_platform(void);
#endif
