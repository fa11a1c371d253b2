/* SPDX-License-Identifier: MIT */
/*
 * The engine against itself through a simulated network that loses,
 * duplicates, delays and reorders datagrams, on a simulated clock. Every
 * transfer must arrive byte-identical, whatever the network did.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define QMAX 8192

struct flight {
    xfer_time_t at;
    uint64_t seq;       /* equal arrival times keep their sending order */
    struct xfer_endpoint from, to;
    size_t len;
    uint8_t *data;
};

struct sim {
    uint64_t rng;
    unsigned loss_pct, dup_pct, reorder_pct;
    unsigned frame_loss_permille;   /* per 1500-byte Ethernet frame of a datagram */
    struct xfer_endpoint tid;       /* the server session's port (a new one per request) */
    /* The receiving kernel's IP reassembly queue, as Linux keeps it: the
     * fragments of a datagram that lost one wait there ipfrag_time (30 s);
     * above ipfrag_high_thresh (4 MiB) every new fragment is dropped. */
    struct {
        xfer_time_t until;
        size_t bytes;
    } held[4096];
    size_t nheld, held_bytes;
    unsigned sessions;
    xfer_time_t latency, jitter;
    xfer_time_t link_free[2];   /* per direction: when the wire is free again */
    uint64_t seq;
    struct flight q[QMAX];
    size_t n;
    xfer_time_t now;
    xfer_time_t done_at;        /* both sides XFER_DONE (the receiver may dally on) */
    struct xfer client, server;
    bool server_started;
    struct xfer_request req;
    uint8_t req_pkt[XFER_REQUEST_MAX + 4];
    struct th_mem src, dst;
    uint8_t *window;
    size_t window_len;
    uint16_t server_blksize_max;
    uint64_t dropped, duplicated, delayed, requests_seen;
    uint64_t to_server;         /* datagrams delivered to the server's ports */
    uint64_t vanish_after;      /* the server goes silent after this many (0: never) */
    uint64_t client_sent_after; /* what the client sent once the server had vanished */
};

/* The endpoint a sim side sends from; set before calling into the engine. */
struct side {
    struct sim *s;
    struct xfer_endpoint self;
};

static const struct xfer_endpoint C = {.family = 4, .addr = {10, 0, 0, 2}, .port = 50000};
static const struct xfer_endpoint S = {.family = 4, .addr = {10, 0, 0, 1}, .port = 69};
static const struct xfer_endpoint T = {.family = 4, .addr = {10, 0, 0, 1}, .port = 40000};

static uint32_t rnd(struct sim *s)
{
    s->rng ^= s->rng << 13;
    s->rng ^= s->rng >> 7;
    s->rng ^= s->rng << 17;
    return (uint32_t)(s->rng >> 32);
}

/* A 1 Gbit/s link each way: datagrams leave one after another (8 ns a
 * byte), arrive `latency` later, and some arrive late by up to `jitter`. */
static void enqueue(struct sim *s, const struct xfer_endpoint *from, const struct xfer_endpoint *to,
                    const void *pkt, size_t len)
{
    xfer_time_t *wire = &s->link_free[from->port == C.port];
    struct flight *f;

    cr_assert_lt(s->n, QMAX, "network queue overflow");
    if (*wire < s->now)
        *wire = s->now;
    *wire += 1 + len / 125;
    f = &s->q[s->n++];
    f->seq = s->seq++;
    f->at = *wire + s->latency;
    if (s->jitter && rnd(s) % 100 < s->reorder_pct) {
        f->at += rnd(s) % s->jitter;
        s->delayed++;
    }
    f->from = *from;
    f->to = *to;
    f->len = len;
    f->data = malloc(len ? len : 1);
    memcpy(f->data, pkt, len);
}

static bool vanished(const struct sim *s)
{
    return s->vanish_after && s->to_server >= s->vanish_after;
}

