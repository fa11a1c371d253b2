/* SPDX-License-Identifier: MIT */
#include "harness.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EP(a, b, c, d, p) { .family = 4, .addr = {a, b, c, d}, .port = p }
const struct xfer_endpoint TH_SERVER = EP(10, 0, 0, 1, 69);
const struct xfer_endpoint TH_TID = EP(10, 0, 0, 1, 40000);
const struct xfer_endpoint TH_STRANGER = EP(10, 0, 0, 1, 40001);
const struct xfer_endpoint TH_OTHER_HOST = EP(10, 0, 0, 66, 40000);
const struct xfer_endpoint TH_CLIENT = EP(10, 0, 0, 2, 50000);

bool th_same_endpoint(const struct xfer_endpoint *a, const struct xfer_endpoint *b)
{
    return a->family == b->family && !memcmp(a->addr, b->addr, 16) && a->port == b->port;
}

void th_net_init(struct th_net *n)
{
    memset(n, 0, sizeof *n);
    n->pkts = calloc(TH_MAX_SENT, sizeof *n->pkts);
    cr_assert_not_null(n->pkts);
}

void th_net_free(struct th_net *n)
{
    free(n->pkts);
    n->pkts = NULL;
}

static void th_send(void *ctx, const struct xfer_endpoint *to, const void *pkt, size_t len)
{
    struct th_net *n = ctx;
    struct th_pkt *p;

    /* Long scripts consume as they go; keep the ring from overflowing. */
    if (n->count - n->seen >= TH_MAX_SENT)
        cr_assert_fail("more than %d datagrams sent and not examined", TH_MAX_SENT);
    cr_assert_leq(len, XFER_PACKET_MAX);
    p = &n->pkts[n->count++ % TH_MAX_SENT];
    p->to = *to;
    p->len = len;
    memcpy(p->data, pkt, len);
}

struct xfer_net th_net_hook(struct th_net *n)
{
    return (struct xfer_net){.ctx = n, .send = th_send};
}

const struct th_pkt *th_next(struct th_net *n)
{
    if (n->seen == n->count)
        return NULL;
    return &n->pkts[n->seen++ % TH_MAX_SENT];
}

size_t th_pending(const struct th_net *n)
{
    return n->count - n->seen;
}

void th_pattern(uint8_t *buf, size_t len, uint32_t seed)
{
    uint32_t s = seed * 2654435761u + 1;

    for (size_t i = 0; i < len; i++) {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        buf[i] = (uint8_t)(s >> 24);
    }
}

void th_source(struct th_mem *m, uint8_t *buf, size_t len)
{
    memset(m, 0, sizeof *m);
    m->buf = buf;
    m->len = len;
    m->next_block = 1;
}

void th_sink(struct th_mem *m, uint8_t *buf, size_t cap)
{
    th_source(m, buf, cap);
}

static int th_read(void *ctx, uint64_t block, void *dst, size_t len, size_t *got)
{
    struct th_mem *m = ctx;
    size_t n = m->len - m->pos < len ? m->len - m->pos : len;

    if (block != m->next_block)
        m->misordered = true;
    m->next_block = block + 1;
    if (m->fail_at && block == (uint64_t)m->fail_at)
        return m->fail_code;
    memcpy(dst, m->buf + m->pos, n);
    m->pos += n;
    *got = n;
    return 0;
}

static int th_write(void *ctx, uint64_t block, const void *src, size_t len)
{
    struct th_mem *m = ctx;

    if (block != m->next_block)
        m->misordered = true;
    m->next_block = block + 1;
    if (m->fail_at && block == (uint64_t)m->fail_at)
        return m->fail_code;
    cr_assert_leq(m->pos + len, m->len, "sink overflow at block %llu", (unsigned long long)block);
    memcpy(m->buf + m->pos, src, len);
    m->pos += len;
    return 0;
}

struct xfer_data th_data(struct th_mem *m)
{
    return (struct xfer_data){.ctx = m, .read = th_read, .write = th_write};
}

