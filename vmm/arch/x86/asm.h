/* SPDX-License-Identifier: MIT */
/*
 * Assembler helpers shared by the VMM's and the loader's entry code. The
 * SysV ABI's callee-saved registers (System V AMD64 ABI §3.2.1), saved and
 * restored in one fixed order, so pushes and pops cannot drift apart.
 */
#ifndef SMX_X86_ASM_H
#define SMX_X86_ASM_H

.macro PUSH_CALLEE_SAVED
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
.endm

.macro POP_CALLEE_SAVED
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
.endm

#endif
