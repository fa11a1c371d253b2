/* SPDX-License-Identifier: MIT */
/*
 * The VMM's NVMe driver (NVM Express 1.4): the admin queue, one I/O queue
 * pair, Identify, and Read/Write/Flush of up to 4 MiB per command (or the
 * controller's MDTS) described by PRP lists. Polled: no I/O queue has
 * interrupts, INTMS masks pin/MSI and the MSI-X Function Mask silences
 * the admin queue's vector while the VMM owns the controller.
 *
 * Bring-up starts from a controller reset (CC.EN 1 -> 0), so nothing the
 * OS left behind matters; blk_reset_all() shuts the controller down and
 * leaves it disabled with its admin queue registers cleared, as at
 * power-on.
 */
#include <stddef.h>
#include <string.h>

#include "blk.h"
#include "log.h"
#include "mem.h"
#include "pci.h"
#include "time.h"

/* NVMe 1.4 §2.1.5: class 01h, subclass 08h (NVM), prog-if 02h (NVM Express). */
#define NVME_PCI_CLASS 0x010802u
#define NVME_BAR 0
#define NVME_MAP_SIZE 0x4000u

/* §3.1: controller registers. */
#define NVME_CAP 0x00
#define NVME_VS 0x08
#define NVME_INTMS 0x0c
#define NVME_CC 0x14
#define NVME_CSTS 0x1c
#define NVME_AQA 0x24
#define NVME_ASQ 0x28
#define NVME_ACQ 0x30
#define NVME_DOORBELL 0x1000
#define CAP_MQES(c) ((uint32_t)((c) & 0xffff))     /* max queue entries, 0-based */
#define CAP_TO(c) ((uint32_t)((c) >> 24 & 0xff))   /* ready timeout, 500 ms units */
#define CAP_DSTRD(c) ((uint32_t)((c) >> 32 & 0xf)) /* doorbell stride 4 << n */
#define CAP_CSS_NVM(c) (((c) >> 37) & 1)
#define CAP_MPSMIN(c) ((uint32_t)((c) >> 48 & 0xf))
#define CC_EN (1u << 0)
#define CC_CSS_NVM (0u << 4)
#define CC_MPS_4K (0u << 7)
#define CC_SHN_NORMAL (1u << 14)
#define CC_IOSQES_64 (6u << 16)
#define CC_IOCQES_16 (4u << 20)
#define CSTS_RDY (1u << 0)
#define CSTS_CFS (1u << 1)
#define CSTS_SHST_MASK (3u << 2)
#define CSTS_SHST_DONE (2u << 2)

/* §5, §6: the opcodes used. */
#define ADM_CREATE_IO_SQ 0x01
#define ADM_CREATE_IO_CQ 0x05
#define ADM_IDENTIFY 0x06
#define IO_FLUSH 0x00
#define IO_WRITE 0x01
#define IO_READ 0x02
#define CNS_NAMESPACE 0x00
#define CNS_CONTROLLER 0x01
#define QUEUE_PC (1u << 0)                  /* physically contiguous */

/* §4.2: submission queue entry. */
struct nvme_sqe {
    uint32_t cdw0;     /* opcode 7:0, CID 31:16 */
    uint32_t nsid;
    uint64_t reserved;
    uint64_t mptr;
    uint64_t prp1, prp2;
    uint32_t cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
} __attribute__((packed));
_Static_assert(sizeof(struct nvme_sqe) == 64, "NVMe SQE");
_Static_assert(offsetof(struct nvme_sqe, prp1) == 24, "PRP1 offset");
_Static_assert(offsetof(struct nvme_sqe, cdw10) == 40, "CDW10 offset");

/* §4.6: completion queue entry. */
struct nvme_cqe {
    uint32_t dw0, dw1;
    uint16_t sq_head, sq_id;
    uint16_t cid;
    uint16_t status;   /* phase tag bit 0, status field 15:1 */
} __attribute__((packed));
_Static_assert(sizeof(struct nvme_cqe) == 16, "NVMe CQE");

/* Identify data (§5.15.2): the fields used. */
#define IDC_SN 4
#define IDC_MN 24
#define IDC_MDTS 77
#define IDC_NN 516
#define IDN_NSZE 0
#define IDN_FLBAS 26
#define IDN_LBAF 128

