/* SPDX-License-Identifier: MIT */
/*
 * The engine told as stories a user lives through, one decision per line
 * of the VMM's log, and the "nothing lost" guard on its own: actions the
 * engine never takes, which the guard must catch should it ever try.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "fixture.h"

struct machine {
    struct pol_config cfg;
    struct pol_state st;
};

static void start(struct machine *m)
{
    pol_test_config(&m->cfg);
    pol_state_init(&m->cfg, &m->st);
}

/* Feeds one event and checks the log line the VMM would print. */
static struct pol_action feed(struct machine *m, struct pol_event ev, const char *log)
{
    char line[256];
    struct pol_action a = pol_decide(&m->cfg, &m->st, &ev, &m->st);
    pol_decision_format(&ev, &a, line, sizeof line);
    cr_assert_str_eq(line, log);
    cr_assert(pol_state_valid(&m->st));
    return a;
}

#define BOOT(os, slot) ((struct pol_event){ POL_EV_BOOT, os, 0, slot })
#define SLEEP(os, s) ((struct pol_event){ POL_EV_SLEEP, os, s, 0 })
#define RESET(os) ((struct pol_event){ POL_EV_RESET, os, 0, 0 })
#define WAKE ((struct pol_event){ POL_EV_RESUME, 0, 0, 0 })
#define WRITE_OK(slot) ((struct pol_event){ POL_EV_WRITE_OK, 0, 0, slot })
#define WRITE_FAIL ((struct pol_event){ POL_EV_WRITE_FAIL, 0, 0, 0 })
#define READ_OK ((struct pol_event){ POL_EV_READ_OK, 0, 0, 0 })
#define READ_FAIL ((struct pol_event){ POL_EV_READ_FAIL, 0, 0, 0 })

Test(engine_story, a_working_day)
{
    struct machine m;
    start(&m);
    cr_expect_eq(m.st.phase, POL_PH_OFF);
    cr_expect_eq(m.st.active, POL_OS_A);

    feed(&m, BOOT(POL_OS_A, POL_SLOT_NONE), "boot A: resume A: booted, nothing parked");
    feed(&m, SLEEP(POL_OS_A, 3), "A S3: save A to the store: the other OS is not running: first switch");
    feed(&m, WRITE_OK(0), "store write ok (slot 0): reset, boot B: image committed");
    /* The loader sees A's image in slot 0 and boots B fresh. */
    uint8_t os;
    cr_assert_eq(pol_boot_choice(&m.cfg, 1 << POL_OS_A, -1, &os), POL_OK);
    cr_expect_eq(os, POL_OS_B);
    feed(&m, BOOT(POL_OS_B, 0), "boot B (A in slot 0): resume B: booted, the other OS waits in the store");
    feed(&m, SLEEP(POL_OS_B, 3),
         "B S3: restore A from slot 0, B parked in RAM: the other OS is in the store");
    feed(&m, READ_OK, "store read ok: consume slot 0 (A): image read and verified");
    feed(&m, WRITE_OK(0), "store write ok (slot 0): resume A through S3: image consumed, switch complete");
    feed(&m, WAKE, "wake: resume A: woke up");
    feed(&m, SLEEP(POL_OS_A, 3),
         "A S3: swap to B through S3, A parked in RAM: the other OS is parked in RAM");
    feed(&m, WAKE, "wake: resume B: woke up");
    /* End of the day: B powers off; A, parked in RAM, goes to the store first. */
    feed(&m, SLEEP(POL_OS_B, 5), "B S5: persist A to the store: going down: the parked OS must not be lost");
    feed(&m, WRITE_OK(1), "store write ok (slot 1): power off: parked OS persisted");
    cr_expect_eq(m.st.phase, POL_PH_OFF);
    cr_expect_eq(m.st.parked, POL_PARK_STORE);
    cr_expect_eq(m.st.slot, 1);
    cr_expect_eq(m.st.active, POL_OS_B, "the loader will boot B: A waits in the store");
}

Test(engine_story, store_down_at_shutdown_brings_the_parked_os_back)
{
    struct machine m;
    start(&m);
    m.st = (struct pol_state){ POL_PH_RUN, POL_OS_A, POL_PARK_RAM, POL_SLOT_NONE, POL_HEALTH_OK, 0 };

    feed(&m, SLEEP(POL_OS_A, 5), "A S5: persist B to the store: going down: the parked OS must not be lost");
    struct pol_action a = feed(&m, WRITE_FAIL,
                               "store write failed: swap to B through S3, A dropped: store write failed: "
                               "the parked OS comes back instead");
    cr_expect(pol_reason_is_refusal((enum pol_reason)a.why));
    cr_expect_eq(m.st.active, POL_OS_B);
    cr_expect_eq(m.st.parked, POL_PARK_NONE);
    cr_expect_eq(m.st.health, POL_HEALTH_FAILED);
}

