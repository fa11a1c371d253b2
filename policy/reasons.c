/* SPDX-License-Identifier: MIT */
/*
 * Words for the engine's decisions: why, and one log line per decision
 * (STYLE.md: the VMM logs one line per event that matters).
 */
#include "internal.h"

const char *pol_reason_text(enum pol_reason why)
{
    switch (why) {
    case POL_WHY_NONE: return "no reason";
    case POL_WHY_BOOT: return "booted, nothing parked";
    case POL_WHY_BOOT_STORED: return "booted, the other OS waits in the store";
    case POL_WHY_SLEEP: return "a real sleep of this OS";
    case POL_WHY_WAKE: return "woke up";
    case POL_WHY_SWITCH_RAM: return "the other OS is parked in RAM";
    case POL_WHY_SWITCH_STORE: return "the other OS is in the store";
    case POL_WHY_SWITCH_FIRST: return "the other OS is not running: first switch";
    case POL_WHY_SAVED: return "image committed";
    case POL_WHY_RESTORED: return "image read and verified";
    case POL_WHY_SWITCHED: return "image consumed, switch complete";
    case POL_WHY_PERSIST: return "going down: the parked OS must not be lost";
    case POL_WHY_PERSISTED: return "parked OS persisted";
    case POL_WHY_DOWN: return "going down as asked, nothing parked in RAM";
    case POL_WHY_DOWN_SWITCH: return "this OS went down: the parked one comes back";
    case POL_WHY_DOWN_BOOT: return "this OS went down: the other one boots";
    case POL_WHY_SAVE_FAILED: return "store write failed: this OS stays";
    case POL_WHY_PERSIST_FAILED: return "store write failed: the parked OS comes back instead";
    case POL_WHY_READ_FAILED: return "store read failed: the image stays in the store";
    case POL_WHY_DISCARD_FAILED: return "could not consume the image: it stays in the store";
    case POL_WHY_NOT_SLEEP: return "not a sleep state";
    case POL_WHY_NOT_ACTIVE: return "the request came from the OS that is not running";
    case POL_WHY_UNEXPECTED: return "event not expected now";
    case POL_WHY_BAD_EVENT: return "malformed event";
    case POL_WHY_BAD_STATE: return "inconsistent state";
    case POL_WHY_WOULD_LOSE: return "refused: it would lose an OS";
    case POL_WHY_COUNT: break;
    }
    return "unknown reason";
}

bool pol_reason_is_refusal(enum pol_reason why)
{
    return why >= POL_WHY_SAVE_FAILED && why < POL_WHY_COUNT;
}

static char os_letter(uint8_t os)
{
    return os == POL_OS_A ? 'A' : os == POL_OS_B ? 'B' : '?';
}

static void event_text(struct pol_buf *b, const struct pol_event *ev)
{
    switch (ev->kind) {
    case POL_EV_BOOT:
        pol_buf_fmt(b, "boot %c", os_letter(ev->os));
        if (ev->slot != POL_SLOT_NONE)
            pol_buf_fmt(b, " (%c in slot %u)", os_letter(pol_other(ev->os)), ev->slot);
        return;
    case POL_EV_SLEEP: pol_buf_fmt(b, "%c S%u", os_letter(ev->os), ev->sstate); return;
    case POL_EV_RESET: pol_buf_fmt(b, "%c reset", os_letter(ev->os)); return;
    case POL_EV_RESUME: pol_buf_fmt(b, "wake"); return;
    case POL_EV_WRITE_OK: pol_buf_fmt(b, "store write ok (slot %u)", ev->slot); return;
    case POL_EV_WRITE_FAIL: pol_buf_fmt(b, "store write failed"); return;
    case POL_EV_READ_OK: pol_buf_fmt(b, "store read ok"); return;
    case POL_EV_READ_FAIL: pol_buf_fmt(b, "store read failed"); return;
    }
    pol_buf_fmt(b, "event %u", ev->kind);
}

static void action_text(struct pol_buf *b, const struct pol_action *a)
{
    char os = os_letter(a->os), other = os_letter(pol_other(a->os));
    const char *s3 = a->via_s3 ? " through S3" : "";

    switch (a->kind) {
    case POL_ACT_IGNORE: pol_buf_fmt(b, "ignore"); return;
    case POL_ACT_RESUME: pol_buf_fmt(b, "resume %c%s", os, s3); return;
    case POL_ACT_REFUSE: pol_buf_fmt(b, "refuse, %c runs on", os); return;
    case POL_ACT_PASS: pol_buf_fmt(b, "let %c sleep%s", os, a->arm_wake ? ", wake alarm armed" : ""); return;
    case POL_ACT_SWAP:
        pol_buf_fmt(b, "swap to %c%s, %c %s", os, s3, other, a->park ? "parked in RAM" : "dropped");
        return;
    case POL_ACT_SAVE: pol_buf_fmt(b, "save %c to the store", os); return;
    case POL_ACT_PERSIST: pol_buf_fmt(b, "persist %c to the store", os); return;
    case POL_ACT_RESTORE:
        pol_buf_fmt(b, "restore %c from slot %u, %c %s", os, a->slot, other,
                    a->park ? "parked in RAM" : "dropped");
        return;
    case POL_ACT_DISCARD: pol_buf_fmt(b, "consume slot %u (%c)", a->slot, os); return;
    case POL_ACT_POWEROFF:
        pol_buf_fmt(b, "power off%s", a->arm_wake ? ", wake alarm armed" : "");
        return;
    case POL_ACT_RESET: pol_buf_fmt(b, "reset, boot %c", os); return;
    }
    pol_buf_fmt(b, "action %u", a->kind);
}

size_t pol_action_format(const struct pol_action *a, char *buf, size_t n)
{
    struct pol_buf b;

    pol_buf_init(&b, buf, n);
    action_text(&b, a);
    return b.len;
}

size_t pol_decision_format(const struct pol_event *ev, const struct pol_action *a, char *buf,
                           size_t n)
{
    struct pol_buf b;

    pol_buf_init(&b, buf, n);
    event_text(&b, ev);
    pol_buf_fmt(&b, ": ");
    action_text(&b, a);
    pol_buf_fmt(&b, ": %s", pol_reason_text((enum pol_reason)a->why));
    return b.len;
}
