/* SPDX-License-Identifier: MIT */
/*
 * Intel VT-x back end: enable VMX, build the guest's VMCS from the state
 * the loader captured (or from a waking vector after S3), and run the exit
 * loop. Intel SDM vol. 3C chapters 23-31.
 *
 * What exits, and why (everything else runs untouched):
 *   CPUID    always exits on VMX (§26.1.2): sleepmux's leaves, VMX hidden.
 *   I/O      only the ports subsystems claim (core/iotrap.c), through the
 *            I/O bitmaps: the PM1 control registers and the reset paths.
 *   MSR      through the MSR bitmaps, only IA32_FEATURE_CONTROL and the VMX
 *            capability MSRs (the guest sees a CPU whose VMX is off and
 *            locked). EFER and PAT need no trap: the VMCS switches them.
 *   CR0/CR4  only the bits VMX fixes (CR0.NE, CR4.VMXE: the CR0/CR4
 *            guest/host masks), so the guest reads what it wrote.
 *   VMX instructions, GETSEC  always exit; each gets #UD, as on a CPU
 *            without VMX and SMX.
 *   INVD, XSETBV  always exit (§26.1.2); done for the guest.
 *   triple fault  would otherwise reset the CPU under us.
 * SMIs need nothing: under the default SMM treatment an SMI in VMX
 * non-root operation runs SMM and returns to the guest (§32.14).
 * Interrupts and NMIs are not intercepted: they go to the guest's IDT.
 */
#include "vmx.h"

#include <string.h>

#include "../../../core/cpu_tables.h"
#include "../../../core/iotrap.h"
#include "../../../core/log.h"
#include "../../../core/mem.h"
#include "../../../core/smp.h"
#include "../apic.h"
#include "../../../core/vcpu.h"
#include "../../../core/vmm.h"
#include "../../x86/cpu.h"
#include "../mtrr.h"
#include "../segments.h"

struct vmx_shared vmx;

#define CR4_VMXE (1ull << 13)
#define CPUID_1_ECX_VMX (1u << 5)
#define PAT_DEFAULT 0x0007040600070406ull /* power-on PAT (SDM vol. 3A §11.12.4) */
#define DR7_INIT 0x400ull

extern char vmx_exit[]; /* vmx_run.S: where every VM exit lands */

/* A control word from its capability MSR (SDM vol. 3D §A.3-A.5): bits the
 * low half has set must be 1, bits the high half has clear must be 0. */
static uint32_t control(uint32_t msr, uint32_t want)
{
    uint64_t cap = rdmsr(msr);

    return (want | (uint32_t)cap) & (uint32_t)(cap >> 32);
}

/* The controls sleepmux needs; a missing one is named in the log. */
static int need(uint32_t have, uint32_t bit, const char *what)
{
    if (have & bit)
        return 1;
    smx_log("vmx", "the CPU's VMX lacks %s", what);
    return 0;
}

