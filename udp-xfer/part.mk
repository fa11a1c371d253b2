# SPDX-License-Identifier: MIT
# udp-xfer/: TFTP image transfer. `xfer` is the engine (pure: packets and
# time in, packets and deadlines out), built for every world; `xferlwip`
# binds it to lwIP's raw UDP API for the VMM (and, hosted, for the TAP test
# program); the host CLI binds it to BSD sockets.

INCLUDES += -Iudp-xfer/include

LIBS += xfer
xfer.srcs := $(addprefix udp-xfer/src/, wire.c text.c timer.c start.c session.c negotiate.c \
    sender.c receiver.c fallback.c request.c error.c)
ALL += $(call libpath,xfer,fs) $(call libpath,xfer,efi)

UNIT_SRCS += $(wildcard tests/unit/udp-xfer/*.c)

# The host tool: get, put and serve over BSD sockets.
TOOLS += sleepmux-xfer
sleepmux-xfer.srcs := $(addprefix udp-xfer/host/, cli.c serve.c dir.c net.c file.c progress.c)
sleepmux-xfer.libs := xfer
$(call objs,$(sleepmux-xfer.srcs),host): $(B)/gen/version.h
$(B)/host/udp-xfer/host/%.o: XFLAGS := -I$(B)/gen

# The lwIP binding (udp-xfer/include/xfer_lwip.h): the VMM's, and hosted for
# the TAP test program.
LIBS += xferlwip
xferlwip.srcs := udp-xfer/lwip/xfer_lwip.c
xferlwip.worlds := fs host asan
ALL += $(call libpath,xferlwip,fs)

# lwIP over a TAP device, hosted: the VMM's binding and loop against real
# servers in a network namespace (udp-xfer/check/).
TOOLS += sleepmux-xfer-tap
sleepmux-xfer-tap.srcs := $(addprefix udp-xfer/tap/, main.c tap.c port.c) \
    $(addprefix udp-xfer/host/, net.c file.c progress.c)
sleepmux-xfer-tap.libs := xferlwip xfer lwip

# Checks. The interop and TAP checks need root: they create a network
# namespace, a TAP device and nftables rules of their own (udp-xfer/check/).
check-udp-xfer-freestanding: $(call libpath,xfer,fs) $(call libpath,xfer,efi) $(call libs_for,xferlwip lwip,fs)
	@echo "== udp-xfer: freestanding builds"
	@udp-xfer/check/freestanding.sh $(B)

check-udp-xfer-interop: $(B)/bin/sleepmux-xfer
	@echo "== udp-xfer: interop with tftpd-hpa and atftp (loopback of a private namespace)"
	@$(PYTHON) udp-xfer/check/interop.py $(B)

check-udp-xfer-tap: $(B)/bin/sleepmux-xfer $(B)/bin/sleepmux-xfer-tap
	@echo "== udp-xfer: lwIP binding over TAP, against tftpd-hpa and sleepmux-xfer serve"
	@$(PYTHON) udp-xfer/check/tap.py $(B)

# The server against spoofed, silent and flooding peers and a hostile
# directory (symbolic links, long names, a FIFO), on loopback (root: raw
# sockets for spoofed datagrams).
check-udp-xfer-hostile: $(B)/bin/sleepmux-xfer
	@echo "== udp-xfer: sleepmux-xfer serve against hostile peers and directories (loopback)"
	@$(PYTHON) udp-xfer/check/hostile.py $(B)

CHECKS += check-udp-xfer-freestanding check-udp-xfer-interop check-udp-xfer-tap check-udp-xfer-hostile

# Fuzzing: the engine fed arbitrary datagrams and clock jumps, seeded with
# well-behaved sessions made at build time.
FUZZERS += udp_xfer_engine
udp_xfer_engine.srcs := tests/fuzz/udp_xfer_engine.c
udp_xfer_engine.libs := xfer
$(B)/fuzz/seeds/udp_xfer_engine/get-plain: tests/fuzz/udp_xfer_seeds.py
	$(call say,SEEDS,$(@D))
	$(Q)$(PYTHON) $< $(@D)
fuzzers: $(B)/fuzz/seeds/udp_xfer_engine/get-plain

# Benchmark: goodput of a 256 MiB read against stock atftp -> tftpd-hpa.
bench-udp-xfer: $(B)/bin/sleepmux-xfer $(B)/bin/sleepmux-xfer-tap
	@echo "== udp-xfer: goodput (loopback and lwIP/TAP, with and without loss)"
	@$(PYTHON) udp-xfer/check/bench.py $(B)
BENCHES += bench-udp-xfer
