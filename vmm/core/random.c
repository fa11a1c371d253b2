#include "random.h"

#include <string.h>

#include "../arch/x86/cpu.h"
#include "io.h"

#define CPUID_1_ECX_RDRAND (1u << 30)
#define RDRAND_RETRIES 10 /* Intel's DRNG guide: a failure 10 times in a row means a broken unit */

static int rdrand64(uint64_t *v)
{
    for (int i = 0; i < RDRAND_RETRIES; i++) {
        unsigned char ok;
        __asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
        if (ok)
            return 1;
    }
    return 0;
}

/* splitmix64: spreads a counter over all bits. */
static uint64_t mix(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void random_bytes(void *buf, size_t n)
{
    static uint64_t counter;
    int hw = (cpuid(1, 0).ecx & CPUID_1_ECX_RDRAND) != 0;
    uint8_t *p = buf;

    while (n) {
        uint64_t r = 0, v = mix(rdtsc() ^ mix(++counter));
        if (hw && rdrand64(&r))
            v ^= r;
        size_t k = n < 8 ? n : 8;
        memcpy(p, &v, k);
        p += k;
        n -= k;
    }
}
