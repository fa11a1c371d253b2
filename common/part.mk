# SPDX-License-Identifier: MIT
# common/: what the loader and the VMM both use, owned by neither: the boot
# info contract between them, the identity-map builder (the loader builds the
# VMM's host tables with it, the VMM its nested tables), the 16550 UART, the
# formatter and port I/O. Each binary compiles these sources itself (its own
# world), so nothing here may assume boot services or host mode.

INCLUDES += -Icommon
ASFLAGS_fs += -Icommon
ASFLAGS_efi += -Icommon

# The identity-map builder is pure (the caller passes in what the CPU can
# do): tested hosted, with tables from a fake allocator.
LIBS += smxidmap
smxidmap.srcs := common/idmap.c
smxidmap.worlds := asan
UNIT_SRCS += $(wildcard tests/unit/common/*.c)
