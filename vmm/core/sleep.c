/* SPDX-License-Identifier: MIT */
/*
 * The sleep trap (DESIGN.md, "Switch flow: Sleep request"): every write to
 * the sleep control registers is decoded by acpi-sleep. A write that is
 * not a sleep request goes to the hardware unchanged; a sleep request is
 * logged and handed to the switch engine as an event, with the write(s)
 * that make it, so that a request the engine lets through reaches the
 * hardware exactly as the OS made it. This file decides nothing.
 */
#include "exit.h"
#include "init.h"
#include "integrity.h"
#include "iotrap.h"
#include "log.h"
#include "platform.h"
#include "sleep.h"
#include "switch.h"
#include "vmm.h"

/* PM1 control register bits (ACPI 6.5 §4.8.3.2.1, table 4.13). */
#define PM1_CNT_SLP_TYP_SHIFT 10
#define PM1_CNT_SLP_TYP_MASK (7u << PM1_CNT_SLP_TYP_SHIFT)
#define PM1_CNT_SLP_EN (1u << 13)

static struct acpi_decoder decoder;

/* The write(s) making up the request being carried out. */
struct pending_sleep {
    const struct acpi_sleep_event *ev;
    uint16_t port;
    unsigned size;
    uint32_t value;
};

static void log_request(const struct acpi_sleep_event *ev, const char *reg, uint32_t value)
{
    uint64_t c[EXIT_KINDS];
    char state[8] = "S?";

    vmm_exit_counts(c);

    if (ev->state <= 5)
        state[1] = (char)('0' + ev->state);
    smx_log("sleep", "%s <- %#x (%s, SLP_TYP %u/%u) os=%c request %u, exits %llu (io %llu cpuid %llu msr %llu "
            "smi %llu)", reg, value, state, ev->slp_typa, ev->slp_typb, switch_active_letter(),
            vmm.sleep_requests, (unsigned long long)vmm_exits_total(), (unsigned long long)c[EXIT_IO],
            (unsigned long long)c[EXIT_CPUID], (unsigned long long)c[EXIT_MSR], (unsigned long long)c[EXIT_SMI]);
}

/* PM1b first, then PM1a (the order ACPICA uses); the value of the register
 * not written by this access is the one the decoder held back. */
static void write_registers(void *ctx)
{
    const struct pending_sleep *ps = ctx;
    const struct acpi_sleep_event *ev = ps->ev;
    uint16_t a = (uint16_t)platform.pm1a_cnt.address, b = (uint16_t)platform.pm1b_cnt.address;

    if ((ev->regs & (1u << ACPI_REG_PM1B_CNT)) && ps->port != b)
        io_hw_out(b, 2, ev->pm1b_value);
    if ((ev->regs & (1u << ACPI_REG_PM1A_CNT)) && ps->port != a)
        io_hw_out(a, 2, ev->pm1a_value);
    io_hw_out(ps->port, ps->size, ps->value);
}

/* One PM1 control register for a sleep the VMM itself asks for: its other
 * bits as they are, SLP_TYP from \_Sx_, then SLP_EN. */
static void write_one(const struct acpi_reg *r, uint8_t typ)
{
    if (!acpi_reg_present(r))
        return;
    uint16_t port = (uint16_t)r->address;
    uint32_t v = io_hw_in(port, 2) & ~(PM1_CNT_SLP_TYP_MASK | PM1_CNT_SLP_EN);
    v |= (uint32_t)typ << PM1_CNT_SLP_TYP_SHIFT;
    io_hw_out(port, 2, v);
    io_hw_out(port, 2, v | PM1_CNT_SLP_EN);
}

void sleep_enter_platform(void *ctx)
{
    unsigned state = (unsigned)(uintptr_t)ctx;
    uint8_t a, b;

    if (!acpi_sx_values(&platform, state, &a, &b)) {
        smx_log("sleep", "S%u has no usable \\_S%u_ values: cannot enter it", state, state);
        return;
    }
    write_one(&platform.pm1b_cnt, b);
    write_one(&platform.pm1a_cnt, a);
}

/* ctx: the name of the trapped register (acpi_reg_name). */
static void sleep_write(void *ctx, uint16_t port, unsigned size, uint32_t value)
{
    struct acpi_sleep_event ev;
    enum acpi_decode r = acpi_decode_write(&platform, &decoder, ACPI_SPACE_IO, port, size, value, &ev);

    if (r == ACPI_DEC_NONE) {
        io_hw_out(port, size, value);
        return;
    }
    if (r == ACPI_DEC_PENDING)
        return; /* held until its twin arrives: then both go out together */
    vmm.sleep_requests++;
    log_request(&ev, ctx, value);
    struct pending_sleep ps = { &ev, port, size, value };
    struct hw_request hw = { write_registers, &ps };
    switch_sleep(ev.state, &hw);
}

static int sleep_init(const struct smx_bootinfo *bi)
{
    struct acpi_trap traps[ACPI_MAX_TRAPS];
    unsigned n = acpi_traps(&platform, ACPI_TRAP_SLEEP, traps);

    acpi_decoder_init(&decoder);
    if (n == 0) {
        smx_log("sleep", "no sleep control register to watch");
        return SMX_START_NO_ACPI;
    }
    for (unsigned i = 0; i < n; i++) {
        if (traps[i].space != ACPI_SPACE_IO || traps[i].address > 0xffff) {
            smx_log("sleep", "%s is memory-mapped at %#llx: not supported yet", acpi_reg_name(traps[i].reg),
                    (unsigned long long)traps[i].address);
            return SMX_START_NO_ACPI;
        }
        if (!io_trap_add(&(struct io_trap){ .name = acpi_reg_name(traps[i].reg), .port = (uint16_t)traps[i].address,
                                            .len = traps[i].size, .write = sleep_write,
                                            .ctx = (void *)acpi_reg_name(traps[i].reg) })) {
            smx_log("sleep", "cannot trap %s at port %#llx", acpi_reg_name(traps[i].reg),
                    (unsigned long long)traps[i].address);
            return SMX_START_NO_ACPI;
        }
        smx_log("sleep", "watching %s at port %#llx", acpi_reg_name(traps[i].reg),
                (unsigned long long)traps[i].address);
    }
    return 0;
}
SMX_INIT("50", sleep_init);
