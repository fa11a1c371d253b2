/* SPDX-License-Identifier: MIT */
/*
 * <stdlib.h> for the freestanding worlds: only atoi, which lwIP's
 * netif_find() calls. sleepmux's own libraries do not use this header.
 */
#ifndef SMX_FS_STDLIB_H
#define SMX_FS_STDLIB_H

int atoi(const char *s);

#endif
