/* SPDX-License-Identifier: MIT */
/*
 * The VMM's block devices: one interface over its disk drivers (AHCI,
 * NVMe), each of which registers itself (BitVisor's drivers do the same):
 *
 *   SMX_BLK_DRIVER(ahci) = { .name = "ahci", ... };
 *
 * places the driver in the linker section .smx_blk (vmm/vmm.ld), so a new
 * driver edits no central table.
 *
 * The OS owns every controller. A driver touches one only while no OS
 * runs (between an OS's sleep request and the next resume), and
 * blk_reset_all() puts every controller a driver touched back to its
 * power-on state, with its PCI command register as found, before any OS
 * runs again.
 */
#ifndef SMX_BLK_H
#define SMX_BLK_H

#include <stdbool.h>
#include <stdint.h>

#include "bootinfo.h"

struct blk_dev;

/*
 * A disk. read/write move n blocks between lba and buf, a VMM buffer that
 * is physically contiguous, 4-byte aligned, and at most max_blocks long
 * (callers split and align; see store.c). Nonzero is an I/O error, which
 * the driver has logged with its cause.
 */
struct blk_dev {
    char name[40];          /* "ahci 00:1f.2 port 0", "nvme 00:04.0 ns 1" */
    uint8_t ctrl;           /* SMX_CTRL_* */
    uint8_t pci_bus, pci_devfn;
    uint16_t unit;          /* AHCI port or NVMe namespace */
    uint32_t block_size;
    uint64_t block_count;
    uint32_t max_blocks;    /* per request */
    void *priv;
    int (*read)(struct blk_dev *d, uint64_t lba, uint32_t n, void *buf);
    int (*write)(struct blk_dev *d, uint64_t lba, uint32_t n, const void *buf);
    int (*flush)(struct blk_dev *d);
};

/* Called for every disk a driver brings up: return true to keep it (the
 * scan stops there), false to go on to the next. */
typedef bool blk_visit_fn(void *ctx, struct blk_dev *d);

/* Where the loader found the store (smx_store_info), so a driver tries
 * that controller and unit first; ctrl = SMX_CTRL_NONE: no preference. */
struct blk_where {
    uint8_t ctrl;
    uint8_t pci_bus, pci_devfn;
    uint16_t unit;
};

struct blk_driver {
    const char *name;
    uint8_t ctrl; /* SMX_CTRL_* it drives */
    /* Bring up controllers of this kind (the preferred one first) and
     * offer each disk to visit; returns true when visit kept one. */
    bool (*scan)(const struct blk_where *prefer, blk_visit_fn *visit, void *ctx);
    /* Reset every controller this driver touched to its power-on state
     * and restore its PCI command register; forget them. */
    void (*reset_all)(void);
};

#define SMX_BLK_DRIVER(id)                                                                  \
    static const struct blk_driver blk_driver_##id;                                         \
    static const struct blk_driver *const blk_driver_ptr_##id                               \
        __attribute__((used, section(".smx_blk"))) = &blk_driver_##id;                      \
    static const struct blk_driver blk_driver_##id

/* Offer every disk of every driver (the preferred controller's driver
 * first) to visit until it keeps one. */
bool blk_scan(const struct blk_where *prefer, blk_visit_fn *visit, void *ctx);
void blk_reset_all(void);

/* Bus-master DMA polls wait at most this long for one command. */
#define BLK_TIMEOUT_NS (30ull * 1000 * 1000 * 1000)

#endif
