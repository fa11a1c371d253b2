/* SPDX-License-Identifier: MIT */
/*
 * Discovery: from the RSDP to everything a VMM needs to recognise sleep
 * (ACPI 6.5 §5.2). The order follows what an OS does, so the answer is the
 * one the OS gets: the XSDT if there is one (else the RSDT), the first FADT
 * in it, the DSDT the FADT names, then every SSDT (and PSDT/OSDT, which
 * ACPICA loads the same way) in root-table order.
 */
#include "spec.h"
#include "tables.h"

static bool is_definition_block(const char sig[4])
{
    return memcmp(sig, "SSDT", 4) == 0 || memcmp(sig, "PSDT", 4) == 0 || memcmp(sig, "OSDT", 4) == 0;
}

/* Choose and check the root table; XSDT first, the RSDT if the XSDT is
 * unusable (as ACPICA's acpi_tb_parse_root_table does). */
static enum acpi_status root_table(struct table_ctx *c, uint64_t rsdt, uint64_t xsdt, unsigned flags,
                                   struct acpi_error *err)
{
    struct acpi_platform *p = c->p;
    struct acpi_error xerr;

    if (xsdt && !(flags & ACPI_DISCOVER_USE_RSDT)) {
        if (acpi_table_check(c, xsdt, "XSDT", -1, ROOT_MAX_LEN, &p->root, &xerr) == ACPI_OK) {
            p->xsdt = true;
            return ACPI_OK;
        }
        if (!rsdt) {
            *err = xerr;
            return xerr.status;
        }
        acpi_note_error(p, &xerr);
        acpi_note(p, ACPI_E_MISSING, "XSDT", "%o: unusable; using the RSDT at %w instead", rsdt, 0, 0);
    }
    if (!rsdt)
        return acpi_fail(err, ACPI_E_MISSING, "RSDP", "%o: names neither an XSDT nor an RSDT", 0, 0, 0);
    p->xsdt = false;
    return acpi_table_check(c, rsdt, "RSDT", -1, ROOT_MAX_LEN, &p->root, err);
}

static enum acpi_status find_fadt(struct table_ctx *c, uint64_t *fadt_pa, struct acpi_error *err)
{
    struct acpi_platform *p = c->p;
    uint32_t n = acpi_root_count(&p->root, p->xsdt);
    const char *root = p->xsdt ? "XSDT" : "RSDT";

    *fadt_pa = 0;
    if ((p->root.length - sizeof(struct sdt_header)) % (p->xsdt ? 8 : 4))
        acpi_note(p, ACPI_E_SHORT, root, "%o: length %g is not a whole number of entries", 0, p->root.length, 0);
    for (uint32_t i = 0; i < n; i++) {
        uint64_t pa;
        char sig[4];

        if (!acpi_root_entry(c, &p->root, p->xsdt, i, &pa))
            return acpi_fail(err, ACPI_E_IO, root, "%o: cannot read entry %G", 0, i, 0);
        if (!pa) {
            acpi_note(p, ACPI_E_MISSING, root, "%o: entry %G is 0", 0, i, 0);
            continue;
        }
        if (!c->io->read_phys(c->io->ctx, pa, sig, 4) || memcmp(sig, "FACP", 4) != 0)
            continue;
        if (!*fadt_pa)
            *fadt_pa = pa;
        else
            acpi_note(p, ACPI_E_DUPLICATE, "FACP", "%o: a second FADT at %w is ignored", pa, 0, 0);
    }
    if (!*fadt_pa)
        return acpi_fail(err, ACPI_E_MISSING, root, "%o: no FACP entry", 0, 0, 0);
    return ACPI_OK;
}

static enum acpi_status load_fadt(struct table_ctx *c, uint64_t pa, struct acpi_error *err)
{
    struct fadt f;
    enum acpi_status st = acpi_table_check(c, pa, "FACP", -1, TABLE_MAX_LEN, &c->p->fadt, err);

    if (st != ACPI_OK)
        return st;
    /* A shorter (older) FADT reads as zero beyond its length, a longer
     * (newer) one is read as far as this code knows. */
    uint32_t len = c->p->fadt.length < sizeof f ? c->p->fadt.length : (uint32_t)sizeof f;

    memset(&f, 0, sizeof f);
    if (!c->io->read_phys(c->io->ctx, pa, &f, len))
        return acpi_fail(err, ACPI_E_IO, "FACP", "%o: cannot read %G bytes at %w", pa, len, 0);
    acpi_fadt_decode(c->p, &f);
    return ACPI_OK;
}

