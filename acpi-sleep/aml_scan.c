/* SPDX-License-Identifier: MIT */
/*
 * Walking a definition block's load-time code (ACPI 6.5 §20) for the
 * objects an OS creates when it loads the table.
 *
 * Only code that runs at load time can create \_Sx_: the table's top-level
 * term list and the bodies of Scope, Device, Processor, PowerResource and
 * ThermalZone, and of If/Else/While there (conditional). Method bodies run
 * later and are skipped by their PkgLength, as are Buffers, Packages and
 * Fields. Expressions (an If's predicate) are followed with the argument
 * shapes of §20.2.5; a call's argument count comes from the method table
 * (aml_name.c).
 *
 * Termination and bounds: every object is parsed within the end of its
 * enclosing package, every step consumes at least one byte, and nesting is
 * limited to ACPI_AML_MAX_DEPTH. When something cannot be followed (an
 * unknown opcode, a package running past its parent), the rest of the
 * enclosing block is byte-scanned for \_Sx_ definitions, which are then
 * reported as uncertain, and the walk resumes after the block.
 */
#include "aml.h"

/* Functions that hold a struct aml_name are kept out of line, so that the
 * recursion through term() and acpi_aml_term_arg() stays small on the VMM's
 * stack (about 160 bytes per level). */
#define COLD __attribute__((noinline))

bool acpi_aml_bad(struct aml *a, enum acpi_status st, const char *msg, uint32_t at, uint64_t got)
{
    if (!a->bad) {
        a->bad = true;
        acpi_fail(&a->err, st, a->tname, msg, at, got, 0);
    }
    return false;
}

bool acpi_aml_u8(struct aml *a, uint32_t end, uint8_t *v)
{
    int c = acpi_aml_peek(a, end);

    if (c < 0)
        return acpi_aml_bad(a, a->src.failed ? ACPI_E_IO : ACPI_E_AML_TRUNCATED,
                            a->src.failed ? "%o+%w: cannot read the table"
                                          : "%o+%w: object runs past the end of its block",
                            a->pos, 0);
    a->pos++;
    *v = (uint8_t)c;
    return true;
}

bool acpi_aml_uint(struct aml *a, uint32_t end, unsigned bytes, uint64_t *v)
{
    uint64_t r = 0;

    for (unsigned i = 0; i < bytes; i++) {
        uint8_t b;

        if (!acpi_aml_u8(a, end, &b))
            return false;
        r |= (uint64_t)b << (8 * i);
    }
    *v = r;
    return true;
}

bool acpi_aml_pkg_length(struct aml *a, uint32_t end, uint32_t *pkg_end)
{
    uint32_t start = a->pos;
    uint8_t lead, b;
    uint32_t len;

    if (!acpi_aml_u8(a, end, &lead))
        return false;
    unsigned follow = lead >> 6;

    if (!follow) {
        len = lead & 0x3f;
    } else {
        len = lead & 0x0f;
        for (unsigned i = 0; i < follow; i++) {
            if (!acpi_aml_u8(a, end, &b))
                return false;
            len |= (uint32_t)b << (4 + 8 * i);
        }
    }
    /* The length counts from the PkgLength's own first byte. */
    if (len < a->pos - start || len > end - start)
        return acpi_aml_bad(a, ACPI_E_AML_TRUNCATED, "%o+%w: package length %g runs past the end of its block",
                            start, len);
    *pkg_end = start + len;
    return true;
}

static bool enter(struct aml *a)
{
    if (a->depth >= ACPI_AML_MAX_DEPTH)
        return acpi_aml_bad(a, ACPI_E_AML_DEPTH, "%o+%w: nested deeper than %G levels", a->pos, ACPI_AML_MAX_DEPTH);
    a->depth++;
    return true;
}

/*
 * Argument shapes (§20.2.5): T TermArg, S SuperName, G Target (SuperName
 * or NullName), N NameString, b/w/d a byte/word/dword of data.
 */
