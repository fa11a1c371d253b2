/* SPDX-License-Identifier: MIT */
/*
 * The sending half: DATA out, ACKs in. With a window of W blocks (RFC 7440)
 * the sender keeps blocks acked+1 .. acked+W in flight, each in its own slot
 * of the caller's window memory, pulled from the data source exactly once.
 *
 * An ACK for the last block sent opens the next window. An ACK for an
 * earlier block means the receiver found a gap and is telling us where its
 * in-order data ends: we go back and send again from there (RFC 7440 §4).
 * A duplicate ACK changes nothing: answering it with DATA is the Sorcerer's
 * Apprentice bug (RFC 1123 §4.2.3.1), where every later packet doubles.
 *
 * TFTP's ACKs are cumulative and nothing else, so going back is all a
 * sender can do; what it can improve is how soon it learns that it must.
 * A gap inside the window is reported by the receiver at once (receiver.c).
 * A window whose last block or ACK is lost reveals nothing, nor does one
 * whose first block is lost (its gap report repeats the ACK we have): the
 * timer probes after twice the round trip rather than the full RTO
 * (timer.c), with the window's first unacknowledged block and the last one
 * sent. Whatever the receiver lacks, it answers: the first block fills a
 * gap at the window's start, and the last one then reports where the data
 * ends; the last block alone completes a window that lost only its tail;
 * duplicates (only our ACK was lost) make it repeat that ACK; beyond a gap
 * it reports the gap again. Two blocks instead of W. If it stays silent,
 * the RTO resends the window, backing off.
 */
#include "internal.h"

static uint8_t *slot(struct xfer *x, uint64_t block)
{
    return x->win + (size_t)(block % x->params.windowsize) * (XFER_HEADER + x->params.blksize);
}

static bool produce(struct xfer *x, uint64_t block, uint8_t *s)
{
    size_t got = 0;
    int rc = x->data.read(x->data.ctx, block, s + XFER_HEADER, x->params.blksize, &got);
    struct text t;

    if (rc || got > x->params.blksize) {
        xf_detail(x, &t);
        xf_tx_str(&t, "data source failed at block ");
        xf_tx_u64(&t, block);
        if (!rc)
            xf_tx_str(&t, " (it returned more bytes than asked)");
        xf_fail(x, XFER_E_SOURCE, rc >= 1 && rc <= 7 ? rc : XFER_TFTP_UNDEFINED);
        return false;
    }
    put16(s, XFER_OP_DATA);
    put16(s + 2, xf_wire_block(block));
    if (got < x->params.blksize) {
        x->last = block;
        x->last_len = (uint32_t)got;
    }
    return true;
}

/* Send what the window allows, from x->next on. */
static void pump(struct xfer *x, xfer_time_t now)
{
    bool sent = false;

    while (x->next <= x->acked + x->params.windowsize && (!x->last || x->next <= x->last)) {
        uint8_t *s = slot(x, x->next);
        size_t len;

        if (x->next > x->sent_max) {
            if (!produce(x, x->next, s))
                return;
            x->sent_max = x->next;
            if (!x->timing_on) {
                x->timing_on = true;
                x->timed_block = x->next;
                x->timed_at = now;
            }
        } else {
            x->stats.retransmits++;
        }
        len = x->next == x->last ? x->last_len : x->params.blksize;
        xf_send(x, s, XFER_HEADER + len);
        x->next++;
        sent = true;
    }
    if (!sent)
        return;
    /* Lock-step peers time out on their own and some restart their timer
     * on every packet (timer.c): no probe for them. */
    if (x->params.windowsize > 1 && !x->tries)
        xf_timer_arm_probe(x, now);
    else
        xf_timer_arm(x, now);
}

void xf_snd_begin(struct xfer *x, xfer_time_t now)
{
    x->acked = 0;
    x->next = 1;
    x->sent_max = 0;
    x->last = 0;
    x->timing_on = false;
    x->probe_due = false;
    xf_timer_progress(x, now);
    pump(x, now);
}

void xf_snd_ack(struct xfer *x, xfer_time_t now, uint16_t wire)
{
    uint64_t a = xf_unwrap_block(x->acked, wire);

    if (a == UINT64_MAX || a < x->acked || a > x->sent_max) {
        /* Stale (an old window) or for a block never sent. */
        x->stats.ignored++;
        return;
    }
    if (a == x->acked) {
        x->stats.duplicates++;
        return;
    }
    if (x->timing_on && a >= x->timed_block)
        xf_timer_sample(x, now - x->timed_at);
    x->stats.blocks = a;
    x->stats.bytes = a == x->last ? (a - 1) * x->params.blksize + x->last_len : a * x->params.blksize;
    x->acked = a;
    xf_timer_progress(x, now);
    if (x->last && a == x->last) {
        xf_finish(x, now);
        return;
    }
    if (a + 1 < x->next) {
        /* A gap at the receiver: what we sent after `a` was dropped there. */
        x->next = a + 1;
        x->timing_on = false;
    }
    pump(x, now);
}

static void resend(struct xfer *x, uint64_t b)
{
    x->stats.retransmits++;
    xf_send(x, slot(x, b), XFER_HEADER + (b == x->last ? x->last_len : x->params.blksize));
}

void xf_snd_timeout(struct xfer *x, xfer_time_t now)
{
    x->stats.timeouts++;
    if (x->probe_due) {
        /* Not a timeout yet: the RTO is neither spent nor backed off, and
         * the round trip stays timed (an ACK the probe brings measures
         * long, which errs on the safe side). */
        x->stats.probes++;
        if (x->next - 1 > x->acked + 1)
            resend(x, x->acked + 1);
        resend(x, x->next - 1);
        xf_timer_arm(x, now);
        return;
    }
    if (!xf_timer_backoff(x)) {
        xf_give_up(x, now, "no ACK for block ", x->acked + 1);
        return;
    }
    x->next = x->acked + 1;
    pump(x, now);
}
