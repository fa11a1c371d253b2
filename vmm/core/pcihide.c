/* SPDX-License-Identifier: MIT */
/*
 * The air gap, carried out (pcihide.h); the decisions are pci_filter.c's.
 *
 * Exit cost: only CONFIG_DATA is trapped (every configuration access moves
 * its data there; the address the guest latched is read back from
 * CONFIG_ADDRESS, which stays the guest's), only the 4 KiB ECAM page of
 * each hidden function, and only the I/O BARs of hidden functions; the
 * ports only while an OS that hides something runs (io_trap_arm), and
 * nothing at all when no OS hides anything. The ECAM pages are trapped in
 * every view (mmio.h); the OS that may use the function is answered from
 * the hardware there.
 */
#include "pcihide.h"

#include "../drivers/pci.h"
#include "init.h"
#include "io.h"
#include "iotrap.h"
#include "log.h"
#include "mem.h"
#include "mmio.h"
#include "pci_filter.h"
#include "platform.h"
#include "vmm.h"

#define OS_BIT(os) (1u << (os))
#define BARS 6
#define ECAM_WINDOWS 4

struct hidden {
    struct pci_fn pci;
    char name[16];
    uint8_t hiders;          /* OS_BIT of each OS that hides it */
    struct pcif_bar bar[BARS + 1]; /* what it decodes (size != 0), the option ROM last */
    unsigned nbar;
    uint64_t ecam_page;      /* its configuration space in the ECAM window, 0 if none */
    bool ecam_trapped;       /* else the page is sunk in the hiding OS's view */
    bool saved;              /* the command register of the OS that may use it is kept */
    uint16_t saved_command;
    uint32_t saved_bars[BARS];
    uint32_t reads, writes, ecam_reads, ecam_writes; /* answered for the OS that runs */
};

static struct hidden fns[2 * POL_PCI_MAX];
static unsigned nfns;
static int active = -1;
static struct pcif_ecam ecam[ECAM_WINDOWS];
static unsigned necam;

static bool hides_now(const struct hidden *f)
{
    return active >= 0 && (f->hiders & OS_BIT(active));
}

static struct hidden *find(uint16_t segment, uint8_t bus, uint8_t devfn)
{
    for (unsigned i = 0; i < nfns; i++)
        if (segment == 0 && fns[i].pci.bus == bus && pci_devfn(&fns[i].pci) == devfn)
            return &fns[i];
    return NULL;
}

/* CONFIG_DATA: the target is whatever the guest latched in CONFIG_ADDRESS. */
static struct hidden *cfc_target(uint16_t port)
{
    struct pcif_loc l;

    if (!pcif_cf8_target(inl(PCIF_CONFIG_ADDRESS), port, &l))
        return NULL;
    struct hidden *f = find(l.segment, l.bus, l.devfn);
    return f && hides_now(f) ? f : NULL;
}

static uint32_t cfc_read(void *ctx, uint16_t port, unsigned size)
{
    struct hidden *f = cfc_target(port);

    if (!f)
        return io_hw_in(port, size);
    f->reads++;
    return (uint32_t)pcif_absent_value(size);
}

static void cfc_write(void *ctx, uint16_t port, unsigned size, uint32_t value)
{
    struct hidden *f = cfc_target(port);

    if (!f)
        io_hw_out(port, size, value);
    else
        f->writes++;
}

static bool ecam_access(struct pcpu *c, struct mmio_access *a, void *ctx)
{
    struct hidden *f = ctx;

    if (!hides_now(f))
        return false; /* the OS that may use it: the hardware, as it asked */
    if (a->write) {
        f->ecam_writes++;
    } else {
        f->ecam_reads++;
        a->value = pcif_absent_value(a->size);
    }
    return true;
}

/* An I/O BAR of a hidden function: dark for the OS that hides it. */
static uint32_t iobar_read(void *ctx, uint16_t port, unsigned size)
{
    return hides_now(ctx) ? (uint32_t)pcif_absent_value(size) : io_hw_in(port, size);
}

static void iobar_write(void *ctx, uint16_t port, unsigned size, uint32_t value)
{
    if (!hides_now(ctx))
        io_hw_out(port, size, value);
}

/* Size every BAR and the option ROM the way an OS does at enumeration,
 * with decoding off meanwhile (PCI Local Bus 3.0 §6.2.5.1), and keep
 * those that decode something. Nothing else runs: the guest is stopped. */
