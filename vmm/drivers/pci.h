/* SPDX-License-Identifier: MIT */
/*
 * PCI configuration space through configuration mechanism #1 (ports
 * 0xCF8/0xCFC), enough for the VMM's own drivers: find functions by class,
 * read their BARs, turn on memory decoding and bus mastering for the time
 * the VMM uses a device and put the command register back afterwards.
 */
#ifndef SMX_PCI_H
#define SMX_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* PCI Local Bus 3.0 §6.1: the type 0 configuration header. */
#define PCI_VENDOR_ID 0x00
#define PCI_COMMAND 0x04
#define PCI_STATUS 0x06
#define PCI_STATUS_CAPS (1u << 4) /* §6.2.3: a capability list exists */
#define PCI_CLASS_REV 0x08 /* revision 7:0, prog-if 15:8, subclass 23:16, class 31:24 */
#define PCI_HEADER_TYPE 0x0e
#define PCI_BAR0 0x10
#define PCI_CAP_PTR 0x34
#define PCI_HEADER_MULTI 0x80 /* header type bit 7: a multi-function device */

/* PCI Local Bus 3.0 §6.2.2: command register bits. */
#define PCI_CMD_MEM (1u << 1)
#define PCI_CMD_MASTER (1u << 2)
#define PCI_CMD_INTX_OFF (1u << 10)

/* PCI Local Bus 3.0 §6.2.5.1: memory BAR type bits. */
#define PCI_BAR_IO 0x1u
#define PCI_BAR_TYPE_MASK 0x6u
#define PCI_BAR_TYPE_64 0x4u

struct pci_fn {
    uint8_t bus, dev, fn;
    uint16_t vendor, device;
    uint32_t class_rev; /* as PCI_CLASS_REV reads */
};

static inline uint8_t pci_devfn(const struct pci_fn *f) { return (uint8_t)(f->dev << 3 | f->fn); }

uint32_t pci_read32(const struct pci_fn *f, unsigned reg);
uint16_t pci_read16(const struct pci_fn *f, unsigned reg);
void pci_write16(const struct pci_fn *f, unsigned reg, uint16_t v);
void pci_write32(const struct pci_fn *f, unsigned reg, uint32_t v);

/* Find functions whose class/subclass/prog-if (class_rev >> 8) is `cls`,
 * in bus/device/function order; calls visit for each until it returns
 * true. Returns how many were found. */
typedef bool pci_visit_fn(void *ctx, const struct pci_fn *f);
unsigned pci_scan_class(uint32_t cls, pci_visit_fn *visit, void *ctx);

/* Fill *f for bus/devfn if a function is there. */
bool pci_probe(uint8_t bus, uint8_t devfn, struct pci_fn *f);

/* The memory address BAR `i` decodes (64-bit BARs take two slots), 0 if
 * it is an I/O BAR or unset. */
uint64_t pci_bar_mem(const struct pci_fn *f, unsigned i);

/* The command register as the VMM found it, and enabling what a driver
 * needs (memory decoding, bus mastering, INTx off: the VMM polls). */
uint16_t pci_enable_dma(const struct pci_fn *f);
void pci_restore_command(const struct pci_fn *f, uint16_t saved);

/* PCI Local Bus 3.0 §6.8.2: MSI-X, and its Function Mask (Message Control bit 14). */
#define PCI_CAP_MSIX 0x11
#define PCI_MSIX_CONTROL 2
#define PCI_MSIX_FUNCTION_MASK (1u << 14)
#define PCI_MSIX_ENABLE (1u << 15)

/* PCI Bus Power Management Interface 1.2 §3.2.4: the PMCSR's PowerState
 * field (bits 1:0; 3 = D3hot) and PME_Status (bit 15, write 1 to clear).
 * §5.4.1: in D3hot a function answers configuration accesses only; §5.6.1:
 * once put back in D0 it is given 10 ms before it is accessed otherwise. */
#define PCI_CAP_PM 0x01
#define PCI_PM_CSR 4
#define PCI_PM_STATE_MASK 0x3u
#define PCI_PM_PME_STATUS (1u << 15)
#define PCI_PM_D3HOT_TO_D0_NS (10ull * 1000 * 1000)

/* Offset of capability `id` in configuration space (§6.7), 0 if absent. */
unsigned pci_find_cap(const struct pci_fn *f, uint8_t id);

/* "00:1f.2" */
void pci_name(const struct pci_fn *f, char buf[8]);

/*
 * A PCI function a driver has taken over while no OS runs: where it is, its
 * name for the log, and the command register as the VMM found it, to put
 * back before any OS runs again. Drivers keep one per controller in a
 * fixed table; `in_use` says the slot holds a controller (mapped, known).
 */
struct pci_claim {
    struct pci_fn pci;
    char name[8];
    uint16_t saved_command;
    bool in_use;
    bool touched;       /* DMA enabled since the last pci_claim_release */
};

/* The claim for f in table[0..n) (`stride` bytes apart, each starting with
 * its struct pci_claim), else the first free one, else NULL. */
struct pci_claim *pci_claim_slot(void *table, unsigned n, size_t stride, const struct pci_fn *f);
/* Take f over in claim c: name it, and (once until released) keep its
 * command register, bring the function to D0 (an OS puts its devices in
 * D3hot before it sleeps, and a function there ignores memory accesses)
 * and enable memory decoding and bus mastering. Returns true the first
 * time, when the caller saves whatever else it changes. */
bool pci_claim_take(struct pci_claim *c, const struct pci_fn *f);
/* Put the command register back; false when c was not taken. The
 * function stays in D0, where a power cycle leaves it: the driver has
 * reset it, and an OS brings its devices up from D0 on resume as after
 * any S3 that removed their power. */
bool pci_claim_release(struct pci_claim *c);

#endif