static void sim_send(void *ctx, const struct xfer_endpoint *to, const void *pkt, size_t len)
{
    struct side *side = ctx;
    struct sim *s = side->s;

    if (vanished(s)) {
        if (side->self.port != C.port)
            return;
        s->client_sent_after++;
    }

    if (rnd(s) % 100 < s->loss_pct) {
        s->dropped++;
        return;
    }
    /* IPv4 fragments of at most 1480 bytes (a 1500-byte MTU less the IP
     * header) carry the UDP header and the datagram; losing any loses it. */
    if (s->frame_loss_permille && len + 8 > 1480) {
        size_t frags = (len + 8 + 1479) / 1480, lost = 0;

        for (size_t i = 0; i < s->nheld;) {
            if (s->held[i].until <= s->now) {
                s->held_bytes -= s->held[i].bytes;
                s->held[i] = s->held[--s->nheld];
            } else {
                i++;
            }
        }
        if (s->held_bytes > (4u << 20)) {
            s->dropped++;
            return;
        }
        for (size_t i = 0; i < frags; i++)
            lost += rnd(s) % 1000 < s->frame_loss_permille;
        if (lost) {
            cr_assert_lt(s->nheld, sizeof s->held / sizeof s->held[0]);
            s->held[s->nheld].until = s->now + 30000000;
            s->held[s->nheld].bytes = (frags - lost) * 1480;
            s->held_bytes += s->held[s->nheld++].bytes;
            s->dropped++;
            return;
        }
    } else if (s->frame_loss_permille && rnd(s) % 1000 < s->frame_loss_permille) {
        s->dropped++;
        return;
    }
    enqueue(s, &side->self, to, pkt, len);
    if (rnd(s) % 100 < s->dup_pct) {
        s->duplicated++;
        enqueue(s, &side->self, to, pkt, len);
    }
}

static struct side client_side, server_side;

static void deliver(struct sim *s, struct flight *f)
{
    if (f->to.port != C.port) {
        if (vanished(s))
            return;
        s->to_server++;
    }
    if (th_same_endpoint(&f->to, &S)) {
        uint16_t code;
        const char *problem;

        s->requests_seen++;
        /* A repeated request from the same client while serving it: the
         * running session answers it by its own timer. A different
         * request (a client falling back to smaller blocks) gets a new
         * session on a new port, as a real server gives it. */
        if (s->server_started &&
            (xfer_deadline(&s->server) != XFER_NEVER || !memcmp(s->req_pkt, f->data, f->len)))
            return;
        s->tid = T;
        s->tid.port = (uint16_t)(T.port + 2 * s->sessions++);
        server_side.self = s->tid;
        if (s->server_started)      /* the file is read again from its start */
            th_source(&s->src, s->src.buf, s->src.len);
        cr_assert_leq(f->len, sizeof s->req_pkt);
        memcpy(s->req_pkt, f->data, f->len);
        cr_assert_eq(xfer_parse_request(s->req_pkt, f->len, &s->req, &code, &problem), XFER_OK);
        struct xfer_server_cfg c = {
            .req = &s->req,
            .client = f->from,
            .blksize_max = s->server_blksize_max,
            .size_known = true,
            .size = s->src.len,
            .window = s->window,
            .window_len = s->window_len,
            .timing = {.rto_min_us = 1000, .rto_initial_us = 20000, .dally_us = 2000000},
            .net = {.ctx = &server_side, .send = sim_send},
            .data = th_data(s->req.dir == XFER_GET ? &s->src : &s->dst),
        };
        cr_assert_eq(xfer_server_start(&s->server, &c, s->now), XFER_OK);
        s->server_started = true;
    } else if (th_same_endpoint(&f->to, &s->tid)) {
        if (s->server_started)
            xfer_input(&s->server, s->now, &f->from, f->data, f->len);
    } else if (f->to.port != C.port) {
        return;     /* to the port of a session that is gone: no one listens */
    } else {
        cr_assert(th_same_endpoint(&f->to, &C));
        xfer_input(&s->client, s->now, &f->from, f->data, f->len);
    }
}

/* Run until both sides are finished; false if the simulated clock runs
 * past `limit`. */
static bool run(struct sim *s, xfer_time_t limit)
{
    for (;;) {
        xfer_time_t next = xfer_deadline(&s->client);
        size_t i, best = SIZE_MAX;

        if (s->server_started && xfer_deadline(&s->server) < next)
            next = xfer_deadline(&s->server);
        for (i = 0; i < s->n; i++) {
            if (s->q[i].at < next || (s->q[i].at == next && best != SIZE_MAX && s->q[i].seq < s->q[best].seq) ||
                (s->q[i].at == next && best == SIZE_MAX)) {
                next = s->q[i].at;
                best = i;
            }
        }
        if (next == XFER_NEVER)
            return true;
        if (next > limit)
            return false;
        s->now = next;
        if (best != SIZE_MAX) {
            struct flight f = s->q[best];

            s->q[best] = s->q[--s->n];
            deliver(s, &f);
            free(f.data);
        }
        xfer_tick(&s->client, s->now);
        if (s->server_started)
            xfer_tick(&s->server, s->now);
        if (!s->done_at && s->server_started && xfer_state(&s->client) == XFER_DONE &&
            xfer_state(&s->server) == XFER_DONE)
            s->done_at = s->now;
    }
}

