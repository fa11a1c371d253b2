/* SPDX-License-Identifier: MIT */
/* The client reading a file (RRQ): scripted server answers, exact packets out. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static struct th_net net;
static struct th_mem sink;
static uint8_t sinkbuf[1 << 20];
static uint8_t file[1 << 20];
static struct xfer x;
static uint8_t pkt[XFER_PACKET_MAX];

static void setup(void)
{
    th_net_init(&net);
    th_sink(&sink, sinkbuf, sizeof sinkbuf);
    th_pattern(file, sizeof file, 7);
}

static void teardown(void)
{
    th_net_free(&net);
}

TestSuite(xfer_get, .init = setup, .fini = teardown);

static struct xfer_client_cfg cfg(uint16_t blksize, uint16_t window, bool tsize)
{
    return (struct xfer_client_cfg){
        .dir = XFER_GET,
        .filename = "os-a.img",
        .server = TH_SERVER,
        .blksize = blksize,
        .windowsize = window,
        .tsize = tsize,
        .net = th_net_hook(&net),
        .data = th_data(&sink),
    };
}

/* Play DATA block `wire` carrying file bytes from `off`. */
static void data(xfer_time_t now, const struct xfer_endpoint *from, uint16_t wire, size_t off, size_t len)
{
    xfer_input(&x, now, from, pkt, th_data_pkt(pkt, wire, file + off, len));
}

Test(xfer_get, rfc1350_without_options)
{
    struct xfer_client_cfg c = cfg(0, 0, false);

    cr_assert_eq(xfer_client_start(&x, &c, 0), XFER_OK);
    th_expect_strings(&net, &TH_SERVER, XFER_OP_RRQ, "os-a.img|octet");
    th_expect_nothing(&net);
    cr_assert_eq(xfer_deadline(&x), 1000000, "first timeout is 1 s");

    data(100, &TH_TID, 1, 0, 512);
    th_expect_ack(&net, &TH_TID, 1);
    data(200, &TH_TID, 2, 512, 512);
    th_expect_ack(&net, &TH_TID, 2);
    data(300, &TH_TID, 3, 1024, 100);
    th_expect_ack(&net, &TH_TID, 3);
    th_expect_nothing(&net);

    cr_assert_eq(xfer_state(&x), XFER_DONE);
    cr_assert_eq(xfer_deadline(&x), XFER_NEVER);
    cr_assert_eq(sink.pos, 1124);
    cr_assert(!memcmp(sinkbuf, file, 1124));
    cr_assert(!sink.misordered);
    cr_assert_eq(xfer_params(&x)->blksize, 512);
    cr_assert_not(xfer_params(&x)->options);
}

Test(xfer_get, options_windowsize_and_tsize)
{
    struct xfer_client_cfg c = cfg(1024, 4, true);
    size_t size = 10 * 1024 + 10;

    cr_assert_eq(xfer_client_start(&x, &c, 0), XFER_OK);
    th_expect_strings(&net, &TH_SERVER, XFER_OP_RRQ,
                      "os-a.img|octet|blksize|1024|windowsize|4|tsize|0");
    xfer_input(&x, 10, &TH_TID, pkt, th_strings_pkt(pkt, XFER_OP_OACK, "BLKSIZE|1024|windowsize|4|tsize|10250"));
    th_expect_ack(&net, &TH_TID, 0);
    cr_assert_eq(xfer_params(&x)->blksize, 1024);
    cr_assert_eq(xfer_params(&x)->windowsize, 4);
    cr_assert(xfer_params(&x)->tsize_known);
    cr_assert_eq(xfer_params(&x)->tsize, 10250);

    /* One ACK per window of four, and one for the short last block. */
    for (uint16_t b = 1; b <= 11; b++) {
        size_t len = b == 11 ? 10 : 1024;

        data(20 + b, &TH_TID, b, (b - 1) * 1024u, len);
        if (b % 4 == 0 || b == 11)
            th_expect_ack(&net, &TH_TID, b);
        th_expect_nothing(&net);
    }
    cr_assert_eq(xfer_state(&x), XFER_DONE);
    cr_assert_eq(sink.pos, size);
    cr_assert(!memcmp(sinkbuf, file, size));
}

