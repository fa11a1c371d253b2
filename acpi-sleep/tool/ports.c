/* SPDX-License-Identifier: MIT */
/*
 * Port I/O for sleepmux-acpi's RTC commands on this machine: x86 in/out
 * instructions after iopl(3) (root; the RTC is at ports 0x70/0x71 and the
 * PM1 blocks anywhere in the 64 KiB I/O space).
 */
#include "ports.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <sys/io.h>

static bool in(void *ctx, uint16_t port, unsigned size, uint32_t *v)
{
    (void)ctx;
    switch (size) {
    case 1: *v = inb(port); return true;
    case 2: *v = inw(port); return true;
    case 4: *v = inl(port); return true;
    }
    return false;
}

static bool out(void *ctx, uint16_t port, unsigned size, uint32_t v)
{
    (void)ctx;
    switch (size) {
    case 1: outb((uint8_t)v, port); return true;
    case 2: outw((uint16_t)v, port); return true;
    case 4: outl(v, port); return true;
    }
    return false;
}

int ports_open(struct acpi_io *io, char *err, size_t errlen)
{
    if (iopl(3) != 0) {
        snprintf(err, errlen, "iopl(3): %s (port I/O needs root)", strerror(errno));
        return -1;
    }
    io->port_in = in;
    io->port_out = out;
    return 0;
}
#else
int ports_open(struct acpi_io *io, char *err, size_t errlen)
{
    (void)io;
    snprintf(err, errlen, "port I/O is only available on x86");
    return -1;
}
#endif
