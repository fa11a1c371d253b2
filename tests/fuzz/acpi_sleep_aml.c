/*
 * Fuzz target: the AML scanner on one definition block. The input is the
 * AML after the table header; the first byte picks the scratch size (the
 * method table fills up at the smallest). The header is made here, so
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

    acpi_aml_scan_init(&scan, &p, &io, scratch, data[0] & 1 ? ACPI_SCRATCH_MIN : sizeof scratch);
    acpi_aml_scan_table(&scan, 0, (uint32_t)(36 + aml_len), 0);
    acpi_sx_classify(&p);
    for (unsigned i = 0; i < p.n_notes; i++)
        acpi_error_format(&p.notes[i], msg, sizeof msg);
    return 0;
}
