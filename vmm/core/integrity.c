#include "integrity.h"

#include "log.h"

extern const char __text_start[], __rodata_end[];
static uint32_t expected;

static uint32_t crc32(const unsigned char *p, uint64_t n)
{
    uint32_t c = 0xffffffffu;

    for (uint64_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & -(c & 1));
    }
    return ~c;
}

static uint32_t measure(void)
{
    return crc32((const unsigned char *)__text_start, (uint64_t)(__rodata_end - __text_start));
}

void integrity_init(void)
{
    expected = measure();
}

int integrity_check(const char *when)
{
    uint32_t now = measure();

    if (now == expected) {
        smx_log("vmm", "image intact at %s (crc32 %08x over %llu bytes)", when, now,
                (unsigned long long)(__rodata_end - __text_start));
        return 1;
    }
    smx_log("vmm", "IMAGE MODIFIED at %s: crc32 %08x, expected %08x", when, now, expected);
    return 0;
}
