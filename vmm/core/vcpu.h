/* SPDX-License-Identifier: MIT */
/*
 * The one CPU back-end interface (BitVisor's vmctl): SVM today, VMX beside
 * it. Nothing above arch/x86/{svm,vmx} knows which one runs; the back end
 * turns its exits into the vendor-neutral calls in exit.h.
 *
 * Every per-CPU operation takes the physical CPU it acts on (struct pcpu),
 * so the same interface serves the boot CPU today and application
 * processors later; memory views (guest-physical maps, one per OS) are the
 * back end's nested page tables, built once and selected per entry.
 */
#ifndef SMX_VCPU_H
#define SMX_VCPU_H

#include <stdint.h>

#include "bootinfo.h"

/* How firmware enters an OS waking vector (ACPI 6.5 §5.2.10): real mode at
 * CS:IP = (vector >> 4):(vector & 0xf), or 32-bit flat protected mode with
 * paging off at the 64-bit X_ vector when the OS set it without 64BIT_WAKE_F. */
enum wake_mode { WAKE_REAL16, WAKE_PROT32 };

struct wake_entry {
    enum wake_mode mode;
    uint64_t vector;
};

/* A physical range a memory view hides behind the sink page. */
struct mem_hole {
    uint64_t base, size;
};

/* One physical CPU under the VMM. */
struct pcpu {
    unsigned id;        /* 0: the boot CPU */
    void *arch;         /* the back end's per-CPU state (control block, host save area) */
    uint64_t view;      /* the memory view the next entry uses (view_build's handle) */
};

struct vcpu_ops {
    const char *name;
    /* Can this CPU run this back end? No side effects. */
    enum smx_start_error (*probe)(void);
    /* Global set-up (permission maps); then per-CPU enable and control block. */
    enum smx_start_error (*init)(const struct smx_bootinfo *bi);
    enum smx_start_error (*cpu_init)(struct pcpu *c);
    /* Intercept guest accesses to [port, port + len), on every CPU, from the
     * next guest entry on. */
    void (*trap_io)(uint16_t port, unsigned len);
    /* A guest-physical memory view: the identity map with `holes` redirected
     * to one sink page (reads give nothing, writes go nowhere, no exits).
     * Returns a handle for pcpu.view, or 0 when out of memory. */
    uint64_t (*view_build)(const struct mem_hole *holes, unsigned n);
    /* Become the hypervisor: run the loader's captured state as the guest. */
    __attribute__((noreturn)) void (*run_boot)(struct pcpu *c, const struct smx_guest_entry *ge);
    /* After S3: re-enable virtualization (the CPU was reset) ... */
    void (*resume)(struct pcpu *c);
    /* ... and enter an OS at its waking vector as firmware would. */
    __attribute__((noreturn)) void (*run_wake)(struct pcpu *c, const struct wake_entry *we);
    /* Inject an exception into the guest at the next entry. */
    void (*inject_exception)(struct pcpu *c, uint8_t vector, int has_error, uint32_t error);
};

extern const struct vcpu_ops svm_ops, vmx_ops;

/* The back end for this CPU's vendor (CPUID leaf 0), or NULL: AMD's runs
 * SVM, Intel's VMX (arch/x86/vcpu_pick.c). */
const struct vcpu_ops *vcpu_pick(void);

/* The CPU running this code (one CPU today: the boot CPU). */
struct pcpu *this_cpu(void);

#endif
