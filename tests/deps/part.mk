# SPDX-License-Identifier: MIT
# tests/deps/: mk/deps.sh on a fresh machine with no mirror, and on a
# complete one without root.
check-deps:
	@echo "== mk/deps.sh fails fast without a mirror, needs no root when complete"
	@tests/deps/check.sh
CHECKS += check-deps
