/* SPDX-License-Identifier: MIT */
/* The registry of block drivers: whatever SMX_BLK_DRIVER placed in .smx_blk. */
#include "blk.h"

extern const struct blk_driver *const __smx_blk_start[], *const __smx_blk_end[];

bool blk_scan(const struct blk_where *prefer, blk_visit_fn *visit, void *ctx)
{
    /* The driver of the loader's controller first, then the others. */
    for (int pass = 0; pass < 2; pass++)
        for (const struct blk_driver *const *d = __smx_blk_start; d < __smx_blk_end; d++) {
            bool preferred = prefer && prefer->ctrl != SMX_CTRL_NONE && (*d)->ctrl == prefer->ctrl;
            if (preferred != (pass == 0))
                continue;
            if ((*d)->scan(preferred ? prefer : NULL, visit, ctx))
                return true;
        }
    return false;
}

void blk_reset_all(void)
{
    for (const struct blk_driver *const *d = __smx_blk_start; d < __smx_blk_end; d++)
        (*d)->reset_all();
}
