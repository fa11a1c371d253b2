/* SPDX-License-Identifier: MIT */
/*
 * What the engine's files share and nobody else sees: the wire codec, the
 * text appender for messages, the timer, and the two halves of a transfer
 * (sender.c, receiver.c) that session.c dispatches to.
 */
#ifndef XFER_INTERNAL_H
#define XFER_INTERNAL_H

#include <xfer.h>

enum xfer_phase {
    PH_NEGOTIATE = 0,  /* request or OACK sent, waiting for the peer's answer */
    PH_DATA,           /* blocks flowing */
    PH_DALLY,          /* receiver: done, still answering a repeated last block */
    PH_DONE,
    PH_FAILED,
};

/* --- wire.c: RFC 1350 / 2347 packets --------------------------------------- */

static inline uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }

/* A request or OACK under construction (bounded by XFER_REQUEST_MAX). */
struct pkt_builder {
    uint8_t *p;
    size_t len, cap;
    bool overflow;
};
void xf_pb_init(struct pkt_builder *b, uint8_t *buf, size_t cap, uint16_t opcode);
void xf_pb_str(struct pkt_builder *b, const char *s);     /* with its NUL */
void xf_pb_u64(struct pkt_builder *b, uint64_t v);        /* decimal, with NUL */
/* v in decimal, NUL-terminated, somewhere inside buf; returns where. */
const char *xf_u64_dec(char buf[21], uint64_t v);

/* Walks the NUL-terminated strings of an option list. */
struct str_walk {
    const uint8_t *p, *end;
};
/* Next string, or NULL at the end; *bad is set when a string is not
 * terminated inside the packet. */
const char *xf_sw_next(struct str_walk *w, bool *bad);

bool xf_parse_u64(const char *s, uint64_t *v);     /* decimal digits only, no overflow */
bool xf_str_ieq(const char *a, const char *b);     /* ASCII case-insensitive */
size_t xf_build_ack(uint8_t *buf, uint64_t block);
uint16_t xf_wire_block(uint64_t block);            /* 65535 rolls over to 0 */
/* The 64-bit block that `wire` names near `ref`; UINT64_MAX if before 0. */
uint64_t xf_unwrap_block(uint64_t ref, uint16_t wire);

/* --- text.c: bounded message building --------------------------------------- */

struct text {
    char *buf;
    size_t cap, len;   /* len counts everything appended, even past cap */
};
void xf_tx_init(struct text *t, char *buf, size_t cap);
void xf_tx_str(struct text *t, const char *s);
void xf_tx_u64(struct text *t, uint64_t v);
/* A peer-supplied string, quoted, non-printables as \xNN, at most max bytes. */
void xf_tx_quoted(struct text *t, const char *s, size_t n, size_t max);
void xf_tx_endpoint(struct text *t, const struct xfer_endpoint *e);

/* --- session.c --------------------------------------------------------------- */

void xf_send(struct xfer *x, const void *pkt, size_t len);
void xf_send_ctl(struct xfer *x, bool again);
/* Fail: record err and a detail message built by the caller in x->detail;
 * when code >= 0, tell the peer with an ERROR packet. */
void xf_fail(struct xfer *x, enum xfer_err err, int code);
/* The peer stayed silent: "<what><block> after N retransmissions over T s". */
void xf_give_up(struct xfer *x, xfer_time_t now, const char *what, uint64_t block);
/* Start the detail message. */
struct text *xf_detail(struct xfer *x, struct text *t);
void xf_finish(struct xfer *x, xfer_time_t now);

/* --- timer.c: RFC 6298 estimator, Karn's rule, backoff --------------------- */

void xf_timer_init(struct xfer *x);
void xf_timer_fix(struct xfer *x, unsigned seconds);   /* RFC 2349 timeout agreed */
void xf_timer_arm(struct xfer *x, xfer_time_t now);
void xf_timer_sample(struct xfer *x, xfer_time_t rtt);
/* How long a side waits in a window before acting early (<= the RTO). */
uint32_t xf_timer_probe(const struct xfer *x);
/* Arm that early deadline instead of the RTO; sets probe_due. */
void xf_timer_arm_probe(struct xfer *x, xfer_time_t now);
/* A timeout happened: back off; false when the retries are spent. */
bool xf_timer_backoff(struct xfer *x);
void xf_timer_progress(struct xfer *x, xfer_time_t now);

/* --- negotiate.c ------------------------------------------------------------- */

size_t xf_build_request(struct xfer *x, const char *filename);
/* Client: the peer's OACK; false after failing the transfer. */
bool xf_take_oack(struct xfer *x, const uint8_t *pkt, size_t len);
/* Client: the server ignored our options (first DATA or ACK 0 came instead). */
void xf_take_defaults(struct xfer *x);
/* Server: pick the values to acknowledge and build the OACK in ctl (ctl_len
 * stays 0 when the request asked nothing we take). */
void xf_answer_options(struct xfer *x, const struct xfer_server_cfg *cfg);

/* --- sender.c / receiver.c -------------------------------------------------- */

void xf_snd_begin(struct xfer *x, xfer_time_t now);
void xf_snd_ack(struct xfer *x, xfer_time_t now, uint16_t wire);
void xf_snd_timeout(struct xfer *x, xfer_time_t now);
void xf_rcv_begin(struct xfer *x, xfer_time_t now);
void xf_rcv_data(struct xfer *x, xfer_time_t now, const uint8_t *pkt, size_t len);
void xf_rcv_timeout(struct xfer *x, xfer_time_t now);

/* --- fallback.c ---------------------------------------------------------------- */

/* Receiving client: blocks above fallback_blksize keep getting lost. */
bool xf_should_fall_back(const struct xfer *x);
/* End this transfer and ask again with fallback_blksize blocks. */
void xf_fall_back(struct xfer *x, xfer_time_t now);

#endif
