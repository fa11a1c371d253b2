/* SPDX-License-Identifier: MIT */
/*
 * A running transfer: sorting every datagram by who sent it and what it is,
 * the timer's tick, and the end (done, failed, aborted).
 * Transfer IDs are RFC 1350 §4's: a client learns the server's port from
 * its first answer and from then on talks only to that port; anything from
 * elsewhere gets ERROR 5 and changes nothing.
 */
#include <string.h>

#include "internal.h"

static bool same_host(const struct xfer_endpoint *a, const struct xfer_endpoint *b)
{
    size_t n = a->family == 6 ? 16 : 4;

    return a->family == b->family && !memcmp(a->addr, b->addr, n);
}

static bool same_endpoint(const struct xfer_endpoint *a, const struct xfer_endpoint *b)
{
    return same_host(a, b) && a->port == b->port;
}

void xf_send(struct xfer *x, const void *pkt, size_t len)
{
    x->stats.packets_out++;
    x->net.send(x->net.ctx, &x->peer, pkt, len);
}

void xf_send_ctl(struct xfer *x, bool again)
{
    if (again)
        x->stats.retransmits++;
    xf_send(x, x->ctl, x->ctl_len);
}

struct text *xf_detail(struct xfer *x, struct text *t)
{
    xf_tx_init(t, x->detail, sizeof x->detail);
    return t;
}

void xf_fail(struct xfer *x, enum xfer_err err, int code)
{
    if (code >= 0 && x->locked) {
        uint8_t pkt[XFER_HEADER + XFER_DETAIL_MAX];

        xf_send(x, pkt, xfer_error_packet(pkt, sizeof pkt, (uint16_t)code, x->detail));
    }
    x->err = err;
    x->phase = PH_FAILED;
    x->deadline = XFER_NEVER;
}

void xf_finish(struct xfer *x, xfer_time_t now)
{
    if (!x->sender && x->timing.dally_us) {
        x->phase = PH_DALLY;
        x->deadline = now + x->timing.dally_us;
    } else {
        x->phase = PH_DONE;
        x->deadline = XFER_NEVER;
    }
}

void xf_give_up(struct xfer *x, xfer_time_t now, const char *what, uint64_t block)
{
    xfer_time_t ms = (now - x->progress_at) / 1000;
    struct text t;

    xf_detail(x, &t);
    xf_tx_str(&t, what);
    if (block)
        xf_tx_u64(&t, block);
    xf_tx_str(&t, " after ");
    xf_tx_u64(&t, x->timing.retries);
    xf_tx_str(&t, " retransmissions over ");
    xf_tx_u64(&t, ms / 1000);
    xf_tx_str(&t, ".");
    xf_tx_u64(&t, ms % 1000 / 100);
    xf_tx_str(&t, " s");
    xf_fail(x, XFER_E_TIMEOUT, -1);
}

/* A datagram from somewhere else than our peer: RFC 1350 §4 says answer it
 * with an error and carry on. Never answer an ERROR, lest two confused
 * hosts bounce errors forever. */
static void foreign(struct xfer *x, const struct xfer_endpoint *from, const uint8_t *pkt, size_t len)
{
    uint8_t reply[40];

    x->stats.foreign++;
    if (len >= 2 && get16(pkt) == XFER_OP_ERROR)
        return;
    x->stats.packets_out++;
    x->net.send(x->net.ctx, from, reply,
                xfer_error_packet(reply, sizeof reply, XFER_TFTP_UNKNOWN_TID, "Unknown transfer ID"));
}

static const char *peer_word(const struct xfer *x)
{
    return x->server ? "client" : "server";
}

static void protocol_error(struct xfer *x, const char *what)
{
    struct text t;

    xf_tx_str(xf_detail(x, &t), what);
    xf_fail(x, XFER_E_PROTOCOL, XFER_TFTP_ILLEGAL);
}

static const char *op_name(uint16_t op)
{
    static const char *const names[] = {"RRQ", "WRQ", "DATA", "ACK", "ERROR", "OACK"};

    return op >= XFER_OP_RRQ && op <= XFER_OP_OACK ? names[op - 1] : NULL;
}

/* An opcode with no place at this point of the transfer. */
static void unexpected(struct xfer *x, uint16_t op, const char *when)
{
    struct text t;

    xf_detail(x, &t);
    if (op_name(op)) {
        xf_tx_str(&t, "unexpected ");
        xf_tx_str(&t, op_name(op));
    } else {
        xf_tx_str(&t, "unknown opcode ");
        xf_tx_u64(&t, op);
    }
    xf_tx_str(&t, when);
    xf_fail(x, XFER_E_PROTOCOL, XFER_TFTP_ILLEGAL);
}

