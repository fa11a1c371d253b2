/* SPDX-License-Identifier: MIT */
#include "segments.h"

struct smx_seg seg_from_gdt(uint64_t gdt_base, uint16_t gdt_limit, uint16_t sel, int system)
{
    struct smx_seg s = { .sel = sel };
    uint16_t off = sel & ~7u;

    if (off == 0 || (sel & 4) || off + (system ? 15u : 7u) > gdt_limit)
        return s; /* null, LDT-relative or beyond the GDT: unusable */
    const volatile uint64_t *d = (const volatile uint64_t *)(uintptr_t)(gdt_base + off);
    uint64_t lo = d[0];
    s.attrib = (uint16_t)(((lo >> 40) & 0xff) | ((lo >> 44) & 0xf00));
    s.limit = (uint32_t)((lo & 0xffff) | ((lo >> 32) & 0xf0000));
    if (lo & (1ull << 55)) /* G: limit in 4 KiB units */
        s.limit = (s.limit << 12) | 0xfff;
    s.base = ((lo >> 16) & 0xffffff) | ((lo >> 32) & 0xff000000);
    if (system)
        s.base |= (d[1] & 0xffffffffull) << 32;
    return s;
}

struct smx_seg seg_real(uint16_t sel, uint16_t attrib)
{
    return (struct smx_seg){ .sel = sel, .attrib = attrib, .limit = 0xffff, .base = (uint64_t)sel << 4 };
}
