/* SPDX-License-Identifier: MIT */
/*
 * The receiving half: DATA in, ACKs out. Blocks are delivered to the sink
 * in order, straight from the datagram, so the receiver needs no window
 * memory. It acknowledges every W-th block (RFC 7440 §4; every block when
 * W is 1) and the last one. Anything out of order is dropped (see nudge),
 * and answered at once: the sender learns of a gap one round trip after
 * it, not a timeout later. A window that stops short (its tail lost) is
 * acknowledged as far as it came after twice the round trip (timer.c).
 *
 * The last ACK may be lost, leaving the sender to repeat the last block;
 * a receiver that dallies (xfer_timing.dally_us) answers that (RFC 1350 §6).
 */
#include "internal.h"

static void ack(struct xfer *x, uint64_t block, bool again)
{
    x->ctl_len = (uint16_t)xf_build_ack(x->ctl, block);
    x->acked = block;
    xf_send_ctl(x, again);
}

void xf_rcv_begin(struct xfer *x, xfer_time_t now)
{
    x->acked = 0;
    x->next = 1;
    x->nudged = 0;
    x->beyond_max = 0;
    x->last = 0;
    xf_timer_progress(x, now);
    /* The first block answers our ACK 0 / OACK: a round trip. */
    x->timing_on = !x->tries;
    x->timed_block = 0;
    x->timed_at = now;
}

/*
 * Something out of order came in; answer once per position (in a window). A block beyond
 * a gap means blocks were lost: ACK the last in-order block and the sender
 * goes back there. A duplicate of a block we acknowledged means either the
 * network repeated it or the sender went back after missing our last ACK;
 * repeating that ACK serves the second case and is a no-op in the first.
 * (ACKing the newest block instead would look to the sender like a gap
 * report and make it go back over blocks still in flight, whose copies
 * would arrive as new duplicates: a loop that multiplies traffic.)
 *
 * "Once per position" is once per pass of the sender over the gap: blocks
 * beyond it come in rising order while the sender streams its window, and
 * one of them arriving again (no higher than the highest seen) means the
 * sender is sending them again: it probed because our gap report was lost,
 * or went back and lost the same block again. That pass gets its answer
 * too, else the sender waits out its RTO.
 */
static void nudge(struct xfer *x, bool gap)
{
    /* In lock-step every copy of the acknowledged block is the sender's
     * retransmission, a pass of its own: if the one answer is lost, the
     * sender's timer gives up before a receiver's timeout comes (tftpd-hpa
     * with -T 20000 after 1.3 s, ours not before 1 s). */
    bool lockstep_repeat = !gap && x->params.windowsize == 1;
    if (x->nudged == x->next && !lockstep_repeat)
        return;
    x->nudged = x->next;
    if (gap)
        x->losses++;
    if (gap && x->next > 1)
        ack(x, x->next - 1, true);
    else if (x->acked)
        ack(x, x->acked, true);
    else
        xf_send_ctl(x, true);          /* our ACK 0 or OACK */
}

/* Block b to the sink, less what it had before a fallback (x->skip). */
static int deliver(struct xfer *x, uint64_t b, const uint8_t *src, size_t size)
{
    uint64_t at = (b - 1) * x->params.blksize, from = 0;
    int rc;

    if (at + size <= x->skip && size == x->params.blksize)
        return 0;
    if (at < x->skip)
        from = x->skip - at < size ? x->skip - at : size;
    if (size - from == 0 && size)
        return 0;
    rc = x->data.write(x->data.ctx, ++x->sink_block, src + from, size - (size_t)from);
    if (!rc)
        x->stats.bytes += size - from;
    return rc;
}

