/* SPDX-License-Identifier: MIT */
/*
 * Option negotiation, RFC 2347: the client appends name/value pairs to its
 * request; a server that knows them answers with an OACK naming the ones it
 * takes (possibly with smaller values), one that does not just starts the
 * transfer, which means RFC 1350 defaults. Values: blksize RFC 2348,
 * timeout and tsize RFC 2349, windowsize RFC 7440.
 */
#include "internal.h"

size_t xf_build_request(struct xfer *x, const char *filename)
{
    struct pkt_builder b;

    xf_pb_init(&b, x->ctl, XFER_REQUEST_MAX, x->dir == XFER_GET ? XFER_OP_RRQ : XFER_OP_WRQ);
    xf_pb_str(&b, filename);
    xf_pb_str(&b, "octet");
    if (x->ask_blksize) {
        xf_pb_str(&b, "blksize");
        xf_pb_u64(&b, x->ask_blksize);
    }
    if (x->ask_window) {
        xf_pb_str(&b, "windowsize");
        xf_pb_u64(&b, x->ask_window);
    }
    if (x->ask_timeout) {
        xf_pb_str(&b, "timeout");
        xf_pb_u64(&b, x->ask_timeout);
    }
    if (x->ask_tsize) {
        /* RFC 2349: 0 in a read request asks the server for the size. */
        xf_pb_str(&b, "tsize");
        xf_pb_u64(&b, x->dir == XFER_GET ? 0 : x->ask_size);
    }
    x->asked_options = x->ask_blksize || x->ask_window || x->ask_timeout || x->ask_tsize;
    x->ctl_len = b.overflow ? 0 : (uint16_t)b.len;
    return x->ctl_len;
}

void xf_take_defaults(struct xfer *x)
{
    x->params.blksize = XFER_BLKSIZE_DEFAULT;
    x->params.windowsize = 1;
    x->params.options = false;
}

/* Why the OACK is refused, naming the option: `OACK "blksize" "70000": ...`.
 * RFC 2347: the client refuses unacceptable values with ERROR 8. */
static struct text *oack_bad(struct xfer *x, struct text *t, const char *name, const char *value)
{
    xf_detail(x, t);
    xf_tx_str(t, "OACK");
    if (name) {
        xf_tx_str(t, " ");
        xf_tx_quoted(t, name, XFER_REQUEST_MAX, 24);
    }
    if (value) {
        xf_tx_str(t, " ");
        xf_tx_quoted(t, value, XFER_REQUEST_MAX, 24);
    }
    xf_tx_str(t, ": ");
    return t;
}

static bool refuse(struct xfer *x)
{
    xf_fail(x, XFER_E_OPTIONS, XFER_TFTP_OPTIONS);
    return false;
}

static bool refuse_range(struct xfer *x, const char *name, const char *value, uint64_t lo, uint64_t hi)
{
    struct text t;

    oack_bad(x, &t, name, value);
    xf_tx_str(&t, "not within ");
    xf_tx_u64(&t, lo);
    xf_tx_str(&t, "..");
    xf_tx_u64(&t, hi);
    xf_tx_str(&t, ", the value asked");
    return refuse(x);
}

