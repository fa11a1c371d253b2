/* SPDX-License-Identifier: MIT */
/*
 * If predicates in load-time code (ACPI 6.5 §19.6.60): an OS evaluates them
 * once, while it loads the table, so a \_Sx_ behind `If (Zero)` or behind
 * `Name (SS3, Zero) ... If (SS3)` never exists, and one behind a true
 * constant always does. What is evaluated here: integer constants,
 * Zero/One/Ones, integer Names no load-time code writes (nor a method
 * called at load time could have), LNot/LAnd/LOr/LEqual/LGreater/LLess
 * (and the LNotEqual/LLessEqual/LGreaterEqual they compose) and And/Or.
 *
 * A predicate that reads a field of an OperationRegion depends on firmware
 * data (a GNVS byte set up by setup options): it is undecided from the
 * tables alone, and the field is named. With live access (the machine
 * itself, acpi_discover_live) a SystemMemory or SystemIO field is read,
 * read-only and within its region, and the predicate decided. Anything
 * else (a method call, a String, Arg/Local) leaves it undecided and says
 * what stopped it.
 */
#include "aml.h"

_Static_assert(ACPI_MAX_CONDS <= 32, "aml_scan.conds_used has a bit per kept predicate");

#define COLD __attribute__((noinline))

enum { V_CONST, V_FIELD, V_CODE };

struct val {
    uint8_t kind;           /* V_FIELD: firmware data; V_CODE: not followed (the worse) */
    uint64_t v;
};

static void code_reason(struct aml *a, const char *what, const char *path)
{
    if (a->pend_code)
        return;
    struct sbuf b;

    a->pend_code = true;
    acpi_sb_init(&b, a->pend_what, sizeof a->pend_what);
    acpi_sb_str(&b, what);
    if (path)
        acpi_sb_str(&b, path);
}

static bool eval(struct aml *a, uint32_t end, struct val *v);

/* §19.3.5 field access: AccessType in the low 4 bits of FieldFlags. */
static uint8_t access_bytes(uint8_t type)
{
    switch (type & 0xf) {
    case 2: return 2;
    case 3: return 4;
    case 4: return 8;
    }
    return 1;       /* AnyAcc, ByteAcc, BufferAcc */
}

/* Read the field live, if it may be. False (with a note) if not. */
static COLD bool read_field(struct aml *a, const char *name, const struct aml_obj *f, const struct aml_obj *r,
                            uint64_t *value)
{
    const struct acpi_fw_access *fw = a->s->fw;
    uint64_t first = f->value / 8, last = (f->value + f->bits - 1) / 8;    /* bytes in the region */
    unsigned w = f->access;

    if (!fw || !fw->io || !fw->may_read)
        return false;
    if (r->space != ACPI_SPACE_MEMORY && r->space != ACPI_SPACE_IO) {
        acpi_note(a->s->p, ACPI_E_FW_READ, name, "%o: in address space %g, not read", 0, r->space, 0);
        return false;
    }
    if (!(r->bits & AML_OBJ_ADDR_KNOWN) || !f->bits || f->bits > 64 || last >= r->aux) {
        acpi_note(a->s->p, ACPI_E_FW_READ, name,
                  "%o: not read: the field (bit %g) lies outside its region of %X bytes or its address is not constant",
                  0, f->value, r->aux);
        return false;
    }
    if (r->space == ACPI_SPACE_IO && w > 4)
        w = 4;
    /* Access units aligned to the access width, as an OS reads them; byte
     * units if those would leave the region. */
    uint64_t lo = first / w * w, hi = last / w * w + w;

    if (hi > r->aux)
        w = 1, lo = first, hi = last + 1;
    uint64_t pa = r->value + lo;

    if (pa + (hi - lo) < pa || (r->space == ACPI_SPACE_IO && pa + (hi - lo) > 0x10000) ||
        !fw->may_read(fw->ctx, r->space, pa, hi - lo)) {
        acpi_note(a->s->p, ACPI_E_FW_READ, name, "%o: not read: %g+%X is outside what may be read", 0, pa,
                  hi - lo);
        return false;
    }
    uint8_t bytes[16];

    for (uint64_t at = lo; at < hi; at += w) {
        bool ok;
        uint32_t x = 0;

        if (r->space == ACPI_SPACE_MEMORY) {
            ok = fw->io->read_phys && fw->io->read_phys(fw->io->ctx, r->value + at, bytes + (at - lo), w);
        } else {
            ok = fw->io->port_in && fw->io->port_in(fw->io->ctx, (uint16_t)(r->value + at), w, &x);
            for (unsigned k = 0; k < w; k++)
                bytes[at - lo + k] = (uint8_t)(x >> (8 * k));
        }
        if (!ok) {
            acpi_note(a->s->p, ACPI_E_FW_READ, name, "%o: reading %g failed", 0, r->value + at, 0);
            return false;
        }
    }
    /* The field's bits, from bit (f->value - lo * 8) of the units read. */
    uint64_t bit = f->value - lo * 8, out = 0;

    for (unsigned i = 0; i < f->bits; i++, bit++)
        out |= (uint64_t)(bytes[bit / 8] >> (bit % 8) & 1) << i;
    *value = out;
    return true;
}

