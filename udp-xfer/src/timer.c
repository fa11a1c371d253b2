/* SPDX-License-Identifier: MIT */
/*
 * The retransmission timer. Round trips are measured as RFC 6298 §2 does
 * (smoothed RTT and its variance, RTO = SRTT + 4 RTTVAR, clamped), only on
 * blocks sent once (Karn's rule: an ACK after a retransmission cannot tell
 * which copy it answers), and every timeout doubles the RTO until the
 * ceiling (§5.5). Progress brings the RTO back to the estimate. When the
 * peers agreed on RFC 2349's timeout option, the timer is that many seconds
 * and nothing else.
 *
 * A lock-step receiver (windowsize 1) leaves recovery to the sender and
 * never times out faster than rto_initial: RFC 1350 senders retransmit DATA
 * on their own timer, and some (tftpd-hpa) restart that timer on every
 * packet they receive, even a stale ACK, so a receiver re-ACKing faster than
 * the sender's timeout would keep it from ever retransmitting the lost block.
 * For the same reason the backoff, however small the RTO, jumps to at least
 * rto_initial after ESCALATE timeouts in a row: a receiver that ignores
 * repeated blocks (atftp) re-ACKs only when its own timer runs out, which
 * a sender retransmitting every few milliseconds never lets happen.
 *
 * In a window, both sides act before the RTO once, after twice the
 * smoothed round trip (TCP's tail loss probe, RFC 8985 §7): a window's ACK
 * is due one round trip after the window left, and the rest of a window is
 * due right behind its first block. When the window's last block or its
 * ACK is lost, nothing that follows can reveal the loss, and the full RTO
 * (with its 1 ms floor, several window times on a LAN) is what a loss would
 * cost. So the sender probes (sender.c) and the receiver ACKs what it has
 * (receiver.c) early: a datagram or two that the peer answers, cheap if it
 * was premature. The RTO, not backed off by it, governs everything after.
 */
#include "internal.h"

#define RTO_INITIAL 1000000u
#define RTO_MIN 1000u
#define RTO_MAX 6000000u
#define RETRIES 10u
#define ESCALATE 3u

void xf_timer_init(struct xfer *x)
{
    struct xfer_timing *t = &x->timing;

    if (!t->rto_initial_us)
        t->rto_initial_us = RTO_INITIAL;
    if (!t->rto_min_us)
        t->rto_min_us = RTO_MIN;
    if (!t->rto_max_us)
        t->rto_max_us = RTO_MAX;
    if (t->rto_max_us < t->rto_min_us)
        t->rto_max_us = t->rto_min_us;
    if (!t->retries)
        t->retries = RETRIES;
    x->rto = t->rto_initial_us;
    x->have_rtt = false;
    x->timing_on = false;
    x->probe_due = false;
    x->tries = 0;
}

static uint32_t estimate(const struct xfer *x)
{
    uint64_t rto;

    if (x->params.timeout_s)
        return (uint32_t)x->params.timeout_s * 1000000u;
    if (!x->have_rtt)
        return x->timing.rto_initial_us;
    rto = (uint64_t)x->srtt + 4 * (uint64_t)x->rttvar;
    if (rto < x->timing.rto_min_us)
        rto = x->timing.rto_min_us;
    if (!x->sender && x->phase == PH_DATA && x->params.windowsize == 1 && rto < x->timing.rto_initial_us)
        rto = x->timing.rto_initial_us;
    if (rto > x->timing.rto_max_us)
        rto = x->timing.rto_max_us;
    return (uint32_t)rto;
}

uint32_t xf_timer_probe(const struct xfer *x)
{
    uint64_t pto = 2 * (uint64_t)x->srtt;

    /* An agreed timeout (RFC 2349) is the peers' contract: no early probe. */
    if (x->params.timeout_s || !x->have_rtt)
        return x->rto;
    if (pto < x->timing.rto_min_us / 4)
        pto = x->timing.rto_min_us / 4;
    return pto < x->rto ? (uint32_t)pto : x->rto;
}

void xf_timer_fix(struct xfer *x, unsigned seconds)
{
    x->params.timeout_s = (uint8_t)seconds;
    x->rto = estimate(x);
}

void xf_timer_arm(struct xfer *x, xfer_time_t now)
{
    x->deadline = now + x->rto;
    x->probe_due = false;
}

void xf_timer_arm_probe(struct xfer *x, xfer_time_t now)
{
    x->deadline = now + xf_timer_probe(x);
    x->probe_due = true;
}

void xf_timer_sample(struct xfer *x, xfer_time_t rtt)
{
    uint32_t r = rtt > 60000000u ? 60000000u : (uint32_t)rtt;

    x->timing_on = false;
    if (!x->have_rtt) {
        x->srtt = r;
        x->rttvar = r / 2;
        x->have_rtt = true;
    } else {
        uint32_t err = x->srtt > r ? x->srtt - r : r - x->srtt;

        x->rttvar = x->rttvar - x->rttvar / 4 + err / 4;
        x->srtt = x->srtt - x->srtt / 8 + r / 8;
    }
    x->rto = estimate(x);
}

bool xf_timer_backoff(struct xfer *x)
{
    x->timing_on = false;
    if (++x->tries > x->timing.retries)
        return false;
    if (!x->params.timeout_s) {
        uint64_t r = (uint64_t)x->rto * 2;

        if (x->tries >= ESCALATE && r < x->timing.rto_initial_us)
            r = x->timing.rto_initial_us;
        x->rto = (uint32_t)(r > x->timing.rto_max_us ? x->timing.rto_max_us : r);
    }
    return true;
}

void xf_timer_progress(struct xfer *x, xfer_time_t now)
{
    x->tries = 0;
    x->progress_at = now;
    x->rto = estimate(x);
}
