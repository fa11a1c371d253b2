/* SPDX-License-Identifier: MIT */
/*
 * Trapped I/O ports. A subsystem claims a port range with a read and a
 * write handler; the back end intercepts exactly these ports and nothing
 * else. Handlers see the accessed port and size and decide whether the
 * access reaches hardware.
 */
#ifndef SMX_IOTRAP_H
#define SMX_IOTRAP_H

#include <stdbool.h>
#include <stdint.h>

typedef uint32_t io_read_fn(void *ctx, uint16_t port, unsigned size);
typedef void io_write_fn(void *ctx, uint16_t port, unsigned size, uint32_t value);

struct io_trap {
    const char *name;
    uint16_t port;
    uint16_t len;
    io_read_fn *read;   /* NULL: reads go to hardware */
    io_write_fn *write; /* NULL: writes go to hardware */
    void *ctx;
    bool disarmed;      /* claimed, but not intercepted now (io_trap_arm) */
};

#define IO_TRAPS_MAX 16

/* Claim a range (at start, or later: the back end intercepts it from the
 * next guest entry on); false if the table is full or the range overlaps. */
int io_trap_add(const struct io_trap *t);
/* Intercept the claimed range at `port` or not, from the next guest entry
 * on: for a trap only one OS needs (the air gap's ports while the OS that
 * hides nothing runs). */
void io_trap_arm(uint16_t port, bool on);
/* For the back end: visit every claimed, armed range. */
void io_trap_each(void (*fn)(uint16_t port, unsigned len));
unsigned io_trap_count(void);
/* Hardware access, for handlers that pass (part of) an access through. */
uint32_t io_hw_in(uint16_t port, unsigned size);
void io_hw_out(uint16_t port, unsigned size, uint32_t value);

#endif
