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
