/* SPDX-License-Identifier: MIT */
/*
 * AMD SVM back end: enable SVM, build the guest's VMCB from the state the
 * loader captured (or from a waking vector after S3), and run the exit loop.
 * AMD64 APM vol. 2 chapter 15.
 *
 * What is intercepted, and why (everything else runs untouched):
 *   VMRUN, VMMCALL, VMLOAD, VMSAVE, STGI, CLGI, SKINIT, INVLPGA
 *       the guest must not run SVM itself (VMRUN intercept is also
 *       mandatory, §15.5.1); each gets #UD, as on a CPU without SVM.
 *   CPUID    to hide SVM and describe sleepmux (core/cpuid.c).
 *   MSR      EFER (hide SVME, which must stay set while the guest runs),
 *            VM_CR and VM_HSAVE_PA (report SVM as disabled and locked).
 *   IOIO     only the ports subsystems claim (core/iotrap.c): the PM1
 *            control registers and the reset paths.
 *   SMI      an SMI taken in guest mode would run SMM with the guest's
 *            intercepts active; intercepted, it stays pending and is taken
 *            in host mode at the STGI after the exit (§15.13.3).
 *   SHUTDOWN a triple fault would otherwise reset the CPU under us.
 */
#include "svm.h"

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
#include "../../x86/efer.h"
#include "../segments.h"
#include "svm_step.h"

struct svm_shared svm;

#define GUEST_ASID 1
#define PAT_DEFAULT 0x0007040600070406ull /* power-on PAT (APM vol. 2 §7.8.1) */
#define DR6_INIT 0xffff0ff0ull
#define DR7_INIT 0x400ull

static enum smx_start_error svm_probe(void)
{
    struct cpuid_regs ext = cpuid(0x80000000u, 0);

    if (ext.eax < 0x8000000au || !(cpuid(0x80000001u, 0).ecx & CPUID_80000001_ECX_SVM)) {
        smx_log("svm", "CPU has no SVM");
        return SMX_START_NO_VIRT;
    }
    if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS) {
        smx_log("svm", "SVM is disabled by firmware (VM_CR.SVMDIS): enable it in the firmware setup");
        return SMX_START_NO_VIRT;
    }
    struct cpuid_regs f = cpuid(0x8000000au, 0);
    if (!(f.edx & CPUID_8000000A_EDX_NP)) {
        smx_log("svm", "SVM without nested paging is not supported");
        return SMX_START_NO_NESTED_PAGING;
    }
    if (rdmsr(MSR_EFER) & EFER_SVME) {
        smx_log("svm", "EFER.SVME already set: another hypervisor owns this CPU");
        return SMX_START_VIRT_IN_USE;
    }
    smx_log("svm", "SVM rev %u, %u ASIDs, nested paging%s%s", f.eax & 0xff, f.ebx,
            f.edx & CPUID_8000000A_EDX_NRIPS ? ", next-RIP save" : "",
            cpuid(0x80000001u, 0).edx & CPUID_80000001_EDX_PAGE1GB ? "" : ", no 1 GiB pages");
    return SMX_START_OK;
}

static void iopm_trap(uint16_t port, unsigned len)
{
    for (unsigned p = port; p < port + len && p < 0x10000; p++)
        svm.iopm[p / 8] |= (uint8_t)(1u << (p % 8));
}

/* MSRPM: two bits per MSR (read, write) in three 2 KiB ranges (§15.11);
 * `rw` 1 traps reads, 2 writes, 3 both. */
static void msrpm_trap(uint32_t msr, unsigned rw)
{
    uint32_t base;

    if (msr <= 0x1fffu)
        base = 0;
    else if (msr >= 0xc0000000u && msr <= 0xc0001fffu)
        base = 0x800 * 8, msr -= 0xc0000000u;
    else if (msr >= 0xc0010000u && msr <= 0xc0011fffu)
        base = 0x1000 * 8, msr -= 0xc0010000u;
    else
        return;
    uint32_t bit = base + msr * 2;
    svm.msrpm[bit / 8] |= (uint8_t)(rw << (bit % 8));
}

static void enable_svm(struct svm_cpu *v)
{
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
    wrmsr(MSR_VM_HSAVE_PA, mem_phys(v->hsave));
}

/* The CPUID words EFER's bits depend on, as this CPU reports them. */
static struct efer_cpuid efer_cpuid_now(void)
{
    uint32_t max = cpuid(0x80000000u, 0).eax;
    struct cpuid_regs e1 = cpuid(0x80000001u, 0);

