/* SPDX-License-Identifier: MIT */
/*
 * lwIP's Ethernet interface over a VMM NIC (nic.h). Frames are copied
 * between the NIC's DMA buffers (VMM memory) and lwIP's pool pbufs (VMM
 * memory too): nothing of either OS is used. lwIP is initialised once;
 * its interface is added at every net_up and removed at net_down, so each
 * store session starts from a fresh ARP cache and lease.
 */
#include "net.h"

#include <string.h>

#include "lwip/dhcp.h"
#include "lwip/etharp.h"
#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"

#include "fmt.h"
#include "io.h"
#include "log.h"
#include "nic.h"
#include "time.h"

#define LINK_TIMEOUT_NS (5ull * 1000 * 1000 * 1000)
#define DHCP_TIMEOUT_NS (30ull * 1000 * 1000 * 1000)
#define TX_WAIT_NS (100ull * 1000 * 1000)

static struct {
    struct netif nif;
    struct nic_dev *nic;
    bool lwip_ready, added, dhcp;
    uint64_t tx_full;
    char text[96];
} net;

/* lwIP's linkoutput: one frame, copied whole into the NIC's next buffer. */
static err_t link_out(struct netif *nif, struct pbuf *p)
{
    (void)nif;
    void *buf = net.nic->tx_buf(net.nic);
    uint64_t t0 = smx_time_ns();

    while (!buf && smx_time_ns() - t0 < TX_WAIT_NS) {
        cpu_pause();
        buf = net.nic->tx_buf(net.nic);
    }
    if (!buf || p->tot_len > NIC_FRAME_MAX) {
        net.tx_full++;
        return ERR_MEM;
    }
    pbuf_copy_partial(p, buf, p->tot_len, 0);
    net.nic->tx_go(net.nic, p->tot_len);
    return ERR_OK;
}

static err_t nif_init(struct netif *nif)
{
    nif->name[0] = 'e';
    nif->name[1] = '0';
    nif->output = etharp_output;
    nif->linkoutput = link_out;
    nif->mtu = 1500;
    nif->hwaddr_len = ETH_HWADDR_LEN;
    memcpy(nif->hwaddr, net.nic->mac, ETH_HWADDR_LEN);
    nif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
    return ERR_OK;
}

void net_poll(unsigned max_frames)
{
    size_t len;
    const void *frame;

    for (unsigned i = 0; i < max_frames && (frame = net.nic->rx_peek(net.nic, &len)); i++) {
        struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);
        if (p) {
            pbuf_take(p, frame, (u16_t)len);
            if (net.nif.input(p, &net.nif) != ERR_OK)
                pbuf_free(p);
        }
        net.nic->rx_done(net.nic);
    }
    sys_check_timeouts();
}

static void ip4(char *out, size_t n, const uint8_t a[4])
{
    smx_snprintf(out, n, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
}

bool net_rx_pending(void)
{
    size_t len;

    return net.nic && net.nic->rx_peek(net.nic, &len);
}

static unsigned prefix_len(uint32_t mask)
{
    unsigned n = 0;

    for (; mask; mask &= mask - 1)
        n++;
    return n;
}

static bool wait_for(bool (*done)(void), uint64_t timeout_ns)
{
    uint64_t t0 = smx_time_ns();

    while (!done()) {
        if (smx_time_ns() - t0 > timeout_ns)
            return false;
        net_poll(NET_POLL_BATCH);
    }
    return true;
}

static bool link_ready(void) { return net.nic->link_up(net.nic); }
static bool leased(void) { return dhcp_supplied_address(&net.nif); }

bool net_up(const struct pol_store *cfg, char *why, size_t n)
{
    uint64_t t0 = smx_time_ns();
    ip4_addr_t ip, mask, gw;

    if (!(net.nic = nic_open())) {
        smx_snprintf(why, n, "no network card the VMM drives (Intel 82574L) answered");
        return false;
    }
    if (!net.lwip_ready) {
        lwip_init();
        net.lwip_ready = true;
    }
    net.dhcp = cfg->client_prefix == 0;
    ip4_addr_set_zero(&ip);
    ip4_addr_set_zero(&mask);
    ip4_addr_set_zero(&gw);
    if (!net.dhcp) {
        IP4_ADDR(&ip, cfg->client_addr[0], cfg->client_addr[1], cfg->client_addr[2], cfg->client_addr[3]);
        ip4_addr_set_u32(&mask, lwip_htonl(cfg->client_prefix >= 32 ? 0xffffffffu
                                                                     : ~(0xffffffffu >> cfg->client_prefix)));
        IP4_ADDR(&gw, cfg->gateway[0], cfg->gateway[1], cfg->gateway[2], cfg->gateway[3]);
    }
    netif_add(&net.nif, &ip, &mask, &gw, NULL, nif_init, ethernet_input);
    net.added = true;
    netif_set_default(&net.nif);
    netif_set_up(&net.nif);
    if (!wait_for(link_ready, LINK_TIMEOUT_NS)) {
        smx_snprintf(why, n, "%s: no link after %llu s", net.nic->name,
                     (unsigned long long)(LINK_TIMEOUT_NS / 1000000000ull));
        net_down();
        return false;
    }
    netif_set_link_up(&net.nif);
    if (net.dhcp) {
        dhcp_start(&net.nif);
        if (!wait_for(leased, DHCP_TIMEOUT_NS)) {
            smx_snprintf(why, n, "%s: no DHCP lease within %llu s", net.nic->name,
                         (unsigned long long)(DHCP_TIMEOUT_NS / 1000000000ull));
            net_down();
            return false;
        }
    }
    const uint8_t *m = net.nic->mac;
    uint8_t a[4], g[4];
    uint32_t v = ip4_addr_get_u32(netif_ip4_addr(&net.nif)), w = ip4_addr_get_u32(netif_ip4_gw(&net.nif));
    memcpy(a, &v, 4);
    memcpy(g, &w, 4);
    char as[16], gs[16];
    ip4(as, sizeof as, a);
    ip4(gs, sizeof gs, g);
    smx_snprintf(net.text, sizeof net.text, "%s %02x:%02x:%02x:%02x:%02x:%02x %s", net.nic->name, m[0], m[1], m[2],
                 m[3], m[4], m[5], as);
    smx_log("net", "%s up: %s/%u%s%s (%s) in %llu ms", net.nic->name, as,
            prefix_len(ip4_addr_get_u32(netif_ip4_netmask(&net.nif))), w ? " via " : "",
            w ? gs : "", net.dhcp ? "DHCP" : "static", (unsigned long long)((smx_time_ns() - t0) / 1000000));
    return true;
}

void net_down(void)
{
    if (net.added) {
        if (net.dhcp)
            dhcp_release_and_stop(&net.nif);
        netif_set_down(&net.nif);
        netif_remove(&net.nif);
        net.added = false;
    }
    if (net.tx_full)
        smx_log("net", "%llu frames found the transmit ring full and were dropped",
                (unsigned long long)net.tx_full);
    net.tx_full = 0;
    nic_reset_all();
    net.nic = NULL;
}

const char *net_describe(void)
{
    return net.text;
}

const uint8_t *net_mac(void)
{
    return net.nic ? net.nic->mac : NULL;
}
