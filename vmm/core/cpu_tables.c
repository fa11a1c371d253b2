/* SPDX-License-Identifier: MIT */
#include "cpu_tables.h"

#include <stddef.h>
#include <string.h>

#include "../arch/x86/cpu.h"
#include "log.h"
#include "mem.h"
#include "vcpu.h"

/* 64-bit TSS (APM vol. 2 §12.2.5): only the IST stacks matter here. */
struct __attribute__((packed)) tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
};
_Static_assert(sizeof(struct tss64) == 104, "TSS is 104 bytes");

/* IDT gate (APM vol. 2 §4.8.4): interrupt gate, DPL 0. */
struct __attribute__((packed)) idt_gate {
    uint16_t off0;
    uint16_t sel;
    uint8_t ist;
    uint8_t type;
    uint16_t off1;
    uint32_t off2;
    uint32_t reserved;
};
_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate is 16 bytes");

#define IST_STACK 4096
enum { IST_NMI = 1, IST_DF = 2, IST_MC = 3 };

/* One CPU's: a TSS is busy while loaded, and IST stacks cannot be shared
 * by CPUs taking an NMI at once. The IDT is the same for all. */
struct cpu_tables {
    uint64_t gdt[5];
    struct tss64 tss __attribute__((aligned(16)));
    uint8_t ist_stacks[3][IST_STACK] __attribute__((aligned(16)));
};

static struct cpu_tables boot_tables __attribute__((aligned(16)));
static struct idt_gate idt[32] __attribute__((aligned(16)));

extern const uint64_t smx_exception_stubs[32]; /* exceptions.S */
void smx_exception(uint64_t *frame);
extern const char smx_idle_hlt[]; /* the HLT in cpu_idle_wait (exceptions.S) */
void cpu_load_segments(const struct dtr *gdtr, const struct dtr *idtr, uint16_t tr); /* exceptions.S */

void *cpu_tables_alloc(void)
{
    return mem_alloc_pages((sizeof(struct cpu_tables) + 4095) / 4096);
}

void cpu_tables_load(struct pcpu *c)
{
    struct cpu_tables *ct = c->tables ? c->tables : &boot_tables;
    uint64_t t = (uint64_t)(uintptr_t)&ct->tss;

    c->tables = ct;
    ct->gdt[0] = 0;
    ct->gdt[1] = 0x00af9a000000ffffull; /* 64-bit code, DPL 0 */
    ct->gdt[2] = 0x00cf92000000ffffull; /* data, DPL 0 */
    /* Available 64-bit TSS (type 9): ltr marks it busy, so it is rebuilt
     * here each time, which also makes reloading after S3 legal. */
    ct->gdt[3] = (sizeof ct->tss - 1) | ((t & 0xffffff) << 16) | (0x89ull << 40) | ((t >> 24 & 0xff) << 56);
    ct->gdt[4] = t >> 32;

    memset(&ct->tss, 0, sizeof ct->tss);
    ct->tss.iomap_base = sizeof ct->tss;
    ct->tss.ist[IST_NMI - 1] = (uint64_t)(uintptr_t)&ct->ist_stacks[0][IST_STACK];
    ct->tss.ist[IST_DF - 1] = (uint64_t)(uintptr_t)&ct->ist_stacks[1][IST_STACK];
    ct->tss.ist[IST_MC - 1] = (uint64_t)(uintptr_t)&ct->ist_stacks[2][IST_STACK];

    for (unsigned v = 0; v < 32; v++) {
        uint64_t h = smx_exception_stubs[v];
        idt[v] = (struct idt_gate){
            .off0 = (uint16_t)h, .sel = SEL_CODE64, .type = 0x8e,
            .off1 = (uint16_t)(h >> 16), .off2 = (uint32_t)(h >> 32),
            .ist = v == X86_NMI ? IST_NMI : v == X86_DF ? IST_DF : v == X86_MC ? IST_MC : 0,
        };
    }
    struct dtr g = { sizeof ct->gdt - 1, (uint64_t)(uintptr_t)ct->gdt };
    struct dtr i = { sizeof idt - 1, (uint64_t)(uintptr_t)idt };
    cpu_load_segments(&g, &i, SEL_TSS);
    /* %gs:0 is this CPU's struct pcpu from now on (this_cpu()). */
    wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)c);
}

static const char *const names[32] = {
    "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow", "#BR bound",
    "#UD invalid opcode", "#NM device not available", "#DF double fault", "coprocessor overrun",
    "#TS invalid TSS", "#NP segment not present", "#SS stack fault", "#GP general protection",
    "#PF page fault", "reserved 15", "#MF x87 error", "#AC alignment check", "#MC machine check",
    "#XM SIMD error", "#VE", "#CP control protection",
};

/* frame: r15 r14 r13 r12 r11 r10 r9 r8 rbp rdi rsi rdx rcx rbx rax vector error rip cs rflags rsp ss */
void smx_exception(uint64_t *f)
{
    uint64_t vector = f[15], error = f[16], rip = f[17], rsp = f[20];

    if (vector == X86_NMI) {
        struct pcpu *c = this_cpu();
        /* Taken between the idle loop's check and its HLT: skip the HLT,
         * or the CPU would sleep through the very event it was woken for. */
        if (rip == (uint64_t)(uintptr_t)smx_idle_hlt)
            f[17] = rip + 1;
        /* The VMM's kick, or the guest's NMI (injected at the next entry).
         * Two NMIs close together may merge into one, as on hardware. */
        if (!__atomic_exchange_n(&c->kick, 0, __ATOMIC_ACQ_REL))
            c->nmi_pending = 1;
        return;
    }
    smx_log("PANIC", "VMM exception %s (vector %llu) error %#llx at rip %#llx rsp %#llx cr2 %#llx",
            names[vector] ? names[vector] : "?", (unsigned long long)vector, (unsigned long long)error,
            (unsigned long long)rip, (unsigned long long)rsp, (unsigned long long)read_cr2());
    smx_panic("rax %#llx rbx %#llx rcx %#llx rdx %#llx rsi %#llx rdi %#llx rbp %#llx",
              (unsigned long long)f[14], (unsigned long long)f[13], (unsigned long long)f[12],
              (unsigned long long)f[11], (unsigned long long)f[10], (unsigned long long)f[9],
              (unsigned long long)f[8]);
}