/* A field unit in a predicate: firmware data, named; read if live. */
static COLD void field_value(struct aml *a, const struct aml_obj *f, uint32_t keep, const struct aml_name *n,
                             struct val *v)
{
    struct aml_obj *r = NULL;
    bool first = !a->pend_field;

    v->kind = V_FIELD;
    if (f->kind == AML_OBJ_FIELD && f->aux && f->aux <= a->s->objs_cap &&
        a->s->objs[f->aux - 1].kind == AML_OBJ_REGION)
        r = &a->s->objs[f->aux - 1];
    if (a->pend.fields < 255)
        a->pend.fields++;
    if (first) {
        struct acpi_cond *c = &a->pend;

        a->pend_field = true;
        acpi_aml_path_string(a, keep, n, c->field, sizeof c->field);
        c->kind = f->kind == AML_OBJ_FIELD ? ACPI_COND_FIELD : ACPI_COND_INDEX_FIELD;
        uint32_t seg = r ? r->seg : f->kind == AML_OBJ_FIELD ? 0 : f->seg;     /* 0: region not known */

        for (int i = 0; i < 4; i++)
            c->region[i] = (char)(seg >> (8 * i));
        c->region[4] = 0;
        if (r) {
            c->space = r->space;
            c->address_known = r->bits & AML_OBJ_ADDR_KNOWN;
            c->address = r->value;
            c->region_len = r->aux;
        }
        c->bit_offset = (uint32_t)f->value;
        c->bit_width = f->bits;
        c->access = f->access;
    }
    if (r && a->s->fw && !a->dead) {
        uint64_t x;
        char name[32];

        acpi_aml_path_string(a, keep, n, name, sizeof name);
        if (read_field(a, name, f, r, &x)) {
            v->kind = V_CONST;
            v->v = x;
            if (first) {
                a->pend.live = true;
                a->pend.value = x;
            }
        }
    }
}

/* A name: its value, or a call (*argc arguments follow, for the caller to
 * parse: this frame, which holds a name, stays out of the recursion). */
static COLD bool name_value(struct aml *a, uint32_t end, struct val *v, unsigned *argc_out)
{
    struct aml_name n;
    unsigned argc;
    uint32_t keep;
    struct aml_obj *o;

    if (!acpi_aml_name_string(a, end, &n))
        return false;
    if (acpi_aml_method_find(a, &n, &argc)) {
        char path[48];

        if (!a->dead)
            a->s->calls++;
        if (acpi_aml_resolve_keep(a, &n, &keep)) {
            acpi_aml_path_string(a, n.n == 1 && !n.root && !n.up ? 0 : keep, &n, path, sizeof path);
            code_reason(a, "calls ", n.root || n.up || n.n > 1 ? path : path + 1);
        }
        v->kind = V_CODE;
        *argc_out = argc;
        return true;
    }
    o = acpi_aml_obj_find(a, &n, &keep);
    v->kind = V_CODE;
    if (!o) {
        code_reason(a, "reads an object not defined before it", NULL);
    } else if (o->kind == AML_OBJ_INT && o->aux == a->s->calls) {
        v->kind = V_CONST;
        v->v = o->value;
    } else if (o->kind == AML_OBJ_INT) {
        code_reason(a, "reads a Name a load-time call may change", NULL);
    } else if (o->kind == AML_OBJ_INT_CHANGED) {
        code_reason(a, "reads a Name load-time code writes", NULL);
    } else if (o->kind == AML_OBJ_FIELD || o->kind == AML_OBJ_INDEX_FIELD) {
        field_value(a, o, keep, &n, v);
    } else {
        code_reason(a, "reads a Name that is not an integer", NULL);
    }
    return true;
}

