/* SPDX-License-Identifier: MIT */
/* The server side: parsing requests, answering options, serving both ways. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

static struct th_net net;
static struct th_mem mem;
static uint8_t file[1 << 18];
static uint8_t buf[1 << 18];
static uint8_t window[XFER_WINDOW_BYTES(1024, 4)];
static struct xfer x;
static uint8_t pkt[XFER_PACKET_MAX];
static uint8_t req_pkt[600];
static struct xfer_request req;

static void setup(void)
{
    th_net_init(&net);
    th_pattern(file, sizeof file, 9);
}

static void teardown(void)
{
    th_net_free(&net);
}

TestSuite(xfer_server, .init = setup, .fini = teardown);

static void parse(uint16_t op, const char *strings)
{
    uint16_t code;
    const char *problem;
    size_t n = th_strings_pkt(req_pkt, op, strings);

    cr_assert_eq(xfer_parse_request(req_pkt, n, &req, &code, &problem), XFER_OK, "%s: %s", strings,
                 problem ? problem : "");
}

Test(xfer_server, parse_request_options)
{
    parse(XFER_OP_RRQ, "dir/os-a.img|OCTET|BlkSize|70000|windowsize|0|timeout|3|tsize|0|mystery|1|blksize|9");
    cr_assert_eq(req.dir, XFER_GET);
    cr_assert_str_eq(req.filename, "dir/os-a.img");
    cr_assert_eq(req.have, XFER_HAVE_BLKSIZE | XFER_HAVE_TIMEOUT | XFER_HAVE_TSIZE,
                 "windowsize 0 is out of range and ignored");
    cr_assert_eq(req.blksize, XFER_BLKSIZE_MAX, "a blksize above the maximum is lowered to it");
    cr_assert_eq(req.timeout_s, 3);

    parse(XFER_OP_WRQ, "up|octet|tsize|123456789012|timeout|256|blksize|7|windowsize|64");
    cr_assert_eq(req.dir, XFER_PUT);
    cr_assert_eq(req.have, XFER_HAVE_TSIZE | XFER_HAVE_WINDOWSIZE);
    cr_assert_eq(req.tsize, 123456789012ull);
    cr_assert_eq(req.windowsize, 64);

    parse(XFER_OP_RRQ, "x|octet|tsize|5");
    cr_assert_eq(req.have, 0, "a read request's tsize must be 0");
    parse(XFER_OP_RRQ, "x|octet|blksize");
    cr_assert_eq(req.have, 0, "a name without value is dropped");
}

Test(xfer_server, parse_request_refusals)
{
    static const struct {
        const uint8_t bytes[24];
        size_t len;
        uint16_t code;
        const char *problem;
    } cases[] = {
        {{0}, 1, 4, "request shorter than its opcode"},
        {{0, 3, 'a', 0}, 4, 4, "not a read or write request"},
        {{0, 1, 'a', 0, 'o', 'c', 't', 'e', 't'}, 9, 4, "request without a NUL-terminated file name and mode"},
        {{0, 1, 'a', 0}, 4, 4, "request without a NUL-terminated file name and mode"},
        {{0, 1, 0, 'o', 'c', 't', 'e', 't', 0}, 9, 4, "request with an empty file name"},
        {{0, 1, 'a', 0, 'n', 'e', 't', 'a', 's', 'c', 'i', 'i', 0}, 13, 4, "only octet mode is served"},
        {{0, 2, 'a', 0, 'o', 'c', 't', 'e', 't', 0, 'b', 'l', 'k'}, 13, 4, "request options not NUL-terminated"},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint16_t code = 99;
        const char *problem = NULL;

        cr_assert_eq(xfer_parse_request(cases[i].bytes, cases[i].len, &req, &code, &problem), XFER_E_REQUEST,
                     "case %zu", i);
        cr_assert_eq(code, cases[i].code);
        cr_assert_str_eq(problem, cases[i].problem);
    }
}

static struct xfer_server_cfg cfg(size_t size)
{
    return (struct xfer_server_cfg){
        .req = &req,
        .client = TH_CLIENT,
        .size_known = true,
        .size = size,
        .window = window,
        .window_len = sizeof window,
        .net = th_net_hook(&net),
        .data = th_data(&mem),
    };
}

static void from_client(xfer_time_t now, size_t len)
{
    xfer_input(&x, now, &TH_CLIENT, pkt, len);
}

Test(xfer_server, read_without_options_starts_with_data_1)
{
    struct xfer_server_cfg c = cfg(600);

    parse(XFER_OP_RRQ, "f|octet");
    th_source(&mem, file, 600);
    cr_assert_eq(xfer_server_start(&x, &c, 0), XFER_OK);
    th_expect_data(&net, &TH_CLIENT, 1, 512);
    from_client(10, th_ack_pkt(pkt, 1));
    th_expect_data(&net, &TH_CLIENT, 2, 88);
    from_client(20, th_ack_pkt(pkt, 2));
    cr_assert_eq(xfer_state(&x), XFER_DONE);
}

Test(xfer_server, read_options_are_lowered_to_what_the_window_holds)
{
    struct xfer_server_cfg c = cfg(5000);

    parse(XFER_OP_RRQ, "f|octet|blksize|4096|windowsize|64|tsize|0|timeout|2");
    th_source(&mem, file, 5000);
    c.blksize_max = 1024;
    xfer_server_start(&x, &c, 0);
    /* blksize lowered to our maximum, windowsize to what the buffer holds. */
    th_expect_strings(&net, &TH_CLIENT, XFER_OP_OACK, "blksize|1024|windowsize|4|timeout|2|tsize|5000");
    cr_assert_eq(xfer_deadline(&x), 2000000, "the agreed timeout, in seconds");
    cr_assert_eq(mem.pos, 0);
    /* OACK lost: it is sent again. */
    xfer_tick(&x, 2000000);
    th_expect_strings(&net, &TH_CLIENT, XFER_OP_OACK, "blksize|1024|windowsize|4|timeout|2|tsize|5000");
    cr_assert_eq(xfer_deadline(&x), 4000000, "a fixed timeout does not back off");
    from_client(2000100, th_ack_pkt(pkt, 0));
    for (uint16_t b = 1; b <= 4; b++)
        th_expect_data(&net, &TH_CLIENT, b, 1024);
    from_client(2000200, th_ack_pkt(pkt, 4));
    th_expect_data(&net, &TH_CLIENT, 5, 5000 - 4096);
    from_client(2000300, th_ack_pkt(pkt, 5));
    cr_assert_eq(xfer_state(&x), XFER_DONE);
}