struct scenario {
    enum xfer_dir dir;
    size_t size;
    uint16_t blksize, windowsize, server_blksize_max;
    unsigned loss, dup, reorder;
    xfer_time_t jitter;
    uint64_t seed;
};

/* Set by a test before play(), zero otherwise. */
static struct {
    unsigned frame_loss_permille;
    uint16_t fallback_blksize;      /* the client's */
    bool may_fail;                  /* report instead of asserting success */
    uint64_t vanish_after;          /* the server goes silent after this many datagrams */
    xfer_time_t latency;            /* one way; 0: 200 us */
} extra;

/* What the last play() saw of the client. */
static struct {
    bool done;
    xfer_time_t took;
    uint16_t blksize;
    uint64_t fallbacks, timeouts;
    enum xfer_err err;
    uint64_t sent_after_vanishing;
} last;

/* Returns the sending side's statistics. */
static struct xfer_stats play(const struct scenario *sc)
{
    struct sim *s = calloc(1, sizeof *s);
    uint8_t *file = malloc(sc->size + 1), *got = malloc(sc->size + 1);
    char err[512];

    th_pattern(file, sc->size, (uint32_t)sc->seed);
    s->rng = sc->seed * 0x9e3779b97f4a7c15ull | 1;
    s->loss_pct = sc->loss;
    s->dup_pct = sc->dup;
    s->reorder_pct = sc->reorder;
    s->latency = extra.latency ? extra.latency : 200;
    s->jitter = sc->jitter;
    s->server_blksize_max = sc->server_blksize_max;
    s->frame_loss_permille = extra.frame_loss_permille;
    s->vanish_after = extra.vanish_after;
    s->window_len = XFER_WINDOW_BYTES(sc->blksize ? sc->blksize : 512, sc->windowsize ? sc->windowsize : 1);
    if (s->window_len < XFER_WINDOW_BYTES(512, 1))
        s->window_len = XFER_WINDOW_BYTES(512, 1); /* a server must be able to serve RFC 1350 */
    s->window = malloc(s->window_len);
    th_source(&s->src, file, sc->size);
    th_sink(&s->dst, got, sc->size + 1);
    client_side = (struct side){s, C};
    server_side = (struct side){s, T};
    s->tid = T;

    struct xfer_client_cfg c = {
        .dir = sc->dir,
        .filename = "image",
        .server = S,
        .blksize = sc->blksize,
        .windowsize = sc->windowsize,
        .tsize = true,
        .size = sc->size,
        .window = s->window,
        .window_len = s->window_len,
        .timing = {.rto_min_us = 1000, .rto_initial_us = 20000, .dally_us = 2000000},
        .fallback_blksize = extra.fallback_blksize,
        .net = {.ctx = &client_side, .send = sim_send},
        .data = th_data(sc->dir == XFER_PUT ? &s->src : &s->dst),
    };
    cr_assert_eq(xfer_client_start(&s->client, &c, 0), XFER_OK);
    cr_assert(run(s, 600000000), "transfer still running after 600 simulated seconds");
    last.done = xfer_state(&s->client) == XFER_DONE && s->dst.pos == sc->size && !memcmp(got, file, sc->size);
    last.took = s->done_at ? s->done_at : s->now;
    last.blksize = xfer_params(&s->client)->blksize;
    last.fallbacks = xfer_stats(&s->client)->fallbacks;
    last.timeouts = xfer_stats(&s->client)->timeouts;
    last.err = xfer_error(&s->client);
    last.sent_after_vanishing = s->client_sent_after;
    if (extra.may_fail && !last.done) {
        struct xfer_stats st = *xfer_stats(&s->client);

        for (size_t i = 0; i < s->n; i++)
            free(s->q[i].data);
        free(s->window);
        free(file);
        free(got);
        free(s);
        return st;
    }

