# SPDX-License-Identifier: MIT
# Pattern rules for every world, and the templates parts use to declare what
# they build. A part's part.mk only appends to the registries below; nothing
# central is edited when a part is added.
#
#   LIBS      library names; NAME.srcs (C/asm files), NAME.worlds (default:
#             host asan fs efi fuzz). Gives $(B)/<world>/lib/libNAME.a.
#   TOOLS     host programs; NAME.srcs, NAME.libs. Gives $(B)/bin/NAME.
#   UNIT_SRCS Criterion test files, all linked into one binary $(B)/asan/unit
#             with every library's asan build.
#   UNIT_DATA files the unit tests read at run time (built before they run).
#   FUZZERS   libFuzzer targets; NAME.srcs, NAME.libs, NAME.corpus (dirs).
#   ALL       further files `make all` builds (firmware images, fixtures, …).
#
# Parts are included in alphabetical order, so a rule must not use a variable
# another part.mk defines; outputs shared between parts are named in
# mk/config.mk.

Q := $(if $(V),,@)
say = $(if $(V),,@printf '  %-6s %s\n' $(1) $(2);)

WARNFLAGS := $(WARN)

define world_rules
$(B)/$(1)/%.o: %.c
	$$(call say,CC[$(1)],$$<)
	@mkdir -p $$(@D)
	$$(Q)$$(CC_$(1)) $$(CFLAGS_$(1)) $$(WARNFLAGS) $$(INCLUDES) $$(XFLAGS) -c $$< -o $$@
$(B)/$(1)/%.o: %.S
	$$(call say,AS[$(1)],$$<)
	@mkdir -p $$(@D)
	$$(Q)$$(CC_$(1)) $$(ASFLAGS_$(1)) $$(INCLUDES) $$(XFLAGS) -c $$< -o $$@
$(B)/$(1)/third_party/%.o: WARNFLAGS := -w
endef
$(foreach w,$(WORLDS),$(eval $(call world_rules,$(w))))

objs = $(patsubst %.c,$(B)/$(2)/%.o,$(filter %.c,$(1))) $(patsubst %.S,$(B)/$(2)/%.o,$(filter %.S,$(1)))
libpath = $(B)/$(2)/lib/lib$(1).a
# The archives of libraries $(1) for world $(2), in link order as given.
libs_for = $(foreach l,$(1),$(call libpath,$(l),$(2)))

define lib_rule
$(call libpath,$(1),$(2)): $(call objs,$($(1).srcs),$(2))
	$$(call say,AR[$(2)],$$@)
	@mkdir -p $$(@D)
	$$(Q)rm -f $$@ && $(AR) rcsD $$@ $$^
endef

define tool_rule
$(B)/bin/$(1): $(call objs,$($(1).srcs),host) $(call libs_for,$($(1).libs),host)
	$$(call say,LINK,$$@)
	@mkdir -p $$(@D)
	$$(Q)$(CC) -o $$@ $$^ $(HOSTED_LIBS) $($(1).ldlibs)
endef

define fuzz_rule
$(B)/fuzz/bin/$(1): $(call objs,$($(1).srcs),fuzz) $(call libs_for,$($(1).libs),fuzz)
	$$(call say,LINK,$$@)
	@mkdir -p $$(@D)
	$$(Q)$(CLANG) $(LDFLAGS_fuzz) -o $$@ $$^ $(HOSTED_LIBS) $($(1).ldlibs)
endef

define expand_registries
$(foreach l,$(LIBS),$(foreach w,$(or $($(l).worlds),host asan fs efi fuzz),$(eval $(call lib_rule,$(l),$(w)))))
$(foreach t,$(TOOLS),$(eval $(call tool_rule,$(t))))
$(foreach f,$(FUZZERS),$(eval $(call fuzz_rule,$(f))))
endef
