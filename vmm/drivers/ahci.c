/* SPDX-License-Identifier: MIT */
/*
 * The VMM's AHCI driver (Serial ATA AHCI 1.3.1): just enough to move an
 * image to and from one SATA disk while no OS runs. One command slot per
 * port, polled (the VMM runs with interrupts off), 48-bit DMA commands
 * (ACS-3 READ/WRITE DMA EXT, FLUSH CACHE EXT, IDENTIFY DEVICE), each
 * moving up to 4 MiB straight between the disk and the caller's buffer.
 *
 * Bring-up starts from an HBA reset (GHC.HR), so nothing the OS left
 * behind matters, and blk_reset_all() ends with one, so the next OS finds
 * the HBA as at power-on.
 */
#include <stddef.h>
#include <string.h>

#include "blk.h"
#include "log.h"
#include "mem.h"
#include "pci.h"
#include "time.h"

/* AHCI 1.3.1 §2.1.5: class 01h (mass storage), subclass 06h (SATA), prog-if 01h (AHCI). */
#define AHCI_PCI_CLASS 0x010601u
#define AHCI_BAR 5 /* ABAR, §2.1.11 */
#define AHCI_ABAR_SIZE 0x1100u /* generic registers + 32 ports */

/* §3.1: generic host control. */
#define HBA_CAP 0x00
#define HBA_GHC 0x04
#define HBA_IS 0x08
#define HBA_PI 0x0c
#define HBA_VS 0x10
#define CAP_NP_MASK 0x1fu     /* number of ports - 1 */
#define CAP_SSS (1u << 27)    /* staggered spin-up */
#define CAP_S64A (1u << 31)   /* 64-bit addressing */
#define GHC_HR (1u << 0)
#define GHC_IE (1u << 1)
#define GHC_AE (1u << 31)

/* §3.3: port registers, 0x80 bytes per port from 0x100. */
#define PORT_BASE(p) (0x100u + 0x80u * (p))
#define PX_CLB 0x00
#define PX_CLBU 0x04
#define PX_FB 0x08
#define PX_FBU 0x0c
#define PX_IS 0x10
#define PX_IE 0x14
#define PX_CMD 0x18
#define PX_TFD 0x20
#define PX_SIG 0x24
#define PX_SSTS 0x28
#define PX_SERR 0x30
#define PX_CI 0x38
#define CMD_ST (1u << 0)
#define CMD_SUD (1u << 1)
#define CMD_POD (1u << 2)
#define CMD_FRE (1u << 4)
#define CMD_FR (1u << 14)
#define CMD_CR (1u << 15)
#define IS_TFES (1u << 30)    /* §3.3.5: task file error */
#define TFD_ERR 0x01u         /* ATA status bits, §3.3.8 */
#define TFD_DRQ 0x08u
#define TFD_BSY 0x80u
#define SSTS_DET_MASK 0xfu
#define SSTS_DET_PRESENT 3u   /* §3.3.10: device present, communication established */
#define SIG_ATA 0x00000101u   /* §3.3.9 */

/* Serial ATA 3.x §10.5.5 / AHCI §4.2.2: a register host-to-device FIS. */
#define FIS_TYPE_REG_H2D 0x27
#define FIS_H2D_COMMAND 0x80  /* C bit: the FIS carries a command */

/* ACS-3 §7: the commands used, and the LBA bit of the device register. */
#define ATA_IDENTIFY 0xec
#define ATA_READ_DMA_EXT 0x25
#define ATA_WRITE_DMA_EXT 0x35
#define ATA_FLUSH_CACHE_EXT 0xea
#define ATA_DEV_LBA 0x40

/* §4.2.2: command header. */
struct ahci_cmd_header {
    uint32_t flags;   /* CFL 4:0 (FIS dwords), W bit 6, PRDTL 31:16 */
    uint32_t prdbc;   /* bytes transferred, written by the HBA */
    uint32_t ctba, ctbau;
    uint32_t reserved[4];
} __attribute__((packed));
_Static_assert(sizeof(struct ahci_cmd_header) == 32, "AHCI command header");
#define CH_W (1u << 6)

/* §4.2.3.3: one physical region descriptor. */
struct ahci_prd {
    uint32_t dba, dbau, reserved;
    uint32_t dbc; /* byte count - 1 in 21:0 (at most 4 MiB), even */
} __attribute__((packed));
_Static_assert(sizeof(struct ahci_prd) == 16, "AHCI PRD");
#define PRD_MAX_BYTES (4u << 20)

