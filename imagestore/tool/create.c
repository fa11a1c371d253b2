/* SPDX-License-Identifier: MIT */
/* sleepmux-image create: a memory dump in, a sealed image out (file or store). */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "progress.h"

#define SLICE (4u << 20) /* bytes read from a dump per push */

int cmd_create(struct opts *o)
{
    struct dump d;
    struct input out;
    struct file_stream fs;
    struct out_file of = { .fd = -1 };
    const struct img_sink *sink;
    struct img_writer_config cfg = { .master_key = o->key, .os = o->os, .chunk_pages = o->chunk_pages };
    struct img_writer w;
    struct img_summary sum;
    struct progress pr;
    uint8_t cpu[IMG_CPU_MAX];
    int rc;

    if (!o->input || (!o->out == !o->store))
        return usage();
    if ((rc = dump_open(&d, o->input, o->base)) != 0)
        return rc;
    if (o->cpu) {
        int cfd = open(o->cpu, O_RDONLY | O_CLOEXEC);
        ssize_t n = cfd < 0 ? -1 : read(cfd, cpu, sizeof cpu);
        char extra;
        if (n < 0 || (n == (ssize_t)sizeof cpu && read(cfd, &extra, 1) == 1)) {
            fprintf(stderr, "sleepmux-image: %s: unreadable or larger than %d bytes\n", o->cpu, IMG_CPU_MAX);
            return EXIT_USAGE;
        }
        close(cfd);
        cfg.cpu = cpu;
        cfg.cpu_size = (uint32_t)n;
    }
    if (random_bytes(cfg.image_id, IMG_ID_SIZE) != 0)
        return sys_error("no randomness for the image id", "getrandom");
    cfg.regions = d.regions;
    cfg.region_count = d.count;
    cfg.generation = o->generation;

    if (o->store) {
        memset(&out, 0, sizeof out);
        if ((rc = open_store(o, &out, true)) != 0)
            return rc;
        if (img_store_begin(&out.store, o->os, o->slot, &out.slot, &cfg.generation) != IMG_OK)
            return report(o->store, &out.store.err);
        sink = &out.slot.u.sink;
    } else {
        /* Never over the file that is there: an image at o->out stays
         * whole until the new one is complete and durable. */
        if ((rc = out_open(&of, o->out, "cannot create image")) != 0)
            return rc;
        file_stream_init(&fs, of.fd);
        sink = &fs.sink;
    }

    size_t work_size = img_writer_work_size(cfg.chunk_pages);
    uint8_t *work = aligned_alloc(64, work_size), *buf = aligned_alloc(4096, SLICE);
    if (!work || !buf) {
        out_discard(&of);
        return sys_error("out of memory", "create");
    }
    enum img_err e = img_writer_begin(&w, &cfg, sink, work, work_size);
    double t0 = progress_now();
    progress_start(&pr, "create", d.bytes);
    uint64_t done = 0;
    for (uint32_t r = 0; e == IMG_OK && r < d.count; r++) {
        uint64_t left = d.regions[r].pages * IMG_PAGE_SIZE, off = d.offsets[r], gpa = d.regions[r].base;
        while (e == IMG_OK && left) {
            size_t want = left < SLICE ? (size_t)left : SLICE;
            ssize_t got = pread(d.fd, buf, want, (off_t)off);
            if (got < 0 || (got < (ssize_t)want && left > want)) {
                progress_end(&pr);
                img_writer_abort(&w);
                rc = sys_error("cannot read memory dump", o->input);
                out_discard(&of);
                return rc;
            }
            memset(buf + got, 0, want - (size_t)got); /* a raw dump's last partial page */
            e = img_writer_pages(&w, gpa, buf, want / IMG_PAGE_SIZE);
            left -= want;
            off += want;
            gpa += want;
            done += (uint64_t)got;
            progress_set(&pr, done);
        }
    }
    if (e == IMG_OK)
        e = img_writer_finish(&w, &sum);
    progress_end(&pr);
    if (e != IMG_OK) {
        img_writer_abort(&w);
        if (o->store && e == IMG_E_IO)
            return report(o->store, &out.store.err);
        rc = report(o->out ? o->out : o->store, &w.err);
        out_discard(&of);
        return rc;
    }
    if (o->store) {
        if (img_store_commit(&out.store, &out.slot, &sum) != IMG_OK)
            return report(o->store, &out.store.err);
    } else if ((rc = out_commit(&of)) != 0) {
        /* The file is the commit: durable and in place, or not there. */
        return rc;
    }
    double secs = progress_now() - t0;
    printf("image ");
    hex(stdout, sum.image_id, IMG_ID_SIZE);
    printf(": OS %s, generation %" PRIu64 ", %" PRIu64 " pages in %u region%s (%" PRIu64 " zero, %" PRIu64
           " stored raw)\n  %s from %s dump: %" PRIu64 " bytes (%.1f%% of %.1f MiB) in %.2f s, %.0f MiB/s\n",
           os_name(sum.os), sum.generation, sum.pages, d.count, d.count == 1 ? "" : "s", sum.zero_pages,
           sum.raw_pages, o->store ? o->store : o->out, d.kind, sum.stream_bytes,
           100.0 * (double)sum.stream_bytes / (double)(sum.pages * IMG_PAGE_SIZE), (double)d.bytes / 1048576.0,
           secs, (double)d.bytes / 1048576.0 / secs);
    free(work);
    free(buf);
    return 0;
}

