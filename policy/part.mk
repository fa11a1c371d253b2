# SPDX-License-Identifier: MIT
# policy/: sleepmux.conf and the switch decisions (issue 6). One library for
# every world, the host tool sleepmux-config, unit tests, a parser fuzzer.

INCLUDES += -Ipolicy/include

LIBS += policy
policy.srcs := $(addprefix policy/, text.c utf8.c parse.c values.c lists.c keys.c \
    loader.c write.c engine.c rule.c reasons.c wake.c)
ALL += $(call libpath,policy,fs) $(call libpath,policy,efi)

TOOLS += sleepmux-config
sleepmux-config.srcs := policy/tool/sleepmux-config.c
sleepmux-config.libs := policy

UNIT_SRCS += $(wildcard tests/unit/policy/*.c)

FUZZERS += policy_parse
policy_parse.srcs := tests/fuzz/policy_parse.c
policy_parse.libs := policy

check-policy: $(call libpath,policy,fs) $(call libpath,policy,efi) $(B)/bin/sleepmux-config
	@echo "== policy: freestanding hygiene, docs, sleepmux-config"
	@tests/unit/policy/check-policy.sh $(abspath $(B))
CHECKS += check-policy

# The parser fuzzer starts from every config the tests know.
POLICY_SEEDS := $(B)/fuzz/seeds/policy_parse/.stamp
$(POLICY_SEEDS): $(wildcard tests/fixtures/policy/*/*.conf) docs/sleepmux.conf.example
	@mkdir -p $(@D)
	@cp $^ $(@D)/ && touch $@
ALL += $(POLICY_SEEDS)
