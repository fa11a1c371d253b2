/* SPDX-License-Identifier: MIT */
/*
 * The CMOS RTC alarm as an ACPI wake source (ACPI 6.5 §4.8.2.1.1 RTC
 * alarm, §5.2.9 DAY_ALRM/MON_ALRM/CENTURY, §4.8.3.1 PM1 RTC_STS/RTC_EN),
 * on the MC146818 register set every PC's RTC copies:
 *
 *   0x00/0x01 seconds/alarm   0x02/0x03 minutes/alarm   0x04/0x05 hours/alarm
 *   0x07 day   0x08 month   0x09 year   A: UIP   B: SET AIE DM 24/12
 *   C: flags (read to clear)   DAY_ALRM, MON_ALRM, CENTURY: where the FADT says
 *
 * Values are BCD unless B.DM is set; hours are 1-12 with bit 7 for PM
 * unless B.24/12 is set. An alarm byte with its two top bits set matches
 * anything. The alarm raises IRQ8 (B.AIE), which the chipset latches as
 * PM1_STS.RTC_STS and, with PM1_EN.RTC_EN, turns into a wake event.
 */
#include "spec.h"
#include "internal.h"

/* UIP stays set for at most 2 ms (244 us before, 1984 us during the
 * update); a port read takes about 1 us, so this is many times that. */
#define UIP_POLLS 100000
#define READ_TRIES 10

struct rtc_regs {
    uint8_t sec, min, hour, day, month, year, century, b;
};

static enum acpi_status cmos_read(const struct acpi_io *io, uint8_t index, uint8_t *v, struct acpi_error *err)
{
    uint32_t x;

    /* Bit 7 of the index port masks NMI on most chipsets: leave it clear. */
    if (!io->port_out || !io->port_in)
        return acpi_fail(err, ACPI_E_IO, "RTC", "%o: no port I/O callbacks", 0, 0, 0);
    if (!io->port_out(io->ctx, CMOS_INDEX_PORT, 1, index & 0x7f) || !io->port_in(io->ctx, CMOS_DATA_PORT, 1, &x))
        return acpi_fail(err, ACPI_E_IO, "RTC", "%o: reading CMOS register %g failed", 0, index, 0);
    *v = (uint8_t)x;
    return ACPI_OK;
}

static enum acpi_status cmos_write(const struct acpi_io *io, uint8_t index, uint8_t v, struct acpi_error *err)
{
    if (!io->port_out)
        return acpi_fail(err, ACPI_E_IO, "RTC", "%o: no port I/O callbacks", 0, 0, 0);
    if (!io->port_out(io->ctx, CMOS_INDEX_PORT, 1, index & 0x7f) || !io->port_out(io->ctx, CMOS_DATA_PORT, 1, v))
        return acpi_fail(err, ACPI_E_IO, "RTC", "%o: writing CMOS register %g failed", 0, index, 0);
    return ACPI_OK;
}

static enum acpi_status rtc_present(const struct acpi_platform *p, struct acpi_error *err)
{
    if (p->boot_arch & ACPI_BOOT_CMOS_RTC_NOT_PRESENT)
        return acpi_fail(err, ACPI_E_RTC_ABSENT, "RTC", "%o: the FADT says there is no CMOS RTC (IAPC_BOOT_ARCH)", 0,
                         0, 0);
    return ACPI_OK;
}

/* One consistent reading: UIP clear before, the same values twice. */
static enum acpi_status read_regs(const struct acpi_platform *p, const struct acpi_io *io, struct rtc_regs *r,
                                  struct acpi_error *err)
{
    static const uint8_t idx[6] = {RTC_SECONDS, RTC_MINUTES, RTC_HOURS, RTC_DAY_OF_MONTH, RTC_MONTH, RTC_YEAR};
    struct rtc_regs prev;
    enum acpi_status st;

    for (unsigned tries = 0; tries < READ_TRIES; tries++) {
        uint8_t a = RTC_A_UIP, v[6];
        unsigned polls = 0;

        while (a & RTC_A_UIP) {
            if (polls++ == UIP_POLLS)
                return acpi_fail(err, ACPI_E_RTC_BUSY, "RTC", "%o: update-in-progress still set after %G reads", 0,
                                 UIP_POLLS, 0);
            if ((st = cmos_read(io, RTC_REG_A, &a, err)) != ACPI_OK)
                return st;
        }
        for (unsigned i = 0; i < 6; i++)
            if ((st = cmos_read(io, idx[i], &v[i], err)) != ACPI_OK)
                return st;
        r->sec = v[0], r->min = v[1], r->hour = v[2], r->day = v[3], r->month = v[4], r->year = v[5];
        r->century = 0;
        if (p->century && (st = cmos_read(io, p->century, &r->century, err)) != ACPI_OK)
            return st;
        if ((st = cmos_read(io, RTC_REG_B, &r->b, err)) != ACPI_OK)
            return st;
        if (tries && !memcmp(&prev, r, sizeof prev))
            return ACPI_OK;
        prev = *r;
    }
    return acpi_fail(err, ACPI_E_RTC_BUSY, "RTC", "%o: no two readings in %G agreed", 0, READ_TRIES, 0);
}

