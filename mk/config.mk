# SPDX-License-Identifier: MIT
# Toolchains and flags, one set per "world". Every C file of the project is
# compiled by the pattern rules in mk/rules.mk into build/<world>/<path>.o, so
# the same library source builds once per world that asks for it:
#
#   host   hosted tools and benchmarks (-O2, links Debian's liblz4/libbearssl)
#   asan   the unit-test binary: hosted, with AddressSanitizer and UBSan
#   fs     freestanding x86-64 for the VMM (kernel code model, no SSE, no libc)
#   efi    freestanding PIC for the gnu-efi loader
#   fuzz   clang + libFuzzer + ASan/UBSan

B := build
CC := gcc
CLANG := clang
AR := ar
LD := ld
OBJCOPY := objcopy
NM := nm
PYTHON := python3

GCC_INC := $(shell $(CC) -print-file-name=include)

# Our own code is warning-clean; third-party code is built with -w.
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wno-unused-parameter -Werror=implicit-function-declaration \
        -Werror=incompatible-pointer-types -Werror=int-conversion -Werror=return-type

COMMON := -std=gnu11 -g -MMD -MP -fno-common

CFLAGS_host := $(COMMON) -O2 -D_GNU_SOURCE -DSMX_HOSTED=1
CFLAGS_asan := $(COMMON) -O1 -D_GNU_SOURCE -DSMX_HOSTED=1 -fno-omit-frame-pointer \
               -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDFLAGS_asan := -fsanitize=address,undefined

# Freestanding: no libc headers at all, only the compiler's own (stdint.h,
# stddef.h, stdbool.h, stdarg.h, limits.h) plus the tiny libc subset in
# vmm/libc/include. No red zone (exceptions and VM exits land on our stack),
# no SSE/x87 (the VMM never saves the guest's FPU state), kernel code model
# (the VMM is linked in the top 2 GiB of its own address space).
FS_BASE := $(COMMON) -O2 -ffreestanding -nostdinc -isystem $(GCC_INC) -Ivmm/libc/include \
           -mno-red-zone -mgeneral-regs-only -fno-stack-protector \
           -fno-asynchronous-unwind-tables -fcf-protection=none -fno-omit-frame-pointer \
           -DSMX_FREESTANDING=1
CFLAGS_fs := $(FS_BASE) -mcmodel=kernel -fno-pic -fno-pie
CFLAGS_efi := $(FS_BASE) -fpic -fshort-wchar -maccumulate-outgoing-args \
              -DGNU_EFI_USE_MS_ABI -DSMX_EFI=1 -isystem /usr/include/efi -isystem /usr/include/efi/x86_64

CFLAGS_fuzz := $(COMMON) -O1 -D_GNU_SOURCE -DSMX_HOSTED=1 -DSMX_FUZZING=1 \
               -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
LDFLAGS_fuzz := -fsanitize=fuzzer,address,undefined
CC_fuzz := $(CLANG)
CC_host := $(CC)
CC_asan := $(CC)
CC_fs := $(CC)
CC_efi := $(CC)

ASFLAGS_fs := -g -MMD -MP -D__ASSEMBLY__ -Ivmm/include
ASFLAGS_efi := -g -MMD -MP -D__ASSEMBLY__

WORLDS := host asan fs efi fuzz

# Hosted worlds link Debian's binary libraries; the freestanding worlds build
# LZ4 and BearSSL from Debian's source packages (mk/third-party.mk).
HOSTED_LIBS := -llz4 -lbearssl

GNUEFI_LDS := /usr/lib/elf_x86_64_efi.lds
GNUEFI_CRT0 := /usr/lib/crt0-efi-x86_64.o
GNUEFI_LIBDIR := /usr/lib

# The version every binary reports.
SMX_VERSION := $(shell git describe --always --dirty --tags 2>/dev/null || echo unknown)

# Outputs more than one part refers to, named once here: part.mk files are
# included in alphabetical order, and a variable one part.mk defines is still
# empty when an earlier one expands it in a rule.
GUEST := $(B)/guest
GUEST_MEM_A := $(GUEST)/mem-A.raw
VMM_ELF := $(B)/fs/vmm.elf
LOADER_EFI := $(B)/efi/sleepmux.efi
