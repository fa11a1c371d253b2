/* SPDX-License-Identifier: MIT */
/*
 * Live evaluation (acpi_discover_live): on the machine itself, the firmware
 * fields an If predicate tests are read, read-only, in their access width,
 * inside their region and only where the caller allows; the predicate is
 * then decided. pred-firmware's GNVS region (SystemMemory 0x7ffe8000, 0x100
 * bytes: DAS3 at 0x10, S0ID at bit 0 of 0x11) and PMIO (SystemIO 0x800:
 * SS1E at bit 3 of 0x802) are simulated here.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "helpers.h"

#define GNVS 0x7ffe8000ull

struct sim {
    struct acpimem *m;
    uint8_t pmio[16];
    bool allow;
    unsigned reads, writes;
    uint64_t lo, hi;            /* span of firmware-data reads */
    unsigned max_len;
};

static void span(struct sim *s, uint64_t pa, size_t len)
{
    if (!s->reads++ || pa < s->lo)
        s->lo = pa;
    if (pa + len > s->hi)
        s->hi = pa + len;
    if (len > s->max_len)
        s->max_len = (unsigned)len;
}

static bool sim_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
    struct sim *s = ctx;
    struct acpi_io io = acpimem_io(s->m);

    if (pa >= GNVS && pa < GNVS + 0x100)
        span(s, pa, len);
    return io.read_phys(io.ctx, pa, buf, len);
}

static bool sim_write(void *ctx, uint64_t pa, const void *buf, size_t len)
{
    struct sim *s = ctx;

    (void)pa, (void)buf, (void)len;
    s->writes++;
    return false;
}

static bool sim_in(void *ctx, uint16_t port, unsigned size, uint32_t *v)
{
    struct sim *s = ctx;

    if (port < 0x800 || port + size > 0x810)
        return false;
    span(s, port, size);
    *v = 0;
    for (unsigned i = 0; i < size; i++)
        *v |= (uint32_t)s->pmio[port - 0x800 + i] << (8 * i);
    return true;
}

static bool sim_may_read(void *ctx, uint8_t space, uint64_t address, uint64_t len)
{
    struct sim *s = ctx;

    if (!s->allow)
        return false;
    if (space == ACPI_SPACE_MEMORY)
        return address >= GNVS && address + len <= GNVS + 0x100;
    return space == ACPI_SPACE_IO && address >= 0x800 && address + len <= 0x810;
}

/* pred-firmware with GNVS bytes das3/s0id and PMIO byte 2, discovered live. */
static void live(struct fx *f, struct sim *s, uint8_t das3, uint8_t s0id, uint8_t pm2, bool allow)
{
    uint8_t gnvs[0x100] = {0};
    struct acpi_io io;
    struct acpi_fw_access fw;

    fx_load(f, "pred-firmware", 0);
    gnvs[0x10] = das3;
    gnvs[0x11] = s0id;
    cr_assert(acpimem_map(&f->m, GNVS, gnvs, sizeof gnvs, "GNVS"));
    memset(s, 0, sizeof *s);
    s->m = &f->m;
    s->pmio[2] = pm2;
    s->allow = allow;
    io = (struct acpi_io){.ctx = s, .read_phys = sim_read, .write_phys = sim_write, .port_in = sim_in};
    fw = (struct acpi_fw_access){.io = &io, .ctx = s, .may_read = sim_may_read};
    f->st = acpi_discover_live(&f->p, &f->io, f->m.rsdp, 0, &fw, f->scratch, sizeof f->scratch, &f->err);
    cr_assert_eq(f->st, ACPI_OK, "%s", fx_errstr(&f->err));
    cr_expect_eq(s->writes, 0, "live evaluation never writes");
}

Test(acpi_live, s3_enabled_in_setup)
{
    static struct fx f;
    struct sim s;
    const struct acpi_sx *sx = f.p.sx;

    live(&f, &s, 1, 0, 0x08, true);
    cr_expect(f.p.live);
    cr_assert_eq(sx[3].kind, ACPI_SX_FIXED, "DAS3 == 1 and S0ID == 0 on this machine");
    cr_expect(sx[3].def[0].flags & ACPI_SXD_LIVE);
    cr_assert(sx[3].def[0].cond);
    const struct acpi_cond *c = &f.p.conds[sx[3].def[0].cond - 1];

    cr_expect(c->live);
    cr_expect_eq(c->value, 1);
    uint8_t a, b;

    cr_expect(acpi_sx_values(&f.p, 3, &a, &b) && a == 5);
    cr_expect_eq(sx[1].kind, ACPI_SX_FIXED, "SS1E (bit 3 of port 0x802) is set");
    /* Byte accesses (AnyAcc on GNVS, ByteAcc on PMIO), only the bytes the
     * fields occupy. */
    cr_expect_eq(s.max_len, 1);
    cr_expect_eq(s.reads, 3, "DAS3, S0ID, SS1E: one byte each");
    fx_free(&f);
}

Test(acpi_live, modern_standby_means_no_s3)
{
    static struct fx f;
    struct sim s;
    const struct acpi_sx *sx = f.p.sx;
    char msg[160];

    live(&f, &s, 1, 1, 0x00, true);
    cr_expect_eq(sx[3].kind, ACPI_SX_ABSENT, "S0ID set: the If is false on this machine");
    cr_expect_eq(sx[3].dead, 1);
    cr_assert(sx[3].first_dead.cond);
    acpi_cond_format(&f.p.conds[sx[3].first_dead.cond - 1], msg, sizeof msg);
    cr_expect_str_eq(msg, "reads \\DAS3, a field of OperationRegion GNVS (SystemMemory 0x7ffe8000+0x10, 8 bits) "
                          "and 1 more field; read on this machine: 0x1");
    cr_expect_eq(sx[1].kind, ACPI_SX_ABSENT);
    fx_free(&f);
}

Test(acpi_live, nothing_is_read_where_the_caller_does_not_allow_it)
{
    static struct fx f;
    struct sim s;

    live(&f, &s, 1, 0, 0x08, false);
    cr_expect_eq(s.reads, 0);
    cr_expect_eq(f.p.sx[3].kind, ACPI_SX_CONDITIONAL);
    cr_expect_eq(f.p.sx[1].kind, ACPI_SX_CONDITIONAL);
    cr_expect(fx_has_note(&f.p, "\\DAS3: not read: 0x7ffe8010+1 is outside what may be read"));
    cr_expect(fx_has_note(&f.p, "\\S0ID: not read: 0x7ffe8011+1 is outside what may be read"));
    fx_free(&f);
}
