/* SPDX-License-Identifier: MIT */
/*
 * The VMM's driver for the Intel 82574L (e1000e family; QEMU's
 * `-device e1000e`), after the Intel 82574 GbE Controller Family datasheet
 * (rev. 3.4, "the datasheet" below). Legacy descriptors, one receive and
 * one transmit ring in VMM memory, polled: IMC masks every interrupt cause
 * and the PCI command register has INTx off while the VMM owns the NIC.
 *
 * Bring-up starts from a device reset (CTRL.RST) and then writes every
 * register the driver depends on, since a reset does not clear all an
 * OS's driver set (nor the PHY's power-down); nic_reset_all() resets it
 * again and puts the command register back, and the OS's driver brings it
 * up as after power-on. The MAC address is what the NIC loaded from its
 * EEPROM into RAL0/RAH0 at reset.
 */
#include <stddef.h>
#include <string.h>

#include "io.h"
#include "log.h"
#include "mem.h"
#include "nic.h"
#include "pci.h"
#include "time.h"

/* PCI Code and ID Assignment 1.9 §1.3: class 02h (network), subclass 00h (Ethernet). */
#define NET_PCI_CLASS 0x020000u
#define INTEL_VENDOR 0x8086
#define E1000E_82574L 0x10d3    /* the 82574L's device ID (datasheet, PCI configuration space) */
#define E1000E_BAR 0            /* BAR0: the 128 KiB memory-mapped register space */
#define E1000E_MAP_SIZE 0x20000u

/* Datasheet chapter 10 (register descriptions): offsets. */
#define REG_CTRL 0x0000
#define REG_STATUS 0x0008
#define REG_ICR 0x00c0
#define REG_IMC 0x00d8
#define REG_RCTL 0x0100
#define REG_TCTL 0x0400
#define REG_TIPG 0x0410
#define REG_RDBAL 0x2800
#define REG_RDBAH 0x2804
#define REG_RDLEN 0x2808
#define REG_RDH 0x2810
#define REG_RDT 0x2818
#define REG_TDBAL 0x3800
#define REG_TDBAH 0x3804
#define REG_TDLEN 0x3808
#define REG_TDH 0x3810
#define REG_TDT 0x3818
#define REG_MDIC 0x0020
#define REG_RXCSUM 0x5000
#define REG_RFCTL 0x5008
#define REG_MTA 0x5200          /* 128 dwords */
#define REG_MRQC 0x5818
#define REG_RAL0 0x5400
#define REG_RAH0 0x5404

/* CTRL and STATUS bits. */
#define CTRL_ASDE (1u << 5)
#define CTRL_SLU (1u << 6)
#define CTRL_RST (1u << 26)
#define CTRL_VME (1u << 30)     /* VLAN mode: tags stripped into the descriptor */
#define STATUS_LU (1u << 1)
/* RCTL: enable, broadcast accept, 2048-byte buffers (BSIZE 00), strip the CRC. */
#define RCTL_EN (1u << 1)
#define RCTL_BAM (1u << 15)
#define RCTL_SECRC (1u << 26)
/* TCTL: enable, pad short packets, collision threshold 15, collision distance 63. */
#define TCTL_EN (1u << 1)
#define TCTL_PSP (1u << 3)
#define TCTL_CT(n) ((uint32_t)(n) << 4)
#define TCTL_COLD(n) ((uint32_t)(n) << 12)
/* TIPG: the IEEE 802.3 inter-packet gap for copper (IPGT 8, IPGR1 8, IPGR2 6). */
#define TIPG_COPPER (8u | 8u << 10 | 6u << 20)
#define RAH_AV (1u << 31)

/* MDIC (datasheet chapter 10): one PHY register access at a time. The
 * 82574's internal PHY answers at address 1. */
#define MDIC_REG(r) ((uint32_t)(r) << 16)
#define MDIC_PHY(p) ((uint32_t)(p) << 21)
#define MDIC_OP_WRITE (1u << 26)
#define MDIC_OP_READ (2u << 26)
#define MDIC_READY (1u << 28)
#define MDIC_ERROR (1u << 30)
#define PHY_ADDR 1
#define MDIC_TIMEOUT_NS (10ull * 1000 * 1000)
/* IEEE 802.3 §22.2.4.1: the PHY's control register, and its power-down bit
 * (an OS's driver sets it before S3 when no wake-on-LAN is armed). */