Test(engine_story, unreadable_image_keeps_it_and_the_running_os)
{
    struct machine m;
    start(&m);
    m.cfg.switch_mode = POL_SWITCH_INSTANT;
    feed(&m, BOOT(POL_OS_B, 1), "boot B (A in slot 1): resume B: booted, the other OS waits in the store");
    feed(&m, SLEEP(POL_OS_B, 3), "B S3: restore A from slot 1, B parked in RAM: the other OS is in the store");
    feed(&m, READ_FAIL, "store read failed: refuse, B runs on: store read failed: the image stays in the store");
    cr_expect_eq(m.st.parked, POL_PARK_STORE);
    cr_expect_eq(m.st.slot, 1);
    /* Next try succeeds; the image that could not be consumed is not entered. */
    feed(&m, SLEEP(POL_OS_B, 3), "B S3: restore A from slot 1, B parked in RAM: the other OS is in the store");
    feed(&m, READ_OK, "store read ok: consume slot 1 (A): image read and verified");
    feed(&m, WRITE_FAIL, "store write failed: refuse, B runs on: could not consume the image: it stays in the store");
    feed(&m, SLEEP(POL_OS_B, 3), "B S3: restore A from slot 1, B parked in RAM: the other OS is in the store");
    feed(&m, READ_OK, "store read ok: consume slot 1 (A): image read and verified");
    feed(&m, WRITE_OK(1), "store write ok (slot 1): resume A: image consumed, switch complete");
    cr_expect_eq(m.st.phase, POL_PH_RUN, "instant mode: no S3 in between");
}

Test(engine_story, odd_requests_are_refused_or_ignored)
{
    struct machine m;
    start(&m);
    feed(&m, SLEEP(POL_OS_A, 3), "A S3: ignore: event not expected now");
    feed(&m, BOOT(POL_OS_A, POL_SLOT_NONE), "boot A: resume A: booted, nothing parked");
    feed(&m, SLEEP(POL_OS_B, 3), "B S3: ignore: the request came from the OS that is not running");
    feed(&m, SLEEP(POL_OS_A, 0), "A S0: refuse, A runs on: not a sleep state");
    feed(&m, WRITE_OK(3), "store write ok (slot 3): ignore: event not expected now");
    feed(&m, BOOT(POL_OS_B, POL_SLOT_NONE), "boot B: ignore: event not expected now");
    feed(&m, SLEEP(POL_OS_A, 1), "A S1: let A sleep: a real sleep of this OS");
    feed(&m, SLEEP(POL_OS_A, 1), "A S1: ignore: event not expected now");
    feed(&m, WAKE, "wake: resume A: woke up");
    struct pol_event bad = { POL_EV_SLEEP, 7, 3, 0 };
    struct pol_state before = m.st;
    struct pol_action a = pol_decide(&m.cfg, &m.st, &bad, &m.st);
    cr_expect_eq(a.why, POL_WHY_BAD_EVENT);
    cr_expect(!memcmp(&before, &m.st, sizeof before));
}

/* ---- the guard, on actions the engine itself never produces */

static bool keeps(struct pol_state st, struct pol_event ev, struct pol_action a)
{
    return pol_keeps_everything(&st, &ev, &a);
}

