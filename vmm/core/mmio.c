/* SPDX-License-Identifier: MIT */
#include "mmio.h"

#include "exit.h"
#include "log.h"
#include "mem.h"

static struct mmio_trap {
    const char *name;
    uint64_t base, size;
    enum hole_kind kind;
    mmio_fn *fn;
    void *ctx;
    volatile uint8_t *hw; /* the range in the VMM's address space */
} traps[MMIO_TRAPS_MAX];
static unsigned ntraps;

bool mmio_trap_add(const char *name, uint64_t base, uint64_t size, enum hole_kind kind, mmio_fn *fn,
                   void *ctx)
{
    if ((base | size) & 0xfff || !size || kind == HOLE_SINK || ntraps == MMIO_TRAPS_MAX) {
        smx_log("mmio", "cannot trap %s at %#llx+%#llx", name, (unsigned long long)base,
                (unsigned long long)size);
        return false;
    }
    for (unsigned i = 0; i < ntraps; i++)
        if (base < traps[i].base + traps[i].size && traps[i].base < base + size) {
            smx_log("mmio", "%s at %#llx overlaps %s", name, (unsigned long long)base, traps[i].name);
            return false;
        }
    /* Mapped now, on the boot CPU: mapping later could race other CPUs. */
    volatile uint8_t *hw = mem_map_mmio(base, size);
    if (!hw) {
        smx_log("mmio", "cannot map %s at %#llx", name, (unsigned long long)base);
        return false;
    }
    traps[ntraps++] = (struct mmio_trap){ name, base, size, kind, fn, ctx, hw };
    return true;
}

unsigned mmio_trap_holes(struct mem_hole *out, unsigned max)
{
    unsigned n = 0;
    for (unsigned i = 0; i < ntraps && n < max; i++)
        out[n++] = (struct mem_hole){ traps[i].base, traps[i].size, traps[i].kind };
    return n;
}

static struct mmio_trap *trap_of(uint64_t pa)
{
    for (unsigned i = 0; i < ntraps; i++)
        if (pa >= traps[i].base && pa - traps[i].base < traps[i].size)
            return &traps[i];
    return NULL;
}

uint64_t mmio_hw_read(uint64_t pa, unsigned size)
{
    struct mmio_trap *t = trap_of(pa);
    if (!t)
        return ~0ull;
    volatile uint8_t *b = t->hw + (pa - t->base);
    switch (size) {
    case 1: return *b;
    case 2: return *(volatile uint16_t *)b;
    case 4: return *(volatile uint32_t *)b;
    default: return *(volatile uint64_t *)b;
    }
}

void mmio_hw_write(uint64_t pa, unsigned size, uint64_t value)
{
    struct mmio_trap *t = trap_of(pa);
    if (!t)
        return;
    volatile uint8_t *b = t->hw + (pa - t->base);
    switch (size) {
    case 1: *b = (uint8_t)value; break;
    case 2: *(volatile uint16_t *)b = (uint16_t)value; break;
    case 4: *(volatile uint32_t *)b = (uint32_t)value; break;
    default: *(volatile uint64_t *)b = value; break;
    }
}

bool vmm_mmio(struct pcpu *c, struct mmio_access *a)
{
    struct mmio_trap *t = trap_of(a->gpa);

    vmm_count_exit(EXIT_MMIO);
    if (!t || a->gpa + a->size > t->base + t->size)
        return false;
    if (!t->fn || !t->fn(c, a, t->ctx)) {
        if (a->write)
            mmio_hw_write(a->gpa, a->size, a->value);
        else
            a->value = mmio_hw_read(a->gpa, a->size);
    }
    return true;
}