static const char *op_args(uint8_t op)
{
    switch (op) {
    case 0x70: return "TS";         /* Store */
    case 0x71: return "S";          /* RefOf */
    case 0x72: case 0x73: case 0x74: case 0x77: case 0x79: case 0x7a:
    case 0x7b: case 0x7c: case 0x7d: case 0x7e: case 0x7f: case 0x84:
    case 0x85: case 0x88: return "TTG";     /* Add .. Xor, ConcatRes, Mod, Index */
    case 0x75: case 0x76: return "S";       /* Increment, Decrement */
    case 0x78: return "TTGG";       /* Divide */
    case 0x80: case 0x81: case 0x82: return "TG";   /* Not, FindSetLeft/RightBit */
    case 0x83: return "T";          /* DerefOf */
    case 0x86: return "ST";         /* Notify */
    case 0x87: return "S";          /* SizeOf */
    case 0x89: return "TbTbTT";     /* Match */
    case 0x8a: case 0x8b: case 0x8c: case 0x8d: case 0x8f: return "TTN";  /* Create*Field */
    case 0x8e: return "S";          /* ObjectType */
    case 0x90: case 0x91: case 0x93: case 0x94: case 0x95: return "TT";   /* LAnd .. LLess */
    case 0x92: return "T";          /* LNot */
    case 0x96: case 0x97: case 0x98: case 0x99: return "TG";  /* To* conversions */
    case 0x9c: return "TTG";        /* ToString */
    case 0x9d: return "TS";         /* CopyObject */
    case 0x9e: return "TTTG";       /* Mid */
    case 0x9f: case 0xa3: case 0xa5: case 0xcc: return "";  /* Continue, Noop, Break, BreakPoint */
    case 0xa4: return "T";          /* Return */
    case AML_ALIAS: return "NN";
    case AML_EXTERNAL: return "Nbb";
    }
    return NULL;
}

static const char *ext_op_args(uint8_t op)
{
    switch (op) {
    case 0x01: return "Nb";         /* Mutex */
    case 0x02: return "N";          /* Event */
    case 0x12: return "SG";         /* CondRefOf */
    case 0x13: return "TTTN";       /* CreateField */
    case 0x1f: return "TTTTTT";     /* LoadTable */
    case 0x20: return "NG";         /* Load */
    case 0x21: case 0x22: return "T";       /* Stall, Sleep */
    case 0x23: return "Sw";         /* Acquire */
    case 0x24: case 0x26: case 0x27: case 0x2a: return "S";   /* Signal, Reset, Release, Unload */
    case 0x25: return "ST";         /* Wait */
    case 0x28: case 0x29: return "TG";      /* FromBCD, ToBCD */
    case AML_X_REVISION: case AML_X_DEBUG: case 0x33: return "";  /* Revision, Debug, Timer */
    case 0x32: return "bdT";        /* Fatal */
    case 0x80: return "NbTT";       /* OperationRegion */
    case 0x88: return "NTTT";       /* DataRegion */
    }
    return NULL;
}

static COLD bool target_name(struct aml *a, uint32_t end)
{
    struct aml_name n;

    if (!acpi_aml_name_string(a, end, &n))
        return false;
    acpi_aml_obj_written(a, &n);
    return true;
}

static COLD bool skip_name(struct aml *a, uint32_t end)
{
    struct aml_name n;

    return acpi_aml_name_string(a, end, &n);
}

static bool args(struct aml *a, uint32_t end, const char *shape)
{
    uint64_t v;

    for (; *shape; shape++) {
        bool ok;

        switch (*shape) {
        case 'T': ok = acpi_aml_term_arg(a, end); break;
        case 'S': ok = acpi_aml_super_name(a, end, false); break;
        case 'G': ok = acpi_aml_super_name(a, end, true); break;
        case 'N': ok = skip_name(a, end); break;
        case 'b': ok = acpi_aml_uint(a, end, 1, &v); break;
        case 'w': ok = acpi_aml_uint(a, end, 2, &v); break;
        default: ok = acpi_aml_uint(a, end, 4, &v); break;
        }
        if (!ok)
            return false;
    }
    return true;
}

