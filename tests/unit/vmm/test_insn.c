/* SPDX-License-Identifier: MIT */
/*
 * The MMIO instruction decoder (vmm/arch/x86/insn.c) on bytes the assembler
 * produced: each case below is assembled into this test, so its length is
 * the distance to the next label, not a number written by hand. The
 * instructions are the ones guests use on device registers: Linux's
 * writel/readl (mov), its ECAM byte/word accessors, EDK2's MmioRead16 as
 * compiled (movzwl), the APIC's ICR writes.
 */
#include <criterion/criterion.h>

#include "../../../vmm/arch/x86/insn.h"

__asm__(".pushsection .rodata.insn_cases, \"a\"\n"
        ".code64\n"
        "c_st32:     movl %eax, 0x300(%rdx)\n"
        "c_st32r9:   movl %r9d, (%rcx)\n"
        "c_st64:     movq %r13, 8(%rsp,%rbx,4)\n"
        "c_st8ah:    movb %ah, (%rdi)\n"
        "c_st8sil:   movb %sil, (%rdi)\n"
        "c_st16:     movw %dx, %fs:0x10(%rax)\n"
        "c_imm32:    movl $0xc4500, 0x300(%rip)\n"
        "c_imm64:    movq $-2, (%rax)\n"
        "c_imm8:     movb $0x7f, -1(%rbx)\n"
        "c_ld32:     movl (%rdx), %eax\n"
        "c_ld64r15:  movq 0x12345678(,%rsi,8), %r15\n"
        "c_ld16:     movw (%rbx), %cx\n"
        "c_zx8:      movzbl 2(%rdi), %esi\n"
        "c_zx16q:    movzwq (%r8), %r10\n"
        "c_bad_add:  addl %eax, (%rdx)\n"
        "c_bad_reg:  movl %eax, %ecx\n"
        "c_bad_rep:  rep movsb\n"
        ".code32\n"
        "c32_st:     movl %eax, 0xfee00300\n"
        "c32_zx:     movzwl 4(%ebx,%ecx,2), %edx\n"
        ".code16\n"
        "c16_st:     movl %eax, %es:(%bx,%si)\n"
        "c16_ld:     movw 0x300, %ax\n"
        "c_end:\n"
        ".code64\n"
        ".popsection\n");

extern const uint8_t c_st32[], c_st32r9[], c_st64[], c_st8ah[], c_st8sil[], c_st16[], c_imm32[],
    c_imm64[], c_imm8[], c_ld32[], c_ld64r15[], c_ld16[], c_zx8[], c_zx16q[], c_bad_add[],
    c_bad_reg[], c_bad_rep[], c32_st[], c32_zx[], c16_st[], c16_ld[], c_end[];

static struct insn_mov decode(const uint8_t *at, const uint8_t *next, enum insn_mode mode)
{
    struct insn_mov m;
    cr_assert_eq(insn_decode_mov(at, 15, mode, &m), 0, "refused bytes %02x %02x %02x", at[0], at[1], at[2]);
    cr_assert_eq(m.len, next - at, "length %u, the assembler says %d", m.len, (int)(next - at));
    return m;
}

Test(insn, stores_of_registers)
{
    struct insn_mov m = decode(c_st32, c_st32r9, INSN_MODE_64);
    cr_assert(m.op == INSN_STORE && m.size == 4 && m.reg == INSN_RAX);
    m = decode(c_st32r9, c_st64, INSN_MODE_64);
    cr_assert(m.op == INSN_STORE && m.size == 4 && m.reg == 9);
    m = decode(c_st64, c_st8ah, INSN_MODE_64);
    cr_assert(m.op == INSN_STORE && m.size == 8 && m.reg == 13);
    m = decode(c_st8ah, c_st8sil, INSN_MODE_64);
    cr_assert(m.op == INSN_STORE && m.size == 1 && m.high8 && m.reg == 4);
    m = decode(c_st8sil, c_st16, INSN_MODE_64);
    cr_assert(m.op == INSN_STORE && m.size == 1 && !m.high8 && m.reg == INSN_RSI);
    m = decode(c_st16, c_imm32, INSN_MODE_64);
    cr_assert(m.op == INSN_STORE && m.size == 2 && m.reg == INSN_RDX);
}