Test(xfer_get, server_ignoring_options_gets_rfc1350_defaults)
{
    struct xfer_client_cfg c = cfg(8192, 16, true);

    xfer_client_start(&x, &c, 0);
    th_next(&net);
    data(10, &TH_TID, 1, 0, 512);
    th_expect_ack(&net, &TH_TID, 1);
    cr_assert_eq(xfer_params(&x)->blksize, 512);
    cr_assert_eq(xfer_params(&x)->windowsize, 1);
    cr_assert_not(xfer_params(&x)->tsize_known);
    data(20, &TH_TID, 2, 512, 0);
    th_expect_ack(&net, &TH_TID, 2);
    cr_assert_eq(xfer_state(&x), XFER_DONE);
    cr_assert_eq(sink.pos, 512);
}

Test(xfer_get, oack_larger_blksize_than_asked_is_refused)
{
    struct xfer_client_cfg c = cfg(1024, 0, false);

    xfer_client_start(&x, &c, 0);
    th_next(&net);
    xfer_input(&x, 10, &TH_TID, pkt, th_strings_pkt(pkt, XFER_OP_OACK, "blksize|2048"));
    th_expect_error(&net, &TH_TID, XFER_TFTP_OPTIONS);
    cr_assert_eq(xfer_state(&x), XFER_FAILED);
    cr_assert_eq(xfer_error(&x), XFER_E_OPTIONS);
    cr_assert_str_eq(th_error_text(&x), "get \"os-a.img\" from 10.0.0.1:40000: OACK \"blksize\" \"2048\": "
                                        "not within 8..1024, the value asked");
    cr_assert_eq(xfer_deadline(&x), XFER_NEVER);
}

Test(xfer_get, oack_edge_cases_are_refused)
{
    static const struct {
        const char *oack, *why;
    } cases[] = {
        {"blksize|1024|mystery|1", "OACK \"mystery\" \"1\": an option we did not ask for"},
        {"windowsize|4", "OACK \"windowsize\" \"4\": an option we did not ask for"},
        {"blksize|1024|blksize|512", "OACK \"blksize\" \"512\": option named twice"},
        {"blksize|1k", "OACK \"blksize\" \"1k\": not a decimal number"},
        {"blksize|7", "OACK \"blksize\" \"7\": not within 8..1024, the value asked"},
        {"blksize|99999999999999999999999", "OACK \"blksize\" \"99999999999999999999999\": not a decimal number"},
        {"timeout|3", "OACK \"timeout\" \"3\": RFC 2349 wants the timeout asked, 2"},
        {"blksize", "OACK \"blksize\": option without a value"},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct xfer_client_cfg c = cfg(1024, 0, false);
        char want[256];

        c.timeout_s = 2;
        net.seen = net.count;
        xfer_client_start(&x, &c, 0);
        th_next(&net);
        xfer_input(&x, 10, &TH_TID, pkt, th_strings_pkt(pkt, XFER_OP_OACK, cases[i].oack));
        th_expect_error(&net, &TH_TID, XFER_TFTP_OPTIONS);
        cr_assert_eq(xfer_error(&x), XFER_E_OPTIONS, "case %zu", i);
        snprintf(want, sizeof want, "get \"os-a.img\" from 10.0.0.1:40000: %s", cases[i].why);
        cr_assert_str_eq(th_error_text(&x), want);
    }
}

Test(xfer_get, unterminated_oack_is_refused)
{
    struct xfer_client_cfg c = cfg(1024, 0, false);

    xfer_client_start(&x, &c, 0);
    th_next(&net);
    /* "blksize\01024" without the final NUL. */
    size_t n = th_strings_pkt(pkt, XFER_OP_OACK, "blksize|1024") - 1;
    xfer_input(&x, 10, &TH_TID, pkt, n);
    th_expect_error(&net, &TH_TID, XFER_TFTP_OPTIONS);
    cr_assert_eq(xfer_error(&x), XFER_E_OPTIONS);
}

Test(xfer_get, empty_oack_means_defaults)
{
    struct xfer_client_cfg c = cfg(1024, 8, false);

    xfer_client_start(&x, &c, 0);
    th_next(&net);
    xfer_input(&x, 10, &TH_TID, pkt, th_strings_pkt(pkt, XFER_OP_OACK, "") - 1);
    th_expect_ack(&net, &TH_TID, 0);
    cr_assert_eq(xfer_params(&x)->blksize, 512);
    cr_assert_eq(xfer_params(&x)->windowsize, 1);
}