#define PHY_CTRL 0
#define PHY_CTRL_POWER_DOWN (1u << 11)

/* Datasheet §7.1 (receive): the legacy receive descriptor. */
struct rx_desc {
    uint64_t addr;
    uint16_t length;
    uint16_t csum;
    uint8_t status;
    uint8_t errors;
    uint16_t special;
} __attribute__((packed));
_Static_assert(sizeof(struct rx_desc) == 16, "legacy rx descriptor");
#define RXS_DD (1u << 0)
#define RXS_EOP (1u << 1)

/* Datasheet §7.2 (transmit): the legacy transmit descriptor. */
struct tx_desc {
    uint64_t addr;
    uint16_t length;
    uint8_t cso;
    uint8_t cmd;
    uint8_t status;
    uint8_t css;
    uint16_t special;
} __attribute__((packed));
_Static_assert(sizeof(struct tx_desc) == 16, "legacy tx descriptor");
#define TXC_EOP (1u << 0)
#define TXC_IFCS (1u << 1)
#define TXC_RS (1u << 3)
#define TXS_DD (1u << 0)

/* Ring lengths are multiples of 128 bytes (RDLEN, TDLEN); 2048-byte buffers. */
#define RX_N 128
#define TX_N 64
#define BUF 2048
#define RESET_TIMEOUT_NS (100ull * 1000 * 1000)

struct e1000e {
    struct pci_claim claim;     /* first: pci_claim_slot finds it there */
    volatile uint8_t *regs;
    struct rx_desc *rx;
    struct tx_desc *tx;
    uint8_t *rxbuf, *txbuf;
    unsigned rx_next, tx_next, tx_clean;
    struct nic_dev dev;
};

static struct e1000e nics[1];

static uint32_t rd(const struct e1000e *e, unsigned off) { return *(volatile uint32_t *)(e->regs + off); }
static void wr(const struct e1000e *e, unsigned off, uint32_t v) { *(volatile uint32_t *)(e->regs + off) = v; }

/* CTRL.RST resets the MAC and reloads the EEPROM words (the MAC address
 * included); the bit clears itself when the reset is done. */
static bool dev_reset(struct e1000e *e)
{
    wr(e, REG_IMC, 0xffffffffu);
    wr(e, REG_RCTL, 0);
    wr(e, REG_TCTL, 0);
    wr(e, REG_CTRL, rd(e, REG_CTRL) | CTRL_RST);
    uint64_t t0 = smx_time_ns();
    while (smx_time_ns() - t0 < 1000000) /* let the reset settle before polling the bit */
        cpu_pause();
    while (rd(e, REG_CTRL) & CTRL_RST)
        if (smx_time_ns() - t0 > RESET_TIMEOUT_NS)
            return false;
    wr(e, REG_IMC, 0xffffffffu); /* the reset unmasks nothing, but the OS may have */
    (void)rd(e, REG_ICR);        /* read-to-clear */
    return true;
}

/* One MDIC access; false when the PHY did not answer or reported an error. */
static bool mdio(struct e1000e *e, uint32_t op, unsigned reg, uint16_t *val)
{
    wr(e, REG_MDIC, op | MDIC_PHY(PHY_ADDR) | MDIC_REG(reg) | (op == MDIC_OP_WRITE ? *val : 0));
    uint64_t t0 = smx_time_ns();
    uint32_t m;
    while (!((m = rd(e, REG_MDIC)) & MDIC_READY))
        if (smx_time_ns() - t0 > MDIC_TIMEOUT_NS)
            return false;
    if (m & MDIC_ERROR)
        return false;
    *val = (uint16_t)m;
    return true;
}

/* The OS may have powered the PHY down before it slept; a device reset
 * leaves the PHY as it was. */
static void phy_power_up(struct e1000e *e)
{
    uint16_t c;
    if (!mdio(e, MDIC_OP_READ, PHY_CTRL, &c)) {
        smx_log("e1000e", "%s: the PHY does not answer on MDIC", e->claim.name);
        return;
    }
    if (!(c & PHY_CTRL_POWER_DOWN))
        return;
    c &= (uint16_t)~PHY_CTRL_POWER_DOWN;
    smx_log("e1000e", "%s: the OS left the PHY powered down: %s", e->claim.name,
            mdio(e, MDIC_OP_WRITE, PHY_CTRL, &c) ? "powered up" : "POWER-UP FAILED");
}

