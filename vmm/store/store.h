/* SPDX-License-Identifier: MIT */
/*
 * The store on a GPT partition, as the switch engine uses it: the VMM's
 * own disk drivers (vmm/drivers), the GPT lookup (gpt.c) and imagestore's
 * two-slot store bound to exactly that partition.
 *
 * Only called while no OS runs (between a sleep request and the next
 * resume). Every byte of working memory is the VMM's; the image streams
 * between guest memory and the disk through the caller's buffers, which
 * are VMM memory too.
 */
#ifndef SMX_STORE_H
#define SMX_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "bootinfo.h"
#include "imagestore.h"

/*
 * Find the disk and the partition the config names (bi->config.store:
 * partition or partition-type), check it is where the loader found it
 * (bi->store), and open the store there with bi->master_key. A partition
 * holding no store at all (neither superblock copy has the magic) is
 * formatted and logged; any other failure (damage, wrong key, a store
 * older than the loader's generation floor) is an error and nothing is
 * written. On success *out is the open store until vmm_store_close().
 * On failure why (n bytes) says what, and every controller touched is
 * already reset.
 */
enum img_err vmm_store_open(const struct smx_bootinfo *bi, struct img_store **out, char *why, size_t n);

/* Reset every controller the store touched to its power-on state and
 * restore its PCI command register, so the next OS finds its disk as
 * after a power cycle. The store must not be used afterwards. */
void vmm_store_close(void);

/* n random bytes: RDRAND when the CPU has it, else the TSC mixed with the
 * master key (unique, not secret: image and store ids). */
void store_random(void *out, size_t n, const uint8_t key[32]);

/* The debug self-test (SMX_BOOT_STORE_SELFTEST): write part of the
 * stopped OS's RAM as an image, read it back, verify, close. Does
 * nothing without the flag. Call only while no OS runs. */
void store_selftest(const struct smx_bootinfo *bi);

#endif
