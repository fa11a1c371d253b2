# SPDX-License-Identifier: MIT
# efi-loader/: sleepmux.efi, a gnu-efi application. Objects come from the efi
# world (PIC, no SSE, no red zone); gnu-efi's crt0 and linker script turn the
# shared object into a PE32+ image.

LOADER_SRCS := $(wildcard efi-loader/*.c) efi-loader/enter_vmm.S \
               common/idmap.c common/uart.c common/fmt.c
LOADER_LIBS := imagestore lz4 bearssl policy smxlibc
LOADER_SO := $(B)/efi/sleepmux.so

$(call objs,$(LOADER_SRCS),efi): $(B)/gen/version.h
$(B)/efi/efi-loader/%.o: XFLAGS := -I$(B)/gen

$(LOADER_SO): $(call objs,$(LOADER_SRCS),efi) $(call libs_for,$(LOADER_LIBS),efi)
	$(call say,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(LD) -nostdlib -znocombreloc -T $(GNUEFI_LDS) -shared -Bsymbolic --no-undefined \
	    -L$(GNUEFI_LIBDIR) $(GNUEFI_CRT0) $^ -lefi -lgnuefi -o $@

$(LOADER_EFI): $(LOADER_SO)
	$(call say,EFI,$@)
	$(Q)$(OBJCOPY) -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel -j .rela \
	    -j '.rel.*' -j '.rela.*' -j .reloc --target efi-app-x86_64 --subsystem=10 $< $@

ALL += $(LOADER_EFI)

# The ELF checker, the memory layout, the store's verdict and the GPT entry
# reader are pure: tested hosted.
LIBS += loaderpure
loaderpure.srcs := efi-loader/elf_check.c efi-loader/layout.c efi-loader/store_check.c efi-loader/gpt_entry.c
loaderpure.worlds := asan
UNIT_SRCS += $(wildcard tests/unit/efi-loader/*.c)
UNIT_DATA += $(VMM_ELF)
