/* SPDX-License-Identifier: MIT */
/*
 * One line per event that matters, with a monotonic timestamp and a subsystem
 * tag: "[   8.853] sleep: PM1a_CNT <- 0x2401 (S3) os=A". Sinks are the serial
 * port(s) the boot info names; nothing is logged per VM exit unless a debug
 * flag asks for it.
 */
#ifndef SMX_LOG_H
#define SMX_LOG_H

#include <stdarg.h>
#include <stddef.h>

typedef void smx_log_sink(void *ctx, const char *s, size_t n);

/* At most two sinks (a serial port and, later, a memory ring). */
void smx_log_add_sink(smx_log_sink *fn, void *ctx);
void smx_log(const char *tag, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void smx_vlog(const char *tag, const char *fmt, va_list ap);

__attribute__((noreturn, format(printf, 1, 2))) void smx_panic(const char *fmt, ...);

#endif
