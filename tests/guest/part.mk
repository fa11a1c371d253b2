# SPDX-License-Identifier: MIT
# tests/guest/: the two test guests, A and B: Debian's kernels (unpacked by
# mk/deps.sh) and an initramfs of busybox-static plus sleepmux-guest.

BUSYBOX := /bin/busybox

$(GUEST)/sleepmux-guest: tests/guest/guest.c
	$(call say,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) -std=gnu11 -O2 -static $(WARN) -ffile-prefix-map=$(CURDIR)=. -o $@ $<

# Each guest carries its own kernel's NIC driver (mk/pins.txt, "modules").
GUEST_MODULES_A := third_party/kernel-modules-A/e1000e.ko
GUEST_MODULES_B := third_party/kernel-modules-B/e1000e.ko.xz
$(GUEST)/initrd-A.img: $(GUEST_MODULES_A)
$(GUEST)/initrd-B.img: $(GUEST_MODULES_B)

$(GUEST)/initrd-%.img: $(GUEST)/sleepmux-guest tests/guest/init tests/guest/mkinitramfs.py
	$(call say,CPIO,$@)
	$(Q)$(PYTHON) tests/guest/mkinitramfs.py --os $* --busybox $(BUSYBOX) \
	    --guest $(GUEST)/sleepmux-guest --init tests/guest/init $(addprefix --module ,$(GUEST_MODULES_$*)) --out $@

# Test OS A runs Debian's 6.1 kernel, test OS B its 6.12 kernel; both are
# pinned in mk/pins.txt.
$(GUEST)/vmlinuz: third_party/kernel/vmlinuz
	@mkdir -p $(@D)
	$(Q)cp $< $@

$(GUEST)/vmlinuz-B: third_party/kernel-B/vmlinuz
	@mkdir -p $(@D)
	$(Q)cp $< $@

GUEST_FILES := $(GUEST)/vmlinuz $(GUEST)/vmlinuz-B $(GUEST)/initrd-A.img $(GUEST)/initrd-B.img
ALL += $(GUEST_FILES)

# Reproducible: building the guests again from the same inputs gives the
# same bytes.
check-guest-reproducible: $(GUEST_FILES)
	@echo "== guest images are reproducible"
	@tests/guest/check-reproducible.sh $(GUEST) $(BUSYBOX) $(GUEST_MODULES_A) $(GUEST_MODULES_B)
CHECKS += check-guest-reproducible

# Real guest memory (512 MiB, saved while guest A is in S3), made once and
# kept: imagestore's round-trip tests and benchmarks read it.
$(GUEST_MEM_A): | $(GUEST_FILES)
	$(call say,DUMP,$@)
	$(Q)$(PYTHON) tests/e2e/dump_memory.py --os A --memory 512 --buffer 64M --out $@ >$(GUEST)/mem-A.log 2>&1 \
	    || { cat $(GUEST)/mem-A.log; exit 1; }
