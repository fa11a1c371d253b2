/* SPDX-License-Identifier: MIT */
/*
 * The platform's reset paths, trapped so the VMM sees a reboot coming: each
 * one is an event for the switch engine, which may persist a parked OS
 * first ("nothing lost") or switch instead. This file decides nothing.
 *
 *   0xcf9  Reset Control Register (Intel ICH/PCH datasheets, "RST_CNT"):
 *          bit 2 (RST_CPU) set starts a reset; bit 1 selects hard reset.
 *          Usually also the FADT's RESET_REG.
 *   0x64   8042 keyboard controller: command 0xfe pulses the reset line.
 *   0x92   System Control Port A: bit 0 is the fast reset.
 *
 * 0xcf9 shares its I/O permission bits with CONFIG_ADDRESS (0xcf8-0xcfb,
 * PCI configuration mechanism #1): trapping it turns every 32-bit PCI
 * configuration access into an exit, measured at 9,000 of a boot's 12,000
 * exits. It is armed only while a reset could lose something, that is
 * while an OS is parked (reset_watch_rst_cnt); until then a reset through
 * it simply happens.
 */
#include "init.h"
#include "iotrap.h"
#include "log.h"
#include "reset.h"
#include "switch.h"

#include "io.h"

#define RST_CNT 0xcf9
#define RST_CNT_SYS_RST 0x02 /* with RST_CPU: a full (hard) reset */
#define RST_CNT_RST_CPU 0x04
#define KBC_CMD 0x64
#define KBC_PULSE_RESET 0xfe
#define PORT_A 0x92
#define PORT_A_FAST_RESET 0x01

struct reset_write {
    uint16_t port;
    unsigned size;
    uint32_t value;
};

static void replay(void *ctx)
{
    const struct reset_write *w = ctx;

    io_hw_out(w->port, w->size, w->value);
}

static void reset_write(void *ctx, uint16_t port, unsigned size, uint32_t value)
{
    uint8_t b = (uint8_t)value;
    const char *how = NULL;

    if (port == RST_CNT && size == 1 && (b & RST_CNT_RST_CPU))
        how = "reset control register";
    else if (port == KBC_CMD && size == 1 && b == KBC_PULSE_RESET)
        how = "keyboard controller";
    else if (port == PORT_A && size == 1 && (b & PORT_A_FAST_RESET))
        how = "port 0x92 fast reset";
    if (!how) {
        io_hw_out(port, size, value);
        return;
    }
    smx_log("reset", "guest resets the platform through the %s (port %#x <- %#x)", how, port, b);
    struct reset_write w = { port, size, value };
    switch_reset(how, &(struct hw_request){ replay, &w });
}

void reset_platform(void)
{
    outb(RST_CNT, RST_CNT_SYS_RST);
    outb(RST_CNT, RST_CNT_SYS_RST | RST_CNT_RST_CPU);
    smx_panic("platform reset through %#x did not happen", RST_CNT);
}

void reset_watch_rst_cnt(void)
{
    if (io_trap_add(&(struct io_trap){ .name = "reset", .port = RST_CNT, .len = 1, .write = reset_write }))
        smx_log("reset", "watching the reset control register %#x", RST_CNT);
}

static int reset_init(const struct smx_bootinfo *bi)
{
    /* Reads of both ports pass straight through the trap to the hardware. */
    io_trap_add(&(struct io_trap){ .name = "reset", .port = PORT_A, .len = 1, .write = reset_write });
    io_trap_add(&(struct io_trap){ .name = "reset", .port = KBC_CMD, .len = 1, .write = reset_write });
    return 0;
}
SMX_INIT("50", reset_init);
