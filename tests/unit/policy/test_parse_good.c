/* SPDX-License-Identifier: MIT */
/*
 * Good configs parse into exactly the struct they describe: the shipped
 * example, the least a config needs, a TFTP lab machine, and a file saved by
 * Windows Notepad (BOM, CRLF, tabs, capitals, no final newline). Then the
 * limits, each at its edge and one past it.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

static void parse_ok(const char *rel, struct pol_config *cfg)
{
    char msg[1024];
    enum pol_status st = pol_test_parse(rel, cfg, msg, sizeof msg);
    cr_assert_eq(st, POL_OK, "%s: %s", rel, msg);
    cr_assert(pol_config_check(cfg), "%s: parsed config fails pol_config_check", rel);
}

static void guid_is(const struct pol_guid *g, const uint8_t want[16])
{
    for (int i = 0; i < 16; i++)
        cr_expect_eq(g->b[i], want[i], "GUID byte %d: %02x != %02x", i, g->b[i], want[i]);
}

static void pci_is(const struct pol_pci *d, unsigned seg, unsigned bus, unsigned dev, unsigned fn)
{
    cr_expect_eq(d->segment, seg);
    cr_expect_eq(d->bus, bus);
    cr_expect_eq(d->devfn, dev << 3 | fn, "devfn %02x != %02x", d->devfn, dev << 3 | fn);
}

static void wake_is(const struct pol_wake_entry *e, unsigned days, unsigned h, unsigned m)
{
    cr_expect_eq(e->days, days, "days %02x != %02x", e->days, days);
    cr_expect_eq(e->hour, h);
    cr_expect_eq(e->minute, m);
}

Test(parse_good, shipped_example)
{
    struct pol_config c;
    /* 6e0c2a4f-3b1d-4c8e-9f27-5a81d0c4e9b2 as EFI_GUID: first three fields reversed. */
    static const uint8_t part[16] = { 0x4f, 0x2a, 0x0c, 0x6e, 0x1d, 0x3b, 0x8e, 0x4c,
                                      0x9f, 0x27, 0x5a, 0x81, 0xd0, 0xc4, 0xe9, 0xb2 };
    parse_ok("docs/sleepmux.conf.example", &c);

    cr_expect_eq(c.magic, POL_CONFIG_MAGIC);
    cr_expect_eq(c.size, sizeof c);
    cr_expect_eq(c.default_os, POL_OS_A);
    cr_expect_eq(c.switch_mode, POL_SWITCH_SLEEP);
    cr_expect_eq(c.vmm_mib, 64);
    cr_expect_eq(c.log_port, 0x3f8);
    cr_expect_eq(c.store.kind, POL_STORE_PART_GUID);
    guid_is(&c.store.guid, part);

    const struct pol_os_config *a = &c.os[0], *b = &c.os[1];
    cr_expect_str_eq(a->name, "Debian 12 (work)");
    cr_expect_str_eq(a->loader, "\\EFI\\debian\\shimx64.efi");
    cr_expect_str_eq(a->args, "");
    cr_expect_eq(a->memory.unit, POL_MEM_PERCENT);
    cr_expect_eq(a->memory.value, 60);
    cr_expect_eq(a->on_s3, POL_DO_SWITCH);
    cr_expect_eq(a->on_s4, POL_DO_ASKED);
    cr_expect_eq(a->on_s5, POL_DO_ASKED);
    cr_expect_eq(a->on_reset, POL_DO_ASKED);
    cr_expect_eq(a->n_hidden, 0);
    cr_expect_eq(a->wake.n, 0);

    cr_expect_str_eq(b->name, "Windows 7 (air-gapped)");
    cr_expect_str_eq(b->loader, "\\EFI\\Microsoft\\Boot\\bootmgfw.efi");
    cr_expect_eq(b->memory.value, 40);
    cr_expect_eq(b->on_s3, POL_DO_SWITCH);
    cr_expect_eq(b->on_s5, POL_DO_ASKED);
    cr_expect_eq(b->n_hidden, 2);
    pci_is(&b->hidden[0], 0, 0, 0x19, 0);
    pci_is(&b->hidden[1], 0, 0, 0x14, 3);
    cr_expect_eq(b->wake.n, 2);
    wake_is(&b->wake.at[0], 0x3e, 7, 30);
    wake_is(&b->wake.at[1], 0x40, 9, 0);
    cr_expect_eq(b->wake.from, POL_WAKE_FROM_S4 | POL_WAKE_FROM_S5);
    cr_expect_eq(b->wake.rtc_local, 1);
    cr_expect_eq(b->wake.utc_offset, 60);
}

