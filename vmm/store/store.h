/* PLACEHOLDER until the storage branch lands: the API the switch engine uses. */
#ifndef SMX_STORE_H
#define SMX_STORE_H

#include <stddef.h>

#include "bootinfo.h"
#include "imagestore.h"

enum img_err vmm_store_open(const struct smx_bootinfo *bi, struct img_store **out, char *why, size_t n);
void vmm_store_close(void);

#endif
