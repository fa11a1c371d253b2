/* SPDX-License-Identifier: MIT */
#include "iotrap.h"

#include "io.h"
#include "exit.h"
#include "log.h"
#include "vcpu.h"
#include "vmm.h"

static struct io_trap traps[IO_TRAPS_MAX];
static unsigned ntraps;

int io_trap_add(const struct io_trap *t)
{
    if (ntraps == IO_TRAPS_MAX || t->len == 0)
        return 0;
    for (unsigned i = 0; i < ntraps; i++)
        if (t->port < traps[i].port + traps[i].len && traps[i].port < t->port + t->len)
            return 0;
    traps[ntraps++] = *t;
    /* Before the back end exists its init reads the table; after, it must
     * hear of every new range itself. */
    if (vmm.ops && !t->disarmed)
        vmm.ops->trap_io(t->port, t->len);
    return 1;
}

void io_trap_each(void (*fn)(uint16_t port, unsigned len))
{
    for (unsigned i = 0; i < ntraps; i++)
        if (!traps[i].disarmed)
            fn(traps[i].port, traps[i].len);
}

void io_trap_arm(uint16_t port, bool on)
{
    for (unsigned i = 0; i < ntraps; i++) {
        struct io_trap *t = &traps[i];
        if (t->port != port || t->disarmed == !on)
            continue;
        if (on)
            vmm.ops->trap_io(t->port, t->len);
        else if (vmm.ops->untrap_io)
            vmm.ops->untrap_io(t->port, t->len);
        else
            return; /* stays intercepted: correct, only slower */
        t->disarmed = !on;
    }
}

unsigned io_trap_count(void)
{
    return ntraps;
}

static const struct io_trap *find(uint16_t port)
{
    for (unsigned i = 0; i < ntraps; i++)
        if (port >= traps[i].port && port < traps[i].port + traps[i].len)
            return &traps[i];
    return NULL;
}

uint32_t io_hw_in(uint16_t port, unsigned size)
{
    return size == 1 ? inb(port) : size == 2 ? inw(port) : inl(port);
}

void io_hw_out(uint16_t port, unsigned size, uint32_t value)
{
    if (size == 1)
        outb(port, (uint8_t)value);
    else if (size == 2)
        outw(port, (uint16_t)value);
    else
        outl(port, value);
}

uint32_t vmm_io_in(uint16_t port, unsigned size)
{
    const struct io_trap *t = find(port);

    return t && t->read ? t->read(t->ctx, port, size) : io_hw_in(port, size);
}

void vmm_io_out(uint16_t port, unsigned size, uint32_t value)
{
    const struct io_trap *t = find(port);

    if (t && t->write)
        t->write(t->ctx, port, size, value);
    else
        io_hw_out(port, size, value);
}
