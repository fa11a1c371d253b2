/* SPDX-License-Identifier: MIT */
/*
 * The memory type the MTRRs give a range (Intel SDM vol. 3A §11.11; AMD
 * APM vol. 2 §7.7). EPT ignores the guest's MTRRs: the effective type of a
 * guest access combines the EPT entry's type with the guest's PAT (SDM
 * vol. 3C §29.3.7.2), so the VMX back end puts the hardware MTRRs' answer
 * into every EPT leaf. Firmware maps device memory write-back in its page
 * tables and relies on an uncacheable MTRR; an EPT leaf saying WB there
 * would make device registers cacheable. (SVM's nested paging combines
 * with the MTRRs itself, APM vol. 2 §15.25.8.)
 *
 * Pure: the caller reads the MSRs into struct mtrr_state.
 */
#ifndef SMX_X86_MTRR_H
#define SMX_X86_MTRR_H

#include <stdint.h>

#define MSR_MTRRCAP 0xfeu
#define MTRRCAP_VCNT(c) ((unsigned)((c) & 0xff))
#define MTRRCAP_FIX (1ull << 8)
#define MSR_MTRR_DEF_TYPE 0x2ffu
#define MTRR_DEF_FE (1ull << 10) /* fixed ranges enabled */
#define MTRR_DEF_E (1ull << 11)  /* MTRRs enabled */
#define MSR_MTRR_PHYSBASE0 0x200u /* PHYSBASEn = 0x200 + 2n, PHYSMASKn = 0x201 + 2n */
#define MTRR_MASK_VALID (1ull << 11)
#define MSR_MTRR_FIX64K_00000 0x250u
#define MSR_MTRR_FIX16K_80000 0x258u
#define MSR_MTRR_FIX16K_A0000 0x259u
#define MSR_MTRR_FIX4K_C0000 0x268u /* ... 0x26f: FIX4K_F8000 */

#define MTRR_VAR_MAX 32
#define MTRR_FIXED_END 0x100000ull

/* Memory types (SDM vol. 3A table 11-2), also EPT's (§29.3.7). */
#define MT_UC 0
#define MT_WC 1
#define MT_WT 4
#define MT_WP 5
#define MT_WB 6

struct mtrr_state {
    uint64_t def_type;          /* IA32_MTRR_DEF_TYPE */
    uint64_t addr_mask;         /* the CPU's physical-address bits from bit 12 on */
    unsigned nvar;              /* IA32_MTRRCAP.VCNT, at most MTRR_VAR_MAX */
    struct { uint64_t base, mask; } var[MTRR_VAR_MAX];
    int has_fixed;              /* IA32_MTRRCAP.FIX */
    uint8_t fixed[88];          /* one type per fixed range, in address order */
};

/* The type of every byte of [base, base + size), where size is a power of
 * two of at least 4 KiB and base is aligned to it; -1 when the bytes do not
 * all have the same type (the caller splits into smaller pages). */
int mtrr_type(const struct mtrr_state *m, uint64_t base, uint64_t size);

#endif
