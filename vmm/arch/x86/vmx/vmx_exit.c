/* SPDX-License-Identifier: MIT */
/*
 * VMX exits (Intel SDM vol. 3C chapter 27; reasons in vol. 3D appendix C).
 * An emulated instruction moves RIP by the VM-exit instruction length the
 * CPU reports for every exit caused by an instruction (§27.2.5), whatever
 * prefixes it had.
 */
#include "vmx.h"

#include "../../../core/exit.h"
#include "../../../core/log.h"
#include "../../../core/cpu_tables.h"
#include "../../../core/smp.h"
#include "../apic.h"
#include "../../../core/vmm.h"
#include "../../x86/cpu.h"

#define CPUID_1_ECX_VMX (1u << 5)
#define CPUID_1_ECX_SMX (1u << 6)
#define CR0_TS (1ull << 3)
#define CR0_LMSW_BITS 0xfull /* PE, MP, EM, TS (SDM vol. 2A, LMSW) */
#define CR4_VMXE (1ull << 13)
#define FEATURE_CONTROL_AS_DISABLED 1ull /* locked, VMX off: what the guest reads */

uint64_t vmx_gpr_get(struct pcpu *c, unsigned n)
{
    return n == 4 ? vmread(GUEST_RSP) : ((uint64_t *)&vmx_of(c)->gprs)[n & 15];
}

void vmx_gpr_set(struct pcpu *c, unsigned n, uint64_t v)
{
    if (n == 4)
        vmwrite(GUEST_RSP, v);
    else
        ((uint64_t *)&vmx_of(c)->gprs)[n & 15] = v;
}

static void skip(void)
{
    vmwrite(GUEST_RIP, vmread(GUEST_RIP) + vmread(EXIT_INSN_LEN));
}

static void handle_io(struct pcpu *c, uint64_t q)
{
    uint16_t port = IOQ_PORT(q);
    unsigned size = IOQ_SIZE(q);
    struct vmx_gprs *g = &vmx_of(c)->gprs;

    vmm_count_exit(EXIT_IO);
    if (q & IOQ_STRING) {
        /* Nothing sleepmux traps is ever used with INS/OUTS; refusing is
         * safer than guessing at a string operation's memory operands. */
        smx_log("vmx", "string I/O to trapped port %#x at rip %#llx: injecting #GP", port,
                (unsigned long long)vmread(GUEST_RIP));
        vmx_inject(c, X86_GP, 1, 0);
        return;
    }
    if (q & IOQ_IN) {
        uint32_t val = vmm_io_in(port, size);
        if (size == 4)
            g->rax = val; /* a 32-bit result zero-extends into RAX */
        else if (size == 2)
            g->rax = (g->rax & ~0xffffull) | (val & 0xffff);
        else
            g->rax = (g->rax & ~0xffull) | (val & 0xff);
    } else {
        uint32_t mask = size == 4 ? 0xffffffffu : size == 2 ? 0xffffu : 0xffu;
        vmm_io_out(port, size, (uint32_t)g->rax & mask);
    }
    skip();
}

static void handle_cpuid(struct pcpu *c)
{
    struct vmx_gprs *g = &vmx_of(c)->gprs;
    struct cpuid_regs r;
    uint32_t leaf = (uint32_t)g->rax;

    vmm_count_exit(EXIT_CPUID);
    vmm_cpuid(leaf, (uint32_t)g->rcx, &r);
    /* The guest gets a CPU without VMX (sleepmux owns it) and without SMX
     * (GETSEC is refused below). */
    if (leaf == 1)
        r.ecx &= ~(CPUID_1_ECX_VMX | CPUID_1_ECX_SMX);
    g->rax = r.eax;
    g->rbx = r.ebx;
    g->rcx = r.ecx;
    g->rdx = r.edx;
    skip();
}

static void handle_msr(struct pcpu *c, int write)
{
    struct vmx_gprs *g = &vmx_of(c)->gprs;
    uint32_t msr = (uint32_t)g->rcx;

    vmm_count_exit(EXIT_MSR);
    if (msr == MSR_X2APIC_ICR && write) {
        uint64_t val = (g->rax & 0xffffffffu) | (g->rdx << 32);
        if (!smp_guest_ipi(c, (uint32_t)val, (uint32_t)(val >> 32)))
            wrmsr(msr, val);
        skip();
        return;
    }
    if (msr == MSR_FEATURE_CONTROL && !write) {
        g->rax = FEATURE_CONTROL_AS_DISABLED;
        g->rdx = 0;
        skip();
        return;
    }
    /* A write to the locked IA32_FEATURE_CONTROL, the capability MSRs of
     * a CPU without VMX, and any MSR outside the bitmaps' ranges (none
     * exists on Intel's CPUs): #GP, as the hardware the guest sees. */
    smx_log("vmx", "guest %s of MSR %#x at rip %#llx: #GP", write ? "write" : "read", msr,
            (unsigned long long)vmread(GUEST_RIP));
    vmx_inject(c, X86_GP, 1, 0);
}