Test(parse_good, minimal_takes_the_defaults)
{
    struct pol_config c;
    /* The Linux filesystem data type as it appears on disk in every GPT. */
    static const uint8_t linux_data[16] = { 0xaf, 0x3d, 0xc6, 0x0f, 0x83, 0x84, 0x72, 0x47,
                                            0x8e, 0x79, 0x3d, 0x69, 0xd8, 0x47, 0x7d, 0xe4 };
    parse_ok("good/minimal.conf", &c);

    cr_expect_eq(c.default_os, POL_OS_A);
    cr_expect_eq(c.switch_mode, POL_SWITCH_SLEEP);
    cr_expect_eq(c.vmm_mib, 64);
    cr_expect_eq(c.log_port, POL_COM1);
    cr_expect_eq(c.store.kind, POL_STORE_PART_TYPE);
    guid_is(&c.store.guid, linux_data);
    for (int i = 0; i < 2; i++) {
        const struct pol_os_config *o = &c.os[i];
        cr_expect_str_eq(o->name, i ? "OS B" : "OS A");
        cr_expect_eq(o->memory.unit, POL_MEM_PERCENT);
        cr_expect_eq(o->memory.value, 50);
        cr_expect_eq(o->on_s3, POL_DO_SWITCH);
        cr_expect_eq(o->on_s4, POL_DO_ASKED);
        cr_expect_eq(o->on_s5, POL_DO_ASKED);
        cr_expect_eq(o->on_reset, POL_DO_ASKED);
        cr_expect_eq(o->wake.n, 0);
        cr_expect_eq(o->wake.rtc_local, 0);
        cr_expect_eq(o->wake.utc_offset, 0);
        cr_expect_str_eq(o->args, "");
    }
    cr_expect_str_eq(c.os[0].loader, "\\EFI\\debian\\grubx64.efi");
    /* Written with slashes: stored the way UEFI names files. */
    cr_expect_str_eq(c.os[1].loader, "\\EFI\\Microsoft\\Boot\\bootmgfw.efi");
}

Test(parse_good, tftp_lab_machine)
{
    struct pol_config c;
    parse_ok("good/tftp.conf", &c);

    cr_expect_eq(c.default_os, POL_OS_B);
    cr_expect_eq(c.switch_mode, POL_SWITCH_INSTANT);
    cr_expect_eq(c.vmm_mib, 1024);
    cr_expect_eq(c.log_port, 0x2e8);
    const struct pol_store *s = &c.store;
    cr_expect_eq(s->kind, POL_STORE_TFTP);
    cr_expect_arr_eq(s->tftp_server, ((uint8_t[]){ 10, 20, 30, 40 }), 4);
    cr_expect_eq(s->tftp_port, 6969);
    cr_expect_str_eq(s->tftp_path, "sleepmux/lab-pc-07");
    cr_expect_eq(s->tftp_blksize, 8192);
    cr_expect_eq(s->tftp_windowsize, 64);
    cr_expect_arr_eq(s->client_addr, ((uint8_t[]){ 10, 20, 30, 77 }), 4);
    cr_expect_eq(s->client_prefix, 23);
    cr_expect_arr_eq(s->gateway, ((uint8_t[]){ 10, 20, 30, 1 }), 4);

    const struct pol_os_config *a = &c.os[0], *b = &c.os[1];
    cr_expect_str_eq(a->args, "root=UUID=0b9f2c1e-55aa-4d3c-9e0f-123456789abc ro quiet splash");
    cr_expect_eq(a->memory.unit, POL_MEM_MIB);
    cr_expect_eq(a->memory.value, 12 * 1024);
    cr_expect_eq(a->on_s3, POL_DO_ASKED);
    cr_expect_eq(a->on_s4, POL_DO_SWITCH);
    cr_expect_eq(a->on_s5, POL_DO_SWITCH);
    cr_expect_eq(a->on_reset, POL_DO_SWITCH);
    cr_expect_eq(a->wake.n, 3);
    wake_is(&a->wake.at[0], 0x3e, 6, 45);
    wake_is(&a->wake.at[1], 0x41, 8, 0);
    wake_is(&a->wake.at[2], 0x63, 23, 15); /* fri-mon wraps: fri sat sun mon */
    cr_expect_eq(a->wake.from, POL_WAKE_FROM_S3 | POL_WAKE_FROM_S5);
    cr_expect_eq(a->wake.rtc_local, 0);
    cr_expect_eq(a->wake.utc_offset, 330);

    cr_expect_eq(b->memory.unit, POL_MEM_MIB);
    cr_expect_eq(b->memory.value, 8192);
    cr_expect_eq(b->n_hidden, 3);
    pci_is(&b->hidden[0], 0, 0, 0x1f, 6);
    pci_is(&b->hidden[1], 0, 2, 0, 0);
    pci_is(&b->hidden[2], 1, 0x3a, 0x1c, 7);
    cr_expect_eq(b->wake.rtc_local, 1);
    cr_expect_eq(b->wake.utc_offset, -210);
}

