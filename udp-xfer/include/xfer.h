/* SPDX-License-Identifier: MIT */
/*
 * udp-xfer: TFTP as a pure state machine.
 *
 * One `struct xfer` is one transfer, client or server side, sender or
 * receiver. The engine owns no socket, reads no clock and allocates nothing:
 * the caller feeds it datagrams (xfer_input) and the time (every call takes
 * `now`, in microseconds of any monotonic clock), and it answers through the
 * caller's send hook and data hooks and by telling the caller when it next
 * wants to be woken (xfer_deadline). A binding (BSD sockets on the host,
 * lwIP's raw UDP API in the VMM) is a loop around these four calls:
 *
 *     while (xfer_deadline(x) != XFER_NEVER) {
 *         wait for a datagram or until xfer_deadline(x);
 *         if (datagram) xfer_input(x, now, &from, pkt, len);
 *         if (now >= xfer_deadline(x)) xfer_tick(x, now);
 *     }
 *     xfer_state(x) == XFER_DONE, or xfer_format_error(x, ...) says why not.
 *
 * Protocol: RFC 1350 (TFTP), RFC 2347 (options), RFC 2348 (blksize),
 * RFC 2349 (timeout, tsize), RFC 7440 (windowsize). Octet mode only. Block
 * numbers roll over from 65535 to 0, as tftpd-hpa, atftp and most clients do;
 * internally blocks are counted in 64 bits, so files have no size limit.
 *
 * Data is streamed, never held whole: a sender pulls each block once, in
 * order, from xfer_data.read and keeps the unacknowledged window in memory
 * the caller lends it; a receiver hands each block once, in order, to
 * xfer_data.write straight from the datagram. Hooks run inside xfer_input /
 * xfer_tick / the start functions and must not call back into the engine.
 *
 * Thread model: none. Everything happens in the caller's calls.
 */
#ifndef XFER_H
#define XFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* --- protocol constants ---------------------------------------------------- */

#define XFER_PORT 69                 /* RFC 1350 §4: the server's well-known port */
#define XFER_BLKSIZE_DEFAULT 512     /* RFC 1350 §2 */
#define XFER_BLKSIZE_MIN 8           /* RFC 2348: valid blksize values 8..65464 */
#define XFER_BLKSIZE_MAX 65464       /* RFC 2348: largest block in one IPv4 datagram */
#define XFER_TIMEOUT_MIN 1           /* RFC 2349: timeout option, seconds, 1..255 */
#define XFER_TIMEOUT_MAX 255
#define XFER_REQUEST_MAX 512         /* RFC 2347 §Request: request/OACK fit 512 octets */
#define XFER_HEADER 4                /* RFC 1350 §5: opcode + block (DATA, ACK) */
#define XFER_PACKET_MAX (XFER_HEADER + XFER_BLKSIZE_MAX)
/* The largest block whose DATA datagram fits one Ethernet frame: 1500-byte
 * MTU (RFC 894) - 20 (IPv4 header, RFC 791) - 8 (UDP, RFC 768) - 4 (TFTP
 * header). A larger block is sent as IP fragments, and losing any one of
 * them loses the whole block (the kernel then holds the rest in its
 * reassembly queue until it times out): at 1% frame loss a 65464-byte
 * block (45 frames) is lost 36% of the time. The default block size of the
 * host tool and the VMM. */
#define XFER_BLKSIZE_FRAME 1468

/* RFC 7440 allows windows of up to 65535 blocks; this engine takes at most
 * this many, so that a 16-bit block number always names one block of the
 * window unambiguously (and a window this large is never useful anyway). */
#define XFER_WINDOW_MAX 4096

/* Memory a sender needs for a window of `w` blocks of `blk` bytes: each slot
 * holds the DATA header and its block, so a retransmission is one send. */
#define XFER_WINDOW_BYTES(blk, w) ((size_t)(w) * (XFER_HEADER + (size_t)(blk)))