Test(xfer_get, error_8_retries_without_options)
{
    struct xfer_client_cfg c = cfg(1024, 4, true);

    c.retry_without_options = true;
    xfer_client_start(&x, &c, 0);
    th_next(&net);
    xfer_input(&x, 10, &TH_TID, pkt, th_error_pkt(pkt, XFER_TFTP_OPTIONS, "Unsupported option(s) requested"));
    th_expect_strings(&net, &TH_SERVER, XFER_OP_RRQ, "os-a.img|octet");
    cr_assert_eq(xfer_state(&x), XFER_RUNNING);
    /* The new server process answers from a new port. */
    struct xfer_endpoint tid2 = TH_TID;
    tid2.port = 40002;
    data(20, &tid2, 1, 0, 5);
    th_expect_ack(&net, &tid2, 1);
    cr_assert_eq(xfer_state(&x), XFER_DONE);
    /* A second refusal is final. */
    xfer_client_start(&x, &c, 0);
    th_next(&net);
    xfer_input(&x, 10, &TH_TID, pkt, th_error_pkt(pkt, 8, "no"));
    th_next(&net);
    xfer_input(&x, 20, &tid2, pkt, th_error_pkt(pkt, 8, "still no"));
    cr_assert_eq(xfer_state(&x), XFER_FAILED);
    th_expect_nothing(&net);
}

Test(xfer_get, server_error_is_reported_with_its_text)
{
    struct xfer_client_cfg c = cfg(0, 0, false);

    xfer_client_start(&x, &c, 0);
    th_next(&net);
    xfer_input(&x, 10, &TH_TID, pkt, th_error_pkt(pkt, 1, "File not found\x01"));
    cr_assert_eq(xfer_state(&x), XFER_FAILED);
    cr_assert_eq(xfer_error(&x), XFER_E_PEER);
    cr_assert_eq(xfer_peer_code(&x), 1);
    cr_assert_str_eq(th_error_text(&x),
                     "get \"os-a.img\" from 10.0.0.1:69: server error 1 (File not found): \"File not found\\x01\"");
    th_expect_nothing(&net); /* never answer an error with an error */
}

Test(xfer_get, strangers_get_error_5_and_change_nothing)
{
    struct xfer_client_cfg c = cfg(0, 0, false);

    xfer_client_start(&x, &c, 0);
    th_next(&net);
    /* Before the server answers: another host is not the server. */
    data(5, &TH_OTHER_HOST, 1, 100, 512);
    th_expect_error(&net, &TH_OTHER_HOST, XFER_TFTP_UNKNOWN_TID);
    cr_assert_eq(sink.pos, 0);
    data(10, &TH_TID, 1, 0, 512);
    th_expect_ack(&net, &TH_TID, 1);
    /* After: the server's host from another port, and its error. */
    data(20, &TH_STRANGER, 2, 9999, 512);
    th_expect_error(&net, &TH_STRANGER, XFER_TFTP_UNKNOWN_TID);
    xfer_input(&x, 21, &TH_STRANGER, pkt, th_error_pkt(pkt, 0, "go away"));
    th_expect_nothing(&net);
    xfer_input(&x, 22, &TH_SERVER, pkt, th_error_pkt(pkt, 1, "spoofed"));
    cr_assert_eq(xfer_state(&x), XFER_RUNNING);
    data(30, &TH_TID, 2, 512, 3);
    th_expect_ack(&net, &TH_TID, 2);
    cr_assert_eq(xfer_state(&x), XFER_DONE);
    cr_assert_eq(sink.pos, 515);
    cr_assert(!memcmp(sinkbuf, file, 515));
    cr_assert_eq(xfer_stats(&x)->foreign, 4);
}

/* Lock-step: every copy of the acknowledged block is the sender timing
 * out on our ACK, and gets it again: when the first repeat is lost too,
 * a sender with a short timer (tftpd-hpa -T 20000 gives up after 1.3 s)
 * would otherwise end the transfer before our own timer ever fires. */
Test(xfer_get, duplicate_data_is_acked_each_time_and_delivered_once)
{
    struct xfer_client_cfg c = cfg(0, 0, false);

    xfer_client_start(&x, &c, 0);
    th_next(&net);
    data(10, &TH_TID, 1, 0, 512);
    th_expect_ack(&net, &TH_TID, 1);
    data(11, &TH_TID, 1, 0, 512);
    th_expect_ack(&net, &TH_TID, 1);
    data(12, &TH_TID, 1, 0, 512);
    th_expect_ack(&net, &TH_TID, 1);
    data(13, &TH_TID, 2, 512, 1);
    th_expect_ack(&net, &TH_TID, 2);
    cr_assert_eq(sink.pos, 513);
    cr_assert_eq(xfer_stats(&x)->duplicates, 2);
}

