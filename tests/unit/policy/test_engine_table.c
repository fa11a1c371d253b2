/* SPDX-License-Identifier: MIT */
/*
 * The engine's whole behaviour as one table, checked against every
 * (state, event) pair: all phases, both active OSes, every place the other
 * OS can be, slots, store health and recorded requests (valid or not), and
 * every event kind with its parameters (valid or not), under 128 configs.
 * Each pair must match exactly one row, and every row must be used.
 *
 * The rows are written from DESIGN.md's switch flow and the contract in
 * policy.h, not from engine.c. X is the active OS, O the other.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "fixture.h"

enum { ANY = -1 };

/* What a row's condition can ask about the request. */
enum req_class {
    RQ_ANY,
    RQ_NOT_SLEEP, /* SLEEP with S0, S6, S7 */
    RQ_LIGHT,     /* S1, S2 */
    RQ_S3,
    RQ_S45,       /* S4, S5 */
    RQ_RESET,
    RQ_DOWN,      /* S4, S5, reset */
};

enum who { W_X, W_O, W_EV, W_DEFAULT, W_KEEP };
enum slot_src { SL_NONE, SL_STATE, SL_EVENT, SL_KEEP };
enum req_src { RS_KEEP, RS_NONE, RS_EVENT, RS_VIA };
enum flag { F_PARK = 1, F_VIA = 2, F_ARM = 4 };
enum { PH_VIA = 100 }; /* ASLEEP through S3 in sleep mode, else RUN */
enum { HEALTH_KEEP = ANY };

struct row {
    const char *what;
    /* condition */
    int phase, parked, ev;
    int from_active;    /* 1, 0, ANY */
    int req;            /* enum req_class of the event (RUN) or the recorded req (store phases) */
    int choice;         /* POL_DO_* for that request, ANY */
    int ev_slot;        /* 1: slot given, 0: POL_SLOT_NONE, ANY */
    /* expected action */
    int act, act_os, act_slot, flags, why;
    /* expected next state */
    int n_phase, n_active, n_parked, n_slot, n_req, n_health;
};

