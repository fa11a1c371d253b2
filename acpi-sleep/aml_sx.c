/* SPDX-License-Identifier: MIT */
/*
 * \_S0_ .. \_S5_ (ACPI 6.5 §7.4.2): reading their packages and deciding
 * what an OS will see.
 *
 * The values are those ACPICA's acpi_get_sleep_type_data takes, which is
 * what Linux writes: a package of two or more elements gives SLP_TYPa and
 * SLP_TYPb from elements 0 and 1; a package of one gives them from that
 * element's bytes 0 and 1; each is truncated to a byte. Integers may be
 * encoded as Zero, One, Ones or Byte/Word/DWord/QWord constants (§20.2.3).
 *
 * What the OS sees: tables load in order (DSDT, then SSDTs in root-table
 * order) and a second definition of a name fails to load, so the first
 * definition wins. If it is unconditional, that is the answer and later
 * ones are duplicates; if it is inside If/Else/While, is a method, or was
 * found by byte-scanning code the parser could not follow, the state is
 * conditional and every definition is a candidate.
 */
#include "aml.h"

const char *acpi_sx_table_name(uint8_t table, char buf[16])
{
    struct sbuf b;

    acpi_sb_init(&b, buf, 16);
    if (table == 0) {
        acpi_sb_str(&b, "DSDT");
    } else {
        acpi_sb_str(&b, "SSDT[");
        acpi_sb_dec(&b, table - 1u);
        acpi_sb_char(&b, ']');
    }
    return buf;
}

void acpi_aml_sx_add(struct aml *a, unsigned state, const struct acpi_sxdef *d)
{
    struct acpi_sx *sx = &a->s->p->sx[state];
    struct acpi_sxdef def = *d;

    if (def.flags & (ACPI_SXD_CONDITIONAL | ACPI_SXD_LIVE) || a->dead)
        def.cond = a->cond_idx;
    /* The predicate is kept if a definition (or the first dead one) names it. */
    if (def.cond && (!a->dead || !sx->dead))
        a->s->conds_used |= 1u << (def.cond - 1);
    /* Behind a false predicate: an OS never creates it. */
    if (a->dead) {
        if (!sx->dead)
            sx->first_dead = def;
        if (sx->dead < 255)
            sx->dead++;
        return;
    }
    if (sx->n < ACPI_SX_MAX_DEFS)
        sx->def[sx->n++] = def;
    else if (sx->more < 255)
        sx->more++;
}

static bool is_integer_op(int c)
{
    return c == AML_ZERO || c == AML_ONE || c == AML_ONES || c == AML_BYTE || c == AML_WORD ||
           c == AML_DWORD || c == AML_QWORD;
}

static bool integer(struct aml *a, uint32_t end, uint64_t *v)
{
    uint8_t op;

    if (!acpi_aml_u8(a, end, &op))
        return false;
    switch (op) {
    case AML_ZERO: *v = 0; return true;
    case AML_ONE: *v = 1; return true;
    case AML_ONES: *v = ~0ull; return true;
    case AML_BYTE: return acpi_aml_uint(a, end, 1, v);
    case AML_WORD: return acpi_aml_uint(a, end, 2, v);
    case AML_DWORD: return acpi_aml_uint(a, end, 4, v);
    default: return acpi_aml_uint(a, end, 8, v);
    }
}

/* Package or VarPackage at a->pos (§20.2.5.4); fills d's element count and
 * SLP_TYP values, or flags it INVALID as an OS would reject it. */
static bool package(struct aml *a, uint32_t end, struct acpi_sxdef *d)
{
    uint8_t op, num8;
    uint32_t pkg_end, declared = 0, i = 0;
    uint64_t val[2] = {0, 0};
    bool is_int[2] = {false, false};
    struct aml_name n;

    if (!acpi_aml_u8(a, end, &op) || !acpi_aml_pkg_length(a, end, &pkg_end))
        return false;
    if (op == AML_PACKAGE) {
        if (!acpi_aml_u8(a, pkg_end, &num8))
            return false;
        declared = num8;
    } else if (is_integer_op(acpi_aml_peek(a, pkg_end))) {
        uint64_t v;

        if (!integer(a, pkg_end, &v))
            return false;
        declared = v > 255 ? 255 : (uint32_t)v;
    } else if (!acpi_aml_term_arg(a, pkg_end)) {     /* computed size: count what is there */
        return false;
    }
    for (; a->pos < pkg_end; i++) {
        int c = acpi_aml_peek(a, pkg_end);
        bool ok;

        if (is_integer_op(c)) {
            uint64_t v;

            ok = integer(a, pkg_end, &v);
            if (ok && i < 2) {
                val[i] = v;
                is_int[i] = true;
            }
        } else if (acpi_aml_is_name_start(c)) {
            ok = acpi_aml_name_string(a, pkg_end, &n);   /* a reference, not a call */
        } else {
            ok = acpi_aml_term_arg(a, pkg_end);
        }
        if (!ok)
            return false;
    }
    a->pos = pkg_end;
    /* An initializer list longer than NumElements grows the package. */
    uint32_t count = declared > i ? declared : i;

    d->elements = count > 255 ? 255 : (uint8_t)count;
    if (count == 1 && is_int[0]) {
        d->slp_typa = (uint8_t)val[0];
        d->slp_typb = (uint8_t)(val[0] >> 8);
    } else if (count >= 2 && is_int[0] && is_int[1]) {
        d->slp_typa = (uint8_t)val[0];
        d->slp_typb = (uint8_t)val[1];
    } else {
        d->flags |= ACPI_SXD_INVALID;
    }
    return true;
}

