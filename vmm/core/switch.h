/* SPDX-License-Identifier: MIT */
/*
 * The switch engine (DESIGN.md, "Switch flow"): the one place that owns
 * policy's struct pol_state. The traps (sleep.c, reset.c, a guest that
 * cannot continue) only turn what the guest did into a pol_event; the
 * engine asks pol_decide() what to do, carries the action out, feeds the
 * outcome of store actions back as the next event, and gives the CPU to
 * whichever OS the decisions end with.
 */
#ifndef SMX_SWITCH_H
#define SMX_SWITCH_H

#include <stdint.h>

/* What the trapped guest write(s) were, so that a request that goes to the
 * hardware goes there exactly as the OS made it. */
struct hw_request {
    void (*write)(void *ctx);
    void *ctx;
};

/* The VMM starts: POL_EV_BOOT for the OS the loader booted. */
void switch_start(void);

/* The running OS asked for S-state `state` (decoded by acpi-sleep). Returns
 * when the OS is to continue after its write (a sleep that woke, or a
 * request that was not carried out); may instead give the CPU to the other
 * OS or reset the machine and never return. */
void switch_sleep(unsigned state, const struct hw_request *hw);

/* The running OS asked for a platform reset through `how`. */
void switch_reset(const char *how, const struct hw_request *hw);

/* The running OS cannot continue (a triple fault): a reset, as far as the
 * policy is concerned, but one that can never return to it. */
__attribute__((noreturn)) void switch_guest_dead(const char *why);

/* For the log: the OS that runs now ('A' or 'B'). */
char switch_active_letter(void);

#endif
