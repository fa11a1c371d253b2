/* SPDX-License-Identifier: MIT */
/*
 * The C library the freestanding worlds (VMM, loader) have. sleepmux's own
 * libraries call only the first five (DESIGN.md); strncmp is here because
 * lwIP's def.c needs it. Anything else a library needs comes through an
 * interface its caller passes in.
 */
#ifndef SMX_FS_STRING_H
#define SMX_FS_STRING_H

#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strncmp(const char *a, const char *b, size_t n);

#endif
