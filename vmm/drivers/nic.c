/* SPDX-License-Identifier: MIT */
/* The registry of NIC drivers: whatever SMX_NIC_DRIVER placed in .smx_nic. */
#include "nic.h"

extern const struct nic_driver *const __smx_nic_start[], *const __smx_nic_end[];

struct nic_dev *nic_open(void)
{
    for (const struct nic_driver *const *d = __smx_nic_start; d < __smx_nic_end; d++) {
        struct nic_dev *n = (*d)->open();
        if (n)
            return n;
    }
    return NULL;
}

void nic_reset_all(void)
{
    for (const struct nic_driver *const *d = __smx_nic_start; d < __smx_nic_end; d++)
        (*d)->reset_all();
}
