/* SPDX-License-Identifier: MIT */
/*
 * make bench: imagestore's save and restore throughput on a real guest
 * memory dump, all measured in this one run (best of several interleaved
 * rounds, so a busy neighbour hurts every side alike).
 *
 * Save is what the VMM does on a first switch: pages that sit in memory go
 * through the writer (zero check, LZ4, ChaCha20-Poly1305) to a sink that
 * discards them. Restore reads the sealed stream from memory and fills a
 * memory image, as the VMM fills guest RAM.
 *
 * The baseline is like for like: the same LZ4 (the one this binary links)
 * in this process on the same buffer, LZ4_compress_fast (acceleration 1,
 * as the writer) and LZ4_decompress_safe over the writer's default chunk
 * size, memory to memory. What imagestore adds (zero elision, encryption,
 * authentication, framing) shows in the ratio. The lz4 program's `-1` and
 * `-d` on the same file are printed on a separate line for reference: their
 * times include process start, file reads and frame checksums.
 *
 * usage: imagestore-bench DUMP [ROUNDS]
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <lz4.h>

#include "bearssl.h"
#include "imagestore.h"

extern char **environ;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void die(const char *what)
{
    fprintf(stderr, "imagestore-bench: %s\n", what);
    exit(1);
}

/* Run argv with stdout to out_path (stdin from in_path if set); wall seconds. */
static double run(char *const argv[], const char *in_path, const char *out_path)
{
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int status;
    double t;

    posix_spawn_file_actions_init(&fa);
    if (in_path)
        posix_spawn_file_actions_addopen(&fa, 0, in_path, O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    t = now();
    if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) != 0)
        die("cannot run lz4");
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        die("lz4 failed");
    t = now() - t;
    posix_spawn_file_actions_destroy(&fa);
    return t;
}

struct mem_stream {
    uint8_t *buf;
    size_t len, pos, cap;
};

static int null_write(void *ctx, const void *buf, size_t len)
{
    struct mem_stream *m = ctx;
    m->len += len;
    return 0;
}

static int mem_write(void *ctx, const void *buf, size_t len)
{
    struct mem_stream *m = ctx;
    if (m->len + len > m->cap)
        return -1;
    memcpy(m->buf + m->len, buf, len);
    m->len += len;
    return 0;
}

static int mem_read(void *ctx, void *buf, size_t len, size_t *got)
{
    struct mem_stream *m = ctx;
    size_t n = m->len - m->pos < len ? m->len - m->pos : len;
    memcpy(buf, m->buf + m->pos, n);
    m->pos += n;
    *got = n;
    return 0;
}

static void *map_flat(void *ctx, uint64_t gpa, size_t len)
{
    return (uint8_t *)ctx + gpa;
}

static const uint8_t key[IMG_KEY_SIZE] = { 0x42 };

static double save(const uint8_t *ram, uint64_t pages, const struct img_sink *sink, void *work,
                   struct img_summary *sum)
{
    struct img_region region = { 0, pages };
    struct img_writer_config cfg = { .master_key = key, .generation = 1, .os = IMG_OS_A,
                                     .regions = &region, .region_count = 1 };
    struct img_writer w;
    double t = now();

    memcpy(cfg.image_id, "bench image id..", IMG_ID_SIZE);
    if (img_writer_begin(&w, &cfg, sink, work, img_writer_work_size(0)) != IMG_OK ||
        img_writer_pages(&w, 0, ram, pages) != IMG_OK || img_writer_finish(&w, sum) != IMG_OK)
        die("save failed");
    return now() - t;
}

static double restore(struct mem_stream *m, uint8_t *out, void *work)
{
    struct img_source src = { m, mem_read };
    struct img_memory mem = { out, map_flat, NULL };
    struct img_reader r;
    double t = now();

    m->pos = 0;
    if (img_reader_open(&r, &src, key, NULL, work, img_reader_work_size(0), NULL, 0) != IMG_OK)
        die("restore: open failed");
    while (!r.done)
        if (img_reader_next(&r, &mem) != IMG_OK) {
            char msg[200];
            img_error_format(&r.err, msg, sizeof msg);
            die(msg);
        }
    return now() - t;
}

