/* SPDX-License-Identifier: MIT */
/*
 * The switch engine. Control flow, in one picture:
 *
 *   trap (sleep.c, reset.c, exit.c)
 *     -> switch_sleep / switch_reset / switch_guest_dead: one pol_event
 *     -> run(): pol_decide(); carry out the action; a store action's outcome
 *        is the next event; repeat until an action hands the CPU over:
 *          PASS / POWEROFF / RESET  the request goes to the hardware
 *          SWAP / RESUME            an OS is entered: through a real S3
 *                                   (the wake comes back as POL_EV_RESUME
 *                                   on a fresh stack, s3.c) or at once
 *          REFUSE                   the requester is entered as from a wake
 *          IGNORE                   back to the trapped guest
 *
 * Memory: the running OS's private range is mapped, the parked one's is the
 * sink (guest.c builds one view per OS); the shared set is exchanged with
 * the parked OS's copy in VMM memory (RAM swaps), or the parked OS comes
 * from the store straight into memory (image.c).
 */
#include "switch.h"

#include "../arch/x86/cpu.h"
#include "exit.h"
#include "fmt.h"
#include "guest.h"
#include "image.h"
#include "log.h"
#include "mem.h"
#include "pcihide.h"
#include "platform.h"
#include "reset.h"
#include "../store/store.h"
#include "s3.h"
#include "smp.h"
#include "time.h"
#include "vmm.h"
#include "wake_hook.h"

__attribute__((noreturn)) void smx_fresh_stack(void (*fn)(void *), void *arg);

static struct pol_state st;
static const struct hw_request *pending; /* the trapped write(s) being decided on */
static uint64_t t_request;                /* when the request that started a switch came */
static char why[256];

char switch_active_letter(void)
{
    return (char)('A' + st.active);
}

static struct pol_action decide(const struct pol_event *ev)
{
    char text[192];
    struct pol_state next;
    struct pol_action a = pol_decide(&vmm.bi->config, &st, ev, &next);

    pol_decision_format(ev, &a, text, sizeof text);
    smx_log("switch", "%s", text);
    st = next;
    return a;
}

/* Read the running OS's FACS vectors: where it wants to be entered after a
 * sleep. False (logged) when the VMM cannot bring it back from there. */
static bool note_entry(uint8_t os)
{
    struct guest *g = &guests[os];
    struct acpi_error err;
    uint64_t entry;

    g->entry_valid = false;
    if (acpi_facs_get(&platform, &platform_io, &g->facs, &err) != ACPI_OK) {
        smx_log("switch", "cannot read the FACS: %s", platform_error_text(&err));
        return false;
    }
    enum acpi_wake_mode mode = acpi_wake_mode(platform.facs_flags, platform.facs_version, &g->facs, &entry);
    if (mode != ACPI_WAKE_REAL && mode != ACPI_WAKE_PROTECTED32) {
        smx_log("switch", "OS %c's waking vector is %s: the VMM cannot enter it", g->letter,
                acpi_wake_mode_name(mode));
        return false;
    }
    g->entry = (struct wake_entry){ mode == ACPI_WAKE_REAL ? WAKE_REAL16 : WAKE_PROT32, entry };
    g->entry_valid = true;
    return true;
}

static void facs_put(const struct acpi_waking_vector *v)
{
    struct acpi_error err;

    if (acpi_facs_set(&platform, &platform_io, v, &err) != ACPI_OK)
        smx_log("switch", "cannot write the FACS waking vector: %s", platform_error_text(&err));
}

/* The wake-up of a real S3 the engine asked for (s3.c calls this on a
 * fresh stack): the platform runs again, and the policy says who runs. */
static void woke(struct wake_entry *we);

static void enter_now(void *arg)
{
    struct guest *g = arg;

    vmm.ops->run_wake(this_cpu(), &g->entry);
}

/* Give the CPU to `os`, whose memory is in place: through a real S3 (the
 * platform wakes into the VMM, every device reset) or at once. */
__attribute__((noreturn)) static void enter(uint8_t os, bool via_s3, const char *what)
{
    struct guest *g = &guests[os];

    image_store_release();
    if (!g->entry_valid)
        smx_panic("switch: OS %c has no entry point to resume at", g->letter);
    this_cpu()->view = g->view;
    uint64_t ms = (smx_time_ns() - t_request) / 1000000;
    if (via_s3) {
        smx_log("switch", "%s: OS %c next, through S3 (%llu ms after the request)", what, g->letter,
                (unsigned long long)ms);
        s3_sleep_vmm(woke);
        smx_log("switch", "the platform did not enter S3: entering OS %c at once", g->letter);
    }
    facs_put(&g->facs);
    pcihide_activate(os);
    smx_log("switch", "%s: entering OS %c at %#llx (%llu ms after the request)", what, g->letter,
            (unsigned long long)g->entry.vector, (unsigned long long)((smx_time_ns() - t_request) / 1000000));
    smx_fresh_stack(enter_now, g);
}