void xf_rcv_data(struct xfer *x, xfer_time_t now, const uint8_t *pkt, size_t len)
{
    size_t size = len - XFER_HEADER;
    uint64_t b;
    struct text t;
    int rc;

    if (len < XFER_HEADER) {
        xf_tx_str(xf_detail(x, &t), "DATA packet shorter than its 4-byte header");
        xf_fail(x, XFER_E_PROTOCOL, XFER_TFTP_ILLEGAL);
        return;
    }
    b = xf_unwrap_block(x->next, get16(pkt + 2));
    if (size > x->params.blksize) {
        xf_detail(x, &t);
        xf_tx_str(&t, "DATA block ");
        xf_tx_u64(&t, b == UINT64_MAX ? get16(pkt + 2) : b);
        xf_tx_str(&t, " carries ");
        xf_tx_u64(&t, size);
        xf_tx_str(&t, " bytes, more than the block size ");
        xf_tx_u64(&t, x->params.blksize);
        xf_fail(x, XFER_E_PROTOCOL, XFER_TFTP_ILLEGAL);
        return;
    }
    if (x->phase == PH_DALLY) {
        if (b == x->last) {
            x->stats.duplicates++;
            ack(x, b, true);
        } else {
            x->stats.ignored++;
        }
        return;
    }
    if (b != x->next) {
        bool gap = b != UINT64_MAX && b > x->next;

        if (gap) {
            x->stats.out_of_order++;
            if (b <= x->beyond_max)
                x->nudged = 0;
            x->beyond_max = b;
        } else {
            x->stats.duplicates++;
            /* A block we have but have not acknowledged yet: the network
             * repeated it, or the sender is going over the window again
             * or probing, and the block it lacks (if any) follows. Our
             * last ACK would only tell the sender what it knows. */
            if (b != UINT64_MAX && b > x->acked)
                return;
        }
        nudge(x, gap);
        if (xf_should_fall_back(x))
            xf_fall_back(x, now);
        return;
    }
    if (x->timing_on && b == x->timed_block + 1)
        xf_timer_sample(x, now - x->timed_at);
    rc = deliver(x, b, pkt + XFER_HEADER, size);
    if (rc) {
        xf_detail(x, &t);
        xf_tx_str(&t, "data sink failed at block ");
        xf_tx_u64(&t, b);
        xf_fail(x, XFER_E_SINK, rc >= 1 && rc <= 7 ? rc : XFER_TFTP_UNDEFINED);
        return;
    }
    x->stats.blocks = b;
    x->next = b + 1;
    xf_timer_progress(x, now);
    xf_timer_arm(x, now);
    if (size < x->params.blksize && (b - 1) * x->params.blksize + size < x->skip) {
        xf_detail(x, &t);
        xf_tx_str(&t, "the file is shorter than when asked for with larger blocks (");
        xf_tx_u64(&t, (b - 1) * x->params.blksize + size);
        xf_tx_str(&t, " bytes, ");
        xf_tx_u64(&t, x->skip);
        xf_tx_str(&t, " before)");
        xf_fail(x, XFER_E_PROTOCOL, XFER_TFTP_UNDEFINED);
        return;
    }
    if (size < x->params.blksize) {
        x->last = b;
        ack(x, b, false);
        xf_finish(x, now);
    } else if (b - x->acked >= x->params.windowsize) {
        ack(x, b, false);
        x->timing_on = true;
        x->timed_block = b;
        x->timed_at = now;
    } else if (x->params.windowsize > 1) {
        /* The rest of the window left right behind this block. */
        xf_timer_arm_probe(x, now);
    }
}

void xf_rcv_timeout(struct xfer *x, xfer_time_t now)
{
    x->stats.timeouts++;
    x->losses++;
    if (xf_should_fall_back(x)) {
        xf_fall_back(x, now);
        return;
    }
    if (x->probe_due) {
        /* The window stopped short: its tail was lost (or the sender is
         * slow, and this costs it a few duplicates). ACK what we have and
         * the sender goes on from there (RFC 7440 §4), a round trip after
         * the loss instead of an RTO. No backoff: the RTO is not spent. */
        x->stats.probes++;
        ack(x, x->next - 1, true);
        x->nudged = x->next;
        xf_timer_arm(x, now);
        return;
    }
    if (!xf_timer_backoff(x)) {
        xf_give_up(x, now, "no DATA block ", x->next);
        return;
    }
    if (x->next == 1)
        xf_send_ctl(x, true);
    else
        ack(x, x->next - 1, true);
    x->nudged = x->next;
    xf_timer_arm(x, now);
}