Test(xfer_get, gap_in_a_window_acks_the_last_in_order_block)
{
    struct xfer_client_cfg c = cfg(512, 4, false);

    xfer_client_start(&x, &c, 0);
    th_next(&net);
    xfer_input(&x, 10, &TH_TID, pkt, th_strings_pkt(pkt, XFER_OP_OACK, "blksize|512|windowsize|4"));
    th_expect_ack(&net, &TH_TID, 0);
    data(20, &TH_TID, 1, 0, 512);
    data(21, &TH_TID, 2, 512, 512);
    th_expect_nothing(&net);
    data(22, &TH_TID, 4, 1536, 512); /* 3 lost */
    th_expect_ack(&net, &TH_TID, 2);
    data(23, &TH_TID, 5, 2048, 512); /* still in flight: no second ACK */
    th_expect_nothing(&net);
    /* The sender goes back to 3 and sends a window of four from there. */
    data(30, &TH_TID, 3, 1024, 512);
    data(31, &TH_TID, 4, 1536, 512);
    data(32, &TH_TID, 5, 2048, 512);
    th_expect_nothing(&net);
    data(33, &TH_TID, 6, 2560, 512);
    th_expect_ack(&net, &TH_TID, 6);
    data(40, &TH_TID, 7, 3072, 0);
    th_expect_ack(&net, &TH_TID, 7);
    cr_assert_eq(sink.pos, 3072);
    cr_assert(!memcmp(sinkbuf, file, 3072));
    cr_assert_eq(xfer_stats(&x)->out_of_order, 2);
}

/* A window of 4 with a 10 us round trip; returns after ACK 0. */
static void windowed_start(void)
{
    struct xfer_client_cfg c = cfg(512, 4, false);

    xfer_client_start(&x, &c, 0);
    th_next(&net);
    xfer_input(&x, 10, &TH_TID, pkt, th_strings_pkt(pkt, XFER_OP_OACK, "blksize|512|windowsize|4"));
    th_expect_ack(&net, &TH_TID, 0);
}

/* The window's tail is lost: nothing after it can show it. The receiver
 * ACKs what it has after twice the round trip (floored at a quarter of the
 * 1 ms rto_min), not after the RTO, and the sender goes on from there. */
Test(xfer_get, window_that_stops_short_is_acked_early)
{
    windowed_start();
    data(20, &TH_TID, 1, 0, 512);
    data(21, &TH_TID, 2, 512, 512);
    data(22, &TH_TID, 3, 1024, 512);
    th_expect_nothing(&net);
    cr_assert_eq(xfer_deadline(&x), 22 + 250);
    xfer_tick(&x, 22 + 249);
    th_expect_nothing(&net);
    xfer_tick(&x, 22 + 250);
    th_expect_ack(&net, &TH_TID, 3);
    cr_assert_eq(xfer_stats(&x)->probes, 1);
    /* Then the RTO, not backed off, as for any ACK. */
    cr_assert_eq(xfer_deadline(&x), 272 + 1000);
    data(300, &TH_TID, 4, 1536, 512);
    data(301, &TH_TID, 5, 2048, 512);
    data(302, &TH_TID, 6, 2560, 512);
    data(303, &TH_TID, 7, 3072, 512);
    th_expect_ack(&net, &TH_TID, 7);
    cr_assert_eq(sink.pos, 7 * 512);
    cr_assert(!memcmp(sinkbuf, file, 7 * 512));
}

/* Repeats of blocks we hold but have not acknowledged (the network's
 * duplicates, or a sender going over its window again or probing) are not
 * answered: our last ACK would tell the sender only what it knows, and a
 * sender that took it for a gap report would go back for nothing. */
Test(xfer_get, duplicates_inside_the_window_are_not_answered)
{
    windowed_start();
    data(20, &TH_TID, 1, 0, 512);
    data(21, &TH_TID, 2, 512, 512);
    data(22, &TH_TID, 1, 0, 512);
    data(23, &TH_TID, 2, 512, 512);
    th_expect_nothing(&net);
    data(24, &TH_TID, 3, 1024, 512);
    data(25, &TH_TID, 4, 1536, 512);
    th_expect_ack(&net, &TH_TID, 4);
    /* A repeat of an acknowledged block: our ACK may be lost, say it again. */
    data(26, &TH_TID, 4, 1536, 512);
    th_expect_ack(&net, &TH_TID, 4);
    cr_assert_eq(xfer_stats(&x)->duplicates, 3);
    cr_assert_eq(sink.pos, 4 * 512);
}