#define NA ANY
static const struct row rows[] = {
    /* ---- off: only a boot means anything */
    { "boot, nothing stored", POL_PH_OFF, ANY, POL_EV_BOOT, NA, RQ_ANY, NA, 0,
      POL_ACT_RESUME, W_EV, SL_NONE, 0, POL_WHY_BOOT,
      POL_PH_RUN, W_EV, POL_PARK_NONE, SL_NONE, RS_NONE, HEALTH_KEEP },
    { "boot, the other in the store", POL_PH_OFF, ANY, POL_EV_BOOT, NA, RQ_ANY, NA, 1,
      POL_ACT_RESUME, W_EV, SL_NONE, 0, POL_WHY_BOOT_STORED,
      POL_PH_RUN, W_EV, POL_PARK_STORE, SL_EVENT, RS_NONE, HEALTH_KEEP },
    { "off: anything else", POL_PH_OFF, ANY, ANY, NA, RQ_ANY, NA, NA,
      POL_ACT_IGNORE, W_X, SL_NONE, 0, POL_WHY_UNEXPECTED,
      POL_PH_OFF, W_KEEP, ANY, SL_KEEP, RS_KEEP, HEALTH_KEEP },

    /* ---- running: requests */
    { "request from the OS not running", POL_PH_RUN, ANY, ANY, 0, RQ_ANY, NA, NA,
      POL_ACT_IGNORE, W_EV, SL_NONE, 0, POL_WHY_NOT_ACTIVE,
      POL_PH_RUN, W_KEEP, ANY, SL_KEEP, RS_KEEP, HEALTH_KEEP },
    { "S0, S6, S7", POL_PH_RUN, ANY, POL_EV_SLEEP, 1, RQ_NOT_SLEEP, NA, NA,
      POL_ACT_REFUSE, W_X, SL_NONE, 0, POL_WHY_NOT_SLEEP,
      POL_PH_RUN, W_KEEP, ANY, SL_KEEP, RS_KEEP, HEALTH_KEEP },
    { "S1, S2 always sleep", POL_PH_RUN, ANY, POL_EV_SLEEP, 1, RQ_LIGHT, NA, NA,
      POL_ACT_PASS, W_X, SL_NONE, F_ARM, POL_WHY_SLEEP,
      POL_PH_ASLEEP, W_KEEP, ANY, SL_KEEP, RS_EVENT, HEALTH_KEEP },
    { "S3, on-s3 = sleep", POL_PH_RUN, ANY, POL_EV_SLEEP, 1, RQ_S3, POL_DO_ASKED, NA,
      POL_ACT_PASS, W_X, SL_NONE, F_ARM, POL_WHY_SLEEP,
      POL_PH_ASLEEP, W_KEEP, ANY, SL_KEEP, RS_EVENT, HEALTH_KEEP },
    { "S3 switch, other in RAM: swap, park", POL_PH_RUN, POL_PARK_RAM, POL_EV_SLEEP, 1, RQ_S3, POL_DO_SWITCH, NA,
      POL_ACT_SWAP, W_O, SL_NONE, F_PARK | F_VIA, POL_WHY_SWITCH_RAM,
      PH_VIA, W_O, POL_PARK_RAM, SL_NONE, RS_VIA, HEALTH_KEEP },
    { "S3 switch, other in store: restore, park", POL_PH_RUN, POL_PARK_STORE, POL_EV_SLEEP, 1, RQ_S3, POL_DO_SWITCH, NA,
      POL_ACT_RESTORE, W_O, SL_STATE, F_PARK, POL_WHY_SWITCH_STORE,
      POL_PH_RESTORE, W_KEEP, POL_PARK_STORE, SL_KEEP, RS_EVENT, HEALTH_KEEP },
    { "S3 switch, other not running: first switch", POL_PH_RUN, POL_PARK_NONE, POL_EV_SLEEP, 1, RQ_S3, POL_DO_SWITCH, NA,
      POL_ACT_SAVE, W_X, SL_NONE, 0, POL_WHY_SWITCH_FIRST,
      POL_PH_SAVE, W_KEEP, POL_PARK_NONE, SL_NONE, RS_EVENT, HEALTH_KEEP },
    { "going down, other in RAM: persist it first", POL_PH_RUN, POL_PARK_RAM, ANY, 1, RQ_DOWN, POL_DO_ASKED, NA,
      POL_ACT_PERSIST, W_O, SL_NONE, 0, POL_WHY_PERSIST,
      POL_PH_PERSIST, W_KEEP, POL_PARK_RAM, SL_NONE, RS_EVENT, HEALTH_KEEP },
    { "S4/S5, other in store", POL_PH_RUN, POL_PARK_STORE, POL_EV_SLEEP, 1, RQ_S45, POL_DO_ASKED, NA,
      POL_ACT_POWEROFF, W_X, SL_NONE, F_ARM, POL_WHY_DOWN,
      POL_PH_OFF, W_KEEP, POL_PARK_STORE, SL_KEEP, RS_NONE, HEALTH_KEEP },
    { "S4/S5, nothing parked: the default boots next", POL_PH_RUN, POL_PARK_NONE, POL_EV_SLEEP, 1, RQ_S45, POL_DO_ASKED, NA,
      POL_ACT_POWEROFF, W_X, SL_NONE, F_ARM, POL_WHY_DOWN,
      POL_PH_OFF, W_DEFAULT, POL_PARK_NONE, SL_NONE, RS_NONE, HEALTH_KEEP },
    { "reset, other in store", POL_PH_RUN, POL_PARK_STORE, POL_EV_RESET, 1, RQ_RESET, POL_DO_ASKED, NA,
      POL_ACT_RESET, W_X, SL_NONE, 0, POL_WHY_DOWN,
      POL_PH_OFF, W_KEEP, POL_PARK_STORE, SL_KEEP, RS_NONE, HEALTH_KEEP },
    { "reset, nothing parked: the same OS boots", POL_PH_RUN, POL_PARK_NONE, POL_EV_RESET, 1, RQ_RESET, POL_DO_ASKED, NA,
      POL_ACT_RESET, W_X, SL_NONE, 0, POL_WHY_DOWN,
      POL_PH_OFF, W_KEEP, POL_PARK_NONE, SL_NONE, RS_NONE, HEALTH_KEEP },
    { "going down with switch, other in RAM: swap, drop", POL_PH_RUN, POL_PARK_RAM, ANY, 1, RQ_DOWN, POL_DO_SWITCH, NA,
      POL_ACT_SWAP, W_O, SL_NONE, F_VIA, POL_WHY_DOWN_SWITCH,
      PH_VIA, W_O, POL_PARK_NONE, SL_NONE, RS_VIA, HEALTH_KEEP },
    { "going down with switch, other in store: restore, drop", POL_PH_RUN, POL_PARK_STORE, ANY, 1, RQ_DOWN, POL_DO_SWITCH, NA,
      POL_ACT_RESTORE, W_O, SL_STATE, 0, POL_WHY_SWITCH_STORE,
      POL_PH_RESTORE, W_KEEP, POL_PARK_STORE, SL_KEEP, RS_EVENT, HEALTH_KEEP },
    { "going down with switch, other not running: boot it", POL_PH_RUN, POL_PARK_NONE, ANY, 1, RQ_DOWN, POL_DO_SWITCH, NA,
      POL_ACT_RESET, W_O, SL_NONE, 0, POL_WHY_DOWN_BOOT,
      POL_PH_OFF, W_O, POL_PARK_NONE, SL_NONE, RS_NONE, HEALTH_KEEP },
    { "running: no request", POL_PH_RUN, ANY, ANY, NA, RQ_ANY, NA, NA,
      POL_ACT_IGNORE, W_X, SL_NONE, 0, POL_WHY_UNEXPECTED,
      POL_PH_RUN, W_KEEP, ANY, SL_KEEP, RS_KEEP, HEALTH_KEEP },

    /* ---- asleep */
    { "wake", POL_PH_ASLEEP, ANY, POL_EV_RESUME, NA, RQ_ANY, NA, NA,
      POL_ACT_RESUME, W_X, SL_NONE, 0, POL_WHY_WAKE,
      POL_PH_RUN, W_KEEP, ANY, SL_KEEP, RS_NONE, HEALTH_KEEP },
    { "asleep: anything else", POL_PH_ASLEEP, ANY, ANY, NA, RQ_ANY, NA, NA,
      POL_ACT_IGNORE, W_X, SL_NONE, 0, POL_WHY_UNEXPECTED,
      POL_PH_ASLEEP, W_KEEP, ANY, SL_KEEP, RS_KEEP, HEALTH_KEEP },

    /* ---- first switch: saving the active OS */
    { "saved: reset into the other", POL_PH_SAVE, ANY, POL_EV_WRITE_OK, NA, RQ_ANY, NA, NA,
      POL_ACT_RESET, W_O, SL_NONE, 0, POL_WHY_SAVED,
      POL_PH_OFF, W_O, POL_PARK_STORE, SL_EVENT, RS_NONE, POL_HEALTH_OK },
    { "save failed: stay", POL_PH_SAVE, ANY, POL_EV_WRITE_FAIL, NA, RQ_ANY, NA, NA,
      POL_ACT_REFUSE, W_X, SL_NONE, 0, POL_WHY_SAVE_FAILED,
      POL_PH_RUN, W_KEEP, POL_PARK_NONE, SL_NONE, RS_NONE, POL_HEALTH_FAILED },
    { "saving: anything else", POL_PH_SAVE, ANY, ANY, NA, RQ_ANY, NA, NA,
      POL_ACT_IGNORE, W_X, SL_NONE, 0, POL_WHY_UNEXPECTED,
      POL_PH_SAVE, W_KEEP, ANY, SL_KEEP, RS_KEEP, HEALTH_KEEP },

    /* ---- persisting the parked OS before going down */
    { "persisted: power off", POL_PH_PERSIST, ANY, POL_EV_WRITE_OK, NA, RQ_S45, NA, NA,
      POL_ACT_POWEROFF, W_X, SL_NONE, F_ARM, POL_WHY_PERSISTED,
      POL_PH_OFF, W_KEEP, POL_PARK_STORE, SL_EVENT, RS_NONE, POL_HEALTH_OK },
    { "persisted: reset", POL_PH_PERSIST, ANY, POL_EV_WRITE_OK, NA, RQ_RESET, NA, NA,
      POL_ACT_RESET, W_X, SL_NONE, 0, POL_WHY_PERSISTED,
      POL_PH_OFF, W_KEEP, POL_PARK_STORE, SL_EVENT, RS_NONE, POL_HEALTH_OK },
    { "persist failed: bring the parked OS back", POL_PH_PERSIST, ANY, POL_EV_WRITE_FAIL, NA, RQ_ANY, NA, NA,
      POL_ACT_SWAP, W_O, SL_NONE, F_VIA, POL_WHY_PERSIST_FAILED,
      PH_VIA, W_O, POL_PARK_NONE, SL_NONE, RS_VIA, POL_HEALTH_FAILED },
    { "persisting: anything else", POL_PH_PERSIST, ANY, ANY, NA, RQ_ANY, NA, NA,
      POL_ACT_IGNORE, W_X, SL_NONE, 0, POL_WHY_UNEXPECTED,
      POL_PH_PERSIST, W_KEEP, ANY, SL_KEEP, RS_KEEP, HEALTH_KEEP },

    /* ---- restoring the other OS from the store */
    { "read and verified: consume the image", POL_PH_RESTORE, ANY, POL_EV_READ_OK, NA, RQ_ANY, NA, NA,
      POL_ACT_DISCARD, W_O, SL_STATE, 0, POL_WHY_RESTORED,
      POL_PH_DISCARD, W_KEEP, POL_PARK_STORE, SL_KEEP, RS_KEEP, POL_HEALTH_OK },
    { "read failed on S3: refuse", POL_PH_RESTORE, ANY, POL_EV_READ_FAIL, NA, RQ_S3, NA, NA,
      POL_ACT_REFUSE, W_X, SL_NONE, 0, POL_WHY_READ_FAILED,
      POL_PH_RUN, W_KEEP, POL_PARK_STORE, SL_KEEP, RS_NONE, POL_HEALTH_FAILED },
    { "read failed on S4/S5: power off as asked", POL_PH_RESTORE, ANY, POL_EV_READ_FAIL, NA, RQ_S45, NA, NA,
      POL_ACT_POWEROFF, W_X, SL_NONE, F_ARM, POL_WHY_READ_FAILED,
      POL_PH_OFF, W_KEEP, POL_PARK_STORE, SL_KEEP, RS_NONE, POL_HEALTH_FAILED },
    { "read failed on reset: reset as asked", POL_PH_RESTORE, ANY, POL_EV_READ_FAIL, NA, RQ_RESET, NA, NA,
      POL_ACT_RESET, W_X, SL_NONE, 0, POL_WHY_READ_FAILED,
      POL_PH_OFF, W_KEEP, POL_PARK_STORE, SL_KEEP, RS_NONE, POL_HEALTH_FAILED },
    { "restoring: anything else", POL_PH_RESTORE, ANY, ANY, NA, RQ_ANY, NA, NA,
      POL_ACT_IGNORE, W_X, SL_NONE, 0, POL_WHY_UNEXPECTED,
      POL_PH_RESTORE, W_KEEP, ANY, SL_KEEP, RS_KEEP, HEALTH_KEEP },

    /* ---- consuming the restored image, then entering the OS */
    { "consumed on S3: enter it, park the old one", POL_PH_DISCARD, ANY, POL_EV_WRITE_OK, NA, RQ_S3, NA, NA,
      POL_ACT_RESUME, W_O, SL_NONE, F_PARK | F_VIA, POL_WHY_SWITCHED,
      PH_VIA, W_O, POL_PARK_RAM, SL_NONE, RS_VIA, POL_HEALTH_OK },
    { "consumed going down: enter it", POL_PH_DISCARD, ANY, POL_EV_WRITE_OK, NA, RQ_DOWN, NA, NA,
      POL_ACT_RESUME, W_O, SL_NONE, F_VIA, POL_WHY_SWITCHED,
      PH_VIA, W_O, POL_PARK_NONE, SL_NONE, RS_VIA, POL_HEALTH_OK },
    { "consume failed on S3: refuse", POL_PH_DISCARD, ANY, POL_EV_WRITE_FAIL, NA, RQ_S3, NA, NA,
      POL_ACT_REFUSE, W_X, SL_NONE, 0, POL_WHY_DISCARD_FAILED,
      POL_PH_RUN, W_KEEP, POL_PARK_STORE, SL_KEEP, RS_NONE, POL_HEALTH_FAILED },
    { "consume failed on S4/S5: power off", POL_PH_DISCARD, ANY, POL_EV_WRITE_FAIL, NA, RQ_S45, NA, NA,
      POL_ACT_POWEROFF, W_X, SL_NONE, F_ARM, POL_WHY_DISCARD_FAILED,
      POL_PH_OFF, W_KEEP, POL_PARK_STORE, SL_KEEP, RS_NONE, POL_HEALTH_FAILED },
    { "consume failed on reset: reset", POL_PH_DISCARD, ANY, POL_EV_WRITE_FAIL, NA, RQ_RESET, NA, NA,
      POL_ACT_RESET, W_X, SL_NONE, 0, POL_WHY_DISCARD_FAILED,
      POL_PH_OFF, W_KEEP, POL_PARK_STORE, SL_KEEP, RS_NONE, POL_HEALTH_FAILED },
    { "consuming: anything else", POL_PH_DISCARD, ANY, ANY, NA, RQ_ANY, NA, NA,
      POL_ACT_IGNORE, W_X, SL_NONE, 0, POL_WHY_UNEXPECTED,
      POL_PH_DISCARD, W_KEEP, ANY, SL_KEEP, RS_KEEP, HEALTH_KEEP },
};
#define NROWS (sizeof rows / sizeof rows[0])

