/* SPDX-License-Identifier: MIT */
#include <limits.h>

#ifdef SMX_LIBC_PREFIX
#define SMX_PASTE2(a, b) a##b
#define SMX_PASTE(a, b) SMX_PASTE2(a, b)
#define F(name) SMX_PASTE(SMX_LIBC_PREFIX, name)
#else
#include <stdlib.h>
#define F(name) name
#endif

int F(atoi)(const char *s);

/* Decimal only, saturating instead of undefined on overflow. */
int F(atoi)(const char *s)
{
    long v = 0;
    int neg = 0;

    while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
        s++;
    if (*s == '-' || *s == '+')
        neg = *s++ == '-';
    while (*s >= '0' && *s <= '9') {
        if (v < (long)INT_MAX + 1)
            v = v * 10 + (*s - '0');
        s++;
    }
    if (neg)
        return v > (long)INT_MAX ? INT_MIN : (int)-v;
    return v > INT_MAX ? INT_MAX : (int)v;
}