Test(parse_good, windows_notepad_file)
{
    struct pol_config c;
    parse_ok("good/windows-notepad.conf", &c);

    cr_expect_eq(c.default_os, POL_OS_B);
    cr_expect_eq(c.store.kind, POL_STORE_PART_GUID);
    cr_expect_eq(c.store.guid.b[0], 0x4f);
    cr_expect_eq(c.store.guid.b[15], 0xb2);
    /* Quotes keep blanks, '#' and ';'; a bare value keeps '#' not after a blank. */
    cr_expect_str_eq(c.os[0].name, "  Debian #1; the work one  ");
    cr_expect_str_eq(c.os[0].args, "console=ttyS0,115200#not-a-comment quiet");
    cr_expect_eq(c.os[0].memory.value, 4096);
    cr_expect_str_eq(c.os[1].name, "Windows XP \xc3\xa9" "dition fran\xc3\xa7" "aise");
    cr_expect_str_eq(c.os[1].loader, "\\EFI\\xp\\boot.efi");
    cr_expect_str_eq(c.os[1].args, "");
    cr_expect_eq(c.os[1].wake.n, 1);
    wake_is(&c.os[1].wake.at[0], POL_DAYS_ALL, 7, 5);
    cr_expect_eq(c.os[1].wake.utc_offset, 60);

    uint16_t u[POL_NAME_MAX];
    cr_assert(pol_to_ucs2(c.os[1].name, u, POL_NAME_MAX));
    cr_expect_eq(u[11], 0x00e9); /* é */
    cr_expect_eq(u[23], 0x00e7); /* ç */
    cr_expect_eq(u[28], 0);
    cr_expect_not(pol_to_ucs2(c.os[1].name, u, 28), "28 units cannot hold 28 characters and a NUL");
}

/* ---- limits, at the edge and one past it */

static enum pol_status parse_with(const char *global, const char *store, const char *os_a,
                                  struct pol_config *c, struct pol_error *err)
{
    static char text[8192];
    int n = snprintf(text, sizeof text,
                     "[global]\n%s\n[store]\n%s\n[os A]\n%s\n%s\n[os B]\nloader = \\b.efi\n",
                     global, store[0] ? store : "partition = 6e0c2a4f-3b1d-4c8e-9f27-5a81d0c4e9b2",
                     strncmp(os_a, "loader", 6) ? "loader = \\a.efi" : "", os_a);
    cr_assert(n > 0 && (size_t)n < sizeof text);
    return pol_parse(text, (size_t)n, c, err);
}

static enum pol_status os_line(const char *line, struct pol_config *c)
{
    struct pol_error err;
    return parse_with("", "", line, c, &err);
}

static char *repeat(char ch, size_t n)
{
    static char buf[4096];
    memset(buf, ch, n);
    buf[n] = '\0';
    return buf;
}

