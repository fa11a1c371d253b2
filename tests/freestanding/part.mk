# SPDX-License-Identifier: MIT
# tests/freestanding/: proof that the freestanding world links what the VMM
# will carry (LZ4, lwIP, BearSSL) against only the VMM's own runtime.

FS_PROBE := $(B)/fs/tests/freestanding/probe.o
FS_PROVIDERS := $(call libs_for,vmmrt smxlibc,fs)
FS_THIRD_PARTY := $(call libs_for,lz4 lwip bearssl,fs)

check-freestanding: $(FS_PROBE) $(FS_PROVIDERS) $(FS_THIRD_PARTY)
	@echo "== freestanding world"
	@tests/freestanding/check.sh $(B) $(FS_PROBE) $(FS_PROVIDERS) -- $(FS_THIRD_PARTY)
CHECKS += check-freestanding
ALL += $(FS_PROBE) $(FS_PROVIDERS) $(FS_THIRD_PARTY)

# The one "no SSE/x87" rule (no-fpu.sh), shown able to fail, over the VMM
# and every library built for the VMM's and the loader's worlds. Parts with
# their own freestanding checks call the same script.
# Deferred: parts included after this one add to LIBS.
NO_FPU_LIBS = $(foreach w,fs efi,$(foreach l,$(LIBS),$(if $(filter $(w),$(or $($(l).worlds),host asan fs efi fuzz)),$(call libpath,$(l),$(w)))))
check-no-fpu: $(B)/fs/vmm.elf
	@echo "== no x87, MMX, SSE or AVX in the VMM and its libraries"
	@$(MAKE) --no-print-directory $(NO_FPU_LIBS)
	@tests/freestanding/no-fpu-selftest.sh
	@tests/freestanding/no-fpu.sh vmm.elf $(B)/fs/vmm.elf
	@tests/freestanding/no-fpu.sh "libraries (fs, efi)" $(NO_FPU_LIBS)
CHECKS += check-no-fpu
