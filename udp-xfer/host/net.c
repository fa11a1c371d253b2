/* SPDX-License-Identifier: MIT */
/*
 * BSD sockets for the engine: endpoints to and from sockaddrs, name
 * resolution, sockets with buffers large enough for a window of big blocks,
 * and the two halves of a poll loop (wait, drain).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "host.h"

xfer_time_t host_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (xfer_time_t)ts.tv_sec * 1000000u + (xfer_time_t)ts.tv_nsec / 1000u;
}

void host_to_endpoint(const struct sockaddr_storage *sa, struct xfer_endpoint *e)
{
    memset(e, 0, sizeof *e);
    if (sa->ss_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

        e->family = 6;
        memcpy(e->addr, &s6->sin6_addr, 16);
        e->port = ntohs(s6->sin6_port);
    } else {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

        e->family = 4;
        memcpy(e->addr, &s4->sin_addr, 4);
        e->port = ntohs(s4->sin_port);
    }
}

socklen_t host_from_endpoint(const struct xfer_endpoint *e, struct sockaddr_storage *sa)
{
    memset(sa, 0, sizeof *sa);
    if (e->family == 6) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)sa;

        s6->sin6_family = AF_INET6;
        memcpy(&s6->sin6_addr, e->addr, 16);
        s6->sin6_port = htons(e->port);
        return sizeof *s6;
    } else {
        struct sockaddr_in *s4 = (struct sockaddr_in *)sa;

        s4->sin_family = AF_INET;
        memcpy(&s4->sin_addr, e->addr, 4);
        s4->sin_port = htons(e->port);
        return sizeof *s4;
    }
}

bool host_resolve(const char *spec, uint16_t default_port, struct xfer_endpoint *e)
{
    char host[256], port[16];
    const char *colon;
    struct addrinfo hints = {.ai_socktype = SOCK_DGRAM}, *res;
    int rc;

    snprintf(port, sizeof port, "%u", default_port);
    if (spec[0] == '[') {
        const char *end = strchr(spec, ']');

        if (!end || (end[1] && end[1] != ':')) {
            fprintf(stderr, "sleepmux-xfer: %s: expected [v6-address] or [v6-address]:port\n", spec);
            return false;
        }
        snprintf(host, sizeof host, "%.*s", (int)(end - spec - 1), spec + 1);
        if (end[1] == ':')
            snprintf(port, sizeof port, "%s", end + 2);
    } else if ((colon = strrchr(spec, ':')) && colon == strchr(spec, ':')) {
        snprintf(host, sizeof host, "%.*s", (int)(colon - spec), spec);
        snprintf(port, sizeof port, "%s", colon + 1);
    } else {
        snprintf(host, sizeof host, "%s", spec);
    }
    rc = getaddrinfo(host, port, &hints, &res);
    if (rc) {
        fprintf(stderr, "sleepmux-xfer: %s: %s\n", spec, gai_strerror(rc));
        return false;
    }
    host_to_endpoint((const struct sockaddr_storage *)res->ai_addr, e);
    freeaddrinfo(res);
    return true;
}

int host_socket(int family, const struct xfer_endpoint *bind_to)
{
    int fd = socket(family == 6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int big = 32 << 20;
    struct sockaddr_storage sa;
    socklen_t len;

    if (fd < 0)
        return -1;
    /* A window of 64 KiB blocks is megabytes in flight; the default 208 KiB
     * buffers would drop most of it. FORCE needs CAP_NET_ADMIN. */
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big))
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof big))
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
    if (bind_to) {
        len = host_from_endpoint(bind_to, &sa);
    } else {
        struct xfer_endpoint any = {.family = (uint8_t)(family == 6 ? 6 : 4)};

        len = host_from_endpoint(&any, &sa);
    }
    if (bind(fd, (struct sockaddr *)&sa, len)) {
        int e = errno;

        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

uint16_t host_frame_blksize(const struct xfer_endpoint *to)
{
    struct sockaddr_storage sa;
    socklen_t sl = host_from_endpoint(to, &sa);
    int fd = socket(to->family == 6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), mtu = 0;
    socklen_t ml = sizeof mtu;
    /* IPv4 20 + UDP 8 + TFTP 4; IPv6 40 + 8 + 4. */
    int headers = to->family == 6 ? 52 : 32;

    if (fd < 0)
        return 0;
    /* A connected UDP socket knows its route's MTU (IP_MTU, ip(7)). */
    if (connect(fd, (struct sockaddr *)&sa, sl) ||
        getsockopt(fd, to->family == 6 ? IPPROTO_IPV6 : IPPROTO_IP, to->family == 6 ? IPV6_MTU : IP_MTU, &mtu,
                   &ml))
        mtu = 0;
    close(fd);
    if (mtu - headers < XFER_BLKSIZE_DEFAULT)
        return 0;
    return (uint16_t)(mtu - headers > XFER_BLKSIZE_MAX ? XFER_BLKSIZE_MAX : mtu - headers);
}

static void send_hook(void *ctx, const struct xfer_endpoint *to, const void *pkt, size_t len)
{
    int fd = *(int *)ctx;
    struct sockaddr_storage sa;
    socklen_t sl = host_from_endpoint(to, &sa);

    /* Blocking: a full send buffer waits rather than drops. A datagram the
     * kernel refuses is lost, and the engine's timer resends it. */
    while (sendto(fd, pkt, len, 0, (struct sockaddr *)&sa, sl) < 0 && errno == EINTR)
        ;
}

struct xfer_net host_net(int *fd)
{
    return (struct xfer_net){.ctx = fd, .send = send_hook};
}

void host_drain(int fd, struct xfer *x, uint8_t *buf, size_t len)
{
    for (int i = 0; i < 256; i++) {
        struct sockaddr_storage sa;
        socklen_t sl = sizeof sa;
        struct xfer_endpoint from;
        ssize_t n = recvfrom(fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)&sa, &sl);

        if (n < 0)
            return;
        host_to_endpoint(&sa, &from);
        xfer_input(x, host_now(), &from, buf, (size_t)n);
        if (xfer_deadline(x) == XFER_NEVER)
            return;
    }
}

void host_wait(int fd, xfer_time_t deadline, xfer_time_t max_wait_us)
{
    xfer_time_t now = host_now(), wait = deadline > now ? deadline - now : 0;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    struct timespec ts;

    if (wait > max_wait_us)
        wait = max_wait_us;
    ts.tv_sec = (time_t)(wait / 1000000u);
    ts.tv_nsec = (long)(wait % 1000000u) * 1000;
    ppoll(&p, 1, &ts, NULL);
}