static const void *e_rx_peek(struct nic_dev *d, size_t *len)
{
    struct e1000e *e = d->priv;

    for (;;) {
        volatile struct rx_desc *r = &e->rx[e->rx_next];
        if (!(r->status & RXS_DD))
            return NULL;
        __asm__ volatile("" ::: "memory");
        /* A frame larger than one buffer (no jumbo frames are asked for)
         * or with errors is dropped here. */
        if ((r->status & RXS_EOP) && !r->errors && r->length <= NIC_FRAME_MAX) {
            *len = r->length;
            return e->rxbuf + (size_t)e->rx_next * BUF;
        }
        d->rx_done(d);
    }
}

static void e_rx_done(struct nic_dev *d)
{
    struct e1000e *e = d->priv;
    unsigned i = e->rx_next;

    e->rx[i].status = 0;
    e->rx_next = (i + 1) % RX_N;
    __asm__ volatile("sfence" ::: "memory");
    wr(e, REG_RDT, i); /* the descriptor is the NIC's again */
}

static void *e_tx_buf(struct nic_dev *d)
{
    struct e1000e *e = d->priv;

    while (e->tx_clean != e->tx_next && (e->tx[e->tx_clean].status & TXS_DD))
        e->tx_clean = (e->tx_clean + 1) % TX_N;
    if ((e->tx_next + 1) % TX_N == e->tx_clean)
        return NULL;
    return e->txbuf + (size_t)e->tx_next * BUF;
}

static void e_tx_go(struct nic_dev *d, size_t len)
{
    struct e1000e *e = d->priv;
    struct tx_desc *t = &e->tx[e->tx_next];

    t->addr = mem_phys(e->txbuf + (size_t)e->tx_next * BUF);
    t->length = (uint16_t)len;
    t->cmd = TXC_EOP | TXC_IFCS | TXC_RS;
    t->status = 0;
    e->tx_next = (e->tx_next + 1) % TX_N;
    __asm__ volatile("sfence" ::: "memory");
    wr(e, REG_TDT, e->tx_next);
}

static bool e_link_up(struct nic_dev *d)
{
    return rd(d->priv, REG_STATUS) & STATUS_LU;
}

static bool rings(struct e1000e *e)
{
    if (!e->rx) {
        e->rx = mem_alloc_pages((RX_N * sizeof *e->rx + 4095) / 4096);
        e->tx = mem_alloc_pages((TX_N * sizeof *e->tx + 4095) / 4096);
        e->rxbuf = mem_alloc_pages(RX_N * BUF / 4096);
        e->txbuf = mem_alloc_pages(TX_N * BUF / 4096);
    }
    if (!e->rx || !e->tx || !e->rxbuf || !e->txbuf)
        return false;
    memset(e->rx, 0, RX_N * sizeof *e->rx);
    memset(e->tx, 0, TX_N * sizeof *e->tx);
    for (unsigned i = 0; i < RX_N; i++)
        e->rx[i].addr = mem_phys(e->rxbuf + (size_t)i * BUF);
    e->rx_next = e->tx_next = e->tx_clean = 0;
    return true;
}