    xfer_format_error(&s->client, err, sizeof err);
    cr_assert_eq(xfer_state(&s->client), XFER_DONE, "client: %s", err);
    xfer_format_error(&s->server, err, sizeof err);
    cr_assert_eq(xfer_state(&s->server), XFER_DONE, "server: %s", err);
    cr_assert_eq(s->dst.pos, sc->size, "%zu bytes arrived of %zu", s->dst.pos, sc->size);
    cr_assert(!memcmp(got, file, sc->size), "the bytes differ");
    cr_assert(!s->src.misordered && !s->dst.misordered);
    if (sc->loss)
        cr_assert_gt(s->dropped, 0, "the network dropped nothing: the test proves nothing");
    if (sc->dup)
        cr_assert_gt(s->duplicated, 0);
    if (sc->reorder)
        cr_assert_gt(s->delayed, 0);

    if (getenv("XFER_SIM_VERBOSE")) {
        const struct xfer_stats *a = xfer_stats(&s->client), *b = xfer_stats(&s->server);
        fprintf(stderr, "%s %zu blk %u win %u loss %u%%: t=%.3fs client out %llu rexmit %llu to %llu dup %llu ooo %llu probes %llu | server out %llu rexmit %llu to %llu dup %llu ooo %llu\n",
                sc->dir == XFER_GET ? "get" : "put", sc->size, sc->blksize, sc->windowsize, sc->loss, s->now / 1e6,
                (unsigned long long)a->packets_out, (unsigned long long)a->retransmits, (unsigned long long)a->timeouts,
                (unsigned long long)a->duplicates, (unsigned long long)a->out_of_order, (unsigned long long)a->probes,
                (unsigned long long)b->packets_out, (unsigned long long)b->retransmits, (unsigned long long)b->timeouts,
                (unsigned long long)b->duplicates, (unsigned long long)b->out_of_order);
    }
    struct xfer_stats st = *xfer_stats((sc->dir == XFER_PUT) ? &s->client : &s->server);

    for (size_t i = 0; i < s->n; i++)
        free(s->q[i].data);
    free(s->window);
    free(file);
    free(got);
    free(s);
    return st;
}

Test(xfer_sim, clean_network_both_directions)
{
    play(&(struct scenario){XFER_GET, 300000, 1024, 8, 0, 0, 0, 0, 0, 1});
    play(&(struct scenario){XFER_PUT, 300000, 1024, 8, 0, 0, 0, 0, 0, 2});
    play(&(struct scenario){XFER_GET, 10000, 0, 0, 0, 0, 0, 0, 0, 3});
    play(&(struct scenario){XFER_PUT, 0, 0, 0, 0, 0, 0, 0, 0, 4});
}

Test(xfer_sim, loss_duplication_reordering_lock_step)
{
    for (uint64_t seed = 10; seed < 16; seed++) {
        play(&(struct scenario){XFER_GET, 200000, 1024, 1, 0, 10, 5, 5, 400, seed});
        play(&(struct scenario){XFER_PUT, 200000, 1024, 1, 0, 10, 5, 5, 400, seed});
    }
}

Test(xfer_sim, loss_duplication_reordering_windowed)
{
    for (uint64_t seed = 20; seed < 28; seed++) {
        play(&(struct scenario){XFER_GET, 500000, 1024, 16, 0, 10, 5, 5, 600, seed});
        play(&(struct scenario){XFER_PUT, 500000, 1024, 16, 0, 10, 5, 5, 600, seed});
    }
}

Test(xfer_sim, heavy_loss_still_completes)
{
    play(&(struct scenario){XFER_GET, 100000, 512, 8, 0, 30, 10, 5, 1000, 40});
    play(&(struct scenario){XFER_PUT, 100000, 512, 8, 0, 30, 10, 5, 1000, 41});
}

Test(xfer_sim, server_lowers_blksize)
{
    play(&(struct scenario){XFER_GET, 100000, 8192, 4, 1000, 5, 0, 5, 300, 50});
    play(&(struct scenario){XFER_PUT, 100000, 8192, 4, 1000, 5, 0, 5, 300, 51});
}

Test(xfer_sim, rollover_under_loss)
{
    /* 8-byte blocks: 80000 blocks wrap the 16-bit block number. */
    play(&(struct scenario){XFER_GET, 640003, 8, 32, 0, 3, 2, 5, 500, 60});
    play(&(struct scenario){XFER_PUT, 640003, 8, 32, 0, 3, 2, 5, 500, 61});
}
/* Duplicated or reordered datagrams must not make the peers resend much:
 * a receiver that answered a duplicate with a gap report used to send the
 * sender back over blocks still in flight, in a loop (7x the traffic). */
