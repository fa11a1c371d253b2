/* SPDX-License-Identifier: MIT */
/*
 * Segment registers as the VMM builds them for a guest: the hidden part of
 * a loaded selector. `attrib` holds the descriptor's attribute bits in the
 * packed form the VMCB uses (descriptor bits 40-47 in 7:0, bits 52-55 in
 * 11:8; AMD APM vol. 2 §4.7-4.8, §15.5.2); 0 is an unusable segment. VMX
 * moves bits 11:8 to 15:12 (vmx.c, Intel SDM vol. 3C §24.4.1).
 */
#ifndef SMX_SEGMENTS_H
#define SMX_SEGMENTS_H

#include <stdint.h>

struct smx_seg {
    uint16_t sel;
    uint16_t attrib;
    uint32_t limit;
    uint64_t base;
};

/* The hidden state of selector `sel` as loaded from the GDT at `gdt_base`.
 * `system` selects the 16-byte long-mode form (TR, LDTR). A null or
 * out-of-range selector gives an unusable segment (attrib 0). */
struct smx_seg seg_from_gdt(uint64_t gdt_base, uint16_t gdt_limit, uint16_t sel, int system);

/* Real-mode segment as the CPU has it after loading `sel` in real mode. */
struct smx_seg seg_real(uint16_t sel, uint16_t attrib);

#define SEG_ATTR_CODE16 0x009b /* present, code, readable, accessed */
#define SEG_ATTR_DATA16 0x0093 /* present, data, writable, accessed */
#define SEG_ATTR_CODE32 0x0c9b /* + D/B, G */
#define SEG_ATTR_DATA32 0x0c93
#define SEG_ATTR_LDT 0x0082
#define SEG_ATTR_TSS_BUSY 0x008b

#endif