bool xf_take_oack(struct xfer *x, const uint8_t *pkt, size_t len)
{
    struct str_walk w = {pkt + 2, pkt + len};
    unsigned seen = 0;
    bool bad = false;
    const char *name;
    struct text t;

    x->params.blksize = XFER_BLKSIZE_DEFAULT;
    x->params.windowsize = 1;
    x->params.options = true;
    while ((name = xf_sw_next(&w, &bad))) {
        const char *value = xf_sw_next(&w, &bad);
        unsigned bit = 0;
        uint64_t v;

        if (!value) {
            xf_tx_str(oack_bad(x, &t, name, NULL), "option without a value");
            return refuse(x);
        }
        if (xf_str_ieq(name, "blksize") && x->ask_blksize)
            bit = XFER_HAVE_BLKSIZE;
        else if (xf_str_ieq(name, "windowsize") && x->ask_window)
            bit = XFER_HAVE_WINDOWSIZE;
        else if (xf_str_ieq(name, "timeout") && x->ask_timeout)
            bit = XFER_HAVE_TIMEOUT;
        else if (xf_str_ieq(name, "tsize") && x->ask_tsize)
            bit = XFER_HAVE_TSIZE;
        if (!bit) {
            xf_tx_str(oack_bad(x, &t, name, value), "an option we did not ask for");
            return refuse(x);
        }
        if (seen & bit) {
            xf_tx_str(oack_bad(x, &t, name, value), "option named twice");
            return refuse(x);
        }
        seen |= bit;
        if (!xf_parse_u64(value, &v)) {
            xf_tx_str(oack_bad(x, &t, name, value), "not a decimal number");
            return refuse(x);
        }
        switch (bit) {
        case XFER_HAVE_BLKSIZE:
            if (v < XFER_BLKSIZE_MIN || v > x->ask_blksize)
                return refuse_range(x, name, value, XFER_BLKSIZE_MIN, x->ask_blksize);
            x->params.blksize = (uint16_t)v;
            break;
        case XFER_HAVE_WINDOWSIZE:
            if (v < 1 || v > x->ask_window)
                return refuse_range(x, name, value, 1, x->ask_window);
            x->params.windowsize = (uint16_t)v;
            break;
        case XFER_HAVE_TIMEOUT:
            if (v != x->ask_timeout) {
                oack_bad(x, &t, name, value);
                xf_tx_str(&t, "RFC 2349 wants the timeout asked, ");
                xf_tx_u64(&t, x->ask_timeout);
                return refuse(x);
            }
            xf_timer_fix(x, (unsigned)v);
            break;
        case XFER_HAVE_TSIZE:
            x->params.tsize_known = true;
            x->params.tsize = x->dir == XFER_GET ? v : x->ask_size;
            break;
        }
    }
    if (bad) {
        xf_tx_str(oack_bad(x, &t, NULL, NULL), "last string not NUL-terminated");
        return refuse(x);
    }
    return true;
}

void xf_answer_options(struct xfer *x, const struct xfer_server_cfg *c)
{
    const struct xfer_request *r = c->req;
    uint32_t blk_max = c->blksize_max ? c->blksize_max : XFER_BLKSIZE_MAX;
    uint32_t win_max = c->windowsize_max ? c->windowsize_max : XFER_WINDOW_MAX;
    struct pkt_builder b;
    bool any = false;

    if (blk_max > XFER_BLKSIZE_MAX)
        blk_max = XFER_BLKSIZE_MAX;
    if (win_max > XFER_WINDOW_MAX)
        win_max = XFER_WINDOW_MAX;
    x->params.blksize = XFER_BLKSIZE_DEFAULT;
    x->params.windowsize = 1;
    xf_pb_init(&b, x->ctl, XFER_REQUEST_MAX, XFER_OP_OACK);
    if (r->have & XFER_HAVE_BLKSIZE) {
        /* RFC 2348: a server may answer with a smaller size. */
        uint32_t v = r->blksize < blk_max ? r->blksize : blk_max;

        if (x->sender && x->win_len - XFER_HEADER < v)
            v = (uint32_t)(x->win_len - XFER_HEADER);
        if (v >= XFER_BLKSIZE_MIN) {
            x->params.blksize = (uint16_t)v;
            xf_pb_str(&b, "blksize");
            xf_pb_u64(&b, v);
            any = true;
        }
    }
    if (r->have & XFER_HAVE_WINDOWSIZE) {
        uint64_t v = r->windowsize < win_max ? r->windowsize : win_max;

        if (x->sender && x->win_len / (XFER_HEADER + x->params.blksize) < v)
            v = x->win_len / (XFER_HEADER + x->params.blksize);
        if (v >= 1) {
            x->params.windowsize = (uint16_t)v;
            xf_pb_str(&b, "windowsize");
            xf_pb_u64(&b, v);
            any = true;
        }
    }
    if (r->have & XFER_HAVE_TIMEOUT) {
        xf_timer_fix(x, r->timeout_s);
        xf_pb_str(&b, "timeout");
        xf_pb_u64(&b, r->timeout_s);
        any = true;
    }
    if (r->have & XFER_HAVE_TSIZE) {
        if (r->dir == XFER_PUT || c->size_known) {
            x->params.tsize_known = true;
            x->params.tsize = r->dir == XFER_PUT ? r->tsize : c->size;
            xf_pb_str(&b, "tsize");
            xf_pb_u64(&b, x->params.tsize);
            any = true;
        }
    }
    x->params.options = any && !b.overflow;
    x->ctl_len = x->params.options ? (uint16_t)b.len : 0;
    if (!x->params.options) {
        x->params.blksize = XFER_BLKSIZE_DEFAULT;
        x->params.windowsize = 1;
        x->params.timeout_s = 0;
        x->params.tsize_known = false;
        x->rto = x->timing.rto_initial_us;
    }
}