/* RFC 1350 §5 opcodes, RFC 2347 OACK. */
enum xfer_opcode {
    XFER_OP_RRQ = 1,
    XFER_OP_WRQ = 2,
    XFER_OP_DATA = 3,
    XFER_OP_ACK = 4,
    XFER_OP_ERROR = 5,
    XFER_OP_OACK = 6,
};

/* RFC 1350 §Appendix error codes, RFC 2347 code 8. */
enum xfer_tftp_code {
    XFER_TFTP_UNDEFINED = 0,
    XFER_TFTP_NOT_FOUND = 1,
    XFER_TFTP_ACCESS = 2,
    XFER_TFTP_DISK_FULL = 3,
    XFER_TFTP_ILLEGAL = 4,
    XFER_TFTP_UNKNOWN_TID = 5,
    XFER_TFTP_EXISTS = 6,
    XFER_TFTP_NO_USER = 7,
    XFER_TFTP_OPTIONS = 8,
};

/* --- errors ---------------------------------------------------------------- */

enum xfer_err {
    XFER_OK = 0,
    XFER_E_CONFIG,   /* the caller's configuration cannot work (names the field) */
    XFER_E_REQUEST,  /* a request packet is malformed (server side) */
    XFER_E_TIMEOUT,  /* the peer stayed silent through every retransmission */
    XFER_E_PEER,     /* the peer sent an ERROR packet (its code and text are kept) */
    XFER_E_PROTOCOL, /* the peer broke the protocol (an ERROR 4 was sent to it) */
    XFER_E_OPTIONS,  /* the peer's option acknowledgement is unacceptable (ERROR 8 sent) */
    XFER_E_SOURCE,   /* xfer_data.read failed */
    XFER_E_SINK,     /* xfer_data.write failed */
    XFER_E_ABORTED,  /* the caller called xfer_abort */
};

/* A short fixed name for an error value ("timeout", "peer error", ...). */
const char *xfer_err_name(enum xfer_err e);
/* The RFC's text for a TFTP error code ("File not found"), or "Unknown". */
const char *xfer_tftp_code_text(unsigned code);

/* --- time, endpoints, hooks ------------------------------------------------ */

typedef uint64_t xfer_time_t;       /* microseconds, any monotonic origin */
#define XFER_NEVER UINT64_MAX

/* Where a datagram comes from or goes to. The engine only compares and
 * prints endpoints. IPv4: family 4, addr[0..3] in network order. */
struct xfer_endpoint {
    uint8_t family;                 /* 4 or 6 */
    uint8_t addr[16];
    uint16_t port;                  /* host order */
};

struct xfer_net {
    void *ctx;
    /* Hand one datagram to the transport. The engine does not wait for it;
     * a datagram the transport cannot take now is simply lost and will be
     * retransmitted. `pkt` is only valid during the call. */
    void (*send)(void *ctx, const struct xfer_endpoint *to, const void *pkt, size_t len);
};

struct xfer_data {
    void *ctx;
    /* Sender: copy up to `len` bytes of block `block` (1, 2, ... counted in
     * 64 bits, never wrapped) to `dst` and set *got. Called exactly once per
     * block, in order; *got < len ends the file. Return 0, or nonzero to
     * abort: a value 1..7 is sent to the peer as that TFTP error code, any
     * other as code 0. */
    int (*read)(void *ctx, uint64_t block, void *dst, size_t len, size_t *got);
    /* Receiver: the bytes of block `block`, exactly once, in order. A block
     * shorter than the block size is the last. Return as for read. */
    int (*write)(void *ctx, uint64_t block, const void *src, size_t len);
};

/* Retransmission policy. A zero field takes the default beside it. The
 * timer is adaptive (RFC 6298 estimator, Karn's rule, exponential backoff),
 * except when the peers agreed on the RFC 2349 timeout option, which fixes it. */
