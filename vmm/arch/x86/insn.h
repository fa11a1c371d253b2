/* SPDX-License-Identifier: MIT */
/*
 * The few instructions a guest uses on a trapped MMIO page, decoded from
 * their bytes. Neither QEMU's TCG nor Intel's EPT violations hand the VMM a
 * decoded access (SVM's decode assist, APM vol. 2 §15.33, is optional and
 * gives only bytes), so the back ends fetch the bytes at the guest's RIP
 * and decode them here. Device registers are read and written with MOV:
 * Linux's readl/writel and its ECAM accessors, EDK2's MmioRead/Write, the
 * moffs form an assembler picks for an absolute address (A0-A3), and MOVZX
 * where a compiler widens a narrow read. Anything else is refused rather
 * than guessed (the caller injects #UD and says so).
 *
 * Pure: tested hosted on bytes the assembler produced
 * (tests/unit/vmm/test_insn.c). Intel SDM vol. 2 §2.1-2.2 (prefixes, REX,
 * ModRM, SIB), AMD APM vol. 3 §1.2-1.4.
 */
#ifndef SMX_INSN_H
#define SMX_INSN_H

#include <stdint.h>

/* The code segment's mode: what operand and address sizes default to. */
enum insn_mode { INSN_MODE_16, INSN_MODE_32, INSN_MODE_64 };

enum insn_op {
    INSN_LOAD,      /* register <- memory (MOV 8A/8B/A0/A1, MOVZX 0F B6/B7) */
    INSN_STORE,     /* memory <- register (MOV 88/89/A2/A3) */
    INSN_STORE_IMM, /* memory <- immediate (MOV C6/C7 /0) */
};

/* General registers in encoding order (SDM vol. 2 Table 2-2). */
enum { INSN_RAX, INSN_RCX, INSN_RDX, INSN_RBX, INSN_RSP, INSN_RBP, INSN_RSI, INSN_RDI };

struct insn_mov {
    enum insn_op op;
    uint8_t len;       /* bytes, prefixes included: RIP advances by this */
    uint8_t size;      /* bytes of memory accessed: 1, 2, 4 or 8 */
    uint8_t dst_size;  /* LOAD: bytes written to the register (> size for MOVZX) */
    uint8_t reg;       /* 0-15; with high8, 4-7 mean AH, CH, DH, BH */
    uint8_t high8;     /* a legacy high-byte register (no REX prefix) */
    uint64_t imm;      /* STORE_IMM: the value, already sized */
};

/* Decode the instruction in `b` (`n` bytes fetched). 0 on success; -1
 * when it is not a MOV to or from memory this supports, or `n` is short. */
int insn_decode_mov(const uint8_t *b, unsigned n, enum insn_mode mode, struct insn_mov *out);

/* The register file as the back ends hold it, in encoding order. */
struct insn_regs {
    uint64_t r[16];
};

/* The value a STORE writes (sized), and where a LOAD's value goes:
 * 32-bit results zero the upper half, 8- and 16-bit ones merge. */
uint64_t insn_store_value(const struct insn_mov *m, const struct insn_regs *g);
void insn_load_result(const struct insn_mov *m, struct insn_regs *g, uint64_t value);

#endif