#define AHCI_PRDS 8
/* §4.2.3: command table, 128-byte aligned: CFIS, ATAPI command, PRDT. */
struct ahci_cmd_table {
    uint8_t cfis[64];
    uint8_t acmd[16];
    uint8_t reserved[48];
    struct ahci_prd prdt[AHCI_PRDS];
} __attribute__((packed));
_Static_assert(offsetof(struct ahci_cmd_table, prdt) == 0x80, "AHCI command table");

/* One 4 KiB page per port: command list (1 KiB aligned, 32 headers),
 * received-FIS area (256-byte aligned), the one command table, and a
 * sector for IDENTIFY. */
struct ahci_port_mem {
    struct ahci_cmd_header list[32];
    uint8_t fis[256];
    uint8_t pad[0x800 - 0x400 - 256];
    struct ahci_cmd_table table;
    uint8_t pad2[0xc00 - 0x800 - sizeof(struct ahci_cmd_table)];
    uint16_t identify[256];
} __attribute__((packed, aligned(4096)));
_Static_assert(offsetof(struct ahci_port_mem, fis) == 0x400, "received FIS offset");
_Static_assert(offsetof(struct ahci_port_mem, table) == 0x800, "command table offset");
_Static_assert(sizeof(struct ahci_port_mem) == 4096, "one page per port");

#define AHCI_MAX_CTRL 4
#define AHCI_MAX_PORTS 32
#define AHCI_MAX_BLOCK_BYTES (4u << 20)

struct ahci_ctrl {
    struct pci_claim claim; /* first: pci_claim_slot finds it there */
    volatile uint8_t *abar;
    uint32_t cap, pi;
    struct ahci_port_mem *mem[AHCI_MAX_PORTS]; /* kept across uses: VMM pages are never freed */
};

struct ahci_disk {
    struct blk_dev dev;
    struct ahci_ctrl *c;
    unsigned port;
};

static struct ahci_ctrl ctrls[AHCI_MAX_CTRL];
static struct ahci_disk disks[AHCI_MAX_CTRL];

static uint32_t hba_rd(const struct ahci_ctrl *c, unsigned off)
{
    return *(volatile uint32_t *)(c->abar + off);
}

static void hba_wr(const struct ahci_ctrl *c, unsigned off, uint32_t v)
{
    __asm__ volatile("" : : : "memory"); /* command memory written before the doorbell */
    *(volatile uint32_t *)(c->abar + off) = v;
}

static uint32_t port_rd(const struct ahci_ctrl *c, unsigned p, unsigned off) { return hba_rd(c, PORT_BASE(p) + off); }
static void port_wr(const struct ahci_ctrl *c, unsigned p, unsigned off, uint32_t v) { hba_wr(c, PORT_BASE(p) + off, v); }

/* Wait until (reg & mask) == want; false on timeout. */
static bool wait_reg(const struct ahci_ctrl *c, unsigned off, uint32_t mask, uint32_t want, uint64_t ns)
{
    uint64_t end = smx_time_ns() + ns;

    while ((hba_rd(c, off) & mask) != want)
        if (smx_time_ns() > end)
            return false;
    return true;
}

#define MS (1000ull * 1000)

/* §10.1.2: a port is idle once ST, CR, FRE and FR are all clear. */
static bool port_stop(struct ahci_ctrl *c, unsigned p)
{
    uint32_t cmd = port_rd(c, p, PX_CMD);

    if (cmd & CMD_ST)
        port_wr(c, p, PX_CMD, cmd &= ~CMD_ST);
    if (!wait_reg(c, PORT_BASE(p) + PX_CMD, CMD_CR, 0, 500 * MS))
        return false;
    if (cmd & CMD_FRE)
        port_wr(c, p, PX_CMD, cmd & ~CMD_FRE);
    return wait_reg(c, PORT_BASE(p) + PX_CMD, CMD_FR, 0, 500 * MS);
}

/* §10.4.3: HBA reset; GHC.AE first, as an HBA that also speaks legacy IDE requires. */
static bool hba_reset(struct ahci_ctrl *c)
{
    hba_wr(c, HBA_GHC, hba_rd(c, HBA_GHC) | GHC_AE);
    hba_wr(c, HBA_GHC, hba_rd(c, HBA_GHC) | GHC_HR);
    return wait_reg(c, HBA_GHC, GHC_HR, 0, 1000 * MS);
}