Test(engine_rule, the_guard_catches_what_would_lose_an_os)
{
    struct pol_state run_ram = { POL_PH_RUN, POL_OS_A, POL_PARK_RAM, POL_SLOT_NONE, 0, 0 };
    struct pol_state run_store = { POL_PH_RUN, POL_OS_A, POL_PARK_STORE, 2, 0, 0 };
    struct pol_state run_none = { POL_PH_RUN, POL_OS_A, POL_PARK_NONE, POL_SLOT_NONE, 0, 0 };
    struct pol_state persisting = { POL_PH_PERSIST, POL_OS_A, POL_PARK_RAM, POL_SLOT_NONE, 0, 5 };
    struct pol_state restoring = { POL_PH_RESTORE, POL_OS_A, POL_PARK_STORE, 2, 0, 3 };
    struct pol_action off = { .kind = POL_ACT_POWEROFF, .os = POL_OS_A };
    struct pol_action reset = { .kind = POL_ACT_RESET, .os = POL_OS_A };

    /* Powering off with B only in RAM loses B; after its persist committed it does not. */
    cr_expect_not(keeps(run_ram, SLEEP(POL_OS_A, 5), off));
    cr_expect(keeps(run_store, SLEEP(POL_OS_A, 5), off));
    cr_expect(keeps(persisting, WRITE_OK(1), off));
    cr_expect_not(keeps(persisting, WRITE_FAIL, off));
    /* Resetting an OS that only asked for S3 loses it. */
    cr_expect_not(keeps(run_none, SLEEP(POL_OS_A, 3), reset));
    cr_expect(keeps(run_none, RESET(POL_OS_A), reset));
    cr_expect(keeps((struct pol_state){ POL_PH_SAVE, POL_OS_A, POL_PARK_NONE, POL_SLOT_NONE, 0, 3 },
                    WRITE_OK(0), reset));
    /* Dropping the active OS is for OSes that shut down. */
    struct pol_action swap_drop = { .kind = POL_ACT_SWAP, .os = POL_OS_B, .park = 0 };
    struct pol_action swap_park = { .kind = POL_ACT_SWAP, .os = POL_OS_B, .park = 1 };
    cr_expect_not(keeps(run_ram, SLEEP(POL_OS_A, 3), swap_drop));
    cr_expect(keeps(run_ram, SLEEP(POL_OS_A, 3), swap_park));
    cr_expect(keeps(run_ram, SLEEP(POL_OS_A, 4), swap_drop));
    /* A swap needs the other OS in RAM; a restore needs it in that slot. */
    cr_expect_not(keeps(run_store, SLEEP(POL_OS_A, 3), swap_park));
    struct pol_action restore = { .kind = POL_ACT_RESTORE, .os = POL_OS_B, .slot = 2, .park = 1 };
    cr_expect(keeps(run_store, SLEEP(POL_OS_A, 3), restore));
    restore.slot = 1;
    cr_expect_not(keeps(run_store, SLEEP(POL_OS_A, 3), restore));
    /* An image is consumed only right after it was read and verified. */
    struct pol_action discard = { .kind = POL_ACT_DISCARD, .os = POL_OS_B, .slot = 2 };
    cr_expect(keeps(restoring, READ_OK, discard));
    cr_expect_not(keeps(restoring, READ_FAIL, discard));
    cr_expect_not(keeps(run_store, SLEEP(POL_OS_A, 3), discard));
}

Test(engine_rule, decide_never_returns_what_the_guard_forbids)
{
    /* Every valid state, every event, every config choice: the engine's
     * own answers pass the guard, so the guard's replacement never shows. */
    struct pol_config cfg;
    unsigned n = 0;
    for (unsigned v = 0; v < 32; v++) {
        pol_test_config(&cfg);
        for (int os = 0; os < 2; os++) {
            cfg.os[os].on_s3 = v & 1, cfg.os[os].on_s4 = v >> 1 & 1;
            cfg.os[os].on_s5 = v >> 2 & 1, cfg.os[os].on_reset = v >> 3 & 1;
        }
        cfg.switch_mode = v >> 4;
        for (uint8_t ph = 0; ph < POL_PH_COUNT; ph++)
            for (uint8_t act = 0; act < 2; act++)
                for (uint8_t park = 0; park < POL_PARK_COUNT; park++)
                    for (uint8_t req = 0; req <= POL_REQ_RESET; req++)
                        for (uint8_t k = 0; k < POL_EV_COUNT; k++)
                            for (uint8_t s = 0; s < 7; s++) {
                                struct pol_state st = { ph, act, park,
                                                        park == POL_PARK_STORE ? 4 : POL_SLOT_NONE, 0, req };
                                if (!pol_state_valid(&st))
                                    continue;
                                struct pol_event ev = { k, s & 1, s, 2 }, next_ev = ev;
                                struct pol_state next;
                                struct pol_action a = pol_decide(&cfg, &st, &ev, &next);
                                cr_assert_neq(a.why, POL_WHY_WOULD_LOSE);
                                cr_assert(pol_keeps_everything(&st, &next_ev, &a));
                                n++;
                            }
    }
    cr_expect_gt(n, 10000);
}

Test(engine_rule, reasons_have_text_and_refusals_are_marked)
{
    for (int w = 0; w < POL_WHY_COUNT; w++)
        cr_expect_str_neq(pol_reason_text((enum pol_reason)w), "unknown reason", "reason %d", w);
    cr_expect_str_eq(pol_reason_text(POL_WHY_COUNT), "unknown reason");
    cr_expect_not(pol_reason_is_refusal(POL_WHY_SWITCHED));
    cr_expect(pol_reason_is_refusal(POL_WHY_SAVE_FAILED));
    cr_expect(pol_reason_is_refusal(POL_WHY_WOULD_LOSE));
}