static COLD bool call_args(struct aml *a, uint32_t end, unsigned *argc)
{
    struct aml_name n;

    if (!acpi_aml_name_string(a, end, &n))
        return false;
    *argc = 0;
    /* A call at load time may change any Name (aml_eval.c). */
    if (acpi_aml_method_find(a, &n, argc) && !a->dead)
        a->s->calls++;
    return true;
}

/* A name in TermArg (or statement) position: a call if it names a method. */
static bool name_or_call(struct aml *a, uint32_t end)
{
    unsigned argc;

    if (!call_args(a, end, &argc))
        return false;
    for (unsigned i = argc; i > 0; i--)
        if (!acpi_aml_term_arg(a, end))
            return false;
    return true;
}

static bool skip_pkg(struct aml *a, uint32_t end)
{
    uint32_t pkg_end;

    if (!acpi_aml_pkg_length(a, end, &pkg_end))
        return false;
    a->pos = pkg_end;
    return true;
}

/* The operands every expression ends in (§20.2.3, §20.2.5). */
bool acpi_aml_term_arg(struct aml *a, uint32_t end)
{
    uint32_t at = a->pos;
    uint8_t op, x;
    uint64_t v;
    const char *shape;
    bool ok = false;

    if (!enter(a))
        return false;
    int c = acpi_aml_peek(a, end);

    if (acpi_aml_is_name_start(c)) {
        ok = name_or_call(a, end);
        goto out;
    }
    if (!acpi_aml_u8(a, end, &op))
        goto out;
    switch (op) {
    case AML_ZERO: case AML_ONE: case AML_ONES:
        ok = true;
        break;
    case AML_BYTE: ok = acpi_aml_uint(a, end, 1, &v); break;
    case AML_WORD: ok = acpi_aml_uint(a, end, 2, &v); break;
    case AML_DWORD: ok = acpi_aml_uint(a, end, 4, &v); break;
    case AML_QWORD: ok = acpi_aml_uint(a, end, 8, &v); break;
    case AML_STRING:
        do
            ok = acpi_aml_u8(a, end, &x);
        while (ok && x);
        break;
    case AML_BUFFER: case AML_PACKAGE: case AML_VAR_PACKAGE:
        ok = skip_pkg(a, end);
        break;
    case AML_EXT:
        if (!acpi_aml_u8(a, end, &x))
            break;
        shape = ext_op_args(x);
        if (!shape) {
            acpi_aml_bad(a, ACPI_E_AML, "%o+%w: unknown opcode 0x5b %g in load-time code", at, x);
            break;
        }
        ok = args(a, end, shape);
        break;
    default:
        if (op >= AML_LOCAL0 && op <= AML_ARG6) {
            ok = true;
            break;
        }
        shape = op_args(op);
        if (!shape) {
            acpi_aml_bad(a, ACPI_E_AML, "%o+%w: unknown opcode %g in load-time code", at, op);
            break;
        }
        ok = args(a, end, shape);
        break;
    }
out:
    a->depth--;
    return ok;
}

/* Any name here may be written (Store, Increment, a Target): a Name it
 * reaches is no longer a constant for predicates. */
bool acpi_aml_super_name(struct aml *a, uint32_t end, bool target)
{
    int c = acpi_aml_peek(a, end);

    if (c == AML_ZERO && target) {          /* NullName: no target */
        a->pos++;
        return true;
    }
    if (acpi_aml_is_name_start(c))
        return target_name(a, end);
    if (c >= AML_LOCAL0 && c <= AML_ARG6) {
        a->pos++;
        return true;
    }
    if (c == AML_EXT && acpi_src_byte(&a->src, a->pos + 1) == AML_X_DEBUG && a->pos + 1 < end) {
        a->pos += 2;
        return true;
    }
    if (c == 0x71 || c == 0x83 || c == 0x88)  /* RefOf, DerefOf, Index */
        return acpi_aml_term_arg(a, end);
    if (c < 0)
        return acpi_aml_bad(a, ACPI_E_AML_TRUNCATED, "%o+%w: object runs past the end of its block", a->pos, 0);
    return acpi_aml_bad(a, ACPI_E_AML, "%o+%w: byte %g cannot start a SuperName", a->pos, (uint64_t)c);
}

