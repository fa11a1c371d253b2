/* SPDX-License-Identifier: MIT */
/*
 * The served directory, and nothing outside it: a request's name is walked
 * one component at a time from the directory's descriptor, each directory
 * opened with O_NOFOLLOW, so no symbolic link is ever followed (not only
 * as the last component) and no ".." leaves it. Files are opened
 * non-blocking and must be regular, so a FIFO or a device can never stall
 * the single-threaded server. A name that does not fit is refused whole,
 * never cut short.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host.h"

static int fail(struct host_path *p, int err, const char *why)
{
    if (p->dirfd >= 0 && p->dirfd != p->root)
        close(p->dirfd);
    p->dirfd = -1;
    p->why = why;
    errno = err;
    return -1;
}

int host_path_walk(struct host_path *p, int root, const char *name)
{
    const char *c = name, *leaf = NULL;
    size_t leaf_len = 0;

    p->root = root;
    p->dirfd = root;
    p->why = NULL;
    p->leaf[0] = 0;
    if (strlen(name) >= sizeof p->name)
        return fail(p, ENAMETOOLONG, "file name too long");
    memcpy(p->name, name, strlen(name) + 1);
    for (;;) {
        size_t n;

        while (*c == '/')
            c++;
        n = strcspn(c, "/");
        if (!n)
            break;
        if (n > NAME_MAX)
            return fail(p, ENAMETOOLONG, "a component of the name is longer than 255 bytes");
        if (n == 2 && c[0] == '.' && c[1] == '.')
            return fail(p, EACCES, "a \"..\" component leaves the served directory");
        if (leaf && !(leaf_len == 1 && leaf[0] == '.')) {
            /* The component before this one is a directory to enter. */
            char dir[NAME_MAX + 1];
            int fd;

            memcpy(dir, leaf, leaf_len);
            dir[leaf_len] = 0;
            fd = openat(p->dirfd, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (fd < 0) {
                int e = errno;

                return fail(p, e, e == ELOOP || e == ENOTDIR ? "a component of the name is a symbolic link "
                                                               "or not a directory; the server follows no link"
                                                             : NULL);
            }
            if (p->dirfd != root)
                close(p->dirfd);
            p->dirfd = fd;
        }
        leaf = c;
        leaf_len = n;
        c += n;
    }
    if (!leaf || (leaf_len == 1 && leaf[0] == '.') || name[strlen(name) - 1] == '/')
        return fail(p, EISDIR, "no file name");
    memcpy(p->leaf, leaf, leaf_len);
    p->leaf[leaf_len] = 0;
    return 0;
}

int host_path_open_read(struct host_path *p, struct stat *st)
{
    int fd = openat(p->dirfd, p->leaf, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

    if (fd < 0) {
        p->why = errno == ELOOP ? "the file is a symbolic link; the server follows no link" : NULL;
        return -1;
    }
    if (fstat(fd, st) || !S_ISREG(st->st_mode)) {
        close(fd);
        p->why = "not a regular file";
        errno = EACCES;
        return -1;
    }
    /* Regular files never block; a later read must not see EAGAIN either. */
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return fd;
}

void host_path_close(struct host_path *p)
{
    if (p->dirfd >= 0 && p->dirfd != p->root)
        close(p->dirfd);
    p->dirfd = -1;
}
