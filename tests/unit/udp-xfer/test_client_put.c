/* SPDX-License-Identifier: MIT */
/* The client writing a file (WRQ): window, go-back, Sorcerer's Apprentice,
 * timeouts, rollover. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static struct th_net net;
static struct th_mem src;
static uint8_t file[1 << 20];
static uint8_t window[XFER_WINDOW_BYTES(1024, 8)];
static struct xfer x;
static uint8_t pkt[XFER_PACKET_MAX];

static void setup(void)
{
    th_net_init(&net);
    th_pattern(file, sizeof file, 3);
}

static void teardown(void)
{
    th_net_free(&net);
}

TestSuite(xfer_put, .init = setup, .fini = teardown);

static struct xfer_client_cfg cfg(size_t size, uint16_t blksize, uint16_t window_blocks)
{
    th_source(&src, file, size);
    return (struct xfer_client_cfg){
        .dir = XFER_PUT,
        .filename = "os-a.img",
        .server = TH_SERVER,
        .blksize = blksize,
        .windowsize = window_blocks,
        .window = window,
        .window_len = sizeof window,
        .net = th_net_hook(&net),
        .data = th_data(&src),
    };
}

static void ack(xfer_time_t now, uint16_t block)
{
    xfer_input(&x, now, &TH_TID, pkt, th_ack_pkt(pkt, block));
}

/* The DATA packet must carry the file's bytes for that block. */
static void expect_data(uint16_t wire, uint64_t block, size_t blksize, size_t len)
{
    const struct th_pkt *p;

    th_expect_data(&net, &TH_TID, wire, len);
    p = &net.pkts[(net.seen - 1) % TH_MAX_SENT];
    cr_assert(!memcmp(p->data + 4, file + (block - 1) * blksize, len), "DATA %llu carries the wrong bytes",
              (unsigned long long)block);
}

Test(xfer_put, rfc1350_without_options)
{
    struct xfer_client_cfg c = cfg(1100, 0, 0);

    cr_assert_eq(xfer_client_start(&x, &c, 0), XFER_OK);
    th_expect_strings(&net, &TH_SERVER, XFER_OP_WRQ, "os-a.img|octet");
    cr_assert_eq(src.pos, 0, "no data read before the server answers");
    ack(10, 0);
    expect_data(1, 1, 512, 512);
    th_expect_nothing(&net);
    ack(20, 1);
    expect_data(2, 2, 512, 512);
    ack(30, 2);
    expect_data(3, 3, 512, 76);
    ack(40, 3);
    th_expect_nothing(&net);
    cr_assert_eq(xfer_state(&x), XFER_DONE);
    cr_assert_eq(xfer_stats(&x)->bytes, 1100);
    cr_assert(!src.misordered);
}

Test(xfer_put, exact_multiple_ends_with_an_empty_block)
{
    struct xfer_client_cfg c = cfg(1024, 0, 0);

    xfer_client_start(&x, &c, 0);
    th_next(&net);
    ack(10, 0);
    expect_data(1, 1, 512, 512);
    ack(20, 1);
    expect_data(2, 2, 512, 512);
    ack(30, 2);
    th_expect_data(&net, &TH_TID, 3, 0);
    ack(40, 3);
    cr_assert_eq(xfer_state(&x), XFER_DONE);
}

Test(xfer_put, empty_file_is_one_empty_block)
{
    struct xfer_client_cfg c = cfg(0, 0, 0);

    xfer_client_start(&x, &c, 0);
    th_next(&net);
    ack(10, 0);
    th_expect_data(&net, &TH_TID, 1, 0);
    ack(20, 1);
    cr_assert_eq(xfer_state(&x), XFER_DONE);
}

Test(xfer_put, window_of_four_with_tsize_and_go_back_on_a_gap)
{
    struct xfer_client_cfg c = cfg(10 * 1024 + 5, 1024, 4);

    c.tsize = true;
    c.size = 10 * 1024 + 5;
    xfer_client_start(&x, &c, 0);
    th_expect_strings(&net, &TH_SERVER, XFER_OP_WRQ, "os-a.img|octet|blksize|1024|windowsize|4|tsize|10245");
    xfer_input(&x, 10, &TH_TID, pkt, th_strings_pkt(pkt, XFER_OP_OACK, "blksize|1024|windowsize|4|tsize|10245"));
    for (uint16_t b = 1; b <= 4; b++)
        expect_data(b, b, 1024, 1024);
    th_expect_nothing(&net);
    ack(20, 4);
    for (uint16_t b = 5; b <= 8; b++)
        expect_data(b, b, 1024, 1024);
    /* The receiver lost 7: it acks 6, we go back and send a window from 7. */
    ack(30, 6);
    for (uint16_t b = 7; b <= 10; b++)
        expect_data(b, b, 1024, 1024);
    th_expect_nothing(&net);
    cr_assert_eq(xfer_stats(&x)->retransmits, 2);
    ack(40, 10);
    expect_data(11, 11, 1024, 5);
    ack(50, 11);
    cr_assert_eq(xfer_state(&x), XFER_DONE);
    cr_assert(!src.misordered, "the source is read once, in order, even when blocks are resent");
    cr_assert_eq(src.pos, 10 * 1024 + 5);
}