/* Our gap report is lost: the sender streams the rest of its window, then
 * probes with its first and last blocks. The last one is a block beyond
 * the gap that we saw before: the sender is going over it again, and that
 * pass gets the report again (else the sender waits for its RTO). */
Test(xfer_get, gap_reported_again_when_the_sender_comes_over_it_again)
{
    windowed_start();
    data(20, &TH_TID, 1, 0, 512);
    data(21, &TH_TID, 3, 1024, 512);  /* 2 lost */
    th_expect_ack(&net, &TH_TID, 1);  /* and this ACK is lost too */
    data(22, &TH_TID, 4, 1536, 512);
    th_expect_nothing(&net);
    data(500, &TH_TID, 1, 0, 512);    /* the probe: first and last blocks */
    th_expect_nothing(&net);          /* already answered at this position */
    data(501, &TH_TID, 4, 1536, 512);
    th_expect_ack(&net, &TH_TID, 1);
    data(600, &TH_TID, 2, 512, 512);
    data(601, &TH_TID, 3, 1024, 512);
    data(602, &TH_TID, 4, 1536, 512);
    data(603, &TH_TID, 5, 2048, 512);
    th_expect_ack(&net, &TH_TID, 5);
    cr_assert_eq(sink.pos, 5 * 512);
    cr_assert(!memcmp(sinkbuf, file, 5 * 512));
}

Test(xfer_get, silent_server_backs_off_and_gives_up)
{
    struct xfer_client_cfg c = cfg(0, 0, false);
    static const xfer_time_t gaps[] = {1000000, 2000000, 3000000, 3000000}; /* doubling, capped */
    xfer_time_t t = 0;

    c.timing.retries = 4;
    c.timing.rto_max_us = 3000000;
    xfer_client_start(&x, &c, 0);
    th_next(&net);
    for (int i = 0; i < 4; i++) {
        xfer_time_t d = xfer_deadline(&x);

        cr_assert_neq(d, XFER_NEVER);
        xfer_tick(&x, d - 1);   /* early: nothing */
        th_expect_nothing(&net);
        cr_assert_eq(d - t, gaps[i], "timeout %d after %llu us", i, (unsigned long long)(d - t));
        t = d;
        xfer_tick(&x, t);
        th_expect_strings(&net, &TH_SERVER, XFER_OP_RRQ, "os-a.img|octet");
    }
    xfer_tick(&x, xfer_deadline(&x));
    th_expect_nothing(&net);
    cr_assert_eq(xfer_state(&x), XFER_FAILED);
    cr_assert_eq(xfer_error(&x), XFER_E_TIMEOUT);
    cr_assert_str_eq(th_error_text(&x), "get \"os-a.img\" from 10.0.0.1:69: no answer to the request "
                                        "after 4 retransmissions over 12.0 s");
}

Test(xfer_get, server_silent_mid_transfer_gets_our_last_ack_again)
{
    struct xfer_client_cfg c = cfg(0, 0, false);

    xfer_client_start(&x, &c, 0);
    th_next(&net);
    data(1000, &TH_TID, 1, 0, 512);
    th_expect_ack(&net, &TH_TID, 1);
    xfer_tick(&x, xfer_deadline(&x));
    th_expect_ack(&net, &TH_TID, 1);
    cr_assert_eq(xfer_stats(&x)->retransmits, 1);
    cr_assert_eq(xfer_state(&x), XFER_RUNNING);
}

Test(xfer_get, malformed_packets_from_the_server_end_the_transfer_cleanly)
{
    static const struct {
        uint8_t bytes[8];
        size_t len;
        const char *why;
    } cases[] = {
        {{0, 3, 0}, 3, "DATA packet shorter than its 4-byte header"},
        {{0, 4, 0, 1}, 4, "unexpected ACK at the receiving side"},
        {{0, 9, 0, 1}, 4, "unknown opcode 9 during the transfer"},
        {{0, 1, 'a', 0, 'b', 0}, 6, "unexpected RRQ during the transfer"},
        {{7}, 1, "a datagram of less than 2 bytes is not TFTP"},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct xfer_client_cfg c = cfg(0, 0, false);
        char want[200];

        net.seen = net.count;
        th_sink(&sink, sinkbuf, sizeof sinkbuf);
        xfer_client_start(&x, &c, 0);
        th_next(&net);
        data(10, &TH_TID, 1, 0, 512);
        th_expect_ack(&net, &TH_TID, 1);
        xfer_input(&x, 20, &TH_TID, cases[i].bytes, cases[i].len);
        th_expect_error(&net, &TH_TID, XFER_TFTP_ILLEGAL);
        cr_assert_eq(xfer_error(&x), XFER_E_PROTOCOL);
        snprintf(want, sizeof want, "get \"os-a.img\" from 10.0.0.1:40000: %s", cases[i].why);
        cr_assert_str_eq(th_error_text(&x), want);
        cr_assert_eq(sink.pos, 512, "nothing more was delivered");
    }
}

