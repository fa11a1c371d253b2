/* SPDX-License-Identifier: MIT */
/*
 * AML names (ACPI 6.5 §20.2.2), scopes, and the methods seen so far.
 *
 * A call in load-time code (`If (FOO (One, Two))`) is encoded as the name
 * followed by its arguments, with nothing saying how many: only the method's
 * definition does. ACPICA parses load-time code with the namespace built so
 * far plus External() declarations, so remembering every Method and
 * External in load order knows exactly what ACPICA knows at that point.
 * Methods are kept as 64-bit hashes of their absolute paths in a hash
 * table in caller scratch.
 */
#include "aml.h"

bool acpi_aml_is_name_start(int c)
{
    return c == AML_ROOT || c == AML_PARENT || c == AML_DUAL_PREFIX || c == AML_MULTI_PREFIX ||
           c == '_' || (c >= 'A' && c <= 'Z');
}

static bool name_seg(struct aml *a, uint32_t end, uint32_t *seg)
{
    uint8_t c[4];

    for (int i = 0; i < 4; i++) {
        if (!acpi_aml_u8(a, end, &c[i]))
            return false;
        bool ok = c[i] == '_' || (c[i] >= 'A' && c[i] <= 'Z') || (i > 0 && c[i] >= '0' && c[i] <= '9');

        if (!ok)
            return acpi_aml_bad(a, ACPI_E_AML_NAME, "%o+%w: byte %g is not a NameSeg character", a->pos - 1, c[i]);
    }
    *seg = SEG(c[0], c[1], c[2], c[3]);
    return true;
}

bool acpi_aml_name_string(struct aml *a, uint32_t end, struct aml_name *n)
{
    uint8_t c, count;
    uint32_t at = a->pos;

    n->root = false;
    n->up = 0;
    n->n = 0;
    if (acpi_aml_peek(a, end) == AML_ROOT) {
        n->root = true;
        a->pos++;
    } else {
        while (acpi_aml_peek(a, end) == AML_PARENT) {
            if (n->up == 255)
                return acpi_aml_bad(a, ACPI_E_AML_NAME, "%o+%w: more than 255 parent prefixes", at, 0);
            n->up++;
            a->pos++;
        }
    }
    if (!acpi_aml_u8(a, end, &c))
        return false;
    switch (c) {
    case AML_ZERO:                  /* NullName */
        return true;
    case AML_DUAL_PREFIX:
        count = 2;
        break;
    case AML_MULTI_PREFIX:
        if (!acpi_aml_u8(a, end, &count))
            return false;
        if (count == 0)
            return acpi_aml_bad(a, ACPI_E_AML_NAME, "%o+%w: MultiNamePath of 0 segments", at, 0);
        break;
    default:
        a->pos--;
        count = 1;
        break;
    }
    if (count > ACPI_AML_MAX_SEGS)
        return acpi_aml_bad(a, ACPI_E_AML_NAME, "%o+%w: name path of %G segments, more than this scanner follows",
                            at, count);
    for (unsigned i = 0; i < count; i++)
        if (!name_seg(a, end, &n->seg[i]))
            return false;
    n->n = count;
    return true;
}

int acpi_aml_sx_state(const struct aml *a, const struct aml_name *n)
{
    uint32_t scope_n = a->top - a->base;

    if (n->n != 1 || (!n->root && n->up != scope_n))
        return -1;
    for (unsigned s = 0; s <= 5; s++)
        if (n->seg[0] == SEG('_', 'S', '0' + s, '_'))
            return (int)s;
    return -1;
}

bool acpi_aml_scope_push(struct aml *a, const struct aml_name *n, uint32_t *saved_base, uint32_t *saved_top)
{
    uint32_t cur = a->top - a->base;
    uint32_t keep = n->root ? 0 : cur - (n->up < cur ? n->up : cur);

    if (!n->root && n->up > cur)
        return acpi_aml_bad(a, ACPI_E_AML_NAME, "%o+%w: scope name climbs %g levels above the root", a->pos, n->up);
    if (a->top + keep + n->n > AML_SCOPE_SEGS)
        return acpi_aml_bad(a, ACPI_E_AML_DEPTH, "%o+%w: scopes nested deeper than %g name segments in all", a->pos,
                            AML_SCOPE_SEGS);
    /* The new scope's path: the kept part of the current one, then n. */
    memmove(&a->stack[a->top], &a->stack[a->base], keep * sizeof a->stack[0]);
    memcpy(&a->stack[a->top + keep], n->seg, n->n * sizeof n->seg[0]);
    *saved_base = a->base;
    *saved_top = a->top;
    a->base = a->top;
    a->top = a->top + keep + n->n;
    return true;
}

