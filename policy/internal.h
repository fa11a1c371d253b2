/* SPDX-License-Identifier: MIT */
/*
 * What the policy library's files share. Not part of the contract: only
 * include/policy.h is.
 */
#ifndef SMX_POLICY_INTERNAL_H
#define SMX_POLICY_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "policy.h"

/* ---- text.c: a bounded text builder; the freestanding worlds have no snprintf.
 * Conversions: %s, %.*s, %c, %d, %u, %x, %X with an optional 0 flag and width,
 * %llu, %% (%q is not: gcc checks these formats as printf's).
 * The text stays NUL-terminated; len counts what the full text would need. */
struct pol_buf {
    char *p;
    size_t cap;
    size_t len;
};

void pol_buf_init(struct pol_buf *b, char *p, size_t cap);
void pol_buf_fmt(struct pol_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pol_buf_vfmt(struct pol_buf *b, const char *fmt, va_list ap);

/* A value from the file in double quotes, every byte that is not printable
 * ASCII as \xNN, cut after 40 bytes with "...". Returns out. */
#define POL_QUOTE_SIZE 168
const char *pol_quote(char out[POL_QUOTE_SIZE], const char *s, size_t n);

/* ---- the parser's state, shared by parse.c, values.c, lists.c and keys.c */
enum pol_section {
    POL_SEC_GLOBAL = 0,
    POL_SEC_STORE,
    POL_SEC_OS_A,
    POL_SEC_OS_B,
    POL_SEC_COUNT
};

#define POL_KEYS_PER_SECTION 16

/* A piece of the current line. */
struct pol_span {
    const char *p;
    size_t len;
};

struct pol_place {
    uint32_t line;
    uint32_t col;
};

struct pol_parser {
    struct pol_config *cfg;
    struct pol_error *err;
    const char *line_start;
    uint32_t line;
    int section;                            /* enum pol_section, -1 before the first */
    const char *key_name;                   /* the key whose value is being parsed */
    struct pol_place sec_at[POL_SEC_COUNT]; /* line 0: not seen */
    struct pol_place key_at[POL_SEC_COUNT][POL_KEYS_PER_SECTION];
    struct pol_place eof;
};

uint32_t pol_col(const struct pol_parser *ps, const char *at);
/* Records the error at `at` on the current line; returns st. */
enum pol_status pol_fail(struct pol_parser *ps, enum pol_status st, const char *at,
                         const char *fmt, ...) __attribute__((format(printf, 4, 5)));
enum pol_status pol_fail_place(struct pol_parser *ps, enum pol_status st, struct pol_place at,
                               const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Span helpers (ASCII case-insensitive where keywords are compared). */
bool pol_span_is(struct pol_span s, const char *word);
struct pol_span pol_span_trim(struct pol_span s);
bool pol_is_space(char c);
/* Splits off the next item of a list separated by commas and/or blanks. */
bool pol_span_next_item(struct pol_span *rest, struct pol_span *item);
/* Splits off the next run of non-blank characters. */
bool pol_span_next_word(struct pol_span *rest, struct pol_span *word);

/* ---- values.c: scalar values. Each reports its own error naming ps->key_name. */
enum pol_status pol_val_uint(struct pol_parser *ps, struct pol_span v, uint32_t min, uint32_t max,
                             const char *expect, uint32_t *out);
enum pol_status pol_val_mib(struct pol_parser *ps, struct pol_span v, uint32_t min, uint32_t max,
                            bool percent_ok, struct pol_share *out);
enum pol_status pol_val_choice(struct pol_parser *ps, struct pol_span v, const char *const *words,
                               const char *expect, uint8_t *out);
enum pol_status pol_val_guid(struct pol_parser *ps, struct pol_span v, struct pol_guid *out);
enum pol_status pol_val_ipv4(struct pol_parser *ps, struct pol_span v, uint8_t out[4]);
enum pol_status pol_val_text(struct pol_parser *ps, struct pol_span v, char *out, size_t cap);
enum pol_status pol_val_efi_path(struct pol_parser *ps, struct pol_span v, char *out, size_t cap);
enum pol_status pol_val_tftp_path(struct pol_parser *ps, struct pol_span v, char *out, size_t cap);
enum pol_status pol_val_log(struct pol_parser *ps, struct pol_span v, uint16_t *port);
enum pol_status pol_val_client(struct pol_parser *ps, struct pol_span v, struct pol_store *st);

/* ---- lists.c: values that are lists or small grammars of their own. */
enum pol_status pol_val_pci_list(struct pol_parser *ps, struct pol_span v, struct pol_os_config *os);
enum pol_status pol_val_wake(struct pol_parser *ps, struct pol_span v, struct pol_schedule *s);
enum pol_status pol_val_wake_from(struct pol_parser *ps, struct pol_span v, struct pol_schedule *s);
enum pol_status pol_val_rtc(struct pol_parser *ps, struct pol_span v, struct pol_schedule *s);

/* ---- keys.c: the keys of each section, and the checks that need them all. */
enum pol_status pol_key_set(struct pol_parser *ps, struct pol_span key, struct pol_span value);
enum pol_status pol_keys_finish(struct pol_parser *ps);

/* ---- utf8.c */
/* Decodes one UTF-8 sequence at p (n bytes available). Returns its length,
 * or 0 when the bytes are not valid UTF-8 (overlong, surrogate, > U+10FFFF). */
size_t pol_utf8_decode(const unsigned char *p, size_t n, uint32_t *cp);

/* ---- wake.c, for the formatters */
extern const char pol_day_names[7][4];

#endif
