/*
 * sleepmux-image: make, inspect, verify and unpack sleepmux OS images, as
 * files or in a store (a partition or a file holding one).
 *
 *   sleepmux-image create  --key-file K [--os A|B] [--generation N] [--chunk-pages N]
 *                          [--cpu FILE] [--base ADDR] DUMP (-o IMAGE | --store DEV)
 *   sleepmux-image info    [--key-file K] (IMAGE | --store DEV)
 *   sleepmux-image verify  --key-file K (IMAGE | --store DEV [--slot N | --os A|B])
 *   sleepmux-image extract --key-file K (IMAGE | --store DEV [--slot N | --os A|B])
 *                          -o RAW [--cpu-out FILE]
 *   sleepmux-image format  --key-file K --store DEV [--force]
 *
 * Exit status: 0 good, 1 corrupt or rejected image, 2 usage, 3 wrong key,
 * 4 I/O error, 5 the store has no such image or no room (io.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "imagestore.h"
#include "io.h"
#include "progress.h"
#include "version.h"

#define SLICE (4u << 20) /* bytes read from a dump per push */

struct opts {
    const char *cmd, *key_file, *out, *store, *cpu, *cpu_out, *input;
    uint32_t os, chunk_pages, block_size;
    uint64_t generation, base;
    int slot;
    bool os_given, force;
    uint8_t key[IMG_KEY_SIZE];
};

static int usage(void)
{
    fputs("usage: sleepmux-image create  --key-file K [--os A|B] [--generation N] [--chunk-pages N]\n"
          "                              [--cpu FILE] [--base ADDR] DUMP (-o IMAGE | --store DEV)\n"
          "       sleepmux-image info    [--key-file K] (IMAGE | --store DEV)\n"
          "       sleepmux-image verify  --key-file K (IMAGE | --store DEV [--slot N | --os A|B])\n"
          "       sleepmux-image extract --key-file K (IMAGE | --store DEV [--slot N | --os A|B])\n"
          "                              -o RAW [--cpu-out FILE]\n"
          "       sleepmux-image format  --key-file K --store DEV [--force]\n"
          "exit status: 0 ok, 1 corrupt or rejected image, 2 usage, 3 wrong key, 4 I/O error,\n"
          "             5 no such image in the store, or no room for one\n",
          stderr);
    return EXIT_USAGE;
}

static void hex(FILE *f, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%02x", p[i]);
}

static const char *os_name(uint32_t os)
{
    return os == IMG_OS_A ? "A" : os == IMG_OS_B ? "B" : "?";
}

/* ---- where an image comes from: a file or a store slot ----------------------- */

struct input {
    struct file_stream file;
    struct file_dev dev;
    struct img_store store;
    struct img_slot_stream slot;
    struct img_expect expect;
    const struct img_source *src;
    const struct img_expect *x;
    uint8_t io[4096];
    int fd;
};

static int open_store(struct opts *o, struct input *in, bool must_exist)
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

static int open_input(struct opts *o, struct input *in)
{
    int rc;

    memset(in, 0, sizeof *in);
    in->fd = -1;
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
    /* Inspection may look at restored images; only a restore must not. */
    if (img_store_read(&in->store, slot, true, &in->slot, &in->expect) != IMG_OK)
        return report(o->store, &in->store.err);
    o->input = o->store;
    fprintf(stderr, "sleepmux-image: %s: slot %d, generation %" PRIu64 ", OS %s%s\n", o->store, slot,
            in->expect.generation, os_name(in->expect.os),
            in->store.slot[slot].state == IMG_SLOT_COMMITTED ? "" : " (restored or superseded)");
    in->src = &in->slot.u.source;
    in->x = &in->expect;
    return 0;
}

/* ---- create ------------------------------------------------------------------- */