Test(xfer_put, duplicate_acks_never_trigger_data)
{
    struct xfer_client_cfg c = cfg(4096, 0, 0);

    xfer_client_start(&x, &c, 0);
    th_next(&net);
    ack(10, 0);
    expect_data(1, 1, 512, 512);
    ack(20, 1);
    expect_data(2, 2, 512, 512);
    /* The Sorcerer's Apprentice: a late duplicate ACK 1 must not resend 2. */
    ack(21, 1);
    ack(22, 1);
    ack(23, 0);
    th_expect_nothing(&net);
    cr_assert_eq(xfer_stats(&x)->duplicates, 2);
    /* Nor may an ACK for a block never sent move anything. */
    ack(24, 9);
    th_expect_nothing(&net);
    ack(30, 2);
    expect_data(3, 3, 512, 512);
}

Test(xfer_put, timeout_probes_then_resends_the_whole_window)
{
    struct xfer_client_cfg c = cfg(100000, 1024, 4);

    xfer_client_start(&x, &c, 0);
    th_next(&net);
    xfer_input(&x, 1000, &TH_TID, pkt, th_strings_pkt(pkt, XFER_OP_OACK, "blksize|1024|windowsize|4"));
    for (uint16_t b = 1; b <= 4; b++)
        expect_data(b, b, 1024, 1024);
    ack(2000, 2);
    for (uint16_t b = 3; b <= 6; b++)
        expect_data(b, b, 1024, 1024);
    th_expect_nothing(&net);
    /* Two 1 ms round trips: RTO 2.5 ms (SRTT + 4 RTTVAR); the probe is due
     * after twice the round trip. */
    cr_assert_eq(xfer_deadline(&x), 2000 + 2000);
    xfer_tick(&x, xfer_deadline(&x) - 1);
    th_expect_nothing(&net);
    /* The probe: the window's first block and the last block sent, which
     * any receiver answers, whatever it lacks. */
    xfer_tick(&x, xfer_deadline(&x));
    expect_data(3, 3, 1024, 1024);
    expect_data(6, 6, 1024, 1024);
    th_expect_nothing(&net);
    cr_assert_eq(xfer_stats(&x)->probes, 1);
    /* Still silent after a whole RTO, not backed off yet: the whole window. */
    cr_assert_eq(xfer_deadline(&x), 4000 + 2500);
    xfer_tick(&x, xfer_deadline(&x));
    for (uint16_t b = 3; b <= 6; b++)
        expect_data(b, b, 1024, 1024);
    th_expect_nothing(&net);
    cr_assert_eq(xfer_stats(&x)->timeouts, 2);
    /* Then the RTO doubles. */
    cr_assert_eq(xfer_deadline(&x), 6500 + 5000);
    /* The probe was answered after all: the window was complete. */
    ack(900000, 6);
    for (uint16_t b = 7; b <= 10; b++)
        expect_data(b, b, 1024, 1024);
}

Test(xfer_put, adaptive_timer_follows_the_round_trip)
{
    struct xfer_client_cfg c = cfg(1 << 20, 1024, 1);
    xfer_time_t t = 0;

    c.timing.rto_min_us = 1000;
    xfer_client_start(&x, &c, t);
    th_next(&net);
    t += 300;
    xfer_input(&x, t, &TH_TID, pkt, th_strings_pkt(pkt, XFER_OP_OACK, "blksize|1024|windowsize|1"));
    for (uint16_t b = 1; b < 50; b++) {
        th_next(&net);
        t += 300;
        ack(t, b);
    }
    /* 300 us round trips: the timer sits at its 1 ms floor, not at 1 s. */
    cr_assert_eq(xfer_deadline(&x) - t, 1000);
}

