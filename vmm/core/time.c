/* SPDX-License-Identifier: MIT */
#include "time.h"

#include "io.h"

static uint64_t tsc_hz = 1000000000ull; /* until calibrated: "1 GHz" */
static uint64_t base_tsc;                /* TSC value that reads as base_ns */
static uint64_t base_ns;

void smx_time_init(uint64_t hz)
{
    if (hz)
        tsc_hz = hz;
    base_tsc = rdtsc();
    base_ns = 0;
}

uint64_t smx_time_tsc_hz(void)
{
    return tsc_hz;
}

uint64_t smx_time_ns(void)
{
    uint64_t d = rdtsc() - base_tsc;
    /* Split to avoid overflow: d * 1e9 overflows after ~18 s at 1 GHz. */
    return base_ns + (d / tsc_hz) * 1000000000ull + (d % tsc_hz) * 1000000000ull / tsc_hz;
}

void smx_time_suspend(void)
{
    base_ns = smx_time_ns();
    base_tsc = 0;
}

void smx_time_resume(void)
{
    base_tsc = rdtsc();
}
