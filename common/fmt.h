/* SPDX-License-Identifier: MIT */
/*
 * printf-style formatting into a caller's buffer: the VMM has no libc.
 * Supports %% %c %s %d %i %u %x %X %p with flags '-' '0' '#', width, precision
 * (for strings, and '*' for either), and the length modifiers hh h l ll z.
 * Output is always NUL-terminated when size > 0; the return value is the
 * length the full output would have had (like C99 vsnprintf).
 */
#ifndef SMX_FMT_H
#define SMX_FMT_H

#include <stdarg.h>
#include <stddef.h>

int smx_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int smx_snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