/* The kind of a result from two operands: code beats firmware beats constant. */
static uint8_t worst(uint8_t x, uint8_t y)
{
    return x > y ? x : y;
}

static bool binary(struct aml *a, uint32_t end, uint8_t op, struct val *v)
{
    struct val x, y;

    if (!eval(a, end, &x) || !eval(a, end, &y))
        return false;
    if ((op == 0x7b || op == 0x7d) && !acpi_aml_super_name(a, end, true))   /* And/Or: Target */
        return false;
    v->kind = worst(x.kind, y.kind);
    switch (op) {
    case 0x7b: v->v = x.v & y.v; break;                         /* And */
    case 0x7d: v->v = x.v | y.v; break;                         /* Or */
    case 0x90: v->v = x.v && y.v; break;                        /* LAnd */
    case 0x91: v->v = x.v || y.v; break;                        /* LOr */
    case 0x93: v->v = x.v == y.v; break;                        /* LEqual */
    case 0x94: v->v = x.v > y.v; break;                         /* LGreater */
    default: v->v = x.v < y.v; break;                           /* LLess */
    }
    /* A constant operand can decide alone: And(0, x), LAnd(0, x), LOr(1, x). */
    bool zero = (x.kind == V_CONST && !x.v) || (y.kind == V_CONST && !y.v);
    bool nonzero = (x.kind == V_CONST && x.v) || (y.kind == V_CONST && y.v);

    if (((op == 0x7b || op == 0x90) && zero) || (op == 0x91 && nonzero)) {
        v->kind = V_CONST;
        v->v = op == 0x91;
    }
    return true;
}

static bool eval(struct aml *a, uint32_t end, struct val *v)
{
    uint32_t at = a->pos;
    int c = acpi_aml_peek(a, end);
    uint8_t op;

    v->kind = V_CONST;
    v->v = 0;
    if (acpi_aml_is_name_start(c)) {
        unsigned argc = 0;

        if (!name_value(a, end, v, &argc))
            return false;
        if (!argc)
            return true;
        /* Calls nest like any expression: bounded by ACPI_AML_MAX_DEPTH. */
        if (a->depth >= ACPI_AML_MAX_DEPTH)
            return acpi_aml_bad(a, ACPI_E_AML_DEPTH, "%o+%w: nested deeper than %G levels", at,
                                ACPI_AML_MAX_DEPTH);
        a->depth++;
        struct val ignored;
        bool ok = true;

        for (unsigned i = 0; ok && i < argc; i++)
            ok = eval(a, end, &ignored);
        a->depth--;
        return ok;
    }
    switch (c) {
    case AML_ZERO: case AML_ONE: case AML_ONES:
        a->pos++;
        v->v = c == AML_ZERO ? 0 : c == AML_ONE ? 1 : ~0ull;
        return true;
    case AML_BYTE: case AML_WORD: case AML_DWORD: case AML_QWORD:
        a->pos++;
        return acpi_aml_uint(a, end, c == AML_BYTE ? 1 : c == AML_WORD ? 2 : c == AML_DWORD ? 4 : 8, &v->v);
    case 0x92: {                                                /* LNot */
        struct val x;

        a->pos++;
        if (a->depth >= ACPI_AML_MAX_DEPTH)
            return acpi_aml_bad(a, ACPI_E_AML_DEPTH, "%o+%w: nested deeper than %G levels", at,
                                ACPI_AML_MAX_DEPTH);
        a->depth++;
        bool ok = eval(a, end, &x);

        a->depth--;
        v->kind = x.kind;
        v->v = !x.v;
        return ok;
    }
    case 0x7b: case 0x7d: case 0x90: case 0x91: case 0x93: case 0x94: case 0x95: {
        if (!acpi_aml_u8(a, end, &op))
            return false;
        if (a->depth >= ACPI_AML_MAX_DEPTH)
            return acpi_aml_bad(a, ACPI_E_AML_DEPTH, "%o+%w: nested deeper than %G levels", at,
                                ACPI_AML_MAX_DEPTH);
        a->depth++;
        bool ok = binary(a, end, op, v);

        a->depth--;
        return ok;
    }
    }
    /* Anything else is parsed, not evaluated. */
    if (!acpi_aml_term_arg(a, end))
        return false;
    v->kind = V_CODE;
    if (c >= AML_LOCAL0 && c <= AML_ARG6)
        code_reason(a, "reads a Local or Arg", NULL);
    else if (c == AML_STRING)
        code_reason(a, "tests a String", NULL);
    else {
        struct sbuf b;
        char what[32];

        acpi_sb_init(&b, what, sizeof what);
        acpi_sb_str(&b, "uses opcode ");
        acpi_sb_hex(&b, (uint64_t)c);
        code_reason(a, what, NULL);
    }
    return true;
}