Test(xfer_sim, duplicates_and_reordering_cost_little)
{
    static const struct scenario cases[] = {
        {XFER_PUT, 500000, 1024, 16, 0, 0, 5, 0, 0, 72},
        {XFER_GET, 500000, 1024, 16, 0, 0, 5, 0, 0, 73},
        {XFER_PUT, 500000, 1024, 16, 0, 0, 0, 5, 300, 74},
        {XFER_GET, 500000, 1024, 16, 0, 0, 0, 5, 300, 75},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct xfer_stats st = play(&cases[i]);
        uint64_t blocks = cases[i].size / cases[i].blksize + 1;

        cr_assert_leq(st.packets_out, 2 * blocks, "case %zu: %llu DATA packets for %llu blocks", i,
                      (unsigned long long)st.packets_out, (unsigned long long)blocks);
    }
}

/* With 1% loss, a window of 16 resends at most a fifth more. */
Test(xfer_sim, light_loss_costs_little)
{
    struct xfer_stats st = play(&(struct scenario){XFER_PUT, 1000000, 1024, 16, 0, 1, 0, 0, 0, 80});

    cr_assert_leq(st.retransmits, 1000000 / 1024 / 5, "%llu retransmissions", (unsigned long long)st.retransmits);
}

/* Blocks of 45 fragments at 1% frame loss: 36% of them are lost. A client
 * given a fallback block size notices, asks again with frame-sized blocks
 * and finishes, handing the sink each byte once; without it the same
 * transfer crawls or fails. */
Test(xfer_sim, fragment_loss_falls_back_to_frame_blocks)
{
    struct scenario sc = {XFER_GET, 4000000, 65464, 8, 0, 0, 0, 0, 0, 90};
    xfer_time_t with;

    extra.frame_loss_permille = 10;
    extra.fallback_blksize = XFER_BLKSIZE_FRAME;
    play(&sc);
    with = last.took;
    cr_assert_eq(last.fallbacks, 1);
    cr_assert_eq(last.blksize, XFER_BLKSIZE_FRAME, "finished with %u-byte blocks", last.blksize);

    extra.fallback_blksize = 0;
    extra.may_fail = true;
    play(&sc);
    cr_assert_eq(last.fallbacks, 0);
    cr_assert(!last.done || last.took > 3 * with,
              "without the fallback: done in %.1f s, with it in %.1f s (the test shows nothing)",
              (double)last.took / 1e6, (double)with / 1e6);
    if (getenv("XFER_SIM_VERBOSE"))
        fprintf(stderr, "fallback: %.2f s with, %s in %.2f s without (%llu timeouts)\n", (double)with / 1e6,
                last.done ? "done" : "failed", (double)last.took / 1e6, (unsigned long long)last.timeouts);

    /* Blocks that fit a frame never fall back, however lossy the path. */
    sc = (struct scenario){XFER_GET, 1000000, 1468, 16, 0, 0, 0, 0, 0, 91};
    extra.frame_loss_permille = 30;
    extra.fallback_blksize = XFER_BLKSIZE_FRAME;
    extra.may_fail = false;
    play(&sc);
    cr_assert_eq(last.fallbacks, 0);
    memset(&extra, 0, sizeof extra);
}

/*
 * What loss costs, in simulated time: 1468-byte blocks (one Ethernet frame)
 * in windows of 16, the VMM's setting, both directions, 0, 1 and 5% loss
 * each way, 1 Gbit/s and 50 us each way (a LAN: the 1 ms RTO floor is
 * several windows long). Go-back-N with cumulative ACKs is all TFTP allows;
 * what a loss must not cost is a full RTO per lost window tail, lost ACK or
 * lost first block. Before the early probes and ACKs (timer.c), these
 * seeds took 26 (get) and 32 (put) RTOs at 1%, and kept 0.37x and 0.44x of
 * the loss-free goodput at 5%.
 */
static xfer_time_t loss_run(enum xfer_dir dir, unsigned loss, uint64_t seed, struct xfer_stats *st)
{
    *st = play(&(struct scenario){dir, 2000000, XFER_BLKSIZE_FRAME, 16, 0, loss, 0, 0, 0, seed});
    return last.took;
}

