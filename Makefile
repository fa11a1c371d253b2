# SPDX-License-Identifier: MIT
# sleepmux — top-level build. See README.md for the two commands and
# ../DESIGN.md (shared) for the architecture. Each part registers what it
# builds in its own part.mk (mk/rules.mk says how); nothing here names a part.
#
#   make            build everything (installs missing dependencies first)
#   make check      unit tests, static checks, bounded fuzzing, e2e suite
#   make demo       boot the demo scenario in QEMU and print its timeline
#   make bench      benchmarks, printed as ratios against same-run baselines
#   make fuzz       long fuzzing runs (FUZZ_SECONDS per target, default 600)
#   make install ESP=/boot/efi
#   make clean

.DEFAULT_GOAL := all
.SUFFIXES:
SHELL := /bin/bash
MAKEFLAGS += --no-builtin-rules

INCLUDES :=
LIBS :=
TOOLS :=
UNIT_SRCS :=
UNIT_DATA :=
FUZZERS :=
ALL :=
CHECKS :=
BENCHES :=

include mk/config.mk
include mk/third-party.mk

include mk/rules.mk
include $(sort $(wildcard */part.mk */*/part.mk))
$(eval $(expand_registries))

PUBLIC_GOALS := all check demo bench fuzz install

# Every public goal first makes sure the dependencies are there (fast when
# they are), then runs again with the fetched sources visible to make.
ifeq ($(SMX_INNER),)

$(PUBLIC_GOALS): deps
	@$(MAKE) --no-print-directory SMX_INNER=1 $@

deps:
	@./mk/deps.sh

clean:
	rm -rf $(B)

.PHONY: $(PUBLIC_GOALS) deps clean

else

# The version every binary reports; rewritten only when it changes.
$(B)/gen/version.h: FORCE
	@mkdir -p $(@D)
	@printf '#define SMX_VERSION "%s"\n' "$(SMX_VERSION)" > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@
FORCE:

UNIT_BIN := $(B)/asan/unit
has_world = $(filter $(2),$(or $($(1).worlds),host asan fs efi fuzz))
UNIT_LIBS := $(foreach l,$(LIBS),$(if $(call has_world,$(l),asan),$(l)))

$(UNIT_BIN): $(call objs,$(UNIT_SRCS),asan) $(call libs_for,$(UNIT_LIBS),asan)
	$(call say,LINK,$@)
	$(Q)$(CC) $(LDFLAGS_asan) -o $@ $(call objs,$(UNIT_SRCS),asan) \
	    -Wl,--start-group $(call libs_for,$(UNIT_LIBS),asan) -Wl,--end-group \
	    $(HOSTED_LIBS) -lcriterion

all: $(ALL) $(addprefix $(B)/bin/,$(TOOLS)) $(UNIT_BIN)

# Unit tests run from the top of the tree; fixtures are found through these.
export SMX_ROOT := $(CURDIR)
export SMX_BUILD := $(CURDIR)/$(B)

check-unit: $(UNIT_BIN) $(UNIT_DATA)
	@echo "== unit tests (Criterion, ASan+UBSan)"
	@ASAN_OPTIONS=detect_leaks=1 $(UNIT_BIN) --jobs 2

fuzzers: $(addprefix $(B)/fuzz/bin/,$(FUZZERS))

FUZZ_SECONDS ?= 600
check-fuzz: fuzzers
	@echo "== fuzzing, bounded"
	@tests/fuzz/run.sh --seconds 15 $(FUZZERS)

fuzz: fuzzers
	@tests/fuzz/run.sh --seconds $(FUZZ_SECONDS) $(FUZZERS)

# The steps of `make check`, in order. Each part adds its own to CHECKS; all
# run even when one fails, and the summary says which failed.
check: all
	@./mk/deps.sh --pins
	@fail=""; for t in check-unit $(CHECKS) check-fuzz check-e2e; do \
	    $(MAKE) --no-print-directory $$t || fail="$$fail $$t"; \
	done; \
	if [ -n "$$fail" ]; then echo "make check: FAILED:$$fail"; exit 1; fi; \
	echo "make check: all steps passed"

check-e2e: all
	@echo "== end-to-end suite (QEMU/TCG)"
	@$(PYTHON) tests/e2e/run.py --suite check

demo: all
	@$(PYTHON) tests/e2e/run.py --demo

bench: all
	@fail=""; for t in $(BENCHES); do \
	    $(MAKE) --no-print-directory $$t || fail="$$fail $$t"; \
	done; \
	if [ -n "$$fail" ]; then echo "make bench: FAILED:$$fail"; exit 1; fi

ifeq ($(ESP),)
install:
	@echo "usage: make install ESP=/path/to/mounted/efi/system/partition" >&2; exit 2
else
install: all
	@./mk/install.sh "$(ESP)"
endif

deps:
	@./mk/deps.sh

clean:
	rm -rf $(B)

.PHONY: $(PUBLIC_GOALS) deps clean check-unit check-fuzz check-e2e fuzzers $(CHECKS) $(BENCHES)

-include $(shell find $(B) -name '*.d' 2>/dev/null)

endif