/* ---- the facts a row's condition looks at */

static bool is_down(int req)
{
    return req == 4 || req == 5 || req == POL_REQ_RESET;
}

/* The documented invariants of struct pol_state (policy.h). */
static bool state_ok(const struct pol_state *s)
{
    if (s->phase >= POL_PH_COUNT || s->active > 1 || s->parked >= POL_PARK_COUNT ||
        s->health >= POL_HEALTH_COUNT)
        return false;
    if ((s->parked == POL_PARK_STORE) != (s->slot != POL_SLOT_NONE))
        return false;
    switch (s->phase) {
    case POL_PH_OFF: case POL_PH_RUN: return s->req == 0;
    case POL_PH_ASLEEP: return s->req >= 1 && s->req <= 3;
    case POL_PH_SAVE: return s->req == 3 && s->parked == POL_PARK_NONE;
    case POL_PH_PERSIST: return is_down(s->req) && s->parked == POL_PARK_RAM;
    default: return (s->req == 3 || is_down(s->req)) && s->parked == POL_PARK_STORE;
    }
}

static bool event_ok(const struct pol_event *e)
{
    if (e->kind >= POL_EV_COUNT)
        return false;
    if ((e->kind == POL_EV_BOOT || e->kind == POL_EV_SLEEP || e->kind == POL_EV_RESET) && e->os > 1)
        return false;
    return !(e->kind == POL_EV_WRITE_OK && e->slot == POL_SLOT_NONE);
}

