/* SPDX-License-Identifier: MIT */
/*
 * The two OSes as the VMM keeps them (DESIGN.md, "Memory model"): where
 * each one's private RAM is, the memory view it runs under, where to enter
 * it after a sleep, and the shared set, the RAM both use, which every
 * switch exchanges between the machine and the parked OS's copy in VMM
 * memory. The switch engine (switch.c) decides; this file moves memory.
 */
#ifndef SMX_GUEST_H
#define SMX_GUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "acpi_sleep.h"
#include "imagestore.h"
#include "vcpu.h"

struct guest {
    uint8_t os;                      /* POL_OS_A / POL_OS_B */
    char letter;                     /* 'A' / 'B', for the log */
    uint64_t private_base, private_size;
    uint64_t view;                   /* its memory view (vcpu_ops.view_build) */
    struct acpi_waking_vector facs;  /* its FACS vectors as it left them */
    struct wake_entry entry;         /* how to enter it after a sleep */
    bool entry_valid;
};

/* The shared set: usable RAM outside both private ranges, the VMM's region
 * and the trampoline, as sorted disjoint page-aligned ranges. */
#define SHARED_MAX 128
struct shared_set {
    unsigned n;
    struct img_region r[SHARED_MAX];
    uint64_t pages;
    uint8_t *save;                   /* the parked OS's copy (VMM memory), pages * 4096 */
    int8_t holder;                   /* whose shared set the save area holds, or -1 */
};

extern struct guest guests[2];
extern struct shared_set shared;
extern bool switching_enabled;

/* Build both views and the shared set from the boot info; false (logged)
 * when switching cannot work here, and the VMM then runs one OS alone. */
bool guests_init(const struct smx_bootinfo *bi);

/* Exchange the shared set in RAM with the copy in the save area: the
 * running OS's goes in, the parked one's comes out. */
void shared_exchange(void);
/* Copy the running OS's shared set into the save area (the parked OS's
 * copy there is about to be replaced from the store, or is gone). */
void shared_save(uint8_t holder);
/* Put the save area's copy back into RAM (a refused switch). */
void shared_restore(void);

/* Is [gpa, gpa + len) memory an image of `os` may restore into? */
bool guest_may_restore(uint8_t os, uint64_t gpa, uint64_t len);

/* The regions an image of `os` holds: its private range and the shared
 * set, sorted. Returns the count (<= SHARED_MAX + 1). */
unsigned guest_image_regions(uint8_t os, struct img_region *out);

/* Where the bytes of guest-physical page `gpa` of `os` are now: RAM, or
 * the save area for the shared set of a parked OS. */
const void *guest_page_source(uint8_t os, uint64_t gpa);

#endif
