/* SPDX-License-Identifier: MIT */
/*
 * The VMM's two ways in.
 *
 * smx_vmm_entry: called by the loader (efi-loader/enter_vmm.S) with the
 * VMM's page tables loaded and interrupts off, RDI = boot info. It returns
 * to the loader only when the VMM refuses to start; otherwise the loader's
 * state continues as the guest and this call never returns in host mode.
 *
 * smx_vmm_wake: where the real-mode wake trampoline lands, in long mode on
 * the VMM's page tables, after the platform came back from S3.
 *
 * smx_fresh_stack(fn, arg): call fn(arg) on an empty VMM stack and never
 * come back. Entering an OS straight from an exit handler (an instant
 * switch) would otherwise leave the handler's frames behind on every switch.
 */
#include "../arch/x86/asm.h"

    .section .text.entry, "ax"
    .globl smx_vmm_entry
smx_vmm_entry:
    PUSH_CALLEE_SAVED
    movq %rsp, loader_rsp(%rip)
    leaq boot_stack_top(%rip), %rsp
    call vmm_start
    /* Refused: back to the loader, nothing changed. */
    movq loader_rsp(%rip), %rsp
    POP_CALLEE_SAVED
    ret

    .text
    .globl smx_vmm_wake
smx_vmm_wake:
    leaq boot_stack_top(%rip), %rsp
    xorl %ebp, %ebp
    call vmm_wake
1:  cli
    hlt
    jmp 1b

    .globl smx_fresh_stack
smx_fresh_stack:
    leaq boot_stack_top(%rip), %rsp
    xorl %ebp, %ebp
    movq %rdi, %rax
    movq %rsi, %rdi
    call *%rax
1:  cli
    hlt
    jmp 1b

/* smx_on_stack(top, fn, arg): the same on a given CPU's own stack. */
    .globl smx_on_stack
smx_on_stack:
    movq %rdi, %rsp
    xorl %ebp, %ebp
    movq %rsi, %rax
    movq %rdx, %rdi
    call *%rax
1:  cli
    hlt
    jmp 1b

    .bss
    .align 16
loader_rsp:
    .quad 0
    .align 4096
boot_stack:
    .skip 32768
boot_stack_top:

    .section .note.GNU-stack, "", @progbits