/* The request the row is about: the event's while running, the recorded one after. */
static int request_of(const struct pol_state *s, const struct pol_event *e)
{
    if (s->phase != POL_PH_RUN)
        return s->req;
    if (e->kind == POL_EV_RESET)
        return POL_REQ_RESET;
    if (e->kind == POL_EV_SLEEP)
        return e->sstate <= 5 ? e->sstate : 100 + e->sstate; /* S6 is not a reset */
    return -1;
}

static bool req_in(int cls, int req, bool sleep_event)
{
    switch (cls) {
    case RQ_ANY: return true;
    case RQ_NOT_SLEEP: return sleep_event && (req == 0 || req > 5);
    case RQ_LIGHT: return req == 1 || req == 2;
    case RQ_S3: return req == 3;
    case RQ_S45: return req == 4 || req == 5;
    case RQ_RESET: return req == POL_REQ_RESET;
    case RQ_DOWN: return is_down(req);
    }
    return false;
}

static int choice_of(const struct pol_os_config *c, int req)
{
    return req == 3 ? c->on_s3 : req == 4 ? c->on_s4 : req == 5 ? c->on_s5
         : req == POL_REQ_RESET ? c->on_reset : POL_DO_ASKED;
}

static bool matches(const struct row *r, const struct pol_config *cfg, const struct pol_state *s,
                    const struct pol_event *e)
{
    int req = request_of(s, e);
    bool requested = e->kind == POL_EV_SLEEP || e->kind == POL_EV_RESET;

    if (r->phase != ANY && r->phase != s->phase)
        return false;
    if (r->parked != ANY && r->parked != s->parked)
        return false;
    if (r->ev != ANY && r->ev != e->kind)
        return false;
    if (s->phase == POL_PH_RUN && r->ev == ANY && r->from_active == NA && r->req == RQ_ANY &&
        requested)
        return false; /* "running: no request" */
    if (r->from_active != NA && (!requested || (e->os == s->active) != r->from_active))
        return false;
    if (!req_in(r->req, req, e->kind == POL_EV_SLEEP))
        return false;
    if (r->choice != NA && choice_of(&cfg->os[s->active], req) != r->choice)
        return false;
    if (r->ev_slot != NA && (e->slot != POL_SLOT_NONE) != r->ev_slot)
        return false;
    return true;
}

