/* SPDX-License-Identifier: MIT */
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
#define SMX_BOOTINFO_VERSION 4
#define SMX_VMM_VBASE 0xffffffff80000000ull
#define SMX_REGION_ALIGN (2ull << 20)
#define SMX_MEMMAP_MAX 256

#ifndef __ASSEMBLY__
/* Why the VMM refused to start (smx_vmm_entry's return value). The loader
 * reports the message and boots the OS without the VMM. */
enum smx_start_error {
    SMX_START_OK = 0,
    SMX_START_BAD_BOOTINFO,
    SMX_START_NO_VIRT,         /* no SVM/VMX, or firmware disabled it */
    SMX_START_NO_NESTED_PAGING, /* SVM without NPT, VMX without EPT */
    SMX_START_VIRT_IN_USE,     /* EFER.SVME or CR4.VMXE already set: someone else is here */
    SMX_START_NO_MEMORY,       /* region too small */
    SMX_START_NO_ACPI,         /* no usable FADT/FACS: sleep cannot be watched */
    SMX_START_UNSUPPORTED_CPU, /* neither SVM nor VMX back end applies */
    SMX_START_BAD_CONFIG,      /* the config copy in the boot info fails its check */
    SMX_START_BAD_LAYOUT,      /* the memory layout handed over is inconsistent */
    SMX_START_NO_UNRESTRICTED_GUEST, /* VMX without unrestricted guest (real-mode wake, AP start) */
    SMX_START_NO_VMX_FEATURE,  /* a VMX control sleepmux needs is missing (named in the VMM log) */
};

/* A type of the loader's own in bi->memmap (UEFI 2.10 §7.2.1 leaves
 * 0x80000000-0xffffffff to OS loaders): RAM the loader reserved so that the
 * booting OS never uses it, because it is neither OS's private range. It is
 * EfiReservedMemoryType in the OS's map; the VMM must tell it from the
 * firmware's reserved memory, because an image of the other OS may hold
 * pages there (what was the loader's own memory at that OS's boot). */
#define SMX_MEM_UNASSIGNED 0x80000001u

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
/*
 * Where each OS lives (DESIGN.md, "Memory model"). The loader computes it
 * once from `memory =` and the firmware map, records it (a non-volatile,
 * boot-services-only UEFI variable) and reuses it at every later boot of the
 * same machine and config, so each OS finds its RAM where it left it. A boot
 * that cannot reserve exactly these ranges runs without switching
 * (bi->switching = 0) and says why.
 *
 * Each private range is one 2 MiB-aligned run of RAM that only its OS ever
 * uses: in that OS's UEFI memory map it is conventional memory, in the other
 * OS's map it is reserved, and while the other OS runs the VMM maps it to
 * the sink page. Everything else of RAM that either OS may use (low memory,
 * what the firmware allocated before the loader ran: boot services, runtime
 * services, ACPI) is the shared set, copied on every switch; the VMM derives
 * it from memmap[] minus the private ranges, its region and the trampoline.
 */
struct smx_layout {
    uint64_t private_base[2]; /* indexed by POL_OS_A / POL_OS_B */
    uint64_t private_size[2]; /* bytes, multiples of 2 MiB */
    uint64_t region_base, region_size; /* the VMM's region (as below) */
    uint64_t trampoline_base;
};
_Static_assert(sizeof(struct smx_layout) == 56, "smx_layout layout");

/*
 * Which OS the loader should boot after a reset the VMM made (policy's
 * POL_ACT_RESET names it: "this OS shut down, boot the other"). The VMM
 * cannot write a UEFI variable at run time, so it leaves this in the last
 * page of its own region, which no OS maps and which a warm reset keeps;
 * the loader finds the region through its recorded layout, reads the hint
 * once and clears it. After a cold start (or on hardware whose reset
 * clears RAM) the check fails and the loader boots its default.
 */
#define SMX_RESET_HINT_MAGIC 0x544e4948584d5353ull /* "SSMXHINT" */
struct smx_reset_hint {
    uint64_t magic;
    uint32_t os;      /* POL_OS_A / POL_OS_B */
    uint32_t check;   /* ~os ^ (uint32_t)magic: a stray page never passes */
};
#define SMX_RESET_HINT_AT(region_base, region_size) ((region_base) + (region_size) - 4096)

/* The store's controller, as the loader found the partition through UEFI. */
#define SMX_CTRL_NONE 0
#define SMX_CTRL_AHCI 1
#define SMX_CTRL_NVME 2

/*
 * The store as the loader saw it before the OS booted (DESIGN.md "Boot
 * flow", step 2). The VMM finds the partition again with its own drivers
 * and GPT reader and checks that both agree before it writes anything.
 */
struct smx_store_info {
    uint8_t found;            /* 1: the partition exists and the store opened (or is empty) */
    uint8_t ctrl;             /* SMX_CTRL_*: the controller behind the partition, if known */
    uint16_t pci_segment;
    uint8_t pci_bus, pci_devfn;
    uint16_t unit;            /* AHCI port number or NVMe namespace id */
    uint32_t block_size;
    uint32_t pad;
    uint64_t first_lba, lba_count; /* the partition, in blocks */
    uint8_t slot_of[2];       /* committed, not yet restored image of OS A/B: its slot, or 0xff */
    uint8_t vmm_reads;        /* 1: the loader cannot read this store (a TFTP server): slot_of is
                                 unknown and the VMM reads the store at the OS's first request */
    uint8_t pad2[5];
    uint64_t generation_floor; /* anti-rollback: the newest generation the loader has seen
                                  committed (UEFI variable); the store must not be older */
};
_Static_assert(sizeof(struct smx_store_info) == 48, "smx_store_info layout");

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

    /* Switching (issue 12). switching = 0: the layout could not be honoured
     * (the loader said why); the VMM then runs this OS alone and passes its
     * sleeps through. */
    uint8_t switching;
    uint8_t pad3[7];
    struct smx_layout layout;
    struct smx_store_info store;
    uint8_t master_key[32];   /* the image key (UEFI variable, boot services only) */
    /* Processors the firmware enabled, the boot CPU included (its MP
     * services); 0: unknown, the VMM looks for them itself. */
    uint32_t cpus;
    uint32_t pad4;
};
#define SMX_BOOT_DEBUG_EXITS 0x0001 /* log every VM exit (slow) */
#define SMX_BOOT_STORE_SELFTEST 0x0002 /* at each S3 request, write, read back and verify an image in the store */
#define SMX_BOOT_BENCH 0x0004 /* after a save or restore, raw slot I/O through the same store (its own rate, for make bench) */

_Static_assert(sizeof(struct smx_guest_entry) == 184, "smx_guest_entry layout");
_Static_assert(__builtin_offsetof(struct smx_guest_entry, ldtr) == SMX_GE_LDTR, "ldtr offset");
_Static_assert(__builtin_offsetof(struct smx_guest_entry, gdtr_limit) == SMX_GE_GDTR_LIMIT, "gdtr offset");
_Static_assert(__builtin_offsetof(struct smx_guest_entry, sysenter_eip) == SMX_GE_SYSENTER_EIP, "sysenter offset");

/* The VMM's entry point: returns only if it refused to start. */
typedef enum smx_start_error smx_vmm_entry_fn(struct smx_bootinfo *bi);

#endif /* __ASSEMBLY__ */

#endif
