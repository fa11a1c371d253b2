/* SPDX-License-Identifier: MIT */
/*
 * sleepmux.conf, line by line: sections, "key = value" pairs, comments.
 * What each key means is keys.c's business; this file knows only the shape
 * of a line (docs/config.md, "The file"):
 *
 *   line    = blank* ( "[" name "]" | key blank* "=" blank* value )? blank* comment?
 *   value   = '"' any-but-quote* '"'  |  text up to a comment or the line end
 *   comment = ("#" | ";") anything    (at the line start, or after a blank)
 *
 * Lines end in LF or CRLF; a UTF-8 byte order mark (Notepad writes one) is
 * skipped. Sections, keys and values must be UTF-8 without control
 * characters; comments may hold anything.
 */
#include "internal.h"

bool pol_is_space(char c)
{
    return c == ' ' || c == '\t';
}

static const char *skip_blanks(const char *p, const char *end)
{
    while (p < end && pol_is_space(*p))
        p++;
    return p;
}

static bool is_comment_start(char c)
{
    return c == '#' || c == ';';
}

uint32_t pol_col(const struct pol_parser *ps, const char *at)
{
    uint32_t col = 1;

    /* Characters, not bytes: that is what editors show. */
    for (const char *p = ps->line_start; p < at; p++)
        if (((unsigned char)*p & 0xc0) != 0x80)
            col++;
    return col;
}

static enum pol_status vfail(struct pol_parser *ps, enum pol_status st, struct pol_place at,
                             const char *fmt, va_list ap)
{
    struct pol_buf b;

    ps->err->status = st;
    ps->err->line = at.line;
    ps->err->col = at.col;
    pol_buf_init(&b, ps->err->msg, sizeof ps->err->msg);
    pol_buf_vfmt(&b, fmt, ap);
    return st;
}

enum pol_status pol_fail(struct pol_parser *ps, enum pol_status st, const char *at,
                         const char *fmt, ...)
{
    va_list ap;
    struct pol_place where = { ps->line, pol_col(ps, at) };

    va_start(ap, fmt);
    vfail(ps, st, where, fmt, ap);
    va_end(ap);
    return st;
}

enum pol_status pol_fail_place(struct pol_parser *ps, enum pol_status st, struct pol_place at,
                               const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfail(ps, st, at, fmt, ap);
    va_end(ap);
    return st;
}

/* UTF-8, no control characters but tab, nothing outside the BMP (UEFI is UCS-2). */
static enum pol_status check_text(struct pol_parser *ps, const char *p, const char *end)
{
    while (p < end) {
        uint32_t cp;
        size_t n = pol_utf8_decode((const unsigned char *)p, (size_t)(end - p), &cp);
        if (n == 0)
            return pol_fail(ps, POL_E_ENCODING, p,
                            "byte 0x%02x is not UTF-8 (expected text saved as UTF-8)",
                            (unsigned char)*p);
        if (cp == '\r')
            return pol_fail(ps, POL_E_ENCODING, p,
                            "carriage return inside a line (expected LF or CRLF line ends)");
        if ((cp < 0x20 && cp != '\t') || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
            return pol_fail(ps, POL_E_ENCODING, p,
                            "control character U+%04X (expected printable text)", cp);
        if (cp > 0xffff)
            return pol_fail(ps, POL_E_ENCODING, p,
                            "character U+%X is outside the BMP, which UEFI cannot pass on "
                            "(expected characters up to U+FFFF)",
                            cp);
        p += n;
    }
    return POL_OK;
}

static const char *const section_names[POL_SEC_COUNT] = { "global", "store", "os A", "os B" };

static enum pol_status parse_section(struct pol_parser *ps, const char *open, const char *end)
{
    const char *close = open + 1;

    while (close < end && *close != ']')
        close++;
    if (close == end)
        return pol_fail(ps, POL_E_SYNTAX, end,
                        "section header has no closing \"]\" (expected [name])");
    enum pol_status st = check_text(ps, open + 1, close);
    if (st)
        return st;

    struct pol_span name = pol_span_trim((struct pol_span){ open + 1, (size_t)(close - open - 1) });
    struct pol_span rest = name, w1 = { 0 }, w2 = { 0 }, w3;
    pol_span_next_word(&rest, &w1);
    pol_span_next_word(&rest, &w2);
    bool more = pol_span_next_word(&rest, &w3);
    int sec = -1;
    if (!w2.len && pol_span_is(w1, "global"))
        sec = POL_SEC_GLOBAL;
    else if (!w2.len && pol_span_is(w1, "store"))
        sec = POL_SEC_STORE;
    else if (pol_span_is(w1, "os") && !more && pol_span_is(w2, "a"))
        sec = POL_SEC_OS_A;
    else if (pol_span_is(w1, "os") && !more && pol_span_is(w2, "b"))
        sec = POL_SEC_OS_B;
    else if (pol_span_is(w1, "os"))
        return pol_fail(ps, POL_E_SECTION, name.p ? name.p : open + 1,
                        "unknown section [%.*s] (expected [os A] or [os B]: sleepmux "
                        "switches between two OSes)",
                        (int)name.len, name.p);
    else
        return pol_fail(ps, POL_E_SECTION, name.p ? name.p : open + 1,
                        "unknown section [%.*s] (expected [global], [store], [os A] or [os B])",
                        (int)name.len, name.p);

