/* PLACEHOLDER until the storage branch lands. */
#include "store.h"

#include "fmt.h"

__attribute__((weak)) enum img_err vmm_store_open(const struct smx_bootinfo *bi, struct img_store **out, char *why,
                                                  size_t n)
{
    smx_snprintf(why, n, "this VMM has no storage drivers");
    return IMG_E_IO;
}

__attribute__((weak)) void vmm_store_close(void)
{
}
