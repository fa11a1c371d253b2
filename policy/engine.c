/* SPDX-License-Identifier: MIT */
/*
 * The switch engine (DESIGN.md, "Switch flow"): one pure function from
 * (config, state, event) to (action, next state). docs/config.md has the
 * user's view; the table in tests/unit/policy/test_engine_table.c is the
 * whole behaviour, one row per case.
 *
 * The shape of it:
 *   - a sleep or reset request of the running OS either goes through (after
 *     persisting a RAM-parked OS when the machine is going down) or becomes
 *     a switch;
 *   - a switch swaps from RAM when the other OS is parked there, restores it
 *     from the store when it is there (and consumes its image before it
 *     runs, so a stale image can never come back), and otherwise saves the
 *     running OS and resets so the loader boots the other one;
 *   - every store failure leaves each OS where it safely is and either
 *     refuses the request or does what the OS itself asked for.
 */
#include "internal.h"

static struct pol_action act(uint8_t kind, uint8_t os, enum pol_reason why)
{
    return (struct pol_action){ .kind = kind, .os = os, .slot = POL_SLOT_NONE, .why = (uint16_t)why };
}

static bool going_down(uint8_t req)
{
    return req == 4 || req == 5 || req == POL_REQ_RESET;
}

static uint8_t choice_for(const struct pol_os_config *c, uint8_t req)
{
    switch (req) {
    case 3: return c->on_s3;
    case 4: return c->on_s4;
    case 5: return c->on_s5;
    case POL_REQ_RESET: return c->on_reset;
    }
    return POL_DO_ASKED; /* S1, S2 */
}

static bool arm_for(const struct pol_os_config *c, uint8_t req)
{
    return c->wake.n && req >= 3 && req <= 5 && (c->wake.from & (1u << req));
}

void pol_state_init(const struct pol_config *cfg, struct pol_state *st)
{
    *st = (struct pol_state){ .phase = POL_PH_OFF, .active = cfg->default_os,
                              .parked = POL_PARK_NONE, .slot = POL_SLOT_NONE,
                              .health = POL_HEALTH_UNKNOWN, .req = POL_REQ_NONE };
}

bool pol_state_valid(const struct pol_state *st)
{
    if (st->phase >= POL_PH_COUNT || st->active > POL_OS_B || st->parked >= POL_PARK_COUNT ||
        st->health >= POL_HEALTH_COUNT)
        return false;
    if ((st->parked == POL_PARK_STORE) != (st->slot != POL_SLOT_NONE))
        return false;
    switch (st->phase) {
    case POL_PH_OFF:
    case POL_PH_RUN:
        return st->req == POL_REQ_NONE;
    case POL_PH_ASLEEP:
        return st->req >= 1 && st->req <= 3;
    case POL_PH_SAVE:
        return st->req == 3 && st->parked == POL_PARK_NONE;
    case POL_PH_PERSIST:
        return going_down(st->req) && st->parked == POL_PARK_RAM;
    case POL_PH_RESTORE:
    case POL_PH_DISCARD:
        return (st->req == 3 || going_down(st->req)) && st->parked == POL_PARK_STORE;
    }
    return false;
}

/* The machine goes down as the active OS asked (S4, S5, reset). The state
 * then names the OS the loader will boot next (pol_boot_choice()). */
static struct pol_action go_down(const struct pol_config *cfg, struct pol_state *s, uint8_t req,
                                 enum pol_reason why)
{
    uint8_t x = s->active;
    struct pol_action a;

    if (req == POL_REQ_RESET) {
        a = act(POL_ACT_RESET, x, why);
    } else {
        a = act(POL_ACT_POWEROFF, x, why);
        a.arm_wake = arm_for(&cfg->os[x], req);
        if (s->parked == POL_PARK_NONE)
            s->active = cfg->default_os;
    }
    s->phase = POL_PH_OFF;
    s->req = POL_REQ_NONE;
    return a;
}