#define PAGE 4096u
#define QUEUE_ENTRIES 64
#define MAX_BYTES (4u << 20)
#define PRP_PER_PAGE (PAGE / 8)
#define PRP_LIST_PAGES 3 /* 4 MiB not page aligned: 1024 entries + chain links */
#define NVME_MAX_CTRL 4
#define NVME_MAX_NSID 32
#define MS (1000ull * 1000)

struct nvme_queue {
    void *mem;
    uint16_t tail, head, phase, cid;
    uint16_t id;
};

struct nvme_ctrl {
    struct pci_claim claim; /* first: pci_claim_slot finds it there */
    volatile uint8_t *regs;
    uint64_t cap;
    uint32_t stride;
    unsigned msix;          /* MSI-X capability offset, 0 = none */
    uint16_t saved_msix;
    uint32_t max_bytes;
    struct nvme_queue asq, acq, iosq, iocq;
    uint8_t *ident;         /* one page for Identify */
    uint64_t *prp;          /* PRP_LIST_PAGES pages */
};

struct nvme_disk {
    struct blk_dev dev;
    struct nvme_ctrl *c;
    uint32_t nsid;
};

static struct nvme_ctrl ctrls[NVME_MAX_CTRL];
static struct nvme_disk disks[NVME_MAX_CTRL];

static uint32_t rd32(const struct nvme_ctrl *c, unsigned off) { return *(volatile uint32_t *)(c->regs + off); }
static uint64_t rd64(const struct nvme_ctrl *c, unsigned off)
{
    return rd32(c, off) | (uint64_t)rd32(c, off + 4) << 32;
}
static void wr32(const struct nvme_ctrl *c, unsigned off, uint32_t v)
{
    __asm__ volatile("" : : : "memory"); /* queue memory written before the doorbell */
    *(volatile uint32_t *)(c->regs + off) = v;
}
static void wr64(const struct nvme_ctrl *c, unsigned off, uint64_t v)
{
    wr32(c, off, (uint32_t)v);
    wr32(c, off + 4, (uint32_t)(v >> 32));
}

static bool wait_csts(const struct nvme_ctrl *c, uint32_t mask, uint32_t want, uint64_t ns)
{
    uint64_t end = smx_time_ns() + ns;

    for (;;) {
        uint32_t v = rd32(c, NVME_CSTS);
        if (v == 0xffffffffu)
            return false; /* the device fell off the bus */
        if ((v & mask) == want)
            return true;
        if (smx_time_ns() > end)
            return false;
    }
}

static uint64_t ready_timeout(const struct nvme_ctrl *c)
{
    uint32_t to = CAP_TO(c->cap);

    return (to ? to : 1) * 500 * MS;
}

/* §3.1.21 (Doorbell): SQ y tail at 0x1000 + (2y) * stride, CQ y head at (2y + 1). */
static unsigned doorbell(const struct nvme_ctrl *c, uint16_t qid, bool cq)
{
    return NVME_DOORBELL + (2u * qid + (cq ? 1 : 0)) * c->stride;
}

static void queue_init(struct nvme_queue *q, uint16_t id)
{
    memset(q->mem, 0, PAGE);
    q->tail = q->head = 0;
    q->phase = 1;
    q->id = id;
}

/* Submit one command and poll its completion; the status field (0 = ok)
 * or -1 on timeout. */