/* A row written for a specific event must win over the catch-all of its phase. */
static const struct row *find(const struct pol_config *cfg, const struct pol_state *s,
                              const struct pol_event *e, int *count)
{
    const struct row *hit = NULL, *fallback = NULL;
    *count = 0;
    for (size_t i = 0; i < NROWS; i++) {
        const struct row *r = &rows[i];
        if (!matches(r, cfg, s, e))
            continue;
        bool catch_all = r->ev == ANY && r->from_active == NA && r->req == RQ_ANY;
        if (catch_all) {
            fallback = r;
        } else {
            hit = r;
            ++*count;
        }
    }
    if (!hit && fallback) {
        *count = 1;
        return fallback;
    }
    return hit;
}

static int who(int w, const struct pol_config *cfg, const struct pol_state *s,
               const struct pol_event *e)
{
    switch (w) {
    case W_X: return s->active;
    case W_O: return s->active ^ 1;
    case W_EV: return e->os;
    case W_DEFAULT: return cfg->default_os;
    }
    return s->active; /* W_KEEP */
}

static bool arms(const struct pol_config *cfg, const struct pol_state *s, int req)
{
    const struct pol_schedule *w = &cfg->os[s->active].wake;
    return w->n && req >= 3 && req <= 5 && (w->from & (1u << req));
}

