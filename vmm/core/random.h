/* Randomness for image ids: RDRAND where the CPU has it (Intel SDM vol. 1
 * §7.3.17; AMD APM vol. 3, RDRAND), mixed with the TSC either way, so two
 * images never share an id even on a CPU without it. */
#ifndef SMX_RANDOM_H
#define SMX_RANDOM_H

#include <stddef.h>
#include <stdint.h>

void random_bytes(void *buf, size_t n);

#endif