struct xfer_timing {
    uint32_t rto_initial_us;  /* before any round trip is measured: 1 s */
    uint32_t rto_min_us;      /* floor of the adaptive timer: 1 ms (a LAN) */
    uint32_t rto_max_us;      /* ceiling of the backoff: 6 s (above atftp's 5) */
    uint16_t retries;         /* consecutive timeouts before giving up: 10 */
    /* Receiver only, not defaulted: after the last block, keep answering a
     * retransmitted last DATA for this long (its ACK may have been lost;
     * RFC 1350 §6). 0: finish at once. */
    uint32_t dally_us;
};

/* --- client ---------------------------------------------------------------- */

enum xfer_dir {
    XFER_GET = 1, /* read request: the server sends */
    XFER_PUT = 2, /* write request: the server receives */
};

struct xfer_client_cfg {
    enum xfer_dir dir;
    const char *filename;          /* remote name, NUL-terminated */
    struct xfer_endpoint server;   /* port is normally XFER_PORT */
    /* Options to ask for; 0 / false: do not ask. A server that ignores
     * options gets RFC 1350 defaults (512-byte blocks, lock-step). */
    uint16_t blksize;              /* 8..65464 */
    uint16_t windowsize;           /* 1..XFER_WINDOW_MAX */
    uint8_t timeout_s;             /* 1..255 */
    bool tsize;                    /* GET: ask for the size; PUT: announce `size` */
    uint64_t size;
    /* If the server refuses the options with ERROR 8, ask once more without
     * any (tftpd-hpa refuses e.g. tsize in netascii or timeout 0). */
    bool retry_without_options;
    /* GET: if the agreed block size is larger than this and blocks keep
     * getting lost (3 timeouts in a row, or gaps in more than 1 block of
     * 20), the blocks are taken to be lost as fragments: the client ends
     * the transfer (ERROR 0 to the server) and asks again, once, with
     * blocks of this size, handing the sink only the bytes it has not had
     * yet. Typically the path MTU - 32 (XFER_BLKSIZE_FRAME on Ethernet).
     * 0: never. */
    uint16_t fallback_blksize;
    /* PUT: room for the window, XFER_WINDOW_BYTES(blksize or 512,
     * windowsize or 1) bytes at least; kept until the transfer ends. */
    void *window;
    size_t window_len;
    struct xfer_timing timing;
    struct xfer_net net;
    struct xfer_data data;
};

/* --- server ---------------------------------------------------------------- */

/* Options present (and valid) in a request. */
enum {
    XFER_HAVE_BLKSIZE = 1u << 0,
    XFER_HAVE_WINDOWSIZE = 1u << 1,
    XFER_HAVE_TIMEOUT = 1u << 2,
    XFER_HAVE_TSIZE = 1u << 3,
};

/* A request as xfer_parse_request found it. The strings point into the
 * packet, which must outlive the struct. Options out of their RFC range are
 * ignored, as RFC 2347 lets a server do; unknown options likewise. */
struct xfer_request {
    enum xfer_dir dir;             /* RRQ: XFER_GET, WRQ: XFER_PUT */
    const char *filename;
    const char *mode;              /* as sent; xfer_parse_request accepts only "octet" */
    unsigned have;                 /* XFER_HAVE_* */
    uint16_t blksize;
    uint16_t windowsize;
    uint8_t timeout_s;
    uint64_t tsize;                /* PUT: the size the client announces */
};

/* Parse an RRQ/WRQ. On failure, *code and the returned error say why; the
 * caller answers with xfer_error_packet(*code, xfer_request_problem(...)). */
enum xfer_err xfer_parse_request(const void *pkt, size_t len, struct xfer_request *req,
                                 uint16_t *code, const char **problem);