static void check_pair(const struct pol_config *cfg, const struct pol_state *s,
                       const struct pol_event *e, unsigned *used, unsigned long *pairs)
{
    struct pol_state next;
    struct pol_action a = pol_decide(cfg, s, e, &next);
    bool via = cfg->switch_mode == POL_SWITCH_SLEEP;
    char what[160];

    snprintf(what, sizeof what, "ph%u act%u park%u slot%u h%u req%u / ev%u os%u s%u slot%u",
             s->phase, s->active, s->parked, s->slot, s->health, s->req, e->kind, e->os,
             e->sstate, e->slot);
    ++*pairs;

    if (!state_ok(s) || !event_ok(e)) {
        int why = !state_ok(s) ? POL_WHY_BAD_STATE : POL_WHY_BAD_EVENT;
        cr_assert(a.kind == POL_ACT_IGNORE && a.why == why, "%s: invalid input gave %u/%u", what, a.kind, a.why);
        cr_assert(!memcmp(&next, s, sizeof next), "%s: invalid input changed the state", what);
        return;
    }

    int count;
    const struct row *r = find(cfg, s, e, &count);
    cr_assert(r, "%s: no row", what);
    cr_assert_eq(count, 1, "%s: %d rows match (one is \"%s\")", what, count, r->what);
    used[r - rows]++;

    int req = request_of(s, e);
    cr_assert_eq(a.kind, r->act, "%s [%s]: action %u", what, r->what, a.kind);
    cr_assert_eq(a.os, who(r->act_os, cfg, s, e), "%s [%s]: action os", what, r->what);
    cr_assert_eq(a.why, r->why, "%s [%s]: why %u", what, r->what, a.why);
    cr_assert_eq(a.slot, r->act_slot == SL_STATE ? s->slot : POL_SLOT_NONE, "%s [%s]: slot", what, r->what);
    cr_assert_eq(a.park, !!(r->flags & F_PARK), "%s [%s]: park", what, r->what);
    cr_assert_eq(a.via_s3, (r->flags & F_VIA) && via, "%s [%s]: via_s3", what, r->what);
    cr_assert_eq(a.arm_wake, (r->flags & F_ARM) && arms(cfg, s, req), "%s [%s]: arm", what, r->what);

    int phase = r->n_phase == PH_VIA ? (via ? POL_PH_ASLEEP : POL_PH_RUN) : r->n_phase;
    cr_assert_eq(next.phase, phase, "%s [%s]: next phase %u", what, r->what, next.phase);
    cr_assert_eq(next.active, who(r->n_active, cfg, s, e), "%s [%s]: next active", what, r->what);
    cr_assert_eq(next.parked, r->n_parked == ANY ? s->parked : r->n_parked, "%s [%s]: next parked", what, r->what);
    int slot = r->n_slot == SL_NONE ? POL_SLOT_NONE : r->n_slot == SL_EVENT ? e->slot : s->slot;
    cr_assert_eq(next.slot, slot, "%s [%s]: next slot", what, r->what);
    int nreq = r->n_req == RS_NONE ? 0 : r->n_req == RS_EVENT ? req
             : r->n_req == RS_VIA ? (via ? 3 : 0) : s->req;
    cr_assert_eq(next.req, nreq, "%s [%s]: next req %u", what, r->what, next.req);
    cr_assert_eq(next.health, r->n_health == HEALTH_KEEP ? s->health : r->n_health,
                 "%s [%s]: next health", what, r->what);
    cr_assert(pol_state_valid(&next), "%s [%s]: the engine made an invalid state", what, r->what);
}

