/* SPDX-License-Identifier: MIT */
#include "pci_filter.h"

bool pcif_cf8_target(uint32_t ca, uint16_t port, struct pcif_loc *out)
{
    if (!(ca & PCIF_CA_ENABLE))
        return false;
    *out = (struct pcif_loc){
        .segment = 0,
        .bus = (uint8_t)(ca >> 16),
        .devfn = (uint8_t)(ca >> 8),
        .reg = (uint16_t)((ca & 0xfc) | (port & 3)),
    };
    return true;
}

static uint64_t le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;

    for (unsigned i = n; i-- > 0;)
        v = v << 8 | p[i];
    return v;
}

const char *pcif_mcfg_error(enum pcif_mcfg_err e)
{
    switch (e) {
    case PCIF_MCFG_OK: return "ok";
    case PCIF_MCFG_SHORT: return "shorter than its header or its length field";
    case PCIF_MCFG_SIGNATURE: return "signature is not MCFG";
    case PCIF_MCFG_CHECKSUM: return "checksum does not sum to 0";
    case PCIF_MCFG_RAGGED: return "its entries do not fill it (16 bytes each after 44)";
    case PCIF_MCFG_BAD_ENTRY: return "an entry has its end bus before its start, or a base that is not 1 MiB-aligned";
    case PCIF_MCFG_TOO_MANY: return "more windows than sleepmux keeps";
    }
    return "unknown error";
}

enum pcif_mcfg_err pcif_mcfg_parse(const uint8_t *t, size_t len, struct pcif_ecam *out, unsigned max, unsigned *n)
{
    *n = 0;
    if (len < PCIF_MCFG_HEADER)
        return PCIF_MCFG_SHORT;
    if (t[0] != 'M' || t[1] != 'C' || t[2] != 'F' || t[3] != 'G')
        return PCIF_MCFG_SIGNATURE;
    uint32_t length = (uint32_t)le(t + 4, 4);
    if (length < PCIF_MCFG_HEADER || length > len)
        return PCIF_MCFG_SHORT;
    uint8_t sum = 0;
    for (uint32_t i = 0; i < length; i++)
        sum = (uint8_t)(sum + t[i]);
    if (sum)
        return PCIF_MCFG_CHECKSUM;
    if ((length - PCIF_MCFG_HEADER) % PCIF_MCFG_ENTRY)
        return PCIF_MCFG_RAGGED;
    unsigned count = (length - PCIF_MCFG_HEADER) / PCIF_MCFG_ENTRY;
    if (count > max)
        return PCIF_MCFG_TOO_MANY;
    for (unsigned i = 0; i < count; i++) {
        const uint8_t *e = t + PCIF_MCFG_HEADER + i * PCIF_MCFG_ENTRY;
        struct pcif_ecam w = { le(e, 8), (uint16_t)le(e + 8, 2), e[10], e[11] };
        /* The window spans its buses at 1 MiB each from `base`. */
        uint64_t span = (uint64_t)(w.bus_end - w.bus_start + 1) << 20;
        if (w.bus_end < w.bus_start || (w.base & 0xfffff) || w.base + span < w.base)
            return PCIF_MCFG_BAD_ENTRY;
        out[i] = w;
    }
    *n = count;
    return PCIF_MCFG_OK;
}

bool pcif_ecam_target(const struct pcif_ecam *e, uint64_t gpa, struct pcif_loc *out)
{
    uint64_t span = (uint64_t)(e->bus_end - e->bus_start + 1) << 20;

    if (gpa < e->base || gpa - e->base >= span)
        return false;
    uint64_t off = gpa - e->base;
    *out = (struct pcif_loc){
        .segment = e->segment,
        .bus = (uint8_t)(e->bus_start + (off >> 20)),
        .devfn = (uint8_t)(off >> 12),
        .reg = (uint16_t)(off & 0xfff),
    };
    return true;
}

uint64_t pcif_ecam_page(const struct pcif_ecam *e, uint8_t bus, uint8_t devfn)
{
    if (bus < e->bus_start || bus > e->bus_end)
        return 0;
    return e->base + ((uint64_t)(bus - e->bus_start) << 20) + ((uint64_t)devfn << 12);
}

