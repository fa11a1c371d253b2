/* SPDX-License-Identifier: MIT */
/*
 * SVM exits. RIP moves past an emulated instruction to the next-RIP the
 * CPU saved where it has next-RIP save (APM vol. 2 §15.7.1), else by the
 * instruction's known length (QEMU's TCG has no next-RIP save, and no
 * decode assist, §15.33); IOIO gives the next RIP in EXITINFO2 on every
 * CPU (§15.10.2).
 */
#include "svm.h"

#include "../../../core/exit.h"
#include "../../../core/log.h"
#include "../../../core/smp.h"
#include "../apic.h"
#include "../../../core/vmm.h"
#include "../../x86/cpu.h"
#include "svm_step.h"

/* Without next-RIP save: the lengths of the instructions without the
 * prefixes a compiler never puts on them. */
#define INSN_LEN_CPUID 2 /* 0f a2 */
#define INSN_LEN_MSR 2   /* 0f 32 / 0f 30 */

static void handle_ioio(struct pcpu *c, struct vmcb *v)
{
    uint32_t info = (uint32_t)v->ctl.exitinfo1;
    uint16_t port = (uint16_t)(info >> SVM_IOIO_PORT_SHIFT);
    unsigned size = info & SVM_IOIO_SZ32 ? 4 : info & SVM_IOIO_SZ16 ? 2 : 1;

    vmm_count_exit(EXIT_IO);
    if (info & SVM_IOIO_STR) {
        /* Nothing sleepmux traps is ever used with INS/OUTS; refusing is
         * safer than guessing at a string operation's memory operands. */
        smx_log("svm", "string I/O to trapped port %#x at rip %#llx: injecting #GP", port,
                (unsigned long long)v->save.rip);
        svm_inject(c, X86_GP, 1, 0);
        return;
    }
    if (info & SVM_IOIO_IN) {
        uint32_t val = vmm_io_in(port, size);
        if (size == 4)
            v->save.rax = val; /* a 32-bit result zero-extends into RAX */
        else if (size == 2)
            v->save.rax = (v->save.rax & ~0xffffull) | (val & 0xffff);
        else
            v->save.rax = (v->save.rax & ~0xffull) | (val & 0xff);
    } else {
        uint32_t mask = size == 4 ? 0xffffffffu : size == 2 ? 0xffffu : 0xffu;
        vmm_io_out(port, size, (uint32_t)v->save.rax & mask);
    }
    v->save.rip = v->ctl.exitinfo2;
}

static void handle_cpuid(struct pcpu *c, struct vmcb *v)
{
    struct cpuid_regs r;

    vmm_count_exit(EXIT_CPUID);
    uint32_t leaf = (uint32_t)v->save.rax;
    vmm_cpuid(leaf, (uint32_t)svm_of(c)->gprs.rcx, &r);
    /* The guest gets a CPU without SVM: sleepmux owns it. */
    if (leaf == 0x80000001u)
        r.ecx &= ~CPUID_80000001_ECX_SVM;
    else if (leaf == 0x8000000au)
        r = (struct cpuid_regs){ 0 };
    v->save.rax = r.eax;
    svm_of(c)->gprs.rbx = r.ebx;
    svm_of(c)->gprs.rcx = r.ecx;
    svm_of(c)->gprs.rdx = r.edx;
    v->save.rip = svm_next_rip(svm.nrips, v->ctl.nrip, v->save.rip, INSN_LEN_CPUID);
}

static void handle_msr(struct pcpu *c, struct vmcb *v)
{
    uint32_t msr = (uint32_t)svm_of(c)->gprs.rcx;
    int write = v->ctl.exitinfo1 == 1;
    uint64_t val = (v->save.rax & 0xffffffffu) | (svm_of(c)->gprs.rdx << 32);

    vmm_count_exit(EXIT_MSR);
    if (write) {
        switch (msr) {
        case MSR_EFER:
            /* What the CPU has (svm.efer_writable, from CPUID); SVME is
             * refused because VM_CR reads as SVM-disabled. */
            if (val & ~svm.efer_writable) {
                smx_log("svm", "guest EFER write %#llx sets unsupported bits %#llx: #GP",
                        (unsigned long long)val, (unsigned long long)(val & ~svm.efer_writable));
                svm_inject(c, X86_GP, 1, 0);
                return;
            }
            /* LMA is the CPU's to set; SVME must stay on under us. */
            v->save.efer = (val & ~EFER_LMA) | (v->save.efer & EFER_LMA) | EFER_SVME;
            break;
        case MSR_X2APIC_ICR:
            if (!smp_guest_ipi(c, (uint32_t)val, (uint32_t)(val >> 32)))
                wrmsr(msr, val);
            break;
        case MSR_VM_CR:       /* locked: writes are ignored, as on hardware */
        case MSR_VM_HSAVE_PA: /* meaningless with SVM disabled */
            break;
        default:
            wrmsr(msr, val);
            break;
        }
    } else {
        switch (msr) {
        case MSR_EFER:
            val = v->save.efer & ~EFER_SVME;
            break;
        case MSR_VM_CR:
            val = VM_CR_LOCK | VM_CR_SVMDIS;
            break;
        case MSR_VM_HSAVE_PA:
            val = 0;
            break;
        default:
            val = rdmsr(msr);
            break;
        }
        v->save.rax = val & 0xffffffffu;
        svm_of(c)->gprs.rdx = val >> 32;
    }
    v->save.rip = svm_next_rip(svm.nrips, v->ctl.nrip, v->save.rip, INSN_LEN_MSR);
}

