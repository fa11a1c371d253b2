/* SPDX-License-Identifier: MIT */
/*
 * The AML scanner's shared state (aml_scan.c walks the structure,
 * aml_name.c reads names and keeps the method table, aml_sx.c reads \_Sx_
 * values and decides what they mean).
 */
#ifndef ACPI_SLEEP_AML_H
#define ACPI_SLEEP_AML_H

#include "internal.h"
#include "spec.h"

/* Path segments of all enclosing scopes together (each scope's absolute
 * path is pushed whole; real tables use a few dozen). */
#define AML_SCOPE_SEGS 256

/* A NameString as written (§20.2.2). */
struct aml_name {
    bool root;              /* starts with '\' */
    uint8_t up;             /* number of '^' */
    uint8_t n;              /* segments */
    uint32_t seg[ACPI_AML_MAX_SEGS];
};

struct aml {
    struct aml_scan *s;
    struct src src;
    uint8_t table;          /* 0 DSDT, n SSDT[n-1] */
    char tname[16];
    uint32_t pos;
    unsigned depth;
    unsigned cond;          /* enclosing If/Else/While blocks whose predicate is not decided */
    unsigned dead;          /* enclosing blocks an OS never runs (predicate false) */
    uint8_t decided;        /* ACPI_SXD_IF_TRUE / ACPI_SXD_LIVE of the enclosing decided blocks */
    uint8_t cond_idx;       /* acpi_sxdef.cond for definitions here */
    int8_t last_if;         /* enum aml_pred of the If just before, for an Else; -1 none */
    uint8_t last_if_cond;   /* and its acpi_sxdef.cond */
    bool last_if_live;
    /* What the predicate being evaluated reads (aml_eval.c). */
    struct acpi_cond pend;
    bool pend_field, pend_code;
    char pend_what[48];     /* what stopped evaluation (for ACPI_COND_CODE) */
    /* The current scope is stack[base, top); outer scopes lie below. */
    uint32_t stack[AML_SCOPE_SEGS];
    uint32_t base, top;
    /* The first problem of the term being parsed. */
    bool bad;
    struct acpi_error err;
};

#define SEG(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)

/* Flags for a \_Sx_ definition found here. */
static inline uint8_t aml_def_flags(const struct aml *a)
{
    return (uint8_t)((a->cond ? ACPI_SXD_CONDITIONAL : 0) | a->decided);
}

/* Fail the current term (the first problem wins); returns false. */
bool acpi_aml_bad(struct aml *a, enum acpi_status st, const char *msg, uint32_t at, uint64_t got);

/* Read bytes, bounded by end. */
static inline int acpi_aml_peek(struct aml *a, uint32_t end)
{
    return a->pos < end ? acpi_src_byte(&a->src, a->pos) : -1;
}
bool acpi_aml_u8(struct aml *a, uint32_t end, uint8_t *v);
bool acpi_aml_uint(struct aml *a, uint32_t end, unsigned bytes, uint64_t *v);
/* PkgLength (§20.2.4): *pkg_end is where the package ends. */
bool acpi_aml_pkg_length(struct aml *a, uint32_t end, uint32_t *pkg_end);

/* aml_name.c */
bool acpi_aml_is_name_start(int c);
bool acpi_aml_name_string(struct aml *a, uint32_t end, struct aml_name *n);
/* 0..5 if n names \_Sx_ from the current scope, else -1. */
int acpi_aml_sx_state(const struct aml *a, const struct aml_name *n);
/* Enter the scope n names (false if the path is unusable or too deep). */
bool acpi_aml_scope_push(struct aml *a, const struct aml_name *n, uint32_t *saved_base, uint32_t *saved_top);
void acpi_aml_scope_pop(struct aml *a, uint32_t saved_base, uint32_t saved_top);
/* Remember that n (from the current scope) is a method taking argc args. */
void acpi_aml_method_add(struct aml *a, const struct aml_name *n, unsigned argc);
/* How many arguments a call of n takes (ACPI's search rules for a lone
 * NameSeg, §5.3); 0 if n is not a known method. */
