/* SPDX-License-Identifier: MIT */
/* Host exception entry stubs and segment loading for the VMM. */
#define SEL_CODE64 0x08
#define SEL_DATA 0x10

    .text
/* Vectors that push an error code (APM vol. 2 §8.2): 8 10-14 17 21 29 30. */
.macro STUB v
    .align 16
stub_\v:
    .if (\v == 8) || (\v >= 10 && \v <= 14) || (\v == 17) || (\v == 21) || (\v == 29) || (\v == 30)
    .else
    pushq $0
    .endif
    pushq $\v
    jmp exception_common
.endm

    .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    STUB \v
    .endr

exception_common:
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    cld
    movq %rsp, %rdi
    movq %rsp, %rbx
    andq $-16, %rsp
    call smx_exception
    movq %rbx, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
    addq $16, %rsp
    iretq

    .section .rodata
    .align 8
    .globl smx_exception_stubs
smx_exception_stubs:
    .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .quad stub_\v
    .endr

    .text
/* void cpu_load_segments(const struct dtr *gdtr, const struct dtr *idtr, uint16_t tr) */
    .globl cpu_load_segments
cpu_load_segments:
    lgdt (%rdi)
    lidt (%rsi)
    movw $SEL_DATA, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    xorl %eax, %eax
    movw %ax, %fs
    movw %ax, %gs
    ltr %dx
    /* Reload CS with a far return to the caller. */
    popq %rax
    pushq $SEL_CODE64
    pushq %rax
    lretq

/* void cpu_idle_wait(volatile uint32_t *until): HLT unless *until is set.
 * An NMI between the check and the HLT finds its return address at
 * smx_idle_hlt, and the handler moves it past the HLT (cpu_tables.c). */
    .globl cpu_idle_wait, smx_idle_hlt
cpu_idle_wait:
    cmpl $0, (%rdi)
    jne 1f
smx_idle_hlt:
    hlt
1:  ret

    .section .note.GNU-stack, "", @progbits
