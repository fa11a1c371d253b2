/* SPDX-License-Identifier: MIT */
/*
 * Nested page faults on trapped device pages (core/mmio.h). The fault
 * gives the guest-physical address (EXITINFO2) and whether it was a write
 * (EXITINFO1 bit 1, APM vol. 2 §15.25.6), not the value or the register:
 * the instruction is decoded from the guest's memory (x86/mmio_emul.h).
 */
#include "svm.h"

#include "../../x86/cpu.h"
#include "../mmio_emul.h"

#define NPF_WRITE (1ull << 1)
#define SEG_ATTR_L (1u << 9)  /* VMCB attribute format (§15.5.1): L at bit 9 */
#define SEG_ATTR_DB (1u << 10) /* and D/B at bit 10 */

static void regs_in(struct pcpu *c, struct insn_regs *r)
{
    struct svm_cpu *v = svm_of(c);
    const struct svm_gprs *g = &v->gprs;

    *r = (struct insn_regs){ { v->vmcb->save.rax, g->rcx, g->rdx, g->rbx, v->vmcb->save.rsp, g->rbp, g->rsi,
                               g->rdi, g->r8, g->r9, g->r10, g->r11, g->r12, g->r13, g->r14, g->r15 } };
}

static void regs_out(struct pcpu *c, const struct insn_regs *r)
{
    struct svm_cpu *v = svm_of(c);
    struct svm_gprs *g = &v->gprs;

    v->vmcb->save.rax = r->r[0];
    g->rcx = r->r[1], g->rdx = r->r[2], g->rbx = r->r[3];
    v->vmcb->save.rsp = r->r[4];
    g->rbp = r->r[5], g->rsi = r->r[6], g->rdi = r->r[7];
    g->r8 = r->r[8], g->r9 = r->r[9], g->r10 = r->r[10], g->r11 = r->r[11];
    g->r12 = r->r[12], g->r13 = r->r[13], g->r14 = r->r[14], g->r15 = r->r[15];
}

bool svm_mmio_exit(struct pcpu *c)
{
    struct vmcb *v = svm_of(c)->vmcb;
    struct vmcb_save *s = &v->save;
    struct mmio_fault f = {
        .gpa = v->ctl.exitinfo2,
        .write = (v->ctl.exitinfo1 & NPF_WRITE) != 0,
        .rip = s->rip,
        .cs_base = s->cs.base,
        .mode = (s->efer & EFER_LMA) && (s->cs.attrib & SEG_ATTR_L) ? INSN_MODE_64
                : (s->cr0 & CR0_PE) && (s->cs.attrib & SEG_ATTR_DB) ? INSN_MODE_32
                                                                    : INSN_MODE_16,
        .paging = { s->cr0, s->cr3, s->cr4, s->efer },
    };
    struct insn_regs r;
    unsigned len;

    regs_in(c, &r);
    if (!mmio_emulate(c, &f, &r, &len))
        return false;
    regs_out(c, &r);
    s->rip += len;
    if (f.mode != INSN_MODE_64)
        s->rip &= f.mode == INSN_MODE_32 ? 0xffffffffull : 0xffffull;
    return true;
}
