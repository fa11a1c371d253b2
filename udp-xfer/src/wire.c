/* SPDX-License-Identifier: MIT */
/*
 * The TFTP wire format: RFC 1350 §5 packets (2-byte opcode, then either a
 * 2-byte block number or NUL-terminated strings) and the RFC 2347 option
 * list (name NUL value NUL, repeated). Block numbers on the wire are 16 bits
 * and roll over from 65535 to 0; the engine counts them in 64.
 */
#include <string.h>

#include "internal.h"

void xf_pb_init(struct pkt_builder *b, uint8_t *buf, size_t cap, uint16_t opcode)
{
    b->p = buf;
    b->cap = cap;
    b->len = 2;
    b->overflow = cap < 2;
    if (!b->overflow)
        put16(buf, opcode);
}

void xf_pb_str(struct pkt_builder *b, const char *s)
{
    size_t n = strlen(s) + 1;

    if (b->overflow || b->cap - b->len < n) {
        b->overflow = true;
        return;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

void xf_pb_u64(struct pkt_builder *b, uint64_t v)
{
    char digits[21];

    xf_pb_str(b, xf_u64_dec(digits, v));
}

const char *xf_sw_next(struct str_walk *w, bool *bad)
{
    const uint8_t *s = w->p;

    if (s >= w->end)
        return NULL;
    while (w->p < w->end && *w->p)
        w->p++;
    if (w->p == w->end) {
        *bad = true;
        return NULL;
    }
    w->p++;
    return (const char *)s;
}

bool xf_parse_u64(const char *s, uint64_t *v)
{
    uint64_t r = 0;

    if (!*s)
        return false;
    for (; *s; s++) {
        unsigned d = (unsigned)(*s - '0');

        if (d > 9 || r > (UINT64_MAX - d) / 10)
            return false;
        r = r * 10 + d;
    }
    *v = r;
    return true;
}

bool xf_str_ieq(const char *a, const char *b)
{
    for (;; a++, b++) {
        char ca = *a, cb = *b;

        if (ca >= 'A' && ca <= 'Z')
            ca = (char)(ca - 'A' + 'a');
        if (cb >= 'A' && cb <= 'Z')
            cb = (char)(cb - 'A' + 'a');
        if (ca != cb)
            return false;
        if (!ca)
            return true;
    }
}

uint16_t xf_wire_block(uint64_t block)
{
    return (uint16_t)block;
}

uint64_t xf_unwrap_block(uint64_t ref, uint16_t wire)
{
    int16_t d = (int16_t)(uint16_t)(wire - (uint16_t)ref);

    if (d < 0 && (uint64_t)-(int32_t)d > ref)
        return UINT64_MAX;
    return ref + (uint64_t)(int64_t)d;
}

size_t xf_build_ack(uint8_t *buf, uint64_t block)
{
    put16(buf, XFER_OP_ACK);
    put16(buf + 2, xf_wire_block(block));
    return XFER_HEADER;
}

size_t xfer_error_packet(void *buf, size_t len, uint16_t code, const char *text)
{
    uint8_t *p = buf;
    size_t n = strlen(text);

    if (len < XFER_HEADER + 1)
        return 0;
    if (n > len - XFER_HEADER - 1)
        n = len - XFER_HEADER - 1;
    put16(p, XFER_OP_ERROR);
    put16(p + 2, code);
    memcpy(p + XFER_HEADER, text, n);
    p[XFER_HEADER + n] = 0;
    return XFER_HEADER + n + 1;
}
