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
    unsigned cond;          /* enclosing If/Else/While blocks */
    /* The current scope is stack[base, top); outer scopes lie below. */
    uint32_t stack[AML_SCOPE_SEGS];
    uint32_t base, top;
    /* The first problem of the term being parsed. */
    bool bad;
    struct acpi_error err;
};

#define SEG(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)

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

/* aml_scan.c: TermArg (§20.2.5), used by aml_sx.c for VarPackage sizes. */
bool acpi_aml_term_arg(struct aml *a, uint32_t end);

#endif
