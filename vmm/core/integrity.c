#include "integrity.h"

#include "log.h"

#include "mem.h"

extern const char __text_start[], __rodata_end[];
static uint32_t expected;

/* A string only the VMM's image holds: a guest that could read the VMM's
 * region would find it (tests/guest's sleepmux.probe=vmm looks for it). */
static const char marker[] __attribute__((used)) = "sleepmux-vmm-region-marker";

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
    smx_log("vmm", "image crc32 %08x over %llu bytes; region marker at %#llx", expected,
            (unsigned long long)(__rodata_end - __text_start), (unsigned long long)mem_phys(marker));
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