    if (ps->sec_at[sec].line)
        return pol_fail(ps, POL_E_DUPLICATE, open,
                        "section [%s] given twice, first at line %u (expected each section "
                        "once)",
                        section_names[sec], ps->sec_at[sec].line);
    ps->sec_at[sec] = (struct pol_place){ ps->line, pol_col(ps, open) };
    ps->section = sec;

    const char *after = skip_blanks(close + 1, end);
    if (after < end && !is_comment_start(*after))
        return pol_fail(ps, POL_E_SYNTAX, after,
                        "text after [%s] (expected a comment or the end of the line)",
                        section_names[sec]);
    return POL_OK;
}

static bool is_key_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_';
}

static enum pol_status parse_pair(struct pol_parser *ps, const char *p, const char *end)
{
    char q[POL_QUOTE_SIZE];
    const char *k = p;

    while (p < end && is_key_char(*p))
        p++;
    if (p == k) {
        const char *stop = k;
        while (stop < end && !pol_is_space(*stop))
            stop++;
        return pol_fail(ps, POL_E_SYNTAX, k,
                        "unexpected %s (expected key = value, [section] or a comment)",
                        pol_quote(q, k, (size_t)(stop - k)));
    }
    struct pol_span key = { k, (size_t)(p - k) };
    const char *eq = skip_blanks(p, end);
    if (eq == end || *eq != '=')
        return pol_fail(ps, POL_E_SYNTAX, eq, "key \"%.*s\" has no \"=\" (expected %.*s = value)",
                        (int)key.len, key.p, (int)key.len, key.p);
    if (ps->section < 0)
        return pol_fail(ps, POL_E_SYNTAX, k,
                        "key \"%.*s\" comes before any section (expected [global], [store], "
                        "[os A] or [os B] first)",
                        (int)key.len, key.p);

    const char *v = skip_blanks(eq + 1, end), *vend;
    if (v < end && *v == '"') {
        const char *close = v + 1;
        while (close < end && *close != '"')
            close++;
        if (close == end)
            return pol_fail(ps, POL_E_SYNTAX, v,
                            "quoted value has no closing quote (expected \"...\")");
        const char *after = skip_blanks(close + 1, end);
        if (after < end && !is_comment_start(*after))
            return pol_fail(ps, POL_E_SYNTAX, after,
                            "text after the quoted value (expected a comment or the end of "
                            "the line)");
        v++;
        vend = close;
    } else {
        vend = v;
        while (vend < end && !(is_comment_start(*vend) && (vend == v || pol_is_space(vend[-1]))))
            vend++;
        while (vend > v && pol_is_space(vend[-1]))
            vend--;
    }
    enum pol_status st = check_text(ps, v, vend);
    if (st)
        return st;
    return pol_key_set(ps, key, (struct pol_span){ v, (size_t)(vend - v) });
}

static enum pol_status parse_line(struct pol_parser *ps, const char *p, const char *end)
{
    p = skip_blanks(p, end);
    if (p == end || is_comment_start(*p))
        return POL_OK;
    if (*p == '[')
        return parse_section(ps, p, end);
    return parse_pair(ps, p, end);
}

enum pol_status pol_parse(const char *text, size_t len, struct pol_config *cfg,
                          struct pol_error *err)
{
    struct pol_parser ps;

    if (!cfg || !err)
        return POL_E_ARG;
    memset(err, 0, sizeof *err);
    if (!text && len) {
        err->status = POL_E_ARG;
        memcpy(err->msg, "no text", 8);
        return POL_E_ARG;
    }
    memset(&ps, 0, sizeof ps);
    ps.cfg = cfg;
    ps.err = err;
    ps.section = -1;
    pol_config_defaults(cfg);

    const char *p = text, *end = text + len;
    if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
        p += 3;
    ps.line_start = p;
    ps.line = 1;
    for (;;) {
        const char *eol = p;
        while (eol < end && *eol != '\n')
            eol++;
        const char *content_end = eol;
        if (content_end > p && content_end[-1] == '\r')
            content_end--;
        ps.line_start = p;
        enum pol_status st = parse_line(&ps, p, content_end);
        if (st)
            return st;
        if (eol == end) {
            ps.eof = (struct pol_place){ ps.line, pol_col(&ps, content_end) };
            break;
        }
        p = eol + 1;
        ps.line++;
    }
    return pol_keys_finish(&ps);
}
