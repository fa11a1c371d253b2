/* SPDX-License-Identifier: MIT */
/*
 * A model of the machine the engine drives, for the property test: where
 * each OS's state physically is (RAM, store slots), what the store is busy
 * with, and which OS has the CPU. It knows the engine only through the
 * contract of each action in policy.h, never through struct pol_state, so a
 * mistake in the engine is not mirrored here.
 *
 * Each OS has an epoch that advances every time it gets the CPU; a copy of
 * it (in RAM or in a store image) is current when it was taken at the
 * OS's present epoch. "Nothing lost": every OS that did not ask to go down
 * keeps a current copy. "Nothing forked or rolled back": an OS only ever
 * runs from a current copy, never while a live image of it sits in the
 * store, and is only booted fresh when it has no state anywhere.
 */
#ifndef SMX_TEST_POLICY_WORLD_H
#define SMX_TEST_POLICY_WORLD_H

#include <stdbool.h>
#include <stdint.h>

#include "policy.h"

#define WORLD_SLOTS 4

struct world {
    const struct pol_config *cfg;
    bool live[2];       /* has state worth keeping (booted, not shut down) */
    bool finished[2];   /* asked to go down: its state may be dropped */
    int epoch[2];
    int ram[2];         /* epoch of the copy in RAM, -1 none */
    int running;        /* OS with the CPU, -1 when none */
    int waiting;        /* OS whose request is being served (paused), -1 none */
    bool asleep;        /* the machine is in S1-S3 */
    int wakes;          /* OS the platform wake goes to, -1 none */
    bool down;          /* powered off or resetting */
    int hint;           /* OS a reset asked the loader for, -1 none */
    struct {
        bool used, consumed;
        int os, epoch;
    } slot[WORLD_SLOTS];
    enum { IO_NONE, IO_WRITE, IO_READ, IO_CONSUME } io;
    int io_os, io_slot, io_epoch;
    int staged;         /* OS whose image was just read into RAM, -1 none */
    int staged_slot;
    char why[256];      /* the violated rule, when a check fails */
};

void world_init(struct world *w, const struct pol_config *cfg);

/*
 * Draws the next event: a physically possible one, or with chance_bad/256
 * one the machine cannot produce now (the engine must then change nothing).
 * *possible tells which. Returns false when the world is stuck (a violation
 * already recorded in w->why).
 */
bool world_next_event(struct world *w, uint64_t *rng, unsigned chance_bad, struct pol_event *ev,
                      bool *possible);

/*
 * Applies the event and then the engine's action to the world, checking
 * each rule. Returns false with w->why set at the first violation.
 */
bool world_step(struct world *w, const struct pol_event *ev, bool possible,
                const struct pol_action *a);

uint64_t world_rand(uint64_t *s);

#endif