unsigned acpi_aml_method_args(struct aml *a, const struct aml_name *n);

/* aml_sx.c */
void acpi_aml_sx_add(struct aml *a, unsigned state, const struct acpi_sxdef *d);
/* At a.pos: the value of Name(\_Sx_, value); records a definition. */
bool acpi_aml_sx_name(struct aml *a, uint32_t end, unsigned state, uint32_t def_at, uint8_t flags);
/* A Method \_Sx_ whose body is [body, end): its Return(Package)s. */
void acpi_aml_sx_method(struct aml *a, uint32_t body, uint32_t end, unsigned state, uint32_t def_at, uint8_t flags);
/* Byte-scan [from, end), AML the parser could not follow, for anything
 * that may define \_Sx_. */
void acpi_aml_sx_byte_scan(struct aml *a, uint32_t from, uint32_t end);

/* aml_scan.c: TermArg (§20.2.5), used by aml_sx.c for VarPackage sizes;
 * SuperName (a target: a Name it writes is no longer constant). */
bool acpi_aml_term_arg(struct aml *a, uint32_t end);
bool acpi_aml_super_name(struct aml *a, uint32_t end, bool target);

/* aml_name.c: path hashes and the search rules, shared with aml_obj.c. */
bool acpi_aml_resolve_keep(const struct aml *a, const struct aml_name *n, uint32_t *keep);
uint64_t acpi_aml_path_hash(const struct aml *a, uint32_t keep, const struct aml_name *n);
/* n names a method (searched as a call is): its argument count. */
bool acpi_aml_method_find(struct aml *a, const struct aml_name *n, unsigned *argc);
/* "\_SB.PCI0.DAS3" for n from scope[0, keep). */
void acpi_aml_path_string(const struct aml *a, uint32_t keep, const struct aml_name *n, char *buf, size_t size);

/* aml_obj.c: integer Names, OperationRegions, fields. */
enum aml_obj_kind {
    AML_OBJ_INT = 1,
    AML_OBJ_INT_CHANGED,    /* written by load-time code: not constant */
    AML_OBJ_REGION,
    AML_OBJ_FIELD,
    AML_OBJ_INDEX_FIELD,    /* of an IndexField or BankField */
    AML_OBJ_OTHER,          /* any other Name: shadows outer ones of its name */
};
#define AML_OBJ_ADDR_KNOWN 1u
/* A new object named n in the current scope (NULL in dead code or when
 * the table is full, which a note says once). */
struct aml_obj *acpi_aml_obj_add(struct aml *a, const struct aml_name *n, uint8_t kind);
/* The object n names, by the search rules; *keep, *n_out say where. */
struct aml_obj *acpi_aml_obj_find(struct aml *a, const struct aml_name *n, uint32_t *keep);
/* A target write to n at load time. */
void acpi_aml_obj_written(struct aml *a, const struct aml_name *n);

/* aml_eval.c: predicates. */
enum aml_pred { AML_PRED_FALSE = 0, AML_PRED_TRUE, AML_PRED_UNDECIDED };
/* Evaluate the predicate at a->pos; fills a->pend when undecided (or
 * decided by a live read). False if it cannot be parsed. */
bool acpi_aml_predicate(struct aml *a, uint32_t end, enum aml_pred *pred);
/* Keep a->pend in the platform; the acpi_sxdef.cond for it (0 if lost). */
uint8_t acpi_aml_cond_keep(struct aml *a, uint32_t if_at);
/* OperationRegion, Field, IndexField, BankField at a->pos (after the opcode). */
bool acpi_aml_region(struct aml *a, uint32_t end);
bool acpi_aml_field(struct aml *a, uint32_t end, uint8_t op);

#endif
