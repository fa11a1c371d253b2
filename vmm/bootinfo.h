/*
 * The contract between efi-loader and the VMM: one block the loader fills
 * and passes to smx_vmm_entry(). Plain data, fixed layout (static asserts
 * below), versioned: a loader and a VMM that disagree refuse each other
 * instead of misreading.
 *
 * Memory: the loader allocates one 2 MiB-aligned region below 4 GiB as
 * EfiReservedMemoryType (absent from every OS's usable memory map, left
 * alone by firmware across S3) and lays it out as
 *
 *   [region_base, +image_size)        vmm.elf's segments (linked at SMX_VMM_VBASE)
 *   [region_base + image_size, ...)   page tables, this block, then free pages
 *
 * and a page below 1 MiB for the real-mode wake trampoline (the firmware
 * enters an OS waking vector in real mode, ACPI 6.5 §5.2.10).
 */
#ifndef SMX_BOOTINFO_H
#define SMX_BOOTINFO_H

#ifndef __ASSEMBLY__
#include <stdint.h>

#include "policy.h"
#endif

#define SMX_BOOTINFO_MAGIC 0x4f464e4958554d53ull /* "SMUXINFO" */
#define SMX_BOOTINFO_VERSION 2
#define SMX_VMM_VBASE 0xffffffff80000000ull
#define SMX_REGION_ALIGN (2ull << 20)
#define SMX_MEMMAP_MAX 256

#ifndef __ASSEMBLY__
/* Why the VMM refused to start (smx_vmm_entry's return value). The loader
 * reports the message and boots the OS without the VMM. */
enum smx_start_error {
    SMX_START_OK = 0,
    SMX_START_BAD_BOOTINFO,
    SMX_START_NO_SVM,          /* CPU has no SVM, or firmware disabled it */
    SMX_START_NO_NPT,          /* SVM without nested paging */
    SMX_START_SVM_IN_USE,      /* EFER.SVME already set: someone else is here */
    SMX_START_NO_MEMORY,       /* region too small */
    SMX_START_NO_ACPI,         /* no usable FADT/FACS: sleep cannot be watched */
    SMX_START_UNSUPPORTED_CPU, /* neither SVM nor VMX back end applies */
    SMX_START_BAD_CONFIG,      /* the config copy in the boot info fails its check */
};

/* One physical range of the firmware's memory map, simplified. */
struct smx_mem_range {
    uint64_t base;
    uint64_t pages; /* 4 KiB pages */
    uint32_t type;  /* EFI_MEMORY_TYPE */
    uint32_t reserved;
};
_Static_assert(sizeof(struct smx_mem_range) == 24, "smx_mem_range layout");

/* The EFI_MEMORY_TYPEs that are the firmware's own data (UEFI 2.10 §7.2.1,
 * Table 7.10): where GNVS-style data the ACPI tables test lives. */
#define SMX_EFI_RESERVED_MEMORY 0
#define SMX_EFI_ACPI_RECLAIM_MEMORY 9
#define SMX_EFI_ACPI_MEMORY_NVS 10

/* A segment register as the VMCB/VMCS wants it (AMD APM vol. 2 §15.5.2
 * "attrib" packing: descriptor bits 40..47 and 52..55). */
struct smx_seg {
    uint16_t sel;
    uint16_t attrib;
    uint32_t limit;
    uint64_t base;
};
_Static_assert(sizeof(struct smx_seg) == 16, "smx_seg layout");

#endif

/*
 * The CPU state of the loader at the moment it called the VMM: the VMM
 * resumes exactly this state as its first guest, at `rip` (a label in the
 * loader's thunk) with RAX = 0, so the call "returns" success inside the
 * guest. Offsets are used by efi-loader/enter_vmm.S.
 */
#ifndef __ASSEMBLY__
struct smx_guest_entry {
    uint64_t rip, rsp, rflags;
    uint64_t cr0, cr3, cr4, efer, pat;
    uint64_t fs_base, gs_base, kernel_gs_base;
    uint64_t star, lstar, cstar, sfmask;
    uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
    uint64_t gdtr_base, idtr_base;
    uint16_t gdtr_limit, idtr_limit;
    uint16_t cs, ss, ds, es, fs, gs, tr, ldtr;
    uint16_t pad[2];
};
#endif
#define SMX_GE_RIP 0
#define SMX_GE_RSP 8
#define SMX_GE_RFLAGS 16
#define SMX_GE_CR0 24
#define SMX_GE_CR3 32
#define SMX_GE_CR4 40
#define SMX_GE_EFER 48
#define SMX_GE_PAT 56
#define SMX_GE_FS_BASE 64
#define SMX_GE_GS_BASE 72
#define SMX_GE_KGS_BASE 80
#define SMX_GE_STAR 88
#define SMX_GE_LSTAR 96
#define SMX_GE_CSTAR 104
#define SMX_GE_SFMASK 112
#define SMX_GE_SYSENTER_CS 120
#define SMX_GE_SYSENTER_ESP 128
#define SMX_GE_SYSENTER_EIP 136
#define SMX_GE_GDTR_BASE 144
#define SMX_GE_IDTR_BASE 152
#define SMX_GE_GDTR_LIMIT 160
#define SMX_GE_IDTR_LIMIT 162
#define SMX_GE_CS 164
#define SMX_GE_SS 166
#define SMX_GE_DS 168
#define SMX_GE_ES 170
#define SMX_GE_FS 172
#define SMX_GE_GS 174
#define SMX_GE_TR 176
#define SMX_GE_LDTR 178

#ifndef __ASSEMBLY__
struct smx_bootinfo {
    uint64_t magic;
    uint32_t version;
    uint32_t size; /* sizeof(struct smx_bootinfo) as the loader knew it */

    /* The VMM's memory. */
    uint64_t region_base, region_size;
    uint64_t image_size;      /* bytes of the region holding vmm.elf, page-aligned */
    uint64_t free_base;       /* first region byte the VMM may allocate */
    uint64_t host_cr3;        /* the page tables the loader built (in the region) */
    uint64_t trampoline_base; /* one reserved page below 1 MiB */
    uint64_t max_phys;        /* highest physical address the identity map covers */

    /* Platform. */
    uint64_t rsdp;           /* physical address of the ACPI RSDP, 0 if none */
    uint16_t log_port;       /* 16550 I/O base for the VMM's log, 0 = none */
    uint16_t flags;          /* SMX_BOOT_* */
    uint32_t memmap_count;
    struct smx_mem_range memmap[SMX_MEMMAP_MAX];

    char loader_version[32];
    uint8_t os;              /* the OS booting now: POL_OS_A or POL_OS_B */
    uint8_t pad[7];
    struct pol_config config; /* sleepmux.conf as the loader parsed it */
    struct smx_guest_entry guest;
};
#define SMX_BOOT_DEBUG_EXITS 0x0001 /* log every VM exit (slow) */

_Static_assert(sizeof(struct smx_guest_entry) == 184, "smx_guest_entry layout");
_Static_assert(__builtin_offsetof(struct smx_guest_entry, ldtr) == SMX_GE_LDTR, "ldtr offset");
_Static_assert(__builtin_offsetof(struct smx_guest_entry, gdtr_limit) == SMX_GE_GDTR_LIMIT, "gdtr offset");
_Static_assert(__builtin_offsetof(struct smx_guest_entry, sysenter_eip) == SMX_GE_SYSENTER_EIP, "sysenter offset");

/* The VMM's entry point: returns only if it refused to start. */
typedef enum smx_start_error smx_vmm_entry_fn(struct smx_bootinfo *bi);

#endif /* __ASSEMBLY__ */

#endif