static void config_variant(struct pol_config *cfg, unsigned v)
{
    pol_test_config(cfg);
    for (int os = 0; os < 2; os++) {
        struct pol_os_config *c = &cfg->os[os];
        /* The other OS gets the opposite choices: reading the wrong OS's
         * config cannot go unnoticed. */
        unsigned bits = os ? ~v : v;
        c->on_s3 = bits & 1;
        c->on_s4 = bits >> 1 & 1;
        c->on_s5 = bits >> 2 & 1;
        c->on_reset = bits >> 3 & 1;
        c->wake.n = 0;
        if (bits & 16) { /* one OS has a schedule, the other not */
            c->wake.n = 1;
            c->wake.at[0] = (struct pol_wake_entry){ POL_DAYS_ALL, 7, 30, 0 };
            c->wake.from = POL_WAKE_FROM_S3 | POL_WAKE_FROM_S5; /* not S4: the mask matters */
        }
    }
    cfg->switch_mode = v & 32 ? POL_SWITCH_INSTANT : POL_SWITCH_SLEEP;
    cfg->default_os = v & 64 ? POL_OS_B : POL_OS_A;
}

Test(engine_table, every_state_event_pair, .timeout = 120)
{
    static const uint8_t slots[] = { POL_SLOT_NONE, 0, 7 };
    struct pol_event events[64];
    size_t ne = 0;

    for (uint8_t os = 0; os < 3; os++) {
        events[ne++] = (struct pol_event){ POL_EV_BOOT, os, 0, POL_SLOT_NONE };
        events[ne++] = (struct pol_event){ POL_EV_BOOT, os, 0, 1 };
        events[ne++] = (struct pol_event){ POL_EV_RESET, os, 0, 0 };
        for (uint8_t s = 0; s < 8; s++)
            if (os < 2 || s == 3)
                events[ne++] = (struct pol_event){ POL_EV_SLEEP, os, s, 0 };
    }
    events[ne++] = (struct pol_event){ POL_EV_RESUME, 0, 0, 0 };
    events[ne++] = (struct pol_event){ POL_EV_WRITE_OK, 0, 0, 1 };
    events[ne++] = (struct pol_event){ POL_EV_WRITE_OK, 0, 0, POL_SLOT_NONE };
    events[ne++] = (struct pol_event){ POL_EV_WRITE_FAIL, 0, 0, 0 };
    events[ne++] = (struct pol_event){ POL_EV_READ_OK, 0, 0, 0 };
    events[ne++] = (struct pol_event){ POL_EV_READ_FAIL, 0, 0, 0 };
    events[ne++] = (struct pol_event){ POL_EV_COUNT, 0, 0, 0 };

    unsigned used[NROWS] = { 0 };
    unsigned long pairs = 0;
    for (unsigned v = 0; v < 128; v++) {
        struct pol_config cfg;
        config_variant(&cfg, v);
        for (uint8_t ph = 0; ph <= POL_PH_COUNT; ph++)
            for (uint8_t act = 0; act < 2; act++)
                for (uint8_t park = 0; park < POL_PARK_COUNT; park++)
                    for (size_t sl = 0; sl < sizeof slots; sl++)
                        for (uint8_t h = 0; h < POL_HEALTH_COUNT; h++)
                            for (uint8_t req = 0; req <= POL_REQ_RESET; req++) {
                                struct pol_state s = { ph, act, park, slots[sl], h, req };
                                /* Invalid states meet every event under one config. */
                                if (v && !state_ok(&s))
                                    continue;
                                for (size_t i = 0; i < ne; i++)
                                    check_pair(&cfg, &s, &events[i], used, &pairs);
                            }
    }
    for (size_t i = 0; i < NROWS; i++)
        cr_expect(used[i] > 0, "row \"%s\" never matched", rows[i].what);
    cr_log_info("engine_table: %lu (config, state, event) triples, %zu rows", pairs, NROWS);
}
