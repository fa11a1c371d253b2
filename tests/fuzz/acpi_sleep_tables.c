/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the table walker, from the RSDP down, on arbitrary memory.
 *
 * The input is physical memory from 0x1000 up; the RSDP is its first 36
 * bytes. The RSDP's two checksums are fixed here (discovery rejects a bad
 * RSDP outright, and nothing else would get past it); every other table's
 * checksum is only a note, so the fuzzer reaches the FADT, the DSDT and
 * the AML without having to solve checksums. The first byte after the
 * RSDP picks the scratch size, so the smallest scratch (tiny window, few
 * methods) is fuzzed too. After discovery: the trap list, the FACS, the
 * decoder on writes drawn from the input, and every error message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acpi_sleep.h"

#define BASE 0x1000u

struct mem {
    uint8_t *b;
    size_t n;
};

static bool rd(void *ctx, uint64_t pa, void *buf, size_t len)
{
    struct mem *m = ctx;

    if (pa < BASE || pa - BASE > m->n || len > m->n - (pa - BASE))
        return false;
    memcpy(buf, m->b + (pa - BASE), len);
    return true;
}

static bool wr(void *ctx, uint64_t pa, const void *buf, size_t len)
{
    struct mem *m = ctx;

    if (pa < BASE || pa - BASE > m->n || len > m->n - (pa - BASE))
        return false;
    memcpy(m->b + (pa - BASE), buf, len);
    return true;
}

static void fix(uint8_t *b, size_t n, size_t at)
{
    uint8_t s = 0;

    b[at] = 0;
    for (size_t i = 0; i < n; i++)
        s = (uint8_t)(s + b[i]);
    b[at] = (uint8_t)-s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct acpi_platform p;
    static uint8_t scratch[ACPI_SCRATCH_GOOD];
    struct mem m;
    char msg[256];

    if (size < 37 || size > (1u << 20))
        return 0;
    m.b = malloc(size);
    m.n = size;
    memcpy(m.b, data, size);
    memcpy(m.b, "RSD PTR ", 8);
    fix(m.b, 20, 8);
    fix(m.b, 36, 32);

    struct acpi_io io = {.ctx = &m, .read_phys = rd, .write_phys = wr};
    size_t ss = data[36] & 1 ? ACPI_SCRATCH_MIN : sizeof scratch;
    struct acpi_error e;
    enum acpi_status st = acpi_discover(&p, &io, BASE, data[36] & 2 ? ACPI_DISCOVER_USE_RSDT : 0, scratch, ss, &e);

    if (st != ACPI_OK) {
        acpi_error_format(&e, msg, sizeof msg);
    } else {
        struct acpi_trap t[ACPI_MAX_TRAPS];
        struct acpi_waking_vector wv;
        struct acpi_decoder d;
        struct acpi_sleep_event ev;

        acpi_traps(&p, ACPI_TRAP_SLEEP | ACPI_TRAP_EVENTS, t);
        if (acpi_facs_get(&p, &io, &wv, &e) == ACPI_OK)
            acpi_facs_set(&p, &io, &wv, &e);
        acpi_decoder_init(&d);
        for (size_t i = 37; i + 10 <= size && i < 37 + 10 * 16; i += 10) {
            const struct acpi_reg *r = acpi_platform_reg(&p, (enum acpi_reg_id)(data[i] % ACPI_REG_COUNT));
            uint64_t v;

            memcpy(&v, data + i + 2, 8);
            acpi_decode_write(&p, &d, r->space, r->address + (data[i + 1] & 3), 1u << (data[i + 1] >> 2 & 3), v, &ev);
        }
    }
    for (unsigned i = 0; i < p.n_notes; i++)
        acpi_error_format(&p.notes[i], msg, sizeof msg);
    free(m.b);
    return 0;
}
