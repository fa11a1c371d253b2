/* SPDX-License-Identifier: MIT */
/*
 * UTF-8 (RFC 3629) in, UCS-2 out: the config file is UTF-8 and UEFI speaks
 * CHAR16 (UEFI 2.10 §2.3.1: "UCS-2"), so every string the loader passes on
 * must be in the Basic Multilingual Plane. The parser checks that once; the
 * conversion then cannot fail except for room.
 */
#include "internal.h"

size_t pol_utf8_decode(const unsigned char *p, size_t n, uint32_t *cp)
{
    uint32_t c = p[0], min;
    size_t len;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if ((c & 0xe0) == 0xc0) {
        len = 2, min = 0x80, c &= 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
        len = 3, min = 0x800, c &= 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
        len = 4, min = 0x10000, c &= 0x07;
    } else {
        return 0; /* a continuation byte, or 0xf8..0xff */
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        c = c << 6 | (p[i] & 0x3f);
    }
    /* RFC 3629 §3: no overlong forms, no surrogates, nothing past U+10FFFF. */
    if (c < min || (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
        return 0;
    *cp = c;
    return len;
}

bool pol_to_ucs2(const char *utf8, uint16_t *out, size_t cap)
{
    const unsigned char *p = (const unsigned char *)utf8;
    size_t left = strlen(utf8), o = 0;

    while (left) {
        uint32_t cp;
        size_t n = pol_utf8_decode(p, left, &cp);
        if (n == 0 || cp > 0xffff || o + 1 >= cap)
            return false;
        out[o++] = (uint16_t)cp;
        p += n;
        left -= n;
    }
    if (cap == 0)
        return false;
    out[o] = 0;
    return true;
}
