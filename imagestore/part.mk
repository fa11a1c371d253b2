# imagestore/: the OS image format and its on-partition store
# (docs/image-format.md), the sleepmux-image tool, tests and benchmark.

INCLUDES += -Iimagestore/include

LIBS += imagestore
imagestore.srcs := $(addprefix imagestore/src/, \
    seal.c error.c records.c chunk.c writer.c reader.c store.c slotio.c)
ALL += $(call libpath,imagestore,fs) $(call libpath,imagestore,efi)

TOOLS += sleepmux-image
sleepmux-image.srcs := $(addprefix imagestore/tool/, main.c io.c progress.c)
sleepmux-image.libs := imagestore
$(call objs,imagestore/tool/main.c,host): $(B)/gen/version.h
$(B)/host/imagestore/tool/%.o: XFLAGS := -I$(B)/gen

TOOLS += imagestore-bench
imagestore-bench.srcs := imagestore/bench/bench.c
imagestore-bench.libs := imagestore

bench-imagestore: $(B)/bin/imagestore-bench $(GUEST_MEM_A)
	@echo "== imagestore: save and restore against lz4 on real guest memory"
	@$(B)/bin/imagestore-bench $(GUEST_MEM_A) 3
BENCHES += bench-imagestore

UNIT_SRCS += $(wildcard tests/unit/imagestore/*.c)
# The tests check byte offsets and sealing from the inside too.
$(B)/asan/tests/unit/imagestore/%.o: XFLAGS := -Iimagestore/src

# sleepmux-image on the real 512 MiB guest dump (made once under QEMU, cached).
check-imagestore: $(B)/bin/sleepmux-image $(GUEST_MEM_A)
	@echo "== imagestore: sleepmux-image on real guest memory"
	@tests/unit/imagestore/cli.sh $(B)/bin/sleepmux-image $(GUEST_MEM_A) \
	    tests/fixtures/imagestore/test.key $(B)/imagestore-check
CHECKS += check-imagestore

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
