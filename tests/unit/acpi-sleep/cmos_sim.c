/* SPDX-License-Identifier: MIT */
/* See cmos_sim.h. */
#include "cmos_sim.h"

static uint8_t bcd(unsigned v) { return (uint8_t)((v / 10) << 4 | v % 10); }

static bool sim_in(void *ctx, uint16_t port, unsigned size, uint32_t *v)
{
    struct cmos_sim *s = ctx;

    if (port == 0x71 && size == 1) {
        uint8_t i = s->index;

        *v = s->cmos[i];
        if (i == 0x0a && s->uip_reads) {
            s->uip_reads--;
            *v |= 0x80;
        } else if (i == 0x0c) {
            s->cmos[0x0c] = 0;
        } else if (i <= 9 && s->tick_after && --s->tick_after == 0) {
            s->cmos[0] = (uint8_t)(s->cmos[0] + 1);
        }
        return true;
    }
    if (port == s->pm1_base && size == 2) {
        *v = s->sts;
        return true;
    }
    if (port == s->pm1_base + 2 && size == 2) {
        *v = s->en;
        return true;
    }
    return false;
}

static bool sim_out(void *ctx, uint16_t port, unsigned size, uint32_t v)
{
    struct cmos_sim *s = ctx;

    if (port == 0x70 && size == 1) {
        s->index = v & 0x7f;
        return true;
    }
    if (port == 0x71 && size == 1) {
        if (s->index == 0x0d)   /* Intel's register D: VRT (bit 7) reads 1 */
            v |= 0x80;
        s->cmos[s->index] = (uint8_t)v;
        return true;
    }
    if (port == s->pm1_base && size == 2) {     /* write 1 to clear */
        s->sts &= (uint16_t)~v;
        s->sts_writes++;
        s->sts_written = (uint16_t)v;
        return true;
    }
    if (port == s->pm1_base + 2 && size == 2) {
        s->en = (uint16_t)v;
        return true;
    }
    return false;
}

static bool sim_read_phys(void *ctx, uint64_t pa, void *buf, size_t len)
{
    struct cmos_sim *s = ctx;

    return s->phys.read_phys && s->phys.read_phys(s->phys.ctx, pa, buf, len);
}

static bool sim_write_phys(void *ctx, uint64_t pa, const void *buf, size_t len)
{
    struct cmos_sim *s = ctx;

    return s->phys.write_phys && s->phys.write_phys(s->phys.ctx, pa, buf, len);
}

struct acpi_io cmos_sim_io(struct cmos_sim *s, const struct acpi_io *phys, uint16_t pm1_base)
{
    s->phys = phys ? *phys : (struct acpi_io){0};
    s->pm1_base = pm1_base;
    return (struct acpi_io){.ctx = s, .read_phys = sim_read_phys, .write_phys = sim_write_phys,
                            .port_in = sim_in, .port_out = sim_out};
}

void cmos_sim_set(struct cmos_sim *s, struct acpi_time t, uint8_t b, uint8_t century_index)
{
    bool bin = b & 0x04, h24 = b & 0x02;
    unsigned h = t.hour;
    uint8_t pm = 0;

#define ENC(v) (bin ? (uint8_t)(v) : bcd(v))
    if (!h24) {
        pm = h >= 12 ? 0x80 : 0;
        h = h % 12 ? h % 12 : 12;
    }
    s->cmos[0x00] = ENC(t.second);
    s->cmos[0x02] = ENC(t.minute);
    s->cmos[0x04] = (uint8_t)(ENC(h) | pm);
    s->cmos[0x07] = ENC(t.day);
    s->cmos[0x08] = ENC(t.month);
    s->cmos[0x09] = ENC(t.year % 100);
    if (century_index)
        s->cmos[century_index] = ENC(t.year / 100);
    s->cmos[0x0b] = b;
#undef ENC
}

