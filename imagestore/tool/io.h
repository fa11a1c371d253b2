/* SPDX-License-Identifier: MIT */
/* sleepmux-image's side of the library's interfaces: files, block devices,
 * keys, and the memory dumps it reads. */
#ifndef SMX_IMAGE_IO_H
#define SMX_IMAGE_IO_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "imagestore.h"

/* Exit codes: the library's error classes folded into what a script acts on. */
enum {
    EXIT_OK = 0,
    EXIT_CORRUPT = 1, /* the image is damaged, truncated, replayed, ... */
    EXIT_USAGE = 2,
    EXIT_KEY = 3,     /* sealed under another key */
    EXIT_IO = 4,      /* a file or device could not be read or written */
    EXIT_REFUSED = 5, /* the store has no such image, or no room for one */
};

int exit_code(enum img_err e);
/* Print "sleepmux-image: CONTEXT: message" and return the matching exit code. */
int report(const char *context, const struct img_error *err);
/* Print a system error and return EXIT_IO. */
int sys_error(const char *what, const char *path);

/* A key file holds the 32 key bytes, raw or as 64 hex digits. */
int load_key(const char *path, uint8_t key[IMG_KEY_SIZE]);
int random_bytes(void *buf, size_t len);

/* A file as a stream sink or source (fd owned by the caller). */
struct file_stream {
    int fd;
    uint64_t pos;
    struct img_sink sink;
    struct img_source source;
};
void file_stream_init(struct file_stream *f, int fd);

/* A file or block device as an img_blockdev. */
struct file_dev {
    int fd;
    struct img_blockdev dev;
};
int file_dev_open(struct file_dev *d, const char *path, uint32_t block_size);

/* An output file that appears whole or not at all. A regular file (or a
 * path that does not exist yet) is written under a temporary name beside
 * it and renamed over it only by out_commit, after fsync: a failure or a
 * kill midway leaves the file that was there as it was. A device or a
 * pipe is written in place (it cannot be replaced). */
struct out_file {
    const char *path;       /* as given, for messages */
    char target[4096];      /* what is replaced: path, or where its symbolic link points */
    char tmp[4096];         /* "" when writing in place */
    int fd;
    bool regular;           /* the output is a regular file (holes allowed) */
};
/* 0, or an exit code after saying why. */
int out_open(struct out_file *f, const char *path, const char *what);
/* Make the output durable and put it in place; 0 or an exit code. */
int out_commit(struct out_file *f);
/* The output failed: remove the temporary file and say so. */
void out_discard(struct out_file *f);

/* A memory dump: raw (one region from base) or an ELF core such as QEMU's
 * dump-guest-memory writes (one region per PT_LOAD segment). */
struct dump {
    int fd;
    uint32_t count;
    struct img_region regions[IMG_REGIONS_MAX];
    uint64_t offsets[IMG_REGIONS_MAX]; /* file offset of each region */
    uint64_t bytes;                    /* sum of the regions */
    const char *kind;
};
int dump_open(struct dump *d, const char *path, uint64_t base);

#endif
