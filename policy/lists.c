/* SPDX-License-Identifier: MIT */
/*
 * Values with a small grammar of their own: the hidden PCI functions, the
 * wake schedule, the states it applies to, and the RTC time base.
 */
#include "internal.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Up to max_digits hex digits of s from *i, at least one; -1 when none. */
static int32_t hex_field(struct pol_span s, size_t *i, size_t max_digits)
{
    int32_t v = 0;
    size_t start = *i;

    while (*i < s.len && *i - start < max_digits && hexval(s.p[*i]) >= 0)
        v = v << 4 | hexval(s.p[(*i)++]);
    return *i == start ? -1 : v;
}

/* [segment:]bus:device.function, hex, as lspci -D prints it. */
static enum pol_status pci_address(struct pol_parser *ps, struct pol_span s, struct pol_pci *out)
{
    char q[POL_QUOTE_SIZE];
    int32_t f[4];
    size_t i = 0, colons = 0;

    for (size_t k = 0; k < s.len; k++)
        colons += s.p[k] == ':';
    if (colons < 1 || colons > 2)
        goto bad;
    int32_t seg = 0;
    if (colons == 2) {
        if ((seg = hex_field(s, &i, 4)) < 0 || i >= s.len || s.p[i++] != ':')
            goto bad;
    }
    f[0] = hex_field(s, &i, 2);
    if (f[0] < 0 || i >= s.len || s.p[i++] != ':')
        goto bad;
    f[1] = hex_field(s, &i, 2);
    if (f[1] < 0 || i >= s.len || s.p[i++] != '.')
        goto bad;
    f[2] = hex_field(s, &i, 1);
    if (f[2] < 0 || i != s.len)
        goto bad;
    /* PCI Local Bus 3.0 §3.2.2.3.2: 32 devices of 8 functions per bus. */
    if (f[1] > 0x1f)
        return pol_fail(ps, POL_E_RANGE, s.p, "%s: device %02x in %s is out of range (expected 00 to 1f)",
                        ps->key_name, (unsigned)f[1], pol_quote(q, s.p, s.len));
    if (f[2] > 7)
        return pol_fail(ps, POL_E_RANGE, s.p, "%s: function %x in %s is out of range (expected 0 to 7)",
                        ps->key_name, (unsigned)f[2], pol_quote(q, s.p, s.len));
    *out = (struct pol_pci){ (uint16_t)seg, (uint8_t)f[0], (uint8_t)(f[1] << 3 | f[2]) };
    return POL_OK;
bad:
    return pol_fail(ps, POL_E_VALUE, s.p,
                    "%s: %s is not a PCI address (expected bus:device.function in hex such as "
                    "00:1f.3 or 0000:03:00.0)",
                    ps->key_name, pol_quote(q, s.p, s.len));
}

enum pol_status pol_val_pci_list(struct pol_parser *ps, struct pol_span v, struct pol_os_config *os)
{
    struct pol_span rest = v, item;

    os->n_hidden = 0;
    while (pol_span_next_item(&rest, &item)) {
        struct pol_pci d;
        enum pol_status st = pci_address(ps, item, &d);
        if (st)
            return st;
        for (unsigned i = 0; i < os->n_hidden; i++)
            if (!memcmp(&os->hidden[i], &d, sizeof d))
                return pol_fail(ps, POL_E_DUPLICATE, item.p,
                                "%s: %04x:%02x:%02x.%x is listed twice (expected each device once)",
                                ps->key_name, d.segment, d.bus, d.devfn >> 3, d.devfn & 7);
        if (os->n_hidden == POL_PCI_MAX)
            return pol_fail(ps, POL_E_TOO_MANY, item.p,
                            "%s: more than %u devices (expected at most %u)", ps->key_name,
                            POL_PCI_MAX, POL_PCI_MAX);
        os->hidden[os->n_hidden++] = d;
    }
    if (!os->n_hidden)
        return pol_fail(ps, POL_E_VALUE, v.p,
                        "%s: no device listed (expected bus:device.function in hex such as 00:1f.3)",
                        ps->key_name);
    return POL_OK;
}

const char pol_day_names[7][4] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };

static int day_index(struct pol_span s)
{
    for (int d = 0; d < 7; d++)
        if (pol_span_is(s, pol_day_names[d]))
            return d;
    return -1;
}