Test(xfer_get, oversized_block_is_a_protocol_error)
{
    struct xfer_client_cfg c = cfg(0, 0, false);

    xfer_client_start(&x, &c, 0);
    th_next(&net);
    data(10, &TH_TID, 1, 0, 1024);
    th_expect_error(&net, &TH_TID, XFER_TFTP_ILLEGAL);
    cr_assert_str_eq(th_error_text(&x), "get \"os-a.img\" from 10.0.0.1:40000: DATA block 1 carries 1024 "
                                        "bytes, more than the block size 512");
    cr_assert_eq(sink.pos, 0);
}

Test(xfer_get, sink_failure_tells_the_server)
{
    struct xfer_client_cfg c = cfg(0, 0, false);

    sink.fail_at = 2;
    sink.fail_code = XFER_TFTP_DISK_FULL;
    xfer_client_start(&x, &c, 0);
    th_next(&net);
    data(10, &TH_TID, 1, 0, 512);
    th_expect_ack(&net, &TH_TID, 1);
    data(20, &TH_TID, 2, 512, 512);
    th_expect_error(&net, &TH_TID, XFER_TFTP_DISK_FULL);
    cr_assert_eq(xfer_error(&x), XFER_E_SINK);
    cr_assert_str_eq(th_error_text(&x), "get \"os-a.img\" from 10.0.0.1:40000: data sink failed at block 2");
}

Test(xfer_get, dally_answers_a_repeated_last_block)
{
    struct xfer_client_cfg c = cfg(0, 0, false);

    c.timing.dally_us = 500000;
    xfer_client_start(&x, &c, 0);
    th_next(&net);
    data(10, &TH_TID, 1, 0, 7);
    th_expect_ack(&net, &TH_TID, 1);
    cr_assert_eq(xfer_state(&x), XFER_DONE);
    cr_assert_eq(xfer_deadline(&x), 500010);
    data(20, &TH_TID, 1, 0, 7);
    th_expect_ack(&net, &TH_TID, 1);
    cr_assert_eq(sink.pos, 7, "delivered once");
    xfer_tick(&x, 500010);
    cr_assert_eq(xfer_deadline(&x), XFER_NEVER);
    data(30, &TH_TID, 1, 0, 7);
    th_expect_nothing(&net);
}

Test(xfer_get, block_numbers_roll_over_to_zero)
{
    struct xfer_client_cfg c = cfg(8, 0, false);
    const uint32_t blocks = 70000; /* 8-byte blocks: past 65535 */
    uint8_t *big = malloc(blocks * 8), *got = malloc(blocks * 8);

    th_pattern(big, blocks * 8, 11);
    th_sink(&sink, got, blocks * 8);
    xfer_client_start(&x, &c, 0);
    th_next(&net);
    xfer_input(&x, 1, &TH_TID, pkt, th_strings_pkt(pkt, XFER_OP_OACK, "blksize|8"));
    th_expect_ack(&net, &TH_TID, 0);
    for (uint32_t b = 1; b <= blocks; b++) {
        size_t len = b == blocks ? 7 : 8;

        xfer_input(&x, 10 + b, &TH_TID, pkt, th_data_pkt(pkt, (uint16_t)b, big + (b - 1) * 8, len));
        th_expect_ack(&net, &TH_TID, (uint16_t)b);
        if (b == 65536) {
            /* A stale block 0 of the first lap... is block 65536's number:
             * a repeat of it is a duplicate, not data. */
            xfer_input(&x, 10 + b, &TH_TID, pkt, th_data_pkt(pkt, 0, big, 8));
            th_expect_ack(&net, &TH_TID, 0);
        }
    }
    cr_assert_eq(xfer_state(&x), XFER_DONE);
    cr_assert_eq(sink.pos, blocks * 8 - 1);
    cr_assert(!memcmp(got, big, blocks * 8 - 1));
    cr_assert(!sink.misordered);
    free(big);
    free(got);
}