static void scan_ssdts(struct table_ctx *c, struct aml_scan *scan)
{
    struct acpi_platform *p = c->p;
    uint32_t n = acpi_root_count(&p->root, p->xsdt);

    for (uint32_t i = 0; i < n; i++) {
        uint64_t pa;
        char sig[4];
        struct acpi_table t;
        struct acpi_error e;

        if (!acpi_root_entry(c, &p->root, p->xsdt, i, &pa) || !pa || !c->io->read_phys(c->io->ctx, pa, sig, 4) ||
            !is_definition_block(sig))
            continue;
        unsigned idx = p->n_ssdt++;

        if (idx > 254) {
            acpi_note(p, ACPI_E_LONG, "SSDT", "%o: more than 254 SSDTs; the rest are not scanned", 0, 0, 0);
            return;
        }
        if (acpi_table_check(c, pa, NULL, (int)idx, TABLE_MAX_LEN, &t, &e) != ACPI_OK) {
            /* An OS would not load it either; the others still count. */
            acpi_note_error(p, &e);
            memset(&t, 0, sizeof t);
            t.pa = pa;
            memcpy(t.signature, sig, 4);
        }
        if (idx < ACPI_MAX_SSDT)
            p->ssdt[idx] = t;
        if (t.length)
            acpi_aml_scan_table(scan, pa, t.length, (uint8_t)(idx + 1));
    }
}

enum acpi_status acpi_discover(struct acpi_platform *p, const struct acpi_io *io, uint64_t rsdp_pa,
                               unsigned flags, void *scratch, size_t scratch_size, struct acpi_error *err)
{
    return acpi_discover_live(p, io, rsdp_pa, flags, NULL, scratch, scratch_size, err);
}

enum acpi_status acpi_discover_live(struct acpi_platform *p, const struct acpi_io *io, uint64_t rsdp_pa,
                                    unsigned flags, const struct acpi_fw_access *fw, void *scratch,
                                    size_t scratch_size, struct acpi_error *err)
{
    struct acpi_error local;
    struct aml_scan scan;
    struct table_ctx c;
    uint64_t rsdt, xsdt, fadt_pa;
    enum acpi_status st;

    if (!err)
        err = &local;
    if (!p)
        return acpi_fail(err, ACPI_E_ARG, "acpi_discover", "%o: no platform to fill", 0, 0, 0);
    memset(p, 0, sizeof *p);
    if (!io || !io->read_phys)
        return acpi_fail(err, ACPI_E_ARG, "acpi_discover", "%o: no read_phys callback", 0, 0, 0);
    if (!scratch || scratch_size < ACPI_SCRATCH_MIN)
        return acpi_fail(err, ACPI_E_ARG, "acpi_discover", "%o: scratch of %G bytes, at least %X needed", 0,
                         scratch ? scratch_size : 0, ACPI_SCRATCH_MIN);

    acpi_aml_scan_init(&scan, p, io, scratch, scratch_size);
    if (fw && fw->io && fw->may_read) {
        scan.fw = fw;
        p->live = true;
    }
    c.p = p;
    c.io = io;
    c.flags = flags;
    c.win = scan.win;
    c.win_cap = scan.win_cap;

    st = acpi_rsdp_read(io, rsdp_pa, &p->rsdp_revision, &rsdt, &xsdt, err);
    if (st != ACPI_OK)
        return st;
    p->rsdp_pa = rsdp_pa;
    if ((st = root_table(&c, rsdt, xsdt, flags, err)) != ACPI_OK ||
        (st = find_fadt(&c, &fadt_pa, err)) != ACPI_OK || (st = load_fadt(&c, fadt_pa, err)) != ACPI_OK)
        return st;

    /* The FACS is optional for hardware-reduced platforms and only needed
     * for waking vectors: a problem with it is a note here, and an error
     * from acpi_facs_get/set. */
    uint64_t facs = p->facs64 ? p->facs64 : p->facs32;

    if (facs) {
        struct acpi_error e;

        if (acpi_facs_check(p, io, facs, &e) != ACPI_OK)
            acpi_note_error(p, &e);
    } else if (!p->hw_reduced) {
        acpi_note(p, ACPI_E_MISSING, "FADT", "%o: names no FACS: no waking vector", 0, 0, 0);
    }

    uint64_t dsdt = p->dsdt64 ? p->dsdt64 : p->dsdt32;

    if (!dsdt)
        return acpi_fail(err, ACPI_E_MISSING, "FADT", "%o: names no DSDT", 0, 0, 0);
    if ((st = acpi_table_check(&c, dsdt, "DSDT", -1, TABLE_MAX_LEN, &p->dsdt, err)) != ACPI_OK)
        return st;
    acpi_aml_scan_table(&scan, dsdt, p->dsdt.length, 0);
    scan_ssdts(&c, &scan);
    acpi_sx_classify(p);
    return ACPI_OK;
}
