/* SPDX-License-Identifier: MIT */
/* The machine model of world.h: events it can produce, and what actions do to it. */
#include "world.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

uint64_t world_rand(uint64_t *s)
{
    /* xorshift64*: small, seeded, the same sequence on every machine. */
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545f4914f6cdd1dull;
}

static bool fail(struct world *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->why, sizeof w->why, fmt, ap);
    va_end(ap);
    return false;
}

void world_init(struct world *w, const struct pol_config *cfg)
{
    memset(w, 0, sizeof *w);
    w->cfg = cfg;
    w->ram[0] = w->ram[1] = -1;
    w->running = w->waiting = w->wakes = w->hint = w->staged = -1;
    w->down = true;
}

static int live_image(const struct world *w, int os)
{
    for (int i = 0; i < WORLD_SLOTS; i++)
        if (w->slot[i].used && !w->slot[i].consumed && w->slot[i].os == os)
            return i;
    return -1;
}

static bool has_current_copy(const struct world *w, int os)
{
    int i = live_image(w, os);
    return w->ram[os] == w->epoch[os] || (i >= 0 && w->slot[i].epoch == w->epoch[os]);
}

/* os gets the CPU: from a current copy in RAM, with no live image left behind. */
static bool runs(struct world *w, int os, const char *how)
{
    if (!w->live[os] || w->ram[os] != w->epoch[os])
        return fail(w, "%s: %c runs without a current copy in RAM", how, 'A' + os);
    if (live_image(w, os) >= 0)
        return fail(w, "%s: %c runs while a live image of it is in the store (rollback later)", how, 'A' + os);
    w->epoch[os]++;
    w->ram[os] = w->epoch[os];
    w->running = os;
    w->waiting = -1;
    w->finished[os] = false;
    w->staged = -1;
    return true;
}

/* The active OS leaves the CPU: kept in RAM, or dropped (allowed only if it asked). */
static bool leave(struct world *w, int os, bool keep, const char *how)
{
    if (!keep) {
        if (!w->finished[os])
            return fail(w, "%s: drops %c, which did not ask to go down", how, 'A' + os);
        w->ram[os] = -1;
        w->live[os] = false;
    }
    w->running = -1;
    return true;
}

static void stored_mask(const struct world *w, int *mask)
{
    *mask = 0;
    for (int os = 0; os < 2; os++)
        if (live_image(w, os) >= 0)
            *mask |= 1 << os;
}

/* The event the machine produces now, drawn with weights like real use:
 * mostly S3 switches, sometimes a shutdown or reset. */
static bool possible_event(struct world *w, uint64_t r, struct pol_event *e)
{
    *e = (struct pol_event){ 0 };
    if (w->down) {
        int mask;
        uint8_t os;
        stored_mask(w, &mask);
        if (pol_boot_choice(w->cfg, mask, w->hint, &os) != POL_OK)
            return fail(w, "nothing can boot: the store holds images of both OSes");
        int other = live_image(w, os ^ 1);
        *e = (struct pol_event){ POL_EV_BOOT, os, 0, other < 0 ? POL_SLOT_NONE : (uint8_t)other };
    } else if (w->asleep) {
        e->kind = POL_EV_RESUME;
    } else if (w->io == IO_READ) {
        e->kind = POL_EV_READ_OK;
    } else if (w->io != IO_NONE) {
        /* The store commits into a slot that holds no live image. */
        int s = w->io == IO_CONSUME ? w->io_slot : -1;
        for (int i = 0; s < 0 && i < WORLD_SLOTS; i++) {
            int k = (int)((r + (unsigned)i) % WORLD_SLOTS);
            if (!w->slot[k].used || w->slot[k].consumed)
                s = k;
        }
        if (s < 0)
            return fail(w, "the store is full of live images");
        *e = (struct pol_event){ POL_EV_WRITE_OK, 0, 0, (uint8_t)s };
    } else {
        static const uint8_t pick[32] = { 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
                                          3, 3, 1, 2, 4, 4, 4, 5, 5, 5, 5, 6, 6, 6, 0, 7 };
        uint8_t s = pick[(r >> 8) % 32];
        e->os = (uint8_t)w->running;
        if (s == 6 && (r >> 13 & 1)) {
            e->kind = POL_EV_RESET;
        } else {
            e->kind = POL_EV_SLEEP;
            e->sstate = s;
        }
    }
    return true;
}