struct xfer_server_cfg {
    const struct xfer_request *req;
    struct xfer_endpoint client;   /* where the request came from: the peer's TID */
    uint16_t blksize_max;          /* 0: XFER_BLKSIZE_MAX */
    uint16_t windowsize_max;       /* 0: XFER_WINDOW_MAX */
    bool size_known;               /* GET: answer a tsize request with `size` */
    uint64_t size;
    void *window;                  /* GET: the sender's window, as for clients */
    size_t window_len;
    struct xfer_timing timing;
    struct xfer_net net;
    struct xfer_data data;
};

/* Build an ERROR packet (RFC 1350 §5) in buf; returns its length (the text
 * is cut to fit). For refusing a request before any session exists. */
size_t xfer_error_packet(void *buf, size_t len, uint16_t code, const char *text);

/* --- the transfer ---------------------------------------------------------- */

enum xfer_state {
    XFER_RUNNING = 0,
    XFER_DONE,      /* every byte delivered and acknowledged (a receiver may
                     * still dally; keep feeding it until the deadline is NEVER) */
    XFER_FAILED,
};

struct xfer_params {                /* what the peers agreed on */
    uint16_t blksize;
    uint16_t windowsize;
    uint8_t timeout_s;              /* 0: not negotiated */
    bool options;                   /* the peer acknowledged options (OACK) */
    bool tsize_known;
    uint64_t tsize;                 /* GET: the size the server announced */
};

struct xfer_stats {
    uint64_t bytes;                 /* payload delivered (receiver) or acknowledged (sender) */
    uint64_t blocks;
    uint64_t packets_out;
    uint64_t packets_in;
    uint64_t retransmits;           /* DATA, ACK, request or OACK sent again */
    uint64_t timeouts;              /* the timer ran out (probes included) */
    uint64_t duplicates;            /* DATA or ACK seen before */
    uint64_t out_of_order;          /* DATA beyond a gap, dropped (the sender goes back) */
    uint64_t foreign;               /* packets from another endpoint, answered ERROR 5 */
    uint64_t ignored;               /* stale or late packets with no effect */
    uint64_t fallbacks;             /* GET asked again with smaller blocks (fallback_blksize) */
    uint64_t probes;                /* timeouts that came early, before the RTO: a sender's
                                     * probe, a receiver's ACK of a window whose rest stopped */
};

#define XFER_CTL_MAX (XFER_REQUEST_MAX + XFER_HEADER)
#define XFER_NAME_MAX 96
#define XFER_DETAIL_MAX 160

/* The transfer's state. Callers allocate it (anywhere; it holds no pointer
 * to itself) and touch it only through the functions below. */
struct xfer {
    /* roles and phase */
    uint8_t dir;                    /* enum xfer_dir, from the client's view */
    bool server;
    bool sender;
    uint8_t phase;                  /* internal: negotiate, data, dally, done, failed */
    bool locked;                    /* the peer's TID is known */
    bool asked_options;             /* our request carried options */
    bool may_retry_plain;
    struct xfer_endpoint peer;
    /* hooks and policy */
    struct xfer_net net;
    struct xfer_data data;
    struct xfer_timing timing;
    /* options asked for (client) */
    uint16_t ask_blksize, ask_window;
    uint8_t ask_timeout;
    bool ask_tsize;
    uint64_t ask_size;
    struct xfer_params params;
    /* sender window */
    uint8_t *win;
    size_t win_len;
    uint64_t acked;                 /* highest block acknowledged (sender) / ACKed (receiver) */
    uint64_t next;                  /* next block to send (sender) / expected (receiver) */
    uint64_t sent_max;              /* highest block ever sent: newer ones are first sends */
    uint64_t last;                  /* number of the final block, 0 until known */
    uint32_t last_len;
    uint64_t nudged;                /* receiver: block last re-ACKed for a gap/duplicate, +1 */
    uint64_t beyond_max;            /* receiver: highest block seen beyond the gap in this pass */
    bool probe_due;                 /* the deadline is the early one of a window, not the RTO */
    /* timer */
    xfer_time_t deadline;
    xfer_time_t progress_at;        /* last time the transfer moved forward */
    uint32_t rto, srtt, rttvar;
    bool have_rtt, timing_on;
    uint64_t timed_block;
    xfer_time_t timed_at;
    uint16_t tries;
    /* the last control packet (request, OACK, ACK), kept for retransmission */
    uint16_t ctl_len;
    uint8_t ctl[XFER_CTL_MAX];
    /* fall back to smaller blocks (client GET, xfer_client_cfg.fallback_blksize) */
    uint16_t fallback_blksize;
    bool fell_back;
    uint16_t fallback_from;         /* the block size given up */
    uint32_t losses;                /* timeouts and gaps while receiving */
    uint64_t skip;                  /* bytes the sink had before the restart */
    uint64_t sink_block;            /* blocks handed to data.write */
    struct xfer_endpoint origin;    /* where the request went */
    struct xfer_endpoint abandoned; /* the TID given up: its late datagrams are ignored */
    char file[XFER_REQUEST_MAX];    /* the remote name, whole, to ask again */
    /* the outcome */
    enum xfer_err err;
    uint16_t peer_code;
    char name[XFER_NAME_MAX];
    char detail[XFER_DETAIL_MAX];
    struct xfer_stats stats;
};

