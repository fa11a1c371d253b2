/* SPDX-License-Identifier: MIT */
/*
 * What lwIP needs from its embedder (udp-xfer/lwip/arch/cc.h), hosted: the
 * VMM's versions are in vmm/net/lwip_port.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>

#include "lwip/arch.h"
#include "lwip/sys.h"

#include "../host/host.h"

u32_t sys_now(void)
{
    return (u32_t)(host_now() / 1000u);
}

void smx_lwip_diag(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fputs("lwip: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}

void smx_lwip_assert(const char *msg, const char *file, int line)
{
    fprintf(stderr, "lwip: assertion \"%s\" failed at %s:%d\n", msg, file, line);
    abort();
}

uint32_t smx_lwip_rand(void)
{
    uint32_t r = 0;

    if (getrandom(&r, sizeof r, 0) != sizeof r)
        r = (uint32_t)host_now();
    return r;
}
