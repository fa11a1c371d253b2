/* SPDX-License-Identifier: MIT */
/* Clear fields of the header and of frames (layout.h has the offsets). */
#include <string.h>

#include "error.h"
#include "records.h"
#include "seal.h"

size_t img_header_encode(uint8_t *buf, const struct img_writer_config *cfg, const uint8_t key_id[16])
{
    uint32_t chunk_pages = cfg->chunk_pages ? cfg->chunk_pages : IMG_CHUNK_PAGES_DEFAULT;
    uint8_t *p;

    memset(buf, 0, HDR_CLEAR);
    memcpy(buf + HDR_O_MAGIC, HDR_MAGIC, 8);
    put16(buf + HDR_O_VERSION, IMG_FORMAT_VERSION);
    put16(buf + HDR_O_CLEAR_SIZE, HDR_CLEAR);
    memcpy(buf + HDR_O_IMAGE_ID, cfg->image_id, IMG_ID_SIZE);
    put64(buf + HDR_O_GENERATION, cfg->generation);
    put32(buf + HDR_O_OS, cfg->os);
    put32(buf + HDR_O_PAGE_SIZE, IMG_PAGE_SIZE);
    put32(buf + HDR_O_CHUNK_PAGES, chunk_pages);
    put32(buf + HDR_O_REGIONS, cfg->region_count);
    put32(buf + HDR_O_CPU_SIZE, cfg->cpu_size);
    memcpy(buf + HDR_O_KEY_ID, key_id, 16);
    put32(buf + HDR_O_CRC, img_crc32c(buf, HDR_O_CRC));

    p = buf + HDR_CLEAR;
    for (uint32_t i = 0; i < cfg->region_count; i++, p += REGION_SIZE) {
        put64(p, cfg->regions[i].base);
        put64(p + 8, cfg->regions[i].pages);
    }
    if (cfg->cpu_size)
        memcpy(p, cfg->cpu, cfg->cpu_size);
    return (size_t)(p - buf) + cfg->cpu_size;
}

static bool all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;

    while (n--)
        acc |= *p++;
    return acc == 0;
}

enum img_err img_header_check(const uint8_t *buf, struct img_info *info, struct img_error *err)
{
    const uint8_t *id = buf + HDR_O_IMAGE_ID;
    uint32_t cp;

    if (memcmp(buf + HDR_O_MAGIC, HDR_MAGIC, 8) != 0)
        return img_fail(err, IMG_E_NOT_IMAGE, NULL, "no image here: header magic is not SMXIMAGE", 0, 0);
    if (get32(buf + HDR_O_CRC) != img_crc32c(buf, HDR_O_CRC))
        return img_fail(err, IMG_E_ALTERED, NULL, "header checksum %x does not match its bytes",
                        get32(buf + HDR_O_CRC), 0);
    memset(info, 0, sizeof *info);
    info->version = get16(buf + HDR_O_VERSION);
    if (info->version != IMG_FORMAT_VERSION)
        return img_fail(err, IMG_E_VERSION, id, "format version %a; this code reads version %b",
                        info->version, IMG_FORMAT_VERSION);
    memcpy(info->image_id, id, IMG_ID_SIZE);
    memcpy(info->key_id, buf + HDR_O_KEY_ID, 16);
    info->generation = get64(buf + HDR_O_GENERATION);
    info->os = get32(buf + HDR_O_OS);
    info->page_size = get32(buf + HDR_O_PAGE_SIZE);
    info->chunk_pages = cp = get32(buf + HDR_O_CHUNK_PAGES);
    info->region_count = get32(buf + HDR_O_REGIONS);
    info->cpu_size = get32(buf + HDR_O_CPU_SIZE);