static int submit(struct nvme_ctrl *c, struct nvme_queue *sq, struct nvme_queue *cq, struct nvme_sqe *cmd,
                  uint32_t *dw0)
{
    struct nvme_sqe *sqe = (struct nvme_sqe *)sq->mem + sq->tail;
    uint16_t cid = ++sq->cid;

    cmd->cdw0 = (cmd->cdw0 & 0xff) | (uint32_t)cid << 16;
    *sqe = *cmd;
    sq->tail = (uint16_t)((sq->tail + 1) % QUEUE_ENTRIES);
    wr32(c, doorbell(c, sq->id, false), sq->tail);
    volatile struct nvme_cqe *cqe = (volatile struct nvme_cqe *)cq->mem + cq->head;
    uint64_t t0 = smx_time_ns();
    while ((cqe->status & 1) != cq->phase) {
        if (smx_time_ns() - t0 > BLK_TIMEOUT_NS || (rd32(c, NVME_CSTS) & CSTS_CFS)) {
            smx_log("nvme", "%s: command %#x (queue %u) %s, CSTS %#x", c->claim.name, cmd->cdw0 & 0xff, sq->id,
                    rd32(c, NVME_CSTS) & CSTS_CFS ? "hit a fatal controller status" : "timed out",
                    rd32(c, NVME_CSTS));
            return -1;
        }
    }
    __asm__ volatile("" : : : "memory");
    uint16_t status = cqe->status >> 1;
    if (dw0)
        *dw0 = cqe->dw0;
    if (cqe->cid != cid)
        status = 0x7fff;
    cq->head = (uint16_t)((cq->head + 1) % QUEUE_ENTRIES);
    if (cq->head == 0)
        cq->phase ^= 1;
    wr32(c, doorbell(c, cq->id, true), cq->head);
    if (status)
        smx_log("nvme", "%s: command %#x (queue %u) failed: status type %u code %#x", c->claim.name,
                cmd->cdw0 & 0xff, sq->id, status >> 8 & 7, status & 0xff);
    return status;
}

static int admin(struct nvme_ctrl *c, struct nvme_sqe *cmd) { return submit(c, &c->asq, &c->acq, cmd, NULL); }

/* §4.3: PRP1 is the buffer (any dword offset); PRP2 the next page when
 * the transfer ends in it, else a list of the remaining pages, whose last
 * entry chains to the next list page when one is not enough. */
static bool build_prps(struct nvme_ctrl *c, uint64_t pa, uint32_t bytes, struct nvme_sqe *cmd)
{
    uint32_t first = PAGE - (uint32_t)(pa & (PAGE - 1));

    cmd->prp1 = pa;
    cmd->prp2 = 0;
    if (bytes <= first)
        return true;
    uint64_t next = pa + first;
    uint32_t pages = (bytes - first + PAGE - 1) / PAGE;
    if (pages == 1) {
        cmd->prp2 = next;
        return true;
    }
    uint64_t *list = c->prp;
    unsigned slot = 0, page = 0;
    cmd->prp2 = mem_phys(list);
    for (uint32_t i = 0; i < pages; i++) {
        if (slot == PRP_PER_PAGE - 1 && pages - i > 1) {
            if (++page == PRP_LIST_PAGES)
                return false;
            list[slot] = mem_phys(c->prp + page * PRP_PER_PAGE);
            list = c->prp + page * PRP_PER_PAGE;
            slot = 0;
        }
        list[slot++] = next + (uint64_t)i * PAGE;
    }
    return true;
}

static int nvme_rw(struct blk_dev *d, uint64_t lba, uint32_t n, void *buf, bool write)
{
    struct nvme_disk *k = d->priv;
    struct nvme_ctrl *c = k->c;
    uint64_t pa = mem_phys(buf);

    if (n == 0 || n > d->max_blocks || lba + n > d->block_count || (pa & 3))
        return -1;
    struct nvme_sqe cmd = { .cdw0 = write ? IO_WRITE : IO_READ, .nsid = k->nsid, .cdw10 = (uint32_t)lba,
                            .cdw11 = (uint32_t)(lba >> 32), .cdw12 = n - 1 };
    if (!build_prps(c, pa, n * d->block_size, &cmd))
        return -1;
    if (submit(c, &c->iosq, &c->iocq, &cmd, NULL)) {
        smx_log("nvme", "%s ns %u: %s of %u blocks at lba %llu failed", c->claim.name, k->nsid, write ? "write" : "read",
                n, (unsigned long long)lba);
        return -1;
    }
    return 0;
}

static int nvme_read(struct blk_dev *d, uint64_t lba, uint32_t n, void *buf) { return nvme_rw(d, lba, n, buf, false); }
static int nvme_write(struct blk_dev *d, uint64_t lba, uint32_t n, const void *buf)
{
    return nvme_rw(d, lba, n, (void *)buf, true);
}

