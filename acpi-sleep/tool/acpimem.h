/* SPDX-License-Identifier: MIT */
/*
 * acpimem: a physical-memory image made of ACPI tables, for the host tool
 * and the tests (hosted only). It gives acpi-sleep the same acpi_io it
 * gets in the VMM, backed by:
 *
 *   - acpidump's text output: every table at its real address, RSDP too
 *     (or laid out as a directory's are, when the dump has no addresses);
 *   - a directory of table files (/sys/firmware/acpi/tables, acpixtract's
 *     *.dat, iasl's *.aml): their addresses are not known, so the tables
 *     are laid out in a synthetic region with a synthetic RSDP, XSDT and
 *     RSDT, except the DSDT and FACS, which go where the FADT says;
 *   - the running machine: /dev/mem, if the kernel allows reading it.
 */
#ifndef ACPIMEM_H
#define ACPIMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acpi_sleep.h"

/* Where a directory's tables go: below 4 GiB so that the RSDT can list
 * them too, in what is the PCI hole on real machines. */
#define ACPIMEM_SYNTH_BASE 0xf0000000ull

struct acpimem_region {
    uint64_t pa;
    size_t len;
    uint8_t *data;
    char label[24];
};

#define ACPIMEM_NOTES 16

struct acpimem {
    struct acpimem_region *r;
    size_t n, cap;
    uint64_t rsdp;          /* 0 if unknown */
    int devmem;             /* fd of /dev/mem, or -1 */
    bool synthetic;         /* addresses made up (directory input) */
    char source[256];       /* what the image was made from, for reports */
    /* Input that is not a table ("x.bin: not an ACPI table: ..."). */
    unsigned n_notes, notes_lost;
    char notes[ACPIMEM_NOTES][200];
};

/* Keep a message about the input (printf-style). */
void acpimem_note(struct acpimem *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Is this file's content an ACPI table? NULL if so, else why not. */
const char *acpimem_not_table(const uint8_t *data, size_t len, char *why, size_t size);

/* Tables without addresses laid out as a directory's are (tabledir.c):
 * name orders them (natural order), data/len their bytes. */
struct acpimem_file {
    char *name;
    uint8_t *data;
    size_t len;
};
int acpimem_layout(struct acpimem *m, struct acpimem_file *files, size_t n, char *err, size_t errlen);

void acpimem_init(struct acpimem *m);
void acpimem_free(struct acpimem *m);
/* Copy len bytes to physical address pa. Returns false on overlap or OOM. */
bool acpimem_map(struct acpimem *m, uint64_t pa, const void *data, size_t len, const char *label);
/* The region that holds [pa, pa+len), or NULL. */
struct acpimem_region *acpimem_find(struct acpimem *m, uint64_t pa, size_t len);
/* read_phys/write_phys over the regions (and /dev/mem when open). */
struct acpi_io acpimem_io(struct acpimem *m);

/* "DSDT @ 0x..." : a line that starts a table in acpidump's output. */
bool acpimem_is_acpidump_header(const char *line);

/* Loaders: 0 on success, else -1 with a message in err. */
int acpimem_load_acpidump(struct acpimem *m, const char *path, char *err, size_t errlen);
int acpimem_load_dir(struct acpimem *m, const char *dir, char *err, size_t errlen);
/* Tables from a list of files (same layout as a directory). */
int acpimem_load_files(struct acpimem *m, const char *const *paths, size_t n, char *err, size_t errlen);
/* This machine: RSDP from the EFI system table or the BIOS areas, tables
 * through /dev/mem. */
int acpimem_load_live(struct acpimem *m, char *err, size_t errlen);

#endif