Test(xfer_server, client_refusing_our_oack)
{
    struct xfer_server_cfg c = cfg(5000);

    parse(XFER_OP_RRQ, "f|octet|blksize|1024");
    th_source(&mem, file, 5000);
    xfer_server_start(&x, &c, 0);
    th_next(&net);
    from_client(10, th_error_pkt(pkt, 8, "no thanks"));
    cr_assert_eq(xfer_error(&x), XFER_E_PEER);
    cr_assert_str_eq(th_error_text(&x), "serving get \"f\" to 10.0.0.2:50000: client error 8 (Option negotiation "
                                        "refused): \"no thanks\"");
    th_expect_nothing(&net);
}

Test(xfer_server, write_with_options_dallies_after_the_last_block)
{
    struct xfer_server_cfg c = cfg(0);

    parse(XFER_OP_WRQ, "up|octet|blksize|100|windowsize|2|tsize|250");
    th_sink(&mem, buf, sizeof buf);
    c.timing.dally_us = 3000000;
    xfer_server_start(&x, &c, 0);
    th_expect_strings(&net, &TH_CLIENT, XFER_OP_OACK, "blksize|100|windowsize|2|tsize|250");
    cr_assert_eq(xfer_params(&x)->tsize, 250);
    /* OACK lost: it, not an ACK 0, goes again. */
    xfer_tick(&x, xfer_deadline(&x));
    th_expect_strings(&net, &TH_CLIENT, XFER_OP_OACK, "blksize|100|windowsize|2|tsize|250");
    from_client(10, th_data_pkt(pkt, 1, file, 100));
    th_expect_nothing(&net);
    from_client(11, th_data_pkt(pkt, 2, file + 100, 100));
    th_expect_ack(&net, &TH_CLIENT, 2);
    from_client(12, th_data_pkt(pkt, 3, file + 200, 50));
    th_expect_ack(&net, &TH_CLIENT, 3);
    cr_assert_eq(xfer_state(&x), XFER_DONE);
    from_client(13, th_data_pkt(pkt, 3, file + 200, 50));
    th_expect_ack(&net, &TH_CLIENT, 3);
    cr_assert_eq(mem.pos, 250);
    cr_assert(!memcmp(buf, file, 250));
    xfer_tick(&x, 12 + 3000000);
    cr_assert_eq(xfer_deadline(&x), XFER_NEVER);
}