bool world_next_event(struct world *w, uint64_t *rng, unsigned chance_bad, struct pol_event *ev,
                      bool *possible)
{
    uint64_t r = world_rand(rng);
    struct pol_event real;

    if (!possible_event(w, r >> 8, &real))
        return false;
    *possible = (r & 255) >= chance_bad;
    *ev = real;
    /* An event the machine cannot produce now: another kind, or a request
     * from the OS that is not running. A different boot is not one: which
     * OS boots is the loader's choice, checked through pol_boot_choice. */
    for (int tries = 0; !*possible && tries < 64; tries++) {
        r = world_rand(rng);
        struct pol_event e = { (uint8_t)(r % POL_EV_COUNT), (uint8_t)(r >> 8 & 1),
                               (uint8_t)(r >> 9 & 7), (uint8_t)(r >> 12 & 3) };
        bool can;
        if (w->down)
            can = e.kind == POL_EV_BOOT;
        else if (w->asleep)
            can = e.kind == POL_EV_RESUME;
        else if (w->io == IO_READ)
            can = e.kind == POL_EV_READ_OK || e.kind == POL_EV_READ_FAIL;
        else if (w->io != IO_NONE)
            can = e.kind == POL_EV_WRITE_OK || e.kind == POL_EV_WRITE_FAIL;
        else
            can = (e.kind == POL_EV_SLEEP || e.kind == POL_EV_RESET) && e.os == w->running;
        if (!can) {
            *ev = e;
            return true;
        }
    }
    *possible = true;
    return true;
}

static bool apply_event(struct world *w, const struct pol_event *e)
{
    switch (e->kind) {
    case POL_EV_BOOT: {
        int os = e->os;
        if (w->live[os] && !w->finished[os])
            return fail(w, "the loader boots %c fresh while it has state (fork)", 'A' + os);
        w->down = false;
        w->live[os] = true;
        w->finished[os] = false;
        w->epoch[os]++;
        w->ram[os] = w->epoch[os];
        w->running = os;
        w->hint = -1;
        return true;
    }
    case POL_EV_SLEEP:
    case POL_EV_RESET:
        /* The OS stops at its request; S4, S5 and reset give up its state. */
        w->waiting = w->running;
        w->running = -1;
        if (e->kind == POL_EV_RESET || e->sstate == 4 || e->sstate == 5)
            w->finished[e->os] = true;
        return true;
    case POL_EV_RESUME:
        w->asleep = false;
        return true;
    case POL_EV_WRITE_OK:
        if (w->io == IO_WRITE)
            w->slot[e->slot] = (typeof(w->slot[0])){ true, false, w->io_os, w->io_epoch };
        else
            w->slot[w->io_slot].consumed = true;
        w->io = IO_NONE;
        return true;
    case POL_EV_WRITE_FAIL:
    case POL_EV_READ_FAIL:
        w->io = IO_NONE; /* the store is atomic: a failed write changed nothing */
        return true;
    case POL_EV_READ_OK:
        w->ram[w->io_os] = w->slot[w->io_slot].epoch;
        w->staged = w->io_os;
        w->staged_slot = w->io_slot;
        w->io = IO_NONE;
        return true;
    }
    return true;
}

/* A copy read from the store and not entered is dropped by whatever comes next. */
static void drop_staged(struct world *w)
{
    if (w->staged >= 0 && w->running != w->staged) {
        w->ram[w->staged] = -1;
        w->staged = -1;
    }
}