/* daily, weekdays, weekends, mon, mon-fri (and fri-mon, which wraps). */
static bool day_set(struct pol_span w, uint8_t *days)
{
    if (pol_span_is(w, "daily")) {
        *days |= POL_DAYS_ALL;
        return true;
    }
    if (pol_span_is(w, "weekdays")) {
        *days |= 0x3e;
        return true;
    }
    if (pol_span_is(w, "weekends")) {
        *days |= 0x41;
        return true;
    }
    size_t dash = 0;
    while (dash < w.len && w.p[dash] != '-')
        dash++;
    int a = day_index((struct pol_span){ w.p, dash });
    if (a < 0)
        return false;
    if (dash == w.len) {
        *days |= (uint8_t)(1u << a);
        return true;
    }
    int b = day_index((struct pol_span){ w.p + dash + 1, w.len - dash - 1 });
    if (b < 0)
        return false;
    for (int d = a;; d = (d + 1) % 7) {
        *days |= (uint8_t)(1u << d);
        if (d == b)
            break;
    }
    return true;
}

/* H:MM or HH:MM, 24-hour. */
static enum pol_status clock_time(struct pol_parser *ps, struct pol_span w, struct pol_wake_entry *e)
{
    char q[POL_QUOTE_SIZE];
    size_t colon = 0;

    while (colon < w.len && w.p[colon] != ':')
        colon++;
    bool shape = (colon == 1 || colon == 2) && w.len == colon + 3;
    for (size_t i = 0; shape && i < w.len; i++)
        shape = i == colon || (w.p[i] >= '0' && w.p[i] <= '9');
    if (!shape)
        return pol_fail(ps, POL_E_VALUE, w.p, "%s: %s is not a time (expected HH:MM, 00:00 to 23:59)",
                        ps->key_name, pol_quote(q, w.p, w.len));
    unsigned h = (unsigned)(w.p[0] - '0');
    if (colon == 2)
        h = h * 10 + (unsigned)(w.p[1] - '0');
    unsigned m = (unsigned)(w.p[colon + 1] - '0') * 10 + (unsigned)(w.p[colon + 2] - '0');
    if (h > 23 || m > 59)
        return pol_fail(ps, POL_E_RANGE, w.p, "%s: %.*s is out of range (expected 00:00 to 23:59)",
                        ps->key_name, (int)w.len, w.p);
    e->hour = (uint8_t)h;
    e->minute = (uint8_t)m;
    return POL_OK;
}

/*
 * Entries separated by commas; each is day words then a time:
 *   wake = mon-fri 06:45, sat sun 09:00     wake = 07:30 (every day)
 */
enum pol_status pol_val_wake(struct pol_parser *ps, struct pol_span v, struct pol_schedule *s)
{
    static const char expect_day[] = "mon, tue, wed, thu, fri, sat, sun, a range such as mon-fri, "
                                     "weekdays, weekends or daily";
    char q[POL_QUOTE_SIZE];
    size_t i = 0;

    s->n = 0;
    while (i <= v.len) {
        size_t start = i;
        while (i < v.len && v.p[i] != ',')
            i++;
        struct pol_span entry = pol_span_trim((struct pol_span){ v.p + start, i - start });
        const char *at = entry.len ? entry.p : v.p + start;
        i++; /* past the comma (or the end) */
        if (entry.len == 0)
            return pol_fail(ps, POL_E_VALUE, at,
                            "%s: empty entry (expected days and a time such as mon-fri 07:30, "
                            "separated by commas)",
                            ps->key_name);

        struct pol_wake_entry e = { 0 };
        struct pol_span rest = entry, w, last = { 0 };
        while (pol_span_next_word(&rest, &w)) {
            if (last.len && !day_set(last, &e.days))
                return pol_fail(ps, POL_E_VALUE, last.p, "%s: %s is not a day (expected %s)",
                                ps->key_name, pol_quote(q, last.p, last.len), expect_day);
            last = w;
        }
        if (day_set(last, &(uint8_t){ 0 }))
            return pol_fail(ps, POL_E_VALUE, last.p + last.len,
                            "%s: %s has no time (expected days and a time such as mon-fri 07:30)",
                            ps->key_name, pol_quote(q, entry.p, entry.len));
        enum pol_status st = clock_time(ps, last, &e);
        if (st)
            return st;
        if (!e.days)
            e.days = POL_DAYS_ALL;
        if (s->n == POL_WAKE_MAX)
            return pol_fail(ps, POL_E_TOO_MANY, entry.p, "%s: more than %u entries (expected at most %u)",
                            ps->key_name, POL_WAKE_MAX, POL_WAKE_MAX);
        s->at[s->n++] = e;
    }
    return POL_OK;
}