static int nvme_flush(struct blk_dev *d)
{
    struct nvme_disk *k = d->priv;
    struct nvme_sqe cmd = { .cdw0 = IO_FLUSH, .nsid = k->nsid };

    return submit(k->c, &k->c->iosq, &k->c->iocq, &cmd, NULL) ? -1 : 0;
}

static bool ctrl_mem(struct nvme_ctrl *c)
{
    if (c->ident)
        return true;
    struct nvme_queue *q[] = { &c->asq, &c->acq, &c->iosq, &c->iocq };
    for (int i = 0; i < 4; i++)
        if (!(q[i]->mem = mem_alloc_pages(1)))
            return false;
    c->ident = mem_alloc_pages(1);
    c->prp = mem_alloc_pages(PRP_LIST_PAGES);
    return c->ident && c->prp;
}

/* §7.6.1: disable, admin queues, enable, Identify, one I/O queue pair. */
static bool ctrl_enable(struct nvme_ctrl *c)
{
    c->cap = rd64(c, NVME_CAP);
    c->stride = 4u << CAP_DSTRD(c->cap);
    if (CAP_MPSMIN(c->cap) != 0 || !CAP_CSS_NVM(c->cap) || CAP_MQES(c->cap) + 1 < QUEUE_ENTRIES) {
        smx_log("nvme", "%s: unsupported controller (CAP %#llx): needs 4 KiB pages, the NVM command set, "
                "queues of %u", c->claim.name, (unsigned long long)c->cap, QUEUE_ENTRIES);
        return false;
    }
    wr32(c, NVME_CC, rd32(c, NVME_CC) & ~CC_EN);
    if (!wait_csts(c, CSTS_RDY, 0, ready_timeout(c))) {
        smx_log("nvme", "%s: CSTS.RDY stays 1 after CC.EN=0 (CSTS %#x)", c->claim.name, rd32(c, NVME_CSTS));
        return false;
    }
    queue_init(&c->asq, 0);
    queue_init(&c->acq, 0);
    queue_init(&c->iosq, 1);
    queue_init(&c->iocq, 1);
    if (!(c->msix && (c->saved_msix & PCI_MSIX_ENABLE)))
        wr32(c, NVME_INTMS, 0xffffffffu); /* §3.1.3: not to be touched under MSI-X */
    wr32(c, NVME_AQA, (QUEUE_ENTRIES - 1) << 16 | (QUEUE_ENTRIES - 1));
    wr64(c, NVME_ASQ, mem_phys(c->asq.mem));
    wr64(c, NVME_ACQ, mem_phys(c->acq.mem));
    wr32(c, NVME_CC, CC_EN | CC_CSS_NVM | CC_MPS_4K | CC_IOSQES_64 | CC_IOCQES_16);
    if (!wait_csts(c, CSTS_RDY | CSTS_CFS, CSTS_RDY, ready_timeout(c))) {
        smx_log("nvme", "%s: not ready after CC.EN=1 (CSTS %#x)", c->claim.name, rd32(c, NVME_CSTS));
        return false;
    }
    struct nvme_sqe id = { .cdw0 = ADM_IDENTIFY, .prp1 = mem_phys(c->ident), .cdw10 = CNS_CONTROLLER };
    if (admin(c, &id))
        return false;
    uint8_t mdts = c->ident[IDC_MDTS];
    c->max_bytes = MAX_BYTES;
    if (mdts && mdts < 12 && (PAGE << mdts) < MAX_BYTES)
        c->max_bytes = PAGE << mdts;
    struct nvme_sqe cq = { .cdw0 = ADM_CREATE_IO_CQ, .prp1 = mem_phys(c->iocq.mem),
                           .cdw10 = (QUEUE_ENTRIES - 1) << 16 | 1, .cdw11 = QUEUE_PC };
    struct nvme_sqe sq = { .cdw0 = ADM_CREATE_IO_SQ, .prp1 = mem_phys(c->iosq.mem),
                           .cdw10 = (QUEUE_ENTRIES - 1) << 16 | 1, .cdw11 = 1u << 16 | QUEUE_PC };
    return admin(c, &cq) == 0 && admin(c, &sq) == 0;
}