/* Start a client transfer: sends the request. On failure (XFER_E_CONFIG)
 * nothing was sent and xfer_format_error says which field is wrong. */
enum xfer_err xfer_client_start(struct xfer *x, const struct xfer_client_cfg *cfg, xfer_time_t now);

/* For bindings: the transfer `cfg` describes cannot start for a reason of
 * theirs (no socket, buffer too small, ...). x then reports XFER_E_CONFIG
 * with `why`, named like any other failure of that transfer. */
enum xfer_err xfer_client_fail(struct xfer *x, const struct xfer_client_cfg *cfg, const char *why);

/* Start serving a parsed request: sends the OACK, the first DATA or ACK 0.
 * The caller has decided the request is allowed (file exists, may be
 * written, ...) and sends from a fresh local port (RFC 1350 §4). */
enum xfer_err xfer_server_start(struct xfer *x, const struct xfer_server_cfg *cfg, xfer_time_t now);

/* A datagram arrived for this transfer, from `from`. Anything goes: short,
 * garbage, stale, from strangers. */
void xfer_input(struct xfer *x, xfer_time_t now, const struct xfer_endpoint *from,
                const void *pkt, size_t len);

/* When the engine next needs xfer_tick; XFER_NEVER once it is finished. */
xfer_time_t xfer_deadline(const struct xfer *x);
/* Retransmit, back off, give up or stop dallying, as `now` requires. Calling
 * it early is harmless. */
void xfer_tick(struct xfer *x, xfer_time_t now);

/* Stop the transfer: tells the peer with ERROR `code`/`text` (if it is
 * known) and fails with XFER_E_ABORTED. */
void xfer_abort(struct xfer *x, uint16_t code, const char *text);

enum xfer_state xfer_state(const struct xfer *x);
enum xfer_err xfer_error(const struct xfer *x);
const struct xfer_params *xfer_params(const struct xfer *x);
const struct xfer_stats *xfer_stats(const struct xfer *x);
/* The peer's ERROR code when xfer_error is XFER_E_PEER. */
uint16_t xfer_peer_code(const struct xfer *x);

/* Format why the transfer failed, naming the file and the peer, e.g.
 *   get "os-a.img" from 10.0.2.2:69: server error 1 (File not found): "no such file"
 * Returns the full length (as snprintf); buf is always NUL-terminated. */
size_t xfer_format_error(const struct xfer *x, char *buf, size_t len);

/* Format an endpoint ("10.0.2.2:69", "[fe80::1]:69"); returns the length. */
size_t xfer_format_endpoint(const struct xfer_endpoint *e, char *buf, size_t len);

#endif
