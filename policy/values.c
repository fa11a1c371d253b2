/* SPDX-License-Identifier: MIT */
/*
 * Scalar values of sleepmux.conf: numbers, sizes, keywords, GUIDs, IPv4
 * addresses, strings and paths. Each parser names the key it works for
 * (ps->key_name) in its errors and says what form it expected.
 */
#include "internal.h"

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

bool pol_span_is(struct pol_span s, const char *word)
{
    size_t n = strlen(word);

    if (s.len != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower(s.p[i]) != lower(word[i]))
            return false;
    return true;
}

struct pol_span pol_span_trim(struct pol_span s)
{
    while (s.len && pol_is_space(s.p[0]))
        s.p++, s.len--;
    while (s.len && pol_is_space(s.p[s.len - 1]))
        s.len--;
    return s;
}

bool pol_span_next_word(struct pol_span *rest, struct pol_span *word)
{
    struct pol_span r = pol_span_trim(*rest);
    size_t n = 0;

    while (n < r.len && !pol_is_space(r.p[n]))
        n++;
    *word = (struct pol_span){ r.p, n };
    *rest = (struct pol_span){ r.p + n, r.len - n };
    return n > 0;
}

bool pol_span_next_item(struct pol_span *rest, struct pol_span *item)
{
    struct pol_span r = pol_span_trim(*rest);
    size_t n = 0;

    while (r.len && r.p[0] == ',')
        r.p++, r.len--;
    r = pol_span_trim(r);
    while (n < r.len && !pol_is_space(r.p[n]) && r.p[n] != ',')
        n++;
    *item = (struct pol_span){ r.p, n };
    *rest = (struct pol_span){ r.p + n, r.len - n };
    return n > 0;
}

