/*
 * The VMM checks its own code and read-only data (CRC-32 taken at start)
 * at every sleep and wake: proof, in the log, that nothing the guest did
 * changed the VMM.
 */
#ifndef SMX_INTEGRITY_H
#define SMX_INTEGRITY_H
#include <stdint.h>
void integrity_init(void);
/* Logs the verdict; returns 1 if intact. */
int integrity_check(const char *when);
#endif
