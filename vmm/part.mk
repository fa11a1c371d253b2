# SPDX-License-Identifier: MIT
# vmm/: the hypervisor. vmmrt is the runtime every freestanding image links
# (libc subset, formatter, log, clock, UART, lwIP port glue); vmm.elf is the
# hypervisor itself, linked by vmm.ld into the top 2 GiB.

LIBS += vmmrt
vmmrt.srcs := common/fmt.c vmm/core/log.c vmm/core/time.c common/uart.c vmm/net/lwip_port.c
vmmrt.worlds := fs

# The libc subset: for the VMM, the loader, and (renamed) the unit tests.
LIBS += smxlibc
smxlibc.srcs := vmm/libc/string.c vmm/libc/atoi.c
smxlibc.worlds := fs efi asan
# Loop distribution would turn these very loops into calls to themselves.
$(B)/fs/vmm/libc/%.o: XFLAGS := -fno-tree-loop-distribute-patterns
$(B)/efi/vmm/libc/%.o: XFLAGS := -fno-tree-loop-distribute-patterns -DSMX_LIBC_WEAK
$(B)/asan/vmm/libc/%.o: XFLAGS := -DSMX_LIBC_PREFIX=smx_test_ -fno-tree-loop-distribute-patterns

# The formatter is plain C: tested hosted.
LIBS += smxfmt
smxfmt.srcs := common/fmt.c
smxfmt.worlds := asan

# The power-on hook's arithmetic is pure: tested hosted.
LIBS += wakeplan
wakeplan.srcs := vmm/core/wake_plan.c
wakeplan.worlds := asan

# The air gap's decisions (which function a configuration access reaches,
# what a hidden one answers, MCFG, BARs) are pure: tested hosted.
LIBS += pcifilter
pcifilter.srcs := vmm/core/pci_filter.c
pcifilter.worlds := asan

# What the CPU back ends decide from CPUID alone (EFER bits a guest may
# set, how to leave an exit) is pure: tested hosted.
LIBS += x86pure
x86pure.srcs := vmm/arch/x86/efer.c vmm/arch/x86/mtrr.c vmm/arch/x86/svm/svm_step.c vmm/arch/x86/insn.c \
                vmm/arch/x86/guest_walk.c
x86pure.worlds := asan

VMM_LDS := vmm/vmm.ld
VMM_SRCS := common/idmap.c $(wildcard vmm/core/*.c vmm/core/*.S vmm/arch/x86/*.c vmm/arch/x86/*.S vmm/arch/x86/svm/*.c vmm/arch/x86/svm/*.S \
            vmm/arch/x86/vmx/*.c vmm/arch/x86/vmx/*.S) \
            $(wildcard vmm/drivers/*.c vmm/store/*.c) vmm/net/net.c
VMM_LIBS := acpisleep policy imagestore lz4 bearssl xferlwip xfer lwip vmmrt smxlibc

$(call objs,$(VMM_SRCS),fs): $(B)/gen/version.h
$(B)/fs/vmm/core/%.o: XFLAGS := -I$(B)/gen -Ivmm/store
# The VMM's own devices (drivers/) and the store on them (store/).
$(B)/fs/vmm/drivers/%.o: XFLAGS := -Ivmm/core
$(B)/fs/vmm/store/%.o: XFLAGS := -Ivmm/core -Ivmm/drivers
# lwIP's heap initialiser and the VMM's page allocator are both mem_init:
# lwIP's is renamed where lwIP is built for the VMM (the files that include
# lwIP's headers never include vmm/core/mem.h).
$(B)/fs/$(TP)/lwip/%.o: XFLAGS := -Dmem_init=lwip_mem_init
# The network under a TFTP store: lwIP's interface over the NIC drivers.
$(B)/fs/vmm/net/net.o: XFLAGS := -Ivmm/core -Ivmm/drivers

# The store's logic is tested hosted: the GPT reader on disk images sfdisk
# and sgdisk made, the partition device and vmm_store_open over a fake disk
# (the test stands in for the drivers, the log, the clock and the pages).
# -iquote: vmm/core's time.h must not hide the C library's.
LIBS += vmmstore
vmmstore.srcs := vmm/store/gpt.c vmm/store/partdev.c vmm/store/store.c vmm/store/tftp.c
vmmstore.worlds := asan
$(B)/asan/vmm/store/%.o: XFLAGS := -Ivmm/drivers -iquote vmm/core
UNIT_SRCS += $(wildcard tests/unit/store/*.c)
$(B)/asan/tests/unit/store/%.o: XFLAGS := -Ivmm/store -Ivmm/drivers -iquote vmm/core
GPT_FIXTURES := $(addprefix $(B)/fixtures/gpt/, sfdisk-512.img sgdisk-512.img)
$(GPT_FIXTURES) &: tests/unit/store/mkgpt.sh
	$(call say,GPT,$(B)/fixtures/gpt)
	$(Q)tests/unit/store/mkgpt.sh $(B)/fixtures/gpt
UNIT_DATA += $(GPT_FIXTURES)
ALL += $(GPT_FIXTURES)

$(VMM_ELF): $(call objs,$(VMM_SRCS),fs) $(call libs_for,$(VMM_LIBS),fs) $(VMM_LDS)
	$(call say,LINK,$@)
	$(Q)$(LD) -nostdlib -static -z max-page-size=4096 -T $(VMM_LDS) -o $@ \
	    $(call objs,$(VMM_SRCS),fs) --start-group $(call libs_for,$(VMM_LIBS),fs) --end-group
	$(Q)if $(NM) -u $@ | grep -q .; then echo "vmm.elf: undefined symbols:"; $(NM) -u $@; rm -f $@; exit 1; fi

ALL += $(VMM_ELF)
UNIT_SRCS += $(wildcard tests/unit/vmm/*.c)

bench-vmm: all
	@echo "== bench: the VMM against the bare firmware (QEMU/TCG)"
	@$(PYTHON) tests/e2e/run.py --only bench-vmm
BENCHES += bench-vmm

bench-airgap: all
	@echo "== bench: VM exits with one PCI function hidden against none (QEMU/TCG)"
	@$(PYTHON) tests/e2e/run.py --only bench-airgap
BENCHES += bench-airgap

bench-smp: all
	@echo "== bench: boot with the VMM against without on 2 CPUs, idle exits per CPU (QEMU/TCG)"
	@$(PYTHON) tests/e2e/run.py --only bench-smp
BENCHES += bench-smp

bench-switch: all
	@echo "== bench: switching against plain S3 and a cold boot, image I/O against the raw disk (QEMU/TCG)"
	@$(PYTHON) tests/e2e/run.py --only bench-switch
BENCHES += bench-switch

bench-tftp: all
	@echo "== bench: the TFTP store against the guest's raw UDP over the same e1000e, 0/1/5% loss (QEMU/TCG)"
	@$(PYTHON) tests/e2e/run.py --only bench-tftp
BENCHES += bench-tftp