    return (struct efer_cpuid){
        .ext1_ecx = e1.ecx,
        .ext1_edx = e1.edx,
        .ext8_ebx = max >= 0x80000008u ? cpuid(0x80000008u, 0).ebx : 0,
        .ext21_eax = max >= 0x80000021u ? cpuid(0x80000021u, 0).eax : 0,
    };
}

static enum smx_start_error svm_init(const struct smx_bootinfo *bi)
{
    svm.iopm = mem_alloc_pages(SVM_IOPM_SIZE / 4096);
    svm.msrpm = mem_alloc_pages(SVM_MSRPM_SIZE / 4096);
    if (!svm.iopm || !svm.msrpm)
        return SMX_START_NO_MEMORY;
    svm.page1g = (cpuid(0x80000001u, 0).edx & CPUID_80000001_EDX_PAGE1GB) != 0;
    svm.nrips = (cpuid(0x8000000au, 0).edx & CPUID_8000000A_EDX_NRIPS) != 0;
    struct efer_cpuid ec = efer_cpuid_now();
    svm.efer_writable = efer_guest_writable(&ec);
    io_trap_each(iopm_trap);
    msrpm_trap(MSR_EFER, 3);
    msrpm_trap(MSR_VM_CR, 3);
    msrpm_trap(MSR_VM_HSAVE_PA, 3);
    msrpm_trap(MSR_X2APIC_ICR, 2); /* INIT and start-up IPIs in x2APIC mode (core/smp.c) */
    return SMX_START_OK;
}

static enum smx_start_error svm_cpu_init(struct pcpu *c)
{
    struct svm_cpu *v = mem_alloc_pages(1);

    if (!v)
        return SMX_START_NO_MEMORY;
    v->vmcb = mem_alloc_pages(1);
    v->host = mem_alloc_pages(1);
    v->hsave = mem_alloc_pages(1);
    if (!v->vmcb || !v->host || !v->hsave)
        return SMX_START_NO_MEMORY;
    c->arch = v;
    return SMX_START_OK;
}

static void svm_trap_io(uint16_t port, unsigned len)
{
    if (svm.iopm)
        iopm_trap(port, len);
}

static void svm_untrap_io(uint16_t port, unsigned len)
{
    for (unsigned p = port; svm.iopm && p < port + len && p < 0x10000; p++)
        svm.iopm[p / 8] &= (uint8_t)~(1u << (p % 8));
}

static void set_seg(struct vmcb_seg *v, struct smx_seg s)
{
    v->sel = s.sel;
    v->attrib = s.attrib;
    v->limit = s.limit;
    v->base = s.base;
}

/* The control area is the same for every entry: set it once per launch. */
static void setup_control(struct pcpu *c)
{
    struct vmcb *vmcb = svm_of(c)->vmcb;
    struct vmcb_control *ctl = &vmcb->ctl;

    memset(vmcb, 0, sizeof *vmcb);
    ctl->intercept_misc1 = SVM_INTERCEPT_CPUID | SVM_INTERCEPT_IOIO_PROT | SVM_INTERCEPT_MSR_PROT |
                           SVM_INTERCEPT_SMI | SVM_INTERCEPT_SHUTDOWN | SVM_INTERCEPT_INVLPGA |
                           SVM_INTERCEPT_NMI;
    ctl->intercept_misc2 = SVM_INTERCEPT_VMRUN | SVM_INTERCEPT_VMMCALL | SVM_INTERCEPT_VMLOAD |
                           SVM_INTERCEPT_VMSAVE | SVM_INTERCEPT_STGI | SVM_INTERCEPT_CLGI |
                           SVM_INTERCEPT_SKINIT;
    ctl->iopm_base_pa = mem_phys(svm.iopm);
    ctl->msrpm_base_pa = mem_phys(svm.msrpm);
    ctl->guest_asid = GUEST_ASID;
    /* TLB_CONTROL and N_CR3 are chosen before every entry (run_loop):
     * a new launch flushes, whatever ran under this ASID before. */
    svm_of(c)->entered_view = 0;
    /* V_INTR_MASKING stays 0: the guest's RFLAGS.IF masks physical
     * interrupts directly and they go straight to the guest's IDT. */
    ctl->vintr = 0;
    ctl->np_enable = SVM_NP_ENABLE;
}

