/* SPDX-License-Identifier: MIT */
/*
 * The VMM's virtio-net driver (QEMU's `-device virtio-net-pci`), through
 * the legacy PCI interface every transitional device keeps: Virtual I/O
 * Device (VIRTIO) 1.0 ("the spec" below) §4.1.4.8 and §2.4 for the split
 * virtqueues, §5.1 for the network device. One receive and one transmit
 * queue in VMM memory, polled: no interrupt is asked for (§2.4.7, the
 * avail ring's NO_INTERRUPT flag) and INTx is off in the PCI command
 * register while the VMM owns the device.
 *
 * Bring-up starts from a device reset (status 0, §2.1), so nothing the OS
 * left behind matters; nic_reset_all() resets it again and puts the
 * command register back: the OS's driver finds it as after power-on.
 */
#include <stddef.h>
#include <string.h>

#include "io.h"
#include "log.h"
#include "mem.h"
#include "nic.h"
#include "pci.h"
#include "time.h"

/* Spec §4.1.2.1: vendor 1af4, transitional network device 1000. */
#define VIRTIO_VENDOR 0x1af4
#define VIRTIO_NET_LEGACY 0x1000
#define NET_PCI_CLASS 0x020000u
#define PCI_CMD_IO (1u << 0) /* PCI Local Bus 3.0 §6.2.2 */

/* Spec §4.1.4.8: the legacy registers in I/O BAR0. */
#define VIO_HOST_FEATURES 0x00
#define VIO_GUEST_FEATURES 0x04
#define VIO_QUEUE_PFN 0x08
#define VIO_QUEUE_SIZE 0x0c
#define VIO_QUEUE_SELECT 0x0e
#define VIO_QUEUE_NOTIFY 0x10
#define VIO_STATUS 0x12
#define VIO_ISR 0x13
#define VIO_CONFIG 0x14        /* device config; 0x18 while MSI-X is enabled */
#define VIO_CONFIG_MSIX 0x18

/* Spec §2.1: device status bits. */
#define ST_ACKNOWLEDGE 1
#define ST_DRIVER 2
#define ST_DRIVER_OK 4
#define ST_FAILED 128

/* Spec §5.1.3: the one feature used: the device's own MAC in its config. */
#define NET_F_MAC (1u << 5)

/* Spec §2.4.5, §2.4.6, §2.4.8: the split virtqueue. */
struct vq_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
} __attribute__((packed));
_Static_assert(sizeof(struct vq_desc) == 16, "virtq_desc");
#define DESC_F_WRITE 2
#define AVAIL_F_NO_INTERRUPT 1
struct vq_used_elem {
    uint32_t id;
    uint32_t len;
};

/* Spec §5.1.6: the header before every frame, without MRG_RXBUF. */
#define NET_HDR 10

#define QMAX 256               /* the most entries the VMM uses per queue */
#define BUF 2048
#define RXQ 0
#define TXQ 1

struct vq {
    uint16_t size;             /* the device's queue size (legacy: fixed by the device) */
    uint16_t used_seen;        /* used ring entries consumed */
    uint16_t avail_idx;
    uint16_t in_flight;        /* tx: descriptors given, not yet used */
    struct vq_desc *desc;
    volatile uint16_t *avail;  /* flags, idx, ring[size] */
    volatile uint16_t *used;   /* flags, idx, then used elems */
    uint8_t *mem, *bufs;
};

struct vnet {
    struct pci_claim claim;    /* first: pci_claim_slot finds it there */
    uint16_t io;
    struct vq q[2];
    struct nic_dev dev;
};

static struct vnet nics[1];

static size_t align4k(size_t n) { return (n + 4095) & ~(size_t)4095; }
/* Spec §2.4.2: legacy queue layout: descriptors and the avail ring, then the used ring on a 4 KiB boundary. */
static size_t vq_bytes(uint16_t n)
{
    return align4k(16u * n + 6 + 2u * n) + align4k(6 + 8u * n);
}

static volatile struct vq_used_elem *used_elem(const struct vq *q, uint16_t i)
{
    return (volatile struct vq_used_elem *)(q->used + 2) + (i % q->size);
}

