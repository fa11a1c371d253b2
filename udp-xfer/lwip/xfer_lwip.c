/* SPDX-License-Identifier: MIT */
/*
 * The engine bound to lwIP's raw UDP API. lwIP hands us each datagram as a
 * pbuf chain (a large block arrives as IP fragments, reassembled by lwIP);
 * the engine wants it contiguous, so it is copied into the caller's rx
 * buffer. Sends go out through a PBUF_RAM copy, which a NIC driver may keep
 * queued after udp_sendto returns.
 */
#include <string.h>

#include <xfer_lwip.h>

#include "lwip/ip4.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"

static void to_endpoint(const ip_addr_t *a, u16_t port, struct xfer_endpoint *e)
{
    memset(e, 0, sizeof *e);
    e->family = 4;
    memcpy(e->addr, &ip_2_ip4(a)->addr, 4);
    e->port = port;
}

static void from_endpoint(const struct xfer_endpoint *e, ip_addr_t *a)
{
    u32_t v;

    memcpy(&v, e->addr, 4);
    ip_addr_set_ip4_u32(a, v);
}

static void send_hook(void *ctx, const struct xfer_endpoint *to, const void *pkt, size_t len)
{
    struct xfer_lwip *b = ctx;
    struct pbuf *p;
    ip_addr_t addr;

    if (!b->pcb || len > 0xffff)
        return;
    p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)len, PBUF_RAM);
    if (!p) {
        b->tx_no_memory++;
        return;
    }
    pbuf_take(p, pkt, (u16_t)len);
    from_endpoint(to, &addr);
    udp_sendto(b->pcb, p, &addr, to->port);
    pbuf_free(p);
}

static void recv_hook(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr, u16_t port)
{
    struct xfer_lwip *b = arg;
    struct xfer_endpoint from;
    u16_t len = p->tot_len;

    (void)pcb;
    if (len > b->rx_len) {
        b->rx_too_big++;
        pbuf_free(p);
        return;
    }
    pbuf_copy_partial(p, b->rx, len, 0);
    pbuf_free(p);
    to_endpoint(addr, port, &from);
    xfer_input(&b->x, b->clock.now(b->clock.ctx), &from, b->rx, len);
}

enum xfer_err xfer_lwip_start(struct xfer_lwip *b, struct xfer_client_cfg *cfg, const ip_addr_t *server,
                              u16_t port, void *rx, size_t rx_len, struct xfer_lwip_clock clock)
{
    memset(b, 0, sizeof *b);
    b->rx = rx;
    b->rx_len = rx_len;
    b->clock = clock;
    to_endpoint(server, port, &cfg->server);
    cfg->net = (struct xfer_net){.ctx = b, .send = send_hook};
    if (rx_len < XFER_HEADER + XFER_BLKSIZE_DEFAULT)
        return xfer_client_fail(&b->x, cfg, "receive buffer smaller than one 512-byte block");
    if (cfg->blksize && cfg->blksize > rx_len - XFER_HEADER)
        cfg->blksize = (uint16_t)(rx_len - XFER_HEADER);
    /* A GET whose blocks need IP fragments may fall back to blocks that
     * fit the route's frame (xfer_client_cfg.fallback_blksize): its MTU
     * less the IPv4 (20), UDP (8) and TFTP (4) headers. */
    if (cfg->dir == XFER_GET && !cfg->fallback_blksize) {
        struct netif *n = ip4_route(ip_2_ip4(server));

        if (n && n->mtu >= 32 + XFER_BLKSIZE_DEFAULT)
            cfg->fallback_blksize = (uint16_t)(n->mtu - 32);
    }
    b->pcb = udp_new();
    if (!b->pcb || udp_bind(b->pcb, IP_ADDR_ANY, 0) != ERR_OK) {
        if (b->pcb)
            udp_remove(b->pcb);
        b->pcb = NULL;
        return xfer_client_fail(&b->x, cfg, "lwIP has no UDP PCB or port left (MEMP_NUM_UDP_PCB)");
    }
    udp_recv(b->pcb, recv_hook, b);
    return xfer_client_start(&b->x, cfg, clock.now(clock.ctx));
}

void xfer_lwip_poll(struct xfer_lwip *b)
{
    xfer_time_t now = b->clock.now(b->clock.ctx);

    if (now >= xfer_deadline(&b->x))
        xfer_tick(&b->x, now);
}

bool xfer_lwip_busy(const struct xfer_lwip *b)
{
    return xfer_deadline(&b->x) != XFER_NEVER;
}

xfer_time_t xfer_lwip_deadline(const struct xfer_lwip *b)
{
    return xfer_deadline(&b->x);
}

void xfer_lwip_close(struct xfer_lwip *b)
{
    if (b->pcb) {
        udp_recv(b->pcb, NULL, NULL);
        udp_remove(b->pcb);
        b->pcb = NULL;
    }
}