bool pcif_hidden(const struct pol_pci *list, unsigned n, uint16_t segment, uint8_t bus, uint8_t devfn)
{
    for (unsigned i = 0; i < n; i++)
        if (list[i].segment == segment && list[i].bus == bus && list[i].devfn == devfn)
            return true;
    return false;
}

uint64_t pcif_absent_value(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

uint16_t pcif_quiesced(uint16_t command)
{
    return (uint16_t)(command & ~(PCIF_CMD_IO | PCIF_CMD_MEM | PCIF_CMD_MASTER));
}

/* PCI Local Bus 3.0 §6.2.5.1: bit 0 tells I/O from memory; a memory BAR's
 * bits 2:1 give its type (00 32-bit, 10 64-bit), bit 3 prefetchable. */
#define BAR_IO 0x1u
#define BAR_MEM_TYPE 0x6u
#define BAR_MEM_64 0x4u
#define BAR_MEM_PREFETCH 0x8u

struct pcif_bar pcif_bar_decode(uint32_t value, uint32_t mask, uint32_t value_hi, uint32_t mask_hi, bool hi_ok)
{
    struct pcif_bar b = { .slots = 1 };

    if (value & BAR_IO) {
        /* The upper 16 bits of an I/O BAR may read back as zero (§6.2.5.1). */
        uint32_t m = mask & ~0x3u & 0xffffu;
        b.io = true;
        b.base = value & ~0x3u & 0xffffu;
        b.size = m ? (uint64_t)(m & -m) : 0;
        return b;
    }
    b.prefetch = (value & BAR_MEM_PREFETCH) != 0;
    uint64_t v = value & ~0xfull, m = mask & ~0xfull;
    if ((value & BAR_MEM_TYPE) == BAR_MEM_64 && hi_ok) {
        b.is64 = true;
        b.slots = 2;
        v |= (uint64_t)value_hi << 32;
        m |= (uint64_t)mask_hi << 32;
    } else if (m) {
        m |= 0xffffffff00000000ull; /* a 32-bit BAR: the upper half is fixed at 0 */
    }
    b.base = v;
    b.size = m ? m & -m : 0;
    return b;
}

struct pcif_bar pcif_rom_decode(uint32_t value, uint32_t mask)
{
    uint32_t m = mask & PCIF_ROM_ADDR_MASK;

    return (struct pcif_bar){ .base = value & PCIF_ROM_ADDR_MASK, .size = m ? (uint64_t)(m & -m) : 0, .rom = true,
                              .slots = 1 };
}

/* PCI Code and ID Assignment 1.11 §1.7: base class 06h (bridge device),
 * subclass 00h host bridge; header types 1 (PCI-to-PCI bridge) and 2
 * (CardBus bridge), PCI Local Bus 3.0 §6.1. */
#define CLASS_HOST_BRIDGE 0x0600u
#define HEADER_TYPE_MASK 0x7fu

const char *pcif_refusal(uint32_t class_code, uint8_t header_type)
{
    if (class_code >> 8 == CLASS_HOST_BRIDGE)
        return "a host bridge: every device is reached through it";
    if ((header_type & HEADER_TYPE_MASK) == 1 || (header_type & HEADER_TYPE_MASK) == 2)
        return "a bridge: the functions behind it stay reachable by their bus numbers, name them instead";
    if ((header_type & HEADER_TYPE_MASK) != 0)
        return "an unknown header type";
    return NULL;
}

void pcif_name(uint16_t segment, uint8_t bus, uint8_t devfn, char buf[16])
{
    static const char hex[] = "0123456789abcdef";
    char *p = buf;

    if (segment) {
        for (int s = 12; s >= 0; s -= 4)
            *p++ = hex[segment >> s & 15];
        *p++ = ':';
    }
    *p++ = hex[bus >> 4];
    *p++ = hex[bus & 15];
    *p++ = ':';
    *p++ = hex[devfn >> 7];
    *p++ = hex[devfn >> 3 & 15];
    *p++ = '.';
    *p++ = (char)('0' + (devfn & 7));
    *p = 0;
}
