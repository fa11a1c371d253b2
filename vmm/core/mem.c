#include "mem.h"

#include <string.h>

#include "bootinfo.h"

static uint64_t base, next, end;

void mem_init(uint64_t region_base, uint64_t free_base, uint64_t region_end)
{
    base = region_base;
    next = (free_base + 4095) & ~4095ull;
    end = region_end;
}

void *mem_alloc_pages(size_t n)
{
    uint64_t bytes = (uint64_t)n * 4096;

    if (n == 0 || next + bytes > end || next + bytes < next)
        return NULL;
    void *p = phys_ptr(next);
    next += bytes;
    memset(p, 0, bytes);
    return p;
}

uint64_t mem_phys(const void *p)
{
    uint64_t v = (uint64_t)(uintptr_t)p;

    return v >= SMX_VMM_VBASE ? base + (v - SMX_VMM_VBASE) : v;
}

uint64_t mem_free_bytes(void)
{
    return end - next;
}