static bool term_list(struct aml *a, uint32_t end);

/* A block whose end is known: a failure inside it is contained here. */
static void block(struct aml *a, uint32_t end, bool conditional)
{
    a->cond += conditional;
    if (!term_list(a, end)) {
        /* term_list left a->pos at the start of the term that failed. */
        acpi_note_error(a->s->p, &a->err);
        a->bad = false;
        acpi_aml_sx_byte_scan(a, a->pos, end);
    }
    a->cond -= conditional;
    a->pos = end;
}

/* Scope, Device, ThermalZone, Processor, PowerResource: a name, `skip`
 * bytes of fixed data, then a body run at load time in the new scope. */
static COLD bool scope_header(struct aml *a, uint32_t end, unsigned skip, uint32_t *pkg_end,
                                                   uint32_t *saved_base, uint32_t *saved_top)
{
    struct aml_name n;
    uint64_t v;

    return acpi_aml_pkg_length(a, end, pkg_end) && acpi_aml_name_string(a, *pkg_end, &n) &&
           (!skip || acpi_aml_uint(a, *pkg_end, skip, &v)) && acpi_aml_scope_push(a, &n, saved_base, saved_top);
}

static bool scoped(struct aml *a, uint32_t end, unsigned skip)
{
    uint32_t pkg_end, saved_base, saved_top;

    if (!scope_header(a, end, skip, &pkg_end, &saved_base, &saved_top))
        return false;
    block(a, pkg_end, false);
    acpi_aml_scope_pop(a, saved_base, saved_top);
    return true;
}

static COLD bool method(struct aml *a, uint32_t end, uint32_t at)
{
    uint32_t pkg_end;
    struct aml_name n;
    uint8_t flags;

    if (!acpi_aml_pkg_length(a, end, &pkg_end) || !acpi_aml_name_string(a, pkg_end, &n) ||
        !acpi_aml_u8(a, pkg_end, &flags))
        return false;
    acpi_aml_method_add(a, &n, flags & 7);
    int s = acpi_aml_sx_state(a, &n);

    if (s >= 0)
        acpi_aml_sx_method(a, a->pos, pkg_end, (unsigned)s, at, aml_def_flags(a));
    a->pos = pkg_end;
    return true;
}

/* If, Else, While. An If whose predicate is constant (aml_eval.c) runs its
 * body or its Else's unconditionally and the other never; an undecided one
 * makes both conditional and records what it reads. A predicate that
 * cannot be parsed costs only this block. */
