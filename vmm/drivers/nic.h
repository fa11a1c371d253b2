/* SPDX-License-Identifier: MIT */
/*
 * The VMM's network cards: one interface over its NIC drivers (e1000e),
 * each registered the way the disk drivers are (blk.h):
 *
 *   SMX_NIC_DRIVER(e1000e) = { .name = "e1000e", ... };
 *
 * places the driver in the linker section .smx_nic (vmm/vmm.ld).
 *
 * The OS owns every NIC. A driver touches one only while no OS runs
 * (between a sleep request and the next resume), polls it (interrupts
 * stay masked), keeps its descriptor rings and buffers in VMM memory, and
 * nic_reset_all() resets it to its power-on state, with its PCI command
 * register as found, before any OS runs again.
 */
#ifndef SMX_NIC_H
#define SMX_NIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* IEEE 802.3 §3.2: the largest frame without FCS the VMM sends or takes
 * (1500-byte MTU, 14-byte header). */
#define NIC_FRAME_MAX 1514

struct nic_dev {
    char name[32];              /* "e1000e 00:02.0" */
    uint8_t mac[6];             /* the NIC's own address (its EEPROM's) */
    void *priv;
    /* The oldest received frame (FCS stripped), or NULL when none waits;
     * it stays valid until rx_done. */
    const void *(*rx_peek)(struct nic_dev *d, size_t *len);
    void (*rx_done)(struct nic_dev *d);
    /* A buffer for the next frame (NIC_FRAME_MAX bytes), NULL while the
     * transmit ring is full; tx_go queues len bytes of it. */
    void *(*tx_buf)(struct nic_dev *d);
    void (*tx_go)(struct nic_dev *d, size_t len);
    bool (*link_up)(struct nic_dev *d);
};

struct nic_driver {
    const char *name;
    /* Bring up the first NIC of this kind (reset, rings, MAC read back);
     * NULL when there is none or it failed (logged). */
    struct nic_dev *(*open)(void);
    /* Reset every NIC this driver touched to its power-on state and
     * restore its PCI command register; forget them. */
    void (*reset_all)(void);
};

#define SMX_NIC_DRIVER(id)                                                                  \
    static const struct nic_driver nic_driver_##id;                                         \
    static const struct nic_driver *const nic_driver_ptr_##id                               \
        __attribute__((used, section(".smx_nic"))) = &nic_driver_##id;                      \
    static const struct nic_driver nic_driver_##id

/* The first NIC any driver brings up, or NULL. */
struct nic_dev *nic_open(void);
void nic_reset_all(void);

#endif