/* Enter `target`, which is in RAM: parked there, or just restored. */
static struct pol_action enter(const struct pol_config *cfg, struct pol_state *s, uint8_t kind,
                               uint8_t target, bool park, enum pol_reason why)
{
    struct pol_action a = act(kind, target, why);

    a.park = park;
    a.via_s3 = cfg->switch_mode == POL_SWITCH_SLEEP;
    s->active = target;
    s->parked = park ? POL_PARK_RAM : POL_PARK_NONE;
    s->slot = POL_SLOT_NONE;
    s->phase = a.via_s3 ? POL_PH_ASLEEP : POL_PH_RUN;
    s->req = a.via_s3 ? 3 : POL_REQ_NONE;
    return a;
}

/* A store operation failed, or the parked OS could not be brought back: it
 * stays in the store, and the active OS gets what it can still have. */
static struct pol_action fall_back(const struct pol_config *cfg, struct pol_state *s,
                                   enum pol_reason why)
{
    uint8_t req = s->req;

    if (going_down(req))
        return go_down(cfg, s, req, why);
    s->phase = POL_PH_RUN;
    s->req = POL_REQ_NONE;
    return act(POL_ACT_REFUSE, s->active, why);
}

static struct pol_action request(const struct pol_config *cfg, struct pol_state *s,
                                 const struct pol_event *ev)
{
    uint8_t x = s->active, o = pol_other(x);
    const struct pol_os_config *c = &cfg->os[x];
    uint8_t req = ev->kind == POL_EV_RESET ? POL_REQ_RESET : ev->sstate;

    if (ev->os != x)
        return act(POL_ACT_IGNORE, ev->os, POL_WHY_NOT_ACTIVE);
    if (ev->kind == POL_EV_SLEEP && (req == 0 || req > 5))
        return act(POL_ACT_REFUSE, x, POL_WHY_NOT_SLEEP);

    if (!going_down(req) && (req < 3 || c->on_s3 == POL_DO_ASKED)) {
        struct pol_action a = act(POL_ACT_PASS, x, POL_WHY_SLEEP);
        a.arm_wake = arm_for(c, req);
        s->phase = POL_PH_ASLEEP;
        s->req = req;
        return a;
    }
    bool down = going_down(req);
    if (down && choice_for(c, req) == POL_DO_ASKED) {
        if (s->parked != POL_PARK_RAM)
            return go_down(cfg, s, req, POL_WHY_DOWN);
        s->phase = POL_PH_PERSIST;
        s->req = req;
        return act(POL_ACT_PERSIST, o, POL_WHY_PERSIST);
    }

    /* A switch: S3 keeps this OS parked; a shut-down OS is dropped. */
    switch (s->parked) {
    case POL_PARK_RAM:
        return enter(cfg, s, POL_ACT_SWAP, o, !down, down ? POL_WHY_DOWN_SWITCH : POL_WHY_SWITCH_RAM);
    case POL_PARK_STORE: {
        struct pol_action a = act(POL_ACT_RESTORE, o, POL_WHY_SWITCH_STORE);
        a.slot = s->slot;
        a.park = !down;
        s->phase = POL_PH_RESTORE;
        s->req = req;
        return a;
    }
    default:
        if (down) {
            s->phase = POL_PH_OFF;
            s->active = o;
            return act(POL_ACT_RESET, o, POL_WHY_DOWN_BOOT);
        }
        s->phase = POL_PH_SAVE;
        s->req = req;
        return act(POL_ACT_SAVE, x, POL_WHY_SWITCH_FIRST);
    }
}