bool acpi_aml_predicate(struct aml *a, uint32_t end, enum aml_pred *pred)
{
    struct val v;

    memset(&a->pend, 0, sizeof a->pend);
    a->pend_field = a->pend_code = false;
    if (!eval(a, end, &v))
        return false;
    if (v.kind == V_CONST)
        *pred = v.v ? AML_PRED_TRUE : AML_PRED_FALSE;
    else
        *pred = AML_PRED_UNDECIDED;
    /* Code the evaluator does not follow wins over a field for the
     * report: reading the field alone would not settle it. */
    if (v.kind == V_CODE) {
        a->pend.kind = ACPI_COND_CODE;
        a->pend.live = false;
        memcpy(a->pend.field, a->pend_what, sizeof a->pend.field);
    }
    return true;
}

uint8_t acpi_aml_cond_keep(struct aml *a, uint32_t if_at)
{
    struct acpi_platform *p = a->s->p;

    if (a->dead)
        return 0;
    if (p->n_conds >= ACPI_MAX_CONDS) {
        p->conds_lost++;
        return 0;
    }
    a->pend.table = a->table;
    a->pend.offset = if_at;
    a->s->conds_used &= ~(1u << p->n_conds);
    p->conds[p->n_conds] = a->pend;
    return (uint8_t)++p->n_conds;
}

/* --- OperationRegion and fields (§19.6.100, §19.6.48, §19.6.64, §19.6.7) --- */

bool acpi_aml_region(struct aml *a, uint32_t end)
{
    struct aml_name n;
    uint8_t space;
    struct val off, len;

    if (!acpi_aml_name_string(a, end, &n) || !acpi_aml_u8(a, end, &space))
        return false;
    /* Offset and length are evaluated as predicates are (a region at a
     * Name's address is common); a->pend is scratch outside an If. */
    if (!eval(a, end, &off) || !eval(a, end, &len))
        return false;
    struct aml_obj *o = acpi_aml_obj_add(a, &n, AML_OBJ_REGION);

    if (o) {
        o->space = space;
        o->value = off.v;
        o->aux = len.kind == V_CONST && len.v <= UINT32_MAX ? (uint32_t)len.v : 0;
        o->bits = off.kind == V_CONST && len.kind == V_CONST ? AML_OBJ_ADDR_KNOWN : 0;
    }
    return true;
}

/* A PkgLength-encoded number (field widths): not an extent in the table. */
static bool field_number(struct aml *a, uint32_t end, uint32_t *len)
{
    uint8_t lead, b;

    if (!acpi_aml_u8(a, end, &lead))
        return false;
    unsigned follow = lead >> 6;

    *len = follow ? lead & 0x0f : lead & 0x3f;
    for (unsigned i = 0; i < follow; i++) {
        if (!acpi_aml_u8(a, end, &b))
            return false;
        *len |= (uint32_t)b << (4 + 8 * i);
    }
    return true;
}

