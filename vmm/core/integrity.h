/* SPDX-License-Identifier: MIT */
/*
 * The VMM checks its own memory at every sleep and wake: proof, in the log,
 * that nothing the guest (or anything else) did changed the VMM, and a
 * refusal to trust a VMM that was changed.
 *
 * What is covered (fingerprints taken when the VMM becomes active):
 *   - the image's code and read-only data (vmm.elf's text and rodata);
 *   - the boot-info block the loader handed over;
 *   - every page-table tree registered here: the host tables the loader
 *     built and the nested tables the back end built (each entry with its
 *     accessed and dirty bits masked: the CPU sets those as it walks);
 *   - every page of the region not yet allocated, which must still be zero.
 * What is not, because it changes legitimately: the image's .data and .bss
 * (state, counters, stacks), the back end's control blocks (VMCB, host save
 * areas: the CPU writes them at every world switch), the I/O permission map
 * (traps are added at run time, 0xcf9 once an OS is parked) and the sink
 * page (the guest's writes to hidden memory land there by design).
 *
 * A mismatch is sticky: once seen, every later check fails too, so a
 * modified VMM never again takes the platform through S3 (sleep.c then
 * lets the sleep pass to the firmware and the OS resumes outside the VMM).
 */
#ifndef SMX_INTEGRITY_H
#define SMX_INTEGRITY_H
#include <stdint.h>
/* Cover a 4-level page-table tree rooted at `root` (physical). Before
 * integrity_init only. */
void integrity_add_tables(uint64_t root, const char *what);
void integrity_init(void);
/* The VMM itself changed the tree at `root` (a device mapped at run time):
 * take its fingerprint again, so only changes made by others count. */
void integrity_tables_changed(uint64_t root);
/* Logs the verdict for each covered part; returns 1 if all intact and no
 * earlier check failed. */
int integrity_check(const char *when);
#endif