static void peer_error(struct xfer *x, xfer_time_t now, const uint8_t *pkt, size_t len)
{
    uint16_t code = len >= XFER_HEADER ? get16(pkt + 2) : 0;
    const char *msg = len > XFER_HEADER ? (const char *)pkt + XFER_HEADER : "";
    size_t n = len > XFER_HEADER ? len - XFER_HEADER : 0;
    struct text t;

    if (!x->server && x->phase == PH_NEGOTIATE && code == XFER_TFTP_OPTIONS && x->asked_options &&
        x->may_retry_plain) {
        /* The server refuses options outright: ask again as RFC 1350 does,
         * from the top (the refusing server process is gone). The request
         * in ctl loses everything after its mode string. */
        struct str_walk w = {x->ctl + 2, x->ctl + x->ctl_len};
        bool bad = false;

        xf_sw_next(&w, &bad);
        xf_sw_next(&w, &bad);
        x->ctl_len = (uint16_t)(w.p - x->ctl);
        x->may_retry_plain = false;
        x->asked_options = false;
        x->ask_blksize = x->ask_window = x->ask_timeout = 0;
        x->ask_tsize = false;
        xf_timer_init(x);
        xf_send_ctl(x, false);
        x->timing_on = true;
        x->timed_at = now;
        x->progress_at = now;
        xf_timer_arm(x, now);
        return;
    }
    x->peer_code = code;
    xf_detail(x, &t);
    xf_tx_str(&t, peer_word(x));
    xf_tx_str(&t, " error ");
    xf_tx_u64(&t, code);
    xf_tx_str(&t, " (");
    xf_tx_str(&t, xfer_tftp_code_text(code));
    xf_tx_str(&t, ")");
    if (len < XFER_HEADER) {
        xf_tx_str(&t, ", in a truncated ERROR packet");
    } else if (n && *msg) {
        xf_tx_str(&t, ": ");
        xf_tx_quoted(&t, msg, n, 100);
    }
    xf_fail(x, XFER_E_PEER, -1);
}

/* The first answer to a client's request fixes the server's TID. */
static void lock(struct xfer *x, xfer_time_t now, const struct xfer_endpoint *from)
{
    x->peer = *from;
    x->locked = true;
    if (x->timing_on && !x->tries)
        xf_timer_sample(x, now - x->timed_at);
    xf_timer_progress(x, now);
}

static void negotiate(struct xfer *x, xfer_time_t now, const struct xfer_endpoint *from, uint16_t op,
                      const uint8_t *pkt, size_t len)
{
    bool client_get = !x->server && x->dir == XFER_GET;

    if (x->server) {
        /* Our OACK to a read request waits for ACK 0. */
        if (op == XFER_OP_ACK && len >= XFER_HEADER && get16(pkt + 2) == 0) {
            xf_timer_progress(x, now);
            if (x->timing_on && !x->tries)
                xf_timer_sample(x, now - x->timed_at);
            x->phase = PH_DATA;
            xf_snd_begin(x, now);
        } else if (op == XFER_OP_ACK) {
            x->stats.ignored++;
        } else {
            unexpected(x, op, " while waiting for ACK 0 after our OACK");
        }
        return;
    }
    if (op == XFER_OP_OACK) {
        lock(x, now, from);
        if (!xf_take_oack(x, pkt, len))
            return;
        x->phase = PH_DATA;
        if (client_get) {
            x->ctl_len = (uint16_t)xf_build_ack(x->ctl, 0);
            xf_send_ctl(x, false);
            xf_timer_arm(x, now);
            xf_rcv_begin(x, now);
        } else {
            xf_snd_begin(x, now);
        }
    } else if (client_get && op == XFER_OP_DATA && len >= XFER_HEADER && get16(pkt + 2) == 1) {
        lock(x, now, from);
        xf_take_defaults(x);
        x->phase = PH_DATA;
        xf_rcv_begin(x, now);
        xf_rcv_data(x, now, pkt, len);
    } else if (!client_get && op == XFER_OP_ACK && len >= XFER_HEADER && get16(pkt + 2) == 0) {
        lock(x, now, from);
        xf_take_defaults(x);
        x->phase = PH_DATA;
        xf_snd_begin(x, now);
    } else {
        /* Not an answer to our request (yet): the server may still answer. */
        x->stats.ignored++;
    }
}

