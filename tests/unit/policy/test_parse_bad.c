/* SPDX-License-Identifier: MIT */
/*
 * Every bad-config fixture (tests/fixtures/policy/bad/) fails with its own
 * status and exactly this message: place, problem, expected form.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

#include "fixture.h"

struct bad {
    const char *name;
    enum pol_status status;
    const char *msg;
};

static const struct bad cases[] = {
    { "args-too-long", POL_E_TOO_LONG,
      "args-too-long.conf:2:8: args: 1099 bytes do not fit (expected at most 1023 bytes)" },
    { "crlf-error-column", POL_E_VALUE,
      "crlf-error-column.conf:2:10: switch: unknown value \"slep\" (expected sleep or instant)" },
    { "default-third-os", POL_E_VALUE,
      "default-third-os.conf:2:11: default: unknown value \"C\" (expected A or B)" },
    { "encoding-control", POL_E_ENCODING,
      "encoding-control.conf:2:13: control character U+0007 (expected printable text)" },
    { "encoding-latin1", POL_E_ENCODING,
      "encoding-latin1.conf:2:9: byte 0xe9 is not UTF-8 (expected text saved as UTF-8)" },
    { "encoding-lone-cr", POL_E_ENCODING,
      "encoding-lone-cr.conf:2:14: carriage return inside a line (expected LF or CRLF line ends)" },
    { "encoding-non-bmp", POL_E_ENCODING,
      "encoding-non-bmp.conf:2:15: character U+1F427 is outside the BMP, which UEFI cannot pass on (expected characters up to U+FFFF)" },
    { "guid-short", POL_E_VALUE,
      "guid-short.conf:2:13: partition: \"6e0c2a4f-3b1d-4c8e-9f27-5a81d0c4e9b\" is not a GUID (expected 8-4-4-4-12 hex digits such as 0fc63daf-8483-4772-8e79-3d69d8477de4)" },
    { "key-twice", POL_E_DUPLICATE,
      "key-twice.conf:3:1: memory given twice in [os B], first at line 2 (expected each key once per section)" },
    { "key-unknown", POL_E_KEY,
      "key-unknown.conf:2:1: unknown key \"memroy\" in [os A] (expected one of name, loader, args, memory, on-s3, on-s4, on-s5, on-reset, hide-pci, wake, wake-from, rtc)" },
    { "key-wrong-section", POL_E_KEY,
      "key-wrong-section.conf:2:1: key \"default\" belongs in [global], not [os A]" },
    { "loader-colon", POL_E_VALUE,
      "loader-colon.conf:2:21: loader: ':' cannot be in a UEFI file path (expected a path from the root of the ESP such as \\EFI\\debian\\shimx64.efi)" },
    { "loader-empty-folder", POL_E_VALUE,
      "loader-empty-folder.conf:2:14: loader: empty file or folder name in the path (expected a path from the root of the ESP such as \\EFI\\debian\\shimx64.efi)" },
    { "loader-folder", POL_E_VALUE,
      "loader-folder.conf:2:21: loader: path ends in \\, it names a folder (expected a path from the root of the ESP such as \\EFI\\debian\\shimx64.efi)" },
    { "loader-relative", POL_E_VALUE,
      "loader-relative.conf:2:10: loader: path does not start with \\ (expected a path from the root of the ESP such as \\EFI\\debian\\shimx64.efi)" },
    { "log-com3", POL_E_VALUE,
      "log-com3.conf:2:7: log: \"com3\" is not a serial port (expected com1, com2, an I/O port such as 0x3e8, or none)" },
    { "log-port-low", POL_E_RANGE,
      "log-port-low.conf:2:7: log: port 0x60 is out of range (expected 0x100 to 0xfff8, or com1, com2, none)" },
    { "memory-huge", POL_E_RANGE,
      "memory-huge.conf:2:10: memory: \"99999999999 MiB\" is out of range (expected a size such as 4096 MiB or 4 GiB, or a share such as 50%)" },
    { "memory-megabytes", POL_E_VALUE,
      "memory-megabytes.conf:2:15: memory: unit \"MB\" is not MiB, GiB or % (expected a size such as 4096 MiB or 4 GiB, or a share such as 50%)" },
    { "memory-no-unit", POL_E_VALUE,
      "memory-no-unit.conf:2:14: memory: 4096 has no unit (expected a size such as 4096 MiB or 4 GiB, or a share such as 50%)" },
    { "memory-over-100", POL_E_CONFLICT,
      "memory-over-100.conf:8:1: memory: 60% for A and 50% for B make more than 100% (expected shares that add up to 100% or less)" },
    { "memory-percent-100", POL_E_RANGE,
      "memory-percent-100.conf:2:10: memory: 100% is out of range (expected 1% to 99%)" },
    { "memory-small", POL_E_RANGE,
      "memory-small.conf:2:10: memory: 32M is out of range (expected 64 MiB to 16777216 MiB, or 1% to 99%)" },
    { "missing-loader", POL_E_MISSING,
      "missing-loader.conf:5:1: [os B] has no loader (expected loader = \\EFI\\...\\name.efi)" },
    { "missing-os-b", POL_E_MISSING,
      "missing-os-b.conf:5:1: no [os B] section (expected [os B] with at least a loader = line)" },
    { "missing-store", POL_E_MISSING,
      "missing-store.conf:5:1: no [store] section (expected [store] saying where parked OS images go)" },
    { "name-too-long", POL_E_TOO_LONG,
      "name-too-long.conf:2:8: name: 69 bytes do not fit (expected at most 63 bytes)" },
    { "on-s3-typo", POL_E_VALUE,
      "on-s3-typo.conf:2:9: on-s3: unknown value \"hibernate\" (expected switch or sleep)" },
    { "pci-device", POL_E_RANGE,
      "pci-device.conf:2:21: hide-pci: device 20 in \"00:20.0\" is out of range (expected 00 to 1f)" },
    { "pci-empty-list", POL_E_VALUE,
      "pci-empty-list.conf:2:12: hide-pci: no device listed (expected bus:device.function in hex such as 00:1f.3)" },
    { "pci-function", POL_E_RANGE,
      "pci-function.conf:2:12: hide-pci: function 8 in \"00:1f.8\" is out of range (expected 0 to 7)" },
    { "pci-short", POL_E_VALUE,
      "pci-short.conf:2:12: hide-pci: \"00:1f\" is not a PCI address (expected bus:device.function in hex such as 00:1f.3 or 0000:03:00.0)" },
    { "pci-too-many", POL_E_TOO_MANY,
      "pci-too-many.conf:2:300: hide-pci: more than 32 devices (expected at most 32)" },
    { "pci-twice", POL_E_DUPLICATE,
      "pci-twice.conf:2:21: hide-pci: 0000:00:1f.3 is listed twice (expected each device once)" },
    { "quote-trailing-text", POL_E_SYNTAX,
      "quote-trailing-text.conf:2:17: text after the quoted value (expected a comment or the end of the line)" },
    { "quote-unclosed", POL_E_SYNTAX,
      "quote-unclosed.conf:2:8: quoted value has no closing quote (expected \"...\")" },
    { "rtc-base", POL_E_VALUE,
      "rtc-base.conf:2:7: rtc: unknown time base \"gmt\" (expected utc, utc +HH:MM or local +HH:MM, such as local +01:00)" },
    { "rtc-local-no-offset", POL_E_VALUE,
      "rtc-local-no-offset.conf:2:12: rtc: local needs its offset from UTC (expected local +HH:MM, such as local +01:00)" },
    { "rtc-offset-form", POL_E_VALUE,
      "rtc-offset-form.conf:2:13: rtc: \"+1h\" is not an offset (expected utc, utc +HH:MM or local +HH:MM, such as local +01:00)" },
    { "rtc-offset-range", POL_E_RANGE,
      "rtc-offset-range.conf:2:13: rtc: offset +15:00 is out of range (expected -12:00 to +14:00)" },
    { "section-third-os", POL_E_SECTION,
      "section-third-os.conf:1:2: unknown section [os C] (expected [os A] or [os B]: sleepmux switches between two OSes)" },
    { "section-trailing-text", POL_E_SYNTAX,
      "section-trailing-text.conf:1:10: text after [global] (expected a comment or the end of the line)" },
    { "section-twice", POL_E_DUPLICATE,
      "section-twice.conf:3:1: section [global] given twice, first at line 1 (expected each section once)" },
    { "section-unclosed", POL_E_SYNTAX,
      "section-unclosed.conf:1:8: section header has no closing \"]\" (expected [name])" },
    { "section-unknown", POL_E_SECTION,
      "section-unknown.conf:1:2: unknown section [globl] (expected [global], [store], [os A] or [os B])" },
    { "store-no-location", POL_E_MISSING,
      "store-no-location.conf:1:1: [store] names no location (expected partition-type = GUID, partition = GUID or tftp-server = ADDRESS)" },
    { "store-tftp-option-alone", POL_E_CONFLICT,
      "store-tftp-option-alone.conf:3:1: tftp-port applies to a TFTP store only (expected tftp-server = ADDRESS, or no tftp-* keys)" },
    { "store-two-locations", POL_E_CONFLICT,
      "store-two-locations.conf:3:1: tftp-server: [store] already names a location at line 2 (expected one of partition-type, partition or tftp-server)" },
    { "switch-typo", POL_E_VALUE,
      "switch-typo.conf:2:10: switch: unknown value \"slep\" (expected sleep or instant)" },
    { "syntax-key-before-section", POL_E_SYNTAX,
      "syntax-key-before-section.conf:2:1: key \"default\" comes before any section (expected [global], [store], [os A] or [os B] first)" },
    { "syntax-no-equals", POL_E_SYNTAX,
      "syntax-no-equals.conf:2:9: key \"default\" has no \"=\" (expected default = value)" },
    { "syntax-stray-equals", POL_E_SYNTAX,
      "syntax-stray-equals.conf:2:1: unexpected \"=\" (expected key = value, [section] or a comment)" },
    { "tftp-address", POL_E_VALUE,
      "tftp-address.conf:2:15: tftp-server: \"192.168.1.300\" is not an IPv4 address (expected four numbers 0-255 such as 192.168.1.10)" },
    { "tftp-blksize", POL_E_RANGE,
      "tftp-blksize.conf:2:16: tftp-blksize: 65465 is out of range (expected 8 to 65464, as RFC 2348 allows)" },
    { "tftp-client-prefix", POL_E_RANGE,
      "tftp-client-prefix.conf:2:24: tftp-client: prefix /33 is out of range (expected /1 to /32)" },
    { "tftp-multicast", POL_E_RANGE,
      "tftp-multicast.conf:2:15: tftp-server: 224.0.0.1 is not a unicast address (expected a server's address such as 192.168.1.10)" },
    { "tftp-octal", POL_E_VALUE,
      "tftp-octal.conf:2:15: tftp-server: \"10.0.0.010\" is not an IPv4 address (expected four numbers 0-255 such as 192.168.1.10)" },
    { "tftp-path-dotdot", POL_E_VALUE,
      "tftp-path-dotdot.conf:2:20: tftp-path: \"..\" is not allowed (expected a folder below the server's root)" },
    { "tftp-path-space", POL_E_VALUE,
      "tftp-path-space.conf:2:15: tftp-path: character ' ' is not allowed (expected letters, digits and . _ - /)" },
    { "tftp-port-word", POL_E_VALUE,
      "tftp-port-word.conf:2:13: tftp-port: \"tftp\" is not a number (expected 1 to 65535)" },
    { "value-missing", POL_E_VALUE,
      "value-missing.conf:2:9: loader has no value (expected loader = \\EFI\\debian\\shimx64.efi)" },
    { "value-only-comment", POL_E_VALUE,
      "value-only-comment.conf:2:10: switch has no value (expected switch = sleep)" },
    { "vmm-memory-percent", POL_E_VALUE,
      "vmm-memory-percent.conf:2:16: vmm-memory: unit \"%\" is not MiB or GiB (expected a size such as 64 MiB or 1 GiB)" },
    { "vmm-memory-small", POL_E_RANGE,
      "vmm-memory-small.conf:2:14: vmm-memory: 8 MiB is out of range (expected 16 MiB to 4096 MiB)" },
    { "wake-bad-day", POL_E_VALUE,
      "wake-bad-day.conf:2:8: wake: \"mo\" is not a day (expected mon, tue, wed, thu, fri, sat, sun, a range such as mon-fri, weekdays, weekends or daily)" },
    { "wake-bad-time", POL_E_VALUE,
      "wake-bad-time.conf:2:12: wake: \"7.30\" is not a time (expected HH:MM, 00:00 to 23:59)" },
    { "wake-empty-entry", POL_E_VALUE,
      "wake-empty-entry.conf:2:18: wake: empty entry (expected days and a time such as mon-fri 07:30, separated by commas)" },
    { "wake-from-empty", POL_E_VALUE,
      "wake-from-empty.conf:2:13: wake-from: no state listed (expected s3, s4 and/or s5)" },
    { "wake-from-no-wake", POL_E_CONFLICT,
      "wake-from-no-wake.conf:7:1: wake-from: [os B] has no wake times to arm (expected a wake = line such as wake = mon-fri 07:30)" },
    { "wake-from-s2", POL_E_VALUE,
      "wake-from-s2.conf:2:13: wake-from: unknown value \"s2\" (expected s3, s4 and/or s5)" },
    { "wake-from-s3-switch", POL_E_CONFLICT,
      "wake-from-s3-switch.conf:8:1: wake-from: s3 never happens, S3 switches OS (expected on-s3 = sleep, or wake-from without s3)" },
    { "wake-from-twice", POL_E_DUPLICATE,
      "wake-from-twice.conf:2:16: wake-from: s4 is listed twice (expected each state once)" },
    { "wake-hour-24", POL_E_RANGE,
      "wake-hour-24.conf:2:12: wake: 24:00 is out of range (expected 00:00 to 23:59)" },
    { "wake-no-time", POL_E_VALUE,
      "wake-no-time.conf:2:15: wake: \"mon-fri\" has no time (expected days and a time such as mon-fri 07:30)" },
    { "wake-too-many", POL_E_TOO_MANY,
      "wake-too-many.conf:2:120: wake: more than 16 entries (expected at most 16)" },
};

Test(parse_bad, every_fixture_fails_with_its_message)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct bad *c = &cases[i];
        char rel[256], msg[1024];
        struct pol_config cfg;

        snprintf(rel, sizeof rel, "bad/%s.conf", c->name);
        enum pol_status st = pol_test_parse(rel, &cfg, msg, sizeof msg);
        cr_expect_eq(st, c->status, "%s: status %s, expected %s", c->name, pol_status_name(st),
                     pol_status_name(c->status));
        cr_expect_str_eq(msg, c->msg, "%s", c->name);
    }
}

/* The table and the folder hold the same cases: no fixture goes untested. */
Test(parse_bad, table_covers_the_folder)
{
    char cmd[4096];
    const char *root = getenv("SMX_ROOT");
    snprintf(cmd, sizeof cmd, "ls %s/tests/fixtures/policy/bad/*.conf | wc -l", root ? root : ".");
    FILE *p = popen(cmd, "r");
    int files = 0;
    cr_assert(p && fscanf(p, "%d", &files) == 1);
    pclose(p);
    cr_expect_eq((size_t)files, sizeof cases / sizeof cases[0]);
}