static enum smx_start_error vmx_probe(void)
{
    if (!(cpuid(1, 0).ecx & CPUID_1_ECX_VMX)) {
        smx_log("vmx", "CPU has no VMX");
        return SMX_START_NO_VIRT;
    }
    uint64_t fc = rdmsr(MSR_FEATURE_CONTROL);
    if ((fc & FEATURE_CONTROL_LOCK) && !(fc & FEATURE_CONTROL_VMXON_OUTSIDE_SMX)) {
        smx_log("vmx", "VMX is disabled by firmware (IA32_FEATURE_CONTROL locked without VMXON outside SMX): "
                "enable VT-x in the firmware setup");
        return SMX_START_NO_VIRT;
    }
    if (read_cr4() & CR4_VMXE) {
        smx_log("vmx", "CR4.VMXE already set: another hypervisor owns this CPU");
        return SMX_START_VIRT_IN_USE;
    }
    uint64_t basic = rdmsr(MSR_VMX_BASIC);
    if (VMX_BASIC_MEMTYPE(basic) != MT_WB) {
        smx_log("vmx", "the VMCS must be write-back memory, the CPU wants type %u", (unsigned)VMX_BASIC_MEMTYPE(basic));
        return SMX_START_NO_VMX_FEATURE;
    }
    const int t = (basic & VMX_BASIC_TRUE_CTLS) != 0;
    uint32_t proc = control(t ? MSR_VMX_TRUE_PROCBASED : MSR_VMX_PROCBASED,
                            PROC_SECONDARY | PROC_USE_IO_BITMAPS | PROC_USE_MSR_BITMAPS);
    if (!need(proc, PROC_SECONDARY, "secondary processor-based controls (no EPT)"))
        return SMX_START_NO_NESTED_PAGING;
    /* IA32_VMX_PROCBASED_CTLS2 exists only with secondary controls, and
     * IA32_VMX_EPT_VPID_CAP only with EPT or VPID among them (§A.3.3, §A.10):
     * reading either otherwise is a #GP. */
    uint32_t proc2 = control(MSR_VMX_PROCBASED2, PROC2_EPT | PROC2_UNRESTRICTED);
    if (!need(proc2, PROC2_EPT, "EPT (extended page tables): no EPT"))
        return SMX_START_NO_NESTED_PAGING;
    uint64_t ept = rdmsr(MSR_VMX_EPT_VPID_CAP);
    if (!need((uint32_t)ept, EPT_CAP_WALK4, "4-level EPT") || !need((uint32_t)ept, EPT_CAP_WB, "write-back EPT tables") ||
        !need((uint32_t)ept, EPT_CAP_INVEPT, "INVEPT"))
        return SMX_START_NO_NESTED_PAGING;
    if (!need(proc2, PROC2_UNRESTRICTED, "unrestricted guest (real-mode wake-up): no unrestricted guest"))
        return SMX_START_NO_UNRESTRICTED_GUEST;
    uint32_t ex = control(t ? MSR_VMX_TRUE_EXIT : MSR_VMX_EXIT,
                            EXIT_HOST_64 | EXIT_SAVE_EFER | EXIT_LOAD_EFER | EXIT_SAVE_PAT | EXIT_LOAD_PAT);
    uint32_t entry = control(t ? MSR_VMX_TRUE_ENTRY : MSR_VMX_ENTRY, ENTRY_LOAD_EFER | ENTRY_LOAD_PAT);
    if (!need(proc, PROC_USE_IO_BITMAPS, "I/O bitmaps") || !need(proc, PROC_USE_MSR_BITMAPS, "MSR bitmaps") ||
        !need(ex, EXIT_HOST_64, "a 64-bit host") ||
        !need(ex, EXIT_SAVE_EFER, "saving EFER on exit") || !need(ex, EXIT_LOAD_EFER, "loading EFER on exit") ||
        !need(entry, ENTRY_LOAD_EFER, "loading EFER on entry") || !need(ex, EXIT_SAVE_PAT, "saving PAT on exit") ||
        !need(ex, EXIT_LOAD_PAT, "loading PAT on exit") || !need(entry, ENTRY_LOAD_PAT, "loading PAT on entry"))
        return SMX_START_NO_VMX_FEATURE;
    smx_log("vmx", "VMX rev %u, EPT%s, unrestricted guest%s%s", VMX_BASIC_REVISION(basic),
            ept & EPT_CAP_1G ? " with 1 GiB pages" : " (2 MiB pages)", t ? ", true controls" : "",
            (fc & FEATURE_CONTROL_LOCK) ? "" : "; IA32_FEATURE_CONTROL unlocked: sleepmux locks it");
    return SMX_START_OK;
}

static void io_trap(uint16_t port, unsigned len)
{
    for (unsigned p = port; p < port + len && p < 0x10000; p++)
        vmx.io_bitmap[p / 8] |= (uint8_t)(1u << (p % 8));
}

/* MSR bitmap (§24.6.9): read bits for 0-1fff, read bits for
 * c0000000-c0001fff, then the same two for writes, 1 KiB each. */
