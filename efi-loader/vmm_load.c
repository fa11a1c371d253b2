/* SPDX-License-Identifier: MIT */
#include "vmm_load.h"

#include <efilib.h>

#include "idmap.h"
#include "bootinfo.h"
#include "fmt.h"
#include "console.h"
#include "cpus.h"
#include "elf_check.h"
#include "files.h"
#include "layout.h"
#include "memmap.h"
#include "reserve.h"
#include "version.h"

#define VMM_PATH L"\\EFI\\sleepmux\\vmm.elf"
#define GIB (1ull << 30)
#define PAGE 4096ull
#define BELOW_4G 0xffffffffull
#define BELOW_1M 0x9ffffull /* conventional memory, under the EBDA and VGA hole */
/* The host tables map with 1 GiB pages where the CPU has them: CPUID
 * 80000001H EDX bit 26, Page1GB (AMD APM vol. 3 §E.4.2; Intel SDM vol. 2A,
 * CPUID), 2 MiB pages otherwise. */
#define CPUID_80000001_EDX_PAGE1GB (1u << 26)

enum smx_start_error smx_enter_vmm(smx_vmm_entry_fn *entry, struct smx_bootinfo *bi, uint64_t cr3,
                                   struct smx_guest_entry *ge);

static const char *start_error_str(enum smx_start_error e)
{
    switch (e) {
    case SMX_START_OK: return "started";
    case SMX_START_BAD_BOOTINFO: return "the VMM does not understand this loader's boot info (version mismatch)";
    case SMX_START_NO_VIRT: return "the CPU has no usable SVM or VMX (see the VMM log)";
    case SMX_START_NO_NESTED_PAGING: return "the CPU has no usable nested paging (NPT or EPT)";
    case SMX_START_VIRT_IN_USE: return "virtualization is already in use";
    case SMX_START_NO_MEMORY: return "the VMM region is too small";
    case SMX_START_NO_ACPI: return "no usable ACPI sleep registers (see the VMM log)";
    case SMX_START_UNSUPPORTED_CPU: return "no supported virtualization on this CPU";
    case SMX_START_BAD_CONFIG: return "the VMM rejected the config handed to it";
    case SMX_START_BAD_LAYOUT: return "the VMM rejected the memory layout handed to it";
    case SMX_START_NO_UNRESTRICTED_GUEST: return "the CPU's VMX has no unrestricted guest (needed to wake from S3)";
    case SMX_START_NO_VMX_FEATURE: return "the CPU's VMX lacks a control sleepmux needs (see the VMM log)";
    }
    return "unknown error";
}

struct bump {
    uint64_t next, end;
};

static uint64_t bump_page(void *ctx)
{
    struct bump *b = ctx;

    if (b->next + PAGE > b->end)
        return 0;
    uint64_t p = b->next;
    b->next += PAGE;
    SetMem((void *)(uintptr_t)p, PAGE, 0);
    return p;
}

/* A 2 MiB-aligned run of reserved pages below 4 GiB: over-allocate, then
 * give back the unaligned head and tail. */
static EFI_STATUS alloc_region(uint64_t bytes, uint64_t *base)
{
    EFI_PHYSICAL_ADDRESS a = BELOW_4G;
    UINTN pages = (bytes + SMX_REGION_ALIGN) / PAGE;
    EFI_STATUS st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress, EfiReservedMemoryType, pages, &a);

    if (EFI_ERROR(st))
        return st;
    uint64_t aligned = (a + SMX_REGION_ALIGN - 1) & ~(SMX_REGION_ALIGN - 1);
    uint64_t head = (aligned - a) / PAGE, tail = pages - head - bytes / PAGE;
    if (head)
        uefi_call_wrapper(BS->FreePages, 2, a, head);
    if (tail)
        uefi_call_wrapper(BS->FreePages, 2, aligned + bytes, tail);
    *base = aligned;
    return EFI_SUCCESS;
}

/* The firmware's memory map, simplified into the boot info; returns the
 * end of the highest range. */
