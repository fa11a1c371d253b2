/* SPDX-License-Identifier: MIT */
/*
 * int vmx_run(struct vmx_gprs *g, int launched)
 *
 * One guest entry and exit. A VM exit loads RSP and RIP from the VMCS host
 * fields (SDM vol. 3C §27.5.3) and nothing else of the general registers:
 * the guest's are saved here, the host's callee-saved ones come back from
 * the stack. HOST_RSP is written on every entry (this frame's address);
 * HOST_RIP is vmx_exit, set once per VMCS (vmx.c).
 */
#include "../asm.h"

#define G_RAX 0
#define G_RCX 8
#define G_RDX 16
#define G_RBX 24
#define G_RBP 40
#define G_RSI 48
#define G_RDI 56
#define G_R8 64
#define G_R9 72
#define G_R10 80
#define G_R11 88
#define G_R12 96
#define G_R13 104
#define G_R14 112
#define G_R15 120
#define HOST_RSP 0x6c14

    .text
    .globl vmx_run
vmx_run:
    PUSH_CALLEE_SAVED
    pushq %rdi              /* gprs: found at 0(%rsp) after the exit */
    movq $HOST_RSP, %rax
    vmwrite %rsp, %rax
    jbe 2f
    testl %esi, %esi        /* flags survive the moves below */

    movq G_RAX(%rdi), %rax
    movq G_RCX(%rdi), %rcx
    movq G_RDX(%rdi), %rdx
    movq G_RBX(%rdi), %rbx
    movq G_RBP(%rdi), %rbp
    movq G_RSI(%rdi), %rsi
    movq G_R8(%rdi), %r8
    movq G_R9(%rdi), %r9
    movq G_R10(%rdi), %r10
    movq G_R11(%rdi), %r11
    movq G_R12(%rdi), %r12
    movq G_R13(%rdi), %r13
    movq G_R14(%rdi), %r14
    movq G_R15(%rdi), %r15
    movq G_RDI(%rdi), %rdi
    jnz 1f
    vmlaunch
    jmp 2f
1:  vmresume
2:  /* VMfailInvalid or VMfailValid: the entry never happened */
    addq $8, %rsp
    movl $1, %eax
    POP_CALLEE_SAVED
    ret

    .globl vmx_exit
vmx_exit:
    pushq %rdi
    movq 8(%rsp), %rdi      /* gprs */
    movq %rax, G_RAX(%rdi)
    movq %rcx, G_RCX(%rdi)
    movq %rdx, G_RDX(%rdi)
    movq %rbx, G_RBX(%rdi)
    movq %rbp, G_RBP(%rdi)
    movq %rsi, G_RSI(%rdi)
    movq %r8, G_R8(%rdi)
    movq %r9, G_R9(%rdi)
    movq %r10, G_R10(%rdi)
    movq %r11, G_R11(%rdi)
    movq %r12, G_R12(%rdi)
    movq %r13, G_R13(%rdi)
    movq %r14, G_R14(%rdi)
    movq %r15, G_R15(%rdi)
    popq %rax
    movq %rax, G_RDI(%rdi)
    addq $8, %rsp
    xorl %eax, %eax
    POP_CALLEE_SAVED
    ret

    .section .note.GNU-stack, "", @progbits