void acpi_aml_scope_pop(struct aml *a, uint32_t saved_base, uint32_t saved_top)
{
    a->base = saved_base;
    a->top = saved_top;
}

/* FNV-1a over the segments of scope[0, keep) + n's segments. */
uint64_t acpi_aml_path_hash(const struct aml *a, uint32_t keep, const struct aml_name *n)
{
    uint64_t h = 0xcbf29ce484222325ull;

    for (uint32_t i = 0; i < keep + n->n; i++) {
        uint32_t seg = i < keep ? a->stack[a->base + i] : n->seg[i - keep];

        for (int k = 0; k < 4; k++) {
            h ^= (seg >> (8 * k)) & 0xff;
            h *= 0x100000001b3ull;
        }
    }
    h ^= keep + n->n;
    h &= ~7ull;
    return h ? h : 8;
}

bool acpi_aml_resolve_keep(const struct aml *a, const struct aml_name *n, uint32_t *keep)
{
    uint32_t cur = a->top - a->base;

    if (n->root) {
        *keep = 0;
        return true;
    }
    if (n->up > cur)
        return false;
    *keep = cur - n->up;
    return true;
}

/*
 * The method table is open addressing over the scratch slots: a slot holds
 * a path hash (never 0) with the argument count in its low 3 bits, 0 is
 * free. Kept at most 3/4 full so that probes stay short; a lookup costs
 * the same for the ten-thousandth method as for the first.
 */
static uint64_t *slot(const struct aml_scan *s, uint64_t h)
{
    uint32_t i = (uint32_t)((h >> 3) % s->methods_cap);

    while (s->methods[i] && (s->methods[i] & ~7ull) != h)
        i = i + 1 == s->methods_cap ? 0 : i + 1;
    return &s->methods[i];
}

void acpi_aml_method_add(struct aml *a, const struct aml_name *n, unsigned argc)
{
    struct aml_scan *s = a->s;
    uint32_t keep;

    /* Code that never runs defines nothing. */
    if (a->dead || !n->n || !acpi_aml_resolve_keep(a, n, &keep) || !s->methods_cap)
        return;
    uint64_t h = acpi_aml_path_hash(a, keep, n);
    uint64_t *e = slot(s, h);

    if (!*e && (uint64_t)(s->n_methods + 1) * 4 > (uint64_t)s->methods_cap * 3) {
        if (!s->methods_full) {
            s->methods_full = true;
            acpi_note(s->p, ACPI_E_METHODS_FULL, a->tname,
                      "%o+%w: scratch holds only %G methods; calls to later ones in load-time code may be misread",
                      a->pos, s->n_methods, 0);
        }
        return;
    }
    s->n_methods += !*e;
    *e = h | (argc & 7);    /* a redefinition (an error to ACPICA) takes the newer count */
}

static bool method_lookup(const struct aml_scan *s, uint64_t h, unsigned *argc)
{
    if (!s->methods_cap)
        return false;
    uint64_t e = *slot(s, h);

    *argc = (unsigned)(e & 7);
    return e != 0;
}

bool acpi_aml_method_find(struct aml *a, const struct aml_name *n, unsigned *argc)
{
    uint32_t keep;

    if (!n->n || !acpi_aml_resolve_keep(a, n, &keep))
        return false;
    if (method_lookup(a->s, acpi_aml_path_hash(a, keep, n), argc))
        return true;
    /* §5.3: a single NameSeg without prefixes is searched for in each
     * enclosing scope up to the root. */
    if (n->n == 1 && !n->root && !n->up)
        while (keep-- > 0)
            if (method_lookup(a->s, acpi_aml_path_hash(a, keep, n), argc))
                return true;
    return false;
}

unsigned acpi_aml_method_args(struct aml *a, const struct aml_name *n)
{
    unsigned argc;

    return acpi_aml_method_find(a, n, &argc) ? argc : 0;
}

void acpi_aml_path_string(const struct aml *a, uint32_t keep, const struct aml_name *n, char *buf, size_t size)
{
    struct sbuf b;

    acpi_sb_init(&b, buf, size);
    acpi_sb_char(&b, '\\');
    for (uint32_t i = 0; i < keep + n->n; i++) {
        uint32_t seg = i < keep ? a->stack[a->base + i] : n->seg[i - keep];
        char c[4] = {(char)seg, (char)(seg >> 8), (char)(seg >> 16), (char)(seg >> 24)};

        size_t len = 4;

        while (len > 1 && c[len - 1] == '_')   /* "_SB_" reads "_SB", as ACPICA prints it */
            len--;
        if (i)
            acpi_sb_char(&b, '.');
        acpi_sb_mem(&b, c, len);
    }
}
