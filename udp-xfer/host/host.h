/* SPDX-License-Identifier: MIT */
/*
 * The host binding of the engine: BSD sockets, a monotonic clock, files as
 * data sources and sinks, a progress bar. Only the sleepmux-xfer tool uses
 * it; the VMM has its own binding (lwIP) and none of this.
 */
#ifndef XFER_HOST_H
#define XFER_HOST_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/socket.h>

#include <xfer.h>

/* --- net.c ----------------------------------------------------------------- */

xfer_time_t host_now(void);
void host_to_endpoint(const struct sockaddr_storage *sa, struct xfer_endpoint *e);
socklen_t host_from_endpoint(const struct xfer_endpoint *e, struct sockaddr_storage *sa);
/* "host", "host:port", "[v6]:port"; fills *e. Returns false and prints why. */
bool host_resolve(const char *spec, uint16_t default_port, struct xfer_endpoint *e);
/* A UDP socket of e's family bound to addr/port (NULL/0: any, ephemeral),
 * with large buffers (a window of 64 KiB blocks must fit). -1 on error. */
int host_socket(int family, const struct xfer_endpoint *bind_to);
/* The largest block that fits one frame of the route to `to` (its MTU less
 * the IP, UDP and TFTP headers), or 0 if unknown. */
uint16_t host_frame_blksize(const struct xfer_endpoint *to);
/* The engine's send hook over a socket: ctx is a pointer to the fd. */
struct xfer_net host_net(int *fd);

/* Receive everything waiting on fd (without blocking) into x. */
void host_drain(int fd, struct xfer *x, uint8_t *buf, size_t len);
/* Wait until fd is readable or `deadline` passes (at most max_wait_us). */
void host_wait(int fd, xfer_time_t deadline, xfer_time_t max_wait_us);

/* --- file.c ----------------------------------------------------------------- */

struct host_file {
    int fd;
    int err;           /* errno of the first failure */
    uint64_t bytes;
};
struct xfer_data host_file_data(struct host_file *f);

/* --- dir.c ------------------------------------------------------------------ */

/* A request's file name resolved below the served directory. */
struct host_path {
    int root;                    /* the served directory */
    int dirfd;                   /* the directory holding the leaf (may be root) */
    char name[XFER_REQUEST_MAX]; /* the name as requested, whole */
    char leaf[256];              /* its last component (NAME_MAX + 1) */
    const char *why;             /* after a failure: why, or NULL for strerror(errno) */
};
struct stat;
/* Open every directory of `name` below root without following a link and
 * refuse "..", names that do not fit and names without a file part. 0, or
 * -1 with errno and p->why; p->dirfd is valid only on success. */
int host_path_walk(struct host_path *p, int root, const char *name);
/* The leaf, for reading: a regular file only, never blocking on a FIFO. */
int host_path_open_read(struct host_path *p, struct stat *st);
void host_path_close(struct host_path *p);

/* --- progress.c ------------------------------------------------------------- */

struct progress {
    bool on;           /* stderr is a terminal and not quiet */
    const char *label;
    xfer_time_t start, last_draw;
    int width;
};
void progress_init(struct progress *p, const char *label, bool quiet);
void progress_update(struct progress *p, const struct xfer *x, bool final);

/* --- serve.c ---------------------------------------------------------------- */

int serve_main(int argc, char **argv);

#endif