/* The baseline: LZ4 alone over the buffer, chunk by chunk. */
#define LZ4_CHUNK ((size_t)IMG_CHUNK_PAGES_DEFAULT * IMG_PAGE_SIZE)

struct lz4_chunks {
    char *buf;      /* compressed chunks, each at i * bound */
    int *len;       /* compressed length of chunk i */
    size_t n, bound;
};

static double lz4_save(const uint8_t *ram, size_t size, struct lz4_chunks *c)
{
    double t = now();
    for (size_t i = 0; i < c->n; i++) {
        size_t off = i * LZ4_CHUNK, len = size - off < LZ4_CHUNK ? size - off : LZ4_CHUNK;
        c->len[i] = LZ4_compress_fast((const char *)ram + off, c->buf + i * c->bound, (int)len, (int)c->bound, 1);
        if (c->len[i] <= 0)
            die("LZ4_compress_fast failed");
    }
    return now() - t;
}

static double lz4_restore(const struct lz4_chunks *c, uint8_t *out, size_t size)
{
    double t = now();
    for (size_t i = 0; i < c->n; i++) {
        size_t off = i * LZ4_CHUNK, len = size - off < LZ4_CHUNK ? size - off : LZ4_CHUNK;
        if (LZ4_decompress_safe(c->buf + i * c->bound, (char *)out + off, c->len[i], (int)len) != (int)len)
            die("LZ4_decompress_safe failed");
    }
    return now() - t;
}