static void woke(struct wake_entry *we)
{
    struct pol_event ev = { .kind = POL_EV_RESUME };
    struct pol_action a = decide(&ev);
    struct guest *g = &guests[st.active];

    wake_hook_after_sleep();
    facs_put(&g->facs);
    pcihide_activate(st.active); /* the sleep may have reset what it hides; the firmware may have woken it */
    if (a.kind != POL_ACT_RESUME)
        smx_log("switch", "after the wake: %u is not a resume; entering OS %c anyway", a.kind, g->letter);
    smx_log("switch", "woke: entering OS %c at %#llx, %llu ms after the request", g->letter,
            (unsigned long long)g->entry.vector, (unsigned long long)((smx_time_ns() - t_request) / 1000000));
    *we = g->entry;
}

/* The hardware does what the OS asked: its own write(s), exactly. */
static void pass(const struct pol_action *a, unsigned state)
{
    if (a->arm_wake)
        wake_hook_before_sleep(a->os, state);
    image_store_release();
    if (state == 3) {
        store_selftest(vmm.bi); /* debug flag only: the store's drivers while the OS is stopped */
        facs_put(&guests[a->os].facs);
        s3_sleep_os(pending->write, pending->ctx, woke);
        /* Did not sleep: the OS finds its own vector as it left it. */
        facs_put(&guests[a->os].facs);
    } else if (pending) {
        pending->write(pending->ctx);
    }
    wake_hook_after_sleep();
}

/* Reset, and tell the loader which OS the policy wants next. */
__attribute__((noreturn)) static void platform_reset(uint8_t next)
{
    const struct smx_bootinfo *bi = vmm.bi;
    volatile struct smx_reset_hint *h = phys_ptr(SMX_RESET_HINT_AT(bi->region_base, bi->region_size));

    image_store_release();
    h->magic = SMX_RESET_HINT_MAGIC;
    h->os = next;
    h->check = ~(uint32_t)next ^ (uint32_t)SMX_RESET_HINT_MAGIC;
    wbinvd(); /* the hint must be in RAM, not in a cache the reset drops */
    smx_log("switch", "resetting the platform; the loader is asked to boot OS %c", 'A' + next);
    reset_platform();
}

static void run(struct pol_event ev, unsigned state)
{
    for (;;) {
        struct pol_action a = decide(&ev);
        uint8_t slot = POL_SLOT_NONE;
        enum img_err e;
        struct image_cpu cpu;

        switch (a.kind) {
        case POL_ACT_IGNORE:
            return;
        case POL_ACT_RESUME:
            /* Booting, or an S1/S2 (or an S3 that did not happen) that the
             * OS itself returns from: it simply goes on. */
            if (a.why == POL_WHY_BOOT || a.why == POL_WHY_BOOT_STORED || a.why == POL_WHY_WAKE)
                return;
            if (!a.park)
                shared.holder = -1; /* the OS that went down left nothing to keep */
            enter(a.os, a.via_s3, "switched");
        case POL_ACT_PASS:
            pass(&a, state);
            ev = (struct pol_event){ .kind = POL_EV_RESUME };
            continue; /* an S1/S2 that woke, or an S3 that did not sleep */
        case POL_ACT_POWEROFF:
            pass(&a, state);
            smx_log("switch", "the platform did not go down; OS %c continues", 'A' + a.os);
            return;
        case POL_ACT_RESET:
            platform_reset(a.os);
        case POL_ACT_REFUSE:
            if (shared.holder == a.os)
                shared_restore(); /* a restore had begun: its shared set comes back */
            image_store_release();
            if (state >= 1 && state <= 5 && guests[a.os].entry_valid)
                enter(a.os, false, "refused");
            return; /* a refused reset: the OS continues after its write */
        case POL_ACT_SWAP:
            if (a.park) {
                shared_exchange();
                shared.holder = pol_other(a.os);
                reset_watch_rst_cnt();
            } else {
                shared_restore(); /* the OS that asked to go down is dropped */
            }
            enter(a.os, a.via_s3, a.park ? "swapped in RAM" : "the other OS comes back");
        case POL_ACT_SAVE:
        case POL_ACT_PERSIST:
            e = image_save(a.os, &slot, why, sizeof why);
            if (e != IMG_OK)
                smx_log("switch", "writing OS %c to the store failed: %s", 'A' + a.os, why);
            ev = (struct pol_event){ .kind = e == IMG_OK ? POL_EV_WRITE_OK : POL_EV_WRITE_FAIL, .slot = slot };
            continue;
        case POL_ACT_RESTORE:
            if (shared.holder != (int8_t)st.active)
                shared_save(st.active);
            e = image_restore(a.os, a.slot, &cpu, why, sizeof why);
            if (e == IMG_OK) {
                struct guest *g = &guests[a.os];
                g->entry = (struct wake_entry){ (enum wake_mode)cpu.wake_mode, cpu.wake_vector };
                g->facs = (struct acpi_waking_vector){ .x = cpu.facs_x, .fw = cpu.facs_fw,
                                                       .ospm_flags = cpu.facs_ospm_flags };
                g->entry_valid = true;
            } else {
                smx_log("switch", "reading OS %c from the store failed: %s", 'A' + a.os, why);
            }
            ev = (struct pol_event){ .kind = e == IMG_OK ? POL_EV_READ_OK : POL_EV_READ_FAIL };
            continue;
        case POL_ACT_DISCARD:
            e = image_discard(a.slot, why, sizeof why);
            if (e != IMG_OK)
                smx_log("switch", "marking slot %u consumed failed: %s", a.slot, why);
            else if (a.park || shared.holder >= 0)
                reset_watch_rst_cnt();
            ev = (struct pol_event){ .kind = e == IMG_OK ? POL_EV_WRITE_OK : POL_EV_WRITE_FAIL,
                                     .slot = a.slot };
            continue;
        default:
            smx_log("switch", "action %u is not one this VMM knows: ignored", a.kind);
            return;
        }
    }
}