enum pol_status pol_val_wake_from(struct pol_parser *ps, struct pol_span v, struct pol_schedule *s)
{
    char q[POL_QUOTE_SIZE];
    struct pol_span rest = v, w;

    s->from = 0;
    while (pol_span_next_item(&rest, &w)) {
        uint8_t bit;
        if (pol_span_is(w, "s3"))
            bit = POL_WAKE_FROM_S3;
        else if (pol_span_is(w, "s4"))
            bit = POL_WAKE_FROM_S4;
        else if (pol_span_is(w, "s5"))
            bit = POL_WAKE_FROM_S5;
        else
            return pol_fail(ps, POL_E_VALUE, w.p, "%s: unknown value %s (expected s3, s4 and/or s5)",
                            ps->key_name, pol_quote(q, w.p, w.len));
        if (s->from & bit)
            return pol_fail(ps, POL_E_DUPLICATE, w.p, "%s: %.*s is listed twice (expected each state once)",
                            ps->key_name, (int)w.len, w.p);
        s->from |= bit;
    }
    if (!s->from)
        return pol_fail(ps, POL_E_VALUE, v.p, "%s: no state listed (expected s3, s4 and/or s5)",
                        ps->key_name);
    return POL_OK;
}

/* utc, utc +01:00 (wake times in local time, RTC in UTC), local +01:00. */
enum pol_status pol_val_rtc(struct pol_parser *ps, struct pol_span v, struct pol_schedule *s)
{
    static const char expect[] = "utc, utc +HH:MM or local +HH:MM, such as local +01:00";
    char q[POL_QUOTE_SIZE];
    size_t n = 0;

    while (n < v.len && v.p[n] != '+' && v.p[n] != '-' && !pol_is_space(v.p[n]))
        n++;
    struct pol_span base = { v.p, n };
    struct pol_span off = pol_span_trim((struct pol_span){ v.p + n, v.len - n });
    if (pol_span_is(base, "utc"))
        s->rtc_local = 0;
    else if (pol_span_is(base, "local"))
        s->rtc_local = 1;
    else
        return pol_fail(ps, POL_E_VALUE, v.p, "%s: unknown time base %s (expected %s)",
                        ps->key_name, pol_quote(q, base.p, base.len), expect);
    s->utc_offset = 0;
    if (off.len == 0) {
        if (s->rtc_local)
            return pol_fail(ps, POL_E_VALUE, v.p + n,
                            "%s: local needs its offset from UTC (expected local +HH:MM, such as "
                            "local +01:00)",
                            ps->key_name);
        return POL_OK;
    }
    bool shape = off.len == 6 && (off.p[0] == '+' || off.p[0] == '-') && off.p[3] == ':';
    for (size_t i = 1; shape && i < 6; i++)
        shape = i == 3 || (off.p[i] >= '0' && off.p[i] <= '9');
    if (!shape)
        return pol_fail(ps, POL_E_VALUE, off.p, "%s: %s is not an offset (expected %s)",
                        ps->key_name, pol_quote(q, off.p, off.len), expect);
    int h = (off.p[1] - '0') * 10 + (off.p[2] - '0');
    int m = (off.p[4] - '0') * 10 + (off.p[5] - '0');
    int minutes = (off.p[0] == '-' ? -1 : 1) * (h * 60 + m);
    if (m > 59 || minutes < POL_UTC_OFFSET_MIN || minutes > POL_UTC_OFFSET_MAX)
        return pol_fail(ps, POL_E_RANGE, off.p, "%s: offset %.*s is out of range (expected -12:00 to +14:00)",
                        ps->key_name, (int)off.len, off.p);
    s->utc_offset = (int16_t)minutes;
    return POL_OK;
}
