/* SPDX-License-Identifier: MIT */
/*
 * Encoding and checking the clear parts of records: the header's clear
 * fields, the region table, and the frame before each chunk and the
 * commit record. The sealed parts are seal.c's.
 */
#ifndef IMG_RECORDS_H
#define IMG_RECORDS_H

#include "layout.h"

/* Write the header's clear part and the plaintext of its sealed part
 * (region table, CPU context) at buf; returns the clear + sealed length. */
size_t img_header_encode(uint8_t *buf, const struct img_writer_config *cfg, const uint8_t key_id[16]);

/* Check a header's clear part (HDR_CLEAR bytes) and describe it. */
enum img_err img_header_check(const uint8_t *buf, struct img_info *info, struct img_error *err);

/* NULL, or what is wrong with a region table (a template naming region
 * %a) and *bad the region's index. */
const char *img_regions_check(const struct img_region *r, uint32_t n, uint32_t *bad);

/* Read the region table from a decrypted header (sealed part at p). */
void img_regions_decode(const uint8_t *p, uint32_t n, struct img_region *out);

void img_frame_encode(uint8_t *f, const char *magic, uint32_t index, uint32_t body, const uint8_t *image_id);

/* Is this frame all one byte value (never written, or erased)? */
bool img_frame_blank(const uint8_t *f);

#endif