/* CR0 written through an exit (a bit in the guest/host mask changed):
 * the guest's value becomes the shadow, and a paging change with
 * EFER.LME set moves EFER.LMA and the IA-32e entry control with it, as
 * the CPU does itself for the writes that do not exit (§26.3.2.1). */
static void guest_write_cr0(uint64_t v)
{
    uint64_t old = vmread(CR0_READ_SHADOW), efer = vmread(GUEST_EFER);

    if ((efer & EFER_LME) && ((old ^ v) & CR0_PG)) {
        efer = v & CR0_PG ? efer | EFER_LMA : efer & ~EFER_LMA;
        vmwrite(GUEST_EFER, efer);
        vmwrite(ENTRY_CONTROLS, (efer & EFER_LMA) ? vmx.entry | ENTRY_IA32E_GUEST : vmx.entry);
    }
    vmwrite(GUEST_CR0, (v | (vmx.cr0_fixed0 & vmx.cr0_mask)) & vmx.cr0_fixed1);
    vmwrite(CR0_READ_SHADOW, v);
}

static void handle_cr(struct pcpu *c, uint64_t q)
{
    unsigned cr = CRQ_CR(q), gpr = (unsigned)CRQ_GPR(q);

    vmm_count_exit(EXIT_OTHER);
    switch (CRQ_TYPE(q)) {
    case CRQ_MOV_TO: {
        uint64_t v = vmx_gpr_get(c, gpr);
        if (cr == 0) {
            guest_write_cr0(v);
        } else if (cr == 4) {
            if (v & CR4_VMXE) { /* the guest's CPU has no VMX */
                vmx_inject(c, X86_GP, 1, 0);
                return;
            }
            vmwrite(GUEST_CR4, (v | vmx.cr4_fixed0 | CR4_VMXE) & vmx.cr4_fixed1);
            vmwrite(CR4_READ_SHADOW, v);
        } else if (cr == 3) {
            vmwrite(GUEST_CR3, v); /* CPUs without "true" controls force CR3 exits */
        } else {
            smx_panic("vmx: unexpected MOV to CR%u", cr);
        }
        break;
    }
    case CRQ_MOV_FROM:
        if (cr != 3)
            smx_panic("vmx: unexpected MOV from CR%u", cr);
        vmx_gpr_set(c, gpr, vmread(GUEST_CR3));
        break;
    case CRQ_CLTS:
        vmwrite(GUEST_CR0, vmread(GUEST_CR0) & ~CR0_TS);
        vmwrite(CR0_READ_SHADOW, vmread(CR0_READ_SHADOW) & ~CR0_TS);
        break;
    case CRQ_LMSW: {
        uint64_t old = vmread(CR0_READ_SHADOW);
        /* LMSW sets PE but never clears it. */
        guest_write_cr0((old & ~CR0_LMSW_BITS) | (CRQ_LMSW_DATA(q) & CR0_LMSW_BITS) | (old & CR0_PE));
        break;
    }
    }
    skip();
}

/* XSETBV (SDM vol. 2C): done for the guest after the checks the CPU would
 * make, so a bad value is the guest's #GP, not the VMM's. */