static void fis_h2d(uint8_t *f, uint8_t command, uint64_t lba, uint16_t count)
{
    memset(f, 0, 20);
    f[0] = FIS_TYPE_REG_H2D;
    f[1] = FIS_H2D_COMMAND;
    f[2] = command;
    f[4] = (uint8_t)lba;
    f[5] = (uint8_t)(lba >> 8);
    f[6] = (uint8_t)(lba >> 16);
    f[7] = command == ATA_IDENTIFY ? 0 : ATA_DEV_LBA;
    f[8] = (uint8_t)(lba >> 24);
    f[9] = (uint8_t)(lba >> 32);
    f[10] = (uint8_t)(lba >> 40);
    f[12] = (uint8_t)count;
    f[13] = (uint8_t)(count >> 8);
}

/* Issue one command in slot 0 and poll for its completion. */
static int port_command(struct ahci_ctrl *c, unsigned p, uint8_t command, uint64_t lba, uint16_t count,
                        void *buf, uint32_t bytes, bool write)
{
    struct ahci_port_mem *m = c->mem[p];
    uint64_t pa = buf ? mem_phys(buf) : 0;
    unsigned nprd = 0;

    if ((pa & 1) || (bytes & 1) || bytes > AHCI_PRDS * PRD_MAX_BYTES ||
        (bytes && !(c->cap & CAP_S64A) && (pa + bytes - 1) >> 32))
        return -1; /* an HBA without 64-bit addressing cannot reach the buffer */
    fis_h2d(m->table.cfis, command, lba, count);
    for (uint32_t off = 0; off < bytes; nprd++) {
        uint32_t take = bytes - off < PRD_MAX_BYTES ? bytes - off : PRD_MAX_BYTES;
        m->table.prdt[nprd] = (struct ahci_prd){ .dba = (uint32_t)(pa + off), .dbau = (uint32_t)((pa + off) >> 32),
                                                 .dbc = take - 1 };
        off += take;
    }
    uint64_t ct = mem_phys(&m->table);
    m->list[0] = (struct ahci_cmd_header){ .flags = 5u | (write ? CH_W : 0) | (uint32_t)nprd << 16,
                                           .ctba = (uint32_t)ct, .ctbau = (uint32_t)(ct >> 32) };
    port_wr(c, p, PX_IS, ~0u);
    port_wr(c, p, PX_CI, 1);
    uint64_t t0 = smx_time_ns();
    for (;;) {
        uint32_t is = port_rd(c, p, PX_IS), tfd = port_rd(c, p, PX_TFD);
        if ((is & IS_TFES) || (tfd & TFD_ERR)) {
            smx_log("ahci", "%s port %u: command %#x at lba %llu failed: TFD %#x IS %#x SERR %#x", c->claim.name, p,
                    command, (unsigned long long)lba, tfd, is, port_rd(c, p, PX_SERR));
            break;
        }
        if (!(port_rd(c, p, PX_CI) & 1))
            return 0;
        if (smx_time_ns() - t0 > BLK_TIMEOUT_NS) {
            smx_log("ahci", "%s port %u: command %#x at lba %llu timed out: TFD %#x IS %#x", c->claim.name, p, command,
                    (unsigned long long)lba, tfd, is);
            break;
        }
    }
    /* §6.2.2.1: after an error the port restarts (ST 0 -> 1) to clear CI. */
    port_stop(c, p);
    port_wr(c, p, PX_SERR, ~0u);
    port_wr(c, p, PX_IS, ~0u);
    port_wr(c, p, PX_CMD, port_rd(c, p, PX_CMD) | CMD_FRE);
    port_wr(c, p, PX_CMD, port_rd(c, p, PX_CMD) | CMD_ST);
    return -1;
}

static int ahci_rw(struct blk_dev *d, uint64_t lba, uint32_t n, void *buf, bool write)
{
    struct ahci_disk *k = d->priv;

    if (n == 0 || n > d->max_blocks || lba + n > d->block_count)
        return -1;
    return port_command(k->c, k->port, write ? ATA_WRITE_DMA_EXT : ATA_READ_DMA_EXT, lba, (uint16_t)n, buf,
                        n * d->block_size, write);
}

