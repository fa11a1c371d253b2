/* SPDX-License-Identifier: MIT */
/*
 * TSC frequency, measured against the 8254 PIT's channel 2 (1.193182 MHz,
 * gate and output on port 0x61): present on PC platforms, needs no ACPI.
 */
#include <stdint.h>

#include "io.h"
#include "calibrate.h"

#define PIT_HZ 1193182u
#define PIT_CH2 0x42
#define PIT_CMD 0x43
#define PIT_GATE 0x61
#define GATE_ON 0x01
#define SPEAKER_ON 0x02
#define OUT2 0x20

uint64_t calibrate_tsc_hz(void)
{
    const unsigned ms = 20;
    uint32_t count = PIT_HZ * ms / 1000;
    uint64_t best = 0;

    for (int round = 0; round < 3; round++) {
        outb(PIT_GATE, (inb(PIT_GATE) & ~SPEAKER_ON) | GATE_ON);
        outb(PIT_CMD, 0xb0); /* channel 2, lo/hi byte, mode 0, binary */
        outb(PIT_CH2, count & 0xff);
        outb(PIT_CH2, count >> 8);
        uint64_t t0 = rdtsc();
        uint64_t spins = 0;
        while (!(inb(PIT_GATE) & OUT2) && ++spins < 100000000)
            ;
        uint64_t hz = (rdtsc() - t0) * 1000 / ms;
        /* The shortest is the least disturbed by emulation hiccups. */
        if (!best || hz < best)
            best = hz;
    }
    return best;
}
