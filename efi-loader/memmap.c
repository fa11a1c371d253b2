/* SPDX-License-Identifier: MIT */
#include "memmap.h"

#include <efilib.h>

#include "console.h"

uint64_t loader_memmap(struct smx_mem_range *out, size_t max, size_t *n)
{
    UINTN count = 0, key, dsize;
    UINT32 dver;
    EFI_MEMORY_DESCRIPTOR *map = LibMemoryMap(&count, &key, &dsize, &dver), *d;
    uint64_t top = 0;

    *n = 0;
    if (!map)
        return 0;
    d = map;
    for (UINTN i = 0; i < count; i++, d = NextMemoryDescriptor(d, dsize)) {
        uint64_t end = d->PhysicalStart + d->NumberOfPages * 4096ull;
        if (end > top)
            top = end;
        if (i < max)
            out[i] = (struct smx_mem_range){ .base = d->PhysicalStart, .pages = d->NumberOfPages, .type = d->Type };
    }
    *n = count;
    FreePool(map);
    return top;
}

void loader_memmap_log(const struct smx_mem_range *map, size_t n)
{
    for (size_t i = 0; i < n; i++)
        loader_log("memmap: %#llx %llu %u", (unsigned long long)map[i].base,
                   (unsigned long long)map[i].pages, map[i].type);
}