__attribute__((noreturn)) static void run_loop(struct pcpu *c)
{
    struct svm_cpu *v = svm_of(c);
    uint64_t vmcb_pa = mem_phys(v->vmcb), host_pa = mem_phys(v->host);

    /* Host FS/GS/TR/LDTR and syscall MSRs, restored after every exit. */
    __asm__ volatile("vmsave %0" : : "a"(host_pa) : "memory");
    for (;;) {
        /* An NMI the VMM caught is the guest's; if another event is being
         * injected, the NMI waits for the next entry. */
        if (c->nmi_pending && !(v->vmcb->ctl.eventinj & SVM_EVTINJ_VALID)) {
            v->vmcb->ctl.eventinj = SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_NMI | X86_NMI;
            c->nmi_pending = 0;
        }
        /* The memory view is the only thing that makes the guest's
         * cached translations stale: flush on the first entry and when
         * the view changed, not on every entry. */
        v->vmcb->ctl.tlb_control = svm_tlb_control(v->entered_view, c->view);
        v->vmcb->ctl.n_cr3 = c->view;
        v->entered_view = c->view;
        svm_run(vmcb_pa, host_pa, &v->gprs);
        /* #VMEXIT cleared GIF: open it for an instant so a pending SMI (or
         * NMI) is taken now, in host mode, then close it again. */
        __asm__ volatile("stgi; clgi" : : : "memory");
        svm_handle_exit(c);
        smp_after_exit(c);
    }
}

__attribute__((noreturn)) static void svm_run_boot(struct pcpu *c, const struct smx_guest_entry *ge)
{
    struct vmcb_save *s = &svm_of(c)->vmcb->save;

    setup_control(c);
    set_seg(&s->cs, seg_from_gdt(ge->gdtr_base, ge->gdtr_limit, ge->cs, 0));
    set_seg(&s->ss, seg_from_gdt(ge->gdtr_base, ge->gdtr_limit, ge->ss, 0));
    set_seg(&s->ds, seg_from_gdt(ge->gdtr_base, ge->gdtr_limit, ge->ds, 0));
    set_seg(&s->es, seg_from_gdt(ge->gdtr_base, ge->gdtr_limit, ge->es, 0));
    set_seg(&s->fs, seg_from_gdt(ge->gdtr_base, ge->gdtr_limit, ge->fs, 0));
    set_seg(&s->gs, seg_from_gdt(ge->gdtr_base, ge->gdtr_limit, ge->gs, 0));
    set_seg(&s->tr, seg_from_gdt(ge->gdtr_base, ge->gdtr_limit, ge->tr, 1));
    set_seg(&s->ldtr, seg_from_gdt(ge->gdtr_base, ge->gdtr_limit, ge->ldtr, 1));
    /* A null TR is legal for firmware that never loaded one; give the
     * guest the state a CPU has after reset instead of "unusable". */
    if (!s->tr.attrib)
        s->tr = (struct vmcb_seg){ .attrib = SEG_ATTR_TSS_BUSY, .limit = 0xffff };
    s->fs.base = ge->fs_base;
    s->gs.base = ge->gs_base;
    s->gdtr = (struct vmcb_seg){ .limit = ge->gdtr_limit, .base = ge->gdtr_base };
    s->idtr = (struct vmcb_seg){ .limit = ge->idtr_limit, .base = ge->idtr_base };
    s->cpl = (s->cs.attrib >> 5) & 3;
    s->efer = ge->efer | EFER_SVME; /* VMRUN requires SVME in the guest's EFER */
    s->cr0 = ge->cr0;
    s->cr3 = ge->cr3;
    s->cr4 = ge->cr4;
    s->dr6 = DR6_INIT;
    s->dr7 = DR7_INIT;
    s->rflags = ge->rflags;
    s->rip = ge->rip;
    s->rsp = ge->rsp;
    s->rax = 0; /* the loader's call to the VMM "returns" SMX_START_OK */
    s->g_pat = ge->pat;
    s->star = ge->star;
    s->lstar = ge->lstar;
    s->cstar = ge->cstar;
    s->sfmask = ge->sfmask;
    s->kernel_gs_base = ge->kernel_gs_base;
    s->sysenter_cs = ge->sysenter_cs;
    s->sysenter_esp = ge->sysenter_esp;
    s->sysenter_eip = ge->sysenter_eip;
    memset(&svm_of(c)->gprs, 0, sizeof svm_of(c)->gprs);
    run_loop(c);
}

static enum smx_start_error svm_resume(struct pcpu *c)
{
    enable_svm(svm_of(c)); /* at first, and after a reset: EFER and VM_HSAVE_PA are gone */
    return SMX_START_OK;
}