Test(parse_limits, strings_fill_their_fields_exactly)
{
    struct pol_config c;
    char line[4200];

    snprintf(line, sizeof line, "name = %s", repeat('n', POL_NAME_MAX - 1));
    cr_expect_eq(os_line(line, &c), POL_OK);
    cr_expect_eq(strlen(c.os[0].name), POL_NAME_MAX - 1);
    snprintf(line, sizeof line, "name = %s", repeat('n', POL_NAME_MAX));
    cr_expect_eq(os_line(line, &c), POL_E_TOO_LONG);

    snprintf(line, sizeof line, "args = %s", repeat('a', POL_ARGS_MAX - 1));
    cr_expect_eq(os_line(line, &c), POL_OK);
    snprintf(line, sizeof line, "args = %s", repeat('a', POL_ARGS_MAX));
    cr_expect_eq(os_line(line, &c), POL_E_TOO_LONG);

    snprintf(line, sizeof line, "loader = \\%s", repeat('l', POL_PATH_MAX - 2));
    cr_expect_eq(os_line(line, &c), POL_OK);
    cr_expect_eq(strlen(c.os[0].loader), POL_PATH_MAX - 1);
    snprintf(line, sizeof line, "loader = \\%s", repeat('l', POL_PATH_MAX - 1));
    cr_expect_eq(os_line(line, &c), POL_E_TOO_LONG);

    struct pol_error err;
    snprintf(line, sizeof line, "tftp-server = 10.0.0.1\ntftp-path = %s", repeat('p', POL_TFTP_PATH_MAX - 1));
    cr_expect_eq(parse_with("", line, "", &c, &err), POL_OK);
    snprintf(line, sizeof line, "tftp-server = 10.0.0.1\ntftp-path = %s", repeat('p', POL_TFTP_PATH_MAX));
    cr_expect_eq(parse_with("", line, "", &c, &err), POL_E_TOO_LONG);
}

Test(parse_limits, lists_fill_their_arrays_exactly)
{
    struct pol_config c;
    char line[4096];
    int n = snprintf(line, sizeof line, "hide-pci =");
    for (int d = 0; d < POL_PCI_MAX; d++)
        n += snprintf(line + n, sizeof line - (size_t)n, " 01:%02x.%d", d, d % 8);
    cr_expect_eq(os_line(line, &c), POL_OK);
    cr_expect_eq(c.os[0].n_hidden, POL_PCI_MAX);
    pci_is(&c.os[0].hidden[31], 0, 1, 31, 7);

    n = snprintf(line, sizeof line, "wake = ");
    for (int i = 0; i < POL_WAKE_MAX; i++)
        n += snprintf(line + n, sizeof line - (size_t)n, "%ssun %02d:%02d", i ? ", " : "", i, 59 - i);
    cr_expect_eq(os_line(line, &c), POL_OK);
    cr_expect_eq(c.os[0].wake.n, POL_WAKE_MAX);
    wake_is(&c.os[0].wake.at[15], 0x01, 15, 44);
}

