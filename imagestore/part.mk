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
