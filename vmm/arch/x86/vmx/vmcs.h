/* SPDX-License-Identifier: MIT */
/*
 * VT-x constants sleepmux uses: Intel SDM vol. 3C chapters 24-27 (VMCS,
 * VM entries and exits) and vol. 3D appendices A (VMX capability MSRs),
 * B (field encodings) and C (exit reasons). Every field the VMM sets is
 * explained where it is set (vmx.c).
 */
#ifndef SMX_VMX_VMCS_H
#define SMX_VMX_VMCS_H

#include <stdint.h>

/* Capability and control MSRs (SDM vol. 3D appendix A; vol. 4 table 2-2). */
#define MSR_FEATURE_CONTROL 0x3au
#define FEATURE_CONTROL_LOCK (1ull << 0)
#define FEATURE_CONTROL_VMXON_OUTSIDE_SMX (1ull << 2)
#define MSR_VMX_BASIC 0x480u
#define MSR_VMX_PINBASED 0x481u
#define MSR_VMX_PROCBASED 0x482u
#define MSR_VMX_EXIT 0x483u
#define MSR_VMX_ENTRY 0x484u
#define MSR_VMX_CR0_FIXED0 0x486u
#define MSR_VMX_CR0_FIXED1 0x487u
#define MSR_VMX_CR4_FIXED0 0x488u
#define MSR_VMX_CR4_FIXED1 0x489u
#define MSR_VMX_PROCBASED2 0x48bu
#define MSR_VMX_EPT_VPID_CAP 0x48cu
#define MSR_VMX_TRUE_PINBASED 0x48du
#define MSR_VMX_TRUE_PROCBASED 0x48eu
#define MSR_VMX_TRUE_EXIT 0x48fu
#define MSR_VMX_TRUE_ENTRY 0x490u
#define MSR_VMX_FIRST 0x480u /* the capability MSRs a CPU without VMX lacks */
#define MSR_VMX_LAST 0x492u
#define MSR_DEBUGCTL 0x1d9u

/* IA32_VMX_BASIC (A.1). */
#define VMX_BASIC_REVISION(b) ((uint32_t)(b) & 0x7fffffffu)
#define VMX_BASIC_MEMTYPE(b) (((b) >> 50) & 0xf)
#define VMX_BASIC_TRUE_CTLS (1ull << 55)

/* IA32_VMX_EPT_VPID_CAP (A.10). */
#define EPT_CAP_WALK4 (1ull << 6)
#define EPT_CAP_WB (1ull << 14)
#define EPT_CAP_2M (1ull << 16)
#define EPT_CAP_1G (1ull << 17)
#define EPT_CAP_INVEPT (1ull << 20)
#define EPT_CAP_INVEPT_SINGLE (1ull << 25)
#define EPT_CAP_INVEPT_ALL (1ull << 26)

/* EPT pointer (24.6.11) and entries (28.3.2). R, W and X are bits 0-2:
 * the P, RW and US bits of an ordinary page table entry, so common/idmap.c
 * builds EPT tables with flags PTE_US; a leaf's memory type is bits 5:3. */
#define EPTP_WB 6ull
#define EPTP_WALK4 (3ull << 3)
#define EPT_MEMTYPE_SHIFT 3
#define EPT_MEMTYPE_MASK (7ull << EPT_MEMTYPE_SHIFT)
#define INVEPT_SINGLE 1
#define INVEPT_ALL 2

/* Pin-based controls (24.6.1). */
#define PIN_NMI_EXITING (1u << 3)

/* Primary processor-based controls (24.6.2, table 24-6). */
#define PROC_HLT_EXITING (1u << 7)
#define PROC_CR3_LOAD_EXITING (1u << 15)
#define PROC_CR3_STORE_EXITING (1u << 16)
#define PROC_UNCOND_IO_EXITING (1u << 24)
#define PROC_USE_IO_BITMAPS (1u << 25)
#define PROC_USE_MSR_BITMAPS (1u << 28)
#define PROC_SECONDARY (1u << 31)

/* Secondary processor-based controls (table 24-7). */
#define PROC2_EPT (1u << 1)
#define PROC2_RDTSCP (1u << 3)
#define PROC2_UNRESTRICTED (1u << 7)
#define PROC2_INVPCID (1u << 12)
#define PROC2_XSAVES (1u << 20)

/* VM-exit controls (24.7.1, table 24-13). */
#define EXIT_HOST_64 (1u << 9)
#define EXIT_SAVE_PAT (1u << 18)
#define EXIT_LOAD_PAT (1u << 19)
#define EXIT_SAVE_EFER (1u << 20)
#define EXIT_LOAD_EFER (1u << 21)

/* VM-entry controls (24.8.1, table 24-15). */
#define ENTRY_IA32E_GUEST (1u << 9)
#define ENTRY_LOAD_PAT (1u << 14)
#define ENTRY_LOAD_EFER (1u << 15)

