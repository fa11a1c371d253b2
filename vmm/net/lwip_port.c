/* SPDX-License-Identifier: MIT */
/*
 * What lwIP (NO_SYS=1) needs from its embedder, for the VMM: a millisecond
 * clock, diagnostics, assertions and a random source (udp-xfer/lwip/arch/cc.h).
 */
#include <stdarg.h>
#include <stdint.h>

#include "lwip/arch.h"
#include "lwip/sys.h"

#include "io.h"
#include "../core/log.h"
#include "../core/time.h"

u32_t sys_now(void)
{
    return (u32_t)(smx_time_ns() / 1000000u);
}

void smx_lwip_diag(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    smx_vlog("lwip", fmt, ap);
    va_end(ap);
}

void smx_lwip_assert(const char *msg, const char *file, int line)
{
    smx_panic("lwip: assertion \"%s\" failed at %s:%d", msg, file, line);
}

uint32_t smx_lwip_rand(void)
{
    /* Used for DHCP transaction ids and source ports: unpredictability
     * across boots matters, cryptographic strength does not. */
    static uint64_t s;

    if (!s)
        s = rdtsc() | 1;
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return (uint32_t)(s >> 32) ^ (uint32_t)rdtsc();
}
