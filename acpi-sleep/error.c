/* SPDX-License-Identifier: MIT */
/*
 * Errors as values, and the few string routines the library needs to name
 * what went wrong without a C library.
 */
#include "internal.h"

void acpi_sb_init(struct sbuf *b, char *buf, size_t size)
{
    b->buf = buf;
    b->size = size;
    b->len = 0;
    if (size)
        buf[0] = 0;
}

void acpi_sb_char(struct sbuf *b, char c)
{
    if (b->len + 1 < b->size) {
        b->buf[b->len] = c;
        b->buf[b->len + 1] = 0;
    }
    b->len++;
}

void acpi_sb_str(struct sbuf *b, const char *s)
{
    while (*s)
        acpi_sb_char(b, *s++);
}

void acpi_sb_mem(struct sbuf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        acpi_sb_char(b, s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?');
}

void acpi_sb_hex(struct sbuf *b, uint64_t v)
{
    char d[16];
    int n = 0;

    acpi_sb_str(b, "0x");
    do {
        d[n++] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    while (n)
        acpi_sb_char(b, d[--n]);
}

void acpi_sb_dec(struct sbuf *b, uint64_t v)
{
    char d[20];
    int n = 0;

    do {
        d[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        acpi_sb_char(b, d[--n]);
}

void acpi_object_name(char out[32], const char *sig, int index, uint64_t pa)
{
    struct sbuf b;

    acpi_sb_init(&b, out, 32);
    acpi_sb_str(&b, sig);
    if (index >= 0) {
        acpi_sb_char(&b, '[');
        acpi_sb_dec(&b, (uint64_t)index);
        acpi_sb_char(&b, ']');
    }
    if (pa) {
        acpi_sb_str(&b, " at ");
        acpi_sb_hex(&b, pa);
    }
}

enum acpi_status acpi_fail(struct acpi_error *e, enum acpi_status s, const char *object, const char *msg,
                           uint64_t where, uint64_t got, uint64_t want)
{
    if (e) {
        struct sbuf b;

        e->status = s;
        e->msg = msg;
        acpi_sb_init(&b, e->object, sizeof e->object);
        acpi_sb_str(&b, object);
        e->where = where;
        e->got = got;
        e->want = want;
    }
    return s;
}

void acpi_note_error(struct acpi_platform *p, const struct acpi_error *e)
{
    if (p->n_notes < ACPI_MAX_NOTES)
        p->notes[p->n_notes++] = *e;
    else
        p->notes_lost++;
}

void acpi_note(struct acpi_platform *p, enum acpi_status s, const char *object, const char *msg,
               uint64_t where, uint64_t got, uint64_t want)
{
    struct acpi_error e;

    acpi_fail(&e, s, object, msg, where, got, want);
    acpi_note_error(p, &e);
}

size_t acpi_error_format(const struct acpi_error *e, char *buf, size_t size)
{
    struct sbuf b;
    const char *m = e->msg ? e->msg : "%o: error";

    acpi_sb_init(&b, buf, size);
    for (; *m; m++) {
        if (*m != '%' || !m[1]) {
            acpi_sb_char(&b, *m);
            continue;
        }
        switch (*++m) {
        case 'o': acpi_sb_str(&b, e->object); break;
        case 'w': acpi_sb_hex(&b, e->where); break;
        case 'g': acpi_sb_hex(&b, e->got); break;
        case 'x': acpi_sb_hex(&b, e->want); break;
        case 'G': acpi_sb_dec(&b, e->got); break;
        case 'X': acpi_sb_dec(&b, e->want); break;
        case 's': {
            char sig[4];

            for (int i = 0; i < 4; i++)
                sig[i] = (char)(e->got >> (8 * i));
            acpi_sb_mem(&b, sig, 4);
            break;
        }
        default: acpi_sb_char(&b, '%'); acpi_sb_char(&b, *m); break;
        }
    }
    return b.len;
}

const char *acpi_status_name(enum acpi_status s)
{
    static const char *const names[ACPI_STATUS_COUNT] = {
        [ACPI_OK] = "ok",
        [ACPI_E_ARG] = "bad argument",
        [ACPI_E_IO] = "I/O failed",
        [ACPI_E_SIGNATURE] = "wrong signature",
        [ACPI_E_CHECKSUM] = "bad checksum",
        [ACPI_E_SHORT] = "too short",
        [ACPI_E_LONG] = "too long",
        [ACPI_E_RANGE] = "address out of range",
        [ACPI_E_REVISION] = "unknown revision",
        [ACPI_E_MISSING] = "missing",
        [ACPI_E_SPACE] = "unsupported address space",
        [ACPI_E_DUPLICATE] = "duplicate",
        [ACPI_E_AML] = "AML not followed",
        [ACPI_E_AML_DEPTH] = "AML nested too deep",
        [ACPI_E_AML_NAME] = "AML name path unusable",
        [ACPI_E_AML_TRUNCATED] = "AML truncated",
        [ACPI_E_SX_VALUE] = "sleep state value unusable",
        [ACPI_E_SX_ALIAS] = "sleep state is an alias",
        [ACPI_E_METHODS_FULL] = "method table full",
        [ACPI_E_WIDTH] = "unusable register width",
        [ACPI_E_RTC_ABSENT] = "no CMOS RTC",
        [ACPI_E_RTC_BUSY] = "RTC update never ends",
        [ACPI_E_RTC_TIME] = "RTC time invalid",
        [ACPI_E_RTC_PAST] = "alarm time not in the future",
        [ACPI_E_RTC_REACH] = "alarm out of reach",
        [ACPI_E_RTC_NO_WAKE] = "no fixed-hardware RTC wake",
        [ACPI_E_TIME] = "invalid time",
        [ACPI_E_OBJECTS_FULL] = "object table full",
        [ACPI_E_FW_READ] = "firmware data not read",
    };

    return (unsigned)s < ACPI_STATUS_COUNT && names[s] ? names[s] : "unknown status";
}