/* VM-entry interruption information (24.8.3, table 24-16); the exit's
 * IDT-vectoring information has the same format (24.9.3). */
#define INTR_INFO_VALID (1u << 31)
#define INTR_INFO_ERROR_VALID (1u << 11)
#define INTR_TYPE_NMI (2u << 8)
#define INTR_TYPE_HW_EXCEPTION (3u << 8)
#define INTR_TYPE_MASK (7u << 8)
#define INTR_TYPE_SOFT_INT (4u << 8) /* 4-6: need the instruction length */

/* Access rights of a guest segment (24.4.1, table 24-2): the descriptor's
 * type/S/DPL/P in bits 7:0, AVL/L/D/G in bits 15:12, and "unusable". */
#define AR_UNUSABLE (1u << 16)
#define AR_ACCESSED (1u << 0)
#define AR_TSS_BUSY_BIT (1u << 1)
#define AR_S (1u << 4)

/* Field encodings (appendix B). */
enum vmcs_field {
    /* 16-bit guest and host state (B.1.2, B.1.3) */
    GUEST_ES_SEL = 0x0800, GUEST_CS_SEL = 0x0802, GUEST_SS_SEL = 0x0804, GUEST_DS_SEL = 0x0806,
    GUEST_FS_SEL = 0x0808, GUEST_GS_SEL = 0x080a, GUEST_LDTR_SEL = 0x080c, GUEST_TR_SEL = 0x080e,
    HOST_ES_SEL = 0x0c00, HOST_CS_SEL = 0x0c02, HOST_SS_SEL = 0x0c04, HOST_DS_SEL = 0x0c06,
    HOST_FS_SEL = 0x0c08, HOST_GS_SEL = 0x0c0a, HOST_TR_SEL = 0x0c0c,
    /* 64-bit control fields (B.2.1) */
    IO_BITMAP_A = 0x2000, IO_BITMAP_B = 0x2002, MSR_BITMAP = 0x2004, EPT_POINTER = 0x201a,
    /* 64-bit read-only data (B.2.2) */
    GUEST_PHYS_ADDR = 0x2400,
    /* 64-bit guest and host state (B.2.3, B.2.4) */
    VMCS_LINK_POINTER = 0x2800, GUEST_DEBUGCTL = 0x2802, GUEST_PAT = 0x2804, GUEST_EFER = 0x2806,
    GUEST_PDPTE0 = 0x280a,
    HOST_PAT = 0x2c00, HOST_EFER = 0x2c02,
    /* 32-bit control fields (B.3.1) */
    PIN_CONTROLS = 0x4000, PROC_CONTROLS = 0x4002, EXCEPTION_BITMAP = 0x4004, CR3_TARGET_COUNT = 0x400a,
    EXIT_CONTROLS = 0x400c, EXIT_MSR_STORE_COUNT = 0x400e, EXIT_MSR_LOAD_COUNT = 0x4010,
    ENTRY_CONTROLS = 0x4012, ENTRY_MSR_LOAD_COUNT = 0x4014, ENTRY_INTR_INFO = 0x4016,
    ENTRY_EXCEPTION_ERROR = 0x4018, ENTRY_INSN_LEN = 0x401a, PROC2_CONTROLS = 0x401e,
    /* 32-bit read-only data (B.3.2) */
    VM_INSN_ERROR = 0x4400, EXIT_REASON = 0x4402, EXIT_INTR_INFO = 0x4404, EXIT_INTR_ERROR = 0x4406,
    IDT_VECTORING_INFO = 0x4408, IDT_VECTORING_ERROR = 0x440a, EXIT_INSN_LEN = 0x440c,
    /* 32-bit guest state (B.3.3) */
    GUEST_ES_LIMIT = 0x4800, GUEST_CS_LIMIT = 0x4802, GUEST_SS_LIMIT = 0x4804, GUEST_DS_LIMIT = 0x4806,
    GUEST_FS_LIMIT = 0x4808, GUEST_GS_LIMIT = 0x480a, GUEST_LDTR_LIMIT = 0x480c, GUEST_TR_LIMIT = 0x480e,
    GUEST_GDTR_LIMIT = 0x4810, GUEST_IDTR_LIMIT = 0x4812,
    GUEST_ES_AR = 0x4814, GUEST_CS_AR = 0x4816, GUEST_SS_AR = 0x4818, GUEST_DS_AR = 0x481a,
    GUEST_FS_AR = 0x481c, GUEST_GS_AR = 0x481e, GUEST_LDTR_AR = 0x4820, GUEST_TR_AR = 0x4822,
    GUEST_INTERRUPTIBILITY = 0x4824, GUEST_ACTIVITY = 0x4826, GUEST_SYSENTER_CS = 0x482a,
    HOST_SYSENTER_CS = 0x4c00,
    /* natural-width control and read-only fields (B.4.1, B.4.2) */
    CR0_GUEST_HOST_MASK = 0x6000, CR4_GUEST_HOST_MASK = 0x6002, CR0_READ_SHADOW = 0x6004,
    CR4_READ_SHADOW = 0x6006, EXIT_QUALIFICATION = 0x6400, GUEST_LINEAR_ADDR = 0x640a,
    /* natural-width guest state (B.4.3) */
    GUEST_CR0 = 0x6800, GUEST_CR3 = 0x6802, GUEST_CR4 = 0x6804,
    GUEST_ES_BASE = 0x6806, GUEST_CS_BASE = 0x6808, GUEST_SS_BASE = 0x680a, GUEST_DS_BASE = 0x680c,
    GUEST_FS_BASE = 0x680e, GUEST_GS_BASE = 0x6810, GUEST_LDTR_BASE = 0x6812, GUEST_TR_BASE = 0x6814,
    GUEST_GDTR_BASE = 0x6816, GUEST_IDTR_BASE = 0x6818, GUEST_DR7 = 0x681a, GUEST_RSP = 0x681c,
    GUEST_RIP = 0x681e, GUEST_RFLAGS = 0x6820, GUEST_PENDING_DBG = 0x6822, GUEST_SYSENTER_ESP = 0x6824,
    GUEST_SYSENTER_EIP = 0x6826,
    /* natural-width host state (B.4.4) */
    HOST_CR0 = 0x6c00, HOST_CR3 = 0x6c02, HOST_CR4 = 0x6c04, HOST_FS_BASE = 0x6c06, HOST_GS_BASE = 0x6c08,
    HOST_TR_BASE = 0x6c0a, HOST_GDTR_BASE = 0x6c0c, HOST_IDTR_BASE = 0x6c0e, HOST_SYSENTER_ESP = 0x6c10,
    HOST_SYSENTER_EIP = 0x6c12, HOST_RSP = 0x6c14, HOST_RIP = 0x6c16,
};