void xfer_input(struct xfer *x, xfer_time_t now, const struct xfer_endpoint *from, const void *data,
                size_t len)
{
    const uint8_t *pkt = data;
    uint16_t op;
    bool ours;

    if (x->phase == PH_DONE || x->phase == PH_FAILED)
        return;
    x->stats.packets_in++;
    /* Late datagrams of the transfer given up for smaller blocks. */
    if (x->fell_back && same_endpoint(from, &x->abandoned)) {
        x->stats.ignored++;
        return;
    }
    ours = x->locked ? same_endpoint(from, &x->peer) : same_host(from, &x->peer);
    if (!ours) {
        foreign(x, from, pkt, len);
        return;
    }
    if (len < 2) {
        if (x->locked)
            protocol_error(x, "a datagram of less than 2 bytes is not TFTP");
        else
            x->stats.ignored++;
        return;
    }
    op = get16(pkt);
    if (op == XFER_OP_ERROR) {
        if (x->phase != PH_DALLY)
            peer_error(x, now, pkt, len);
        return;
    }
    if (x->phase == PH_DALLY) {
        if (op == XFER_OP_DATA)
            xf_rcv_data(x, now, pkt, len);
        else
            x->stats.ignored++;
        return;
    }
    if (x->phase == PH_NEGOTIATE) {
        negotiate(x, now, from, op, pkt, len);
        return;
    }
    switch (op) {
    case XFER_OP_DATA:
        if (x->sender)
            unexpected(x, op, " at the sending side");
        else
            xf_rcv_data(x, now, pkt, len);
        return;
    case XFER_OP_ACK:
        if (!x->sender)
            unexpected(x, op, " at the receiving side");
        else if (len < XFER_HEADER)
            protocol_error(x, "ACK packet shorter than 4 bytes");
        else
            xf_snd_ack(x, now, get16(pkt + 2));
        return;
    case XFER_OP_OACK:
        /* A repeated OACK: our ACK 0 was lost (read); for a write the
         * server has not seen DATA 1 yet and our timer will resend it. */
        x->stats.duplicates++;
        if (!x->sender && x->next == 1)
            xf_send_ctl(x, true);
        return;
    default:
        unexpected(x, op, " during the transfer");
        return;
    }
}

xfer_time_t xfer_deadline(const struct xfer *x)
{
    return x->phase == PH_DONE || x->phase == PH_FAILED ? XFER_NEVER : x->deadline;
}

void xfer_tick(struct xfer *x, xfer_time_t now)
{
    if (now < xfer_deadline(x))
        return;
    switch (x->phase) {
    case PH_NEGOTIATE:
        x->stats.timeouts++;
        if (!xf_timer_backoff(x)) {
            xf_give_up(x, now, x->server ? "no answer to our OACK" : "no answer to the request", 0);
            return;
        }
        xf_send_ctl(x, true);
        xf_timer_arm(x, now);
        return;
    case PH_DATA:
        if (x->sender)
            xf_snd_timeout(x, now);
        else
            xf_rcv_timeout(x, now);
        return;
    case PH_DALLY:
        x->phase = PH_DONE;
        x->deadline = XFER_NEVER;
        return;
    default:
        return;
    }
}

void xfer_abort(struct xfer *x, uint16_t code, const char *text)
{
    struct text t;

    if (x->phase == PH_DONE || x->phase == PH_FAILED)
        return;
    if (x->phase == PH_DALLY) {
        x->phase = PH_DONE;
        x->deadline = XFER_NEVER;
        return;
    }
    xf_detail(x, &t);
    xf_tx_str(&t, text);
    xf_fail(x, XFER_E_ABORTED, code);
}

enum xfer_state xfer_state(const struct xfer *x)
{
    switch (x->phase) {
    case PH_DALLY:
    case PH_DONE:
        return XFER_DONE;
    case PH_FAILED:
        return XFER_FAILED;
    default:
        return XFER_RUNNING;
    }
}

enum xfer_err xfer_error(const struct xfer *x)
{
    return x->err;
}

const struct xfer_params *xfer_params(const struct xfer *x)
{
    return &x->params;
}

const struct xfer_stats *xfer_stats(const struct xfer *x)
{
    return &x->stats;
}

uint16_t xfer_peer_code(const struct xfer *x)
{
    return x->peer_code;
}