static void value_note(struct aml *a, const struct acpi_sxdef *d, unsigned state)
{
    if (d->flags & ACPI_SXD_INVALID)
        acpi_note(a->s->p, ACPI_E_SX_VALUE, a->tname,
                  "%o+%w: \\_S%G_ is not a package of integers; an OS cannot use it", d->offset, state, 0);
}

bool acpi_aml_sx_name(struct aml *a, uint32_t end, unsigned state, uint32_t def_at, uint8_t flags)
{
    struct acpi_sxdef d = {.table = a->table, .offset = def_at, .flags = flags};
    int c = acpi_aml_peek(a, end);

    if (c == AML_PACKAGE || c == AML_VAR_PACKAGE) {
        if (!package(a, end, &d))
            return false;
    } else {
        if (!acpi_aml_term_arg(a, end))
            return false;
        d.flags |= ACPI_SXD_INVALID;
    }
    value_note(a, &d, state);
    acpi_aml_sx_add(a, state, &d);
    return true;
}

void acpi_aml_sx_method(struct aml *a, uint32_t body, uint32_t end, unsigned state, uint32_t def_at, uint8_t flags)
{
    unsigned found = 0;
    uint32_t saved = a->pos;

    /* What a method returns depends on how it runs; every Return of a
     * constant package is a candidate. */
    for (uint32_t at = body; at + 1 < end; at++) {
        int c = acpi_src_byte(&a->src, at);
        int next = acpi_src_byte(&a->src, at + 1);

        if (c != AML_RETURN || (next != AML_PACKAGE && next != AML_VAR_PACKAGE))
            continue;
        struct acpi_sxdef d = {.table = a->table, .offset = def_at, .flags = flags | ACPI_SXD_METHOD};

        a->pos = at + 1;
        if (package(a, end, &d)) {
            acpi_aml_sx_add(a, state, &d);
            found++;
        }
        a->bad = false;
    }
    if (!found) {
        struct acpi_sxdef d = {.table = a->table, .offset = def_at,
                               .flags = flags | ACPI_SXD_METHOD | ACPI_SXD_INVALID};

        acpi_aml_sx_add(a, state, &d);
    }
    acpi_note(a->s->p, ACPI_E_SX_VALUE, a->tname, "%o+%w: \\_S%G_ is a Method; its Return values are candidates",
              def_at, state, 0);
    a->pos = saved;
}

void acpi_aml_sx_byte_scan(struct aml *a, uint32_t from, uint32_t end)
{
    uint8_t flags = ACPI_SXD_UNPARSED | aml_def_flags(a);
    struct aml_name n;

    for (uint32_t at = from; at < end; at++) {
        int c = acpi_src_byte(&a->src, at);

        if (c != AML_NAME && c != AML_METHOD)
            continue;
        uint32_t pkg_end = end;

        a->pos = at + 1;
        if ((c == AML_METHOD && !acpi_aml_pkg_length(a, end, &pkg_end)) || !acpi_aml_name_string(a, pkg_end, &n) ||
            n.n != 1) {
            a->bad = false;
            continue;
        }
        /* The scope is unknown here: any lone _Sx_ may be the root's. */
        int state = -1;

        for (unsigned s = 0; s <= 5; s++)
            if (n.seg[0] == SEG('_', 'S', '0' + s, '_'))
                state = (int)s;
        if (state < 0) {
            a->bad = false;
            continue;
        }
        if (c == AML_METHOD) {
            uint8_t mflags;

            if (acpi_aml_u8(a, pkg_end, &mflags))
                acpi_aml_sx_method(a, a->pos, pkg_end, (unsigned)state, at, flags);
            /* Its body has been read; going on after it keeps the scan
             * linear however many such methods nest. */
            at = pkg_end - 1;
        } else {
            struct acpi_sxdef d = {.table = a->table, .offset = at, .flags = flags};
            int v = acpi_aml_peek(a, end);

            if (!((v == AML_PACKAGE || v == AML_VAR_PACKAGE) && package(a, end, &d)))
                d.flags |= ACPI_SXD_INVALID;
            acpi_aml_sx_add(a, (unsigned)state, &d);
        }
        a->bad = false;
    }
    a->pos = end;
}

void acpi_sx_classify(struct acpi_platform *p)
{
    for (unsigned s = 0; s < 6; s++) {
        struct acpi_sx *sx = &p->sx[s];

        if (!sx->n) {
            sx->kind = ACPI_SX_ABSENT;
            continue;
        }
        if (sx->def[0].flags & (ACPI_SXD_CONDITIONAL | ACPI_SXD_METHOD | ACPI_SXD_UNPARSED)) {
            sx->kind = ACPI_SX_CONDITIONAL;
            continue;
        }
        sx->kind = ACPI_SX_FIXED;
        for (unsigned i = 1; i < sx->n; i++)
            sx->def[i].flags |= ACPI_SXD_DUPLICATE;
    }
}

bool acpi_sx_values(const struct acpi_platform *p, unsigned state, uint8_t *slp_typa, uint8_t *slp_typb)
{
    if (state > 5 || p->sx[state].kind != ACPI_SX_FIXED || (p->sx[state].def[0].flags & ACPI_SXD_INVALID))
        return false;
    *slp_typa = p->sx[state].def[0].slp_typa;
    *slp_typb = p->sx[state].def[0].slp_typb;
    return true;
}
