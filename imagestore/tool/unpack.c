/* SPDX-License-Identifier: MIT */
/* sleepmux-image verify, extract and mark-restored: read a whole image,
 * authenticating every record; extract also writes the pages out as a raw
 * memory file; mark-restored then records in the store that the image was
 * restored, as the VMM does after a restore. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "progress.h"

/* Verified pages are gathered here and written out in large pieces. */
struct sink_pages {
    uint8_t *buf;
    size_t cap, fill;
    uint64_t gpa, base;
    int fd;                 /* -1: verify only */
    bool sparse;            /* regular file: skip zero pages, leave holes */
    bool failed;
    struct progress *pr;
    uint64_t done;
};

static bool all_zero(const uint8_t *p)
{
    const uint64_t *q = (const uint64_t *)p;
    for (size_t i = 0; i < IMG_PAGE_SIZE / 8; i++)
        if (q[i])
            return false;
    return true;
}

static void flush_pages(struct sink_pages *s)
{
    size_t i = 0;

    if (s->fd < 0 || s->fill == 0) {
        s->fill = 0;
        return;
    }
    while (i < s->fill && !s->failed) {
        size_t j = i;
        if (s->sparse) {
            while (i < s->fill && all_zero(s->buf + i))
                i += IMG_PAGE_SIZE;
            j = i;
            while (j < s->fill && !all_zero(s->buf + j))
                j += IMG_PAGE_SIZE;
        } else
            j = s->fill;
        if (j > i && pwrite(s->fd, s->buf + i, j - i, (off_t)(s->gpa - s->base + i)) != (ssize_t)(j - i))
            s->failed = true;
        i = j;
    }
    s->fill = 0;
}

static void *pages_map(void *ctx, uint64_t gpa, size_t len)
{
    struct sink_pages *s = ctx;

    if (gpa < s->base || s->failed)
        return NULL;
    if (s->fill && (gpa != s->gpa + s->fill || s->fill + len > s->cap))
        flush_pages(s);
    if (len > s->cap || s->failed)
        return NULL;
    if (s->fill == 0)
        s->gpa = gpa;
    return s->buf + s->fill;
}

static void pages_done(void *ctx, uint64_t gpa, size_t len)
{
    struct sink_pages *s = ctx;
    s->fill += len;
    s->done += len;
    progress_set(s->pr, s->done);
}

int cmd_read(struct opts *o, enum read_mode mode)
{
    bool extract = mode == READ_EXTRACT;
    struct input in;
    struct img_reader r;
    struct progress pr;
    struct sink_pages sp = { .cap = 8u << 20, .fd = -1, .pr = &pr, .base = o->base };
    struct out_file of = { .fd = -1 };
    uint8_t cpu[IMG_CPU_MAX];
    int rc;

    if ((!o->input == !o->store) || (extract && !o->out) || (mode == READ_MARK && !o->store))
        return usage();
    if ((rc = open_input(o, &in)) != 0)
        return rc;
    size_t work_size = img_reader_work_size(0);
    void *work = aligned_alloc(64, work_size);
    sp.buf = aligned_alloc(4096, sp.cap);
    if (!work || !sp.buf)
        return sys_error("out of memory", o->cmd);
    double t0 = progress_now();
    if (img_reader_open(&r, in.src, o->key, in.x, work, work_size, cpu, sizeof cpu) != IMG_OK)
        return r.err.code == IMG_E_IO && o->store ? report(o->input, &in.store.err) : report(o->input, &r.err);
    if (extract) {
        /* A temporary file beside o->out, renamed over it only once the
         * commit record verified: a failed or killed extract leaves no
         * partial memory and keeps the file that was there. */
        if ((rc = out_open(&of, o->out, "cannot create output")) != 0)
            return rc;
        sp.fd = of.fd;
        sp.sparse = of.regular;
    }
    struct img_memory mem = { &sp, pages_map, pages_done };
    progress_start(&pr, extract ? "extract" : "verify", r.info.pages * IMG_PAGE_SIZE);
    enum img_err e = IMG_OK;
    while (e == IMG_OK && !r.done)
        e = img_reader_next(&r, &mem);
    flush_pages(&sp);
    progress_end(&pr);
    if (sp.failed) {
        rc = sys_error("cannot write output", o->out);
        out_discard(&of);
        return rc;
    }
    if (e != IMG_OK) {
        rc = e == IMG_E_IO && o->store ? report(o->input, &in.store.err) : report(o->input, &r.err);
        out_discard(&of);
        return rc;
    }
    if (extract) {
        const struct img_region *last = img_reader_region(&r, r.info.region_count - 1);
        if (sp.sparse && ftruncate(sp.fd, (off_t)(last->base + last->pages * IMG_PAGE_SIZE - o->base)) != 0) {
            rc = sys_error("cannot size output", o->out);
            out_discard(&of);
            return rc;
        }
        if (o->cpu_out) {
            struct out_file cf;
            if ((rc = out_open(&cf, o->cpu_out, "cannot write CPU context")) != 0) {
                out_discard(&of);
                return rc;
            }
            if (write(cf.fd, cpu, r.info.cpu_size) != (ssize_t)r.info.cpu_size) {
                rc = sys_error("cannot write CPU context", o->cpu_out);
                out_discard(&cf);
                out_discard(&of);
                return rc;
            }
            if ((rc = out_commit(&cf)) != 0) {
                out_discard(&of);
                return rc;
            }
        }
        if ((rc = out_commit(&of)) != 0)
            return rc;
    }
    /* The checks a restore makes before the OS may run: the slot was
     * committed (not restored or superseded: open_input read it as a
     * restore does), the image is authentic, complete and the one the
     * superblock vouches for. Only then is it marked, never to run again. */
    if (mode == READ_MARK && img_store_mark_restored(&in.store, in.slot_index) != IMG_OK)
        return report(o->store, &in.store.err);
    double secs = progress_now() - t0;
    printf("image ");
    hex(stdout, r.sum.image_id, IMG_ID_SIZE);
    printf(": %s: OS %s, generation %" PRIu64 ", %" PRIu64 " chunks, %" PRIu64 " pages (%" PRIu64
           " zero), %" PRIu64 " bytes, %.2f s, %.0f MiB/s\n",
           extract ? "extracted" : mode == READ_MARK ? "authentic and complete; marked restored" :
           "authentic and complete", os_name(r.sum.os), r.sum.generation, r.sum.chunks,
           r.sum.pages, r.sum.zero_pages, r.sum.stream_bytes, secs,
           (double)(r.sum.pages * IMG_PAGE_SIZE) / 1048576.0 / secs);
    if (!o->store) {
        struct stat st;
        if (fstat(in.fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size > r.sum.stream_bytes)
            fprintf(stderr, "sleepmux-image: %s: note: %" PRIu64 " bytes after the commit record are not part "
                    "of the image\n", o->input, (uint64_t)st.st_size - r.sum.stream_bytes);
    }
    free(work);
    free(sp.buf);
    return 0;
}

