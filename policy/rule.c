/* SPDX-License-Identifier: MIT */
/*
 * "Nothing lost" (DESIGN.md, "Switch flow"), stated apart from the engine
 * that is meant to obey it, so that pol_decide() can check every action it
 * takes against it and so that a mistake in one is not repeated in the other.
 *
 * An OS is lost when the only copy of its state is destroyed while it did
 * not ask to go down. Copies are destroyed by powering off or resetting
 * (all RAM), by dropping the active OS in a swap or restore (its shared
 * set), and by consuming a store image.
 */
#include "internal.h"

/* The active OS asked to go down (S4, S5, reset) and may be dropped. */
static bool active_asked_down(const struct pol_state *st, const struct pol_event *ev)
{
    if (st->phase == POL_PH_RUN)
        return ev->kind == POL_EV_RESET ||
               (ev->kind == POL_EV_SLEEP && (ev->sstate == 4 || ev->sstate == 5));
    if (st->phase == POL_PH_PERSIST || st->phase == POL_PH_RESTORE || st->phase == POL_PH_DISCARD)
        return st->req == 4 || st->req == 5 || st->req == POL_REQ_RESET;
    return false;
}

bool pol_keeps_everything(const struct pol_state *st, const struct pol_event *ev,
                          const struct pol_action *a)
{
    /* The active OS's image has just been committed (first switch). */
    bool active_saved = st->phase == POL_PH_SAVE && ev->kind == POL_EV_WRITE_OK;
    bool active_expendable = active_saved || active_asked_down(st, ev);
    /* The parked OS is in RAM only, unless its persist has just committed. */
    bool parked_ram_only = st->parked == POL_PARK_RAM &&
                           !(st->phase == POL_PH_PERSIST && ev->kind == POL_EV_WRITE_OK);

    switch (a->kind) {
    case POL_ACT_POWEROFF:
    case POL_ACT_RESET:
        return active_expendable && !parked_ram_only;
    case POL_ACT_SWAP:
        /* Only to where the other OS really is, dropping the active one
         * only if it asked to go down. */
        return st->parked == POL_PARK_RAM && a->os == pol_other(st->active) &&
               (a->park || active_expendable);
    case POL_ACT_RESTORE:
        return st->parked == POL_PARK_STORE && a->slot == st->slot &&
               a->os == pol_other(st->active) && (a->park || active_expendable);
    case POL_ACT_DISCARD:
        /* An image is consumed only once it has been read and verified. */
        return st->phase == POL_PH_RESTORE && ev->kind == POL_EV_READ_OK && a->slot == st->slot;
    default:
        return true;
    }
}