static bool from_bcd(uint8_t v, uint8_t *out)
{
    if ((v & 0xf) > 9 || (v >> 4) > 9)
        return false;
    *out = (uint8_t)((v >> 4) * 10 + (v & 0xf));
    return true;
}

static uint8_t to_bcd(uint8_t v)
{
    return (uint8_t)((v / 10) << 4 | v % 10);
}

/* A register value in the RTC's format, and back. */
static bool decode(uint8_t v, bool binary, uint8_t *out)
{
    if (binary) {
        *out = v;
        return true;
    }
    return from_bcd(v, out);
}

static bool decode_hour(uint8_t v, uint8_t b, uint8_t *out)
{
    if (b & RTC_B_24H)
        return decode(v, b & RTC_B_DM_BINARY, out);
    uint8_t h;

    if (!decode(v & 0x7f, b & RTC_B_DM_BINARY, &h) || h < 1 || h > 12)
        return false;
    *out = (uint8_t)(h % 12 + (v & RTC_HOUR_PM ? 12 : 0));
    return true;
}

static uint8_t encode(uint8_t v, uint8_t b)
{
    return b & RTC_B_DM_BINARY ? v : to_bcd(v);
}

static uint8_t encode_hour(uint8_t h, uint8_t b)
{
    if (b & RTC_B_24H)
        return encode(h, b);
    uint8_t h12 = h % 12 ? h % 12 : 12;

    return (uint8_t)(encode(h12, b) | (h >= 12 ? RTC_HOUR_PM : 0));
}

static int64_t offset_seconds(const struct acpi_rtc_config *cfg)
{
    return cfg && cfg->local_time ? (int64_t)cfg->utc_offset_minutes * 60 : 0;
}

/* The RTC's own time (in its time base). */
static enum acpi_status rtc_now(const struct acpi_platform *p, const struct acpi_io *io, struct acpi_time *t,
                                uint8_t *b, struct acpi_error *err)
{
    struct rtc_regs r;
    uint8_t year = 0, century = 0;
    enum acpi_status st;

    if ((st = rtc_present(p, err)) != ACPI_OK || (st = read_regs(p, io, &r, err)) != ACPI_OK)
        return st;
    bool bin = r.b & RTC_B_DM_BINARY;
    const struct {
        bool ok;
        uint8_t reg, val;
    } check[] = {
        {decode(r.sec, bin, &t->second), RTC_SECONDS, r.sec},
        {decode(r.min, bin, &t->minute), RTC_MINUTES, r.min},
        {decode_hour(r.hour, r.b, &t->hour), RTC_HOURS, r.hour},
        {decode(r.day, bin, &t->day), RTC_DAY_OF_MONTH, r.day},
        {decode(r.month, bin, &t->month), RTC_MONTH, r.month},
        {decode(r.year, bin, &year), RTC_YEAR, r.year},
        {!p->century || decode(r.century, bin, &century), p->century, r.century},
    };

    for (unsigned i = 0; i < sizeof check / sizeof check[0]; i++)
        if (!check[i].ok)
            return acpi_fail(err, ACPI_E_RTC_TIME, "RTC", "%o: register %w holds %g, not a valid value", check[i].reg,
                             check[i].val, 0);
    /* Without a century register, years 70-99 are 19xx (as Linux reads them). */
    t->year = (uint16_t)(p->century ? century * 100 + year : year < 70 ? 2000 + year : 1900 + year);
    if (!acpi_time_valid(t))
        return acpi_fail(err, ACPI_E_RTC_TIME, "RTC", "%o: holds an impossible date or time (day %G of month %X)", 0,
                         t->day, t->month);
    *b = r.b;
    return ACPI_OK;
}

enum acpi_status acpi_rtc_read_time(const struct acpi_platform *p, const struct acpi_io *io,
                                    const struct acpi_rtc_config *cfg, struct acpi_time *utc,
                                    struct acpi_error *err)
{
    struct acpi_time t;
    uint8_t b;
    enum acpi_status st = rtc_now(p, io, &t, &b, err);

    if (st != ACPI_OK)
        return st;
    acpi_time_from_seconds(acpi_time_to_seconds(&t) - offset_seconds(cfg), utc);
    return ACPI_OK;
}