Test(parse_limits, numbers_at_their_edges)
{
    struct pol_config c;
    struct pol_error err;
    static const struct {
        const char *global;
        enum pol_status st;
    } g[] = {
        { "vmm-memory = 16 MiB", POL_OK },     { "vmm-memory = 15M", POL_E_RANGE },
        { "vmm-memory = 4 GiB", POL_OK },      { "vmm-memory = 4097 MiB", POL_E_RANGE },
        { "log = 0x100", POL_OK },             { "log = 0xff", POL_E_RANGE },
        { "log = 0xfff8", POL_OK },            { "log = 65529", POL_E_RANGE },
        { "log = 1016", POL_OK },              { "log = 0x10000", POL_E_VALUE },
        { "log = NONE", POL_OK },              { "switch = INSTANT", POL_OK },
    };
    for (size_t i = 0; i < sizeof g / sizeof g[0]; i++)
        cr_expect_eq(parse_with(g[i].global, "", "", &c, &err), g[i].st, "%s: %s", g[i].global, err.msg);
    cr_expect_eq(parse_with("log = 1016", "", "", &c, &err), POL_OK);
    cr_expect_eq(c.log_port, 0x3f8);

    static const struct {
        const char *os;
        enum pol_status st;
    } o[] = {
        { "memory = 64 MiB", POL_OK },       { "memory = 63 MiB", POL_E_RANGE },
        { "memory = 16384 GiB", POL_OK },    { "memory = 16385G", POL_E_RANGE },
        { "memory = 1%", POL_OK },           { "memory = 0%", POL_E_RANGE },
        { "memory = 50 %", POL_OK },         { "memory = 4 gib", POL_OK },
        { "rtc = local -12:00", POL_OK },    { "rtc = local -12:01", POL_E_RANGE },
        { "rtc = utc+14:00", POL_OK },       { "rtc = utc +14:01", POL_E_RANGE },
        { "rtc = local +05:60", POL_E_RANGE }, { "wake = 23:59", POL_OK },
        { "wake = 00:00", POL_OK },          { "wake = 12:60", POL_E_RANGE },
    };
    for (size_t i = 0; i < sizeof o / sizeof o[0]; i++)
        cr_expect_eq(os_line(o[i].os, &c), o[i].st, "%s", o[i].os);

    struct pol_error e2;
    static const char *const store_edges[] = {
        "tftp-server = 1.0.0.0\ntftp-blksize = 8\ntftp-windowsize = 1\ntftp-port = 1",
        "tftp-server = 223.255.255.255\ntftp-blksize = 65464\ntftp-windowsize = 65535\ntftp-port = 65535",
    };
    for (size_t i = 0; i < 2; i++)
        cr_expect_eq(parse_with("", store_edges[i], "", &c, &e2), POL_OK, "%s", e2.msg);
    cr_expect_eq(parse_with("", "tftp-server = 10.0.0.1\ntftp-windowsize = 0", "", &c, &e2), POL_E_RANGE);
    cr_expect_eq(parse_with("", "tftp-server = 10.0.0.1\ntftp-port = 65536", "", &c, &e2), POL_E_RANGE);
}

Test(parse_api, empty_null_and_unterminated_text)
{
    struct pol_config c;
    struct pol_error err;

    cr_expect_eq(pol_parse("", 0, &c, &err), POL_E_MISSING);
    cr_expect_eq(err.line, 1);
    cr_expect_eq(err.col, 1);
    cr_expect_eq(pol_parse(NULL, 0, &c, &err), POL_E_MISSING);
    cr_expect_eq(pol_parse(NULL, 5, &c, &err), POL_E_ARG);
    cr_expect_eq(pol_parse("x", 1, &c, NULL), POL_E_ARG);

    /* Only len bytes are read: what follows in memory is not the file's. */
    static const char text[] = "[store]\npartition = 6e0c2a4f-3b1d-4c8e-9f27-5a81d0c4e9b2\n"
                               "[os A]\nloader = \\a.efi\n[os B]\nloader = \\b.efi"
                               "\nthis line is not part of the file";
    size_t len = strlen(text) - strlen("\nthis line is not part of the file");
    cr_expect_eq(pol_parse(text, len, &c, &err), POL_OK, "%s", err.msg);
    cr_expect_str_eq(c.os[1].loader, "\\b.efi");
}

Test(parse_api, error_format_with_and_without_a_place)
{
    struct pol_error e = { POL_E_VALUE, 12, 9, "switch: unknown value \"slep\" (expected sleep or instant)" };
    char buf[256], small[16];

    size_t n = pol_error_format(&e, "sleepmux.conf", buf, sizeof buf);
    cr_expect_str_eq(buf, "sleepmux.conf:12:9: switch: unknown value \"slep\" (expected sleep or instant)");
    cr_expect_eq(n, strlen(buf));
    cr_expect_eq(pol_error_format(&e, "sleepmux.conf", small, sizeof small), n);
    cr_expect_str_eq(small, "sleepmux.conf:1");
    e.line = 0;
    pol_error_format(&e, "sleepmux.conf", buf, sizeof buf);
    cr_expect_str_eq(buf, "sleepmux.conf: switch: unknown value \"slep\" (expected sleep or instant)");
}

