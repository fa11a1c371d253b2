/* SPDX-License-Identifier: MIT */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io.h"

int exit_code(enum img_err e)
{
    switch (e) {
    case IMG_OK:
        return EXIT_OK;
    case IMG_E_IO:
        return EXIT_IO;
    case IMG_E_KEY:
        return EXIT_KEY;
    case IMG_E_ARG:
        return EXIT_USAGE;
    case IMG_E_BUSY:
    case IMG_E_NOSPACE:
    case IMG_E_EMPTY:
        return EXIT_REFUSED;
    default:
        return EXIT_CORRUPT;
    }
}

int report(const char *context, const struct img_error *err)
{
    char msg[256];

    img_error_format(err, msg, sizeof msg);
    fprintf(stderr, "sleepmux-image: %s: %s\n", context, msg);
    return exit_code(err->code);
}

int sys_error(const char *what, const char *path)
{
    fprintf(stderr, "sleepmux-image: %s: %s: %s\n", path, what, strerror(errno));
    return EXIT_IO;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int load_key(const char *path, uint8_t key[IMG_KEY_SIZE])
{
    uint8_t buf[128];
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return sys_error("cannot open key file", path);
    n = read(fd, buf, sizeof buf);
    close(fd);
    if (n < 0)
        return sys_error("cannot read key file", path);
    if (n == IMG_KEY_SIZE) {
        memcpy(key, buf, IMG_KEY_SIZE);
        return 0;
    }
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
        n--;
    if (n == 2 * IMG_KEY_SIZE) {
        for (int i = 0; i < IMG_KEY_SIZE; i++) {
            int hi = hexval(buf[2 * i]), lo = hexval(buf[2 * i + 1]);
            if (hi < 0 || lo < 0)
                goto bad;
            key[i] = (uint8_t)(hi << 4 | lo);
        }
        return 0;
    }
bad:
    fprintf(stderr, "sleepmux-image: %s: a key file holds 32 raw bytes or 64 hex digits\n", path);
    return EXIT_USAGE;
}

int random_bytes(void *buf, size_t len)
{
    return getrandom(buf, len, 0) == (ssize_t)len ? 0 : -1;
}

int out_open(struct out_file *f, const char *path, const char *what)
{
    struct stat st;

    f->path = path;
    f->tmp[0] = 0;
    f->regular = true;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        f->regular = false;
        if ((f->fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
            return sys_error(what, path);
        return 0;
    }
    /* A symbolic link at the output path: replace the file it points to,
     * as writing through it would, not the link. */
    if ((size_t)snprintf(f->target, sizeof f->target, "%s", path) >= sizeof f->target ||
        (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) && !realpath(path, f->target))) {
        if (errno != ENOENT)
            errno = ENAMETOOLONG;
        return sys_error(what, path);
    }
    if ((size_t)snprintf(f->tmp, sizeof f->tmp, "%s.tmp-XXXXXX", f->target) >= sizeof f->tmp) {
        errno = ENAMETOOLONG;
        f->tmp[0] = 0;
        return sys_error(what, path);
    }
    if ((f->fd = mkstemp(f->tmp)) < 0) {
        f->tmp[0] = 0;
        return sys_error(what, path);
    }
    return 0;
}

int out_commit(struct out_file *f)
{
    char dir[4096];
    const char *slash = strrchr(f->target, '/');
    int dfd;

    if (f->regular && fsync(f->fd) != 0) {
        int e = errno;
        out_discard(f);
        errno = e;
        return sys_error("cannot sync output", f->path);
    }
    if (close(f->fd) != 0) {
        int e = errno;
        f->fd = -1;
        out_discard(f);
        errno = e;
        return sys_error("cannot close output", f->path);
    }
    f->fd = -1;
    if (!f->tmp[0])
        return 0;
    if (rename(f->tmp, f->target) != 0) {
        int e = errno;
        out_discard(f);
        errno = e;
        return sys_error("cannot rename the finished output into place", f->path);
    }
    f->tmp[0] = 0;
    /* The rename itself must survive a crash too. */
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - f->target) + 1 : 1, slash ? f->target : ".");
    if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;
}

void out_discard(struct out_file *f)
{
    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
    if (f->tmp[0]) {
        unlink(f->tmp);
        f->tmp[0] = 0;
        fprintf(stderr, "sleepmux-image: %s: not written; the partial output was removed and what was there is "
                "unchanged\n", f->path);
    }
}