/* PM1 fixed-hardware RTC event: both PM1a and, where it exists, PM1b. */
static enum acpi_status fixed_rtc(const struct acpi_platform *p, struct acpi_error *err)
{
    if (p->hw_reduced || (p->flags & ACPI_FADT_FIX_RTC) || !p->pm1a_sts.address || !p->pm1a_en.address)
        return acpi_fail(err, ACPI_E_RTC_NO_WAKE, "RTC",
                         p->hw_reduced ? "%o: no PM1 RTC_STS/RTC_EN on a hardware-reduced platform"
                                       : "%o: RTC wake is not in PM1 fixed hardware (FADT FIX_RTC)",
                         0, 0, 0);
    return ACPI_OK;
}

enum acpi_status acpi_rtc_clear_status(const struct acpi_platform *p, const struct acpi_io *io,
                                       struct acpi_error *err)
{
    enum acpi_status st = fixed_rtc(p, err);

    /* Status bits are write-1-to-clear: write RTC_STS alone, so no other
     * pending event (a power button press) is lost. */
    if (st == ACPI_OK)
        st = acpi_reg_write(io, &p->pm1a_sts, "PM1a_STS", PM1_STS_RTC, err);
    if (st == ACPI_OK && p->pm1b_sts.address)
        st = acpi_reg_write(io, &p->pm1b_sts, "PM1b_STS", PM1_STS_RTC, err);
    return st;
}

static enum acpi_status set_bit(const struct acpi_io *io, const struct acpi_reg *r, const char *name, uint64_t bit,
                                struct acpi_error *err)
{
    uint64_t v;
    enum acpi_status st = acpi_reg_read(io, r, name, &v, err);

    return st != ACPI_OK ? st : acpi_reg_write(io, r, name, v | bit, err);
}

enum acpi_status acpi_rtc_enable_wake(const struct acpi_platform *p, const struct acpi_io *io,
                                      struct acpi_error *err)
{
    enum acpi_status st = fixed_rtc(p, err);

    if (st == ACPI_OK)
        st = set_bit(io, &p->pm1a_en, "PM1a_EN", PM1_EN_RTC, err);
    if (st == ACPI_OK && p->pm1b_en.address)
        st = set_bit(io, &p->pm1b_en, "PM1b_EN", PM1_EN_RTC, err);
    return st;
}

static uint8_t alarm_field(uint8_t v, uint8_t b, bool hour)
{
    uint8_t out;

    if ((v & RTC_ALARM_DONT_CARE) == RTC_ALARM_DONT_CARE)
        return ACPI_RTC_DONT_CARE;
    if (!(hour ? decode_hour(v, b, &out) : decode(v, b & RTC_B_DM_BINARY, &out)))
        return ACPI_RTC_DONT_CARE - 1;      /* garbage: matches nothing */
    return out;
}

enum acpi_status acpi_rtc_read_alarm(const struct acpi_platform *p, const struct acpi_io *io,
                                     const struct acpi_rtc_config *cfg, struct acpi_rtc_alarm *out,
                                     struct acpi_error *err)
{
    struct acpi_time now;
    uint8_t b, s, m, h, d = 0, mo = 0;
    enum acpi_status st;

    memset(out, 0, sizeof *out);
    if ((st = rtc_now(p, io, &now, &b, err)) != ACPI_OK || (st = cmos_read(io, RTC_SECONDS_ALARM, &s, err)) ||
        (st = cmos_read(io, RTC_MINUTES_ALARM, &m, err)) || (st = cmos_read(io, RTC_HOURS_ALARM, &h, err)) ||
        (p->day_alarm && (st = cmos_read(io, p->day_alarm, &d, err))) ||
        (p->mon_alarm && (st = cmos_read(io, p->mon_alarm, &mo, err))))
        return st;
    out->reach = p->day_alarm ? (p->mon_alarm ? ACPI_ALARM_YEARLY : ACPI_ALARM_MONTHLY) : ACPI_ALARM_DAILY;
    out->binary = b & RTC_B_DM_BINARY;
    out->hour24 = b & RTC_B_24H;
    out->aie = b & RTC_B_AIE;
    out->second = alarm_field(s, b, false);
    out->minute = alarm_field(m, b, false);
    out->hour = alarm_field(h, b, true);
    /* The day alarm's upper two bits are not the day's (Intel keeps VRT in
     * bit 7 of register D, where DAY_ALRM usually points), so they are
     * ignored on readback, as Linux does; a day or month of 0 is
     * "disabled": either way the field matches anything. */
    if ((d & RTC_ALARM_DONT_CARE) != RTC_ALARM_DONT_CARE)
        d &= 0x3f;
    out->day = p->day_alarm && d ? alarm_field(d, b, false) : ACPI_RTC_DONT_CARE;
    out->month = p->day_alarm && p->mon_alarm && mo ? alarm_field(mo, b, false) : ACPI_RTC_DONT_CARE;