Test(xfer_sim, loss_costs_round_trips_not_timeouts)
{
    for (int d = 0; d < 2; d++) {
        const char *dir_name = d ? "put" : "get";
        enum xfer_dir dir = d ? XFER_PUT : XFER_GET;
        xfer_time_t clean = 0, lossy = 0, heavy = 0;
        uint64_t rtos = 0;
        struct xfer_stats st;

        extra.latency = 50;
        for (uint64_t seed = 100; seed < 108; seed++) {
            clean += loss_run(dir, 0, seed, &st);
            lossy += loss_run(dir, 1, seed, &st);
            rtos += st.timeouts - st.probes;
            heavy += loss_run(dir, 5, seed, &st);
        }
        extra.latency = 0;
        if (getenv("XFER_SIM_VERBOSE"))
            fprintf(stderr, "%s: 1%% loss %.2fx, 5%% loss %.2fx of the loss-free goodput; %llu RTOs at 1%%\n",
                    dir_name, (double)clean / (double)lossy, (double)clean / (double)heavy,
                    (unsigned long long)rtos);
        cr_assert_leq(rtos, 2, "%s: %llu RTOs ran out at 1%% loss", dir_name, (unsigned long long)rtos);
        cr_assert_leq(lossy, 2 * clean, "%s: 1%% loss takes %.1f ms, loss-free %.1f ms: below 0.5x", dir_name,
                      (double)lossy / 1e3, (double)clean / 1e3);
        cr_assert_leq(heavy, 2 * clean, "%s: 5%% loss takes %.1f ms, loss-free %.1f ms: below 0.5x", dir_name,
                      (double)heavy / 1e3, (double)clean / 1e3);
    }
}

/* 5% loss each way, windows of 16 and lock-step: slow, but every byte
 * arrives, once and in order (play checks both sides and the bytes). */
Test(xfer_sim, five_percent_loss_is_byte_exact)
{
    for (uint64_t seed = 120; seed < 124; seed++) {
        play(&(struct scenario){XFER_GET, 1000000, XFER_BLKSIZE_FRAME, 16, 0, 5, 0, 0, 0, seed});
        play(&(struct scenario){XFER_PUT, 1000000, XFER_BLKSIZE_FRAME, 16, 0, 5, 0, 0, 0, seed});
        play(&(struct scenario){XFER_GET, 200000, XFER_BLKSIZE_FRAME, 1, 0, 5, 0, 0, 0, seed});
    }
}

/* Loss, duplication and reordering at once, windowed at the VMM's setting. */
Test(xfer_sim, loss_duplication_reordering_frame_blocks)
{
    for (uint64_t seed = 130; seed < 134; seed++) {
        play(&(struct scenario){XFER_GET, 1000000, XFER_BLKSIZE_FRAME, 16, 0, 1, 2, 5, 300, seed});
        play(&(struct scenario){XFER_PUT, 1000000, XFER_BLKSIZE_FRAME, 16, 0, 1, 2, 5, 300, seed});
    }
}

/* A server that never answers, and one that stops answering mid-transfer:
 * the early retransmissions happen once, then the RTO backs off and the
 * client gives up, with a bounded number of datagrams sent into the
 * silence and in bounded time. */
Test(xfer_sim, server_that_never_answers_or_stops)
{
    static const uint64_t after[] = {1, 40};   /* the request only; 40 datagrams */

    for (int i = 0; i < 4; i++) {
        int d = i & 1;

        extra.vanish_after = after[i / 2];
        extra.may_fail = true;
        extra.latency = 50;
        play(&(struct scenario){d ? XFER_PUT : XFER_GET, 2000000, XFER_BLKSIZE_FRAME, 16, 0, 0, 0, 0, 0, 140});
        cr_assert(!last.done);
        cr_assert_eq(last.err, XFER_E_TIMEOUT, "%s: error %d", d ? "put" : "get", last.err);
        /* The request 10 times; mid-transfer, GET: an early ACK, then 10
         * ACKs; PUT: a probe of 2 blocks, then 10 windows. */
        cr_assert_leq(last.sent_after_vanishing, after[i / 2] == 1 ? 10 : d ? 2 + 10 * 16 : 1 + 10,
                      "%s: %llu datagrams", d ? "put" : "get", (unsigned long long)last.sent_after_vanishing);
        cr_assert_geq(last.sent_after_vanishing, 10, "the client did not retransmit into the silence");
        cr_assert_lt(last.took, 60000000, "gave up only after %.1f s", (double)last.took / 1e6);
        if (getenv("XFER_SIM_VERBOSE"))
            fprintf(stderr, "%s, server gone after %llu datagrams: gave up after %.1f s, %llu datagrams into "
                    "the silence\n", d ? "put" : "get", (unsigned long long)after[i / 2], (double)last.took / 1e6,
                    (unsigned long long)last.sent_after_vanishing);
    }
    memset(&extra, 0, sizeof extra);
}