/* Decimal digits only; false on anything else or on overflow past 2^32 - 1. */
static bool decimal(struct pol_span s, uint32_t *out)
{
    uint64_t v = 0;

    if (s.len == 0 || s.len > 10)
        return false;
    for (size_t i = 0; i < s.len; i++) {
        if (s.p[i] < '0' || s.p[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(s.p[i] - '0');
    }
    if (v > UINT32_MAX)
        return false;
    *out = (uint32_t)v;
    return true;
}

static int hex_digit(char c)
{
    c = lower(c);
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

enum pol_status pol_val_uint(struct pol_parser *ps, struct pol_span v, uint32_t min, uint32_t max,
                             const char *expect, uint32_t *out)
{
    char q[POL_QUOTE_SIZE];
    uint32_t n;

    if (!decimal(v, &n)) {
        bool digits = v.len > 0;
        for (size_t i = 0; i < v.len; i++)
            digits = digits && v.p[i] >= '0' && v.p[i] <= '9';
        if (digits)
            return pol_fail(ps, POL_E_RANGE, v.p, "%s: %s is out of range (expected %s)",
                            ps->key_name, pol_quote(q, v.p, v.len), expect);
        return pol_fail(ps, POL_E_VALUE, v.p, "%s: %s is not a number (expected %s)",
                        ps->key_name, pol_quote(q, v.p, v.len), expect);
    }
    if (n < min || n > max)
        return pol_fail(ps, POL_E_RANGE, v.p, "%s: %u is out of range (expected %s)",
                        ps->key_name, n, expect);
    *out = n;
    return POL_OK;
}

/* "4096 MiB", "4096M", "4 GiB", "4G", and where allowed "50%". */
enum pol_status pol_val_mib(struct pol_parser *ps, struct pol_span v, uint32_t min, uint32_t max,
                            bool percent_ok, struct pol_share *out)
{
    char q[POL_QUOTE_SIZE];
    const char *expect = percent_ok ? "a size such as 4096 MiB or 4 GiB, or a share such as 50%"
                                    : "a size such as 64 MiB or 1 GiB";
    size_t d = 0;

    while (d < v.len && v.p[d] >= '0' && v.p[d] <= '9')
        d++;
    struct pol_span num = { v.p, d };
    struct pol_span unit = pol_span_trim((struct pol_span){ v.p + d, v.len - d });
    uint32_t n;
    if (d == 0)
        return pol_fail(ps, POL_E_VALUE, v.p, "%s: %s is not a size (expected %s)", ps->key_name,
                        pol_quote(q, v.p, v.len), expect);
    if (!decimal(num, &n))
        return pol_fail(ps, POL_E_RANGE, v.p, "%s: %s is out of range (expected %s)",
                        ps->key_name, pol_quote(q, v.p, v.len), expect);
    if (unit.len == 0)
        return pol_fail(ps, POL_E_VALUE, v.p + d, "%s: %u has no unit (expected %s)",
                        ps->key_name, n, expect);

    if (percent_ok && pol_span_is(unit, "%")) {
        if (n < 1 || n > 99)
            return pol_fail(ps, POL_E_RANGE, v.p, "%s: %u%% is out of range (expected 1%% to 99%%)",
                            ps->key_name, n);
        *out = (struct pol_share){ .unit = POL_MEM_PERCENT, .value = n };
        return POL_OK;
    }
    uint64_t mib;
    if (pol_span_is(unit, "MiB") || pol_span_is(unit, "M"))
        mib = n;
    else if (pol_span_is(unit, "GiB") || pol_span_is(unit, "G"))
        mib = (uint64_t)n * 1024;
    else
        return pol_fail(ps, POL_E_VALUE, unit.p, "%s: unit %s is not %s (expected %s)",
                        ps->key_name, pol_quote(q, unit.p, unit.len),
                        percent_ok ? "MiB, GiB or %" : "MiB or GiB", expect);
    if (mib < min || mib > max)
        return pol_fail(ps, POL_E_RANGE, v.p,
                        "%s: %.*s is out of range (expected %u MiB to %u MiB%s)", ps->key_name,
                        (int)v.len, v.p, min, max, percent_ok ? ", or 1% to 99%" : "");
    *out = (struct pol_share){ .unit = POL_MEM_MIB, .value = (uint32_t)mib };
    return POL_OK;
}

enum pol_status pol_val_choice(struct pol_parser *ps, struct pol_span v, const char *const *words,
                               const char *expect, uint8_t *out)
{
    char q[POL_QUOTE_SIZE];

    for (uint8_t i = 0; words[i]; i++) {
        if (pol_span_is(v, words[i])) {
            *out = i;
            return POL_OK;
        }
    }
    return pol_fail(ps, POL_E_VALUE, v.p, "%s: unknown value %s (expected %s)", ps->key_name,
                    pol_quote(q, v.p, v.len), expect);
}

/* 8-4-4-4-12 hex digits, optionally in braces, stored as EFI_GUID (UEFI 2.10
 * Appendix A): Data1..Data3 little-endian, Data4 as written. */
enum pol_status pol_val_guid(struct pol_parser *ps, struct pol_span v, struct pol_guid *out)
{
    static const uint8_t order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
    char q[POL_QUOTE_SIZE];
    struct pol_span g = v;
    uint8_t raw[16];
    size_t n = 0;

    if (g.len == 38 && g.p[0] == '{' && g.p[37] == '}')
        g.p++, g.len -= 2;
    if (g.len != 36)
        goto bad;
    for (size_t i = 0; i < 36;) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (g.p[i++] != '-')
                goto bad;
            continue;
        }
        int hi = hex_digit(g.p[i]), lo = hex_digit(g.p[i + 1]);
        if (hi < 0 || lo < 0)
            goto bad;
        raw[n++] = (uint8_t)(hi << 4 | lo);
        i += 2;
    }
    for (size_t i = 0; i < 16; i++)
        out->b[i] = raw[order[i]];
    return POL_OK;
bad:
    return pol_fail(ps, POL_E_VALUE, v.p,
                    "%s: %s is not a GUID (expected 8-4-4-4-12 hex digits such as "
                    "0fc63daf-8483-4772-8e79-3d69d8477de4)",
                    ps->key_name, pol_quote(q, v.p, v.len));
}

static bool ipv4(struct pol_span v, uint8_t out[4])
{
    size_t i = 0;

    for (int part = 0; part < 4; part++) {
        size_t start = i;
        uint32_t n = 0;
        while (i < v.len && v.p[i] >= '0' && v.p[i] <= '9' && i - start < 3)
            n = n * 10 + (uint32_t)(v.p[i++] - '0');
        /* No leading zeros: inet_aton would read "010" as octal 8. */
        if (i == start || n > 255 || (v.p[start] == '0' && i - start > 1))
            return false;
        out[part] = (uint8_t)n;
        if (part < 3 && (i >= v.len || v.p[i++] != '.'))
            return false;
    }
    return i == v.len;
}

enum pol_status pol_val_ipv4(struct pol_parser *ps, struct pol_span v, uint8_t out[4])
{
    char q[POL_QUOTE_SIZE];

    if (!ipv4(v, out))
        return pol_fail(ps, POL_E_VALUE, v.p,
                        "%s: %s is not an IPv4 address (expected four numbers 0-255 such as "
                        "192.168.1.10)",
                        ps->key_name, pol_quote(q, v.p, v.len));
    return POL_OK;
}

/* "dhcp" or a static address with its prefix length, "192.168.1.50/24". */
enum pol_status pol_val_client(struct pol_parser *ps, struct pol_span v, struct pol_store *st)
{
    char q[POL_QUOTE_SIZE];
    size_t slash = 0;
    uint32_t prefix;

    if (pol_span_is(v, "dhcp")) {
        st->client_prefix = 0;
        memset(st->client_addr, 0, 4);
        return POL_OK;
    }
    while (slash < v.len && v.p[slash] != '/')
        slash++;
    if (slash == v.len || !ipv4((struct pol_span){ v.p, slash }, st->client_addr) ||
        !decimal((struct pol_span){ v.p + slash + 1, v.len - slash - 1 }, &prefix))
        return pol_fail(ps, POL_E_VALUE, v.p,
                        "%s: %s is neither dhcp nor an address/prefix (expected dhcp or "
                        "an address such as 192.168.1.50/24)",
                        ps->key_name, pol_quote(q, v.p, v.len));
    if (prefix < 1 || prefix > 32)
        return pol_fail(ps, POL_E_RANGE, v.p + slash + 1,
                        "%s: prefix /%u is out of range (expected /1 to /32)", ps->key_name,
                        prefix);
    st->client_prefix = (uint8_t)prefix;
    return POL_OK;
}

static enum pol_status too_long(struct pol_parser *ps, struct pol_span v, size_t cap)
{
    return pol_fail(ps, POL_E_TOO_LONG, v.p,
                    "%s: %u bytes do not fit (expected at most %u bytes)", ps->key_name,
                    (unsigned)v.len, (unsigned)(cap - 1));
}

enum pol_status pol_val_text(struct pol_parser *ps, struct pol_span v, char *out, size_t cap)
{
    if (v.len >= cap)
        return too_long(ps, v, cap);
    memcpy(out, v.p, v.len);
    out[v.len] = '\0';
    return POL_OK;
}

/*
 * A file on the ESP, as UEFI's file protocol names it (UEFI 2.10 §13.5:
 * backslash-separated, from the volume root). '/' is accepted and turned
 * into '\' for people editing from Linux; the characters FAT forbids in
 * names are refused here rather than by the firmware at boot.
 */
enum pol_status pol_val_efi_path(struct pol_parser *ps, struct pol_span v, char *out, size_t cap)
{
    static const char expect[] = "a path from the root of the ESP such as "
                                 "\\EFI\\debian\\shimx64.efi";

    if (v.p[0] != '\\' && v.p[0] != '/')
        return pol_fail(ps, POL_E_VALUE, v.p, "%s: path does not start with \\ (expected %s)",
                        ps->key_name, expect);
    if (v.len >= cap)
        return too_long(ps, v, cap);
    for (size_t i = 0; i < v.len; i++) {
        char c = v.p[i] == '/' ? '\\' : v.p[i];
        bool sep = c == '\\';
        if (c == '*' || c == '?' || c == '<' || c == '>' || c == '|' || c == '"' || c == ':')
            return pol_fail(ps, POL_E_VALUE, v.p + i,
                            "%s: '%c' cannot be in a UEFI file path (expected %s)", ps->key_name,
                            c, expect);
        if (sep && i + 1 == v.len)
            return pol_fail(ps, POL_E_VALUE, v.p + i,
                            "%s: path ends in \\, it names a folder (expected %s)", ps->key_name,
                            expect);
        if (sep && (v.p[i + 1] == '\\' || v.p[i + 1] == '/'))
            return pol_fail(ps, POL_E_VALUE, v.p + i,
                            "%s: empty file or folder name in the path (expected %s)",
                            ps->key_name, expect);
        out[i] = c;
    }
    out[v.len] = '\0';
    return POL_OK;
}

/* A file name on a TFTP server: RFC 1350 allows netascii; stock servers
 * (tftpd-hpa -s) map it under their root. Kept to characters every server
 * and file system takes, and never "..". */
enum pol_status pol_val_tftp_path(struct pol_parser *ps, struct pol_span v, char *out, size_t cap)
{
    for (size_t i = 0; i < v.len; i++) {
        char c = v.p[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-' || c == '/';
        if (!ok)
            return pol_fail(ps, POL_E_VALUE, v.p + i,
                            "%s: character '%c' is not allowed (expected letters, digits and "
                            ". _ - /)",
                            ps->key_name, c);
        if (c == '.' && i + 1 < v.len && v.p[i + 1] == '.')
            return pol_fail(ps, POL_E_VALUE, v.p + i,
                            "%s: \"..\" is not allowed (expected a folder below the server's "
                            "root)",
                            ps->key_name);
    }
    return pol_val_text(ps, v, out, cap);
}

/* com1, com2, an I/O port (0x3e8 or decimal), or none. */
enum pol_status pol_val_log(struct pol_parser *ps, struct pol_span v, uint16_t *port)
{
    static const char expect[] = "com1, com2, an I/O port such as 0x3e8, or none";
    char q[POL_QUOTE_SIZE];
    uint32_t n = 0;
    bool ok;

    if (pol_span_is(v, "none")) {
        *port = 0;
        return POL_OK;
    }
    if (pol_span_is(v, "com1")) {
        *port = POL_COM1;
        return POL_OK;
    }
    if (pol_span_is(v, "com2")) {
        *port = POL_COM2;
        return POL_OK;
    }
    if (v.len > 2 && v.p[0] == '0' && lower(v.p[1]) == 'x') {
        ok = v.len <= 6;
        for (size_t i = 2; ok && i < v.len; i++) {
            int d = hex_digit(v.p[i]);
            ok = d >= 0;
            n = n << 4 | (uint32_t)(d < 0 ? 0 : d);
        }
    } else {
        ok = decimal(v, &n) && n <= 0xffff;
    }
    if (!ok)
        return pol_fail(ps, POL_E_VALUE, v.p, "%s: %s is not a serial port (expected %s)",
                        ps->key_name, pol_quote(q, v.p, v.len), expect);
    if (n < POL_LOG_PORT_MIN || n > POL_LOG_PORT_MAX)
        return pol_fail(ps, POL_E_RANGE, v.p,
                        "%s: port 0x%x is out of range (expected 0x%x to 0x%x, or com1, com2, "
                        "none)",
                        ps->key_name, n, POL_LOG_PORT_MIN, POL_LOG_PORT_MAX);
    *port = (uint16_t)n;
    return POL_OK;
}