static void msr_trap_rw(uint32_t msr, unsigned rw)
{
    uint32_t base;

    if (msr <= 0x1fffu)
        base = 0;
    else if (msr >= 0xc0000000u && msr <= 0xc0001fffu)
        base = 1024, msr -= 0xc0000000u;
    else
        return; /* outside both ranges every access exits anyway */
    if (rw & 1)
        vmx.msr_bitmap[base + msr / 8] |= (uint8_t)(1u << (msr % 8));
    if (rw & 2)
        vmx.msr_bitmap[2048 + base + msr / 8] |= (uint8_t)(1u << (msr % 8));
}

static void msr_trap(uint32_t msr)
{
    msr_trap_rw(msr, 3);
}

static enum smx_start_error vmx_init(const struct smx_bootinfo *bi)
{
    vmx.io_bitmap = mem_alloc_pages(2);
    vmx.msr_bitmap = mem_alloc_pages(1);
    if (!vmx.io_bitmap || !vmx.msr_bitmap)
        return SMX_START_NO_MEMORY;
    uint64_t basic = rdmsr(MSR_VMX_BASIC);
    const int t = (basic & VMX_BASIC_TRUE_CTLS) != 0;
    vmx.revision = VMX_BASIC_REVISION(basic);
    /* No interrupt or HLT exits: the guest owns them. NMIs exit, because
     * one may be another CPU's kick (core/smp.c); the guest's own are
     * injected back. Where the CPU has them, RDTSCP, INVPCID and XSAVES
     * stay usable: without these controls they would raise #UD in a guest
     * CPUID told has them. */
    vmx.pin = control(t ? MSR_VMX_TRUE_PINBASED : MSR_VMX_PINBASED, PIN_NMI_EXITING);
    vmx.proc = control(t ? MSR_VMX_TRUE_PROCBASED : MSR_VMX_PROCBASED,
                       PROC_SECONDARY | PROC_USE_IO_BITMAPS | PROC_USE_MSR_BITMAPS);
    vmx.proc2 = control(MSR_VMX_PROCBASED2,
                        PROC2_EPT | PROC2_UNRESTRICTED | PROC2_RDTSCP | PROC2_INVPCID | PROC2_XSAVES);
    vmx.exit = control(t ? MSR_VMX_TRUE_EXIT : MSR_VMX_EXIT,
                       EXIT_HOST_64 | EXIT_SAVE_EFER | EXIT_LOAD_EFER | EXIT_SAVE_PAT | EXIT_LOAD_PAT);
    vmx.entry = control(t ? MSR_VMX_TRUE_ENTRY : MSR_VMX_ENTRY, ENTRY_LOAD_EFER | ENTRY_LOAD_PAT) & ~ENTRY_IA32E_GUEST;
    vmx.cr0_fixed0 = rdmsr(MSR_VMX_CR0_FIXED0);
    vmx.cr0_fixed1 = rdmsr(MSR_VMX_CR0_FIXED1);
    vmx.cr4_fixed0 = rdmsr(MSR_VMX_CR4_FIXED0);
    vmx.cr4_fixed1 = rdmsr(MSR_VMX_CR4_FIXED1);
    /* Unrestricted guest frees PE and PG (§26.3.1.1); what stays fixed is
     * the guest's only by its read shadow. */
    vmx.cr0_mask = vmx.cr0_fixed0 & ~(CR0_PE | CR0_PG);
    vmx.cr4_mask = vmx.cr4_fixed0 | CR4_VMXE;
    vmx.ept_cap = rdmsr(MSR_VMX_EPT_VPID_CAP);
    vmx.page1g = (vmx.ept_cap & EPT_CAP_1G) != 0;
    io_trap_each(io_trap);
    msr_trap(MSR_FEATURE_CONTROL);
    for (uint32_t m = MSR_VMX_FIRST; m <= MSR_VMX_LAST; m++)
        msr_trap(m);
    msr_trap_rw(MSR_X2APIC_ICR, 2); /* INIT and start-up IPIs in x2APIC mode (core/smp.c) */
    (void)bi;
    return SMX_START_OK;
}

