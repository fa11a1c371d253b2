#include "exit.h"

#include "io.h"
#include "log.h"

static uint64_t counts[EXIT_KINDS];

void vmm_count_exit(enum exit_kind k)
{
    counts[k]++;
}

uint64_t vmm_exits_total(void)
{
    uint64_t n = 0;

    for (unsigned i = 0; i < EXIT_KINDS; i++)
        n += counts[i];
    return n;
}

const uint64_t *vmm_exit_counts(void)
{
    return counts;
}

void vmm_guest_dead(const char *why)
{
    smx_log("vmm", "guest cannot continue (%s): resetting the platform", why);
    /* Reset control register (PIIX4/ICH "RST_CNT", port 0xcf9): full reset. */
    outb(0xcf9, 0x02);
    outb(0xcf9, 0x0e);
    smx_panic("platform reset through 0xcf9 did not happen");
}