static uint64_t copy_memmap(struct smx_bootinfo *bi)
{
    static struct smx_mem_range scratch[SMX_MEMMAP_MAX];
    size_t n;
    uint64_t top = loader_memmap(bi ? bi->memmap : scratch, SMX_MEMMAP_MAX, &n);

    if (bi) {
        size_t k, kept = n < SMX_MEMMAP_MAX ? n : SMX_MEMMAP_MAX;
        const struct smx_mem_range *un = loader_unassigned(&k);
        bi->memmap_count = (uint32_t)layout_tag(bi->memmap, kept, SMX_MEMMAP_MAX, un, k, SMX_MEM_UNASSIGNED);
    }
    if (bi && n > SMX_MEMMAP_MAX)
        loader_log("memory map has %llu entries, the VMM gets the first %d", (unsigned long long)n,
                   SMX_MEMMAP_MAX);
    return top;
}

static int cpu_has_1g_pages(void)
{
    uint32_t a, b, c, d;

    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000001u), "c"(0));
    return (d & CPUID_80000001_EDX_PAGE1GB) != 0;
}

EFI_STATUS loader_start_vmm(EFI_HANDLE device, const struct loader_vmm_params *p, char *why, UINTN whylen)
{
    void *file;
    UINTN size;
    struct elf_plan plan;
    char msg[160];
    EFI_STATUS st;
    uint64_t region_bytes = p->layout ? p->layout->region_size : p->region_bytes;

    st = loader_read_file(device, VMM_PATH, &file, &size);
    if (EFI_ERROR(st)) {
        smx_snprintf(why, whylen, "cannot read \\EFI\\sleepmux\\vmm.elf: %s", efi_status_str(st));
        return st;
    }
    if (elf_check(file, size, SMX_VMM_VBASE, region_bytes / 2, &plan, msg, sizeof msg) != ELF_OK) {
        smx_snprintf(why, whylen, "vmm.elf is not a valid VMM image: %s", msg);
        FreePool(file);
        return EFI_LOAD_ERROR;
    }

    uint64_t top = copy_memmap(NULL);
    uint64_t limit = top < 4 * GIB ? 4 * GIB : (top + GIB - 1) & ~(GIB - 1);
    if (limit > IDMAP_HOST_REACH) {
        /* The memory map reaches past what the host's identity map can
         * hold: map what it can, the rest stays out of the VMM's sight. */
        loader_log("memory reaches %#llx: the VMM maps physical memory up to %#llx only",
                   (unsigned long long)top, (unsigned long long)IDMAP_HOST_REACH);
        limit = IDMAP_HOST_REACH;
    }
    const enum idmap_leaf leaf = cpu_has_1g_pages() ? IDMAP_LEAF_1G : IDMAP_LEAF_2M;
    if (leaf == IDMAP_LEAF_2M)
        loader_log("the CPU has no 1 GiB pages: the VMM's tables use 2 MiB pages (%llu KiB)",
                   (unsigned long long)(idmap_table_pages(limit, leaf) * 4));
    uint64_t base;
    EFI_PHYSICAL_ADDRESS tramp = BELOW_1M;
    const int own = !p->layout; /* region and trampoline are ours to free */
    if (p->layout) {
        base = p->layout->region_base;
        tramp = p->layout->trampoline_base;
    } else {
        st = alloc_region(region_bytes, &base);
        if (EFI_ERROR(st)) {
            smx_snprintf(why, whylen, "cannot reserve %llu MiB below 4 GiB for the VMM: %s",
                         (unsigned long long)(region_bytes >> 20), efi_status_str(st));
            FreePool(file);
            return st;
        }
        st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress, EfiReservedMemoryType, 1, &tramp);
        if (EFI_ERROR(st)) {
            smx_snprintf(why, whylen, "cannot reserve a page below 1 MiB for the wake trampoline: %s",
                         efi_status_str(st));
            uefi_call_wrapper(BS->FreePages, 2, base, region_bytes / PAGE);
            FreePool(file);
            return st;
        }
    }

    /* The image, then the VMM's page tables, then the boot info. */
    SetMem((void *)(uintptr_t)base, plan.image_size, 0);
    for (unsigned i = 0; i < plan.nseg; i++)
        CopyMem((void *)(uintptr_t)(base + plan.seg[i].vaddr - SMX_VMM_VBASE),
                (const char *)file + plan.seg[i].offset, plan.seg[i].filesz);
    FreePool(file);
    struct bump b = { base + plan.image_size, base + region_bytes };
    uint64_t pml4 = idmap_build(limit, leaf, 0, bump_page, &b);
    if (!pml4 || idmap_map_2m(pml4, SMX_VMM_VBASE, base, region_bytes, 0, bump_page, &b)) {
        smx_snprintf(why, whylen, "the VMM region is too small for its page tables");
        if (own) {
            uefi_call_wrapper(BS->FreePages, 2, base, region_bytes / PAGE);
            uefi_call_wrapper(BS->FreePages, 2, tramp, 1);
        }
        return EFI_OUT_OF_RESOURCES;
    }
    struct smx_bootinfo *bi = (struct smx_bootinfo *)(uintptr_t)b.next;
    b.next += (sizeof *bi + PAGE - 1) & ~(PAGE - 1);
    SetMem(bi, sizeof *bi, 0);
    bi->magic = SMX_BOOTINFO_MAGIC;
    bi->version = SMX_BOOTINFO_VERSION;
    bi->size = sizeof *bi;
    bi->region_base = base;
    bi->region_size = region_bytes;
    bi->image_size = plan.image_size;
    bi->free_base = b.next;
    bi->host_cr3 = pml4;
    bi->trampoline_base = tramp;
    bi->max_phys = limit;
    bi->log_port = p->log_port;
    bi->flags = p->flags;
    CopyMem(&bi->config, p->config, sizeof bi->config);
    bi->os = p->os;
    /* Switching needs the layout and the key; the store the VMM judges
     * itself from bi->store. */
    bi->switching = p->layout && p->master_key;
    if (p->layout)
        bi->layout = *p->layout;
    if (p->store)
        bi->store = *p->store;
    if (p->master_key)
        CopyMem(bi->master_key, p->master_key, sizeof bi->master_key);
    /* Prefer the ACPI 2.0+ RSDP (it carries the XSDT), UEFI 2.10 §4.6. */
    EFI_GUID acpi20 = ACPI_20_TABLE_GUID, acpi10 = ACPI_TABLE_GUID;
    void *rsdp = NULL;
    if (!EFI_ERROR(LibGetSystemConfigurationTable(&acpi20, &rsdp)) && rsdp)
        bi->rsdp = (uint64_t)(uintptr_t)rsdp;
    else if (!EFI_ERROR(LibGetSystemConfigurationTable(&acpi10, &rsdp)) && rsdp)
        bi->rsdp = (uint64_t)(uintptr_t)rsdp;
    smx_snprintf(bi->loader_version, sizeof bi->loader_version, "%s", SMX_VERSION);
    bi->cpus = loader_cpu_count();
    copy_memmap(bi);

    loader_log("starting the VMM: region %#llx+%llu MiB, entry %#llx, trampoline %#llx", (unsigned long long)base,
               (unsigned long long)(region_bytes >> 20), (unsigned long long)plan.entry, (unsigned long long)tramp);
    enum smx_start_error e = smx_enter_vmm((smx_vmm_entry_fn *)(uintptr_t)plan.entry, bi, pml4, &bi->guest);
    if (e == SMX_START_OK)
        return EFI_SUCCESS; /* we are the guest now */
    smx_snprintf(why, whylen, "the VMM refused to start: %s", start_error_str(e));
    SetMem(bi->master_key, sizeof bi->master_key, 0);
    if (own) {
        uefi_call_wrapper(BS->FreePages, 2, base, region_bytes / PAGE);
        uefi_call_wrapper(BS->FreePages, 2, tramp, 1);
    }
    return EFI_UNSUPPORTED;
}
