/* SPDX-License-Identifier: MIT */
/*
 * An OS's image in the store (DESIGN.md, "Switch flow"; docs/image-format.md):
 * the switch engine's store actions, carried out with imagestore over the
 * VMM's own block drivers (vmm/store). Every call needs the store opened
 * by the VMM, which only happens while no OS runs; image_store_release()
 * hands the controllers back, reset, before any OS runs again.
 */
#ifndef SMX_IMAGE_H
#define SMX_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "imagestore.h"
#include "vcpu.h"

/* The CPU context sealed into an image's header: what the VMM needs to
 * bring the OS back, and what it must find unchanged to do so safely. */
#define IMAGE_CPU_MAGIC 0x55504358u /* "XCPU" */
#define IMAGE_CPU_VERSION 1u
struct image_cpu {
    uint32_t magic, version;
    uint32_t wake_mode;          /* enum wake_mode */
    uint32_t facs_fw;            /* its FACS vectors as it left them */
    uint64_t wake_vector;
    uint64_t facs_x;
    uint32_t facs_ospm_flags;
    uint32_t facs_hw_signature;  /* the platform it slept on (ACPI 6.5 §5.2.10) */
    uint64_t memmap_digest;      /* FNV-1a of the firmware map the VMM was given */
    struct smx_layout layout;
};
_Static_assert(sizeof(struct image_cpu) == 48 + sizeof(struct smx_layout), "image_cpu layout");

/* Write `os` (running, or parked in RAM) as a new committed image. */
enum img_err image_save(uint8_t os, uint8_t *slot, char *why, size_t n);
/* Read `os` from `slot` straight into its memory, authenticated chunk by
 * chunk; fills *cpu from the header. Memory may be partly overwritten on
 * failure (only `os`'s own memory and the shared set). */
enum img_err image_restore(uint8_t os, uint8_t slot, struct image_cpu *cpu, char *why, size_t n);
/* Mark slot's image restored: it can never run again. */
enum img_err image_discard(uint8_t slot, char *why, size_t n);
/* For a store the loader could not read: the slot of each OS's committed
 * image waiting there, 0xff where none waits. The store is released again
 * before this returns. */
enum img_err image_waiting(uint8_t slot_of[2], char *why, size_t n);
/* Hand every controller the store touched back, reset. */
void image_store_release(void);

/* The context of the running OS `os` as it sleeps now (FACS already read). */
void image_cpu_fill(uint8_t os, struct image_cpu *cpu);

#endif
