/* SPDX-License-Identifier: MIT */
/*
 * The air gap's decisions, as pure functions (tested hosted): which PCI
 * function a configuration access reaches, through the legacy ports or the
 * ECAM window, whether an OS hides it, what a hidden function answers, what
 * its BARs decode, and which functions cannot be hidden at all.
 * pcihide.c applies them to the hardware.
 */
#ifndef SMX_PCI_FILTER_H
#define SMX_PCI_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"

/* PCI Local Bus 3.0 §3.2.2.3.2, configuration mechanism #1: CONFIG_ADDRESS
 * (a dword at 0xcf8) selects bus 23:16, device 15:11, function 10:8 and the
 * dword register 7:2 when bit 31 is set; CONFIG_DATA (0xcfc-0xcff) moves
 * the data, any size at any of its four byte offsets. */
#define PCIF_CONFIG_ADDRESS 0xcf8
#define PCIF_CONFIG_DATA 0xcfc
#define PCIF_CONFIG_DATA_LEN 4
#define PCIF_CA_ENABLE 0x80000000u

/* One configuration access's target. */
struct pcif_loc {
    uint16_t segment;
    uint8_t bus, devfn;
    uint16_t reg;   /* byte offset in the function's configuration space */
};

/* The target of an access to CONFIG_DATA + (port & 3) while CONFIG_ADDRESS
 * holds `ca`; false when bit 31 is clear (the access is not a
 * configuration access: it goes to the I/O bus as is). */
bool pcif_cf8_target(uint32_t ca, uint16_t port, struct pcif_loc *out);

/* PCI Firmware 3.3 §4.1.2, the MCFG table: after the 36-byte ACPI header
 * and 8 reserved bytes, 16-byte entries (base address, PCI segment, start
 * and end bus). PCIe Base 5.0 §7.2.2: a function's 4 KiB of configuration
 * space is at base + (bus - start) << 20 | device << 15 | function << 12. */
#define PCIF_MCFG_HEADER 44
#define PCIF_MCFG_ENTRY 16
#define PCIF_ECAM_FN_SIZE 4096u

struct pcif_ecam {
    uint64_t base;     /* where bus `bus_start` begins */
    uint16_t segment;
    uint8_t bus_start, bus_end;
};

enum pcif_mcfg_err {
    PCIF_MCFG_OK = 0,
    PCIF_MCFG_SHORT,       /* shorter than its header, or than its length says */
    PCIF_MCFG_SIGNATURE,   /* not "MCFG" */
    PCIF_MCFG_CHECKSUM,    /* bytes do not sum to 0 */
    PCIF_MCFG_RAGGED,      /* the entries do not fill the table */
    PCIF_MCFG_BAD_ENTRY,   /* end bus before start bus, base not 1 MiB-aligned, or range past 2^64 */
    PCIF_MCFG_TOO_MANY,    /* more entries than `max` */
};
const char *pcif_mcfg_error(enum pcif_mcfg_err e);

/* Parse an MCFG table of `len` bytes (len as read, the table's own length
 * field is checked against it) into out[0..max); *n gets the count. */
enum pcif_mcfg_err pcif_mcfg_parse(const uint8_t *t, size_t len, struct pcif_ecam *out, unsigned max, unsigned *n);

/* The target of an access at `gpa` in window e; false when outside it. */
bool pcif_ecam_target(const struct pcif_ecam *e, uint64_t gpa, struct pcif_loc *out);
/* The page of bus/devfn in window e; 0 when the bus is not in it. */
uint64_t pcif_ecam_page(const struct pcif_ecam *e, uint8_t bus, uint8_t devfn);

/* Does the list hide the function? */
bool pcif_hidden(const struct pol_pci *list, unsigned n, uint16_t segment, uint8_t bus, uint8_t devfn);

/* What a read of `size` bytes (1, 2, 4, 8) of a function that does not
 * exist returns (PCIe Base 5.0 §2.3.2: a configuration read to a missing
 * function completes with all ones; vendor ID 0xffff means "absent"). */
uint64_t pcif_absent_value(unsigned size);

/* PCI Local Bus 3.0 §6.2.2, the command register: I/O space, memory space,
 * bus master. With all three off a function decodes nothing and starts no
 * DMA. */
#define PCIF_CMD_IO (1u << 0)
#define PCIF_CMD_MEM (1u << 1)
#define PCIF_CMD_MASTER (1u << 2)
uint16_t pcif_quiesced(uint16_t command);

/* §6.2.5.1: a base address register, sized by writing all ones and reading
 * back what sticks. A decoded BAR: what it decodes now, how large, which
 * kind, and how many of the six slots it takes (a 64-bit memory BAR takes
 * two). size 0: not implemented. */
struct pcif_bar {
    uint64_t base, size;
    bool io, is64, prefetch, rom;
    uint8_t slots;
};
/* value/mask: the BAR (and for a 64-bit BAR the next one) as read, and as
 * read back after writing all ones; `hi_ok` false when a 64-bit BAR has no
 * slot after it (a malformed function: it is taken as 32-bit). */
struct pcif_bar pcif_bar_decode(uint32_t value, uint32_t mask, uint32_t value_hi, uint32_t mask_hi, bool hi_ok);
/* §6.2.5.2, the expansion ROM BAR (0x30 in a type 0 header): address 31:11,
 * enable bit 0; size from the read-back of all ones written to 31:11. */
#define PCIF_ROM_BAR 0x30
#define PCIF_ROM_ADDR_MASK 0xfffff800u
struct pcif_bar pcif_rom_decode(uint32_t value, uint32_t mask);

/* Why a function cannot be hidden (NULL: it can), from its class code
 * (PCI_CLASS_REV >> 8) and header type (low 7 bits): a host bridge is the
 * path to everything, and a bridge hides nothing behind it (an OS reaches
 * the functions behind it by bus number), so the functions themselves
 * must be named. */
const char *pcif_refusal(uint32_t class_code, uint8_t header_type);

/* "00:1f.2" into buf (at least 8 bytes); segment 0 only. "0001:00:1f.2"
 * (13 bytes) otherwise. */
void pcif_name(uint16_t segment, uint8_t bus, uint8_t devfn, char buf[16]);

#endif
