/* SPDX-License-Identifier: MIT */
/*
 * Checking vmm.elf before a byte of it is loaded: the loader trusts nothing
 * on the ESP. Pure code, tested hosted against the real vmm.elf and broken
 * copies of it (tests/unit/efi-loader).
 */
#ifndef SMX_ELF_CHECK_H
#define SMX_ELF_CHECK_H

#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_SEGMENTS 8

enum elf_err {
    ELF_OK = 0,
    ELF_TOO_SMALL,
    ELF_BAD_MAGIC,
    ELF_NOT_64BIT_LE,
    ELF_NOT_EXECUTABLE,
    ELF_WRONG_MACHINE,
    ELF_BAD_PROGRAM_HEADERS,
    ELF_NO_SEGMENTS,
    ELF_TOO_MANY_SEGMENTS,
    ELF_SEGMENT_OUTSIDE_FILE,
    ELF_SEGMENT_OUT_OF_RANGE,
    ELF_SEGMENTS_OVERLAP,
    ELF_SEGMENT_FILESZ_GT_MEMSZ,
    ELF_ENTRY_NOT_IN_CODE,
};

struct elf_segment {
    uint64_t vaddr, memsz, offset, filesz;
    uint32_t flags; /* PF_X 1, PF_W 2, PF_R 4 */
};

struct elf_plan {
    uint64_t entry;
    uint64_t image_size; /* from vbase to the end of the last segment, page-aligned */
    unsigned nseg;
    struct elf_segment seg[ELF_MAX_SEGMENTS];
};

/*
 * Validate an x86-64 executable whose loadable segments must all lie in
 * [vbase, vbase + max_size) without overlapping, inside the file, with the
 * entry point in an executable segment. On error, `msg` (if given) says
 * what is wrong in words that name the segment and the numbers.
 */
enum elf_err elf_check(const void *file, size_t len, uint64_t vbase, uint64_t max_size,
                       struct elf_plan *plan, char *msg, size_t msglen);

#endif