static void text_field(char *out, const uint8_t *p, unsigned n)
{
    unsigned len = n;

    memcpy(out, p, n);
    while (len > 0 && (out[len - 1] == ' ' || out[len - 1] == 0))
        len--;
    out[len] = 0;
}

static struct nvme_ctrl *ctrl_up(const struct pci_fn *f)
{
    struct nvme_ctrl *c = (struct nvme_ctrl *)pci_claim_slot(ctrls, NVME_MAX_CTRL, sizeof ctrls[0], f);
    char name[8];

    pci_name(f, name);
    uint64_t bar = pci_bar_mem(f, NVME_BAR);
    if (!c || !bar) {
        smx_log("nvme", "%s: %s", name, c ? "no memory BAR" : "too many controllers");
        return NULL;
    }
    if (!ctrl_mem(c) || !(c->regs = mem_map_mmio(bar, NVME_MAP_SIZE))) {
        smx_log("nvme", "%s: no VMM memory or mapping for BAR %#llx", name, (unsigned long long)bar);
        return NULL;
    }
    c->claim.in_use = true;
    if (pci_claim_take(&c->claim, f)) {
        c->msix = pci_find_cap(f, PCI_CAP_MSIX);
        if (c->msix) {
            c->saved_msix = pci_read16(f, c->msix + PCI_MSIX_CONTROL);
            pci_write16(f, c->msix + PCI_MSIX_CONTROL, (uint16_t)(c->saved_msix | PCI_MSIX_FUNCTION_MASK));
        }
    }
    uint64_t t0 = smx_time_ns();
    if (!ctrl_enable(c))
        return NULL;
    uint32_t vs = rd32(c, NVME_VS);
    char model[41], serial[21];
    text_field(model, c->ident + IDC_MN, 40);
    text_field(serial, c->ident + IDC_SN, 20);
    smx_log("nvme", "%s: NVMe %u.%u \"%s\" (serial %s) at %#llx, up in %llu us, %u KiB per command", name, vs >> 16,
            vs >> 8 & 0xff, model, serial, (unsigned long long)bar, (unsigned long long)((smx_time_ns() - t0) / 1000),
            c->max_bytes >> 10);
    return c;
}

/* A namespace as a disk: its size and LBA format (§5.15.2.1, Identify
 * Namespace); namespaces with metadata are not for the store. */
static bool try_ns(struct nvme_ctrl *c, uint32_t nsid, blk_visit_fn *visit, void *ctx)
{
    struct nvme_sqe id = { .cdw0 = ADM_IDENTIFY, .nsid = nsid, .prp1 = mem_phys(c->ident), .cdw10 = CNS_NAMESPACE };

    if (admin(c, &id))
        return false;
    uint64_t nsze;
    memcpy(&nsze, c->ident + IDN_NSZE, 8);
    if (nsze == 0)
        return false; /* inactive */
    uint32_t lbaf;
    memcpy(&lbaf, c->ident + IDN_LBAF + 4 * (c->ident[IDN_FLBAS] & 0xf), 4);
    uint32_t lbads = lbaf >> 16 & 0xff, ms = lbaf & 0xffff;
    if (ms || lbads < 9 || lbads > 12) {
        smx_log("nvme", "%s ns %u: LBA format of 2^%u bytes with %u metadata bytes: not used", c->claim.name, nsid,
                lbads, ms);
        return false;
    }
    struct nvme_disk *k = &disks[c - ctrls];
    *k = (struct nvme_disk){ .c = c, .nsid = nsid };
    k->dev = (struct blk_dev){ .ctrl = SMX_CTRL_NVME, .pci_bus = c->claim.pci.bus, .pci_devfn = pci_devfn(&c->claim.pci),
                               .unit = (uint16_t)nsid, .block_size = 1u << lbads, .block_count = nsze,
                               .max_blocks = c->max_bytes >> lbads, .priv = k, .read = nvme_read,
                               .write = nvme_write, .flush = nvme_flush };
    char *s = k->dev.name, *e = k->dev.name + sizeof k->dev.name - 12;
    const char *parts[] = { "nvme ", c->claim.name, " ns " };
    for (unsigned i = 0; i < 3; i++)
        for (const char *q = parts[i]; *q && s < e; q++)
            *s++ = *q;
    char digits[11];
    int nd = 0;
    for (uint32_t v = nsid; v || nd == 0; v /= 10)
        digits[nd++] = (char)('0' + v % 10);
    while (nd)
        *s++ = digits[--nd];
    *s = 0;
    smx_log("nvme", "%s ns %u: %llu blocks of %u bytes (%llu MiB)", c->claim.name, nsid, (unsigned long long)nsze,
            1u << lbads, (unsigned long long)((nsze << lbads) >> 20));
    return visit(ctx, &k->dev);
}

