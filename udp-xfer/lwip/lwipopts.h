/* SPDX-License-Identifier: MIT */
/*
 * lwIP configuration for sleepmux: the raw API only (NO_SYS=1), IPv4 + UDP +
 * ARP + DHCP, no TCP, no sockets, no threads. The VMM drives lwIP from its own
 * poll loop, so there is no locking; all memory is lwIP's static pools sized
 * here, so nothing is allocated outside the VMM's region.
 *
 * Option meanings: lwIP 2.1.3 src/include/lwip/opt.h.
 */
#ifndef SMX_LWIPOPTS_H
#define SMX_LWIPOPTS_H

#define NO_SYS 1
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_NETCONN 0
#define LWIP_SOCKET 0
#define LWIP_NETIF_API 0

#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define LWIP_ICMP 1
#define LWIP_UDP 1
#define LWIP_TCP 0
#define LWIP_DHCP 1
#define LWIP_AUTOIP 0
#define LWIP_IGMP 0
#define LWIP_DNS 0
#define LWIP_RAW 0
#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_LINK_CALLBACK 1
#define LWIP_SINGLE_NETIF 1

/* Memory: lwIP's own heap and pools, statically sized for udp-xfer
 * (udp-xfer/lwip/xfer_lwip.c, measured over a TAP in udp-xfer/check/):
 *  - receiving, every Ethernet frame takes one pool pbuf until its datagram
 *    is reassembled: a 64 KiB block is 45 frames, and a block that lost a
 *    fragment holds the rest for IP_REASS_MAXAGE seconds. 512 pbufs leave
 *    room for a burst of such wrecks before lwIP drops the oldest;
 *  - sending, the binding copies each datagram into one PBUF_RAM pbuf that
 *    the IP fragments reference, and the VMM's NIC sends synchronously, so
 *    the heap needs one 64 KiB datagram at a time (plus ARP's queue). */
#define MEM_LIBC_MALLOC 0
#define MEMP_MEM_MALLOC 0
#define MEM_ALIGNMENT 8
#define MEM_SIZE (2 * 1024 * 1024)
#define MEMP_NUM_PBUF 256
#define MEMP_NUM_UDP_PCB 8
#define PBUF_POOL_SIZE 1024
#define PBUF_POOL_BUFSIZE 1536
#define IP_REASSEMBLY 1
#define IP_FRAG 1
#define IP_REASS_MAX_PBUFS 512
#define MEMP_NUM_REASSDATA 32
#define IP_REASS_MAXAGE 3

#define LWIP_STATS 0
#define LWIP_CHECKSUM_CTRL_PER_NETIF 0
#define LWIP_CHECKSUM_ON_COPY 0

#define LWIP_DEBUG 0

#endif