static int ahci_read(struct blk_dev *d, uint64_t lba, uint32_t n, void *buf) { return ahci_rw(d, lba, n, buf, false); }
static int ahci_write(struct blk_dev *d, uint64_t lba, uint32_t n, const void *buf)
{
    return ahci_rw(d, lba, n, (void *)buf, true);
}

static int ahci_flush(struct blk_dev *d)
{
    struct ahci_disk *k = d->priv;

    return port_command(k->c, k->port, ATA_FLUSH_CACHE_EXT, 0, 0, NULL, 0, false);
}

/* §10.1.2 / §10.3.1: give the port its memory and start receiving
 * FISes; the link comes up (or not) while the other ports are prepared. */
static bool port_prepare(struct ahci_ctrl *c, unsigned p)
{
    if (!c->mem[p] && !(c->mem[p] = mem_alloc_pages(1)))
        return false;
    struct ahci_port_mem *m = c->mem[p];
    if (!port_stop(c, p))
        return false;
    uint64_t cl = mem_phys(m->list), fb = mem_phys(m->fis);
    if (!(c->cap & CAP_S64A) && ((cl | fb) >> 32))
        return false;
    memset(m, 0, sizeof *m);
    port_wr(c, p, PX_CLB, (uint32_t)cl);
    port_wr(c, p, PX_CLBU, (uint32_t)(cl >> 32));
    port_wr(c, p, PX_FB, (uint32_t)fb);
    port_wr(c, p, PX_FBU, (uint32_t)(fb >> 32));
    port_wr(c, p, PX_IE, 0);
    port_wr(c, p, PX_SERR, ~0u);
    port_wr(c, p, PX_IS, ~0u);
    port_wr(c, p, PX_CMD, port_rd(c, p, PX_CMD) | CMD_FRE | CMD_SUD | CMD_POD);
    return true;
}

/* Wait until every port's link state (PxSSTS.DET) has stopped changing
 * for 100 ms and none is still negotiating (DET 1), at most 2 s: a port
 * without a device then reads DET 0 and costs nothing more. */
static void ports_settle(struct ahci_ctrl *c, uint32_t ports)
{
    uint64_t start = smx_time_ns(), stable = start;
    uint32_t last[AHCI_MAX_PORTS];

    for (unsigned p = 0; p < AHCI_MAX_PORTS; p++)
        last[p] = ports & (1u << p) ? port_rd(c, p, PX_SSTS) & SSTS_DET_MASK : 0;
    while (smx_time_ns() - start < 2000 * MS) {
        bool busy = false;
        for (unsigned p = 0; p < AHCI_MAX_PORTS; p++) {
            if (!(ports & (1u << p)))
                continue;
            uint32_t det = port_rd(c, p, PX_SSTS) & SSTS_DET_MASK;
            if (det != last[p]) {
                last[p] = det;
                stable = smx_time_ns();
            }
            busy |= det == 1;
        }
        if (!busy && smx_time_ns() - stable > 100 * MS)
            return;
    }
}

/* True when an ATA disk answers on the port; the port is then running. */
static bool port_start(struct ahci_ctrl *c, unsigned p)
{
    if ((port_rd(c, p, PX_SSTS) & SSTS_DET_MASK) != SSTS_DET_PRESENT)
        return false; /* nothing attached */
    if (!wait_reg(c, PORT_BASE(p) + PX_TFD, TFD_BSY | TFD_DRQ, 0, 10000 * MS)) {
        smx_log("ahci", "%s port %u: device stays busy (TFD %#x)", c->claim.name, p, port_rd(c, p, PX_TFD));
        return false;
    }
    if (port_rd(c, p, PX_SIG) != SIG_ATA)
        return false; /* ATAPI, port multiplier, enclosure: not a disk for the store */
    port_wr(c, p, PX_SERR, ~0u);
    port_wr(c, p, PX_CMD, port_rd(c, p, PX_CMD) | CMD_ST);
    return true;
}

/* ACS-3 §7.12.7: IDENTIFY DEVICE data, the words the store needs. */
#define ID_MODEL 27           /* 20 words, byte-swapped ASCII */
#define ID_CMDSET2 83         /* bit 10: 48-bit addressing */
#define ID_LBA48 100          /* 4 words: user-addressable sectors */
#define ID_SECTOR_SIZE 106    /* bits 15:14 = 01: valid; bit 12: logical sector > 256 words */
#define ID_LOGICAL_SIZE 117   /* 2 words: logical sector size in words */

