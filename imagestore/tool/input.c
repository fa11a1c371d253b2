/* SPDX-License-Identifier: MIT */
/* Where sleepmux-image reads an image from, and what every command prints with. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static void print_usage(FILE *out)
{
    fputs("usage: sleepmux-image create  --key-file K [--os A|B] [--generation N] [--chunk-pages N]\n"
          "                              [--cpu FILE] [--base ADDR] DUMP (-o IMAGE | --store DEV)\n"
          "       sleepmux-image info    [--key-file K] IMAGE\n"
          "       sleepmux-image info    --key-file K --store DEV\n"
          "       sleepmux-image verify  --key-file K (IMAGE | --store DEV [--slot N | --os A|B])\n"
          "       sleepmux-image extract --key-file K (IMAGE | --store DEV [--slot N | --os A|B])\n"
          "                              -o RAW [--cpu-out FILE]\n"
          "       sleepmux-image mark-restored --key-file K --store DEV [--slot N | --os A|B]\n"
          "       sleepmux-image format  --key-file K --store DEV [--force]\n"
          "create -o and extract -o write a temporary file beside the output and rename it over the\n"
          "output only when complete: a failure leaves what was there. mark-restored verifies the\n"
          "newest committed image (or the one chosen) completely, as a restore does, and records it\n"
          "as restored, so that the store takes a new image of that OS again.\n"
          "exit status: 0 ok, 1 corrupt or rejected image, 2 usage, 3 wrong key, 4 I/O error,\n"
          "             5 no such image in the store, or no room for one\n",
          out);
}

int usage(void)
{
    print_usage(stderr);
    return EXIT_USAGE;
}

int help(void)
{
    print_usage(stdout);
    return EXIT_OK;
}

void hex(FILE *f, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%02x", p[i]);
}

const char *os_name(uint32_t os)
{
    return os == IMG_OS_A ? "A" : os == IMG_OS_B ? "B" : "?";
}

int open_store(struct opts *o, struct input *in, bool must_exist)
{
    int rc;

    if ((rc = file_dev_open(&in->dev, o->store, o->block_size)) != 0)
        return rc;
    enum img_err e = img_store_open(&in->store, &in->dev.dev, o->key, in->io);
    if (e == IMG_E_NOT_IMAGE && must_exist) {
        fprintf(stderr, "sleepmux-image: %s: no store here (make one with `sleepmux-image format`)\n", o->store);
        return EXIT_CORRUPT;
    }
    if (e != IMG_OK)
        return report(o->store, &in->store.err);
    if (in->store.bad_copies) {
        char msg[256];
        img_error_format(&in->store.err, msg, sizeof msg);
        fprintf(stderr, "sleepmux-image: %s: warning: %s; the other copy is used\n", o->store, msg);
    }
    return 0;
}

int open_input(struct opts *o, struct input *in)
{
    int rc;

    memset(in, 0, sizeof *in);
    in->fd = -1;
    in->slot_index = -1;
    if (!o->store) {
        if ((in->fd = open(o->input, O_RDONLY | O_CLOEXEC)) < 0)
            return sys_error("cannot open image", o->input);
        file_stream_init(&in->file, in->fd);
        in->src = &in->file.source;
        return 0;
    }
    if ((rc = open_store(o, in, true)) != 0)
        return rc;
    int slot = o->slot;
    if (slot < 0 && o->os_given)
        slot = img_store_latest(&in->store, o->os);
    /* Neither given: the newest committed image of either OS. */
    for (int i = 0; o->slot < 0 && !o->os_given && i < IMG_STORE_SLOTS; i++)
        if (in->store.slot[i].state == IMG_SLOT_COMMITTED &&
            (slot < 0 || in->store.slot[i].generation > in->store.slot[slot].generation))
            slot = i;
    if (slot < 0) {
        fprintf(stderr, "sleepmux-image: %s: no committed image%s%s\n", o->store, o->os_given ? " for OS " : "",
                o->os_given ? os_name(o->os) : "");
        return EXIT_REFUSED;
    }
    /* Inspection may look at restored images; only a restore (and
     * mark-restored, which stands for one) must not. */
    if (img_store_read(&in->store, slot, !o->restore, &in->slot, &in->expect) != IMG_OK)
        return report(o->store, &in->store.err);
    o->input = o->store;
    fprintf(stderr, "sleepmux-image: %s: slot %d, generation %" PRIu64 ", OS %s%s\n", o->store, slot,
            in->expect.generation, os_name(in->expect.os),
            in->store.slot[slot].state == IMG_SLOT_COMMITTED ? "" : " (restored or superseded)");
    in->src = &in->slot.u.source;
    in->x = &in->expect;
    in->slot_index = slot;
    return 0;
}