static int cmd_create(struct opts *o)
{
    struct dump d;
    struct input out;
    struct file_stream fs;
    const struct img_sink *sink;
    struct img_writer_config cfg = { .master_key = o->key, .os = o->os, .chunk_pages = o->chunk_pages };
    struct img_writer w;
    struct img_summary sum;
    struct progress pr;
    uint8_t cpu[IMG_CPU_MAX];
    int rc, fd = -1;

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
        if ((fd = open(o->out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
            return sys_error("cannot create image", o->out);
        file_stream_init(&fs, fd);
        sink = &fs.sink;
    }

    size_t work_size = img_writer_work_size(cfg.chunk_pages);
    uint8_t *work = aligned_alloc(64, work_size), *buf = aligned_alloc(4096, SLICE);
    if (!work || !buf)
        return sys_error("out of memory", "create");
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
                return sys_error("cannot read memory dump", o->input);
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
        return report(o->out ? o->out : o->store, &w.err);
    }
    if (o->store) {
        if (img_store_commit(&out.store, &out.slot, &sum) != IMG_OK)
            return report(o->store, &out.store.err);
    } else {
        struct stat st;
        /* The file is the commit: make it durable before saying so. */
        if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && fdatasync(fd) != 0)
            return sys_error("cannot sync image", o->out);
        if (close(fd) != 0)
            return sys_error("cannot close image", o->out);
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

/* ---- verify and extract ---------------------------------------------------------- */

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

static int read_all(struct opts *o, bool extract)
{
    struct input in;
    struct img_reader r;
    struct progress pr;
    struct sink_pages sp = { .cap = 8u << 20, .fd = -1, .pr = &pr, .base = o->base };
    uint8_t cpu[IMG_CPU_MAX];
    int rc;

    if ((!o->input == !o->store) || (extract && !o->out))
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
        struct stat st;
        if ((sp.fd = open(o->out, O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) < 0 || fstat(sp.fd, &st) != 0)
            return sys_error("cannot create output", o->out);
        sp.sparse = S_ISREG(st.st_mode);
        if (sp.sparse && ftruncate(sp.fd, 0) != 0)
            return sys_error("cannot truncate output", o->out);
    }
    struct img_memory mem = { &sp, pages_map, pages_done };
    progress_start(&pr, extract ? "extract" : "verify", r.info.pages * IMG_PAGE_SIZE);
    enum img_err e = IMG_OK;
    while (e == IMG_OK && !r.done)
        e = img_reader_next(&r, &mem);
    flush_pages(&sp);
    progress_end(&pr);
    if (sp.failed)
        return sys_error("cannot write output", o->out);
    if (e != IMG_OK)
        return e == IMG_E_IO && o->store ? report(o->input, &in.store.err) : report(o->input, &r.err);
    if (extract) {
        const struct img_region *last = img_reader_region(&r, r.info.region_count - 1);
        if (sp.sparse && ftruncate(sp.fd, (off_t)(last->base + last->pages * IMG_PAGE_SIZE - o->base)) != 0)
            return sys_error("cannot size output", o->out);
        if (close(sp.fd) != 0)
            return sys_error("cannot close output", o->out);
        if (o->cpu_out) {
            int cfd = open(o->cpu_out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
            if (cfd < 0 || write(cfd, cpu, r.info.cpu_size) != (ssize_t)r.info.cpu_size || close(cfd) != 0)
                return sys_error("cannot write CPU context", o->cpu_out);
        }
    }
    double secs = progress_now() - t0;
    printf("image ");
    hex(stdout, r.sum.image_id, IMG_ID_SIZE);
    printf(": %s: OS %s, generation %" PRIu64 ", %" PRIu64 " chunks, %" PRIu64 " pages (%" PRIu64
           " zero), %" PRIu64 " bytes, %.2f s, %.0f MiB/s\n",
           extract ? "extracted" : "authentic and complete", os_name(r.sum.os), r.sum.generation, r.sum.chunks,
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

/* ---- info and format ----------------------------------------------------------- */

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

static int cmd_info(struct opts *o)
{
    uint8_t clear[IMG_HEADER_CLEAR];
    struct img_info info;
    struct img_error err;
    ssize_t n;
    int fd;

    if (o->store)
        return o->key_file ? info_store(o) : usage();
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

static int cmd_format(struct opts *o)
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

/* ---- arguments ---------------------------------------------------------------- */

static bool parse_u64(const char *s, uint64_t *v)
{
    char *end;
    errno = 0;
    *v = strtoull(s, &end, 0);
    return errno == 0 && *s && !*end;
}

int main(int argc, char **argv)
{
    static const struct option longs[] = {
        { "key-file", required_argument, 0, 'k' }, { "os", required_argument, 0, 'O' },
        { "generation", required_argument, 0, 'g' }, { "chunk-pages", required_argument, 0, 'c' },
        { "cpu", required_argument, 0, 'C' }, { "cpu-out", required_argument, 0, 'X' },
        { "base", required_argument, 0, 'b' }, { "store", required_argument, 0, 's' },
        { "slot", required_argument, 0, 'S' }, { "block-size", required_argument, 0, 'B' },
        { "output", required_argument, 0, 'o' }, { "force", no_argument, 0, 'f' },
        { "version", no_argument, 0, 'V' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
    };
    struct opts o = { .generation = 1, .slot = -1 };
    uint64_t v;
    int c, rc;

    while ((c = getopt_long(argc, argv, "o:h", longs, NULL)) != -1) {
        switch (c) {
        case 'k': o.key_file = optarg; break;
        case 'O':
            if (strcmp(optarg, "A") && strcmp(optarg, "B"))
                return usage();
            o.os = optarg[0] == 'A' ? IMG_OS_A : IMG_OS_B;
            o.os_given = true;
            break;
        case 'g': if (!parse_u64(optarg, &o.generation)) return usage(); break;
        case 'c': if (!parse_u64(optarg, &v) || v > IMG_CHUNK_PAGES_MAX) return usage(); o.chunk_pages = (uint32_t)v; break;
        case 'C': o.cpu = optarg; break;
        case 'X': o.cpu_out = optarg; break;
        case 'b': if (!parse_u64(optarg, &o.base)) return usage(); break;
        case 's': o.store = optarg; break;
        case 'S': if (!parse_u64(optarg, &v) || v >= IMG_STORE_SLOTS) return usage(); o.slot = (int)v; break;
        case 'B': if (!parse_u64(optarg, &v) || v > 4096) return usage(); o.block_size = (uint32_t)v; break;
        case 'o': o.out = optarg; break;
        case 'f': o.force = true; break;
        case 'V': printf("sleepmux-image %s\n", SMX_VERSION); return 0;
        default: return usage();
        }
    }
    if (optind >= argc)
        return usage();
    o.cmd = argv[optind++];
    if (optind < argc)
        o.input = argv[optind++];
    if (optind < argc)
        return usage();
    bool key_needed = strcmp(o.cmd, "info") != 0;
    if (key_needed && !o.key_file) {
        fprintf(stderr, "sleepmux-image: %s needs --key-file\n", o.cmd);
        return EXIT_USAGE;
    }
    if (o.key_file && (rc = load_key(o.key_file, o.key)) != 0)
        return rc;

    if (!strcmp(o.cmd, "create"))
        return cmd_create(&o);
    if (!strcmp(o.cmd, "info"))
        return cmd_info(&o);
    if (!strcmp(o.cmd, "verify"))
        return read_all(&o, false);
    if (!strcmp(o.cmd, "extract"))
        return read_all(&o, true);
    if (!strcmp(o.cmd, "format"))
        return cmd_format(&o);
    return usage();
}
