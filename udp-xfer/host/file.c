/* SPDX-License-Identifier: MIT */
/*
 * Files (and pipes) as the engine's data source and sink: sequential, as
 * the engine asks for blocks once and in order. A short read only at the end
 * of the file; a failed write tells the peer why in TFTP's terms.
 */
#include <errno.h>
#include <unistd.h>

#include "host.h"

static int file_read(void *ctx, uint64_t block, void *dst, size_t len, size_t *got)
{
    struct host_file *f = ctx;
    size_t have = 0;

    (void)block;
    while (have < len) {
        ssize_t n = read(f->fd, (char *)dst + have, len - have);

        if (n == 0)
            break;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            f->err = errno;
            return XFER_TFTP_ACCESS;
        }
        have += (size_t)n;
    }
    f->bytes += have;
    *got = have;
    return 0;
}

static int file_write(void *ctx, uint64_t block, const void *src, size_t len)
{
    struct host_file *f = ctx;
    size_t done = 0;

    (void)block;
    while (done < len) {
        ssize_t n = write(f->fd, (const char *)src + done, len - done);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            f->err = errno;
            return errno == ENOSPC || errno == EDQUOT || errno == EFBIG ? XFER_TFTP_DISK_FULL : XFER_TFTP_ACCESS;
        }
        done += (size_t)n;
    }
    f->bytes += len;
    return 0;
}

struct xfer_data host_file_data(struct host_file *f)
{
    return (struct xfer_data){.ctx = f, .read = file_read, .write = file_write};
}
