/* SPDX-License-Identifier: MIT */
/*
 * Random event sequences never lose, fork or roll back an OS. The events
 * come from a model of the machine (world.c): what it can really produce at
 * each step (boots chosen by pol_boot_choice, writes and reads that succeed
 * or fail at random), plus now and then an event it cannot produce, which
 * the engine must ignore. After every step the model checks its rules
 * against what the engine's action did to it.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "fixture.h"
#include "world.h"

enum { SEQUENCES = 20000, STEPS = 80, TRACE = 16 };

static void random_config(struct pol_config *cfg, uint64_t *rng)
{
    uint64_t r = world_rand(rng);
    pol_test_config(cfg);
    for (int os = 0; os < 2; os++, r >>= 4) {
        cfg->os[os].on_s3 = r & 1;
        cfg->os[os].on_s4 = r >> 1 & 1;
        cfg->os[os].on_s5 = r >> 2 & 1;
        cfg->os[os].on_reset = r >> 3 & 1;
    }
    cfg->switch_mode = r & 1;
    cfg->default_os = r >> 1 & 1;
}

Test(engine_property, random_sequences_lose_nothing, .timeout = 120)
{
    unsigned long steps = 0, switches = 0, persists = 0, failures = 0;

    for (unsigned seq = 0; seq < SEQUENCES; seq++) {
        uint64_t rng = 0x5ee70000ull + seq * 0x9e3779b97f4a7c15ull;
        struct pol_config cfg;
        struct pol_state st;
        struct world w;
        char trace[TRACE][200];

        random_config(&cfg, &rng);
        pol_state_init(&cfg, &st);
        world_init(&w, &cfg);
        /* Half the sequences have a flaky store. */
        unsigned store_fail = seq & 1 ? 64 : 8;
        for (int step = 0; step < STEPS; step++) {
            struct pol_event ev;
            bool possible;
            if (!world_next_event(&w, &rng, 20, &ev, &possible))
                cr_assert_fail("sequence %u step %d: %s", seq, step, w.why);
            if (possible && (ev.kind == POL_EV_WRITE_OK || ev.kind == POL_EV_READ_OK) &&
                (world_rand(&rng) & 255) < store_fail) {
                ev.kind = ev.kind == POL_EV_WRITE_OK ? POL_EV_WRITE_FAIL : POL_EV_READ_FAIL;
                failures++;
            }
            struct pol_action a = pol_decide(&cfg, &st, &ev, &st);
            pol_decision_format(&ev, &a, trace[step % TRACE], sizeof trace[0]);
            steps++;
            switches += a.kind == POL_ACT_SWAP || a.kind == POL_ACT_RESTORE || a.kind == POL_ACT_SAVE;
            persists += a.kind == POL_ACT_PERSIST;
            if (!world_step(&w, &ev, possible, &a) || !pol_state_valid(&st)) {
                for (int k = step - TRACE + 1; k <= step; k++)
                    if (k >= 0)
                        fprintf(stderr, "  %3d %s\n", k, trace[k % TRACE]);
                cr_assert_fail("sequence %u (seed %#llx) step %d: %s", seq,
                               (unsigned long long)(0x5ee70000ull + seq * 0x9e3779b97f4a7c15ull), step,
                               pol_state_valid(&st) ? w.why : "the engine made an invalid state");
            }
        }
    }
    cr_log_info("engine_property: %u sequences, %lu steps, %lu switches, %lu persists, %lu store failures",
                SEQUENCES, steps, switches, persists, failures);
    /* The sequences must reach the interesting places, or they prove little. */
    cr_expect_gt(switches, SEQUENCES);
    cr_expect_gt(persists, SEQUENCES / 10);
    cr_expect_gt(failures, SEQUENCES / 10);
}
