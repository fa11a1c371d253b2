# SPDX-License-Identifier: MIT
# imagestore/: the OS image format and its on-partition store
# (docs/image-format.md), the sleepmux-image tool, tests and benchmark.

INCLUDES += -Iimagestore/include

LIBS += imagestore
imagestore.srcs := $(addprefix imagestore/src/, \
    seal.c error.c records.c chunk.c writer.c reader.c store.c slotio.c)
ALL += $(call libpath,imagestore,fs) $(call libpath,imagestore,efi)

TOOLS += sleepmux-image
sleepmux-image.srcs := $(addprefix imagestore/tool/, main.c input.c create.c unpack.c inspect.c io.c progress.c)
sleepmux-image.libs := imagestore
$(call objs,imagestore/tool/main.c,host): $(B)/gen/version.h
$(B)/host/imagestore/tool/%.o: XFLAGS := -I$(B)/gen

TOOLS += imagestore-bench
imagestore-bench.srcs := imagestore/bench/bench.c
imagestore-bench.libs := imagestore

# The same benchmark over the library, LZ4 and BearSSL compiled as the VMM
# compiles them (no SSE or x87: -mgeneral-regs-only), so the figures hold
# for the VMM too. Only the C library's memcpy/memset differ from the VMM's.
IMG_VMMLIKE_SRCS := $(imagestore.srcs) $(lz4.srcs) $(bearssl.srcs)
IMG_VMMLIKE_OBJS := $(patsubst %.c,$(B)/vmmlike/%.o,$(IMG_VMMLIKE_SRCS))
$(B)/vmmlike/%.o: %.c
	$(call say,CC[vmm],$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS_host) -mgeneral-regs-only -w $(LZ4_DEFS) $(BEARSSL_DEFS) -I$(TP)/lz4/lib \
	    -I$(TP)/bearssl/inc -I$(TP)/bearssl/src $(INCLUDES) -c $< -o $@
$(B)/bin/imagestore-bench-vmm: $(call objs,imagestore/bench/bench.c,host) $(IMG_VMMLIKE_OBJS)
	$(call say,LINK,$@)
	$(Q)$(CC) -o $@ $^ -lbearssl

bench-imagestore: $(B)/bin/imagestore-bench $(B)/bin/imagestore-bench-vmm $(GUEST_MEM_A)
	@echo "== imagestore: save and restore against lz4 on real guest memory"
	@echo "-- host build (Debian's liblz4 and libbearssl)"
	@$(B)/bin/imagestore-bench $(GUEST_MEM_A) 5
	@echo "-- VMM build (imagestore, LZ4, BearSSL without SSE or x87)"
	@$(B)/bin/imagestore-bench-vmm $(GUEST_MEM_A) 5
BENCHES += bench-imagestore

UNIT_SRCS += $(filter-out %/freestanding-probe.c,$(wildcard tests/unit/imagestore/*.c))
# The tests check byte offsets and sealing from the inside too.
$(B)/asan/tests/unit/imagestore/%.o: XFLAGS := -Iimagestore/src

# sleepmux-image on the real 512 MiB guest dump (made once under QEMU, cached).
check-imagestore: $(B)/bin/sleepmux-image $(GUEST_MEM_A)
	@echo "== imagestore: sleepmux-image on real guest memory"
	@tests/unit/imagestore/cli.sh $(B)/bin/sleepmux-image $(GUEST_MEM_A) \
	    tests/fixtures/imagestore/test.key $(B)/imagestore-check
CHECKS += check-imagestore

# sleepmux-image killed midway, on damaged and random input, and the
# mark-restored command, on the fixture repeated (no guest dump needed).
check-imagestore-hostile: $(B)/bin/sleepmux-image
	@echo "== imagestore: sleepmux-image killed midway and under hostile input"
	@$(PYTHON) tests/unit/imagestore/hostile.py $(B)/bin/sleepmux-image \
	    tests/fixtures/imagestore/mem-A-7be0000.bin tests/fixtures/imagestore/test.key $(B)/imagestore-hostile
CHECKS += check-imagestore-hostile

# The library as the VMM links it: only what the VMM provides, no SSE.
IMG_FS_PROBE := $(B)/fs/tests/unit/imagestore/freestanding-probe.o
check-imagestore-freestanding: $(IMG_FS_PROBE) $(call libs_for,imagestore lz4 bearssl vmmrt smxlibc,fs)
	@echo "== imagestore in the freestanding world"
	@tests/freestanding/check.sh $(B) $(IMG_FS_PROBE) $(call libs_for,vmmrt smxlibc,fs) -- \
	    $(call libs_for,imagestore lz4 bearssl,fs)
CHECKS += check-imagestore-freestanding

FUZZERS += imagestore_reader
imagestore_reader.srcs := tests/fuzz/imagestore_reader.c
imagestore_reader.libs := imagestore
$(B)/fuzz/tests/fuzz/imagestore_reader.o: XFLAGS := -Iimagestore/src

# Seeds: real images (mode byte 0: a sealed stream) of the fixture's last
# 18 pages, which hold zero, compressible and raw pages: small enough to
# keep the fuzzer fast.
IMG_SEEDS := $(B)/fuzz/seeds/imagestore_reader
IMG_SEED_SLICE := $(B)/fuzz/imagestore-slice.bin
$(IMG_SEED_SLICE): tests/fixtures/imagestore/mem-A-7be0000.bin
	@mkdir -p $(@D)
	$(Q)tail -c +$$((30 * 4096 + 1)) $< > $@
$(IMG_SEEDS)/slice-8.img $(IMG_SEEDS)/slice-16.img: $(IMG_SEEDS)/slice-%.img: $(B)/bin/sleepmux-image $(IMG_SEED_SLICE)
	$(call say,SEED,$@)
	@mkdir -p $(@D)
	$(Q)$(B)/bin/sleepmux-image create --key-file tests/fixtures/imagestore/test.key --chunk-pages $* \
	    --base 0x7bfe000 $(IMG_SEED_SLICE) -o $@.tmp >/dev/null
	$(Q)(printf '\0'; cat $@.tmp) > $@ && rm -f $@.tmp
ALL += $(IMG_SEEDS)/slice-8.img $(IMG_SEEDS)/slice-16.img
