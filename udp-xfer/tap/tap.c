/* SPDX-License-Identifier: MIT */
/*
 * A TAP device (IFF_TAP | IFF_NO_PI: whole Ethernet frames, no extra
 * header) driven the way the VMM drives its NIC: frames in from a poll,
 * frames out synchronously from lwIP's linkoutput.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lwip/etharp.h"
#include "lwip/init.h"
#include "lwip/pbuf.h"
#include "netif/ethernet.h"

#include "tap.h"

static err_t linkoutput(struct netif *netif, struct pbuf *p)
{
    struct tap *t = netif->state;
    u16_t len = pbuf_copy_partial(p, t->frame, sizeof t->frame, 0);

    if (write(t->fd, t->frame, len) != len)
        return ERR_IF;
    t->frames_out++;
    return ERR_OK;
}

static err_t netif_setup(struct netif *netif)
{
    static const u8_t mac[6] = {0x02, 0x53, 0x4d, 0x58, 0x00, 0x02};   /* locally administered */

    netif->name[0] = 't';
    netif->name[1] = 'p';
    netif->output = etharp_output;
    netif->linkoutput = linkoutput;
    netif->hwaddr_len = 6;
    memcpy(netif->hwaddr, mac, 6);
    netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET | NETIF_FLAG_LINK_UP;
    return ERR_OK;
}

bool tap_open(struct tap *t, const char *name, const ip4_addr_t *ip, const ip4_addr_t *mask,
              const ip4_addr_t *gw, u16_t mtu)
{
    struct ifreq ifr = {0};

    t->fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (t->fd < 0) {
        fprintf(stderr, "sleepmux-xfer-tap: /dev/net/tun: %s\n", strerror(errno));
        return false;
    }
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
    if (ioctl(t->fd, TUNSETIFF, &ifr) < 0) {
        fprintf(stderr, "sleepmux-xfer-tap: attach to TAP %s: %s\n", name, strerror(errno));
        close(t->fd);
        return false;
    }
    fcntl(t->fd, F_SETFL, O_NONBLOCK);
    lwip_init();
    if (!netif_add(&t->netif, ip, mask, gw, t, netif_setup, ethernet_input)) {
        fprintf(stderr, "sleepmux-xfer-tap: netif_add failed\n");
        return false;
    }
    t->netif.mtu = mtu;
    netif_set_default(&t->netif);
    netif_set_up(&t->netif);
    return true;
}

void tap_poll(struct tap *t)
{
    for (;;) {
        ssize_t n = read(t->fd, t->frame, sizeof t->frame);
        struct pbuf *p;

        if (n <= 0)
            return;
        t->frames_in++;
        p = pbuf_alloc(PBUF_RAW, (u16_t)n, PBUF_POOL);
        if (!p)
            continue;   /* lwIP is out of pool buffers: a dropped frame */
        pbuf_take(p, t->frame, (u16_t)n);
        if (t->netif.input(p, &t->netif) != ERR_OK)
            pbuf_free(p);
    }
}