/* VMXON on this CPU (§23.7): IA32_FEATURE_CONTROL allowing it (firmware
 * that left it unlocked, as OVMF does, gets it set and locked here, as
 * firmware with VT-x enabled would), CR0 and CR4 within VMX's fixed bits. */
static int enable_vmx(struct vmx_cpu *v)
{
    uint64_t fc = rdmsr(MSR_FEATURE_CONTROL);

    if (!(fc & FEATURE_CONTROL_LOCK))
        wrmsr(MSR_FEATURE_CONTROL, fc | FEATURE_CONTROL_VMXON_OUTSIDE_SMX | FEATURE_CONTROL_LOCK);
    uint64_t cr4 = read_cr4();
    write_cr0((read_cr0() | vmx.cr0_fixed0) & vmx.cr0_fixed1);
    write_cr4((cr4 | vmx.cr4_fixed0 | CR4_VMXE) & vmx.cr4_fixed1);
    *(uint32_t *)v->vmxon = vmx.revision;
    if (vmx_on(mem_phys(v->vmxon))) {
        write_cr4(cr4);
        smx_log("vmx", "VMXON failed");
        return -1;
    }
    return 0;
}

static enum smx_start_error vmx_cpu_init(struct pcpu *c)
{
    struct vmx_cpu *v = mem_alloc_pages(1);

    if (!v)
        return SMX_START_NO_MEMORY;
    v->vmxon = mem_alloc_pages(1);
    v->vmcs = mem_alloc_pages(1);
    if (!v->vmxon || !v->vmcs)
        return SMX_START_NO_MEMORY;
    c->arch = v;
    return SMX_START_OK;
}

static void vmx_trap_io(uint16_t port, unsigned len)
{
    if (vmx.io_bitmap)
        io_trap(port, len);
}

/* The descriptor-format attributes (x86/segments.h) as VMX access rights
 * (§24.4.1, table 24-2): type/S/DPL/P stay in bits 7:0, AVL/L/D/G move
 * from 11:8 to 15:12; "unusable" replaces a null selector's zero. A loaded
 * code or data segment has its accessed bit set, which VM entry checks. */
static uint32_t vmx_ar(uint16_t attrib)
{
    if (!attrib)
        return AR_UNUSABLE;
    uint32_t ar = (attrib & 0xffu) | ((uint32_t)(attrib & 0xf00u) << 4);
    return ar & AR_S ? ar | AR_ACCESSED : ar;
}

#define SEG_FIELDS(n) { GUEST_##n##_SEL, GUEST_##n##_LIMIT, GUEST_##n##_AR, GUEST_##n##_BASE }
enum seg_index { S_ES, S_CS, S_SS, S_DS, S_FS, S_GS, S_LDTR, S_TR };
static const enum vmcs_field seg_fields[8][4] = {
    SEG_FIELDS(ES), SEG_FIELDS(CS), SEG_FIELDS(SS), SEG_FIELDS(DS),
    SEG_FIELDS(FS), SEG_FIELDS(GS), SEG_FIELDS(LDTR), SEG_FIELDS(TR),
};

static void set_seg(enum seg_index i, struct smx_seg s)
{
    vmwrite(seg_fields[i][0], s.sel);
    vmwrite(seg_fields[i][1], s.limit);
    vmwrite(seg_fields[i][2], vmx_ar(s.attrib));
    vmwrite(seg_fields[i][3], s.base);
}

/* The host's TSS base, from its descriptor in the VMM's GDT. */
static uint64_t tss_base(uint64_t gdt)
{
    const uint64_t *d = (const uint64_t *)(uintptr_t)(gdt + SEL_TSS);

    return ((d[0] >> 16) & 0xffffff) | ((d[0] >> 32) & 0xff000000) | (d[1] << 32);
}

/* A fresh VMCS with the controls and the host state: the same for every
 * entry of a launch; the guest state is the caller's. */
