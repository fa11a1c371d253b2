/* SPDX-License-Identifier: MIT */
/* Shared by imagestore's unit tests: memory streams, a block device that
 * can lose power, and the real-memory fixture. */
#ifndef IMG_TEST_HELPERS_H
#define IMG_TEST_HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "imagestore.h"

#define PAGE IMG_PAGE_SIZE

extern const uint8_t test_key[IMG_KEY_SIZE];
extern const uint8_t other_key[IMG_KEY_SIZE];

/* The 48 real pages of tests/fixtures/imagestore (loaded once, never freed). */
const uint8_t *fixture(size_t *pages);

/* A growable byte stream in memory: a sink when written, a source when read. */
struct mem {
    uint8_t *buf;
    size_t len, cap, pos;
    bool fail_write, fail_read;
    struct img_sink sink;
    struct img_source source;
};
void mem_init(struct mem *m);
void mem_free(struct mem *m);
void mem_rewind(struct mem *m);

/* Pages land in a flat buffer covering [base, base + size). Every map and
 * done call is counted; map refuses ranges outside the buffer. */
struct flat {
    uint8_t *buf;
    uint64_t base;
    size_t size;
    unsigned maps, dones;
    struct img_memory mem;
};
void flat_init(struct flat *f, uint64_t base, size_t size, uint8_t poison);
void flat_free(struct flat *f);

/* Write an image of the given regions whose bytes come from data (the
 * regions' pages, in order). Asserts success; returns the summary. */
struct img_summary make_image(struct mem *out, const uint8_t *key, const uint8_t id[IMG_ID_SIZE], uint64_t generation,
                              uint32_t chunk_pages, const struct img_region *regions, uint32_t nregions,
                              const uint8_t *data);

/* Read a whole image into f; returns the first failure (or IMG_OK) and its
 * message in msg. */
enum img_err read_image(struct mem *in, const uint8_t *key, const struct img_expect *expect, struct flat *f,
                        char *msg, size_t msg_size);
enum img_err read_image_from(const struct img_source *src, const uint8_t *key, const struct img_expect *expect,
                             struct flat *f, char *msg, size_t msg_size);

/*
 * A block device in memory with a volatile write cache. Reads see every
 * write; flush makes them durable. With crash_at = k, the k-th operation
 * (write or flush, counting from 1) loses power: part of that write lands,
 * a random subset of the blocks written since the last flush survives, and
 * every later operation fails. reboot() then shows only what survived.
 */
struct fakedev {
    struct img_blockdev dev;
    uint8_t *cache, *durable, *dirty;
    uint64_t ops, crash_at, rng;
    bool dead;
};
void fakedev_init(struct fakedev *d, uint32_t block_size, uint64_t blocks);
void fakedev_free(struct fakedev *d);
void fakedev_reboot(struct fakedev *d);

/* A store on a 1 MiB fakedev, and the fixture saved into it and restored
 * from it: each image is the fixture's 48 pages at 0x100000 with its first
 * byte replaced by a tag, so a restore tells which image came back. */
extern const uint8_t store_id[IMG_ID_SIZE];
struct rig {
    struct fakedev fd;
    struct img_store st;
    uint8_t io[4096];
};
void rig_init(struct rig *r, uint32_t block_size);
enum img_err try_save(struct rig *r, uint32_t os, uint8_t tag, int *slot);
int save(struct rig *r, uint32_t os, uint8_t tag, enum img_err want);
/* Restore os's latest image and check its pages; its tag, or -1 and *err. */
int restore(struct rig *r, uint32_t os, enum img_err *err);

#endif
