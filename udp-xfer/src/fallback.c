/* SPDX-License-Identifier: MIT */
/*
 * Falling back to frame-sized blocks (xfer_client_cfg.fallback_blksize).
 * A block larger than the path MTU travels as IP fragments and is lost
 * whole when any one fragment is: at 1% frame loss, 36% of 65464-byte
 * blocks (45 frames) never arrive, and the kernel's reassembly queue fills
 * with the rest. TFTP cannot change the block size mid-transfer, so a
 * receiving client that keeps losing large blocks ends the transfer and
 * asks again with blocks that fit a frame; the sink is handed only the
 * bytes it has not had yet, still exactly once and in order.
 */
#include "internal.h"

bool xf_should_fall_back(const struct xfer *x)
{
    uint64_t blocks = x->next ? x->next - 1 : 0;

    if (x->server || x->sender || x->fell_back || !x->fallback_blksize ||
        x->params.blksize <= x->fallback_blksize || x->phase != PH_DATA)
        return false;
    /* A silent stretch (3 timeouts in a row), or gaps in more than one
     * block in 20: either way, not a path for blocks this large. */
    return x->tries >= 3 || (x->losses >= 8 && (uint64_t)x->losses * 20 > blocks);
}

void xf_fall_back(struct xfer *x, xfer_time_t now)
{
    uint8_t pkt[64];
    uint16_t was = x->params.blksize;

    x->stats.fallbacks++;
    /* Let the server's session go (RFC 1350 §7: an ERROR ends it). */
    x->stats.packets_out++;
    x->net.send(x->net.ctx, &x->peer, pkt,
                xfer_error_packet(pkt, sizeof pkt, XFER_TFTP_UNDEFINED, "blocks lost: asking again with smaller blocks"));
    x->abandoned = x->peer;
    x->fell_back = true;
    x->skip = x->stats.bytes;
    x->peer = x->origin;
    x->locked = false;
    x->ask_blksize = x->fallback_blksize;
    x->params.blksize = XFER_BLKSIZE_DEFAULT;
    x->params.windowsize = 1;
    x->params.options = false;
    x->acked = x->next = x->last = x->nudged = 0;
    x->losses = 0;
    x->fallback_from = was;
    xf_timer_init(x);
    xf_build_request(x, x->file);
    x->phase = PH_NEGOTIATE;
    xf_send_ctl(x, false);
    x->timing_on = true;
    x->timed_at = now;
    x->progress_at = now;
    xf_timer_arm(x, now);
}