struct collect {
    struct pci_fn fn[NVME_MAX_CTRL];
    unsigned n;
};

static bool collect_fn(void *ctx, const struct pci_fn *f)
{
    struct collect *col = ctx;

    if (col->n < NVME_MAX_CTRL)
        col->fn[col->n++] = *f;
    return false;
}

static bool nvme_scan(const struct blk_where *prefer, blk_visit_fn *visit, void *ctx)
{
    struct collect col = { .n = 0 };

    pci_scan_class(NVME_PCI_CLASS, collect_fn, &col);
    for (int pass = 0; pass < 2; pass++)
        for (unsigned i = 0; i < col.n; i++) {
            const struct pci_fn *f = &col.fn[i];
            bool hinted = prefer && prefer->pci_bus == f->bus && prefer->pci_devfn == pci_devfn(f);
            if (hinted != (pass == 0))
                continue;
            struct nvme_ctrl *c = ctrl_up(f);
            if (!c)
                continue;
            uint32_t nn;
            struct nvme_sqe id = { .cdw0 = ADM_IDENTIFY, .prp1 = mem_phys(c->ident), .cdw10 = CNS_CONTROLLER };
            if (admin(c, &id))
                continue;
            memcpy(&nn, c->ident + IDC_NN, 4);
            if (hinted && prefer->unit && prefer->unit <= nn && try_ns(c, prefer->unit, visit, ctx))
                return true;
            for (uint32_t ns = 1; ns <= nn && ns <= NVME_MAX_NSID; ns++)
                if (!(hinted && ns == prefer->unit) && try_ns(c, ns, visit, ctx))
                    return true;
        }
    return false;
}

/* Power-on state: a normal shutdown (§7.6.2, so the disk's volatile cache
 * is durable), then CC.EN=0 until CSTS.RDY=0 (§3.1.6), the admin queue
 * registers cleared, interrupts and the PCI command register as found. */
static void nvme_reset_all(void)
{
    for (int i = 0; i < NVME_MAX_CTRL; i++) {
        struct nvme_ctrl *c = &ctrls[i];
        if (!c->claim.touched)
            continue;
        uint64_t t0 = smx_time_ns();
        bool shut = false, off;
        if (rd32(c, NVME_CSTS) & CSTS_RDY) {
            wr32(c, NVME_CC, (rd32(c, NVME_CC) & ~(3u << 14)) | CC_SHN_NORMAL);
            shut = wait_csts(c, CSTS_SHST_MASK, CSTS_SHST_DONE, 5000 * MS);
        }
        wr32(c, NVME_CC, 0);
        off = wait_csts(c, CSTS_RDY, 0, ready_timeout(c));
        wr32(c, NVME_AQA, 0);
        wr64(c, NVME_ASQ, 0);
        wr64(c, NVME_ACQ, 0);
        if (c->msix)
            pci_write16(&c->claim.pci, c->msix + PCI_MSIX_CONTROL, c->saved_msix);
        pci_claim_release(&c->claim);
        smx_log("nvme", "%s: %s, CC.EN=0 %s, PCI command %#x restored in %llu us", c->claim.name,
                shut ? "shut down" : "no shutdown", off ? "and CSTS.RDY=0: power-on state" : "BUT CSTS.RDY STAYS 1",
                c->claim.saved_command, (unsigned long long)((smx_time_ns() - t0) / 1000));
    }
}

SMX_BLK_DRIVER(nvme) = { .name = "nvme", .ctrl = SMX_CTRL_NVME, .scan = nvme_scan, .reset_all = nvme_reset_all };