static bool disk_identify(struct ahci_disk *k)
{
    struct ahci_ctrl *c = k->c;
    uint16_t *id = c->mem[k->port]->identify;

    if (port_command(c, k->port, ATA_IDENTIFY, 0, 0, id, 512, false))
        return false;
    if (!(id[ID_CMDSET2] & (1u << 10))) {
        smx_log("ahci", "%s port %u: disk without 48-bit addressing: not used", c->claim.name, k->port);
        return false;
    }
    uint64_t count = 0;
    for (int i = 3; i >= 0; i--)
        count = count << 16 | id[ID_LBA48 + i];
    uint32_t bs = 512;
    if ((id[ID_SECTOR_SIZE] & 0xc000) == 0x4000 && (id[ID_SECTOR_SIZE] & (1u << 12)))
        bs = 2 * ((uint32_t)id[ID_LOGICAL_SIZE] | (uint32_t)id[ID_LOGICAL_SIZE + 1] << 16);
    if (bs < 512 || bs > 4096 || (bs & (bs - 1)) || count == 0) {
        smx_log("ahci", "%s port %u: unusable geometry: %llu blocks of %u bytes", c->claim.name, k->port,
                (unsigned long long)count, bs);
        return false;
    }
    char model[41];
    for (int i = 0; i < 20; i++) {
        model[2 * i] = (char)(id[ID_MODEL + i] >> 8);
        model[2 * i + 1] = (char)id[ID_MODEL + i];
    }
    int len = 40;
    while (len > 0 && (model[len - 1] == ' ' || model[len - 1] == 0))
        len--;
    model[len] = 0;
    struct blk_dev *d = &k->dev;
    d->block_size = bs;
    d->block_count = count;
    d->max_blocks = AHCI_MAX_BLOCK_BYTES / bs; /* also under the 65536-sector count limit */
    smx_log("ahci", "%s port %u: \"%s\", %llu blocks of %u bytes (%llu MiB)", c->claim.name, k->port, model,
            (unsigned long long)count, bs, (unsigned long long)((count * bs) >> 20));
    return true;
}

static struct ahci_ctrl *ctrl_up(const struct pci_fn *f)
{
    struct ahci_ctrl *c = (struct ahci_ctrl *)pci_claim_slot(ctrls, AHCI_MAX_CTRL, sizeof ctrls[0], f);
    char name[8];

    pci_name(f, name);
    uint64_t bar = pci_bar_mem(f, AHCI_BAR);
    if (!c || !bar) {
        smx_log("ahci", "%s: %s", name, c ? "no ABAR" : "too many controllers");
        return NULL;
    }
    if (!(c->abar = mem_map_mmio(bar, AHCI_ABAR_SIZE))) {
        smx_log("ahci", "%s: cannot map ABAR %#llx", name, (unsigned long long)bar);
        return NULL;
    }
    c->claim.in_use = true;
    pci_claim_take(&c->claim, f);
    uint64_t t0 = smx_time_ns();
    if (!hba_reset(c)) {
        smx_log("ahci", "%s: HBA reset did not complete (GHC %#x)", name, hba_rd(c, HBA_GHC));
        return NULL;
    }
    hba_wr(c, HBA_GHC, GHC_AE); /* AHCI mode, interrupts off */
    c->cap = hba_rd(c, HBA_CAP);
    c->pi = hba_rd(c, HBA_PI);
    uint32_t ready = 0;
    for (unsigned p = 0; p < AHCI_MAX_PORTS; p++)
        if ((c->pi & (1u << p)) && port_prepare(c, p))
            ready |= 1u << p;
    ports_settle(c, ready);
    uint32_t linked = 0;
    for (unsigned p = 0; p < AHCI_MAX_PORTS; p++)
        if ((ready & (1u << p)) && (port_rd(c, p, PX_SSTS) & SSTS_DET_MASK) == SSTS_DET_PRESENT)
            linked |= 1u << p;
    c->pi = ready;
    uint32_t vs = hba_rd(c, HBA_VS);
    smx_log("ahci", "%s: AHCI %x.%x at %#llx, %u ports (PI %#x), links up on %#x, ready in %llu us", name, vs >> 16,
            (vs >> 8 & 0xf0) | (vs & 0xf), (unsigned long long)bar, (c->cap & CAP_NP_MASK) + 1, hba_rd(c, HBA_PI), linked,
            (unsigned long long)((smx_time_ns() - t0) / 1000));
    return c;
}

