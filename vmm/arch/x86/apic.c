/* SPDX-License-Identifier: MIT */
#include "apic.h"

#include "../../core/mem.h"
#include "cpu.h"

static volatile uint8_t *xapic; /* the xAPIC page, mapped at start */
static uint64_t base;
static bool x2;

void apic_init(void)
{
    uint64_t msr = rdmsr(MSR_APIC_BASE);

    base = msr & APIC_BASE_ADDR;
    x2 = (msr & APIC_BASE_EXTD) != 0;
    if (!x2)
        xapic = mem_map_mmio(base, 4096);
}

bool apic_x2(void)
{
    return x2;
}

uint64_t apic_base(void)
{
    return base;
}

uint32_t apic_id(void)
{
    /* CPUID leaf 0xB's x2APIC ID where it exists (SDM vol. 3 §11.12.8),
     * else the initial APIC ID (leaf 1 EBX[31:24]). */
    if (cpuid(0, 0).eax >= 0xb && cpuid(0xb, 0).ebx)
        return cpuid(0xb, 0).edx;
    return cpuid(1, 0).ebx >> 24;
}

static uint32_t rd(unsigned reg)
{
    return *(volatile uint32_t *)(xapic + reg);
}

static void wr(unsigned reg, uint32_t v)
{
    *(volatile uint32_t *)(xapic + reg) = v;
}

void apic_send(uint32_t dest, uint32_t icr)
{
    if (x2) {
        wrmsr(MSR_X2APIC_ICR, (uint64_t)dest << 32 | icr);
        return;
    }
    if (!xapic)
        return;
    /* The previous IPI must have left (SDM vol. 3 §11.6.1). */
    for (unsigned n = 0; n < 1000000 && (rd(APIC_REG_ICR_LO) & APIC_ICR_BUSY); n++)
        __builtin_ia32_pause();
    uint32_t saved_hi = rd(APIC_REG_ICR_HI);
    wr(APIC_REG_ICR_HI, dest << APIC_XAPIC_DEST_SHIFT);
    wr(APIC_REG_ICR_LO, icr);
    wr(APIC_REG_ICR_HI, saved_hi);
}