static void handle_xsetbv(struct pcpu *c)
{
    struct vmx_gprs *g = &vmx_of(c)->gprs;
    uint64_t v = (g->rax & 0xffffffffu) | (g->rdx << 32);
    struct cpuid_regs d = cpuid(0xd, 0);
    uint64_t supported = d.eax | ((uint64_t)d.edx << 32);

    vmm_count_exit(EXIT_OTHER);
    if ((uint32_t)g->rcx != 0 || !(v & 1) || (v & ~supported) || ((v & 4) && !(v & 2))) {
        vmx_inject(c, X86_GP, 1, 0);
        return;
    }
    if (!(read_cr4() & (1ull << 18)))
        write_cr4(read_cr4() | (1ull << 18)); /* CR4.OSXSAVE: XSETBV needs it in the host */
    __asm__ volatile("xsetbv" : : "c"(0), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
    skip();
}

void vmx_handle_exit(struct pcpu *c)
{
    uint32_t reason = (uint32_t)vmread(EXIT_REASON);
    uint64_t q = vmread(EXIT_QUALIFICATION);

    if (vmm.bi->flags & SMX_BOOT_DEBUG_EXITS)
        smx_log("exit", "reason %u qualification %#llx rip %#llx", reason & 0xffff, (unsigned long long)q,
                (unsigned long long)vmread(GUEST_RIP));
    if (reason & VMX_EXIT_ENTRY_FAILED) {
        smx_log("vmx", "VM entry failed: exit reason %u, qualification %#llx", reason & 0xffff,
                (unsigned long long)q);
        smx_panic("vmx: the guest state was refused (cr0 %#llx cr4 %#llx efer %#llx rip %#llx cs ar %#llx "
                  "tr ar %#llx)", (unsigned long long)vmread(GUEST_CR0), (unsigned long long)vmread(GUEST_CR4),
                  (unsigned long long)vmread(GUEST_EFER), (unsigned long long)vmread(GUEST_RIP),
                  (unsigned long long)vmread(GUEST_CS_AR), (unsigned long long)vmread(GUEST_TR_AR));
    }
    /* An event being delivered when the exit hit must not be lost
     * (§27.2.4): it is injected again at the next entry. */
    uint32_t idt = (uint32_t)vmread(IDT_VECTORING_INFO);
    vmwrite(ENTRY_INTR_INFO, 0);
    if (idt & INTR_INFO_VALID) {
        vmwrite(ENTRY_INTR_INFO, idt);
        if (idt & INTR_INFO_ERROR_VALID)
            vmwrite(ENTRY_EXCEPTION_ERROR, vmread(IDT_VECTORING_ERROR));
        if ((idt & INTR_TYPE_MASK) >= INTR_TYPE_SOFT_INT)
            vmwrite(ENTRY_INSN_LEN, vmread(EXIT_INSN_LEN));
    }

    switch (reason & 0xffff) {
    case VMX_EXIT_IO:
        handle_io(c, q);
        break;
    case VMX_EXIT_CPUID:
        handle_cpuid(c);
        break;
    case VMX_EXIT_RDMSR:
        handle_msr(c, 0);
        break;
    case VMX_EXIT_WRMSR:
        handle_msr(c, 1);
        break;
    case VMX_EXIT_CR_ACCESS:
        handle_cr(c, q);
        break;
    case VMX_EXIT_XSETBV:
        handle_xsetbv(c);
        break;
    case VMX_EXIT_INVD:
        vmm_count_exit(EXIT_OTHER);
        wbinvd(); /* INVD would drop the VMM's dirty lines too: write them back instead */
        skip();
        break;
    case VMX_EXIT_VMCALL:
    case VMX_EXIT_VMCLEAR:
    case VMX_EXIT_VMLAUNCH:
    case VMX_EXIT_VMPTRLD:
    case VMX_EXIT_VMPTRST:
    case VMX_EXIT_VMREAD:
    case VMX_EXIT_VMRESUME:
    case VMX_EXIT_VMWRITE:
    case VMX_EXIT_VMXOFF:
    case VMX_EXIT_VMXON:
    case VMX_EXIT_INVEPT:
    case VMX_EXIT_INVVPID:
    case VMX_EXIT_VMFUNC:
    case VMX_EXIT_GETSEC:
        vmm_count_exit(EXIT_VIRT_INSN);
        vmx_inject(c, X86_UD, 0, 0); /* as on a CPU without VMX and SMX */
        break;
    case VMX_EXIT_TRIPLE_FAULT:
        vmm_guest_dead("triple fault");
    case VMX_EXIT_EXCEPTION_NMI:
        /* With NMI exiting, the exit consumed the NMI (§27.2.2): the VMM's
         * handler never saw it. Exceptions are not intercepted. */
        vmm_count_exit(EXIT_NMI);
        if ((vmread(EXIT_INTR_INFO) & INTR_TYPE_MASK) != INTR_TYPE_NMI)
            smx_panic("vmx: unexpected exception exit, info %#llx", (unsigned long long)vmread(EXIT_INTR_INFO));
        cpu_nmi_arrived(c);
        break;
    case VMX_EXIT_EPT_VIOLATION:
        if (vmx_mmio_exit(c, q))
            break;
        smx_log("vmx", "EPT violation at gpa %#llx (qualification %#llx) rip %#llx",
                (unsigned long long)vmread(GUEST_PHYS_ADDR), (unsigned long long)q,
                (unsigned long long)vmread(GUEST_RIP));
        vmm_guest_dead("EPT violation");
    case VMX_EXIT_EPT_MISCONFIG:
        smx_panic("vmx: EPT misconfiguration at gpa %#llx", (unsigned long long)vmread(GUEST_PHYS_ADDR));
    default:
        vmm_count_exit(EXIT_OTHER);
        smx_panic("vmx: unexpected exit %u qualification %#llx rip %#llx", reason & 0xffff,
                  (unsigned long long)q, (unsigned long long)vmread(GUEST_RIP));
    }
}