/* GIF is clear in the VMM except here: an NMI (another CPU's kick) must be
 * able to wake the HLT (§15.17). Interrupts stay off (RFLAGS.IF). */
static void svm_idle(struct pcpu *c, volatile uint32_t *until)
{
    (void)c;
    __asm__ volatile("stgi" : : : "memory");
    cpu_idle_wait(until);
    __asm__ volatile("clgi" : : : "memory");
}

static void svm_guest_context(struct pcpu *c, struct vcpu_context *x)
{
    struct svm_cpu *v = svm_of(c);
    const struct svm_gprs *g = &v->gprs;
    const struct vmcb_save *s = &v->vmcb->save;

    *x = (struct vcpu_context){
        .gpr = { s->rax, g->rcx, g->rdx, g->rbx, s->rsp, g->rbp, g->rsi, g->rdi, g->r8, g->r9, g->r10, g->r11,
                 g->r12, g->r13, g->r14, g->r15 },
        .rip = s->rip, .rflags = s->rflags, .cr0 = s->cr0, .cr3 = s->cr3, .cr4 = s->cr4,
        .efer = s->efer & ~EFER_SVME,
    };
}

__attribute__((noreturn)) static void svm_run_wake(struct pcpu *c, const struct wake_entry *we)
{
    struct vmcb_save *s = &svm_of(c)->vmcb->save;

    setup_control(c);
    if (we->mode == WAKE_REAL16) {
        uint16_t seg = (uint16_t)(we->vector >> 4);
        set_seg(&s->cs, seg_real(seg, SEG_ATTR_CODE16));
        set_seg(&s->ss, seg_real(seg, SEG_ATTR_DATA16));
        set_seg(&s->ds, seg_real(seg, SEG_ATTR_DATA16));
        set_seg(&s->es, seg_real(seg, SEG_ATTR_DATA16));
        set_seg(&s->fs, seg_real(seg, SEG_ATTR_DATA16));
        set_seg(&s->gs, seg_real(seg, SEG_ATTR_DATA16));
        s->rip = we->vector & 0xf;
        s->cr0 = CR0_ET;
    } else {
        struct smx_seg code = { .sel = 0x08, .attrib = SEG_ATTR_CODE32, .limit = 0xffffffff };
        struct smx_seg data = { .sel = 0x10, .attrib = SEG_ATTR_DATA32, .limit = 0xffffffff };
        set_seg(&s->cs, code);
        set_seg(&s->ss, data);
        set_seg(&s->ds, data);
        set_seg(&s->es, data);
        set_seg(&s->fs, data);
        set_seg(&s->gs, data);
        s->rip = we->vector;
        s->cr0 = CR0_ET | CR0_PE;
    }
    s->ldtr = (struct vmcb_seg){ .attrib = SEG_ATTR_LDT, .limit = 0xffff };
    s->tr = (struct vmcb_seg){ .attrib = SEG_ATTR_TSS_BUSY, .limit = 0xffff };
    s->gdtr = (struct vmcb_seg){ .limit = 0xffff };
    s->idtr = (struct vmcb_seg){ .limit = 0x3ff }; /* the real-mode IVT */
    s->cpl = 0;
    s->efer = EFER_SVME;
    s->cr3 = 0;
    s->cr4 = 0;
    s->dr6 = DR6_INIT;
    s->dr7 = DR7_INIT;
    s->rflags = RFLAGS_RESERVED1; /* interrupts off, as firmware leaves them */
    s->rsp = 0;
    s->rax = 0;
    s->g_pat = PAT_DEFAULT;
    memset(&svm_of(c)->gprs, 0, sizeof svm_of(c)->gprs);
    run_loop(c);
}

void svm_inject(struct pcpu *c, uint8_t vector, int has_error, uint32_t error)
{
    svm_of(c)->vmcb->ctl.eventinj = SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_EXCEPTION | vector |
                             (has_error ? SVM_EVTINJ_ERR_VALID | ((uint64_t)error << 32) : 0);
}

const struct vcpu_ops svm_ops = {
    .name = "svm",
    .probe = svm_probe,
    .init = svm_init,
    .cpu_init = svm_cpu_init,
    .trap_io = svm_trap_io,
    .untrap_io = svm_untrap_io,
    .view_build = svm_view_build,
    .run_boot = svm_run_boot,
    .resume = svm_resume,
    .run_wake = svm_run_wake,
    .inject_exception = svm_inject,
    .idle = svm_idle,
    .guest_context = svm_guest_context,
};
