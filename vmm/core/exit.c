/* SPDX-License-Identifier: MIT */
#include "exit.h"

#include "switch.h"
#include "vmm.h"

/* Counted per CPU (no shared cache line on the exit path), summed when
 * read. */
void vmm_count_exit(enum exit_kind k)
{
    this_cpu()->exits[k]++;
}

void vmm_exit_counts(uint64_t sum[EXIT_KINDS])
{
    for (unsigned k = 0; k < EXIT_KINDS; k++) {
        uint64_t n = 0;
        for (unsigned i = 0; i < vmm.ncpus; i++)
            n += vmm.cpus[i].exits[k];
        sum[k] = n;
    }
}

uint64_t vmm_exits_total(void)
{
    uint64_t c[EXIT_KINDS], n = 0;

    vmm_exit_counts(c);

    for (unsigned i = 0; i < EXIT_KINDS; i++)
        n += c[i];
    return n;
}

void vmm_guest_dead(const char *why)
{
    switch_guest_dead(why);
}