static void setup_vmcs(struct pcpu *c)
{
    struct vmx_cpu *v = vmx_of(c);
    struct dtr gdtr, idtr;

    vmx_clear(mem_phys(v->vmcs));
    memset(v->vmcs, 0, 4096);
    *(uint32_t *)v->vmcs = vmx.revision;
    if (vmx_ptrld(mem_phys(v->vmcs)))
        smx_panic("vmx: VMPTRLD failed");
    v->launched = 0;
    v->entered_view = 0;

    vmwrite(PIN_CONTROLS, vmx.pin);
    vmwrite(PROC_CONTROLS, vmx.proc);
    vmwrite(PROC2_CONTROLS, vmx.proc2);
    vmwrite(EXIT_CONTROLS, vmx.exit);
    vmwrite(ENTRY_CONTROLS, vmx.entry);
    vmwrite(EXCEPTION_BITMAP, 0);
    vmwrite(CR3_TARGET_COUNT, 0);
    vmwrite(EXIT_MSR_STORE_COUNT, 0);
    vmwrite(EXIT_MSR_LOAD_COUNT, 0);
    vmwrite(ENTRY_MSR_LOAD_COUNT, 0);
    vmwrite(ENTRY_INTR_INFO, 0);
    vmwrite(IO_BITMAP_A, mem_phys(vmx.io_bitmap));
    vmwrite(IO_BITMAP_B, mem_phys(vmx.io_bitmap) + 4096);
    vmwrite(MSR_BITMAP, mem_phys(vmx.msr_bitmap));
    vmwrite(CR0_GUEST_HOST_MASK, vmx.cr0_mask);
    vmwrite(CR4_GUEST_HOST_MASK, vmx.cr4_mask);
    vmwrite(VMCS_LINK_POINTER, ~0ull);

    __asm__ volatile("sgdt %0; sidt %1" : "=m"(gdtr), "=m"(idtr));
    vmwrite(HOST_CR0, read_cr0());
    vmwrite(HOST_CR3, read_cr3());
    vmwrite(HOST_CR4, read_cr4());
    vmwrite(HOST_CS_SEL, SEL_CODE64);
    vmwrite(HOST_SS_SEL, SEL_DATA);
    vmwrite(HOST_DS_SEL, SEL_DATA);
    vmwrite(HOST_ES_SEL, SEL_DATA);
    vmwrite(HOST_FS_SEL, 0);
    vmwrite(HOST_GS_SEL, 0);
    vmwrite(HOST_TR_SEL, SEL_TSS);
    vmwrite(HOST_FS_BASE, rdmsr(MSR_FS_BASE));
    vmwrite(HOST_GS_BASE, rdmsr(MSR_GS_BASE));
    vmwrite(HOST_TR_BASE, tss_base(gdtr.base));
    vmwrite(HOST_GDTR_BASE, gdtr.base);
    vmwrite(HOST_IDTR_BASE, idtr.base);
    vmwrite(HOST_SYSENTER_CS, rdmsr(MSR_SYSENTER_CS));
    vmwrite(HOST_SYSENTER_ESP, rdmsr(MSR_SYSENTER_ESP));
    vmwrite(HOST_SYSENTER_EIP, rdmsr(MSR_SYSENTER_EIP));
    vmwrite(HOST_EFER, rdmsr(MSR_EFER));
    vmwrite(HOST_PAT, rdmsr(MSR_PAT));
    vmwrite(HOST_RIP, (uint64_t)(uintptr_t)vmx_exit);

    vmwrite(GUEST_DEBUGCTL, 0);
    vmwrite(GUEST_DR7, DR7_INIT);
    vmwrite(GUEST_INTERRUPTIBILITY, 0);
    vmwrite(GUEST_ACTIVITY, 0);
    vmwrite(GUEST_PENDING_DBG, 0);
    memset(&v->gprs, 0, sizeof v->gprs);
}

/* Guest CR0 and CR4: what the guest asked for is its read shadow; the real
 * register has VMX's fixed bits too. */
