/* SPDX-License-Identifier: MIT */
#include "cpu_tables.h"

#include <stddef.h>
#include <string.h>

#include "../arch/x86/cpu.h"
#include "log.h"

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

static uint64_t gdt[5] __attribute__((aligned(16)));
static struct tss64 tss __attribute__((aligned(16)));
static struct idt_gate idt[32] __attribute__((aligned(16)));
static uint8_t ist_stacks[3][IST_STACK] __attribute__((aligned(16)));
static volatile int nmi_pending;

extern const uint64_t smx_exception_stubs[32]; /* exceptions.S */
void smx_exception(uint64_t *frame);
void cpu_load_segments(const struct dtr *gdtr, const struct dtr *idtr, uint16_t tr); /* exceptions.S */

void cpu_tables_load(void)
{
    uint64_t t = (uint64_t)(uintptr_t)&tss;

    gdt[0] = 0;
    gdt[1] = 0x00af9a000000ffffull; /* 64-bit code, DPL 0 */
    gdt[2] = 0x00cf92000000ffffull; /* data, DPL 0 */
    /* Available 64-bit TSS (type 9): ltr marks it busy, so it is rebuilt
     * here each time, which also makes reloading after S3 legal. */
    gdt[3] = (sizeof tss - 1) | ((t & 0xffffff) << 16) | (0x89ull << 40) | ((t >> 24 & 0xff) << 56);
    gdt[4] = t >> 32;

    memset(&tss, 0, sizeof tss);
    tss.iomap_base = sizeof tss;
    tss.ist[IST_NMI - 1] = (uint64_t)(uintptr_t)&ist_stacks[0][IST_STACK];
    tss.ist[IST_DF - 1] = (uint64_t)(uintptr_t)&ist_stacks[1][IST_STACK];
    tss.ist[IST_MC - 1] = (uint64_t)(uintptr_t)&ist_stacks[2][IST_STACK];

    for (unsigned v = 0; v < 32; v++) {
        uint64_t h = smx_exception_stubs[v];
        idt[v] = (struct idt_gate){
            .off0 = (uint16_t)h, .sel = SEL_CODE64, .type = 0x8e,
            .off1 = (uint16_t)(h >> 16), .off2 = (uint32_t)(h >> 32),
            .ist = v == X86_NMI ? IST_NMI : v == X86_DF ? IST_DF : v == X86_MC ? IST_MC : 0,
        };
    }
    struct dtr g = { sizeof gdt - 1, (uint64_t)(uintptr_t)gdt };
    struct dtr i = { sizeof idt - 1, (uint64_t)(uintptr_t)idt };
    cpu_load_segments(&g, &i, SEL_TSS);
}

int cpu_nmi_pending(void)
{
    return nmi_pending;
}

void cpu_nmi_delivered(void)
{
    nmi_pending = 0;
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
        nmi_pending = 1; /* the guest's: injected at the next entry */
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