static int fs_write(void *ctx, const void *buf, size_t len)
{
    struct file_stream *f = ctx;
    const uint8_t *p = buf;

    while (len) {
        ssize_t n = write(f->fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
        f->pos += (uint64_t)n;
    }
    return 0;
}

static int fs_read(void *ctx, void *buf, size_t len, size_t *got)
{
    struct file_stream *f = ctx;
    uint8_t *p = buf;

    *got = 0;
    while (len) {
        ssize_t n = read(f->fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        p += n;
        len -= (size_t)n;
        *got += (size_t)n;
        f->pos += (uint64_t)n;
    }
    return 0;
}

void file_stream_init(struct file_stream *f, int fd)
{
    f->fd = fd;
    f->pos = 0;
    f->sink = (struct img_sink){ f, fs_write };
    f->source = (struct img_source){ f, fs_read };
}

static int fd_read(void *ctx, uint64_t lba, uint32_t n, void *buf)
{
    struct file_dev *d = ctx;
    size_t len = (size_t)n * d->dev.block_size;
    return pread(d->fd, buf, len, (off_t)(lba * d->dev.block_size)) == (ssize_t)len ? 0 : -1;
}

static int fd_write(void *ctx, uint64_t lba, uint32_t n, const void *buf)
{
    struct file_dev *d = ctx;
    size_t len = (size_t)n * d->dev.block_size;
    return pwrite(d->fd, buf, len, (off_t)(lba * d->dev.block_size)) == (ssize_t)len ? 0 : -1;
}

static int fd_flush(void *ctx)
{
    struct file_dev *d = ctx;
    return fdatasync(d->fd);
}

int file_dev_open(struct file_dev *d, const char *path, uint32_t block_size)
{
    struct stat st;
    uint64_t bytes;

    d->fd = open(path, O_RDWR | O_CLOEXEC);
    if (d->fd < 0 || fstat(d->fd, &st) != 0)
        return sys_error("cannot open store", path);
    if (S_ISBLK(st.st_mode)) {
        int ssz = 0;
        if (ioctl(d->fd, BLKGETSIZE64, &bytes) != 0)
            return sys_error("cannot size block device", path);
        if (!block_size && ioctl(d->fd, BLKSSZGET, &ssz) == 0)
            block_size = (uint32_t)ssz;
    } else
        bytes = (uint64_t)st.st_size;
    if (!block_size)
        block_size = 512;
    d->dev = (struct img_blockdev){ d, block_size, bytes / block_size, fd_read, fd_write, fd_flush };
    return 0;
}

static int region_cmp(const void *a, const void *b)
{
    const struct img_region *x = a, *y = b;
    return x->base < y->base ? -1 : x->base > y->base;
}

/* QEMU's dump-guest-memory: an ELF64 core whose PT_LOAD segments are the
 * guest's RAM, p_paddr their guest-physical address. */
static int dump_elf(struct dump *d, const char *path)
{
    Elf64_Ehdr eh;
    struct {
        struct img_region r;
        uint64_t off;
    } seg[IMG_REGIONS_MAX];

    if (pread(d->fd, &eh, sizeof eh, 0) != (ssize_t)sizeof eh || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
        eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_phentsize != sizeof(Elf64_Phdr)) {
        fprintf(stderr, "sleepmux-image: %s: not a little-endian ELF64 core\n", path);
        return EXIT_USAGE;
    }
    d->count = 0;
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        if (pread(d->fd, &ph, sizeof ph, (off_t)(eh.e_phoff + i * sizeof ph)) != (ssize_t)sizeof ph)
            return sys_error("cannot read program headers", path);
        if (ph.p_type != PT_LOAD || ph.p_filesz == 0)
            continue;
        if (ph.p_paddr % IMG_PAGE_SIZE || ph.p_filesz % IMG_PAGE_SIZE || d->count == IMG_REGIONS_MAX) {
            fprintf(stderr, "sleepmux-image: %s: segment %u is not whole pages (or too many segments)\n", path, i);
            return EXIT_USAGE;
        }
        seg[d->count].r = (struct img_region){ ph.p_paddr, ph.p_filesz / IMG_PAGE_SIZE };
        seg[d->count].off = ph.p_offset;
        d->count++;
    }
    if (d->count == 0) {
        fprintf(stderr, "sleepmux-image: %s: ELF core without memory segments\n", path);
        return EXIT_USAGE;
    }
    qsort(seg, d->count, sizeof seg[0], region_cmp);
    for (uint32_t i = 0; i < d->count; i++) {
        d->regions[i] = seg[i].r;
        d->offsets[i] = seg[i].off;
        d->bytes += seg[i].r.pages * IMG_PAGE_SIZE;
    }
    d->kind = "ELF core";
    return 0;
}

int dump_open(struct dump *d, const char *path, uint64_t base)
{
    struct stat st;
    uint8_t magic[4];

    memset(d, 0, sizeof *d);
    d->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (d->fd < 0 || fstat(d->fd, &st) != 0)
        return sys_error("cannot open memory dump", path);
    if (pread(d->fd, magic, 4, 0) == 4 && memcmp(magic, ELFMAG, 4) == 0)
        return dump_elf(d, path);
    /* Raw (pmemsave, a partition, any file): one region; a last partial
     * page reads as zeros past the end of the file. */
    if (st.st_size == 0 || base % IMG_PAGE_SIZE) {
        fprintf(stderr, "sleepmux-image: %s: empty dump, or base not page-aligned\n", path);
        return EXIT_USAGE;
    }
    d->count = 1;
    d->regions[0] = (struct img_region){ base, ((uint64_t)st.st_size + IMG_PAGE_SIZE - 1) / IMG_PAGE_SIZE };
    d->offsets[0] = 0;
    d->bytes = (uint64_t)st.st_size;
    d->kind = "raw";
    return 0;
}
