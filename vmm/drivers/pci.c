/* SPDX-License-Identifier: MIT */
/*
 * Configuration mechanism #1 (PCI Local Bus 3.0 §3.2.2.3.2): a dword
 * address in CONFIG_ADDRESS (0xCF8) selects bus/device/function/register,
 * CONFIG_DATA (0xCFC..0xCFF) moves the data. The OS owns CONFIG_ADDRESS;
 * the VMM only uses it while the OS is stopped in a sleep request, and
 * puts the OS's value back after each access so an OS that is between
 * its own address write and data access finds nothing changed.
 */
#include "pci.h"

#include "io.h"
#include "log.h"
#include "time.h"

#define PCI_CONFIG_ADDRESS 0xcf8
#define PCI_CONFIG_DATA 0xcfc
#define PCI_CONFIG_ENABLE 0x80000000u /* bit 31 of CONFIG_ADDRESS */

static uint32_t address(const struct pci_fn *f, unsigned reg)
{
    return PCI_CONFIG_ENABLE | (uint32_t)f->bus << 16 | (uint32_t)f->dev << 11 | (uint32_t)f->fn << 8 |
           (reg & 0xfc);
}

uint32_t pci_read32(const struct pci_fn *f, unsigned reg)
{
    uint32_t saved = inl(PCI_CONFIG_ADDRESS);

    outl(PCI_CONFIG_ADDRESS, address(f, reg));
    uint32_t v = inl(PCI_CONFIG_DATA);
    outl(PCI_CONFIG_ADDRESS, saved);
    return v;
}

void pci_write32(const struct pci_fn *f, unsigned reg, uint32_t v)
{
    uint32_t saved = inl(PCI_CONFIG_ADDRESS);

    outl(PCI_CONFIG_ADDRESS, address(f, reg));
    outl(PCI_CONFIG_DATA, v);
    outl(PCI_CONFIG_ADDRESS, saved);
}

uint16_t pci_read16(const struct pci_fn *f, unsigned reg)
{
    return (uint16_t)(pci_read32(f, reg) >> ((reg & 2) * 8));
}

void pci_write16(const struct pci_fn *f, unsigned reg, uint16_t v)
{
    uint32_t saved = inl(PCI_CONFIG_ADDRESS);

    outl(PCI_CONFIG_ADDRESS, address(f, reg));
    outw((uint16_t)(PCI_CONFIG_DATA + (reg & 2)), v);
    outl(PCI_CONFIG_ADDRESS, saved);
}

bool pci_probe(uint8_t bus, uint8_t devfn, struct pci_fn *f)
{
    *f = (struct pci_fn){ .bus = bus, .dev = devfn >> 3, .fn = devfn & 7 };
    uint32_t id = pci_read32(f, PCI_VENDOR_ID);
    if ((id & 0xffff) == 0xffff)
        return false;
    f->vendor = (uint16_t)id;
    f->device = (uint16_t)(id >> 16);
    f->class_rev = pci_read32(f, PCI_CLASS_REV);
    return true;
}

/* Every bus number is tried rather than walking bridges: 8192 reads are
 * cheap next to a disk write, and a bus the firmware numbered oddly is
 * still found. */
unsigned pci_scan_class(uint32_t cls, pci_visit_fn *visit, void *ctx)
{
    unsigned found = 0;

    for (unsigned bus = 0; bus < 256; bus++)
        for (unsigned dev = 0; dev < 32; dev++) {
            struct pci_fn f;
            if (!pci_probe((uint8_t)bus, (uint8_t)(dev << 3), &f))
                continue;
            unsigned nfn = pci_read32(&f, PCI_HEADER_TYPE & ~3u) >> 16 & PCI_HEADER_MULTI ? 8 : 1;
            for (unsigned fn = 0; fn < nfn; fn++) {
                if (fn && !pci_probe((uint8_t)bus, (uint8_t)(dev << 3 | fn), &f))
                    continue;
                if (f.class_rev >> 8 != cls)
                    continue;
                found++;
                if (visit(ctx, &f))
                    return found;
            }
        }
    return found;
}

