/* SPDX-License-Identifier: MIT */
/*
 * The root of the tables: RSDP (ACPI 6.5 §5.2.5), the RSDT/XSDT (§5.2.7,
 * §5.2.8) and the header every description table starts with (§5.2.6).
 */
#include "spec.h"
#include "tables.h"

static uint8_t sum_bytes(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint8_t s = 0;

    while (n--)
        s = (uint8_t)(s + *b++);
    return s;
}

enum acpi_status acpi_rsdp_read(const struct acpi_io *io, uint64_t pa, uint8_t *revision, uint64_t *rsdt,
                                uint64_t *xsdt, struct acpi_error *err)
{
    struct rsdp r;

    memset(&r, 0, sizeof r);
    if (!io->read_phys(io->ctx, pa, &r, RSDP_V1_LEN))
        return acpi_fail(err, ACPI_E_IO, "RSDP", "%o: cannot read %G bytes at %w", pa, RSDP_V1_LEN, 0);
    if (memcmp(r.signature, "RSD PTR ", 8) != 0)
        return acpi_fail(err, ACPI_E_SIGNATURE, "RSDP", "%o: no \"RSD PTR \" signature at %w", pa, 0, 0);
    uint8_t sum = sum_bytes(&r, RSDP_V1_LEN);

    if (sum)
        return acpi_fail(err, ACPI_E_CHECKSUM, "RSDP", "%o: checksum %g != 0", pa, sum, 0);
    *revision = r.revision;
    *rsdt = r.rsdt;
    *xsdt = 0;
    /* Revision 0 is ACPI 1.0's 20-byte RSDP; ACPI 2.0 made it 2. */
    if (r.revision < 2)
        return ACPI_OK;
    if (!io->read_phys(io->ctx, pa, &r, sizeof r))
        return acpi_fail(err, ACPI_E_IO, "RSDP", "%o: cannot read %G bytes at %w", pa, sizeof r, 0);
    if (r.length < sizeof r)
        return acpi_fail(err, ACPI_E_SHORT, "RSDP", "%o: length %G shorter than the %X bytes of revision 2",
                         pa, r.length, sizeof r);
    /* The extended checksum covers `length` bytes; more than the struct
     * is legal but unheard of, so check only what is read. */
    sum = sum_bytes(&r, sizeof r);
    if (sum)
        return acpi_fail(err, ACPI_E_CHECKSUM, "RSDP", "%o: extended checksum %g != 0", pa, sum, 0);
    *xsdt = r.xsdt;
    return ACPI_OK;
}

bool acpi_find_rsdp(const struct acpi_io *io, uint64_t start, uint64_t len, uint64_t *rsdp_pa)
{
    for (uint64_t off = (16 - (start & 15)) & 15; off + RSDP_V1_LEN <= len; off += 16) {
        char sig[8];
        uint64_t rsdt, xsdt;
        uint8_t rev;

        if (!io->read_phys(io->ctx, start + off, sig, sizeof sig) || memcmp(sig, "RSD PTR ", 8) != 0)
            continue;
        if (acpi_rsdp_read(io, start + off, &rev, &rsdt, &xsdt, NULL) == ACPI_OK) {
            *rsdp_pa = start + off;
            return true;
        }
    }
    return false;
}

enum acpi_status acpi_table_check(struct table_ctx *c, uint64_t pa, const char *sig, int index, uint32_t max,
                                  struct acpi_table *t, struct acpi_error *err)
{
    char obj[32];
    struct sdt_header h;

    acpi_object_name(obj, sig ? sig : "table", index, index >= 0 ? pa : 0);
    memset(t, 0, sizeof *t);
    if (!pa)
        return acpi_fail(err, ACPI_E_MISSING, obj, "%o: address is 0", pa, 0, 0);
    if (!c->io->read_phys(c->io->ctx, pa, &h, sizeof h))
        return acpi_fail(err, ACPI_E_IO, obj, "%o: cannot read its header at %w", pa, 0, 0);
    if (sig && memcmp(h.signature, sig, 4) != 0)
        return acpi_fail(err, ACPI_E_SIGNATURE, obj, "%o: table at %w has signature \"%s\"", pa,
                         le32((const uint8_t *)h.signature), 0);
    if (!sig) {
        char found[5];

        for (int i = 0; i < 4; i++)
            found[i] = h.signature[i] >= 0x20 && h.signature[i] < 0x7f ? h.signature[i] : '?';
        found[4] = 0;
        acpi_object_name(obj, found, index, index >= 0 ? pa : 0);
    }
    if (h.length < sizeof h)
        return acpi_fail(err, ACPI_E_SHORT, obj, "%o: length %g shorter than its header", pa, h.length, 0);
    if (h.length > max)
        return acpi_fail(err, ACPI_E_LONG, obj, "%o: length %g larger than the %x this code accepts", pa,
                         h.length, max);
    if (pa + h.length < pa)
        return acpi_fail(err, ACPI_E_RANGE, obj, "%o: %g bytes at %w run past the end of memory", pa, h.length, 0);

    t->pa = pa;
    t->length = h.length;
    t->revision = h.revision;
    memcpy(t->signature, h.signature, 4);
    memcpy(t->oem_id, h.oem_id, 6);
    memcpy(t->oem_table_id, h.oem_table_id, 8);
    for (int i = 0; i < 8; i++)     /* printable, for reports */
        if (t->oem_table_id[i] && (t->oem_table_id[i] < 0x20 || t->oem_table_id[i] > 0x7e))
            t->oem_table_id[i] = '?';
    for (int i = 0; i < 6; i++)
        if (t->oem_id[i] && (t->oem_id[i] < 0x20 || t->oem_id[i] > 0x7e))
            t->oem_id[i] = '?';
    for (int i = 0; i < 4; i++)
        if (t->signature[i] < 0x20 || t->signature[i] > 0x7e)
            t->signature[i] = '?';

    struct src s;
    uint8_t sum;

    acpi_src_init(&s, c->io, pa, h.length, c->win, c->win_cap);
    if (!acpi_src_checksum(&s, &sum))
        return acpi_fail(err, ACPI_E_IO, obj, "%o: cannot read its %g bytes at %w", pa, h.length, 0);
    if (sum) {
        /* Linux (ACPICA without ACPI_CHECKSUM_ABORT) warns and uses the
         * table anyway; so must we, unless asked to be strict. */
        if (c->flags & ACPI_DISCOVER_STRICT)
            return acpi_fail(err, ACPI_E_CHECKSUM, obj, "%o: checksum %g != 0", pa, sum, 0);
        acpi_note(c->p, ACPI_E_CHECKSUM, obj, "%o: checksum %g != 0 (used anyway, as Linux does)", pa, sum, 0);
    }
    return ACPI_OK;
}

bool acpi_root_entry(const struct table_ctx *c, const struct acpi_table *root, bool xsdt, uint32_t i,
                     uint64_t *pa)
{
    uint32_t esize = xsdt ? 8 : 4;
    uint8_t b[8] = {0};

    if (!c->io->read_phys(c->io->ctx, root->pa + sizeof(struct sdt_header) + (uint64_t)i * esize, b, esize))
        return false;
    *pa = xsdt ? le64(b) : le32(b);
    return true;
}

uint32_t acpi_root_count(const struct acpi_table *root, bool xsdt)
{
    return (root->length - (uint32_t)sizeof(struct sdt_header)) / (xsdt ? 8 : 4);
}
