/* SPDX-License-Identifier: MIT */
/*
 * void svm_run(uint64_t guest_vmcb, uint64_t host_vmcb, struct svm_gprs *g)
 *
 * One guest entry and exit. VMRUN saves and restores only RAX, RSP, RIP
 * and RFLAGS of the host (APM vol. 2 §15.5); the other general registers
 * are swapped here. VMLOAD/VMSAVE move the state VMRUN does not (FS, GS,
 * TR, LDTR and the syscall MSRs, §15.5.2): the guest's around VMRUN, then
 * the host's back, because after #VMEXIT they still hold guest values.
 */
#include "../asm.h"

#define G_RBX 0
#define G_RCX 8
#define G_RDX 16
#define G_RSI 24
#define G_RDI 32
#define G_RBP 40
#define G_R8 48
#define G_R9 56
#define G_R10 64
#define G_R11 72
#define G_R12 80
#define G_R13 88
#define G_R14 96
#define G_R15 104

    .text
    .globl svm_run
svm_run:
    PUSH_CALLEE_SAVED
    pushq %rdx              /* gprs */
    pushq %rsi              /* host VMCB */
    movq %rdi, %rax         /* guest VMCB: VMRUN's operand */

    movq G_RBX(%rdx), %rbx
    movq G_RCX(%rdx), %rcx
    movq G_RSI(%rdx), %rsi
    movq G_RDI(%rdx), %rdi
    movq G_RBP(%rdx), %rbp
    movq G_R8(%rdx), %r8
    movq G_R9(%rdx), %r9
    movq G_R10(%rdx), %r10
    movq G_R11(%rdx), %r11
    movq G_R12(%rdx), %r12
    movq G_R13(%rdx), %r13
    movq G_R14(%rdx), %r14
    movq G_R15(%rdx), %r15
    movq G_RDX(%rdx), %rdx

    vmload %rax
    vmrun %rax
    vmsave %rax

    movq 8(%rsp), %rax      /* gprs */
    movq %rbx, G_RBX(%rax)
    movq %rcx, G_RCX(%rax)
    movq %rdx, G_RDX(%rax)
    movq %rsi, G_RSI(%rax)
    movq %rdi, G_RDI(%rax)
    movq %rbp, G_RBP(%rax)
    movq %r8, G_R8(%rax)
    movq %r9, G_R9(%rax)
    movq %r10, G_R10(%rax)
    movq %r11, G_R11(%rax)
    movq %r12, G_R12(%rax)
    movq %r13, G_R13(%rax)
    movq %r14, G_R14(%rax)
    movq %r15, G_R15(%rax)

    popq %rax               /* host VMCB */
    vmload %rax
    popq %rdx
    POP_CALLEE_SAVED
    ret

    .section .note.GNU-stack, "", @progbits