static bool vq_setup(struct vnet *v, unsigned idx)
{
    struct vq *q = &v->q[idx];

    outw(v->io + VIO_QUEUE_SELECT, (uint16_t)idx);
    uint16_t n = inw(v->io + VIO_QUEUE_SIZE);
    if (!n || n > QMAX || (n & (n - 1))) {
        smx_log("virtio", "%s: queue %u has %u entries (1 to %u, a power of two, expected)", v->claim.name, idx,
                n, QMAX);
        return false;
    }
    if (!q->mem) {
        q->mem = mem_alloc_pages(vq_bytes(QMAX) / 4096);
        q->bufs = mem_alloc_pages((size_t)QMAX * BUF / 4096);
    }
    if (!q->mem || !q->bufs)
        return false;
    memset(q->mem, 0, vq_bytes(QMAX));
    q->size = n;
    q->desc = (struct vq_desc *)q->mem;
    q->avail = (volatile uint16_t *)(q->mem + 16u * n);
    q->used = (volatile uint16_t *)(q->mem + align4k(16u * n + 6 + 2u * n));
    q->used_seen = q->avail_idx = q->in_flight = 0;
    q->avail[0] = AVAIL_F_NO_INTERRUPT;
    for (uint16_t i = 0; i < n; i++)
        q->desc[i] = (struct vq_desc){ .addr = mem_phys(q->bufs + (size_t)i * BUF) };
    outl(v->io + VIO_QUEUE_PFN, (uint32_t)(mem_phys(q->mem) >> 12));
    return true;
}

static void rx_give(struct vnet *v, uint16_t id)
{
    struct vq *q = &v->q[RXQ];

    q->desc[id].len = BUF;
    q->desc[id].flags = DESC_F_WRITE;
    q->avail[2 + q->avail_idx % q->size] = id;
    __asm__ volatile("" ::: "memory");
    q->avail[1] = ++q->avail_idx;
}

static const void *v_rx_peek(struct nic_dev *d, size_t *len)
{
    struct vnet *v = d->priv;
    struct vq *q = &v->q[RXQ];

    while (q->used[1] != q->used_seen) {
        __asm__ volatile("" ::: "memory");
        volatile struct vq_used_elem *e = used_elem(q, q->used_seen);
        if (e->id < q->size && e->len > NET_HDR && e->len - NET_HDR <= NIC_FRAME_MAX) {
            *len = e->len - NET_HDR;
            return q->bufs + (size_t)e->id * BUF + NET_HDR;
        }
        d->rx_done(d);
    }
    return NULL;
}

static void v_rx_done(struct nic_dev *d)
{
    struct vnet *v = d->priv;
    struct vq *q = &v->q[RXQ];
    uint16_t id = (uint16_t)used_elem(q, q->used_seen)->id;

    q->used_seen++;
    rx_give(v, id < q->size ? id : 0);
    outw(v->io + VIO_QUEUE_NOTIFY, RXQ);
}

static void *v_tx_buf(struct nic_dev *d)
{
    struct vnet *v = d->priv;
    struct vq *q = &v->q[TXQ];

    while (q->used[1] != q->used_seen) {
        q->used_seen++;
        q->in_flight--;
    }
    if (q->in_flight == q->size)
        return NULL;
    /* The device uses transmit descriptors in the order given (it sends
     * in order), so the next free one follows the last given. */
    uint16_t id = q->avail_idx % q->size;
    memset(q->bufs + (size_t)id * BUF, 0, NET_HDR);
    return q->bufs + (size_t)id * BUF + NET_HDR;
}

static void v_tx_go(struct nic_dev *d, size_t len)
{
    struct vnet *v = d->priv;
    struct vq *q = &v->q[TXQ];
    uint16_t id = q->avail_idx % q->size;

    q->desc[id].len = (uint32_t)(NET_HDR + len);
    q->desc[id].flags = 0;
    q->avail[2 + id] = id;
    __asm__ volatile("" ::: "memory");
    q->avail[1] = ++q->avail_idx;
    q->in_flight++;
    outw(v->io + VIO_QUEUE_NOTIFY, TXQ);
}

static bool v_link_up(struct nic_dev *d)
{
    (void)d;
    return true; /* VIRTIO_NET_F_STATUS is not negotiated: the link counts as up (spec §5.1.4) */
}

static void dev_reset(struct vnet *v)
{
    outb(v->io + VIO_STATUS, 0);
    (void)inb(v->io + VIO_ISR); /* read-to-clear */
}

static bool msix_on(const struct pci_fn *f)
{
    unsigned cap = pci_find_cap(f, PCI_CAP_MSIX);
    return cap && (pci_read16(f, cap + PCI_MSIX_CONTROL) & PCI_MSIX_ENABLE);
}