void switch_start(void)
{
    const struct smx_bootinfo *bi = vmm.bi;
    uint8_t other = pol_other(bi->os);
    uint8_t slot = bi->store.found ? bi->store.slot_of[other] : POL_SLOT_NONE;

    pol_state_init(&bi->config, &st);
    if (!switching_enabled)
        slot = POL_SLOT_NONE;
    run((struct pol_event){ .kind = POL_EV_BOOT, .os = bi->os, .slot = slot }, 0);
}

/* Without a layout for two OSes the VMM only watches: every request goes
 * to the hardware as the OS made it (with the wake alarm its schedule asks). */
static void alone(unsigned state, const struct hw_request *hw)
{
    const struct pol_os_config *c = &vmm.bi->config.os[st.active];
    struct pol_action a = { .kind = POL_ACT_PASS, .os = st.active,
                            .arm_wake = c->wake.n && state >= 3 && state <= 5 && (c->wake.from & (1u << state)) };

    pending = hw;
    if (state == 3 && !note_entry(st.active)) {
        smx_log("switch", "S3 passes through without the VMM");
        hw->write(hw->ctx);
        return;
    }
    pass(&a, state);
}

/* A store the loader could not read (bi->store.vmm_reads) is read at the
 * OS's first request, while it is stopped: whether the other OS waits
 * there decides what the request does, as the loader's reading does for
 * a partition. An image of the running OS itself is stale: the loader
 * booted this OS fresh past it, and resuming it later would undo what
 * this boot did to its disks; it is marked restored so it never runs.
 * False when the store cannot be read now: nothing is parked in RAM yet,
 * so the request then goes to the hardware as if the VMM were not
 * switching, and the next one asks again. */
static bool learn_store(void)
{
    static bool known;
    uint8_t slot_of[2];

    if (known || !vmm.bi->store.vmm_reads)
        return true;
    uint8_t self = st.active, other = pol_other(self);
    enum img_err e = image_waiting(slot_of, why, sizeof why);
    if (e == IMG_OK && slot_of[self] != POL_SLOT_NONE) {
        smx_log("switch", "OS %c booted fresh while its image waited in the store (slot %u): that image is stale "
                "and is marked restored, never to run", 'A' + self, slot_of[self]);
        e = image_discard(slot_of[self], why, sizeof why);
        image_store_release();
    }
    if (e != IMG_OK) {
        smx_log("switch", "the store cannot be read (%s): this request is not switched", why);
        return false;
    }
    known = true;
    if (slot_of[other] == POL_SLOT_NONE) {
        smx_log("switch", "the store holds no image of OS %c", 'A' + other);
        return true;
    }
    smx_log("switch", "OS %c waits in the store, slot %u", 'A' + other, slot_of[other]);
    pol_state_init(&vmm.bi->config, &st);
    decide(&(struct pol_event){ .kind = POL_EV_BOOT, .os = self, .slot = slot_of[other] });
    return true;
}

void switch_sleep(unsigned state, const struct hw_request *hw)
{
    t_request = smx_time_ns();
    pending = hw;
    smp_park_others("sleep request");
    if (!switching_enabled || !learn_store()) {
        alone(state, hw);
        return;
    }
    if (state == 3 && !note_entry(st.active)) {
        smx_log("switch", "S3 passes through without the VMM: OS %c cannot be switched or resumed by it",
                switch_active_letter());
        hw->write(hw->ctx);
        return;
    }
    run((struct pol_event){ .kind = POL_EV_SLEEP, .os = st.active, .sstate = (uint8_t)state }, state);
}

void switch_reset(const char *how, const struct hw_request *hw)
{
    t_request = smx_time_ns();
    pending = hw;
    smp_park_others("reset");
    if (!switching_enabled || !learn_store()) {
        hw->write(hw->ctx);
        return;
    }
    guests[st.active].entry_valid = false; /* an OS that resets is never entered at a waking vector */
    run((struct pol_event){ .kind = POL_EV_RESET, .os = st.active }, 0);
}

void switch_guest_dead(const char *why_dead)
{
    smx_log("switch", "OS %c cannot continue (%s)", switch_active_letter(), why_dead);
    smp_park_others("OS failure");
    t_request = smx_time_ns();
    pending = NULL;
    if (switching_enabled) {
        guests[st.active].entry_valid = false;
        run((struct pol_event){ .kind = POL_EV_RESET, .os = st.active }, 0);
    }
    platform_reset(st.active);
}
