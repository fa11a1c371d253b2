/* SPDX-License-Identifier: MIT */
/*
 * The VMCB and the SVM constants sleepmux uses: AMD64 APM vol. 2, chapter 15
 * and appendix B ("Layout of VMCB"). Every field the VMM sets is explained
 * where it is set (svm.c); here the layout is pinned to the manual's offsets.
 */
#ifndef SMX_SVM_VMCB_H
#define SMX_SVM_VMCB_H

#include <stdint.h>

#include "bootinfo.h"

/* Intercept vector 3 (APM vol. 2 table B-1, offset 0x00c). */
#define SVM_INTERCEPT_INTR (1u << 0)
#define SVM_INTERCEPT_NMI (1u << 1)
#define SVM_INTERCEPT_SMI (1u << 2)
#define SVM_INTERCEPT_INIT (1u << 3)
#define SVM_INTERCEPT_CPUID (1u << 18)
#define SVM_INTERCEPT_INVLPGA (1u << 26)
#define SVM_INTERCEPT_IOIO_PROT (1u << 27)
#define SVM_INTERCEPT_MSR_PROT (1u << 28)
#define SVM_INTERCEPT_SHUTDOWN (1u << 31)
/* Intercept vector 4 (offset 0x010). */
#define SVM_INTERCEPT_VMRUN (1u << 0)
#define SVM_INTERCEPT_VMMCALL (1u << 1)
#define SVM_INTERCEPT_VMLOAD (1u << 2)
#define SVM_INTERCEPT_VMSAVE (1u << 3)
#define SVM_INTERCEPT_STGI (1u << 4)
#define SVM_INTERCEPT_CLGI (1u << 5)
#define SVM_INTERCEPT_SKINIT (1u << 6)

/* TLB_CONTROL (offset 0x05c). */
#define SVM_TLB_FLUSH_NOTHING 0
#define SVM_TLB_FLUSH_ALL 1

/* NP_ENABLE (offset 0x090). */
#define SVM_NP_ENABLE (1ull << 0)

/* EVENTINJ (APM vol. 2 §15.20). */
#define SVM_EVTINJ_VALID (1ull << 31)
#define SVM_EVTINJ_ERR_VALID (1ull << 11)
#define SVM_EVTINJ_TYPE_INTR (0ull << 8)
#define SVM_EVTINJ_TYPE_NMI (2ull << 8)
#define SVM_EVTINJ_TYPE_EXCEPTION (3ull << 8)

/* Exit codes (APM vol. 2 appendix C). */
enum svm_exit {
    SVM_EXIT_EXCP_BASE = 0x40,
    SVM_EXIT_INTR = 0x60,
    SVM_EXIT_NMI = 0x61,
    SVM_EXIT_SMI = 0x62,
    SVM_EXIT_INIT = 0x63,
    SVM_EXIT_CPUID = 0x72,
    SVM_EXIT_HLT = 0x78,
    SVM_EXIT_INVLPGA = 0x7a,
    SVM_EXIT_IOIO = 0x7b,
    SVM_EXIT_MSR = 0x7c,
    SVM_EXIT_SHUTDOWN = 0x7f,
    SVM_EXIT_VMRUN = 0x80,
    SVM_EXIT_VMMCALL = 0x81,
    SVM_EXIT_VMLOAD = 0x82,
    SVM_EXIT_VMSAVE = 0x83,
    SVM_EXIT_STGI = 0x84,
    SVM_EXIT_CLGI = 0x85,
    SVM_EXIT_SKINIT = 0x86,
    SVM_EXIT_NPF = 0x400,
    SVM_EXIT_INVALID = -1,
};

/* IOIO EXITINFO1 (APM vol. 2 §15.10.2, figure 15-2). */
#define SVM_IOIO_IN (1u << 0)
#define SVM_IOIO_STR (1u << 2)
#define SVM_IOIO_REP (1u << 3)
#define SVM_IOIO_SZ8 (1u << 4)
#define SVM_IOIO_SZ16 (1u << 5)
#define SVM_IOIO_SZ32 (1u << 6)
#define SVM_IOIO_PORT_SHIFT 16

/* Permission maps (APM vol. 2 §15.10.1 and §15.11). */
#define SVM_IOPM_SIZE (3 * 4096)
#define SVM_MSRPM_SIZE (2 * 4096)

struct __attribute__((packed)) vmcb_control {
    uint32_t intercept_cr;        /* 0x000 */
    uint32_t intercept_dr;        /* 0x004 */
    uint32_t intercept_exceptions;/* 0x008 */
    uint32_t intercept_misc1;     /* 0x00c */
    uint32_t intercept_misc2;     /* 0x010 */
    uint32_t intercept_misc3;     /* 0x014 */
    uint8_t reserved_018[0x03c - 0x018];
    uint16_t pause_filter_threshold; /* 0x03c */
    uint16_t pause_filter_count;  /* 0x03e */
    uint64_t iopm_base_pa;        /* 0x040 */
    uint64_t msrpm_base_pa;       /* 0x048 */
    uint64_t tsc_offset;          /* 0x050 */
    uint32_t guest_asid;          /* 0x058 */
    uint8_t tlb_control;          /* 0x05c */
    uint8_t reserved_05d[3];
    uint64_t vintr;               /* 0x060 */
    uint64_t interrupt_shadow;    /* 0x068 */
    uint64_t exitcode;            /* 0x070 */
    uint64_t exitinfo1;           /* 0x078 */
    uint64_t exitinfo2;           /* 0x080 */
    uint64_t exitintinfo;         /* 0x088 */
    uint64_t np_enable;           /* 0x090 */
    uint64_t avic_apic_bar;       /* 0x098 */
    uint64_t ghcb_gpa;            /* 0x0a0 */
    uint64_t eventinj;            /* 0x0a8 */
    uint64_t n_cr3;               /* 0x0b0 */
    uint64_t lbr_virt_enable;     /* 0x0b8 */
    uint32_t clean_bits;          /* 0x0c0 */
    uint32_t reserved_0c4;
    uint64_t nrip;                /* 0x0c8 */
    uint8_t insn_len;             /* 0x0d0 */
    uint8_t insn_bytes[15];       /* 0x0d1 */
    uint8_t reserved_0e0[0x400 - 0x0e0];
};

