# SPDX-License-Identifier: MIT
# tests/bochs/: the Bochs test kit's UEFI applications (gnu-efi, efi world),
# never installed on a machine:
#   bochs-acpi.efi   installs the FADT/FACS/DSDT OVMF lacks under Bochs, then
#                    chain-loads the sleepmux loader
#   bochs-probe.efi  the UEFI-level test guest the loader starts as "the OS"

BOCHS_OUT := $(B)/efi/bochs
BOCHS_GEN := $(B)/gen/bochs

$(BOCHS_GEN)/dsdt.hex: tests/bochs/dsdt.asl
	$(call say,IASL,$@)
	@mkdir -p $(@D)
	$(Q)iasl -p $(BOCHS_GEN)/dsdt -tc $< >$(BOCHS_GEN)/iasl.log 2>&1 || { cat $(BOCHS_GEN)/iasl.log; exit 1; }

$(call objs,tests/bochs/acpi_tables.c,efi): $(BOCHS_GEN)/dsdt.hex
$(B)/efi/tests/bochs/%.o: XFLAGS := -I$(BOCHS_GEN)

# $(1): output name, $(2): sources
define bochs_app
$(BOCHS_OUT)/$(1).so: $(call objs,$(2),efi)
	$$(call say,LINK,$$@)
	@mkdir -p $$(@D)
	$$(Q)$$(LD) -nostdlib -znocombreloc -T $$(GNUEFI_LDS) -shared -Bsymbolic --no-undefined \
	    -L$$(GNUEFI_LIBDIR) $$(GNUEFI_CRT0) $$^ -lefi -lgnuefi -o $$@
$(BOCHS_OUT)/$(1).efi: $(BOCHS_OUT)/$(1).so
	$$(call say,EFI,$$@)
	$$(Q)$$(OBJCOPY) -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel -j .rela \
	    -j '.rel.*' -j '.rela.*' -j .reloc --target efi-app-x86_64 --subsystem=10 $$< $$@
ALL += $(BOCHS_OUT)/$(1).efi
endef
$(eval $(call bochs_app,bochs-acpi,tests/bochs/acpi_tables.c))
$(eval $(call bochs_app,bochs-probe,tests/bochs/probe.c))