Test(parse_api, vmm_rejects_a_damaged_copy)
{
    struct pol_config c, d;
    pol_test_config(&c);
    cr_assert(pol_config_check(&c));

    d = c, d.magic ^= 1;
    cr_expect_not(pol_config_check(&d));
    d = c, d.version++;
    cr_expect_not(pol_config_check(&d));
    d = c, d.size--;
    cr_expect_not(pol_config_check(&d));
    d = c, d.os[1].on_s5 = 2;
    cr_expect_not(pol_config_check(&d));
    d = c, d.os[0].n_hidden = POL_PCI_MAX + 1;
    cr_expect_not(pol_config_check(&d));
    d = c, memset(d.os[0].loader, 'x', POL_PATH_MAX);
    cr_expect_not(pol_config_check(&d), "an unterminated string");
    d = c, d.os[1].loader[0] = 0;
    cr_expect_not(pol_config_check(&d), "no loader");
    d = c, d.store.kind = POL_STORE_NONE;
    cr_expect_not(pol_config_check(&d));
    d = c, d.os[1].wake.n = 1, d.os[1].wake.at[0] = (struct pol_wake_entry){ 0, 7, 0, 0 };
    cr_expect_not(pol_config_check(&d), "a wake entry with no day");
}

Test(parse_format, every_good_config_survives_format_and_parse)
{
    static const char *const files[] = { "docs/sleepmux.conf.example", "good/minimal.conf",
                                         "good/tftp.conf", "good/windows-notepad.conf" };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        struct pol_config c, again;
        struct pol_error err;
        char text[POL_CONFIG_TEXT_MAX];
        parse_ok(files[i], &c);
        size_t n = pol_config_format(&c, text, sizeof text);
        cr_assert_lt(n, sizeof text);
        cr_assert_eq(pol_parse(text, n, &again, &err), POL_OK, "%s: %u:%u: %s\n%s", files[i],
                     err.line, err.col, err.msg, text);
        cr_expect(!memcmp(&c, &again, sizeof c), "%s: the canonical text parses differently:\n%s",
                  files[i], text);
    }
}

Test(parse_format, canonical_text)
{
    struct pol_config c;
    char text[POL_CONFIG_TEXT_MAX];
    parse_ok("good/tftp.conf", &c);
    pol_config_format(&c, text, sizeof text);
    cr_expect_str_eq(text,
                     "[global]\n"
                     "default = B\n"
                     "switch = instant\n"
                     "vmm-memory = 1024 MiB\n"
                     "log = 0x2e8\n"
                     "\n"
                     "[store]\n"
                     "tftp-server = 10.20.30.40\n"
                     "tftp-port = 6969\n"
                     "tftp-path = sleepmux/lab-pc-07\n"
                     "tftp-blksize = 8192\n"
                     "tftp-windowsize = 64\n"
                     "tftp-client = 10.20.30.77/23\n"
                     "tftp-gateway = 10.20.30.1\n"
                     "\n"
                     "[os A]\n"
                     "name = \"Ubuntu 24.04\"\n"
                     "loader = \"\\EFI\\ubuntu\\shimx64.efi\"\n"
                     "args = \"root=UUID=0b9f2c1e-55aa-4d3c-9e0f-123456789abc ro quiet splash\"\n"
                     "memory = 12288 MiB\n"
                     "on-s3 = sleep\n"
                     "on-s4 = switch\n"
                     "on-s5 = switch\n"
                     "on-reset = switch\n"
                     "wake = mon-fri 06:45, sat sun 08:00, mon fri-sun 23:15\n"
                     "wake-from = s3 s5\n"
                     "rtc = utc +05:30\n"
                     "\n"
                     "[os B]\n"
                     "name = \"Windows 11\"\n"
                     "loader = \"\\EFI\\Microsoft\\Boot\\bootmgfw.efi\"\n"
                     "args = \"\"\n"
                     "memory = 8192 MiB\n"
                     "on-s3 = switch\n"
                     "on-s4 = hibernate\n"
                     "on-s5 = poweroff\n"
                     "on-reset = reset\n"
                     "hide-pci = 0000:00:1f.6, 0000:02:00.0, 0001:3a:1c.7\n"
                     "rtc = local -03:30\n");
}
