/* SPDX-License-Identifier: MIT */
/*
 * enum smx_start_error smx_enter_vmm(entry, bootinfo, vmm_cr3, guest_entry)
 *
 * Records this CPU's state in guest_entry, switches to the VMM's page
 * tables and calls the VMM. If the VMM starts, it resumes the recorded
 * state as its guest at label 1 below with RAX = 0: to the C caller this
 * call simply returns SMX_START_OK, now running as the guest. If the VMM
 * refuses, it returns here in host mode and the loader's CR3 and RFLAGS.IF
 * are put back before returning the error.
 */
#include "../vmm/arch/x86/asm.h"

#include "bootinfo.h"

#define MSR_EFER 0xc0000080
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SFMASK 0xc0000084
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_SYSENTER_CS 0x174
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176
#define MSR_PAT 0x277

.macro SAVE_MSR msr, off
    movl $\msr, %ecx
    rdmsr
    shlq $32, %rdx
    orq %rdx, %rax
    movq %rax, \off(%r15)
.endm

    .text
    .globl smx_enter_vmm
smx_enter_vmm:
    PUSH_CALLEE_SAVED
    movq %rdi, %r12         /* entry */
    movq %rsi, %r13         /* bootinfo */
    movq %rdx, %r14         /* VMM CR3 */
    movq %rcx, %r15         /* guest entry record */

    movq %rsp, SMX_GE_RSP(%r15)
    leaq 1f(%rip), %rax
    movq %rax, SMX_GE_RIP(%r15)
    pushfq
    popq %rax
    movq %rax, SMX_GE_RFLAGS(%r15)
    movq %cr0, %rax
    movq %rax, SMX_GE_CR0(%r15)
    movq %cr3, %rax
    movq %rax, SMX_GE_CR3(%r15)
    movq %cr4, %rax
    movq %rax, SMX_GE_CR4(%r15)
    subq $16, %rsp
    sgdt (%rsp)
    movw (%rsp), %ax
    movw %ax, SMX_GE_GDTR_LIMIT(%r15)
    movq 2(%rsp), %rax
    movq %rax, SMX_GE_GDTR_BASE(%r15)
    sidt (%rsp)
    movw (%rsp), %ax
    movw %ax, SMX_GE_IDTR_LIMIT(%r15)
    movq 2(%rsp), %rax
    movq %rax, SMX_GE_IDTR_BASE(%r15)
    addq $16, %rsp
    movw %cs, SMX_GE_CS(%r15)
    movw %ss, SMX_GE_SS(%r15)
    movw %ds, SMX_GE_DS(%r15)
    movw %es, SMX_GE_ES(%r15)
    movw %fs, SMX_GE_FS(%r15)
    movw %gs, SMX_GE_GS(%r15)
    str SMX_GE_TR(%r15)
    sldt SMX_GE_LDTR(%r15)
    SAVE_MSR MSR_EFER, SMX_GE_EFER
    SAVE_MSR MSR_PAT, SMX_GE_PAT
    SAVE_MSR MSR_FS_BASE, SMX_GE_FS_BASE
    SAVE_MSR MSR_GS_BASE, SMX_GE_GS_BASE
    SAVE_MSR MSR_KERNEL_GS_BASE, SMX_GE_KGS_BASE
    SAVE_MSR MSR_STAR, SMX_GE_STAR
    SAVE_MSR MSR_LSTAR, SMX_GE_LSTAR
    SAVE_MSR MSR_CSTAR, SMX_GE_CSTAR
    SAVE_MSR MSR_SFMASK, SMX_GE_SFMASK
    SAVE_MSR MSR_SYSENTER_CS, SMX_GE_SYSENTER_CS
    SAVE_MSR MSR_SYSENTER_ESP, SMX_GE_SYSENTER_ESP
    SAVE_MSR MSR_SYSENTER_EIP, SMX_GE_SYSENTER_EIP

    cli
    movq %r14, %cr3
    movq %r13, %rdi
    call *%r12
    /* The VMM refused: we are still the host. */
    movq SMX_GE_CR3(%r15), %rcx
    movq %rcx, %cr3
    pushq SMX_GE_RFLAGS(%r15)
    popfq
    jmp 2f

1:  /* The VMM started: we are its guest, RSP as recorded, RAX = 0. */
    xorl %eax, %eax
2:  POP_CALLEE_SAVED
    ret

    .section .note.GNU-stack, "", @progbits
