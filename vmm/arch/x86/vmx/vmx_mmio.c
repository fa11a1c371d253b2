/* SPDX-License-Identifier: MIT */
/*
 * EPT violations on trapped device pages (core/mmio.h). The exit gives the
 * guest-physical address and, in its qualification, whether the access was
 * a write (bit 1, SDM vol. 3C §28.3.3.2 Table 28-7), not the value or the
 * register: the instruction is decoded from the guest's memory
 * (x86/mmio_emul.h), as on SVM.
 */
#include "vmx.h"

#include "../../x86/cpu.h"
#include "../mmio_emul.h"

#define EPTV_WRITE (1ull << 1)
#define AR_L (1u << 13)  /* VMCS access rights (§24.4.1): L at bit 13 */
#define AR_DB (1u << 14) /* and D/B at bit 14 */

bool vmx_mmio_exit(struct pcpu *c, uint64_t q)
{
    struct vmx_gprs *g = &vmx_of(c)->gprs;
    uint64_t efer = vmread(GUEST_EFER), cr0 = vmread(GUEST_CR0), ar = vmread(GUEST_CS_AR);
    struct mmio_fault f = {
        .gpa = vmread(GUEST_PHYS_ADDR),
        .write = (q & EPTV_WRITE) != 0,
        .rip = vmread(GUEST_RIP),
        .cs_base = vmread(GUEST_CS_BASE),
        .mode = (efer & EFER_LMA) && (ar & AR_L) ? INSN_MODE_64
                : (cr0 & CR0_PE) && (ar & AR_DB) ? INSN_MODE_32
                                                  : INSN_MODE_16,
        .paging = { cr0, vmread(GUEST_CR3), vmread(GUEST_CR4), efer },
    };
    struct insn_regs r = { { g->rax, g->rcx, g->rdx, g->rbx, vmread(GUEST_RSP), g->rbp, g->rsi, g->rdi, g->r8,
                             g->r9, g->r10, g->r11, g->r12, g->r13, g->r14, g->r15 } };
    unsigned len;

    if (!mmio_emulate(c, &f, &r, &len))
        return false;
    g->rax = r.r[0], g->rcx = r.r[1], g->rdx = r.r[2], g->rbx = r.r[3];
    vmwrite(GUEST_RSP, r.r[4]);
    g->rbp = r.r[5], g->rsi = r.r[6], g->rdi = r.r[7];
    g->r8 = r.r[8], g->r9 = r.r[9], g->r10 = r.r[10], g->r11 = r.r[11];
    g->r12 = r.r[12], g->r13 = r.r[13], g->r14 = r.r[14], g->r15 = r.r[15];
    uint64_t rip = f.rip + len;
    vmwrite(GUEST_RIP, f.mode == INSN_MODE_64 ? rip : f.mode == INSN_MODE_32 ? (uint32_t)rip : (uint16_t)rip);
    return true;
}
