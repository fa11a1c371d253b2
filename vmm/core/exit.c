/* SPDX-License-Identifier: MIT */
#include "exit.h"

#include "switch.h"

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
    switch_guest_dead(why);
}
