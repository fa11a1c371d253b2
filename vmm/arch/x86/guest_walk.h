/* SPDX-License-Identifier: MIT */
/*
 * Guest linear to guest-physical translation through the guest's own page
 * tables, in every paging mode a guest may be in when it touches a trapped
 * page (Intel SDM vol. 3 §4.3-4.5, AMD APM vol. 2 §5.2-5.3): none, 32-bit,
 * PAE, 4-level and 5-level. The back ends use it to fetch the instruction at
 * the guest's RIP. Permissions are not checked: the guest's access already
 * went through them before the nested fault.
 *
 * Pure: guest-physical memory is read through a callback, and the walk is
 * tested hosted (tests/unit/vmm/test_guest_walk.c).
 */
#ifndef SMX_GUEST_WALK_H
#define SMX_GUEST_WALK_H

#include <stdint.h>

struct guest_paging {
    uint64_t cr0, cr3, cr4, efer;
};

/* Read n bytes of guest-physical memory at gpa; 0 on success. */
typedef int guest_phys_read_fn(void *ctx, uint64_t gpa, void *buf, unsigned n);

/* 0 and *gpa, or -1 when the address is not mapped (or a table is not
 * readable). */
int guest_translate(const struct guest_paging *p, uint64_t la, guest_phys_read_fn *rd, void *ctx,
                    uint64_t *gpa);

/* Read n bytes at a linear address, page by page; 0 or -1. */
int guest_read_linear(const struct guest_paging *p, uint64_t la, void *buf, unsigned n,
                      guest_phys_read_fn *rd, void *ctx);

#endif