static double chacha_rate(br_chacha20_run fn, uint8_t *buf, size_t len)
{
    uint8_t iv[12] = { 0 };
    double best = 1e9;
    for (int round = 0; round < 3; round++) {
        double t = now();
        for (size_t o = 0; o + 65536 <= len; o += 65536)
            fn(key, iv, 1, buf + o, 65536);
        if ((t = now() - t) < best)
            best = t;
    }
    return (double)len / best / 1e6;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        die("usage: imagestore-bench DUMP [ROUNDS]");
    const char *dump = argv[1];
    int rounds = argc > 2 ? atoi(argv[2]) : 3;
    char lz4_path[4096];
    struct stat st;
    FILE *f;

    if (stat(dump, &st) != 0 || st.st_size % IMG_PAGE_SIZE)
        die("dump missing or not a whole number of pages");
    size_t size = (size_t)st.st_size;
    uint64_t pages = size / IMG_PAGE_SIZE;
    uint8_t *ram = aligned_alloc(4096, size), *back = aligned_alloc(4096, size);
    void *work = aligned_alloc(64, img_reader_work_size(0));
    struct mem_stream sealed = { .buf = malloc(size + size / 8), .cap = size + size / 8 };
    if (!ram || !back || !work || !sealed.buf || !(f = fopen(dump, "rb")) || fread(ram, 1, size, f) != size)
        die("cannot load the dump");
    fclose(f);
    memset(back, 0xa5, size);

    /* The lz4 file lz4 -d reads, next to the build's other outputs. */
    snprintf(lz4_path, sizeof lz4_path, "%s.lz4", dump);
    char *mk[] = { "lz4", "-1", "-q", "-f", "-c", (char *)dump, NULL };
    run(mk, NULL, lz4_path);

    struct img_sink null_sink = { &sealed, null_write }, mem_sink = { &sealed, mem_write };
    struct img_summary sum;
    save(ram, pages, &mem_sink, work, &sum);
    restore(&sealed, back, work);
    if (memcmp(ram, back, size) != 0)
        die("restored memory differs from the dump");
    struct lz4_chunks lz = { .n = (size + LZ4_CHUNK - 1) / LZ4_CHUNK, .bound = (size_t)LZ4_compressBound((int)LZ4_CHUNK) };
    lz.buf = malloc(lz.n * lz.bound);
    lz.len = calloc(lz.n, sizeof *lz.len);
    if (!lz.buf || !lz.len)
        die("out of memory");
    memset(back, 0xa5, size);
    lz4_save(ram, size, &lz);
    lz4_restore(&lz, back, size);
    if (memcmp(ram, back, size) != 0)
        die("liblz4 round trip differs from the dump");
    size_t lz_bytes = 0;
    for (size_t i = 0; i < lz.n; i++)
        lz_bytes += (size_t)lz.len[i];

    double best_lz4c = 1e9, best_lz4d = 1e9, best_save = 1e9, best_restore = 1e9, best_lc = 1e9, best_ld = 1e9;
    for (int i = 0; i < rounds; i++) {
        char *c1[] = { "lz4", "-1", "-q", "-c", (char *)dump, NULL };
        char *d1[] = { "lz4", "-d", "-q", "-c", lz4_path, NULL };
        double t;
        if ((t = run(c1, NULL, "/dev/null")) < best_lz4c)
            best_lz4c = t;
        size_t keep = sealed.len;
        sealed.len = 0;
        if ((t = save(ram, pages, &null_sink, work, &sum)) < best_save)
            best_save = t;
        sealed.len = keep;
        if ((t = run(d1, NULL, "/dev/null")) < best_lz4d)
            best_lz4d = t;
        if ((t = restore(&sealed, back, work)) < best_restore)
            best_restore = t;
        if ((t = lz4_save(ram, size, &lz)) < best_lc)
            best_lc = t;
        if ((t = lz4_restore(&lz, back, size)) < best_ld)
            best_ld = t;
    }
    stat(lz4_path, &st);

    double mib = (double)size / (1 << 20);
    printf("imagestore on %s: %.0f MiB, %llu pages, %llu zero (%.1f%%), %llu stored raw\n", dump, mib,
           (unsigned long long)pages, (unsigned long long)sum.zero_pages, 100.0 * sum.zero_pages / pages,
           (unsigned long long)sum.raw_pages);
    printf("  sealed image %.1f MiB (%.1f%% of the dump); liblz4 in %zu KiB chunks %.1f MiB (%.1f%%); "
           "lz4 -1 file %.1f MiB (%.1f%%)\n", sealed.len / 1048576.0, 100.0 * sealed.len / size, LZ4_CHUNK >> 10,
           lz_bytes / 1048576.0, 100.0 * lz_bytes / size, st.st_size / 1048576.0, 100.0 * st.st_size / size);
    printf("  like for like, same process, same buffer, %zu KiB chunks:\n", LZ4_CHUNK >> 10);
    printf("  save     %7.0f MiB/s   LZ4_compress_fast   %7.0f MiB/s   ratio %.2fx (goal >= 0.9)\n",
           mib / best_save, mib / best_lc, best_lc / best_save);
    printf("  restore  %7.0f MiB/s   LZ4_decompress_safe %7.0f MiB/s   ratio %.2fx (goal >= 0.6)\n",
           mib / best_restore, mib / best_ld, best_ld / best_restore);
    printf("  for reference, the lz4 program on the file (process start, file reads, frame checksums "
           "included): lz4 -1 %.0f MiB/s (imagestore %.2fx), lz4 -d %.0f MiB/s (%.2fx)\n",
           mib / best_lz4c, best_lz4c / best_save, mib / best_lz4d, best_lz4d / best_restore);
    /* The bound on both directions: every stored byte is encrypted once. */
    double ct = chacha_rate(br_chacha20_ct_run, back, 64 << 20);
    br_chacha20_run sse2 = br_chacha20_sse2_get();
    printf("  ChaCha20 over 64 MiB: portable (used) %.0f MB/s", ct);
    if (sse2)
        printf(", BearSSL's SSE2 %.0f MB/s", chacha_rate(sse2, back, 64 << 20));
    printf("\n");
    unlink(lz4_path);
    return 0;
}
