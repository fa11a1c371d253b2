/* SPDX-License-Identifier: MIT */
/*
 * The VMM's network: lwIP (NO_SYS=1, raw API, udp-xfer/lwip/lwipopts.h)
 * on the first NIC a driver brings up, with the address the config's
 * [store] names (tftp-client, tftp-gateway) or one from DHCP. Up only
 * while no OS runs, like the NIC under it.
 */
#ifndef SMX_NET_H
#define SMX_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"

/* Bring up the NIC and lwIP's interface and wait for an address (and the
 * link). False, with why (n bytes), when there is no NIC, no link or no
 * DHCP lease in time; the NIC is reset again then. */
bool net_up(const struct pol_store *cfg, char *why, size_t n);
/* Hand up to max_frames frames the NIC received to lwIP (each one's
 * callbacks run before the next is taken) and run lwIP's timers. */
void net_poll(unsigned max_frames);
#define NET_POLL_BATCH 64
/* A received frame waits for net_poll. */
bool net_rx_pending(void);
/* Stop lwIP's interface and reset the NIC to its power-on state. */
void net_down(void);
/* "e1000e 00:02.0 52:54:00:12:34:56 10.0.2.15" */
const char *net_describe(void);
/* The NIC's MAC address, valid after net_up. */
const uint8_t *net_mac(void);

#endif