struct __attribute__((packed)) vmcb_seg {
    uint16_t sel;
    uint16_t attrib;
    uint32_t limit;
    uint64_t base;
};

struct __attribute__((packed)) vmcb_save {
    struct vmcb_seg es, cs, ss, ds, fs, gs; /* 0x400..0x45f */
    struct vmcb_seg gdtr, ldtr, idtr, tr;   /* 0x460..0x49f */
    uint8_t reserved_4a0[0x4cb - 0x4a0];
    uint8_t cpl;                  /* 0x4cb */
    uint32_t reserved_4cc;
    uint64_t efer;                /* 0x4d0 */
    uint8_t reserved_4d8[0x548 - 0x4d8];
    uint64_t cr4;                 /* 0x548 */
    uint64_t cr3;                 /* 0x550 */
    uint64_t cr0;                 /* 0x558 */
    uint64_t dr7;                 /* 0x560 */
    uint64_t dr6;                 /* 0x568 */
    uint64_t rflags;              /* 0x570 */
    uint64_t rip;                 /* 0x578 */
    uint8_t reserved_580[0x5d8 - 0x580];
    uint64_t rsp;                 /* 0x5d8 */
    uint64_t s_cet, ssp, isst_addr; /* 0x5e0 */
    uint64_t rax;                 /* 0x5f8 */
    uint64_t star;                /* 0x600 */
    uint64_t lstar;               /* 0x608 */
    uint64_t cstar;               /* 0x610 */
    uint64_t sfmask;              /* 0x618 */
    uint64_t kernel_gs_base;      /* 0x620 */
    uint64_t sysenter_cs;         /* 0x628 */
    uint64_t sysenter_esp;        /* 0x630 */
    uint64_t sysenter_eip;        /* 0x638 */
    uint64_t cr2;                 /* 0x640 */
    uint8_t reserved_648[0x668 - 0x648];
    uint64_t g_pat;               /* 0x668 */
    uint64_t dbgctl;              /* 0x670 */
    uint64_t br_from, br_to, lastexcpfrom, lastexcpto; /* 0x678 */
};

struct vmcb {
    struct vmcb_control ctl;
    struct vmcb_save save;
    uint8_t pad[4096 - sizeof(struct vmcb_control) - sizeof(struct vmcb_save)];
} __attribute__((aligned(4096)));

_Static_assert(sizeof(struct vmcb_control) == 0x400, "VMCB control area is 1 KiB");
_Static_assert(__builtin_offsetof(struct vmcb_control, iopm_base_pa) == 0x040, "IOPM_BASE_PA");
_Static_assert(__builtin_offsetof(struct vmcb_control, guest_asid) == 0x058, "ASID");
_Static_assert(__builtin_offsetof(struct vmcb_control, exitcode) == 0x070, "EXITCODE");
_Static_assert(__builtin_offsetof(struct vmcb_control, np_enable) == 0x090, "NP_ENABLE");
_Static_assert(__builtin_offsetof(struct vmcb_control, eventinj) == 0x0a8, "EVENTINJ");
_Static_assert(__builtin_offsetof(struct vmcb_control, n_cr3) == 0x0b0, "N_CR3");
_Static_assert(__builtin_offsetof(struct vmcb_control, nrip) == 0x0c8, "nRIP");
_Static_assert(__builtin_offsetof(struct vmcb, save.cs) == 0x410, "CS");
_Static_assert(__builtin_offsetof(struct vmcb, save.tr) == 0x490, "TR");
_Static_assert(__builtin_offsetof(struct vmcb, save.cpl) == 0x4cb, "CPL");
_Static_assert(__builtin_offsetof(struct vmcb, save.efer) == 0x4d0, "EFER");
_Static_assert(__builtin_offsetof(struct vmcb, save.cr4) == 0x548, "CR4");
_Static_assert(__builtin_offsetof(struct vmcb, save.rip) == 0x578, "RIP");
_Static_assert(__builtin_offsetof(struct vmcb, save.rsp) == 0x5d8, "RSP");
_Static_assert(__builtin_offsetof(struct vmcb, save.rax) == 0x5f8, "RAX");
_Static_assert(__builtin_offsetof(struct vmcb, save.star) == 0x600, "STAR");
_Static_assert(__builtin_offsetof(struct vmcb, save.cr2) == 0x640, "CR2");
_Static_assert(__builtin_offsetof(struct vmcb, save.g_pat) == 0x668, "G_PAT");
_Static_assert(sizeof(struct vmcb) == 4096, "VMCB is one page");

#endif
