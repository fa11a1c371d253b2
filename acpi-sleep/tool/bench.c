/* SPDX-License-Identifier: MIT */
/*
 * bench-acpi-sleep: what discovery costs, as ratios measured in one run.
 *
 * Baseline: copying every table of the image once (the least any reader
 * of the tables must do). Measured: acpi_discover on the same image with
 * the recommended scratch (ACPI_SCRATCH_GOOD) and with the smallest
 * (ACPI_SCRATCH_MIN: a 256-byte window, so eight times the read_phys
 * calls), and the decoder on one PM1a write.
 *
 * usage: acpi-sleep-bench ACPIDUMP-FILE...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acpimem.h"

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct counting {
    struct acpimem *m;
    unsigned long calls;
};

static bool count_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
    struct counting *c = ctx;
    struct acpi_io io = acpimem_io(c->m);

    c->calls++;
    return io.read_phys(io.ctx, pa, buf, len);
}

/* Seconds per call of fn, over enough calls to take about 0.3 s. */
#define TIME(per, body)                                                   \
    do {                                                                  \
        unsigned long n_ = 0, batch_ = 1;                                 \
        double t0_ = now(), t_;                                           \
        while ((t_ = now() - t0_) < 0.3) {                                \
            for (unsigned long i_ = 0; i_ < batch_; i_++) { body; }       \
            n_ += batch_;                                                 \
            batch_ *= 2;                                                  \
        }                                                                 \
        (per) = t_ / n_;                                                  \
    } while (0)

int main(int argc, char **argv)
{
    static uint8_t scratch[ACPI_SCRATCH_GOOD], copy[1 << 20];
    static struct acpi_platform p;
    int rc = 0;

    for (int a = 1; a < argc; a++) {
        struct acpimem m;
        char err[256];
        struct counting c = {.m = &m};
        struct acpi_io io = {.ctx = &c, .read_phys = count_read};
        double base, good, small, dec;
        unsigned long calls_good, calls_small;
        size_t bytes = 0;

        acpimem_init(&m);
        if (acpimem_load_acpidump(&m, argv[a], err, sizeof err)) {
            fprintf(stderr, "FAIL: %s\n", err);
            rc = 1;
            continue;
        }
        for (size_t i = 0; i < m.n; i++)
            bytes += m.r[i].len;
        TIME(base, for (size_t r = 0; r < m.n; r++) memcpy(copy, m.r[r].data, m.r[r].len < sizeof copy ? m.r[r].len : sizeof copy));
        c.calls = 0;
        if (acpi_discover(&p, &io, m.rsdp, 0, scratch, ACPI_SCRATCH_GOOD, NULL) != ACPI_OK) {
            fprintf(stderr, "FAIL: %s: discovery failed\n", argv[a]);
            rc = 1;
            continue;
        }
        calls_good = c.calls;
        c.calls = 0;
        acpi_discover(&p, &io, m.rsdp, 0, scratch, ACPI_SCRATCH_MIN, NULL);
        calls_small = c.calls;
        TIME(good, acpi_discover(&p, &io, m.rsdp, 0, scratch, ACPI_SCRATCH_GOOD, NULL));
        TIME(small, acpi_discover(&p, &io, m.rsdp, 0, scratch, ACPI_SCRATCH_MIN, NULL));

        struct acpi_decoder d;
        struct acpi_sleep_event ev;

        acpi_decoder_init(&d);
        TIME(dec, acpi_decode_write(&p, &d, p.pm1a_cnt.space, p.pm1a_cnt.address, 2, 0x0401, &ev));
        printf("%s (%zu bytes of tables):\n", m.source, bytes);
        printf("  copy every table once (baseline)           1.0   (%.1f us)\n", base * 1e6);
        printf("  acpi_discover, %3u KiB scratch         %7.1f x  (%.1f us, %lu read_phys calls)\n",
               ACPI_SCRATCH_GOOD / 1024, good / base, good * 1e6, calls_good);
        printf("  acpi_discover, 1 KiB scratch           %7.1f x  (%.1f us, %lu read_phys calls)\n", small / base,
               small * 1e6, calls_small);
        printf("  acpi_decode_write, one PM1a write      %7.3f x  (%.0f ns)\n", dec / base, dec * 1e9);
        acpimem_free(&m);
    }
    return rc;
}
