/* SPDX-License-Identifier: MIT */
/*
 * The loader's ELF checker against the real vmm.elf and copies of it broken
 * in each way the loader must refuse.
 */
#include <criterion/criterion.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../../efi-loader/elf_check.h"
#include "bootinfo.h"

#define MAX (16ull << 20)

static unsigned char *img;
static size_t len;

static void load(void)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/fs/vmm.elf", getenv("SMX_BUILD") ? getenv("SMX_BUILD") : "build");
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s (run make first)", path);
    fseek(f, 0, SEEK_END);
    len = (size_t)ftell(f);
    rewind(f);
    img = malloc(len);
    cr_assert_eq(fread(img, 1, len, f), len);
    fclose(f);
}

static void unload(void)
{
    free(img);
}

TestSuite(elf_check, .init = load, .fini = unload);

static enum elf_err check(char *msg, size_t msglen)
{
    struct elf_plan plan;
    return elf_check(img, len, SMX_VMM_VBASE, MAX, &plan, msg, msglen);
}

static Elf64_Ehdr *eh(void) { return (Elf64_Ehdr *)img; }
static Elf64_Phdr *ph(unsigned i) { return (Elf64_Phdr *)(img + eh()->e_phoff) + i; }

static unsigned first_load(void)
{
    for (unsigned i = 0; i < eh()->e_phnum; i++)
        if (ph(i)->p_type == PT_LOAD)
            return i;
    cr_assert_fail("no PT_LOAD in vmm.elf");
    return 0;
}

Test(elf_check, real_vmm_elf_is_accepted_with_a_sane_plan)
{
    struct elf_plan plan;
    char msg[160] = "";

    cr_assert_eq(elf_check(img, len, SMX_VMM_VBASE, MAX, &plan, msg, sizeof msg), ELF_OK, "%s", msg);
    cr_assert_eq(plan.entry, eh()->e_entry);
    cr_assert_geq(plan.nseg, 2);
    cr_assert_eq(plan.image_size % 4096, 0);
    for (unsigned i = 0; i < plan.nseg; i++) {
        cr_assert_geq(plan.seg[i].vaddr, SMX_VMM_VBASE);
        cr_assert_leq(plan.seg[i].vaddr + plan.seg[i].memsz, SMX_VMM_VBASE + plan.image_size);
    }
}

Test(elf_check, bad_magic)
{
    char msg[160];
    img[1] = 'X';
    cr_assert_eq(check(msg, sizeof msg), ELF_BAD_MAGIC);
    cr_assert(strstr(msg, "not an ELF"), "%s", msg);
}

Test(elf_check, wrong_machine_names_both)
{
    char msg[160];
    eh()->e_machine = EM_386;
    cr_assert_eq(check(msg, sizeof msg), ELF_WRONG_MACHINE);
    cr_assert(strstr(msg, "machine 3 ") && strstr(msg, "(62)"), "%s", msg);
}

Test(elf_check, 32_bit_and_not_executable)
{
    img[EI_CLASS] = ELFCLASS32;
    cr_assert_eq(check(NULL, 0), ELF_NOT_64BIT_LE);
    img[EI_CLASS] = ELFCLASS64;
    eh()->e_type = ET_DYN;
    cr_assert_eq(check(NULL, 0), ELF_NOT_EXECUTABLE);
}

Test(elf_check, truncated_anywhere_is_refused_never_read_past)
{
    /* Every prefix shorter than the last byte a segment needs is refused. */
    size_t need = 0;
    for (unsigned i = 0; i < eh()->e_phnum; i++)
        if (ph(i)->p_type == PT_LOAD && ph(i)->p_offset + ph(i)->p_filesz > need)
            need = ph(i)->p_offset + ph(i)->p_filesz;
    for (size_t cut = 0; cut < need; cut += cut < 256 ? 1 : 997) {
        struct elf_plan plan;
        unsigned char *copy = malloc(cut ? cut : 1); /* exact size: ASan catches overreads */
        memcpy(copy, img, cut);
        cr_assert_neq(elf_check(copy, cut, SMX_VMM_VBASE, MAX, &plan, NULL, 0), ELF_OK, "cut at %zu", cut);
        free(copy);
    }
}

Test(elf_check, program_headers_outside_file)
{
    eh()->e_phoff = len - 10;
    cr_assert_eq(check(NULL, 0), ELF_BAD_PROGRAM_HEADERS);
}

Test(elf_check, segment_outside_file)
{
    char msg[160];
    ph(first_load())->p_offset = len - 16; /* the segment's bytes run off the end */
    cr_assert_eq(check(msg, sizeof msg), ELF_SEGMENT_OUTSIDE_FILE);
    cr_assert(strstr(msg, "outside the"), "%s", msg);
}

Test(elf_check, segment_below_or_beyond_the_region)
{
    ph(first_load())->p_vaddr = SMX_VMM_VBASE - 4096;
    cr_assert_eq(check(NULL, 0), ELF_SEGMENT_OUT_OF_RANGE);
    ph(first_load())->p_vaddr = SMX_VMM_VBASE + MAX - 4096;
    cr_assert_eq(check(NULL, 0), ELF_SEGMENT_OUT_OF_RANGE);
    ph(first_load())->p_vaddr = SMX_VMM_VBASE;
    ph(first_load())->p_memsz = UINT64_MAX - 10; /* wraps if added carelessly */
    cr_assert_eq(check(NULL, 0), ELF_SEGMENT_OUT_OF_RANGE);
}

Test(elf_check, overlapping_segments)
{
    unsigned a = first_load(), b = a + 1;
    cr_assert_eq(ph(b)->p_type, PT_LOAD);
    ph(b)->p_vaddr = ph(a)->p_vaddr + 16;
    cr_assert_eq(check(NULL, 0), ELF_SEGMENTS_OVERLAP);
}

Test(elf_check, filesz_larger_than_memsz)
{
    Elf64_Phdr *p = ph(first_load());
    p->p_memsz = p->p_filesz - 1;
    cr_assert_eq(check(NULL, 0), ELF_SEGMENT_FILESZ_GT_MEMSZ);
}

Test(elf_check, entry_outside_code)
{
    eh()->e_entry = SMX_VMM_VBASE + MAX + 8;
    cr_assert_eq(check(NULL, 0), ELF_ENTRY_NOT_IN_CODE);
    /* Inside a segment, but a non-executable one. */
    for (unsigned i = 0; i < eh()->e_phnum; i++)
        if (ph(i)->p_type == PT_LOAD && !(ph(i)->p_flags & PF_X))
            eh()->e_entry = ph(i)->p_vaddr;
    cr_assert_eq(check(NULL, 0), ELF_ENTRY_NOT_IN_CODE);
}

Test(elf_check, no_loadable_segments)
{
    for (unsigned i = 0; i < eh()->e_phnum; i++)
        ph(i)->p_type = PT_NOTE;
    cr_assert_eq(check(NULL, 0), ELF_NO_SEGMENTS);
}
