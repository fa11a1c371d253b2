/* SPDX-License-Identifier: MIT */
#include "insn.h"

#include <stddef.h>

/* Bytes a ModRM (and SIB, displacement) take, the ModRM byte included. */
static int modrm_len(const uint8_t *b, unsigned n, int addr16)
{
    if (n < 1)
        return -1;
    unsigned mod = b[0] >> 6, rm = b[0] & 7;
    if (mod == 3)
        return -1; /* a register operand: no memory access to emulate */
    if (addr16) /* SDM vol. 2 Table 2-1: no SIB, disp16 for [disp16] */
        return 1 + (mod == 1 ? 1 : mod == 2 || (mod == 0 && rm == 6) ? 2 : 0);
    int len = 1;
    if (rm == 4) { /* SIB follows (Table 2-3) */
        if (n < 2)
            return -1;
        len++;
        if (mod == 0 && (b[1] & 7) == 5)
            return len + 4; /* no base: disp32 */
    }
    if (mod == 0 && rm == 5)
        return len + 4; /* disp32, RIP-relative in 64-bit mode */
    return len + (mod == 1 ? 1 : mod == 2 ? 4 : 0);
}

static uint64_t le(const uint8_t *b, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)b[i] << (8 * i);
    return v;
}

int insn_decode_mov(const uint8_t *b, unsigned n, enum insn_mode mode, struct insn_mov *out)
{
    unsigned i = 0, opsize16 = 0, addrsize = 0;
    uint8_t rex = 0;

    /* Legacy prefixes (SDM vol. 2 §2.1.1). LOCK and REP on a MOV are #UD
     * or meaningless; refusing keeps the emulation exact. */
    for (; i < n && i < 14; i++) {
        uint8_t p = b[i];
        if (p == 0x66)
            opsize16 = 1;
        else if (p == 0x67)
            addrsize = 1;
        else if (p == 0x26 || p == 0x2e || p == 0x36 || p == 0x3e || p == 0x64 || p == 0x65)
            continue; /* a segment override changes the address, never the access */
        else if (p == 0xf0 || p == 0xf2 || p == 0xf3)
            return -1;
        else
            break;
    }
    if (mode == INSN_MODE_64 && i < n && (b[i] & 0xf0) == 0x40)
        rex = b[i++];
    if (i >= n)
        return -1;

    int addr16 = mode == INSN_MODE_16 ? !addrsize : mode == INSN_MODE_32 ? addrsize : 0;
    unsigned opsize = rex & 8 ? 8 : mode == INSN_MODE_16 ? (opsize16 ? 4 : 2) : (opsize16 ? 2 : 4);
    uint8_t op = b[i++];
    int twobyte = 0;
    if (op == 0x0f) {
        if (i >= n)
            return -1;
        op = b[i++];
        twobyte = 1;
    }
    if (!twobyte && op >= 0xa0 && op <= 0xa3) {
        /* MOV with a bare offset (moffs), AL/eAX only: what an assembler
         * picks for an absolute address such as the APIC's in 32-bit code. */
        unsigned off = mode == INSN_MODE_64 ? (addrsize ? 4 : 8) : addr16 ? 2 : 4;
        if (i + off > n)
            return -1;
        *out = (struct insn_mov){
            .op = op >= 0xa2 ? INSN_STORE : INSN_LOAD,
            .len = (uint8_t)(i + off),
            .size = op & 1 ? (uint8_t)opsize : 1,
            .reg = INSN_RAX,
        };
        out->dst_size = out->size;
        return 0;
    }
    if (i >= n)
        return -1;
    uint8_t modrm = b[i];
    int ml = modrm_len(b + i, n - i, addr16);
    if (ml < 0)
        return -1;
    unsigned reg = ((modrm >> 3) & 7) | (rex & 4 ? 8 : 0);

    *out = (struct insn_mov){ 0 };
    if (!twobyte && (op == 0x88 || op == 0x8a)) {
        out->op = op == 0x88 ? INSN_STORE : INSN_LOAD;
        out->size = out->dst_size = 1;
        out->high8 = !rex && reg >= 4 && reg <= 7;
    } else if (!twobyte && (op == 0x89 || op == 0x8b)) {
        out->op = op == 0x89 ? INSN_STORE : INSN_LOAD;
        out->size = out->dst_size = (uint8_t)opsize;
    } else if (!twobyte && (op == 0xc6 || op == 0xc7)) {
        if ((modrm >> 3) & 7)
            return -1; /* only /0 is MOV */
        out->op = INSN_STORE_IMM;
        out->size = op == 0xc6 ? 1 : (uint8_t)opsize;
        reg = 0;
    } else if (twobyte && (op == 0xb6 || op == 0xb7)) {
        out->op = INSN_LOAD;
        out->size = op == 0xb6 ? 1 : 2;
        out->dst_size = (uint8_t)opsize;
    } else {
        return -1;
    }
    i += (unsigned)ml;
    if (out->op == INSN_STORE_IMM) {
        /* imm8, imm16, or imm32 (sign-extended to 64 with REX.W) */
        unsigned isz = out->size == 8 ? 4 : out->size;
        if (i + isz > n)
            return -1;
        uint64_t v = le(b + i, isz);
        if (out->size == 8 && (v & 0x80000000u))
            v |= 0xffffffff00000000ull;
        out->imm = v;
        i += isz;
    }
    if (i > 15 || i > n)
        return -1; /* longer than any instruction may be (SDM vol. 2 §2.3.11) */
    out->reg = (uint8_t)reg;
    out->len = (uint8_t)i;
    return 0;
}

static uint64_t mask_of(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

uint64_t insn_store_value(const struct insn_mov *m, const struct insn_regs *g)
{
    if (m->op == INSN_STORE_IMM)
        return m->imm & mask_of(m->size);
    if (m->high8)
        return (g->r[m->reg - 4] >> 8) & 0xff;
    return g->r[m->reg] & mask_of(m->size);
}

void insn_load_result(const struct insn_mov *m, struct insn_regs *g, uint64_t value)
{
    value &= mask_of(m->size); /* MOVZX: the narrow value, zero-extended */
    if (m->high8) {
        uint64_t *r = &g->r[m->reg - 4];
        *r = (*r & ~0xff00ull) | (value << 8);
    } else if (m->dst_size >= 4) {
        g->r[m->reg] = value; /* a 32-bit destination zeroes bits 63:32 */
    } else {
        uint64_t mk = mask_of(m->dst_size);
        g->r[m->reg] = (g->r[m->reg] & ~mk) | value;
    }
}
