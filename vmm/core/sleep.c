/*
 * The sleep trap (DESIGN.md, "Switch flow: Sleep request"): every write to
 * the sleep control registers is decoded by acpi-sleep. A write that is
 * not a sleep request goes to the hardware unchanged. A sleep request is
 * logged and, for S3, carried out so that the platform wakes into the VMM
 * (s3.c): the OS's waking vector is kept aside and the trampoline's put in
 * the FACS, then on wake the OS's vector is restored and the OS entered
 * there. Other states pass through.
 */
#include "exit.h"
#include "init.h"
#include "integrity.h"
#include "iotrap.h"
#include "log.h"
#include "platform.h"
#include "s3.h"
#include "vmm.h"
#include "wake_hook.h"

static struct acpi_decoder decoder;

/* The write(s) making up the request being carried out. */
struct pending_sleep {
    const struct acpi_sleep_event *ev;
    uint16_t port;
    unsigned size;
    uint32_t value;
};

/* Saved across S3. */
static struct acpi_waking_vector os_vector;
static struct wake_entry os_entry;

static void log_request(const struct acpi_sleep_event *ev, const char *reg, uint32_t value)
{
    const uint64_t *c = vmm_exit_counts();
    char state[8] = "S?";

    if (ev->state <= 5)
        state[1] = (char)('0' + ev->state);
    smx_log("sleep", "%s <- %#x (%s, SLP_TYP %u/%u) request %u, exits %llu (io %llu cpuid %llu msr %llu smi %llu)",
            reg, value, state, ev->slp_typa, ev->slp_typb, vmm.sleep_requests, (unsigned long long)vmm_exits_total(),
            (unsigned long long)c[EXIT_IO], (unsigned long long)c[EXIT_CPUID], (unsigned long long)c[EXIT_MSR],
            (unsigned long long)c[EXIT_SMI]);
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

static void restore_os(struct wake_entry *we)
{
    struct acpi_error err;

    wake_hook_after_sleep();
    if (acpi_facs_set(&platform, &platform_io, &os_vector, &err) != ACPI_OK)
        smx_log("s3", "cannot put the OS's waking vector back: %s", platform_error_text(&err));
    *we = os_entry;
}


static void do_s3(struct pending_sleep *ps)
{
    struct acpi_error err;
    uint64_t entry;

    if (acpi_facs_get(&platform, &platform_io, &os_vector, &err) != ACPI_OK) {
        smx_log("s3", "cannot read the FACS (%s): S3 passes through and the VMM will not survive it",
                platform_error_text(&err));
        write_registers(ps);
        return;
    }
    enum acpi_wake_mode mode = acpi_wake_mode(platform.facs_flags, platform.facs_version, &os_vector, &entry);
    if (mode != ACPI_WAKE_REAL && mode != ACPI_WAKE_PROTECTED32) {
        smx_log("s3", "OS waking vector is %s: not supported, S3 passes through without the VMM",
                acpi_wake_mode_name(mode));
        write_registers(ps);
        return;
    }
    /* A VMM whose memory changed must not be what the platform wakes into:
     * the OS's vector stays in the FACS and the OS resumes without it. */
    if (!integrity_check("sleep")) {
        smx_log("s3", "THE VMM WAS MODIFIED: S3 passes through without the VMM; the OS resumes at its own "
                "waking vector, outside sleepmux");
        write_registers(ps);
        return;
    }
    os_entry = (struct wake_entry){ mode == ACPI_WAKE_REAL ? WAKE_REAL16 : WAKE_PROT32, entry };
    struct acpi_waking_vector ours = { .fw = s3_trampoline_vector(), .x = 0, .ospm_flags = 0 };
    if (acpi_facs_set(&platform, &platform_io, &ours, &err) != ACPI_OK) {
        smx_log("s3", "cannot install the wake trampoline (%s): S3 passes through without the VMM",
                platform_error_text(&err));
        write_registers(ps);
        return;
    }
    smx_log("s3", "OS waking vector %#llx (%s) kept; platform wakes into the VMM at %#x",
            (unsigned long long)entry, acpi_wake_mode_name(mode), ours.fw);
    s3_sleep(write_registers, ps, restore_os);
    /* Did not sleep: the OS must find its own vector as it left it. */
    struct wake_entry unused;
    restore_os(&unused);
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
    wake_hook_before_sleep(ev.state);
    if (ev.state == 3)
        do_s3(&ps);
    else
        write_registers(&ps);
    wake_hook_after_sleep(); /* only reached when the platform runs again */
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