static void size_bars(struct hidden *f)
{
    const struct pci_fn *p = &f->pci;
    uint16_t cmd = pci_read16(p, PCI_COMMAND);

    pci_write16(p, PCI_COMMAND, pcif_quiesced(cmd));
    for (unsigned i = 0; i < BARS;) {
        unsigned reg = PCI_BAR0 + 4 * i;
        bool hi_ok = i + 1 < BARS;
        uint32_t v = pci_read32(p, reg), vh = hi_ok ? pci_read32(p, reg + 4) : 0;
        pci_write32(p, reg, ~0u);
        uint32_t m = pci_read32(p, reg), mh = 0;
        pci_write32(p, reg, v);
        struct pcif_bar b = pcif_bar_decode(v, m, vh, 0, hi_ok);
        if (b.is64) {
            pci_write32(p, reg + 4, ~0u);
            mh = pci_read32(p, reg + 4);
            pci_write32(p, reg + 4, vh);
            b = pcif_bar_decode(v, m, vh, mh, hi_ok);
        }
        if (b.size && b.base)
            f->bar[f->nbar++] = b;
        i += b.slots;
    }
    uint32_t r = pci_read32(p, PCIF_ROM_BAR);
    pci_write32(p, PCIF_ROM_BAR, PCIF_ROM_ADDR_MASK);
    uint32_t rm = pci_read32(p, PCIF_ROM_BAR);
    pci_write32(p, PCIF_ROM_BAR, r);
    struct pcif_bar rom = pcif_rom_decode(r, rm);
    if (rom.size && rom.base)
        f->bar[f->nbar++] = rom;
    pci_write16(p, PCI_COMMAND, cmd);
}

/* Every function there is, for a message about one that is not. */
static void log_functions(void)
{
    char line[200];
    unsigned n = 0, total = 0;

    for (unsigned bus = 0; bus < 256; bus++)
        for (unsigned devfn = 0; devfn < 256; devfn++) {
            struct pci_fn f;
            if (!pci_probe((uint8_t)bus, (uint8_t)devfn, &f))
                continue;
            if (n + 16 > sizeof line) {
                smx_log("pci", "functions here:%s", line);
                n = 0;
            }
            line[n++] = ' ';
            pcif_name(0, f.bus, pci_devfn(&f), line + n);
            while (line[n])
                n++;
            total++;
        }
    if (n)
        smx_log("pci", "functions here:%s", line);
    if (!total)
        smx_log("pci", "no PCI function answers through the configuration ports");
}

static bool is_store_controller(const struct smx_bootinfo *bi, const struct pci_fn *f)
{
    const struct smx_store_info *s = &bi->store;

    return s->ctrl != SMX_CTRL_NONE && s->pci_segment == 0 && s->pci_bus == f->bus &&
           s->pci_devfn == pci_devfn(f);
}

/* Take one hide-pci entry of `os`: false (logged) when it cannot be hidden. */
static bool take(const struct smx_bootinfo *bi, uint8_t os, const struct pol_pci *e, bool *listed)
{
    char name[16];
    struct pci_fn f;

    pcif_name(e->segment, e->bus, e->devfn, name);
    if (e->segment) {
        smx_log("pci", "hide-pci %s for OS %c: only PCI segment 0 can be hidden (the configuration ports "
                "reach no other); not hidden", name, 'A' + os);
        return false;
    }
    struct hidden *h = find(0, e->bus, e->devfn);
    if (h) {
        h->hiders |= (uint8_t)OS_BIT(os);
        smx_log("pci", "%s is hidden from OS %c too", h->name, 'A' + os);
        return true;
    }
    if (!pci_probe(e->bus, e->devfn, &f)) {
        smx_log("pci", "hide-pci %s for OS %c: no such function on this machine (nothing to hide)", name,
                'A' + os);
        if (!*listed)
            log_functions();
        *listed = true;
        return false;
    }
    uint8_t header = (uint8_t)(pci_read32(&f, PCI_HEADER_TYPE & ~3u) >> 16);
    const char *why = pcif_refusal(f.class_rev >> 8, header);
    if (!why && is_store_controller(bi, &f))
        why = "the controller of sleepmux's store: the VMM needs it to park an OS";
    if (why) {
        smx_log("pci", "hide-pci %s for OS %c: refused, %s", name, 'A' + os, why);
        return false;
    }
    if (nfns == sizeof fns / sizeof fns[0])
        return false;
    h = &fns[nfns++];
    *h = (struct hidden){ .pci = f, .hiders = (uint8_t)OS_BIT(os) };
    pcif_name(0, f.bus, pci_devfn(&f), h->name);
    size_bars(h);
    smx_log("pci", "%s (%04x:%04x class %06x) is hidden from OS %c", h->name, f.vendor, f.device,
            f.class_rev >> 8, 'A' + os);
    for (unsigned i = 0; i < h->nbar; i++)
        smx_log("pci", "%s: %s %s %#llx+%#llx%s", h->name, h->bar[i].rom ? "option ROM" : "BAR",
                h->bar[i].io ? "I/O" : "memory", (unsigned long long)h->bar[i].base,
                (unsigned long long)h->bar[i].size,
                !h->bar[i].io && h->bar[i].size < 4096
                    ? ": smaller than a page, not sunk (it may share its page with another function); "
                      "dark because its decoding is off"
                    : "");
    if ((f.fn == 0) && (header & PCI_HEADER_MULTI))
        smx_log("pci", "%s is function 0 of a multi-function device: an OS that finds no function 0 does not "
                "look for functions 1-7 either, so they drop out of its sight too, but they are not hidden "
                "(name them to hide them)", h->name);
    return true;
}

