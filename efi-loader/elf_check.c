/* SPDX-License-Identifier: MIT */
#include "elf_check.h"

#include <string.h>

#include "fmt.h"

/* ELF-64 object file format, version 1.5 (and the System V gABI). */
#define EI_NIDENT 16
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define ET_EXEC 2
#define EM_X86_64 62
#define PT_LOAD 1
#define PF_X 1

struct elf64_ehdr {
    unsigned char ident[EI_NIDENT];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF-64 header");

struct elf64_phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
};
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF-64 program header");

#define FAIL(code, ...)                                   \
    do {                                                  \
        if (msg && msglen)                                \
            smx_snprintf(msg, msglen, __VA_ARGS__);       \
        return code;                                      \
    } while (0)

enum elf_err elf_check(const void *file, size_t len, uint64_t vbase, uint64_t max_size,
                       struct elf_plan *plan, char *msg, size_t msglen)
{
    struct elf64_ehdr eh;

    memset(plan, 0, sizeof *plan);
    if (len < sizeof eh)
        FAIL(ELF_TOO_SMALL, "%zu bytes is too small for an ELF header", len);
    memcpy(&eh, file, sizeof eh);
    if (memcmp(eh.ident, "\177ELF", 4))
        FAIL(ELF_BAD_MAGIC, "not an ELF file (magic %02x %02x %02x %02x)", eh.ident[0], eh.ident[1],
             eh.ident[2], eh.ident[3]);
    if (eh.ident[4] != ELFCLASS64 || eh.ident[5] != ELFDATA2LSB)
        FAIL(ELF_NOT_64BIT_LE, "not a 64-bit little-endian ELF (class %u, data %u)", eh.ident[4], eh.ident[5]);
    if (eh.type != ET_EXEC)
        FAIL(ELF_NOT_EXECUTABLE, "ELF type %u is not an executable", eh.type);
    if (eh.machine != EM_X86_64)
        FAIL(ELF_WRONG_MACHINE, "ELF machine %u is not x86-64 (%u)", eh.machine, EM_X86_64);
    if (eh.phentsize != sizeof(struct elf64_phdr) || eh.phnum == 0 || eh.phoff > len ||
        (uint64_t)eh.phnum * sizeof(struct elf64_phdr) > len - eh.phoff)
        FAIL(ELF_BAD_PROGRAM_HEADERS, "program headers (%u of %u bytes at %#llx) do not fit the %zu-byte file",
             eh.phnum, eh.phentsize, (unsigned long long)eh.phoff, len);

    uint64_t end = vbase + max_size;
    for (unsigned i = 0; i < eh.phnum; i++) {
        struct elf64_phdr ph;
        memcpy(&ph, (const char *)file + eh.phoff + i * sizeof ph, sizeof ph);
        if (ph.type != PT_LOAD || ph.memsz == 0)
            continue;
        if (plan->nseg == ELF_MAX_SEGMENTS)
            FAIL(ELF_TOO_MANY_SEGMENTS, "more than %d loadable segments", ELF_MAX_SEGMENTS);
        if (ph.filesz > ph.memsz)
            FAIL(ELF_SEGMENT_FILESZ_GT_MEMSZ, "segment %u: file size %#llx > memory size %#llx", i,
                 (unsigned long long)ph.filesz, (unsigned long long)ph.memsz);
        if (ph.offset > len || ph.filesz > len - ph.offset)
            FAIL(ELF_SEGMENT_OUTSIDE_FILE, "segment %u: bytes %#llx+%#llx lie outside the %zu-byte file", i,
                 (unsigned long long)ph.offset, (unsigned long long)ph.filesz, len);
        if (ph.vaddr < vbase || ph.vaddr >= end || ph.memsz > end - ph.vaddr)
            FAIL(ELF_SEGMENT_OUT_OF_RANGE, "segment %u: %#llx+%#llx is outside %#llx+%#llx", i,
                 (unsigned long long)ph.vaddr, (unsigned long long)ph.memsz, (unsigned long long)vbase,
                 (unsigned long long)max_size);
        for (unsigned j = 0; j < plan->nseg; j++) {
            const struct elf_segment *o = &plan->seg[j];
            if (ph.vaddr < o->vaddr + o->memsz && o->vaddr < ph.vaddr + ph.memsz)
                FAIL(ELF_SEGMENTS_OVERLAP, "segment %u (%#llx+%#llx) overlaps another at %#llx+%#llx", i,
                     (unsigned long long)ph.vaddr, (unsigned long long)ph.memsz,
                     (unsigned long long)o->vaddr, (unsigned long long)o->memsz);
        }
        plan->seg[plan->nseg++] = (struct elf_segment){
            .vaddr = ph.vaddr, .memsz = ph.memsz, .offset = ph.offset, .filesz = ph.filesz, .flags = ph.flags,
        };
        uint64_t top = ph.vaddr + ph.memsz - vbase;
        if (top > plan->image_size)
            plan->image_size = top;
    }
    if (plan->nseg == 0)
        FAIL(ELF_NO_SEGMENTS, "no loadable segments");
    for (unsigned j = 0; j < plan->nseg; j++) {
        const struct elf_segment *s = &plan->seg[j];
        if ((s->flags & PF_X) && eh.entry >= s->vaddr && eh.entry < s->vaddr + s->memsz) {
            plan->entry = eh.entry;
            plan->image_size = (plan->image_size + 4095) & ~4095ull;
            return ELF_OK;
        }
    }
    FAIL(ELF_ENTRY_NOT_IN_CODE, "entry point %#llx is not inside an executable segment",
         (unsigned long long)eh.entry);
}
