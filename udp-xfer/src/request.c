/* SPDX-License-Identifier: MIT */
/*
 * A server's first look at a datagram on its well-known port: an RRQ or WRQ
 * (RFC 1350 §5: opcode, file name NUL, mode NUL) with RFC 2347 options
 * after it. Option names are case-insensitive; values out of their RFC's
 * range, unknown options and repeats are ignored, as RFC 2347 lets a
 * server do, so that a client asking too much still gets served.
 */
#include "internal.h"

static enum xfer_err bad(uint16_t *code, const char **problem, uint16_t c, const char *why)
{
    *code = c;
    *problem = why;
    return XFER_E_REQUEST;
}

static void take_option(struct xfer_request *r, const char *name, uint64_t v)
{
    if (xf_str_ieq(name, "blksize") && !(r->have & XFER_HAVE_BLKSIZE)) {
        if (v >= XFER_BLKSIZE_MIN) {
            r->blksize = v > XFER_BLKSIZE_MAX ? XFER_BLKSIZE_MAX : (uint16_t)v;
            r->have |= XFER_HAVE_BLKSIZE;
        }
    } else if (xf_str_ieq(name, "windowsize") && !(r->have & XFER_HAVE_WINDOWSIZE)) {
        if (v >= 1 && v <= 65535) {   /* RFC 7440 §3 */
            r->windowsize = (uint16_t)v;
            r->have |= XFER_HAVE_WINDOWSIZE;
        }
    } else if (xf_str_ieq(name, "timeout") && !(r->have & XFER_HAVE_TIMEOUT)) {
        if (v >= XFER_TIMEOUT_MIN && v <= XFER_TIMEOUT_MAX) {
            r->timeout_s = (uint8_t)v;
            r->have |= XFER_HAVE_TIMEOUT;
        }
    } else if (xf_str_ieq(name, "tsize") && !(r->have & XFER_HAVE_TSIZE)) {
        /* RFC 2349: 0 in a read request; the size in a write request. */
        if (r->dir == XFER_PUT || v == 0) {
            r->tsize = v;
            r->have |= XFER_HAVE_TSIZE;
        }
    }
}

enum xfer_err xfer_parse_request(const void *pkt, size_t len, struct xfer_request *r,
                                 uint16_t *code, const char **problem)
{
    const uint8_t *p = pkt;
    struct str_walk w = {p + 2, p + len};
    const char *name;
    bool unterminated = false;
    uint16_t op;

    *r = (struct xfer_request){0};
    if (len < 2)
        return bad(code, problem, XFER_TFTP_ILLEGAL, "request shorter than its opcode");
    op = get16(p);
    if (op != XFER_OP_RRQ && op != XFER_OP_WRQ)
        return bad(code, problem, XFER_TFTP_ILLEGAL, "not a read or write request");
    r->dir = op == XFER_OP_RRQ ? XFER_GET : XFER_PUT;
    r->filename = xf_sw_next(&w, &unterminated);
    r->mode = xf_sw_next(&w, &unterminated);
    if (!r->filename || !r->mode)
        return bad(code, problem, XFER_TFTP_ILLEGAL, "request without a NUL-terminated file name and mode");
    if (!*r->filename)
        return bad(code, problem, XFER_TFTP_ILLEGAL, "request with an empty file name");
    if (!xf_str_ieq(r->mode, "octet"))
        return bad(code, problem, XFER_TFTP_ILLEGAL, "only octet mode is served");
    while ((name = xf_sw_next(&w, &unterminated))) {
        const char *value = xf_sw_next(&w, &unterminated);
        uint64_t v;

        if (!value)
            break;
        if (xf_parse_u64(value, &v))
            take_option(r, name, v);
    }
    if (unterminated)
        return bad(code, problem, XFER_TFTP_ILLEGAL, "request options not NUL-terminated");
    *code = 0;
    *problem = NULL;
    return XFER_OK;
}
