/* SPDX-License-Identifier: MIT */
#include "log.h"

#include "fmt.h"
#include "time.h"

#define LOG_LINE_MAX 256

/* Lines from several CPUs must not interleave on the UART. The wait is
 * bounded: a CPU that faulted while holding the lock must not silence
 * the others' panic lines forever. */
static volatile uint32_t log_lock;
#define LOG_LOCK_SPINS 100000000u

static void lock(void)
{
    for (uint32_t n = 0; n < LOG_LOCK_SPINS; n++) {
        if (!__atomic_exchange_n(&log_lock, 1, __ATOMIC_ACQUIRE))
            return;
        __builtin_ia32_pause();
    }
}

static void unlock(void)
{
    __atomic_store_n(&log_lock, 0, __ATOMIC_RELEASE);
}

static struct {
    smx_log_sink *fn;
    void *ctx;
} sinks[2];

void smx_log_add_sink(smx_log_sink *fn, void *ctx)
{
    for (unsigned i = 0; i < sizeof sinks / sizeof sinks[0]; i++) {
        if (!sinks[i].fn) {
            sinks[i].fn = fn;
            sinks[i].ctx = ctx;
            return;
        }
    }
}

void smx_vlog(const char *tag, const char *fmt, va_list ap)
{
    char line[LOG_LINE_MAX];
    uint64_t ns = smx_time_ns();
    int n = smx_snprintf(line, sizeof line, "[%5u.%03u] %s: ", (unsigned)(ns / 1000000000u),
                         (unsigned)(ns / 1000000u % 1000u), tag);
    if (n < 0 || (size_t)n >= sizeof line)
        n = 0;
    int m = smx_vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
    if (len > sizeof line - 2)
        len = sizeof line - 2; /* truncated, but the line still ends */
    while (len > (size_t)n && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        len--; /* callers (lwIP) may end their own lines */
    line[len++] = '\n';
    lock();
    for (unsigned i = 0; i < sizeof sinks / sizeof sinks[0]; i++)
        if (sinks[i].fn)
            sinks[i].fn(sinks[i].ctx, line, len);
    unlock();
}

void smx_log(const char *tag, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    smx_vlog(tag, fmt, ap);
    va_end(ap);
}

void smx_panic(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    smx_vlog("PANIC", fmt, ap);
    va_end(ap);
    for (;;)
        __asm__ volatile("cli; hlt");
}
