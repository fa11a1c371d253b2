/* SPDX-License-Identifier: MIT */
/*
 * Nested page faults on trapped device pages (core/mmio.h). The fault
 * gives the guest-physical address (EXITINFO2) and whether it was a write
 * (EXITINFO1 bit 1, APM vol. 2 §15.25.6), not the value or the register:
 * the instruction is fetched at CS.base + RIP through the guest's own page
 * tables and decoded (x86/insn.h).
 */
#include "svm.h"

#include "../../../core/log.h"
#include "../../../core/mem.h"
#include "../../../core/mmio.h"
#include "../../../core/vmm.h"
#include "../../x86/cpu.h"
#include "../guest_walk.h"
#include "../insn.h"

#define NPF_WRITE (1ull << 1)
#define SEG_ATTR_L (1u << 9)  /* VMCB attribute format (§15.5.1): L at bit 9 */
#define SEG_ATTR_DB (1u << 10) /* and D/B at bit 10 */

static int read_phys(void *ctx, uint64_t gpa, void *buf, unsigned n)
{
    (void)ctx;
    /* Guest page tables and code are RAM the identity map covers. */
    if (gpa + n > vmm.bi->max_phys || gpa + n < gpa)
        return -1;
    const uint8_t *src = phys_ptr(gpa);
    for (unsigned i = 0; i < n; i++)
        ((uint8_t *)buf)[i] = src[i];
    return 0;
}

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
    struct guest_paging p = { s->cr0, s->cr3, s->cr4, s->efer };
    enum insn_mode mode = (s->efer & EFER_LMA) && (s->cs.attrib & SEG_ATTR_L) ? INSN_MODE_64
                          : (s->cr0 & CR0_PE) && (s->cs.attrib & SEG_ATTR_DB) ? INSN_MODE_32
                                                                              : INSN_MODE_16;
    uint64_t la = mode == INSN_MODE_64 ? s->rip : (uint32_t)(s->cs.base + s->rip);
    uint8_t bytes[15];
    struct insn_mov m;
    struct mmio_access a = { .gpa = v->ctl.exitinfo2 };

    /* 15 bytes, or up to the end of the page when the next is unmapped. */
    unsigned n = sizeof bytes, to_end = 4096 - (unsigned)(la & 0xfff);
    if (guest_read_linear(&p, la, bytes, n, read_phys, NULL) &&
        (to_end >= n || guest_read_linear(&p, la, bytes, n = to_end, read_phys, NULL))) {
        smx_log("mmio", "cannot fetch the instruction at rip %#llx (gpa %#llx)", (unsigned long long)s->rip,
                (unsigned long long)a.gpa);
        return false;
    }
    if (insn_decode_mov(bytes, n, mode, &m)) {
        smx_log("mmio", "unsupported instruction %02x %02x %02x %02x at rip %#llx on trapped gpa %#llx",
                bytes[0], bytes[1], bytes[2], bytes[3], (unsigned long long)s->rip, (unsigned long long)a.gpa);
        return false;
    }
    struct insn_regs r;
    regs_in(c, &r);
    a.size = m.size;
    a.write = m.op != INSN_LOAD;
    if (a.write != ((v->ctl.exitinfo1 & NPF_WRITE) != 0))
        return false; /* the decode disagrees with the fault: never guess */
    if (a.write)
        a.value = insn_store_value(&m, &r);
    if (!vmm_mmio(c, &a))
        return false;
    if (!a.write) {
        insn_load_result(&m, &r, a.value);
        regs_out(c, &r);
    }
    s->rip += m.len;
    if (mode != INSN_MODE_64)
        s->rip &= mode == INSN_MODE_32 ? 0xffffffffull : 0xffffull;
    return true;
}