Test(insn, stores_of_immediates)
{
    struct insn_mov m = decode(c_imm32, c_imm64, INSN_MODE_64);
    cr_assert(m.op == INSN_STORE_IMM && m.size == 4 && m.imm == 0xc4500);
    m = decode(c_imm64, c_imm8, INSN_MODE_64);
    cr_assert(m.op == INSN_STORE_IMM && m.size == 8 && m.imm == ~1ull, "imm32 sign-extends under REX.W");
    m = decode(c_imm8, c_ld32, INSN_MODE_64);
    cr_assert(m.op == INSN_STORE_IMM && m.size == 1 && m.imm == 0x7f);
}

Test(insn, loads_and_zero_extending_loads)
{
    struct insn_mov m = decode(c_ld32, c_ld64r15, INSN_MODE_64);
    cr_assert(m.op == INSN_LOAD && m.size == 4 && m.dst_size == 4 && m.reg == INSN_RAX);
    m = decode(c_ld64r15, c_ld16, INSN_MODE_64);
    cr_assert(m.op == INSN_LOAD && m.size == 8 && m.reg == 15);
    m = decode(c_ld16, c_zx8, INSN_MODE_64);
    cr_assert(m.op == INSN_LOAD && m.size == 2 && m.dst_size == 2 && m.reg == INSN_RCX);
    m = decode(c_zx8, c_zx16q, INSN_MODE_64);
    cr_assert(m.op == INSN_LOAD && m.size == 1 && m.dst_size == 4 && m.reg == INSN_RSI);
    m = decode(c_zx16q, c_bad_add, INSN_MODE_64);
    cr_assert(m.op == INSN_LOAD && m.size == 2 && m.dst_size == 8 && m.reg == 10);
}

Test(insn, what_is_not_a_mov_to_memory_is_refused)
{
    struct insn_mov m;
    cr_assert_eq(insn_decode_mov(c_bad_add, 15, INSN_MODE_64, &m), -1);
    cr_assert_eq(insn_decode_mov(c_bad_reg, 15, INSN_MODE_64, &m), -1, "a register-to-register MOV has no access");
    cr_assert_eq(insn_decode_mov(c_bad_rep, 15, INSN_MODE_64, &m), -1);
    cr_assert_eq(insn_decode_mov(c_st32, 2, INSN_MODE_64, &m), -1, "too few bytes fetched");
}

Test(insn, protected_and_real_mode_code)
{
    struct insn_mov m = decode(c32_st, c32_zx, INSN_MODE_32);
    cr_assert(m.op == INSN_STORE && m.size == 4);
    m = decode(c32_zx, c16_st, INSN_MODE_32);
    cr_assert(m.op == INSN_LOAD && m.size == 2 && m.dst_size == 4 && m.reg == INSN_RDX);
    m = decode(c16_st, c16_ld, INSN_MODE_16);
    cr_assert(m.op == INSN_STORE && m.size == 4, "0x66 makes a real-mode store 32-bit");
    m = decode(c16_ld, c_end, INSN_MODE_16);
    cr_assert(m.op == INSN_LOAD && m.size == 2);
}

Test(insn, results_land_in_registers_as_the_cpu_writes_them)
{
    struct insn_regs g = { { 0 } };
    for (unsigned i = 0; i < 16; i++)
        g.r[i] = 0x1111111111111111ull * i;
    struct insn_mov m = decode(c_ld32, c_ld64r15, INSN_MODE_64);
    insn_load_result(&m, &g, 0xfffffffffeedf00dull);
    cr_assert_eq(g.r[INSN_RAX], 0xfeedf00dull, "32-bit loads zero the upper half");
    m = decode(c_ld16, c_zx8, INSN_MODE_64);
    insn_load_result(&m, &g, 0xabcd);
    cr_assert_eq(g.r[INSN_RCX], 0x111111111111abcdull, "16-bit loads merge");
    m = decode(c_zx16q, c_bad_add, INSN_MODE_64);
    insn_load_result(&m, &g, 0xffff1234);
    cr_assert_eq(g.r[10], 0x1234);
    m = decode(c_st8ah, c_st8sil, INSN_MODE_64);
    g.r[INSN_RAX] = 0x5a00;
    cr_assert_eq(insn_store_value(&m, &g), 0x5a, "AH is bits 15:8 of RAX");
    m = decode(c_st32r9, c_st64, INSN_MODE_64);
    cr_assert_eq(insn_store_value(&m, &g), 0x99999999u);
}
