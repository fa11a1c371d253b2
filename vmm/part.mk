# vmm/: the hypervisor. vmmrt is the runtime every freestanding image links
# (libc subset, formatter, log, clock, UART, lwIP port glue).

LIBS += vmmrt
vmmrt.srcs := vmm/lib/fmt.c vmm/core/log.c vmm/core/time.c vmm/drivers/uart.c vmm/net/lwip_port.c
vmmrt.worlds := fs

# The libc subset: for the VMM, the loader, and (renamed) the unit tests.
LIBS += smxlibc
smxlibc.srcs := vmm/libc/string.c vmm/libc/atoi.c
smxlibc.worlds := fs efi asan
# Loop distribution would turn these very loops into calls to themselves.
$(B)/fs/vmm/libc/%.o $(B)/efi/vmm/libc/%.o: XFLAGS := -fno-tree-loop-distribute-patterns
$(B)/asan/vmm/libc/%.o: XFLAGS := -DSMX_LIBC_PREFIX=smx_test_ -fno-tree-loop-distribute-patterns

# The formatter is plain C: tested hosted.
LIBS += smxfmt
smxfmt.srcs := vmm/lib/fmt.c
smxfmt.worlds := asan

VMM_LDS := vmm/vmm.ld
UNIT_SRCS += $(wildcard tests/unit/vmm/*.c)
