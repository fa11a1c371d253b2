/* SPDX-License-Identifier: MIT */
/* sleepmux-image info and format: describe an image or a store; make a store. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static int info_store(struct opts *o)
{
    static const char *const states[] = { "empty", "writing (interrupted)", "committed", "restored", "superseded" };
    struct input in;
    int rc;

    memset(&in, 0, sizeof in);
    if ((rc = open_store(o, &in, true)) != 0)
        return rc;
    printf("store ");
    hex(stdout, in.store.store_id, IMG_ID_SIZE);
    printf(": %s, %" PRIu64 " updates, two slots of %" PRIu64 " MiB at byte %" PRIu64 ", last generation %" PRIu64
           "\n", o->store, in.store.sequence, in.store.slot_size >> 20, in.store.slot_offset,
           in.store.last_generation);
    for (int i = 0; i < IMG_STORE_SLOTS; i++) {
        const struct img_slot *s = &in.store.slot[i];
        printf("  slot %d: %s", i, states[s->state]);
        if (s->state >= IMG_SLOT_COMMITTED) {
            printf(", OS %s, generation %" PRIu64 ", %" PRIu64 " bytes, image ", os_name(s->os), s->generation,
                   s->stream_bytes);
            hex(stdout, s->image_id, IMG_ID_SIZE);
        } else if (s->state == IMG_SLOT_WRITING)
            printf(", OS %s, generation %" PRIu64, os_name(s->os), s->generation);
        printf("\n");
    }
    return 0;
}

int cmd_info(struct opts *o)
{
    uint8_t clear[IMG_HEADER_CLEAR];
    struct img_info info;
    struct img_error err;
    ssize_t n;
    int fd;

    if (o->store)
        return info_store(o);
    if (!o->input)
        return usage();
    if ((fd = open(o->input, O_RDONLY | O_CLOEXEC)) < 0)
        return sys_error("cannot open image", o->input);
    if ((n = pread(fd, clear, sizeof clear, 0)) < 0)
        return sys_error("cannot read image", o->input);
    close(fd);
    if (img_peek_header(clear, (size_t)n, &info, &err) != IMG_OK)
        return report(o->input, &err);
    printf("image ");
    hex(stdout, info.image_id, IMG_ID_SIZE);
    printf("\n  format version %u, OS %s, generation %" PRIu64 "\n  %u-byte pages, up to %u pages per chunk, "
           "%u region%s, %u bytes of CPU context\n  key id ",
           info.version, os_name(info.os), info.generation, info.page_size, info.chunk_pages, info.region_count,
           info.region_count == 1 ? "" : "s", info.cpu_size);
    hex(stdout, info.key_id, 8);
    printf("\n");
    if (!o->key_file)
        return 0;

    /* With the key: authenticate the header and show the sealed part. */
    struct input in;
    struct img_reader r;
    int rc = open_input(o, &in);
    if (rc)
        return rc;
    size_t work_size = img_reader_work_size(0);
    void *work = aligned_alloc(64, work_size);
    if (img_reader_open(&r, in.src, o->key, NULL, work, work_size, NULL, 0) != IMG_OK)
        return report(o->input, &r.err);
    printf("  header authentic under this key; %" PRIu64 " pages (%.1f MiB):\n", r.info.pages,
           (double)(r.info.pages * IMG_PAGE_SIZE) / 1048576.0);
    for (uint32_t i = 0; i < r.info.region_count; i++) {
        const struct img_region *g = img_reader_region(&r, i);
        printf("    0x%012" PRIx64 "-0x%012" PRIx64 " %8" PRIu64 " pages\n", g->base,
               g->base + g->pages * IMG_PAGE_SIZE - 1, g->pages);
    }
    img_reader_close(&r);
    free(work);
    return 0;
}

int cmd_format(struct opts *o)
{
    struct input in;
    uint8_t id[IMG_ID_SIZE];
    int rc;

    if (!o->store || o->input)
        return usage();
    memset(&in, 0, sizeof in);
    if ((rc = file_dev_open(&in.dev, o->store, o->block_size)) != 0)
        return rc;
    enum img_err e = img_store_open(&in.store, &in.dev.dev, o->key, in.io);
    if (e != IMG_E_NOT_IMAGE && !o->force) {
        fprintf(stderr, "sleepmux-image: %s: already holds a store (or something damaged); --force replaces it\n",
                o->store);
        return EXIT_USAGE;
    }
    if (random_bytes(id, sizeof id) != 0)
        return sys_error("no randomness for the store id", "getrandom");
    if (img_store_format(&in.store, &in.dev.dev, o->key, id, in.io) != IMG_OK)
        return report(o->store, &in.store.err);
    return info_store(o);
}

