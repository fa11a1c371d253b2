/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the AML scanner on one definition block. The input is the
 * AML after the table header; the first byte picks the scratch size (bit 0:
 * the method and object tables fill up at the smallest) and whether
 * predicates read firmware data live (bit 1: every field an If tests is
 * read from a simulated machine whose bytes come from the input, every
 * read checked to stay inside what was allowed). The header is made here, so
 * every input is scanned whole; the result is classified as discovery
 * does and every note formatted.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../acpi-sleep/internal.h"

static const uint8_t *aml;
static size_t aml_len;

static bool rd(void *ctx, uint64_t pa, void *buf, size_t len)
{
    uint8_t *out = buf;

    (void)ctx;
    if (pa > 36 + aml_len || len > 36 + aml_len - pa)
        return false;
    for (size_t i = 0; i < len; i++) {
        uint64_t at = pa + i;

        out[i] = at < 36 ? (uint8_t)"DSDT"[at & 3] : aml[at - 36];
    }
    return true;
}

/* Firmware data: bytes of the input at the address, wrapped. A read must
 * have been allowed just before; allowed spans are a few accesses. */
static uint64_t allowed_at, allowed_len;

static bool may_read(void *ctx, uint8_t space, uint64_t address, uint64_t len)
{
    (void)ctx;
    if ((space != 0 && space != 1) || len == 0 || len > 16)
        __builtin_trap();
    allowed_at = address;
    allowed_len = len;
    return true;
}

static bool fw_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
    uint8_t *out = buf;

    (void)ctx;
    if (pa < allowed_at || pa + len > allowed_at + allowed_len || len > 8)
        __builtin_trap();
    for (size_t i = 0; i < len; i++)
        out[i] = aml_len ? aml[(pa + i) % aml_len] : 0;
    return true;
}

static bool fw_in(void *ctx, uint16_t port, unsigned size, uint32_t *v)
{
    uint8_t b[4] = {0};

    if (size != 1 && size != 2 && size != 4)
        __builtin_trap();
    fw_read(ctx, port, b, size);
    *v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return true;
}

static bool fw_write(void *ctx, uint64_t pa, const void *buf, size_t len)
{
    (void)ctx, (void)pa, (void)buf, (void)len;
    __builtin_trap();   /* live evaluation never writes */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct acpi_platform p;
    static uint8_t scratch[ACPI_SCRATCH_GOOD];
    struct aml_scan scan;
    char msg[256];

    if (size < 1 || size > (1u << 20))
        return 0;
    aml = data + 1;
    aml_len = size - 1;
    memset(&p, 0, sizeof p);

    struct acpi_io io = {.read_phys = rd};

    static const struct acpi_io fw_io = {.read_phys = fw_read, .write_phys = fw_write, .port_in = fw_in};
    static const struct acpi_fw_access fw = {.io = &fw_io, .may_read = may_read};

    acpi_aml_scan_init(&scan, &p, &io, scratch, data[0] & 1 ? ACPI_SCRATCH_MIN : sizeof scratch);
    if (data[0] & 2)
        scan.fw = &fw;
    acpi_aml_scan_table(&scan, 0, (uint32_t)(36 + aml_len), 0);
    acpi_sx_classify(&p);
    for (unsigned i = 0; i < p.n_notes; i++)
        acpi_error_format(&p.notes[i], msg, sizeof msg);
    for (unsigned i = 0; i < p.n_conds; i++)
        acpi_cond_format(&p.conds[i], msg, sizeof msg);
    /* Every recorded definition's cond points at a kept predicate. */
    for (unsigned s = 0; s < 6; s++)
        for (unsigned i = 0; i < p.sx[s].n; i++)
            if (p.sx[s].def[i].cond > p.n_conds)
                __builtin_trap();
    return 0;
}