size_t th_data_pkt(uint8_t *out, uint16_t block, const uint8_t *payload, size_t len)
{
    out[0] = 0;
    out[1] = XFER_OP_DATA;
    out[2] = (uint8_t)(block >> 8);
    out[3] = (uint8_t)block;
    if (len)
        memcpy(out + 4, payload, len);
    return 4 + len;
}

size_t th_ack_pkt(uint8_t *out, uint16_t block)
{
    out[0] = 0;
    out[1] = XFER_OP_ACK;
    out[2] = (uint8_t)(block >> 8);
    out[3] = (uint8_t)block;
    return 4;
}

size_t th_error_pkt(uint8_t *out, uint16_t code, const char *msg)
{
    return xfer_error_packet(out, 600, code, msg);
}

size_t th_strings_pkt(uint8_t *out, uint16_t opcode, const char *s)
{
    size_t n = strlen(s);

    out[0] = (uint8_t)(opcode >> 8);
    out[1] = (uint8_t)opcode;
    for (size_t i = 0; i < n; i++)
        out[2 + i] = s[i] == '|' ? 0 : (uint8_t)s[i];
    out[2 + n] = 0;
    return 3 + n;
}

static const struct th_pkt *expect(struct th_net *n, const struct xfer_endpoint *to, uint16_t opcode)
{
    const struct th_pkt *p = th_next(n);
    char want[64], got[64];

    cr_assert_not_null(p, "expected opcode %u, nothing was sent", opcode);
    cr_assert_geq(p->len, 2);
    cr_assert_eq(p->data[0] << 8 | p->data[1], opcode, "expected opcode %u, got %u", opcode,
                 p->data[0] << 8 | p->data[1]);
    xfer_format_endpoint(to, want, sizeof want);
    xfer_format_endpoint(&p->to, got, sizeof got);
    cr_assert(th_same_endpoint(&p->to, to), "opcode %u sent to %s, expected %s", opcode, got, want);
    return p;
}

void th_expect_ack(struct th_net *n, const struct xfer_endpoint *to, uint16_t block)
{
    const struct th_pkt *p = expect(n, to, XFER_OP_ACK);

    cr_assert_eq(p->len, 4);
    cr_assert_eq(p->data[2] << 8 | p->data[3], block, "ACK %u, expected ACK %u", p->data[2] << 8 | p->data[3],
                 block);
}

void th_expect_data(struct th_net *n, const struct xfer_endpoint *to, uint16_t block, size_t len)
{
    const struct th_pkt *p = expect(n, to, XFER_OP_DATA);

    cr_assert_eq(p->data[2] << 8 | p->data[3], block, "DATA %u, expected DATA %u", p->data[2] << 8 | p->data[3],
                 block);
    cr_assert_eq(p->len, 4 + len, "DATA %u of %zu bytes, expected %zu", block, p->len - 4, len);
}

void th_expect_error(struct th_net *n, const struct xfer_endpoint *to, uint16_t code)
{
    const struct th_pkt *p = expect(n, to, XFER_OP_ERROR);

    cr_assert_eq(p->data[2] << 8 | p->data[3], code, "ERROR %u, expected ERROR %u (%.*s)",
                 p->data[2] << 8 | p->data[3], code, (int)p->len - 4, (const char *)p->data + 4);
    cr_assert_eq(p->data[p->len - 1], 0, "ERROR text not NUL-terminated");
}

void th_expect_strings(struct th_net *n, const struct xfer_endpoint *to, uint16_t opcode, const char *s)
{
    const struct th_pkt *p = expect(n, to, opcode);
    uint8_t want[600];
    size_t len = th_strings_pkt(want, opcode, s);

    cr_assert_eq(p->len, len, "packet of %zu bytes, expected %zu (%s)", p->len, len, s);
    cr_assert(!memcmp(p->data, want, len), "packet differs from %s", s);
}

void th_expect_nothing(struct th_net *n)
{
    const struct th_pkt *p = th_next(n);

    cr_assert_null(p, "expected silence, got opcode %u (%zu bytes)", p ? (p->data[0] << 8 | p->data[1]) : 0,
                   p ? p->len : 0);
}

const char *th_error_text(const struct xfer *x)
{
    static __thread char buf[512];

    xfer_format_error(x, buf, sizeof buf);
    return buf;
}