static bool apply_action(struct world *w, const struct pol_action *a)
{
    int x = w->waiting >= 0 ? w->waiting : w->running;
    int os = a->os;

    switch (a->kind) {
    case POL_ACT_IGNORE:
        return true;
    case POL_ACT_RESUME:
        if (a->via_s3) {
            w->asleep = true;
            w->wakes = os;
            return true;
        }
        return runs(w, os, "resume");
    case POL_ACT_REFUSE:
        drop_staged(w);
        if (os != x)
            return fail(w, "refuse: returns to %c, but %c asked", 'A' + os, 'A' + x);
        return runs(w, os, "refuse");
    case POL_ACT_PASS:
        if (os != x)
            return fail(w, "pass: %c sleeps, but %c asked", 'A' + os, 'A' + x);
        w->asleep = true;
        w->wakes = os;
        w->waiting = -1;
        return true;
    case POL_ACT_SWAP:
        if (os == x)
            return fail(w, "swap: to the OS that asked");
        if (!leave(w, x, a->park, "swap"))
            return false;
        if (a->via_s3) {
            if (!w->live[os] || w->ram[os] != w->epoch[os])
                return fail(w, "swap: to %c, which has no current copy in RAM", 'A' + os);
            w->asleep = true;
            w->wakes = os;
            return true;
        }
        return runs(w, os, "swap");
    case POL_ACT_SAVE:
    case POL_ACT_PERSIST:
        if (a->kind == POL_ACT_SAVE ? os != x : os == x)
            return fail(w, "%s: of the wrong OS", a->kind == POL_ACT_SAVE ? "save" : "persist");
        if (!w->live[os] || w->ram[os] != w->epoch[os])
            return fail(w, "write: %c has no current copy in RAM to write", 'A' + os);
        w->io = IO_WRITE, w->io_os = os, w->io_epoch = w->epoch[os];
        return true;
    case POL_ACT_RESTORE: {
        int i = a->slot < WORLD_SLOTS ? a->slot : 0;
        if (a->slot >= WORLD_SLOTS || !w->slot[i].used || w->slot[i].consumed || w->slot[i].os != os)
            return fail(w, "restore: slot %u holds no live image of %c", a->slot, 'A' + os);
        if (w->slot[i].epoch != w->epoch[os])
            return fail(w, "restore: slot %u holds an old image of %c (rollback)", a->slot, 'A' + os);
        if (!leave(w, x, a->park, "restore"))
            return false;
        w->io = IO_READ, w->io_os = os, w->io_slot = i;
        return true;
    }
    case POL_ACT_DISCARD:
        if (w->staged != os || w->staged_slot != a->slot)
            return fail(w, "discard: slot %u was not just read and verified", a->slot);
        w->io = IO_CONSUME, w->io_os = os, w->io_slot = a->slot;
        return true;
    case POL_ACT_POWEROFF:
    case POL_ACT_RESET:
        drop_staged(w);
        w->ram[0] = w->ram[1] = -1; /* RAM does not survive */
        for (int o = 0; o < 2; o++)
            if (w->finished[o])
                w->live[o] = false;
        w->running = w->waiting = -1;
        w->down = true;
        w->hint = a->kind == POL_ACT_RESET ? os : -1;
        return true;
    }
    return fail(w, "unknown action %u", a->kind);
}

bool world_step(struct world *w, const struct pol_event *ev, bool possible,
                const struct pol_action *a)
{
    if (!possible) {
        if (a->kind != POL_ACT_IGNORE)
            return fail(w, "an impossible event got action %u, not ignore", a->kind);
        return true;
    }
    if (!apply_event(w, ev))
        return false;

    bool ok;
    if (ev->kind == POL_EV_BOOT) {
        /* The loader started ev->os fresh: the engine lets it run. */
        ok = a->kind == POL_ACT_RESUME && a->os == ev->os && !a->via_s3;
        if (!ok)
            return fail(w, "boot: the engine answered %u, not a resume of %c", a->kind, 'A' + ev->os);
    } else if (ev->kind == POL_EV_RESUME) {
        /* The platform wakes into the OS chosen before the sleep. */
        int os = w->wakes;
        if (!(a->kind == POL_ACT_RESUME && a->os == os && !a->via_s3))
            return fail(w, "wake: the engine answered %u for %c, not a resume of %c", a->kind,
                        'A' + a->os, 'A' + os);
        w->wakes = -1;
        ok = runs(w, os, "wake");
    } else {
        ok = apply_action(w, a);
    }
    if (!ok)
        return false;
    if (!w->down && !w->asleep && w->io == IO_NONE && w->running < 0)
        return fail(w, "stuck: nobody has the CPU and nothing is pending");

    for (int os = 0; os < 2; os++)
        if (w->live[os] && !w->finished[os] && !has_current_copy(w, os))
            return fail(w, "%c is lost: no current copy in RAM or in the store", 'A' + os);
    return true;
}
