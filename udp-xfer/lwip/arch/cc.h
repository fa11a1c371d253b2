/* SPDX-License-Identifier: MIT */
/*
 * lwIP's compiler/platform header (lwIP 2.1.3 src/include/lwip/arch.h lists
 * what it may define). Freestanding: no inttypes.h or ctype.h, so the
 * printf formats lwIP needs are given here. Diagnostics and randomness come
 * from the embedder, which defines the three functions below: the VMM in
 * vmm/net, the hosted tests in their own harness.
 */
#ifndef SMX_LWIP_ARCH_CC_H
#define SMX_LWIP_ARCH_CC_H

#include <stdint.h>

#define LWIP_NO_INTTYPES_H 1
#define LWIP_NO_CTYPE_H 1
#define X8_F "02x"
#define U16_F "u"
#define S16_F "d"
#define X16_F "x"
#define U32_F "u"
#define S32_F "d"
#define X32_F "x"
#define SZT_F "zu"

#ifndef BYTE_ORDER
#define BYTE_ORDER LITTLE_ENDIAN
#endif

void smx_lwip_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void smx_lwip_assert(const char *msg, const char *file, int line) __attribute__((noreturn));
uint32_t smx_lwip_rand(void);

#define LWIP_PLATFORM_DIAG(x) do { smx_lwip_diag x; } while (0)
#define LWIP_PLATFORM_ASSERT(x) smx_lwip_assert((x), __FILE__, __LINE__)
#define LWIP_RAND() smx_lwip_rand()

#endif
