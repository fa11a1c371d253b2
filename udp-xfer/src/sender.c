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
 * Only the timer retransmits: first a probe, then the window.
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
    if (sent)
        xf_timer_arm(x, now);
}

void xf_snd_begin(struct xfer *x, xfer_time_t now)
{
    x->acked = 0;
    x->next = 1;
    x->sent_max = 0;
    x->last = 0;
    x->timing_on = false;
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

void xf_snd_timeout(struct xfer *x, xfer_time_t now)
{
    x->stats.timeouts++;
    if (!xf_timer_backoff(x)) {
        xf_give_up(x, now, "no ACK for block ", x->acked + 1);
        return;
    }
    if (x->tries == 1 && x->next > x->acked + 2) {
        /* First timeout: probe with the last block sent instead of the
         * whole window. Whatever the receiver lacks, it answers: in order
         * (only the tail was lost) it completes the window and ACKs it;
         * beyond a gap it reports the gap; a duplicate (only our ACK was
         * lost) makes it repeat its last ACK. One block instead of W. If it
         * stays silent, the next timeout resends the window. */
        uint64_t b = x->next - 1;
        size_t len = b == x->last ? x->last_len : x->params.blksize;

        x->stats.retransmits++;
        xf_send(x, slot(x, b), XFER_HEADER + len);
        xf_timer_arm(x, now);
        return;
    }
    x->next = x->acked + 1;
    pump(x, now);
}