static struct pol_action step(const struct pol_config *cfg, struct pol_state *s,
                              const struct pol_event *ev)
{
    uint8_t x = s->active, o = pol_other(x);
    struct pol_action a;
    unsigned k = ev->kind;

    switch (s->phase) {
    case POL_PH_OFF:
        if (k != POL_EV_BOOT)
            break;
        s->phase = POL_PH_RUN;
        s->active = ev->os;
        s->parked = ev->slot == POL_SLOT_NONE ? POL_PARK_NONE : POL_PARK_STORE;
        s->slot = ev->slot;
        return act(POL_ACT_RESUME, ev->os, ev->slot == POL_SLOT_NONE ? POL_WHY_BOOT : POL_WHY_BOOT_STORED);

    case POL_PH_RUN:
        if (k == POL_EV_SLEEP || k == POL_EV_RESET)
            return request(cfg, s, ev);
        break;

    case POL_PH_ASLEEP:
        if (k != POL_EV_RESUME)
            break;
        s->phase = POL_PH_RUN;
        s->req = POL_REQ_NONE;
        return act(POL_ACT_RESUME, x, POL_WHY_WAKE);

    case POL_PH_SAVE:
        if (k == POL_EV_WRITE_OK) {
            /* x is committed to the store: the loader boots o next. */
            s->health = POL_HEALTH_OK;
            s->phase = POL_PH_OFF;
            s->req = POL_REQ_NONE;
            s->active = o;
            s->parked = POL_PARK_STORE;
            s->slot = ev->slot;
            return act(POL_ACT_RESET, o, POL_WHY_SAVED);
        }
        if (k == POL_EV_WRITE_FAIL) {
            s->health = POL_HEALTH_FAILED;
            return fall_back(cfg, s, POL_WHY_SAVE_FAILED);
        }
        break;

    case POL_PH_PERSIST:
        if (k == POL_EV_WRITE_OK) {
            s->health = POL_HEALTH_OK;
            s->parked = POL_PARK_STORE;
            s->slot = ev->slot;
            return go_down(cfg, s, s->req, POL_WHY_PERSISTED);
        }
        if (k == POL_EV_WRITE_FAIL) {
            /* x is going down anyway: bring o back rather than lose it. */
            s->health = POL_HEALTH_FAILED;
            return enter(cfg, s, POL_ACT_SWAP, o, false, POL_WHY_PERSIST_FAILED);
        }
        break;

    case POL_PH_RESTORE:
        if (k == POL_EV_READ_OK) {
            s->health = POL_HEALTH_OK;
            s->phase = POL_PH_DISCARD;
            a = act(POL_ACT_DISCARD, o, POL_WHY_RESTORED);
            a.slot = s->slot;
            return a;
        }
        if (k == POL_EV_READ_FAIL) {
            s->health = POL_HEALTH_FAILED;
            return fall_back(cfg, s, POL_WHY_READ_FAILED);
        }
        break;

    case POL_PH_DISCARD:
        if (k == POL_EV_WRITE_OK) {
            s->health = POL_HEALTH_OK;
            return enter(cfg, s, POL_ACT_RESUME, o, s->req == 3, POL_WHY_SWITCHED);
        }
        if (k == POL_EV_WRITE_FAIL) {
            /* The image was not consumed: it stays authoritative, the copy
             * in RAM is dropped before it ever runs. */
            s->health = POL_HEALTH_FAILED;
            return fall_back(cfg, s, POL_WHY_DISCARD_FAILED);
        }
        break;
    }
    return act(POL_ACT_IGNORE, x, POL_WHY_UNEXPECTED);
}

static bool event_valid(const struct pol_event *ev)
{
    switch (ev->kind) {
    case POL_EV_BOOT:
    case POL_EV_SLEEP:
    case POL_EV_RESET:
        return ev->os <= POL_OS_B;
    case POL_EV_WRITE_OK:
        return ev->slot != POL_SLOT_NONE;
    case POL_EV_RESUME:
    case POL_EV_WRITE_FAIL:
    case POL_EV_READ_OK:
    case POL_EV_READ_FAIL:
        return true;
    }
    return false;
}

struct pol_action pol_decide(const struct pol_config *cfg, const struct pol_state *st,
                             const struct pol_event *ev, struct pol_state *next)
{
    struct pol_state s = *st;
    struct pol_action a;

    if (!pol_state_valid(st)) {
        a = act(POL_ACT_IGNORE, st->active, POL_WHY_BAD_STATE);
    } else if (!event_valid(ev)) {
        a = act(POL_ACT_IGNORE, st->active, POL_WHY_BAD_EVENT);
    } else {
        a = step(cfg, &s, ev);
        if (!pol_keeps_everything(st, ev, &a)) {
            bool asked = st->phase == POL_PH_RUN &&
                         (ev->kind == POL_EV_SLEEP || ev->kind == POL_EV_RESET);
            a = act(asked ? POL_ACT_REFUSE : POL_ACT_IGNORE, st->active, POL_WHY_WOULD_LOSE);
            s = *st;
        }
    }
    *next = s;
    return a;
}