    /* A header whose checksum holds yet breaks these was built that way on
     * purpose or by a faulty writer: it is malformed, not damaged. */
    if (get16(buf + HDR_O_CLEAR_SIZE) != HDR_CLEAR || get32(buf + HDR_O_FLAGS) != 0 ||
        get32(buf + HDR_O_RESERVED0) != 0 || !all_zero(buf + HDR_O_RESERVED1, HDR_O_CRC - HDR_O_RESERVED1))
        return img_fail(err, IMG_E_FORMAT, id, "header: reserved fields are not zero", 0, 0);
    if (info->page_size != IMG_PAGE_SIZE)
        return img_fail(err, IMG_E_FORMAT, id, "header: page size %a, version 1 has %b", info->page_size,
                        IMG_PAGE_SIZE);
    if (info->os > IMG_OS_B)
        return img_fail(err, IMG_E_FORMAT, id, "header: OS %a is neither A (0) nor B (1)", info->os, 0);
    if (cp < IMG_CHUNK_PAGES_MIN || cp > IMG_CHUNK_PAGES_MAX || cp % 8)
        return img_fail(err, IMG_E_FORMAT, id, "header: %a pages per chunk is not a multiple of 8 up to %b", cp,
                        IMG_CHUNK_PAGES_MAX);
    if (info->region_count == 0 || info->region_count > IMG_REGIONS_MAX)
        return img_fail(err, IMG_E_FORMAT, id, "header: %a regions, expected 1 to %b", info->region_count,
                        IMG_REGIONS_MAX);
    if (info->cpu_size > IMG_CPU_MAX)
        return img_fail(err, IMG_E_FORMAT, id, "header: CPU context of %a bytes, at most %b", info->cpu_size,
                        IMG_CPU_MAX);
    return IMG_OK;
}

enum img_err img_peek_header(const void *buf, size_t len, struct img_info *info, struct img_error *err)
{
    /* Too short for a header: a torn image only if what is there begins
     * as one does; random bytes are simply not an image. */
    if (len < HDR_CLEAR && memcmp(buf, HDR_MAGIC, len < 8 ? len : 8) != 0)
        return img_fail(err, IMG_E_NOT_IMAGE, NULL, "no image here: %a bytes that do not begin with SMXIMAGE",
                        len, 0);
    if (len < HDR_CLEAR)
        return img_fail(err, len ? IMG_E_TRUNCATED : IMG_E_NOT_IMAGE, NULL,
                        len ? "header cut short: %a of %b bytes" : "no image here: the stream is empty", len,
                        HDR_CLEAR);
    return img_header_check(buf, info, err);
}

const char *img_regions_check(const struct img_region *r, uint32_t n, uint32_t *bad)
{
    const uint64_t max_pages = UINT64_MAX / IMG_PAGE_SIZE;

    for (uint32_t i = 0; i < n; i++) {
        *bad = i;
        if (r[i].base % IMG_PAGE_SIZE)
            return "region %a does not start on a page boundary";
        if (r[i].pages == 0)
            return "region %a is empty";
        if (r[i].pages > max_pages || r[i].base / IMG_PAGE_SIZE > max_pages - r[i].pages)
            return "region %a runs past the end of the address space";
        if (i && r[i].base < r[i - 1].base + r[i - 1].pages * IMG_PAGE_SIZE)
            return "region %a overlaps or precedes the one before it";
    }
    return NULL;
}

void img_regions_decode(const uint8_t *p, uint32_t n, struct img_region *out)
{
    for (uint32_t i = 0; i < n; i++, p += REGION_SIZE) {
        out[i].base = get64(p);
        out[i].pages = get64(p + 8);
    }
}

void img_frame_encode(uint8_t *f, const char *magic, uint32_t index, uint32_t body, const uint8_t *image_id)
{
    memset(f, 0, FRAME_SIZE);
    memcpy(f + FRAME_O_MAGIC, magic, 4);
    put32(f + FRAME_O_INDEX, index);
    put32(f + FRAME_O_BODY, body);
    memcpy(f + FRAME_O_IMAGE, image_id, 8);
    put32(f + FRAME_O_CRC, img_crc32c(f, FRAME_O_CRC));
}

bool img_frame_blank(const uint8_t *f)
{
    for (size_t i = 1; i < FRAME_SIZE; i++)
        if (f[i] != f[0])
            return false;
    return true;
}
