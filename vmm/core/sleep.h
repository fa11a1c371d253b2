/* SPDX-License-Identifier: MIT */
/* The sleep trap's one service to the engine: enter an S-state the VMM
 * itself chose (a switch through S3), with the platform's \_Sx_ values. */
#ifndef SMX_SLEEP_H
#define SMX_SLEEP_H

/* ctx: the S-state, as (void *)(uintptr_t)state. */
void sleep_enter_platform(void *ctx);

#endif
