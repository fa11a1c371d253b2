/* SPDX-License-Identifier: MIT */
/*
 * The store on a TFTP server: imagestore's two-slot store (the same code,
 * the same commit rules as on a partition) over a block device whose
 * blocks live in four whole files under the config's tftp-path, named by
 * the machine's MAC address:
 *
 *   <tftp-path>/<mac>.super0, .super1   the superblock copies (4 KiB each)
 *   <tftp-path>/<mac>.slot0, .slot1     the two image slots
 *
 * A superblock copy is written by one upload and read back whole before
 * the write counts; a slot is streamed by one upload from its first byte,
 * and imagestore's flush before the commit returns only when the server
 * has acknowledged the last block and a fresh read request's tsize
 * (RFC 2349) equals what was sent. A file the server does not have reads
 * as zeros, as a never-written disk does.
 */
#ifndef SMX_STORE_TFTP_H
#define SMX_STORE_TFTP_H

#include <stddef.h>

#include "bootinfo.h"
#include "imagestore.h"

/* The device's geometry: slot i starts at TFTP_SLOT_OFFSET + i * TFTP_SLOT_SIZE. */
#define TFTP_BLOCK 4096u
#define TFTP_SLOT_OFFSET 65536ull            /* imagestore's SLOT_ALIGN: the superblock area */
#define TFTP_SLOT_SIZE (1ull << 40)          /* no image comes near it: the server's disk is the limit */

/* The device's working memory, in VMM pages (the caller's, kept while
 * open): the staging buffer, one received datagram, the upload window. */
#define TFTP_STAGE_BYTES (1u << 20)
#define TFTP_RX_BYTES (68u << 10)     /* XFER_PACKET_MAX, rounded up to pages */
#define TFTP_WINDOW_BYTES (256u << 10)
struct tftp_buffers {
    uint8_t *stage, *rx, *window;
};

/* Bring the network up and bind *bd to the server's files. False (why, n
 * bytes) when the network cannot be reached; nothing was written. */
bool tftp_dev_open(const struct smx_bootinfo *bi, const struct tftp_buffers *mem, struct img_blockdev *bd, char *why,
                   size_t n);
/* End any transfer under way (the server is told), stop the network and
 * reset the NIC. Harmless when not open. */
void tftp_dev_close(void);
/* Open the store on the server into s (io: one page), formatting it when
 * neither superblock copy exists there yet; any other failure writes
 * nothing. For vmm_store_open (store.c). */
enum img_err tftp_store_open(const struct smx_bootinfo *bi, struct img_store *s, void *io, char *why, size_t n);

/* "10.0.2.2:69 sleepmux/525400123456.*" */
const char *tftp_dev_name(void);

#endif