static bool up(struct vnet *v)
{
    uint64_t t0 = smx_time_ns();

    dev_reset(v);
    outb(v->io + VIO_STATUS, ST_ACKNOWLEDGE);
    outb(v->io + VIO_STATUS, ST_ACKNOWLEDGE | ST_DRIVER);
    uint32_t have = inl(v->io + VIO_HOST_FEATURES);
    if (!(have & NET_F_MAC)) {
        smx_log("virtio", "%s: the device offers no MAC address (features %#x)", v->claim.name, have);
        return false;
    }
    outl(v->io + VIO_GUEST_FEATURES, NET_F_MAC);
    if (!vq_setup(v, RXQ) || !vq_setup(v, TXQ)) {
        outb(v->io + VIO_STATUS, ST_FAILED);
        return false;
    }
    uint16_t cfg = msix_on(&v->claim.pci) ? VIO_CONFIG_MSIX : VIO_CONFIG;
    for (int i = 0; i < 6; i++)
        v->dev.mac[i] = inb((uint16_t)(v->io + cfg + i));
    for (uint16_t i = 0; i < v->q[RXQ].size; i++)
        rx_give(v, i);
    outb(v->io + VIO_STATUS, ST_ACKNOWLEDGE | ST_DRIVER | ST_DRIVER_OK);
    outw(v->io + VIO_QUEUE_NOTIFY, RXQ);
    const uint8_t *m = v->dev.mac;
    smx_log("virtio", "%s: up (legacy interface, queues of %u/%u), MAC %02x:%02x:%02x:%02x:%02x:%02x, in %llu us",
            v->claim.name, v->q[RXQ].size, v->q[TXQ].size, m[0], m[1], m[2], m[3], m[4], m[5],
            (unsigned long long)((smx_time_ns() - t0) / 1000));
    return true;
}

static bool find(void *ctx, const struct pci_fn *f)
{
    *(struct pci_fn *)ctx = *f;
    return f->vendor == VIRTIO_VENDOR && f->device == VIRTIO_NET_LEGACY;
}

static struct nic_dev *virtio_net_open(void)
{
    struct pci_fn f;
    struct vnet *v = &nics[0];
    char name[8];

    if (!pci_scan_class(NET_PCI_CLASS, find, &f) || f.vendor != VIRTIO_VENDOR || f.device != VIRTIO_NET_LEGACY)
        return NULL;
    pci_name(&f, name);
    uint32_t bar = pci_read32(&f, PCI_BAR0);
    if (!(bar & PCI_BAR_IO) || !(bar & 0xfffcu)) {
        smx_log("virtio", "%s: BAR0 is not the legacy I/O window (%#x)", name, bar);
        return NULL;
    }
    v->io = (uint16_t)(bar & 0xfffcu);
    v->claim.in_use = true;
    pci_claim_take(&v->claim, &f);
    pci_write16(&f, PCI_COMMAND, (uint16_t)(pci_read16(&f, PCI_COMMAND) | PCI_CMD_IO));
    v->dev = (struct nic_dev){ .priv = v, .rx_peek = v_rx_peek, .rx_done = v_rx_done, .tx_buf = v_tx_buf,
                               .tx_go = v_tx_go, .link_up = v_link_up };
    memcpy(v->dev.name, "virtio-net ", 11);
    memcpy(v->dev.name + 11, v->claim.name, sizeof v->claim.name);
    if (!up(v)) {
        dev_reset(v);
        pci_claim_release(&v->claim);
        return NULL;
    }
    return &v->dev;
}

/* Back to power-on: a device reset (spec §2.1: status 0 forgets the
 * queues and features), then the PCI command register as found. */
static void virtio_net_reset_all(void)
{
    for (unsigned i = 0; i < sizeof nics / sizeof nics[0]; i++) {
        struct vnet *v = &nics[i];
        if (!v->claim.touched)
            continue;
        uint64_t t0 = smx_time_ns();
        dev_reset(v);
        for (unsigned k = 0; k < 2; k++) {
            outw(v->io + VIO_QUEUE_SELECT, (uint16_t)k);
            outl(v->io + VIO_QUEUE_PFN, 0);
        }
        pci_claim_release(&v->claim);
        smx_log("virtio", "%s: reset to power-on state, PCI command %#x restored in %llu us", v->claim.name,
                v->claim.saved_command, (unsigned long long)((smx_time_ns() - t0) / 1000));
    }
}

SMX_NIC_DRIVER(virtio_net) = { .name = "virtio-net", .open = virtio_net_open, .reset_all = virtio_net_reset_all };