/* The MCFG table, through the root table acpi-sleep found. */
static void find_ecam(void)
{
    const struct acpi_table *root = &platform.root;
    unsigned esize = platform.xsdt ? 8 : 4;

    if (!root->pa || root->length < 36)
        return;
    const uint8_t *r = phys_ptr(root->pa);
    for (uint32_t off = 36; off + esize <= root->length; off += esize) {
        uint64_t pa = 0;
        for (unsigned b = esize; b-- > 0;)
            pa = pa << 8 | r[off + b];
        if (!pa || pa + 36 > vmm.bi->max_phys)
            continue;
        const uint8_t *t = phys_ptr(pa);
        if (t[0] != 'M' || t[1] != 'C' || t[2] != 'F' || t[3] != 'G')
            continue;
        uint32_t len = (uint32_t)t[4] | (uint32_t)t[5] << 8 | (uint32_t)t[6] << 16 | (uint32_t)t[7] << 24;
        if (len > 4096 || pa + len > vmm.bi->max_phys)
            len = 4096;
        enum pcif_mcfg_err e = pcif_mcfg_parse(t, len, ecam, ECAM_WINDOWS, &necam);
        if (e != PCIF_MCFG_OK) {
            /* An OS that cannot use MCFG either falls back to the ports. */
            smx_log("pci", "MCFG at %#llx: %s: no ECAM window is watched", (unsigned long long)pa,
                    pcif_mcfg_error(e));
            necam = 0;
        }
        return;
    }
}

/* Trap each hidden function's ECAM page; where the trap table is full,
 * the hiding OS's view sinks the page instead (it reads zeros, vendor ID
 * 0, which OSes also take as "no function", and its writes go nowhere). */
static void watch_ecam(struct hidden *h)
{
    for (unsigned w = 0; w < necam && !h->ecam_page; w++)
        if (ecam[w].segment == 0)
            h->ecam_page = pcif_ecam_page(&ecam[w], h->pci.bus, pci_devfn(&h->pci));
    if (!h->ecam_page)
        return;
    h->ecam_trapped = mmio_trap_add("pci-ecam", h->ecam_page, PCIF_ECAM_FN_SIZE, HOLE_TRAP_ALL, ecam_access, h);
    if (!h->ecam_trapped)
        smx_log("pci", "%s: its ECAM page %#llx is sunk for the OS that hides it instead of trapped", h->name,
                (unsigned long long)h->ecam_page);
}

static int pcihide_init(const struct smx_bootinfo *bi)
{
    bool listed = false;

    for (uint8_t os = 0; os < 2; os++) {
        const struct pol_os_config *c = &bi->config.os[os];
        for (unsigned i = 0; i < c->n_hidden && i < POL_PCI_MAX; i++)
            take(bi, os, &c->hidden[i], &listed);
    }
    if (!nfns)
        return 0;
    find_ecam();
    if (!io_trap_add(&(struct io_trap){ .name = "pci", .port = PCIF_CONFIG_DATA, .len = PCIF_CONFIG_DATA_LEN,
                                        .read = cfc_read, .write = cfc_write }))
        smx_panic("pci: cannot trap CONFIG_DATA %#x: hidden functions would be visible", PCIF_CONFIG_DATA);
    for (unsigned i = 0; i < nfns; i++) {
        struct hidden *h = &fns[i];
        watch_ecam(h);
        for (unsigned b = 0; b < h->nbar; b++)
            if (h->bar[b].io && h->bar[b].base + h->bar[b].size <= 0x10000 &&
                !io_trap_add(&(struct io_trap){ .name = "pci-io-bar", .port = (uint16_t)h->bar[b].base,
                                                .len = (uint16_t)h->bar[b].size, .read = iobar_read,
                                                .write = iobar_write, .ctx = h }))
                smx_log("pci", "%s: I/O BAR %#llx cannot be trapped: only its decoding being off keeps it dark",
                        h->name, (unsigned long long)h->bar[b].base);
    }
    smx_log("pci", "%u hidden function(s); configuration data port trapped, ECAM %s", nfns,
            necam ? "pages of hidden functions trapped" : "absent (MCFG not found)");
    pcihide_activate(bi->os);
    return 0;
}
SMX_INIT("50", pcihide_init);

