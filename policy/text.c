/* SPDX-License-Identifier: MIT */
/*
 * Text: a bounded formatter for messages (the freestanding worlds have no
 * snprintf), status names, and "FILE:LINE:COL: message" error lines.
 */
#include "internal.h"

void pol_buf_init(struct pol_buf *b, char *p, size_t cap)
{
    b->p = p;
    b->cap = cap;
    b->len = 0;
    if (cap)
        p[0] = '\0';
}

static void put(struct pol_buf *b, char c)
{
    if (b->len + 1 < b->cap) {
        b->p[b->len] = c;
        b->p[b->len + 1] = '\0';
    }
    b->len++;
}

static void put_str(struct pol_buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put(b, s[i]);
}

static void put_uint(struct pol_buf *b, uint64_t v, unsigned base, unsigned width, char pad)
{
    const char *digits = base == 16 + 32 ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    unsigned n = 0;

    base &= 31; /* 16 + 32 asks for capitals */
    do {
        tmp[n++] = digits[v % base];
        v /= base;
    } while (v);
    while (width > n) {
        put(b, pad);
        width--;
    }
    while (n)
        put(b, tmp[--n]);
}

/* A value from the file, shown so that nothing in it can mess up a terminal. */
enum { QUOTE_MAX = 40 };
const char *pol_quote(char out[POL_QUOTE_SIZE], const char *s, size_t n)
{
    struct pol_buf b;
    size_t shown = n > QUOTE_MAX ? QUOTE_MAX : n;

    _Static_assert(POL_QUOTE_SIZE > 2 + 4 * QUOTE_MAX + 3, "room for the worst case");
    pol_buf_init(&b, out, POL_QUOTE_SIZE);
    put(&b, '"');
    for (size_t i = 0; i < shown; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            put(&b, '\\');
            put(&b, (char)c);
        } else if (c >= 0x20 && c < 0x7f) {
            put(&b, (char)c);
        } else {
            put_str(&b, "\\x", 2);
            put_uint(&b, c, 16, 2, '0');
        }
    }
    if (shown < n)
        put_str(&b, "...", 3);
    put(&b, '"');
    return out;
}

void pol_buf_vfmt(struct pol_buf *b, const char *fmt, va_list ap)
{
    for (const char *f = fmt; *f; f++) {
        if (*f != '%') {
            put(b, *f);
            continue;
        }
        f++;
        char pad = ' ';
        unsigned width = 0;
        bool star = false;
        if (*f == '0') {
            pad = '0';
            f++;
        }
        while (*f >= '0' && *f <= '9')
            width = width * 10 + (unsigned)(*f++ - '0');
        if (f[0] == '.' && f[1] == '*') {
            star = true;
            f += 2;
        }
        switch (*f) {
        case 's':
            if (star) {
                int n = va_arg(ap, int);
                const char *s = va_arg(ap, const char *);
                put_str(b, s, n > 0 ? (size_t)n : 0);
            } else {
                const char *s = va_arg(ap, const char *);
                put_str(b, s, strlen(s));
            }
            break;
        case 'c':
            put(b, (char)va_arg(ap, int));
            break;
        case 'd': {
            int v = va_arg(ap, int);
            if (v < 0) {
                put(b, '-');
                put_uint(b, (uint64_t)(-(int64_t)v), 10, width ? width - 1 : 0, pad);
            } else {
                put_uint(b, (uint64_t)v, 10, width, pad);
            }
            break;
        }
        case 'u':
            put_uint(b, va_arg(ap, unsigned), 10, width, pad);
            break;
        case 'x':
            put_uint(b, va_arg(ap, unsigned), 16, width, pad);
            break;
        case 'X':
            put_uint(b, va_arg(ap, unsigned), 16 + 32, width, pad);
            break;
        case 'l': /* %lu, %llu: 64-bit values */
            while (*f == 'l')
                f++;
            put_uint(b, va_arg(ap, unsigned long long), *f == 'x' ? 16 : 10, width, pad);
            break;
        case '%':
            put(b, '%');
            break;
        default: /* a bug in a format of ours: make it visible */
            put_str(b, "%?", 2);
            break;
        }
    }
}

void pol_buf_fmt(struct pol_buf *b, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    pol_buf_vfmt(b, fmt, ap);
    va_end(ap);
}

const char *pol_status_name(enum pol_status st)
{
    switch (st) {
    case POL_OK: return "ok";
    case POL_E_ARG: return "invalid argument";
    case POL_E_SYNTAX: return "syntax error";
    case POL_E_ENCODING: return "bad character";
    case POL_E_SECTION: return "unknown section";
    case POL_E_KEY: return "unknown key";
    case POL_E_DUPLICATE: return "given twice";
    case POL_E_VALUE: return "bad value";
    case POL_E_RANGE: return "out of range";
    case POL_E_TOO_LONG: return "too long";
    case POL_E_TOO_MANY: return "too many";
    case POL_E_MISSING: return "missing";
    case POL_E_CONFLICT: return "contradiction";
    case POL_E_NO_SCHEDULE: return "no wake schedule";
    case POL_E_MEMORY: return "memory shares do not fit";
    case POL_E_STORE: return "image store forbids boot";
    }
    return "unknown status";
}

size_t pol_error_format(const struct pol_error *err, const char *file, char *buf, size_t n)
{
    struct pol_buf b;

    pol_buf_init(&b, buf, n);
    if (err->line)
        pol_buf_fmt(&b, "%s:%u:%u: %s", file, err->line, err->col, err->msg);
    else
        pol_buf_fmt(&b, "%s: %s", file, err->msg);
    return b.len;
}
