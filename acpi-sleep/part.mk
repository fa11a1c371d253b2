# SPDX-License-Identifier: MIT
# acpi-sleep/: ACPI table discovery, \_Sx_ from AML, the sleep registers and
# their decoder, FACS waking vectors, the CMOS RTC alarm. A library for the
# VMM (fs), the loader (efi) and the host tool and tests.

INCLUDES += -Iacpi-sleep/include

LIBS += acpisleep
acpisleep.srcs := $(addprefix acpi-sleep/, error.c src.c tables.c discover.c fadt.c facs.c \
    aml_scan.c aml_name.c aml_obj.c aml_eval.c aml_sx.c traps.c reg.c decode.c date.c rtc.c)

ALL += $(call libpath,acpisleep,fs) $(call libpath,acpisleep,efi)

# The host side: a memory image made from acpidump output, table files or
# /dev/mem (for the tool and the tests), and the tool itself.
LIBS += acpimem
acpimem.srcs := $(addprefix acpi-sleep/tool/, acpimem.c acpidump.c tabledir.c live.c)
acpimem.worlds := host asan

TOOLS += sleepmux-acpi
sleepmux-acpi.srcs := $(addprefix acpi-sleep/tool/, main.c report.c verdict.c ports.c fwdata.c)
sleepmux-acpi.libs := acpimem acpisleep

# ASL fixtures, compiled by iasl at build time: one directory of tables per
# platform under $(ACPI_FIX); a platform without its own FADT, FACS or DSDT
# takes the one in asl/common. -vw 6166 lets a fixture declare _Sx outside
# the root scope, which iasl otherwise refuses and the scanner must ignore.
ASL_DIR := tests/fixtures/acpi-sleep/asl
ACPI_FIX := $(B)/fixtures/acpi-sleep
ACPI_PLATFORMS := $(notdir $(wildcard $(ASL_DIR)/*))
asl_src = $(firstword $(wildcard $(ASL_DIR)/$(1)/$(2).asl) $(ASL_DIR)/common/$(2).asl)
asl_tables = facp facs dsdt $(basename $(notdir $(wildcard $(ASL_DIR)/$(1)/ssdt*.asl)))

define asl_table
$(ACPI_FIX)/$(1)/$(2).aml: $(call asl_src,$(1),$(2))
	$$(call say,IASL,$$@)
	@mkdir -p $$(@D)
	$$(Q)iasl -vw 6166 -p $$(basename $$@) $$< >$$(basename $$@).log 2>&1 || { cat $$(basename $$@).log; exit 1; }
ACPI_FIXTURES += $(ACPI_FIX)/$(1)/$(2).aml
endef
ACPI_FIXTURES :=
$(foreach p,$(ACPI_PLATFORMS),$(foreach t,$(call asl_tables,$(p)),$(eval $(call asl_table,$(p),$(t)))))
ALL += $(ACPI_FIXTURES)
$(B)/asan/unit: $(ACPI_FIXTURES)

UNIT_SRCS += $(wildcard tests/unit/acpi-sleep/*.c)

# Fuzzing: the table walker (from the RSDP, on arbitrary memory) and the
# AML scanner (on one definition block). Seeds: the real and iasl-built
# fixtures (tests/fuzz/acpi_sleep_seeds.py).
FUZZERS += acpi_sleep_tables acpi_sleep_aml
acpi_sleep_tables.srcs := tests/fuzz/acpi_sleep_tables.c
acpi_sleep_tables.libs := acpisleep
acpi_sleep_aml.srcs := tests/fuzz/acpi_sleep_aml.c
acpi_sleep_aml.libs := acpisleep

ACPI_SEEDS := $(B)/fuzz/seeds/acpi_sleep_tables/.made
ACPI_SEED_INPUTS := $(addprefix $(ACPI_FIX)/,$(ACPI_PLATFORMS)) \
    tests/fixtures/acpi-sleep/q35/acpidump.txt tests/fixtures/acpi-sleep/pc/acpidump.txt \
    tests/fixtures/acpi-sleep/q35-nos3/acpidump.txt
$(ACPI_SEEDS): tests/fuzz/acpi_sleep_seeds.py $(ACPI_FIXTURES) tests/fixtures/acpi-sleep/q35/acpidump.txt \
               tests/fixtures/acpi-sleep/pc/acpidump.txt tests/fixtures/acpi-sleep/q35-nos3/acpidump.txt
	$(call say,SEEDS,$(@D))
	$(Q)$(PYTHON) $< $(@D) $(B)/fuzz/seeds/acpi_sleep_aml $(ACPI_SEED_INPUTS)
	@touch $@
ALL += $(ACPI_SEEDS)

check-acpi-sleep: $(B)/bin/sleepmux-acpi $(ACPI_FIXTURES) $(call libpath,acpisleep,fs) $(call libpath,acpisleep,efi)
	@echo "== acpi-sleep: freestanding library, sleepmux-acpi verdicts"
	@acpi-sleep/tool/check.sh $(B)
CHECKS += check-acpi-sleep

# The RTC alarm against QEMU's RTC and PM1 models: a guest arms it through
# sleepmux-acpi, suspends, and must be woken by it (about 40 s, emulator lock).
check-acpi-sleep-rtc: $(B)/bin/sleepmux-acpi $(B)/guest/vmlinuz
	@echo "== acpi-sleep: RTC alarm wakes a QEMU q35 guest from S3"
	@$(PYTHON) tests/fixtures/acpi-sleep/qemu/rtc_wake.py --chipset q35
CHECKS += check-acpi-sleep-rtc

TOOLS += acpi-sleep-bench
acpi-sleep-bench.srcs := acpi-sleep/tool/bench.c
acpi-sleep-bench.libs := acpimem acpisleep

bench-acpi-sleep: $(B)/bin/acpi-sleep-bench
	@echo "== acpi-sleep: discovery and decoding, as ratios to copying the tables"
	@$(B)/bin/acpi-sleep-bench tests/fixtures/acpi-sleep/q35/acpidump.txt tests/fixtures/acpi-sleep/pc/acpidump.txt
BENCHES += bench-acpi-sleep