static void set_guest_cr0(uint64_t cr0)
{
    vmwrite(GUEST_CR0, (cr0 | (vmx.cr0_fixed0 & vmx.cr0_mask)) & vmx.cr0_fixed1);
    vmwrite(CR0_READ_SHADOW, cr0);
}

static void set_guest_cr4(uint64_t cr4)
{
    vmwrite(GUEST_CR4, (cr4 | vmx.cr4_fixed0 | CR4_VMXE) & vmx.cr4_fixed1);
    vmwrite(CR4_READ_SHADOW, cr4);
}

__attribute__((noreturn)) static void bad_entry(struct pcpu *c, const char *why)
{
    smx_log("vmx", "VM entry failed: %s (VM-instruction error %llu, exit reason %#llx)", why,
            (unsigned long long)vmread(VM_INSN_ERROR), (unsigned long long)vmread(EXIT_REASON));
    smx_log("vmx", "cr0 %#llx cr3 %#llx cr4 %#llx efer %#llx rip %#llx rsp %#llx rflags %#llx",
            (unsigned long long)vmread(GUEST_CR0), (unsigned long long)vmread(GUEST_CR3),
            (unsigned long long)vmread(GUEST_CR4), (unsigned long long)vmread(GUEST_EFER),
            (unsigned long long)vmread(GUEST_RIP), (unsigned long long)vmread(GUEST_RSP),
            (unsigned long long)vmread(GUEST_RFLAGS));
    smx_panic("vmx: cs %04llx/%05llx ss %04llx/%05llx tr %04llx/%05llx entry controls %#llx",
              (unsigned long long)vmread(GUEST_CS_SEL), (unsigned long long)vmread(GUEST_CS_AR),
              (unsigned long long)vmread(GUEST_SS_SEL), (unsigned long long)vmread(GUEST_SS_AR),
              (unsigned long long)vmread(GUEST_TR_SEL), (unsigned long long)vmread(GUEST_TR_AR),
              (unsigned long long)vmread(ENTRY_CONTROLS));
    (void)c;
}

__attribute__((noreturn)) static void run_loop(struct pcpu *c)
{
    struct vmx_cpu *v = vmx_of(c);

    for (;;) {
        /* An NMI the VMM caught is the guest's; if another event is being
         * injected, the NMI waits for the next entry. */
        if (c->nmi_pending && !(vmread(ENTRY_INTR_INFO) & INTR_INFO_VALID)) {
            vmwrite(ENTRY_INTR_INFO, INTR_INFO_VALID | INTR_TYPE_NMI | X86_NMI);
            c->nmi_pending = 0;
        }
        /* Guest-physical translations are tagged with the EPT root: a view
         * seen before may have cached entries from another launch. Flush
         * on the first entry and when the view changes. */
        if (v->entered_view != c->view) {
            uint64_t eptp = c->view | EPTP_WALK4 | EPTP_WB;
            vmwrite(EPT_POINTER, eptp);
            if (vmx.ept_cap & EPT_CAP_INVEPT_ALL)
                vmx_invept(INVEPT_ALL, 0);
            else
                vmx_invept(INVEPT_SINGLE, eptp);
            v->entered_view = c->view;
        }
        if (vmx_run(&v->gprs, v->launched))
            bad_entry(c, v->launched ? "VMRESUME" : "VMLAUNCH");
        v->launched = 1;
        vmx_handle_exit(c);
        smp_after_exit(c);
    }
}

static void ia32e_from_efer(uint64_t efer)
{
    vmwrite(ENTRY_CONTROLS, (efer & EFER_LMA) ? vmx.entry | ENTRY_IA32E_GUEST : vmx.entry);
}

