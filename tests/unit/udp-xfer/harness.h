/* SPDX-License-Identifier: MIT */
/*
 * Scripted peers for the engine: a network hook that records every datagram
 * the engine sends, a data source and sink over memory that check they are
 * called once per block and in order, and builders for the packets a test
 * plays at the engine.
 */
#ifndef XFER_TEST_HARNESS_H
#define XFER_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xfer.h>

#define TH_MAX_SENT 4096

struct th_pkt {
    struct xfer_endpoint to;
    size_t len;
    uint8_t data[XFER_PACKET_MAX];
};

struct th_net {
    size_t count;       /* datagrams sent so far */
    size_t seen;        /* how many a test has consumed with th_next */
    struct th_pkt *pkts;
};

struct th_mem {
    uint8_t *buf;
    size_t len, pos;     /* source: bytes to serve; sink: capacity and bytes taken */
    uint64_t next_block; /* the block the engine must ask for / hand over next */
    int fail_at;         /* block number at which to fail (0: never) */
    int fail_code;
    bool misordered;     /* a hook was called out of order */
};

extern const struct xfer_endpoint TH_SERVER;     /* 10.0.0.1:69 */
extern const struct xfer_endpoint TH_TID;        /* 10.0.0.1:40000, the server's transfer port */
extern const struct xfer_endpoint TH_STRANGER;   /* 10.0.0.1:40001 */
extern const struct xfer_endpoint TH_OTHER_HOST; /* 10.0.0.66:40000 */
extern const struct xfer_endpoint TH_CLIENT;     /* 10.0.0.2:50000 */

void th_net_init(struct th_net *n);
void th_net_free(struct th_net *n);
struct xfer_net th_net_hook(struct th_net *n);
/* The next unconsumed datagram, or NULL. */
const struct th_pkt *th_next(struct th_net *n);
size_t th_pending(const struct th_net *n);

void th_source(struct th_mem *m, uint8_t *buf, size_t len);
void th_sink(struct th_mem *m, uint8_t *buf, size_t cap);
struct xfer_data th_data(struct th_mem *m);
void th_pattern(uint8_t *buf, size_t len, uint32_t seed);

/* Packets to play at the engine; return their length in `out`. */
size_t th_data_pkt(uint8_t *out, uint16_t block, const uint8_t *payload, size_t len);
size_t th_ack_pkt(uint8_t *out, uint16_t block);
size_t th_error_pkt(uint8_t *out, uint16_t code, const char *msg);
/* OACK from "name\0value\0..." given as one string with '|' for NUL. */
size_t th_strings_pkt(uint8_t *out, uint16_t opcode, const char *pipe_separated);

/* Assertions on what the engine sent (Criterion asserts inside). */
void th_expect_ack(struct th_net *n, const struct xfer_endpoint *to, uint16_t block);
void th_expect_data(struct th_net *n, const struct xfer_endpoint *to, uint16_t block, size_t len);
void th_expect_error(struct th_net *n, const struct xfer_endpoint *to, uint16_t code);
void th_expect_strings(struct th_net *n, const struct xfer_endpoint *to, uint16_t opcode,
                       const char *pipe_separated);
void th_expect_nothing(struct th_net *n);

bool th_same_endpoint(const struct xfer_endpoint *a, const struct xfer_endpoint *b);
const char *th_error_text(const struct xfer *x);

#endif
