# SPDX-License-Identifier: MIT
"""sleepmux's emulator test kit: QEMU machines, QMP, ESP images, test guests
and the scenario runner used by `make check`, `make demo` and `make bench`."""