unsigned pcihide_holes(uint8_t os, struct mem_hole *out, unsigned max)
{
    unsigned n = 0;

    for (unsigned i = 0; i < nfns; i++) {
        const struct hidden *h = &fns[i];
        if (!(h->hiders & OS_BIT(os)))
            continue;
        for (unsigned b = 0; b < h->nbar; b++) {
            const struct pcif_bar *r = &h->bar[b];
            if (r->io)
                continue;
            /* The sink is page-granular; a BAR smaller than a page may share
             * its page with another function's registers (logged at start). */
            if (r->size >= 4096 && n < max)
                out[n++] = (struct mem_hole){ r->base, r->size, HOLE_SINK };
        }
        if (h->ecam_page && !h->ecam_trapped && n < max)
            out[n++] = (struct mem_hole){ h->ecam_page, PCIF_ECAM_FN_SIZE, HOLE_SINK };
    }
    return n;
}

bool pcihide_sink(uint8_t os, unsigned i, uint64_t *base, uint64_t *size)
{
    struct mem_hole h[PCIHIDE_HOLES_MAX];
    unsigned n = pcihide_holes(os, h, PCIHIDE_HOLES_MAX);

    if (i >= n)
        return false;
    *base = h[i].base;
    *size = h[i].size;
    return true;
}

static bool bars_unchanged(const struct hidden *h)
{
    for (unsigned i = 0; i < BARS; i++)
        if (pci_read32(&h->pci, PCI_BAR0 + 4 * i) != h->saved_bars[i])
            return false;
    return true;
}

void pcihide_activate(uint8_t os)
{
    bool any = false;

    for (unsigned i = 0; i < nfns; i++) {
        struct hidden *h = &fns[i];
        if (active >= 0 && (h->reads | h->writes | h->ecam_reads | h->ecam_writes))
            smx_log("pci", "%s while OS %c ran: %u configuration reads answered \"no device\" and %u writes "
                    "dropped at the ports, %u and %u in ECAM", h->name, 'A' + active, h->reads, h->writes,
                    h->ecam_reads, h->ecam_writes);
        h->reads = h->writes = h->ecam_reads = h->ecam_writes = 0;
        uint16_t cmd = pci_read16(&h->pci, PCI_COMMAND);
        for (unsigned b = 0; b < h->nbar; b++)
            if (h->bar[b].io)
                io_trap_arm((uint16_t)h->bar[b].base, h->hiders & OS_BIT(os));
        if (h->hiders & OS_BIT(os)) {
            any = true;
            /* Kept once, from the OS that may use it, until it runs again. */
            if (!h->saved && !(h->hiders & OS_BIT(os ^ 1))) {
                h->saved_command = cmd;
                for (unsigned b = 0; b < BARS; b++)
                    h->saved_bars[b] = pci_read32(&h->pci, PCI_BAR0 + 4 * b);
                h->saved = true;
            }
            pci_write16(&h->pci, PCI_COMMAND, pcif_quiesced(cmd));
            smx_log("pci", "%s hidden from OS %c: command 0x%04x -> 0x%04x (no decoding, no bus mastering)",
                    h->name, 'A' + os, cmd, pci_read16(&h->pci, PCI_COMMAND));
        } else if (h->saved) {
            /* A sleep since then reset it (its BARs are gone): the OS puts
             * it back itself as after any resume, and enabling decoding
             * at cleared BARs would be wrong. */
            if (bars_unchanged(h)) {
                pci_write16(&h->pci, PCI_COMMAND, h->saved_command);
                smx_log("pci", "%s given back to OS %c: command 0x%04x -> 0x%04x", h->name, 'A' + os, cmd,
                        h->saved_command);
            } else {
                smx_log("pci", "%s given back to OS %c as the sleep left it (reset: command 0x%04x); the OS "
                        "restores it as after any resume", h->name, 'A' + os, cmd);
            }
            h->saved = false;
        }
    }
    if (nfns)
        io_trap_arm(PCIF_CONFIG_DATA, any);
    active = os;
}