struct collect {
    struct pci_fn fn[AHCI_MAX_CTRL];
    unsigned n;
};

static bool collect_fn(void *ctx, const struct pci_fn *f)
{
    struct collect *col = ctx;

    if (col->n < AHCI_MAX_CTRL)
        col->fn[col->n++] = *f;
    return false;
}

static bool try_port(struct ahci_ctrl *c, unsigned p, blk_visit_fn *visit, void *ctx)
{
    struct ahci_disk *k = &disks[c - ctrls];

    if (!(c->pi & (1u << p)) || !port_start(c, p))
        return false;
    *k = (struct ahci_disk){ .c = c, .port = p };
    k->dev = (struct blk_dev){ .ctrl = SMX_CTRL_AHCI, .pci_bus = c->claim.pci.bus, .pci_devfn = pci_devfn(&c->claim.pci),
                               .unit = (uint16_t)p, .priv = k, .read = ahci_read, .write = ahci_write,
                               .flush = ahci_flush };
    char *e = k->dev.name + sizeof k->dev.name;
    char *s = k->dev.name;
    const char *parts[] = { "ahci ", c->claim.name, " port " };
    for (unsigned i = 0; i < 3; i++)
        for (const char *q = parts[i]; *q && s < e - 4; q++)
            *s++ = *q;
    if (p >= 10)
        *s++ = (char)('0' + p / 10);
    *s++ = (char)('0' + p % 10);
    *s = 0;
    if (!disk_identify(k)) {
        port_stop(c, p);
        return false;
    }
    if (visit(ctx, &k->dev))
        return true;
    port_stop(c, p);
    return false;
}

static bool ahci_scan(const struct blk_where *prefer, blk_visit_fn *visit, void *ctx)
{
    struct collect col = { .n = 0 };

    pci_scan_class(AHCI_PCI_CLASS, collect_fn, &col);
    /* The loader's controller first, then the rest in bus order. */
    for (int pass = 0; pass < 2; pass++)
        for (unsigned i = 0; i < col.n; i++) {
            const struct pci_fn *f = &col.fn[i];
            bool hinted = prefer && prefer->pci_bus == f->bus && prefer->pci_devfn == pci_devfn(f);
            if (hinted != (pass == 0))
                continue;
            struct ahci_ctrl *c = ctrl_up(f);
            if (!c)
                continue;
            if (hinted && prefer->unit < AHCI_MAX_PORTS && try_port(c, prefer->unit, visit, ctx))
                return true;
            for (unsigned p = 0; p < AHCI_MAX_PORTS; p++)
                if (!(hinted && p == prefer->unit) && try_port(c, p, visit, ctx))
                    return true;
        }
    return false;
}

/* Back to power-on: every port stopped and forgotten, then an HBA reset,
 * then the PCI command register as the VMM found it. */
static void ahci_reset_all(void)
{
    for (int i = 0; i < AHCI_MAX_CTRL; i++) {
        struct ahci_ctrl *c = &ctrls[i];
        if (!c->claim.touched)
            continue;
        uint64_t t0 = smx_time_ns();
        for (unsigned p = 0; p < AHCI_MAX_PORTS; p++) {
            if (!(c->pi & (1u << p)))
                continue;
            port_stop(c, p);
            port_wr(c, p, PX_CLB, 0);
            port_wr(c, p, PX_CLBU, 0);
            port_wr(c, p, PX_FB, 0);
            port_wr(c, p, PX_FBU, 0);
        }
        bool ok = hba_reset(c);
        pci_claim_release(&c->claim);
        smx_log("ahci", "%s: %s, PCI command %#x restored in %llu us", c->claim.name,
                ok ? "HBA reset to power-on state" : "HBA RESET DID NOT COMPLETE", c->claim.saved_command,
                (unsigned long long)((smx_time_ns() - t0) / 1000));
    }
}

SMX_BLK_DRIVER(ahci) = { .name = "ahci", .ctrl = SMX_CTRL_AHCI, .scan = ahci_scan, .reset_all = ahci_reset_all };