bool acpi_aml_field(struct aml *a, uint32_t end, uint8_t op)
{
    uint32_t pkg_end, region = 0, bit = 0, w;
    struct aml_name n;
    uint8_t flags, x;
    uint32_t index_seg = 0;

    if (!acpi_aml_pkg_length(a, end, &pkg_end) || !acpi_aml_name_string(a, pkg_end, &n))
        return false;
    if (op == AML_X_FIELD) {
        uint32_t keep;
        struct aml_obj *r = acpi_aml_obj_find(a, &n, &keep);

        if (r && r->kind == AML_OBJ_REGION)
            region = (uint32_t)(r - a->s->objs) + 1;
    } else {
        index_seg = n.seg[n.n ? n.n - 1 : 0];
        if (!acpi_aml_name_string(a, pkg_end, &n))          /* DataName / BankName */
            return false;
        if (op == AML_X_BANK_FIELD && !acpi_aml_term_arg(a, pkg_end))   /* BankValue */
            return false;
    }
    if (!acpi_aml_u8(a, pkg_end, &flags))
        return false;
    uint8_t access = access_bytes(flags);

    while (a->pos < pkg_end) {
        int c = acpi_aml_peek(a, pkg_end);

        if (c == 0x00) {                                /* ReservedField (Offset) */
            a->pos++;
            if (!field_number(a, pkg_end, &w))
                return false;
            bit += w;
        } else if (c == 0x01 || c == 0x03) {            /* AccessField, ExtendedAccessField */
            a->pos++;
            if (!acpi_aml_u8(a, pkg_end, &x))
                return false;
            access = access_bytes(x);
            if (!acpi_aml_u8(a, pkg_end, &x) || (c == 0x03 && !acpi_aml_u8(a, pkg_end, &x)))
                return false;
        } else if (c == 0x02) {                         /* ConnectField */
            a->pos++;
            if (acpi_aml_peek(a, pkg_end) == AML_BUFFER) {
                a->pos++;
                uint32_t b_end;

                if (!acpi_aml_pkg_length(a, pkg_end, &b_end))
                    return false;
                a->pos = b_end;
            } else if (!acpi_aml_name_string(a, pkg_end, &n)) {
                return false;
            }
        } else {                                        /* NamedField: NameSeg, width */
            struct aml_name f = {.n = 1};
            uint64_t seg;

            if (!acpi_aml_uint(a, pkg_end, 4, &seg))
                return false;
            f.seg[0] = (uint32_t)seg;
            if (!field_number(a, pkg_end, &w))
                return false;
            struct aml_obj *o = acpi_aml_obj_add(a, &f, op == AML_X_FIELD ? AML_OBJ_FIELD : AML_OBJ_INDEX_FIELD);

            if (o) {
                o->value = bit;
                o->bits = w > 0xffff ? 0xffff : (uint16_t)w;
                o->access = access;
                o->aux = region;
                if (op != AML_X_FIELD)
                    o->seg = index_seg;
            }
            bit += w;
        }
    }
    a->pos = pkg_end;
    return true;
}

/* --- reports ----------------------------------------------------------- */

size_t acpi_cond_format(const struct acpi_cond *c, char *buf, size_t size)
{
    struct sbuf b;

    acpi_sb_init(&b, buf, size);
    if (c->kind == ACPI_COND_CODE) {
        acpi_sb_str(&b, c->field);
        return b.len;
    }
    acpi_sb_str(&b, "reads ");
    acpi_sb_str(&b, c->field);
    if (c->kind == ACPI_COND_INDEX_FIELD) {
        acpi_sb_str(&b, ", a field behind IndexField/BankField ");
        acpi_sb_mem(&b, c->region, strlen(c->region));
    } else if (!c->region[0]) {
        acpi_sb_str(&b, ", a field of an OperationRegion not defined before it");
    } else {
        acpi_sb_str(&b, ", a field of OperationRegion ");
        acpi_sb_mem(&b, c->region, strlen(c->region));
        acpi_sb_str(&b, c->space == ACPI_SPACE_MEMORY ? " (SystemMemory " : c->space == ACPI_SPACE_IO ? " (SystemIO "
                                                                                                 : " (space ");
        if (c->space > ACPI_SPACE_IO) {
            acpi_sb_dec(&b, c->space);
            acpi_sb_str(&b, ", ");
        }
        if (c->address_known)
            acpi_sb_hex(&b, c->address);
        else
            acpi_sb_str(&b, "an address set at run time");
        acpi_sb_str(&b, "+");
        acpi_sb_hex(&b, c->bit_offset / 8);
        if (c->bit_offset % 8) {
            acpi_sb_str(&b, " bit ");
            acpi_sb_dec(&b, c->bit_offset % 8);
        }
        acpi_sb_str(&b, ", ");
        acpi_sb_dec(&b, c->bit_width);
        acpi_sb_str(&b, c->bit_width == 1 ? " bit)" : " bits)");
    }
    if (c->fields > 1) {
        acpi_sb_str(&b, " and ");
        acpi_sb_dec(&b, c->fields - 1u);
        acpi_sb_str(&b, c->fields == 2 ? " more field" : " more fields");
    }
    if (c->live) {
        acpi_sb_str(&b, "; read on this machine: ");
        acpi_sb_hex(&b, c->value);
    }
    return b.len;
}