static bool conditional(struct aml *a, uint32_t end, uint8_t op, int8_t prev)
{
    uint32_t at = a->pos - 1, pkg_end;
    enum aml_pred pred = AML_PRED_UNDECIDED;
    uint8_t idx = 0, saved_decided = a->decided, saved_idx = a->cond_idx;
    bool live = false;

    if (!acpi_aml_pkg_length(a, end, &pkg_end))
        return false;
    if (op == AML_IF || op == AML_WHILE) {
        bool ok = op == AML_IF ? acpi_aml_predicate(a, pkg_end, &pred) : acpi_aml_term_arg(a, pkg_end);

        if (!ok) {
            acpi_note_error(a->s->p, &a->err);
            a->bad = false;
            memset(&a->pend, 0, sizeof a->pend);
            memcpy(a->pend.field, "a predicate not parsed", sizeof "a predicate not parsed");
            a->cond_idx = acpi_aml_cond_keep(a, at);
            a->cond++;
            acpi_aml_sx_byte_scan(a, a->pos, pkg_end);
            a->cond--;
            a->cond_idx = saved_idx;
            a->pos = pkg_end;
            a->last_if = AML_PRED_UNDECIDED;
            a->last_if_cond = 0;
            return true;
        }
        if (op == AML_WHILE) {
            memset(&a->pend, 0, sizeof a->pend);
            memcpy(a->pend.field, "a While loop", sizeof "a While loop");
        }
        live = a->pend.live;
        if (pred == AML_PRED_UNDECIDED || live)
            idx = acpi_aml_cond_keep(a, at);
    } else if (prev >= 0) {     /* Else: the opposite of its If */
        pred = prev == AML_PRED_UNDECIDED ? AML_PRED_UNDECIDED : prev == AML_PRED_TRUE ? AML_PRED_FALSE
                                                                                      : AML_PRED_TRUE;
        idx = a->last_if_cond;
        live = a->last_if_live;
    }
    a->cond_idx = idx ? idx : saved_idx;
    if (pred == AML_PRED_FALSE) {
        /* A dead definition names a predicate only if it was read live. */
        a->cond_idx = live ? idx : 0;
        a->dead++;
        block(a, pkg_end, false);
        a->dead--;
    } else if (pred == AML_PRED_TRUE) {
        a->decided |= live ? ACPI_SXD_LIVE : ACPI_SXD_IF_TRUE;
        block(a, pkg_end, false);
    } else {
        block(a, pkg_end, true);
    }
    a->decided = saved_decided;
    a->cond_idx = saved_idx;
    /* Only predicates some \_Sx_ depends on are kept: drop this one if
     * nothing used it (an Else after it still may: it drops it then). */
    struct acpi_platform *p = a->s->p;

    if (idx && idx == p->n_conds && !(a->s->conds_used & (1u << (idx - 1))) &&
        !(op == AML_IF && acpi_aml_peek(a, end) == AML_ELSE))
        p->n_conds--;
    if (op == AML_IF) {
        a->last_if = (int8_t)pred;
        a->last_if_cond = idx;
        a->last_if_live = live;
    }
    return true;
}

/* The objects below hold a name while they parse. */
static COLD bool name_object(struct aml *a, uint32_t end, uint32_t at)
{
    struct aml_name n;

    if (!acpi_aml_name_string(a, end, &n))
        return false;
    int s = acpi_aml_sx_state(a, &n);

    if (s >= 0)
        return acpi_aml_sx_name(a, end, (unsigned)s, at, aml_def_flags(a));
    /* Integer Names are what predicates test (aml_eval.c). */
    int c = acpi_aml_peek(a, end);
    uint64_t v = 0;
    unsigned bytes = c == AML_BYTE ? 1 : c == AML_WORD ? 2 : c == AML_DWORD ? 4 : c == AML_QWORD ? 8 : 0;

    if (c == AML_ZERO || c == AML_ONE || c == AML_ONES) {
        a->pos++;
        v = c == AML_ONE ? 1 : c == AML_ONES ? ~0ull : 0;
    } else if (bytes) {
        a->pos++;
        if (!acpi_aml_uint(a, end, bytes, &v))
            return false;
    } else {
        if (!acpi_aml_term_arg(a, end))
            return false;
        acpi_aml_obj_add(a, &n, AML_OBJ_OTHER);
        return true;
    }
    struct aml_obj *o = acpi_aml_obj_add(a, &n, AML_OBJ_INT);

    if (o) {
        o->value = v;
        o->aux = a->s->calls;
    }
    return true;
}

static COLD bool alias(struct aml *a, uint32_t end, uint32_t at)
{
    struct aml_name target, n;

    if (!acpi_aml_name_string(a, end, &target) || !acpi_aml_name_string(a, end, &n))
        return false;
    int s = acpi_aml_sx_state(a, &n);

    if (s >= 0) {
        /* The value is wherever the alias points; say so, don't guess. */
        struct acpi_sxdef d = {.table = a->table, .offset = at,
                               .flags = ACPI_SXD_UNPARSED | ACPI_SXD_INVALID | aml_def_flags(a)};

        acpi_note(a->s->p, ACPI_E_SX_ALIAS, a->tname, "%o+%w: \\_S%G_ is an Alias; its target is not followed", at,
                  (unsigned)s, 0);
        acpi_aml_sx_add(a, (unsigned)s, &d);
    }
    return true;
}

static COLD bool external(struct aml *a, uint32_t end)
{
    struct aml_name n;
    uint8_t type, argc;

    if (!acpi_aml_name_string(a, end, &n) || !acpi_aml_u8(a, end, &type) || !acpi_aml_u8(a, end, &argc))
        return false;
    if (type == AML_TYPE_METHOD)
        acpi_aml_method_add(a, &n, argc);
    return true;
}