__attribute__((noreturn)) static void vmx_run_boot(struct pcpu *c, const struct smx_guest_entry *ge)
{
    setup_vmcs(c);
    set_seg(S_CS, seg_from_gdt(ge->gdtr_base, ge->gdtr_limit, ge->cs, 0));
    set_seg(S_SS, seg_from_gdt(ge->gdtr_base, ge->gdtr_limit, ge->ss, 0));
    set_seg(S_DS, seg_from_gdt(ge->gdtr_base, ge->gdtr_limit, ge->ds, 0));
    set_seg(S_ES, seg_from_gdt(ge->gdtr_base, ge->gdtr_limit, ge->es, 0));
    set_seg(S_FS, seg_from_gdt(ge->gdtr_base, ge->gdtr_limit, ge->fs, 0));
    set_seg(S_GS, seg_from_gdt(ge->gdtr_base, ge->gdtr_limit, ge->gs, 0));
    set_seg(S_LDTR, seg_from_gdt(ge->gdtr_base, ge->gdtr_limit, ge->ldtr, 1));
    struct smx_seg tr = seg_from_gdt(ge->gdtr_base, ge->gdtr_limit, ge->tr, 1);
    /* VM entry wants a busy TSS (§26.3.1.2); a null TR (firmware that never
     * loaded one) gets the state a CPU has after reset. */
    if (!tr.attrib)
        tr = (struct smx_seg){ .attrib = SEG_ATTR_TSS_BUSY, .limit = 0xffff };
    tr.attrib |= AR_TSS_BUSY_BIT;
    set_seg(S_TR, tr);
    vmwrite(GUEST_FS_BASE, ge->fs_base);
    vmwrite(GUEST_GS_BASE, ge->gs_base);
    vmwrite(GUEST_GDTR_BASE, ge->gdtr_base);
    vmwrite(GUEST_GDTR_LIMIT, ge->gdtr_limit);
    vmwrite(GUEST_IDTR_BASE, ge->idtr_base);
    vmwrite(GUEST_IDTR_LIMIT, ge->idtr_limit);
    set_guest_cr0(ge->cr0);
    set_guest_cr4(ge->cr4);
    vmwrite(GUEST_CR3, ge->cr3);
    vmwrite(GUEST_EFER, ge->efer);
    ia32e_from_efer(ge->efer);
    vmwrite(GUEST_PAT, ge->pat);
    vmwrite(GUEST_RFLAGS, ge->rflags);
    vmwrite(GUEST_RIP, ge->rip);
    vmwrite(GUEST_RSP, ge->rsp);
    vmwrite(GUEST_SYSENTER_CS, ge->sysenter_cs);
    vmwrite(GUEST_SYSENTER_ESP, ge->sysenter_esp);
    vmwrite(GUEST_SYSENTER_EIP, ge->sysenter_eip);
    /* VMX does not switch the syscall MSRs: the guest's are the real ones,
     * which the VMM never uses. */
    wrmsr(MSR_STAR, ge->star);
    wrmsr(MSR_LSTAR, ge->lstar);
    wrmsr(MSR_CSTAR, ge->cstar);
    wrmsr(MSR_SFMASK, ge->sfmask);
    wrmsr(MSR_KERNEL_GS_BASE, ge->kernel_gs_base);
    vmx_of(c)->gprs.rax = 0; /* the loader's call to the VMM "returns" SMX_START_OK */
    run_loop(c);
}

static enum smx_start_error vmx_resume(struct pcpu *c)
{
    /* At first, and after a reset: VMX is off and CR4.VMXE clear. */
    return enable_vmx(vmx_of(c)) ? SMX_START_VIRT_IN_USE : SMX_START_OK;
}

/* VMX root operation blocks nothing: an NMI (another CPU's kick) wakes
 * the HLT directly. */
static void vmx_idle(struct pcpu *c, volatile uint32_t *until)
{
    (void)c;
    cpu_idle_wait(until);
}

static void vmx_guest_context(struct pcpu *c, struct vcpu_context *x)
{
    const struct vmx_gprs *g = &vmx_of(c)->gprs;

    *x = (struct vcpu_context){
        .gpr = { g->rax, g->rcx, g->rdx, g->rbx, vmread(GUEST_RSP), g->rbp, g->rsi, g->rdi, g->r8, g->r9, g->r10,
                 g->r11, g->r12, g->r13, g->r14, g->r15 },
        .rip = vmread(GUEST_RIP), .rflags = vmread(GUEST_RFLAGS), .cr0 = vmread(CR0_READ_SHADOW),
        .cr3 = vmread(GUEST_CR3), .cr4 = vmread(CR4_READ_SHADOW), .efer = vmread(GUEST_EFER),
    };
}

