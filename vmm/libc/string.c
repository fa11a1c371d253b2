/* SPDX-License-Identifier: MIT */
/*
 * The freestanding libc subset (see include/string.h). `rep movsb/stosb` is
 * fast on every CPU with ERMS and needs no SSE, which the VMM may not touch.
 *
 * Hosted unit tests compile this file with SMX_LIBC_PREFIX set so the
 * functions do not collide with the host's libc.
 */
#include <stddef.h>
#include <stdint.h>

#ifdef SMX_LIBC_PREFIX
#define SMX_PASTE2(a, b) a##b
#define SMX_PASTE(a, b) SMX_PASTE2(a, b)
#define F(name) SMX_PASTE(SMX_LIBC_PREFIX, name)
#else
#include <string.h>
#define F(name) name
#endif

/* gnu-efi's libefi brings its own memcpy and memset: in the loader ours
 * step aside (-DSMX_LIBC_WEAK) instead of colliding. */
#ifdef SMX_LIBC_WEAK
#pragma weak memcpy
#pragma weak memmove
#pragma weak memset
#pragma weak memcmp
#pragma weak strlen
#pragma weak strncmp
#endif

void *F(memcpy)(void *restrict dst, const void *restrict src, size_t n);
void *F(memmove)(void *dst, const void *src, size_t n);
void *F(memset)(void *dst, int c, size_t n);
int F(memcmp)(const void *a, const void *b, size_t n);
size_t F(strlen)(const char *s);
int F(strncmp)(const char *a, const char *b, size_t n);

void *F(memcpy)(void *restrict dst, const void *restrict src, size_t n)
{
    void *d = dst;
    __asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
    return dst;
}

void *F(memmove)(void *dst, const void *src, size_t n)
{
    uintptr_t d = (uintptr_t)dst, s = (uintptr_t)src;

    if (d - s >= n) /* no overlap that a forward copy would clobber */
        return F(memcpy)(dst, src, n);
    /* Backward copy: the direction flag is restored before returning, as
     * the SysV ABI requires DF=0 at every call boundary. */
    void *dp = (char *)dst + n - 1;
    const void *sp = (const char *)src + n - 1;
    __asm__ volatile("std\n\trep movsb\n\tcld" : "+D"(dp), "+S"(sp), "+c"(n) : : "memory");
    return dst;
}

void *F(memset)(void *dst, int c, size_t n)
{
    void *d = dst;
    __asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
    return dst;
}

int F(memcmp)(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;

    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return 0;
}

size_t F(strlen)(const char *s)
{
    size_t n = 0;

    while (s[n])
        n++;
    return n;
}

int F(strncmp)(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x != y)
            return x < y ? -1 : 1;
        if (!x)
            break;
    }
    return 0;
}
