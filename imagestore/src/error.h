/* SPDX-License-Identifier: MIT */
/* Recording errors inside the library (img_error_format() renders them). */
#ifndef IMG_ERROR_H
#define IMG_ERROR_H

#include "imagestore.h"

/* Record code with a static template (%a %b decimal, %x: a in hex) and
 * return code. image (first 4 bytes shown) may be NULL. */
enum img_err img_fail(struct img_error *e, enum img_err code, const uint8_t *image, const char *what,
                      uint64_t a, uint64_t b);

#endif