static __attribute__((noreturn)) void invalid_state(struct vmcb *v)
{
    struct vmcb_save *s = &v->save;

    smx_log("svm", "VMRUN refused the guest state (VMEXIT_INVALID)");
    smx_log("svm", "cr0 %#llx cr3 %#llx cr4 %#llx efer %#llx rip %#llx rsp %#llx rflags %#llx",
            (unsigned long long)s->cr0, (unsigned long long)s->cr3, (unsigned long long)s->cr4,
            (unsigned long long)s->efer, (unsigned long long)s->rip, (unsigned long long)s->rsp,
            (unsigned long long)s->rflags);
    smx_panic("cs %04x/%04x ss %04x/%04x tr %04x/%04x cpl %u", s->cs.sel, s->cs.attrib, s->ss.sel,
              s->ss.attrib, s->tr.sel, s->tr.attrib, s->cpl);
}

void svm_handle_exit(struct pcpu *c)
{
    struct vmcb *v = svm_of(c)->vmcb;
    uint64_t code = v->ctl.exitcode;

    if (vmm.bi->flags & SMX_BOOT_DEBUG_EXITS)
        smx_log("exit", "code %#llx info1 %#llx info2 %#llx rip %#llx", (unsigned long long)code,
                (unsigned long long)v->ctl.exitinfo1, (unsigned long long)v->ctl.exitinfo2,
                (unsigned long long)v->save.rip);
    /* An event being delivered when the exit hit must not be lost. */
    if ((v->ctl.exitintinfo & SVM_EVTINJ_VALID) && !(v->ctl.eventinj & SVM_EVTINJ_VALID))
        v->ctl.eventinj = v->ctl.exitintinfo;
    v->ctl.exitintinfo = 0;

    switch ((int64_t)code) {
    case SVM_EXIT_IOIO:
        handle_ioio(c, v);
        break;
    case SVM_EXIT_CPUID:
        handle_cpuid(c, v);
        break;
    case SVM_EXIT_MSR:
        handle_msr(c, v);
        break;
    case SVM_EXIT_SMI:
        vmm_count_exit(EXIT_SMI); /* taken by the STGI window in run_loop */
        break;
    case SVM_EXIT_NMI:
        vmm_count_exit(EXIT_NMI);
        break;
    case SVM_EXIT_VMRUN:
    case SVM_EXIT_VMMCALL:
    case SVM_EXIT_VMLOAD:
    case SVM_EXIT_VMSAVE:
    case SVM_EXIT_STGI:
    case SVM_EXIT_CLGI:
    case SVM_EXIT_SKINIT:
    case SVM_EXIT_INVLPGA:
        vmm_count_exit(EXIT_VIRT_INSN);
        svm_inject(c, X86_UD, 0, 0); /* as on a CPU without SVM */
        break;
    case SVM_EXIT_SHUTDOWN:
        vmm_guest_dead("triple fault");
    case SVM_EXIT_NPF:
        if (svm_mmio_exit(c))
            break;
        smx_log("svm", "nested page fault at gpa %#llx (error %#llx) rip %#llx",
                (unsigned long long)v->ctl.exitinfo2, (unsigned long long)v->ctl.exitinfo1,
                (unsigned long long)v->save.rip);
        vmm_guest_dead("nested page fault");
    case SVM_EXIT_INVALID:
        invalid_state(v);
    default:
        vmm_count_exit(EXIT_OTHER);
        smx_panic("svm: unexpected exit %#llx info1 %#llx info2 %#llx rip %#llx",
                  (unsigned long long)code, (unsigned long long)v->ctl.exitinfo1,
                  (unsigned long long)v->ctl.exitinfo2, (unsigned long long)v->save.rip);
    }
}