/* Basic exit reasons (appendix C). */
enum vmx_exit_reason {
    VMX_EXIT_EXCEPTION_NMI = 0, VMX_EXIT_EXTERNAL_INT = 1, VMX_EXIT_TRIPLE_FAULT = 2, VMX_EXIT_INIT = 3,
    VMX_EXIT_SIPI = 4, VMX_EXIT_IO_SMI = 5, VMX_EXIT_OTHER_SMI = 6, VMX_EXIT_CPUID = 10, VMX_EXIT_GETSEC = 11,
    VMX_EXIT_INVD = 13, VMX_EXIT_VMCALL = 18, VMX_EXIT_VMCLEAR = 19, VMX_EXIT_VMLAUNCH = 20,
    VMX_EXIT_VMPTRLD = 21, VMX_EXIT_VMPTRST = 22, VMX_EXIT_VMREAD = 23, VMX_EXIT_VMRESUME = 24,
    VMX_EXIT_VMWRITE = 25, VMX_EXIT_VMXOFF = 26, VMX_EXIT_VMXON = 27, VMX_EXIT_CR_ACCESS = 28,
    VMX_EXIT_IO = 30, VMX_EXIT_RDMSR = 31, VMX_EXIT_WRMSR = 32, VMX_EXIT_BAD_GUEST_STATE = 33,
    VMX_EXIT_BAD_MSR_LOAD = 34, VMX_EXIT_MACHINE_CHECK = 41, VMX_EXIT_EPT_VIOLATION = 48,
    VMX_EXIT_EPT_MISCONFIG = 49, VMX_EXIT_INVEPT = 50, VMX_EXIT_INVVPID = 53, VMX_EXIT_XSETBV = 55,
    VMX_EXIT_VMFUNC = 59,
};
#define VMX_EXIT_ENTRY_FAILED (1u << 31)

/* Exit qualification for I/O instructions (table 27-5). */
#define IOQ_SIZE(q) (((q) & 7) + 1)
#define IOQ_IN (1u << 3)
#define IOQ_STRING (1u << 4)
#define IOQ_PORT(q) ((uint16_t)((q) >> 16))

/* Exit qualification for control-register accesses (table 27-3). */
#define CRQ_CR(q) ((q) & 0xf)
#define CRQ_TYPE(q) (((q) >> 4) & 3)
#define CRQ_GPR(q) (((q) >> 8) & 0xf)
#define CRQ_LMSW_DATA(q) (((q) >> 16) & 0xffff)
enum { CRQ_MOV_TO = 0, CRQ_MOV_FROM = 1, CRQ_CLTS = 2, CRQ_LMSW = 3 };

#endif
