/* SPDX-License-Identifier: MIT */
/*
 * Wake schedules: the next scheduled power-on after "now", in the OS's local
 * time and in the time base its RTC keeps (DESIGN.md, "The iMac power-on
 * hook"). Dates are proleptic Gregorian, counted as days since 1970-01-01
 * so that rollover of day, month, year and leap day is one division.
 */
#include "internal.h"

#include "acpi_sleep.h"

enum { MIN_YEAR = 1970, MAX_YEAR = 9999, MIN_PER_DAY = 24 * 60 };

/* The calendar is acpi-sleep's (acpi_sleep.h says why it lives there):
 * header-only, so policy stays free of link dependencies. */
static unsigned days_in_month(unsigned y, unsigned m)
{
    return acpi_date_days_in_month(y, m);
}

bool pol_datetime_valid(const struct pol_datetime *t)
{
    return t->year >= MIN_YEAR && t->year <= MAX_YEAR && t->month >= 1 && t->month <= 12 &&
           t->day >= 1 && t->day <= days_in_month(t->year, t->month) && t->hour <= 23 &&
           t->minute <= 59 && t->second <= 59;
}

static int64_t day_number(unsigned y, unsigned m, unsigned d)
{
    return acpi_days_from_civil(y, m, d);
}

static void from_day_number(int64_t z, struct pol_datetime *t)
{
    int64_t y;
    unsigned m, d;

    acpi_civil_from_days(z, &y, &m, &d);
    t->day = (uint8_t)d;
    t->month = (uint8_t)m;
    t->year = (uint16_t)y;
}

static int64_t minute_number(const struct pol_datetime *t)
{
    return day_number(t->year, t->month, t->day) * MIN_PER_DAY + t->hour * 60 + t->minute;
}

static void from_minute_number(int64_t mn, uint8_t second, struct pol_datetime *t)
{
    int64_t day = mn >= 0 ? mn / MIN_PER_DAY : -((-mn + MIN_PER_DAY - 1) / MIN_PER_DAY);
    int64_t rem = mn - day * MIN_PER_DAY;

    from_day_number(day, t);
    t->hour = (uint8_t)(rem / 60);
    t->minute = (uint8_t)(rem % 60);
    t->second = second;
}

int pol_weekday(const struct pol_datetime *t)
{
    /* 1970-01-01 was a Thursday (4). */
    return (int)((day_number(t->year, t->month, t->day) + 4) % 7);
}

int pol_datetime_cmp(const struct pol_datetime *a, const struct pol_datetime *b)
{
    int64_t x = minute_number(a) * 60 + a->second, y = minute_number(b) * 60 + b->second;
    return x < y ? -1 : x > y;
}

void pol_datetime_add_minutes(struct pol_datetime *t, int32_t minutes)
{
    from_minute_number(minute_number(t) + minutes, t->second, t);
}

enum pol_status pol_wake_next(const struct pol_schedule *s, const struct pol_datetime *now,
                              struct pol_datetime *next)
{
    if (!s || !now || !next || !pol_datetime_valid(now) || s->n > POL_WAKE_MAX)
        return POL_E_ARG;
    if (s->n == 0)
        return POL_E_NO_SCHEDULE;

    int64_t today = day_number(now->year, now->month, now->day);
    int64_t now_s = (today * MIN_PER_DAY + now->hour * 60 + now->minute) * 60 + now->second;
    int wd = pol_weekday(now);
    int64_t best = -1;

    /* Today (if a time is still ahead) through the same weekday next week. */
    for (int d = 0; d <= 7 && best < 0; d++) {
        unsigned bit = 1u << ((wd + d) % 7);
        for (unsigned i = 0; i < s->n; i++) {
            const struct pol_wake_entry *e = &s->at[i];
            int64_t m = (today + d) * MIN_PER_DAY + e->hour * 60 + e->minute;
            if ((e->days & bit) && m * 60 > now_s && (best < 0 || m < best))
                best = m;
        }
    }
    if (best < 0)
        return POL_E_ARG; /* no entry has a day bit: not a schedule the parser makes */
    from_minute_number(best, 0, next);
    return next->year <= MAX_YEAR ? POL_OK : POL_E_ARG;
}

enum pol_status pol_wake_alarm(const struct pol_schedule *s, const struct pol_datetime *rtc_now,
                               struct pol_datetime *rtc_alarm)
{
    if (!s || !rtc_now || !rtc_alarm || !pol_datetime_valid(rtc_now))
        return POL_E_ARG;
    /* RTC = UTC + rtc_offset; wake times are in local = UTC + utc_offset. */
    int32_t rtc_offset = s->rtc_local ? s->utc_offset : 0;
    int32_t to_local = s->utc_offset - rtc_offset;
    struct pol_datetime local_now = *rtc_now, next;

    pol_datetime_add_minutes(&local_now, to_local);
    if (!pol_datetime_valid(&local_now))
        return POL_E_ARG;
    enum pol_status st = pol_wake_next(s, &local_now, &next);
    if (st)
        return st;
    pol_datetime_add_minutes(&next, -to_local);
    *rtc_alarm = next;
    return pol_datetime_valid(rtc_alarm) ? POL_OK : POL_E_ARG;
}

static void days_text(struct pol_buf *b, uint8_t days)
{
    static const uint8_t week[7] = { 1, 2, 3, 4, 5, 6, 0 }; /* Monday first */

    if (days == POL_DAYS_ALL) {
        pol_buf_fmt(b, "daily");
        return;
    }
    bool first = true;
    for (int i = 0; i < 7;) {
        if (!(days & (1u << week[i]))) {
            i++;
            continue;
        }
        int j = i;
        while (j + 1 < 7 && (days & (1u << week[j + 1])))
            j++;
        const char *sep = first ? "" : " ";
        if (j - i >= 2)
            pol_buf_fmt(b, "%s%s-%s", sep, pol_day_names[week[i]], pol_day_names[week[j]]);
        else
            for (int k = i; k <= j; k++, sep = " ")
                pol_buf_fmt(b, "%s%s", sep, pol_day_names[week[k]]);
        first = false;
        i = j + 1;
    }
}

size_t pol_wake_format(const struct pol_schedule *s, char *buf, size_t n)
{
    struct pol_buf b;

    pol_buf_init(&b, buf, n);
    if (s->n == 0)
        pol_buf_fmt(&b, "none");
    for (unsigned i = 0; i < s->n && i < POL_WAKE_MAX; i++) {
        if (i)
            pol_buf_fmt(&b, ", ");
        days_text(&b, s->at[i].days);
        pol_buf_fmt(&b, " %02u:%02u", s->at[i].hour, s->at[i].minute);
    }
    return b.len;
}