static bool up(struct e1000e *e)
{
    uint64_t t0 = smx_time_ns();

    if (!dev_reset(e)) {
        smx_log("e1000e", "%s: CTRL.RST did not clear", e->claim.name);
        return false;
    }
    if (!rings(e)) {
        smx_log("e1000e", "%s: out of VMM memory for the rings", e->claim.name);
        return false;
    }
    uint32_t ral = rd(e, REG_RAL0), rah = rd(e, REG_RAH0);
    for (int i = 0; i < 4; i++)
        e->dev.mac[i] = (uint8_t)(ral >> (8 * i));
    e->dev.mac[4] = (uint8_t)rah;
    e->dev.mac[5] = (uint8_t)(rah >> 8);
    if (!(rah & RAH_AV) || !(ral | (rah & 0xffff))) {
        smx_log("e1000e", "%s: no MAC address in RAL0/RAH0 after reset (%#x %#x)", e->claim.name, ral, rah);
        return false;
    }
    /* A device reset is not trusted to clear what the OS's driver set:
     * after Linux's e1000e had run, QEMU 7.2 read back Linux's CTRL
     * unchanged after CTRL.RST and wrote received frames in the extended
     * descriptor format. Every register that decides the descriptor
     * format and where a frame goes is written here. */
    wr(e, REG_RFCTL, 0);  /* RFCTL.EXTEN off: legacy descriptors */
    wr(e, REG_MRQC, 0);   /* no RSS: every frame to queue 0 */
    wr(e, REG_RXCSUM, 0); /* no checksum offload results */
    for (unsigned i = 0; i < 128; i++)
        wr(e, REG_MTA + 4 * i, 0);
    phy_power_up(e);
    wr(e, REG_CTRL, (rd(e, REG_CTRL) & ~CTRL_VME) | CTRL_SLU | CTRL_ASDE);
    uint64_t rx = mem_phys(e->rx), tx = mem_phys(e->tx);
    wr(e, REG_RDBAL, (uint32_t)rx);
    wr(e, REG_RDBAH, (uint32_t)(rx >> 32));
    wr(e, REG_RDLEN, RX_N * sizeof *e->rx);
    wr(e, REG_RDH, 0);
    wr(e, REG_RDT, RX_N - 1);
    wr(e, REG_TDBAL, (uint32_t)tx);
    wr(e, REG_TDBAH, (uint32_t)(tx >> 32));
    wr(e, REG_TDLEN, TX_N * sizeof *e->tx);
    wr(e, REG_TDH, 0);
    wr(e, REG_TDT, 0);
    wr(e, REG_TIPG, TIPG_COPPER);
    wr(e, REG_TCTL, TCTL_EN | TCTL_PSP | TCTL_CT(15) | TCTL_COLD(63));
    wr(e, REG_RCTL, RCTL_EN | RCTL_BAM | RCTL_SECRC);
    const uint8_t *m = e->dev.mac;
    smx_log("e1000e", "%s: 82574L up, MAC %02x:%02x:%02x:%02x:%02x:%02x, link %s, in %llu us", e->claim.name, m[0],
            m[1], m[2], m[3], m[4], m[5], e_link_up(&e->dev) ? "up" : "down",
            (unsigned long long)((smx_time_ns() - t0) / 1000));
    return true;
}

static bool find(void *ctx, const struct pci_fn *f)
{
    *(struct pci_fn *)ctx = *f;
    return f->vendor == INTEL_VENDOR && f->device == E1000E_82574L;
}

static struct nic_dev *e1000e_open(void)
{
    struct pci_fn f;
    struct e1000e *e = &nics[0];
    char name[8];

    if (!pci_scan_class(NET_PCI_CLASS, find, &f) || f.vendor != INTEL_VENDOR || f.device != E1000E_82574L)
        return NULL;
    pci_name(&f, name);
    uint64_t bar = pci_bar_mem(&f, E1000E_BAR);
    if (!bar) {
        smx_log("e1000e", "%s: BAR0 is not set", name);
        return NULL;
    }
    if (!(e->regs = mem_map_mmio(bar, E1000E_MAP_SIZE))) {
        smx_log("e1000e", "%s: cannot map BAR0 %#llx", name, (unsigned long long)bar);
        return NULL;
    }
    e->claim.in_use = true;
    pci_claim_take(&e->claim, &f);
    e->dev = (struct nic_dev){ .priv = e, .rx_peek = e_rx_peek, .rx_done = e_rx_done, .tx_buf = e_tx_buf,
                               .tx_go = e_tx_go, .link_up = e_link_up };
    memcpy(e->dev.name, "e1000e ", 7);
    memcpy(e->dev.name + 7, e->claim.name, sizeof e->claim.name);
    if (!up(e)) {
        dev_reset(e);
        pci_claim_release(&e->claim);
        return NULL;
    }
    return &e->dev;
}

/* Back to power-on: a device reset (rings, filters and MAC state gone,
 * the EEPROM reloaded), then the PCI command register as the VMM found it. */
static void e1000e_reset_all(void)
{
    for (unsigned i = 0; i < sizeof nics / sizeof nics[0]; i++) {
        struct e1000e *e = &nics[i];
        if (!e->claim.touched)
            continue;
        uint64_t t0 = smx_time_ns();
        bool ok = dev_reset(e);
        pci_claim_release(&e->claim);
        smx_log("e1000e", "%s: %s, PCI command %#x restored in %llu us", e->claim.name,
                ok ? "reset to power-on state" : "RESET DID NOT COMPLETE", e->claim.saved_command,
                (unsigned long long)((smx_time_ns() - t0) / 1000));
    }
}

SMX_NIC_DRIVER(e1000e) = { .name = "e1000e", .open = e1000e_open, .reset_all = e1000e_reset_all };
