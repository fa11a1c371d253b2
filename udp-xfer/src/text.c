/* SPDX-License-Identifier: MIT */
/*
 * Messages without a printf: the engine builds its error texts (which name
 * the file, the peer and the block) with these appenders. They never write
 * past the buffer and always leave it NUL-terminated; `len` keeps counting
 * so a caller can tell how much was cut.
 */
#include <string.h>

#include "internal.h"

void xf_tx_init(struct text *t, char *buf, size_t cap)
{
    t->buf = buf;
    t->cap = cap;
    t->len = 0;
    if (cap)
        buf[0] = 0;
}

static void tx_char(struct text *t, char c)
{
    if (t->cap && t->len + 1 < t->cap) {
        t->buf[t->len] = c;
        t->buf[t->len + 1] = 0;
    }
    t->len++;
}

void xf_tx_str(struct text *t, const char *s)
{
    while (*s)
        tx_char(t, *s++);
}

const char *xf_u64_dec(char buf[21], uint64_t v)
{
    size_t i = 20;

    buf[i] = 0;
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return buf + i;
}

void xf_tx_u64(struct text *t, uint64_t v)
{
    char d[21];

    xf_tx_str(t, xf_u64_dec(d, v));
}

static const char hexdig[] = "0123456789abcdef";

void xf_tx_quoted(struct text *t, const char *s, size_t n, size_t max)
{
    size_t i;

    tx_char(t, '"');
    for (i = 0; i < n && s[i]; i++) {
        unsigned char c = (unsigned char)s[i];

        if (i == max) {
            xf_tx_str(t, "...");
            break;
        }
        if (c == '"' || c == '\\') {
            tx_char(t, '\\');
            tx_char(t, (char)c);
        } else if (c < 0x20 || c >= 0x7f) {
            xf_tx_str(t, "\\x");
            tx_char(t, hexdig[c >> 4]);
            tx_char(t, hexdig[c & 15]);
        } else {
            tx_char(t, (char)c);
        }
    }
    tx_char(t, '"');
}

/* RFC 5952 §4: lower-case hex, leading zeros dropped, the longest run of two
 * or more zero groups written "::". */
static void tx_ipv6(struct text *t, const uint8_t *a)
{
    int best = -1, best_n = 1, i;

    for (i = 0; i < 8;) {
        int n = 0;

        while (i + n < 8 && !a[2 * (i + n)] && !a[2 * (i + n) + 1])
            n++;
        if (n > best_n) {
            best = i;
            best_n = n;
        }
        i += n ? n : 1;
    }
    for (i = 0; i < 8; i++) {
        unsigned g = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
        bool started = false;
        int sh;

        if (i == best) {
            xf_tx_str(t, "::");
            i += best_n - 1;
            continue;
        }
        if (i && i != best + best_n)
            tx_char(t, ':');
        for (sh = 12; sh >= 0; sh -= 4) {
            unsigned d = (g >> sh) & 15;

            if (d || started || !sh) {
                tx_char(t, hexdig[d]);
                started = true;
            }
        }
    }
}

void xf_tx_endpoint(struct text *t, const struct xfer_endpoint *e)
{
    if (e->family == 6) {
        tx_char(t, '[');
        tx_ipv6(t, e->addr);
        tx_char(t, ']');
    } else {
        int i;

        for (i = 0; i < 4; i++) {
            if (i)
                tx_char(t, '.');
            xf_tx_u64(t, e->addr[i]);
        }
    }
    tx_char(t, ':');
    xf_tx_u64(t, e->port);
}

size_t xfer_format_endpoint(const struct xfer_endpoint *e, char *buf, size_t len)
{
    struct text t;

    xf_tx_init(&t, buf, len);
    xf_tx_endpoint(&t, e);
    return t.len;
}
