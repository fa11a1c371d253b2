/* SPDX-License-Identifier: MIT */
/*
 * The wake trampoline. On resume from S3 the firmware enters the waking
 * vector in real mode at CS:IP = (vector >> 4):(vector & 0xf), interrupts
 * off (ACPI 6.5 §5.2.10, §16.3). sleepmux puts this code's page there while
 * it holds the OS's own vector. It goes straight from real mode to long
 * mode on the VMM's page tables (AMD APM vol. 2 §14.6: PAE, CR3, EFER.LME,
 * then CR0.PE|PG together), then jumps to smx_vmm_wake.
 *
 * The VMM's start-up IPIs enter the same page, at its first byte, on every
 * application processor (core/smp.c). In long mode the BSP flag of
 * IA32_APIC_BASE (Intel SDM vol. 3 §10.4.4) tells the two apart: an AP
 * takes the next stack by order of arrival and calls smp_ap_entry.
 *
 * The code is copied to a page below 1 MiB (bootinfo.trampoline_base) and
 * the data block at its end (struct trampoline_data in s3.c, same layout)
 * is filled in there; everything is addressed relative to the page, so the
 * copy runs wherever it lands.
 */
#define CR0_PE 0x00000001
#define CR0_NW 0x20000000
#define CR0_CD 0x40000000
#define CR0_PG 0x80000000
#define CR4_PAE 0x20
#define MSR_EFER 0xc0000080
#define EFER_LME 0x100
#define MSR_APIC_BASE 0x1b
#define APIC_BASE_BSP 0x100
#define SEL_CODE64 0x08
#define SEL_DATA 0x10

#define OFF(x) ((x) - smx_trampoline_start)

    .section .rodata
    .globl smx_trampoline_start, smx_trampoline_end, smx_trampoline_data, smx_trampoline_long
    .code16
    .align 16
smx_trampoline_start:
    cli
    cld
    movw %cs, %ax
    movw %ax, %ds
    lgdtl OFF(tr_gdtr)
    movl %cr4, %eax
    orl $CR4_PAE, %eax
    movl %eax, %cr4
    movl OFF(tr_cr3), %eax
    movl %eax, %cr3
    movl $MSR_EFER, %ecx
    rdmsr
    orl $EFER_LME, %eax
    wrmsr
    movl %cr0, %eax
    andl $~(CR0_CD | CR0_NW), %eax
    orl $(CR0_PE | CR0_PG), %eax
    movl %eax, %cr0
    ljmpl *OFF(tr_far)

    .code64
smx_trampoline_long:
    movw $SEL_DATA, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movl $MSR_APIC_BASE, %ecx
    rdmsr
    testl $APIC_BASE_BSP, %eax
    jz 1f
    movq tr_stack(%rip), %rsp
    movq tr_resume(%rip), %rax
    jmp *%rax
1:  movl $1, %edi
    lock xaddl %edi, tr_ap_next(%rip)
    cmpl tr_ap_max(%rip), %edi
    jae 3f
    leal 1(%rdi), %eax
    imulq tr_ap_stack_size(%rip), %rax
    addq tr_ap_stacks(%rip), %rax
    movq %rax, %rsp
    movq %rax, %rsi             /* smp_ap_entry(arrival, stack_top) */
    xorl %ebp, %ebp
    pushq $0                    /* a return address, as a call leaves */
    movq tr_ap_entry(%rip), %rax
    jmp *%rax
3:  cli                         /* more APs than the VMM prepared for */
    hlt
    jmp 3b

    .align 16
smx_trampoline_data:
tr_gdt:
    .quad 0
    .quad 0x00af9a000000ffff    /* 64-bit code */
    .quad 0x00cf92000000ffff    /* data */
tr_gdtr:
    .word 3 * 8 - 1
    .long 0                     /* filled: page + OFF(tr_gdt) */
    .word 0
tr_far:
    .long 0                     /* filled: page + OFF(smx_trampoline_long) */
    .word SEL_CODE64
    .word 0
tr_cr3:
    .long 0                     /* filled: the VMM's PML4 (below 4 GiB) */
    .long 0
tr_resume:
    .quad 0                     /* filled: smx_vmm_wake */
tr_stack:
    .quad 0                     /* filled: a stack in the VMM's image */
tr_ap_entry:
    .quad 0                     /* filled: smp_ap_entry */
tr_ap_stacks:
    .quad 0                     /* filled: the APs' stacks */
tr_ap_stack_size:
    .quad 0
tr_ap_max:
    .long 0
tr_ap_next:
    .long 0                     /* arrivals so far */
smx_trampoline_end:

    .section .note.GNU-stack, "", @progbits
