/* SPDX-License-Identifier: MIT */
/* What sleepmux-image's commands share: options, where an image comes
 * from, and small printing helpers. */
#ifndef SMX_IMAGE_CLI_H
#define SMX_IMAGE_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "imagestore.h"
#include "io.h"

struct opts {
    const char *cmd, *key_file, *out, *store, *cpu, *cpu_out, *input;
    uint32_t os, chunk_pages, block_size;
    uint64_t generation, base;
    int slot;
    bool os_given, force;
    bool restore;           /* read as a restore does: committed images only */
    uint8_t key[IMG_KEY_SIZE];
};

/* An image to read: a file, or a slot of a store with the superblock's
 * expectations for the reader. */
struct input {
    struct file_stream file;
    struct file_dev dev;
    struct img_store store;
    struct img_slot_stream slot;
    struct img_expect expect;
    const struct img_source *src;
    const struct img_expect *x;
    int slot_index;         /* the store's slot being read, or -1 */
    uint8_t io[4096];
    int fd;
};

/* Open o->store; must_exist: a device without a store is an error. */
int open_store(struct opts *o, struct input *in, bool must_exist);
/* Open o->input, or the slot of o->store that --slot or --os selects. */
int open_input(struct opts *o, struct input *in);

int usage(void);  /* on stderr; returns EXIT_USAGE */
int help(void);   /* --help: on stdout; returns EXIT_OK */
void hex(FILE *f, const uint8_t *p, size_t n);
const char *os_name(uint32_t os);

int cmd_create(struct opts *o);
/* verify, extract, or (mark) verify as a restore does and mark restored. */
enum read_mode { READ_VERIFY, READ_EXTRACT, READ_MARK };
int cmd_read(struct opts *o, enum read_mode mode);
int cmd_info(struct opts *o);
int cmd_format(struct opts *o);

#endif
