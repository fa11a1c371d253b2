/* SPDX-License-Identifier: MIT */
/*
 * A Linux TAP device as an lwIP Ethernet netif, for testing the VMM's lwIP
 * binding against real servers on the host: the kernel on the other side of
 * the TAP is "the network", lwIP on this side is "the VMM".
 */
#ifndef XFER_TAP_H
#define XFER_TAP_H

#include <stdbool.h>

#include "lwip/netif.h"

struct tap {
    int fd;
    struct netif netif;
    unsigned char frame[65535];   /* lwIP lengths are 16 bits */
    unsigned long frames_in, frames_out;
};

/* Attach to TAP device `name` (which must exist: `ip tuntap add`) and add
 * it to lwIP as the default netif with a static address. Returns false and
 * prints why on failure. */
bool tap_open(struct tap *t, const char *name, const ip4_addr_t *ip, const ip4_addr_t *mask,
              const ip4_addr_t *gw, u16_t mtu);
/* Feed every frame waiting on the TAP into lwIP. */
void tap_poll(struct tap *t);

#endif
