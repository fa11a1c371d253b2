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
#include "exit.h"

/* How firmware enters an OS waking vector (ACPI 6.5 §5.2.10): real mode at
 * CS:IP = (vector >> 4):(vector & 0xf), or 32-bit flat protected mode with
 * paging off at the 64-bit X_ vector when the OS set it without 64BIT_WAKE_F. */
enum wake_mode { WAKE_REAL16, WAKE_PROT32 };

struct wake_entry {
    enum wake_mode mode;
    uint64_t vector;
};

/* What a memory view does with a range instead of mapping it through. */
enum hole_kind {
    HOLE_SINK,       /* the sink page: reads give nothing, writes go nowhere, no exit */
    HOLE_TRAP_WRITE, /* reads go through; writes exit to the core (mmio.h) */
    HOLE_TRAP_ALL,   /* every access exits to the core (mmio.h) */
};

struct mem_hole {
    uint64_t base, size;
    enum hole_kind kind;
};

/* Where a CPU is, as the VMM sees it (smp.c). */
enum pcpu_state {
    PCPU_ABSENT,    /* never arrived in the VMM */
    PCPU_WAITING,   /* in the VMM, as after INIT: waiting for a start-up IPI */
    PCPU_GUEST,     /* running guest code (or the VMM on its behalf) */
};

#define SMX_CPUS_MAX 64

/* One physical CPU under the VMM. %gs:0 points at it while the VMM runs
 * on that CPU (this_cpu()). */
struct pcpu {
    struct pcpu *self;
    unsigned id;        /* 0: the boot CPU; then APs in the order they first arrived */
    uint32_t apic_id;
    void *arch;         /* the back end's per-CPU state (control block, host save area) */
    uint64_t view;      /* the memory view the next entry uses (view_build's handle) */
    uint64_t stack_top; /* this CPU's VMM stack (an AP's changes with every start) */
    void *tables;       /* its GDT, TSS and exception stacks (cpu_tables.c) */
    /* What other CPUs ask of this one; written by them, read here. */
    volatile uint32_t state;        /* enum pcpu_state */
    volatile uint32_t init_seq;     /* INITs sent to it (a guest's, or a park) ... */
    uint32_t init_done;             /* ... and those it has acted on: it waits for SIPI */
    volatile uint32_t park;         /* the last INIT was the VMM's, for a sleep */
    volatile uint32_t sipi_vector;  /* 0x100 | a guest start-up IPI's vector, or 0 */
    volatile uint32_t kick;         /* the next NMI is the VMM's, not the guest's */
    volatile uint32_t nmi_pending;  /* the guest's NMI, injected at the next entry */
    uint64_t exits[EXIT_KINDS];     /* this CPU's exits by kind (exit.h) */
};

/* Vendor-neutral guest CPU context. */
struct vcpu_context {
    uint64_t gpr[16]; /* encoding order: rax rcx rdx rbx rsp rbp rsi rdi r8-r15 */
    uint64_t rip, rflags, cr0, cr3, cr4, efer;
};

struct vcpu_ops {
    const char *name;
    /* Can this CPU run this back end? No side effects. */
    enum smx_start_error (*probe)(void);
    /* Global set-up (permission maps); then a CPU's control block and
     * host save area, allocated (by the boot CPU, for every CPU) ... */
    enum smx_start_error (*init)(const struct smx_bootinfo *bi);
    enum smx_start_error (*cpu_init)(struct pcpu *c);
    /* ... and virtualization enabled on the CPU itself: at its first
     * start and after every S3 (the CPU was reset). At the boot CPU's
     * first start a failure is a refusal; an AP that fails stays out. */
    enum smx_start_error (*resume)(struct pcpu *c);
    /* Intercept guest accesses to [port, port + len), on every CPU, from the
     * next guest entry on. */
    void (*trap_io)(uint16_t port, unsigned len);
    /* Stop intercepting [port, port + len) from the next guest entry on
     * (optional: without it a disarmed range stays trapped, which is
     * correct, only slower). */
    void (*untrap_io)(uint16_t port, unsigned len);
    /* A guest-physical memory view: the identity map with `holes` sunk or
     * trapped as their kind says. Returns a handle for pcpu.view, or 0
     * when out of memory. */
    uint64_t (*view_build)(const struct mem_hole *holes, unsigned n);
    /* Become the hypervisor: run the loader's captured state as the guest. */
    __attribute__((noreturn)) void (*run_boot)(struct pcpu *c, const struct smx_guest_entry *ge);
    /* Enter an OS in real or protected mode as firmware would: at its
     * waking vector after S3, or an AP at its start-up IPI's vector. */
    __attribute__((noreturn)) void (*run_wake)(struct pcpu *c, const struct wake_entry *we);
    /* Inject an exception into the guest at the next entry. */
    void (*inject_exception)(struct pcpu *c, uint8_t vector, int has_error, uint32_t error);
    /* Sleep in the VMM until *until is non-zero: NMIs wake the CPU (the
     * VMM's kick), nothing else reaches it. */
    void (*idle)(struct pcpu *c, volatile uint32_t *until);
    /* The guest's general registers, RIP and RFLAGS (for the log). */
    void (*guest_context)(struct pcpu *c, struct vcpu_context *ctx);
};

extern const struct vcpu_ops svm_ops, vmx_ops;

/* The back end for this CPU's vendor (CPUID leaf 0), or NULL: AMD's runs
 * SVM, Intel's VMX (arch/x86/vcpu_pick.c). */
const struct vcpu_ops *vcpu_pick(void);

/* The CPU running this code. */
static inline struct pcpu *this_cpu(void)
{
    struct pcpu *c;
    __asm__ volatile("movq %%gs:0, %0" : "=r"(c));
    return c;
}

#endif
