/* SPDX-License-Identifier: MIT */
/*
 * What the library's files share and the public header does not promise:
 * errors and notes, a small string builder, and `struct src`, the bounded
 * window through which every table byte is read.
 */
#ifndef ACPI_SLEEP_INTERNAL_H
#define ACPI_SLEEP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "acpi_sleep.h"

/* --- building strings without a C library ------------------------------ */

struct sbuf {
    char *buf;
    size_t size, len;       /* len counts what would have been written */
};

void acpi_sb_init(struct sbuf *b, char *buf, size_t size);
void acpi_sb_char(struct sbuf *b, char c);
void acpi_sb_str(struct sbuf *b, const char *s);
void acpi_sb_mem(struct sbuf *b, const char *s, size_t n);   /* printable or '?' */
void acpi_sb_hex(struct sbuf *b, uint64_t v);                /* 0x1f */
void acpi_sb_dec(struct sbuf *b, uint64_t v);

/* --- errors ------------------------------------------------------------ */

/* Fill *e (if not NULL) and return s. msg is a static template:
 *   %o object   %w where   %g got   %x want   (hex)
 *   %G got      %X want    (decimal)   %s the got value as a 4-char signature */
enum acpi_status acpi_fail(struct acpi_error *e, enum acpi_status s, const char *object, const char *msg,
                           uint64_t where, uint64_t got, uint64_t want);
/* Keep a problem discovery survives. */
void acpi_note(struct acpi_platform *p, enum acpi_status s, const char *object, const char *msg,
               uint64_t where, uint64_t got, uint64_t want);
void acpi_note_error(struct acpi_platform *p, const struct acpi_error *e);

/* "SSDT[2] at 0x7ffe1000", "FACP" (index < 0 and pa == 0 leave them out). */
void acpi_object_name(char out[32], const char *sig, int index, uint64_t pa);

/* --- reading tables ---------------------------------------------------- */

/* A table (or any bounded object) in physical memory, read through a
 * window of caller scratch. Offsets are relative to pa; nothing at or after
 * len is ever read. */
struct src {
    const struct acpi_io *io;
    uint64_t pa;
    uint32_t len;
    uint8_t *win;
    uint32_t win_cap;
    uint32_t win_off, win_len;
    bool failed;            /* a read_phys failed: every byte after reads as absent */
};

void acpi_src_init(struct src *s, const struct acpi_io *io, uint64_t pa, uint32_t len, uint8_t *win,
                   uint32_t win_cap);
/* The byte at off, or -1 past the end (or after an I/O failure). */
int acpi_src_byte_slow(struct src *s, uint32_t off);
static inline int acpi_src_byte(struct src *s, uint32_t off)
{
    if (off >= s->win_off && off - s->win_off < s->win_len)
        return s->win[off - s->win_off];
    return acpi_src_byte_slow(s, off);
}
bool acpi_src_read(struct src *s, uint32_t off, void *buf, uint32_t n);
/* Sum of bytes [0, len) mod 256; false if unreadable. */
bool acpi_src_checksum(struct src *s, uint8_t *sum);

/* --- little-endian loads from byte arrays ------------------------------ */

static inline uint16_t le16(const uint8_t *b) { return (uint16_t)(b[0] | b[1] << 8); }
static inline uint32_t le32(const uint8_t *b) { return (uint32_t)le16(b) | (uint32_t)le16(b + 2) << 16; }
static inline uint64_t le64(const uint8_t *b) { return (uint64_t)le32(b) | (uint64_t)le32(b + 4) << 32; }

/* --- between discovery's files ----------------------------------------- */

struct fadt;
/* Fill the FADT-derived fields of p from a zero-extended copy; problems
 * become notes. */
void acpi_fadt_decode(struct acpi_platform *p, const struct fadt *f);
/* Validate the FACS at pa and record its fixed fields in p. */
enum acpi_status acpi_facs_check(struct acpi_platform *p, const struct acpi_io *io, uint64_t pa,
                                 struct acpi_error *err);

/* An integer Name, OperationRegion or field unit, for If predicates
 * (aml_obj.c). */
struct aml_obj {
    uint64_t hash;          /* of its absolute path (never 0); 0: free slot */
    uint64_t value;         /* INT: the value; REGION: address; FIELD: bit offset in the region */
    uint32_t aux;           /* INT: load-time calls before it; REGION: length; FIELD: 1 + slot of
                               the region (0: not known) */
    uint32_t seg;           /* last NameSeg; INDEX_FIELD: the index field's */
    uint16_t bits;          /* FIELD: width; REGION: AML_OBJ_ADDR_KNOWN */
    uint8_t kind;           /* enum aml_obj_kind */
    uint8_t space;          /* REGION: address space id */
    uint8_t access;         /* FIELD: bytes per access */
    uint8_t pad[3];
};
_Static_assert(sizeof(struct aml_obj) == 32, "an object slot is 32 bytes");

/* The AML scanner (aml_*.c): state that lives across the DSDT and SSDTs. */
struct aml_scan {
    struct acpi_platform *p;
    const struct acpi_io *io;
    const struct acpi_fw_access *fw;    /* live evaluation, or NULL */
    uint8_t *win;
    uint32_t win_cap;
    uint64_t *methods;      /* path hash << 3 | argument count */
    uint32_t methods_cap, n_methods;
    bool methods_full;
    struct aml_obj *objs;
    uint32_t objs_cap, n_objs;
    bool objs_full;
    uint32_t calls;         /* method calls seen in load-time code: they may change any Name */
    uint32_t conds_used;    /* bit per p->conds entry a definition refers to */
    /* (the conds kept are a stack: an If's is dropped at its end when unused) */
};

void acpi_aml_scan_init(struct aml_scan *s, struct acpi_platform *p, const struct acpi_io *io, void *scratch,
                        size_t size);
/* Scan one definition block's AML ([36, len) of the table at pa) for
 * \_Sx_ definitions; table is 0 for the DSDT, n for SSDT[n-1]. */
void acpi_aml_scan_table(struct aml_scan *s, uint64_t pa, uint32_t len, uint8_t table);
/* After all tables: decide each \_Sx_'s kind from its definitions. */
void acpi_sx_classify(struct acpi_platform *p);

#endif
