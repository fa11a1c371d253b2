/* SPDX-License-Identifier: MIT */
/* Segment descriptors (APM vol. 2 §4.7-4.8) in the packed form the VMCB uses. */
#ifndef SMX_SEGMENTS_H
#define SMX_SEGMENTS_H

#include <stdint.h>

#include "bootinfo.h"

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