static bool term(struct aml *a, uint32_t end)
{
    uint32_t at = a->pos;
    int c = acpi_aml_peek(a, end);
    int8_t prev = a->last_if;

    a->last_if = -1;        /* an Else belongs to the If just before it */
    switch (c) {
    case AML_SCOPE:
        a->pos++;
        return scoped(a, end, 0);
    case AML_METHOD:
        a->pos++;
        return method(a, end, at);
    case AML_IF: case AML_WHILE: case AML_ELSE:
        a->pos++;
        return conditional(a, end, (uint8_t)c, prev);
    case AML_NAME:
        a->pos++;
        return name_object(a, end, at);
    case AML_ALIAS:
        a->pos++;
        return alias(a, end, at);
    case AML_EXTERNAL:
        a->pos++;
        return external(a, end);
    case AML_EXT:
        if (a->pos + 1 >= end)
            break;
        switch (acpi_src_byte(&a->src, a->pos + 1)) {
        case AML_X_DEVICE: case AML_X_THERMAL_ZONE:
            a->pos += 2;
            return scoped(a, end, 0);
        case AML_X_PROCESSOR:           /* ProcID, PblkAddr (dword), PblkLen */
            a->pos += 2;
            return scoped(a, end, 6);
        case AML_X_POWER_RES:           /* SystemLevel, ResourceOrder (word) */
            a->pos += 2;
            return scoped(a, end, 3);
        case AML_X_FIELD: case AML_X_INDEX_FIELD: case AML_X_BANK_FIELD: {
            uint8_t op = (uint8_t)acpi_src_byte(&a->src, a->pos + 1);

            a->pos += 2;
            return acpi_aml_field(a, end, op);
        }
        case AML_X_REGION:
            a->pos += 2;
            return acpi_aml_region(a, end);
        }
        break;
    }
    /* Statements and expressions share their encodings. */
    return acpi_aml_term_arg(a, end);
}

static bool term_list(struct aml *a, uint32_t end)
{
    if (!enter(a))
        return false;
    while (a->pos < end) {
        uint32_t at = a->pos;

        if (!term(a, end)) {
            a->pos = at;
            a->depth--;
            return false;
        }
    }
    a->depth--;
    return true;
}

void acpi_aml_scan_init(struct aml_scan *s, struct acpi_platform *p, const struct acpi_io *io, void *scratch,
                        size_t size)
{
    /* A quarter of the scratch (at most 4 KiB) is the window onto the
     * table; the rest, 8-byte aligned, holds methods and objects, half
     * each. */
    uint8_t *buf = scratch;
    size_t win = size / 4 < 4096 ? size / 4 : 4096;
    uintptr_t m = ((uintptr_t)(buf + win) + 7) & ~(uintptr_t)7;
    size_t left = (size_t)(buf + size - (uint8_t *)m);

    memset(s, 0, sizeof *s);
    s->p = p;
    s->io = io;
    s->win = buf;
    s->win_cap = (uint32_t)win;
    s->methods = (uint64_t *)m;
    s->methods_cap = (uint32_t)(left / 2 / 8);
    memset(s->methods, 0, s->methods_cap * sizeof s->methods[0]);
    s->objs = (struct aml_obj *)(m + s->methods_cap * 8);
    s->objs_cap = (uint32_t)((left - s->methods_cap * 8) / sizeof *s->objs);
    memset(s->objs, 0, s->objs_cap * sizeof *s->objs);
}

void acpi_aml_scan_table(struct aml_scan *s, uint64_t pa, uint32_t len, uint8_t table)
{
    struct aml a;

    memset(&a, 0, sizeof a);
    a.s = s;
    a.table = table;
    acpi_sx_table_name(table, a.tname);
    acpi_src_init(&a.src, s->io, pa, len, s->win, s->win_cap);
    a.pos = 36;             /* the AML follows the header */
    a.last_if = -1;
    block(&a, len, false);
}