    struct acpi_time at;

    if (acpi_alarm_first_match(&now, out->second, out->minute, out->hour, out->day, out->month, &at)) {
        out->fires = true;
        acpi_time_from_seconds(acpi_time_to_seconds(&at) - offset_seconds(cfg), &out->fires_at);
    }
    if (fixed_rtc(p, NULL) == ACPI_OK) {
        uint64_t en, sts;

        if ((st = acpi_reg_read(io, &p->pm1a_en, "PM1a_EN", &en, err)) ||
            (st = acpi_reg_read(io, &p->pm1a_sts, "PM1a_STS", &sts, err)))
            return st;
        out->rtc_en = en & PM1_EN_RTC;
        out->rtc_sts = sts & PM1_STS_RTC;
        if (p->pm1b_en.address) {
            if ((st = acpi_reg_read(io, &p->pm1b_en, "PM1b_EN", &en, err)))
                return st;
            out->rtc_en = out->rtc_en && (en & PM1_EN_RTC);
        }
    }
    return ACPI_OK;
}

enum acpi_status acpi_rtc_arm(const struct acpi_platform *p, const struct acpi_io *io,
                              const struct acpi_rtc_config *cfg, const struct acpi_time *utc,
                              struct acpi_rtc_alarm *armed, struct acpi_error *err)
{
    struct acpi_time now, when, first;
    uint8_t b;
    enum acpi_status st;

    if (!acpi_time_valid(utc))
        return acpi_fail(err, ACPI_E_TIME, "RTC", "%o: alarm time is not a valid date and time (day %g of month %x)", 0,
                         utc->day, utc->month);
    if ((st = fixed_rtc(p, err)) != ACPI_OK || (st = rtc_now(p, io, &now, &b, err)) != ACPI_OK)
        return st;
    int64_t now_s = acpi_time_to_seconds(&now), when_s = acpi_time_to_seconds(utc) + offset_seconds(cfg);

    if (when_s <= now_s)
        return acpi_fail(err, ACPI_E_RTC_PAST, "RTC", "%o: alarm time is %G seconds before the RTC's time", 0,
                         (uint64_t)(now_s - when_s), 0);
    acpi_time_from_seconds(when_s, &when);

    /* The alarm fires at the first match of the fields it has; that must
     * be the time asked for, not an earlier day with the same hh:mm:ss. */
    uint8_t day = p->day_alarm ? when.day : ACPI_RTC_DONT_CARE;
    uint8_t month = p->day_alarm && p->mon_alarm ? when.month : ACPI_RTC_DONT_CARE;

    if (!acpi_alarm_first_match(&now, when.second, when.minute, when.hour, day, month, &first) ||
        acpi_time_to_seconds(&first) != when_s)
        return acpi_fail(err, ACPI_E_RTC_REACH, "RTC",
                         !p->day_alarm ? "%o: alarm is %G seconds ahead; without a day alarm (FADT DAY_ALRM 0) "
                                    "it would fire %X seconds ahead"
                                  : "%o: alarm is %G seconds ahead; without a month alarm (FADT MON_ALRM 0) "
                                    "it would fire %X seconds ahead",
                    0, (uint64_t)(when_s - now_s), (uint64_t)(acpi_time_to_seconds(&first) - now_s));

    /* Alarm interrupts off while the fields are inconsistent, a read of C
     * to drop a stale alarm flag, then on (the MC146818 way). */
    uint8_t c;

    if ((st = cmos_write(io, RTC_REG_B, b & ~RTC_B_AIE, err)) ||
        (st = cmos_write(io, RTC_SECONDS_ALARM, encode(when.second, b), err)) ||
        (st = cmos_write(io, RTC_MINUTES_ALARM, encode(when.minute, b), err)) ||
        (st = cmos_write(io, RTC_HOURS_ALARM, encode_hour(when.hour, b), err)) ||
        (p->day_alarm && (st = cmos_write(io, p->day_alarm, encode(when.day, b), err))) ||
        (p->day_alarm && p->mon_alarm && (st = cmos_write(io, p->mon_alarm, encode(when.month, b), err))) ||
        (st = cmos_read(io, RTC_REG_C, &c, err)) || (st = cmos_write(io, RTC_REG_B, b | RTC_B_AIE, err)) ||
        (st = acpi_rtc_clear_status(p, io, err)) || (st = acpi_rtc_enable_wake(p, io, err)))
        return st;
    return armed ? acpi_rtc_read_alarm(p, io, cfg, armed, err) : ACPI_OK;
}
