/* SPDX-License-Identifier: MIT */
#include "mmio_emul.h"

#include "../../core/log.h"
#include "../../core/mem.h"
#include "../../core/mmio.h"
#include "../../core/vmm.h"

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

bool mmio_emulate(struct pcpu *c, const struct mmio_fault *f, struct insn_regs *r, unsigned *len)
{
    uint64_t la = f->mode == INSN_MODE_64 ? f->rip : (uint32_t)(f->cs_base + f->rip);
    uint8_t bytes[15];
    struct insn_mov m;
    struct mmio_access a = { .gpa = f->gpa };

    /* 15 bytes, or up to the end of the page when the next is unmapped. */
    unsigned n = sizeof bytes, to_end = 4096 - (unsigned)(la & 0xfff);
    if (guest_read_linear(&f->paging, la, bytes, n, read_phys, NULL) &&
        (to_end >= n || guest_read_linear(&f->paging, la, bytes, n = to_end, read_phys, NULL))) {
        smx_log("mmio", "cannot fetch the instruction at rip %#llx (gpa %#llx)", (unsigned long long)f->rip,
                (unsigned long long)f->gpa);
        return false;
    }
    if (insn_decode_mov(bytes, n, f->mode, &m)) {
        smx_log("mmio", "unsupported instruction %02x %02x %02x %02x at rip %#llx on trapped gpa %#llx",
                bytes[0], bytes[1], bytes[2], bytes[3], (unsigned long long)f->rip, (unsigned long long)f->gpa);
        return false;
    }
    a.size = m.size;
    a.write = m.op != INSN_LOAD;
    if (a.write != f->write)
        return false; /* the decode disagrees with the fault: never guess */
    if (a.write)
        a.value = insn_store_value(&m, r);
    if (!vmm_mmio(c, &a))
        return false;
    if (!a.write)
        insn_load_result(&m, r, a.value);
    *len = m.len;
    return true;
}
