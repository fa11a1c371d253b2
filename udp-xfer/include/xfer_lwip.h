/* SPDX-License-Identifier: MIT */
/*
 * udp-xfer over lwIP's raw UDP API (NO_SYS=1): the binding the VMM uses to
 * put an image to a TFTP server and get it back. It owns one UDP PCB on an
 * ephemeral port; lwIP calls it when a datagram arrives, and the caller's
 * poll loop calls xfer_lwip_poll for the engine's timer:
 *
 *     xfer_lwip_start(&b, &cfg, &server_ip, XFER_PORT, rx, sizeof rx, clock);
 *     while (xfer_lwip_busy(&b)) {
 *         drive the NIC (frames into netif->input);
 *         sys_check_timeouts();
 *         xfer_lwip_poll(&b);
 *     }
 *     xfer_lwip_close(&b);
 *     xfer_state(&b.x) == XFER_DONE, or xfer_format_error(&b.x, ...).
 *
 * Nothing is allocated but lwIP's own pbufs and the PCB. Outgoing datagrams
 * are copied into a PBUF_RAM pbuf, so the NIC driver may keep them queued.
 * Client side only: the VMM never serves.
 */
#ifndef XFER_LWIP_H
#define XFER_LWIP_H

#include <xfer.h>

#include "lwip/ip_addr.h"
#include "lwip/udp.h"

struct xfer_lwip_clock {
    void *ctx;
    xfer_time_t (*now)(void *ctx);     /* microseconds, monotonic */
};

struct xfer_lwip {
    struct xfer x;
    struct udp_pcb *pcb;
    uint8_t *rx;                       /* one datagram; the caller's */
    size_t rx_len;
    struct xfer_lwip_clock clock;
    uint32_t rx_too_big;               /* datagrams larger than rx, dropped */
    uint32_t tx_no_memory;             /* datagrams lwIP had no pbuf for (lost) */
};

/*
 * Start a client transfer with the server at `server`:`port`. cfg->net and
 * cfg->server are set here, and for a GET cfg->fallback_blksize, if 0, to
 * the block that fits the route's MTU. rx receives one datagram at a time and must
 * hold XFER_HEADER + blksize bytes; a blksize asked for that does not fit
 * is lowered to fit (at least 516 bytes are needed: XFER_E_CONFIG if not).
 * XFER_E_CONFIG also when lwIP has no PCB left.
 */
enum xfer_err xfer_lwip_start(struct xfer_lwip *b, struct xfer_client_cfg *cfg, const ip_addr_t *server,
                              u16_t port, void *rx, size_t rx_len, struct xfer_lwip_clock clock);
/* Run the engine's timer if it is due. */
void xfer_lwip_poll(struct xfer_lwip *b);
/* True while the transfer needs the loop (running or dallying). */
bool xfer_lwip_busy(const struct xfer_lwip *b);
/* When the engine next needs xfer_lwip_poll (XFER_NEVER when finished):
 * for a loop that sleeps until the next event. */
xfer_time_t xfer_lwip_deadline(const struct xfer_lwip *b);
/* Release the PCB. The transfer's outcome stays readable in b->x. */
void xfer_lwip_close(struct xfer_lwip *b);

#endif