__attribute__((noreturn)) static void vmx_run_wake(struct pcpu *c, const struct wake_entry *we)
{
    setup_vmcs(c);
    if (we->mode == WAKE_REAL16) {
        uint16_t seg = (uint16_t)(we->vector >> 4);
        set_seg(S_CS, seg_real(seg, SEG_ATTR_CODE16));
        set_seg(S_SS, seg_real(seg, SEG_ATTR_DATA16));
        set_seg(S_DS, seg_real(seg, SEG_ATTR_DATA16));
        set_seg(S_ES, seg_real(seg, SEG_ATTR_DATA16));
        set_seg(S_FS, seg_real(seg, SEG_ATTR_DATA16));
        set_seg(S_GS, seg_real(seg, SEG_ATTR_DATA16));
        vmwrite(GUEST_RIP, we->vector & 0xf);
        set_guest_cr0(CR0_ET);
    } else {
        struct smx_seg code = { .sel = 0x08, .attrib = SEG_ATTR_CODE32, .limit = 0xffffffff };
        struct smx_seg data = { .sel = 0x10, .attrib = SEG_ATTR_DATA32, .limit = 0xffffffff };
        set_seg(S_CS, code);
        set_seg(S_SS, data);
        set_seg(S_DS, data);
        set_seg(S_ES, data);
        set_seg(S_FS, data);
        set_seg(S_GS, data);
        vmwrite(GUEST_RIP, we->vector);
        set_guest_cr0(CR0_ET | CR0_PE);
    }
    set_seg(S_LDTR, (struct smx_seg){ .attrib = SEG_ATTR_LDT, .limit = 0xffff });
    set_seg(S_TR, (struct smx_seg){ .attrib = SEG_ATTR_TSS_BUSY, .limit = 0xffff });
    vmwrite(GUEST_GDTR_BASE, 0);
    vmwrite(GUEST_GDTR_LIMIT, 0xffff);
    vmwrite(GUEST_IDTR_BASE, 0);
    vmwrite(GUEST_IDTR_LIMIT, 0x3ff); /* the real-mode IVT */
    set_guest_cr4(0);
    vmwrite(GUEST_CR3, 0);
    vmwrite(GUEST_EFER, 0);
    ia32e_from_efer(0);
    vmwrite(GUEST_PAT, PAT_DEFAULT);
    vmwrite(GUEST_RFLAGS, RFLAGS_RESERVED1); /* interrupts off, as firmware leaves them */
    vmwrite(GUEST_RSP, 0);
    vmwrite(GUEST_SYSENTER_CS, 0);
    vmwrite(GUEST_SYSENTER_ESP, 0);
    vmwrite(GUEST_SYSENTER_EIP, 0);
    run_loop(c);
}

void vmx_inject(struct pcpu *c, uint8_t vector, int has_error, uint32_t error)
{
    vmwrite(ENTRY_INTR_INFO, INTR_INFO_VALID | INTR_TYPE_HW_EXCEPTION | vector |
                             (has_error ? INTR_INFO_ERROR_VALID : 0));
    if (has_error)
        vmwrite(ENTRY_EXCEPTION_ERROR, error);
    (void)c;
}

const struct vcpu_ops vmx_ops = {
    .name = "vmx",
    .probe = vmx_probe,
    .init = vmx_init,
    .cpu_init = vmx_cpu_init,
    .trap_io = vmx_trap_io,
    .view_build = vmx_view_build,
    .run_boot = vmx_run_boot,
    .resume = vmx_resume,
    .run_wake = vmx_run_wake,
    .inject_exception = vmx_inject,
    .idle = vmx_idle,
    .guest_context = vmx_guest_context,
};
