/* SPDX-License-Identifier: MIT */
/*
 * Errors are recorded as a code, a static template and two numbers, and
 * rendered only when someone asks: the VMM's hot path never formats.
 */
#include <string.h>

#include "error.h"

static const char *const names[IMG_E_COUNT_] = {
    [IMG_OK] = "ok",
    [IMG_E_IO] = "I/O error",
    [IMG_E_NOT_IMAGE] = "not an image",
    [IMG_E_VERSION] = "unsupported version",
    [IMG_E_TRUNCATED] = "torn or truncated",
    [IMG_E_REORDERED] = "reordered",
    [IMG_E_REPLAYED] = "replayed",
    [IMG_E_ALTERED] = "altered",
    [IMG_E_KEY] = "wrong key",
    [IMG_E_FORMAT] = "malformed",
    [IMG_E_LIMIT] = "over a limit",
    [IMG_E_REFUSED] = "refused",
    [IMG_E_ARG] = "misuse",
    [IMG_E_NOSPACE] = "no space",
    [IMG_E_BUSY] = "busy",
    [IMG_E_EMPTY] = "empty",
};

const char *img_err_name(enum img_err code)
{
    return (unsigned)code < IMG_E_COUNT_ ? names[code] : "unknown error";
}

enum img_err img_fail(struct img_error *e, enum img_err code, const uint8_t *image, const char *what,
                      uint64_t a, uint64_t b)
{
    e->code = code;
    e->what = what;
    e->a = a;
    e->b = b;
    e->has_image = image != NULL;
    if (image)
        memcpy(e->image, image, sizeof e->image);
    return code;
}

/* An output cursor that counts what it could not store. */
struct out {
    char *buf;
    size_t size, len;
};

static void put_c(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void put_s(struct out *o, const char *s)
{
    while (*s)
        put_c(o, *s++);
}

static void put_dec(struct out *o, uint64_t v)
{
    char d[20];
    int n = 0;

    do
        d[n++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    while (n)
        put_c(o, d[--n]);
}

static void put_hex(struct out *o, uint64_t v, int digits)
{
    static const char hex[] = "0123456789abcdef";

    if (digits == 0) {
        digits = 1;
        while (digits < 16 && (v >> (4 * digits)))
            digits++;
    }
    while (digits--)
        put_c(o, hex[(v >> (4 * digits)) & 15]);
}

size_t img_error_format(const struct img_error *e, char *buf, size_t size)
{
    struct out o = { buf, size, 0 };

    if (e->has_image) {
        put_s(&o, "image ");
        for (int i = 0; i < 4; i++)
            put_hex(&o, e->image[i], 2);
        put_s(&o, ": ");
    }
    for (const char *p = e->what ? e->what : img_err_name(e->code); *p; p++) {
        if (p[0] == '%' && p[1]) {
            p++;
            if (*p == 'a')
                put_dec(&o, e->a);
            else if (*p == 'b')
                put_dec(&o, e->b);
            else if (*p == 'x') {
                put_s(&o, "0x");
                put_hex(&o, e->a, 0);
            } else if (*p == 'y') {
                put_s(&o, "0x");
                put_hex(&o, e->b, 0);
            } else
                put_c(&o, *p);
        } else
            put_c(&o, *p);
    }
    put_s(&o, " (");
    put_s(&o, img_err_name(e->code));
    put_c(&o, ')');
    if (size)
        buf[o.len < size ? o.len : size - 1] = '\0';
    return o.len;
}