Test(xfer_server, write_without_options_acks_block_0)
{
    struct xfer_server_cfg c = cfg(0);

    parse(XFER_OP_WRQ, "up|octet");
    th_sink(&mem, buf, sizeof buf);
    xfer_server_start(&x, &c, 0);
    th_expect_ack(&net, &TH_CLIENT, 0);
    xfer_tick(&x, xfer_deadline(&x));
    th_expect_ack(&net, &TH_CLIENT, 0);
    from_client(10, th_data_pkt(pkt, 1, file, 10));
    th_expect_ack(&net, &TH_CLIENT, 1);
    cr_assert_eq(xfer_state(&x), XFER_DONE);
}

Test(xfer_server, strangers_and_wrong_opcodes)
{
    struct xfer_server_cfg c = cfg(0);
    struct xfer_endpoint other = TH_CLIENT;

    parse(XFER_OP_WRQ, "up|octet");
    th_sink(&mem, buf, sizeof buf);
    xfer_server_start(&x, &c, 0);
    th_next(&net);
    other.port++;
    xfer_input(&x, 5, &other, pkt, th_data_pkt(pkt, 1, file, 10));
    th_expect_error(&net, &other, XFER_TFTP_UNKNOWN_TID);
    cr_assert_eq(mem.pos, 0);
    from_client(10, th_ack_pkt(pkt, 1));
    th_expect_error(&net, &TH_CLIENT, XFER_TFTP_ILLEGAL);
    cr_assert_str_eq(th_error_text(&x), "serving put \"up\" from 10.0.0.2:50000: unexpected ACK at the receiving side");
}

Test(xfer_server, abort_tells_the_client)
{
    struct xfer_server_cfg c = cfg(100000);

    parse(XFER_OP_RRQ, "f|octet");
    th_source(&mem, file, 100000);
    xfer_server_start(&x, &c, 0);
    th_next(&net);
    xfer_abort(&x, XFER_TFTP_ACCESS, "shutting down");
    th_expect_error(&net, &TH_CLIENT, XFER_TFTP_ACCESS);
    cr_assert_eq(xfer_error(&x), XFER_E_ABORTED);
    cr_assert_eq(xfer_deadline(&x), XFER_NEVER);
    from_client(10, th_ack_pkt(pkt, 1));
    th_expect_nothing(&net);
}

Test(xfer_server, endpoints_format_like_their_rfcs)
{
    char s[64];
    struct xfer_endpoint e = {.family = 6, .addr = {0xfe, 0x80, [15] = 1}, .port = 69};

    xfer_format_endpoint(&e, s, sizeof s);
    cr_assert_str_eq(s, "[fe80::1]:69");
    e = (struct xfer_endpoint){.family = 6, .addr = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1},
                               .port = 1};
    xfer_format_endpoint(&e, s, sizeof s);
    cr_assert_str_eq(s, "[2001:db8:0:1::1]:1");
    e = (struct xfer_endpoint){.family = 6};
    xfer_format_endpoint(&e, s, sizeof s);
    cr_assert_str_eq(s, "[::]:0");
    cr_assert_eq(xfer_format_endpoint(&TH_CLIENT, s, 5), strlen("10.0.0.2:50000"));
    cr_assert_str_eq(s, "10.0");
}