uint64_t pci_bar_mem(const struct pci_fn *f, unsigned i)
{
    uint32_t lo = pci_read32(f, PCI_BAR0 + 4 * i);

    if (lo & PCI_BAR_IO)
        return 0;
    uint64_t a = lo & ~0xfull;
    if ((lo & PCI_BAR_TYPE_MASK) == PCI_BAR_TYPE_64 && i < 5)
        a |= (uint64_t)pci_read32(f, PCI_BAR0 + 4 * (i + 1)) << 32;
    return a;
}

unsigned pci_find_cap(const struct pci_fn *f, uint8_t id)
{
    if (!(pci_read16(f, PCI_STATUS) & PCI_STATUS_CAPS))
        return 0;
    unsigned at = pci_read32(f, PCI_CAP_PTR) & 0xfc;
    for (int guard = 0; at >= 0x40 && guard < 48; guard++) {
        uint32_t hdr = pci_read32(f, at);
        if ((hdr & 0xff) == id)
            return at;
        at = hdr >> 8 & 0xfc;
    }
    return 0;
}

uint16_t pci_enable_dma(const struct pci_fn *f)
{
    uint16_t saved = pci_read16(f, PCI_COMMAND);

    pci_write16(f, PCI_COMMAND, (uint16_t)(saved | PCI_CMD_MEM | PCI_CMD_MASTER | PCI_CMD_INTX_OFF));
    return saved;
}

void pci_restore_command(const struct pci_fn *f, uint16_t saved)
{
    pci_write16(f, PCI_COMMAND, saved);
}

void pci_name(const struct pci_fn *f, char buf[8])
{
    static const char hex[] = "0123456789abcdef";

    buf[0] = hex[f->bus >> 4];
    buf[1] = hex[f->bus & 15];
    buf[2] = ':';
    buf[3] = hex[f->dev >> 4];
    buf[4] = hex[f->dev & 15];
    buf[5] = '.';
    buf[6] = (char)('0' + f->fn);
    buf[7] = 0;
}

struct pci_claim *pci_claim_slot(void *table, unsigned n, size_t stride, const struct pci_fn *f)
{
    uint8_t *t = table;

    for (unsigned i = 0; i < n; i++) {
        struct pci_claim *c = (struct pci_claim *)(t + i * stride);
        if (c->in_use && c->pci.bus == f->bus && pci_devfn(&c->pci) == pci_devfn(f))
            return c;
    }
    for (unsigned i = 0; i < n; i++) {
        struct pci_claim *c = (struct pci_claim *)(t + i * stride);
        if (!c->in_use)
            return c;
    }
    return NULL;
}

/* Put the function in D0 if the OS left it in a lower power state. */
static void power_up(const struct pci_fn *f, const char *name)
{
    unsigned pm = pci_find_cap(f, PCI_CAP_PM);
    if (!pm)
        return; /* no PM capability: always D0 */
    uint16_t csr = pci_read16(f, pm + PCI_PM_CSR);
    unsigned state = csr & PCI_PM_STATE_MASK;
    if (!state)
        return;
    pci_write16(f, pm + PCI_PM_CSR, (uint16_t)(csr & ~(PCI_PM_STATE_MASK | PCI_PM_PME_STATUS)));
    uint64_t t0 = smx_time_ns();
    while (smx_time_ns() - t0 < PCI_PM_D3HOT_TO_D0_NS)
        cpu_pause();
    bool d0 = !(pci_read16(f, pm + PCI_PM_CSR) & PCI_PM_STATE_MASK);
    smx_log("pci", "%s: the OS left it in D%u%s: %s", name, state, state == 3 ? "hot" : "",
            d0 ? "brought to D0" : "STAYS OUT OF D0 after a write of D0");
}

bool pci_claim_take(struct pci_claim *c, const struct pci_fn *f)
{
    c->pci = *f;
    pci_name(f, c->name);
    if (c->touched)
        return false;
    power_up(f, c->name);
    c->saved_command = pci_enable_dma(f);
    c->touched = true;
    return true;
}

bool pci_claim_release(struct pci_claim *c)
{
    if (!c->touched)
        return false;
    pci_restore_command(&c->pci, c->saved_command);
    c->touched = false;
    return true;
}