Test(xfer_put, silent_server_mid_transfer_gives_up)
{
    struct xfer_client_cfg c = cfg(100000, 0, 0);
    char want[200];
    int sends = 0;

    c.timing.retries = 3;
    xfer_client_start(&x, &c, 0);
    th_next(&net);
    ack(10, 0);
    th_next(&net);
    ack(20, 1);
    th_next(&net);
    while (xfer_deadline(&x) != XFER_NEVER) {
        xfer_tick(&x, xfer_deadline(&x));
        while (th_next(&net))
            sends++;
    }
    cr_assert_eq(sends, 3, "three retransmissions of DATA 2, then silence");
    cr_assert_eq(xfer_error(&x), XFER_E_TIMEOUT);
    xfer_format_error(&x, want, sizeof want);
    cr_assert(strstr(want, "put \"os-a.img\" to 10.0.0.1:40000: no ACK for block 2 after 3 retransmissions over "),
              "%s", want);
}

Test(xfer_put, source_failure_tells_the_server)
{
    struct xfer_client_cfg c = cfg(100000, 0, 0);

    src.fail_at = 3;
    src.fail_code = -5;
    xfer_client_start(&x, &c, 0);
    th_next(&net);
    ack(10, 0);
    th_next(&net);
    ack(20, 1);
    th_next(&net);
    ack(30, 2);
    th_expect_error(&net, &TH_TID, XFER_TFTP_UNDEFINED);
    cr_assert_eq(xfer_error(&x), XFER_E_SOURCE);
    cr_assert_str_eq(th_error_text(&x), "put \"os-a.img\" to 10.0.0.1:40000: data source failed at block 3");
}

Test(xfer_put, server_ignoring_options_gets_lock_step_512)
{
    struct xfer_client_cfg c = cfg(2000, 1024, 8);

    xfer_client_start(&x, &c, 0);
    th_next(&net);
    ack(10, 0);
    expect_data(1, 1, 512, 512);
    th_expect_nothing(&net);
    cr_assert_eq(xfer_params(&x)->windowsize, 1);
}

Test(xfer_put, config_errors_name_the_field)
{
    struct xfer_client_cfg c = cfg(10, 1024, 8);

    c.window_len = XFER_WINDOW_BYTES(1024, 8) - 1;
    cr_assert_eq(xfer_client_start(&x, &c, 0), XFER_E_CONFIG);
    cr_assert_str_eq(th_error_text(&x), "put \"os-a.img\" to 10.0.0.1:69: window buffer is smaller than "
                                        "XFER_WINDOW_BYTES(blksize, windowsize)");
    th_expect_nothing(&net);
    c = cfg(10, 7, 1);
    cr_assert_eq(xfer_client_start(&x, &c, 0), XFER_E_CONFIG);
    c = cfg(10, 512, XFER_WINDOW_MAX + 1);
    cr_assert_eq(xfer_client_start(&x, &c, 0), XFER_E_CONFIG);
    c = cfg(10, 512, 1);
    c.data.read = NULL;
    cr_assert_eq(xfer_client_start(&x, &c, 0), XFER_E_CONFIG);
    char longname[600];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    c = cfg(10, 512, 1);
    c.filename = longname;
    cr_assert_eq(xfer_client_start(&x, &c, 0), XFER_E_CONFIG);
    cr_assert(strstr(th_error_text(&x), "does not fit in 512 bytes"));
    th_expect_nothing(&net);
    cr_assert_eq(xfer_deadline(&x), XFER_NEVER);
}

Test(xfer_put, block_numbers_roll_over_to_zero)
{
    static uint8_t win[XFER_WINDOW_BYTES(8, 16)];
    const uint32_t blocks = 140000;   /* two rollovers at 8 bytes a block */
    uint8_t *big = malloc(blocks * 8);
    struct xfer_client_cfg c;
    uint32_t b = 0;

    th_pattern(big, blocks * 8, 5);
    c = cfg(0, 8, 16);
    th_source(&src, big, blocks * 8 - 3);
    c.window = win;
    c.window_len = sizeof win;
    xfer_client_start(&x, &c, 0);
    th_next(&net);
    xfer_input(&x, 1, &TH_TID, pkt, th_strings_pkt(pkt, XFER_OP_OACK, "blksize|8|windowsize|16"));
    for (;;) {
        const struct th_pkt *p;
        uint32_t top = b;

        while ((p = th_next(&net))) {
            uint16_t wire = (uint16_t)(p->data[2] << 8 | p->data[3]);

            top++;
            cr_assert_eq(wire, (uint16_t)top, "DATA %u carries number %u", top, wire);
            cr_assert(!memcmp(p->data + 4, big + (size_t)(top - 1) * 8, p->len - 4));
        }
        if (xfer_state(&x) != XFER_RUNNING)
            break;
        b = top;
        ack(10 + b, (uint16_t)b);
    }
    cr_assert_eq(xfer_state(&x), XFER_DONE);
    cr_assert_eq(b, blocks);
    cr_assert_eq(xfer_stats(&x)->bytes, blocks * 8 - 3);
    free(big);
}
