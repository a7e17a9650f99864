# SPDX-License-Identifier: GPL-2.0-only
#
# Tests of the build itself (tests/build/):
#   make test-build-errors   bad KDIRs (not a kernel, unconfigured, unprepared,
#                            no CONFIG_XEN) each stop with one clear message
#                            before any compiler output
#   make test-fresh-clone    a clone of HEAD with an empty build/ builds the
#                            demo's payload on the first try

.PHONY: test-build-errors test-fresh-clone

test-build-errors:
	@$(TOP)/tests/build/kdir-errors.sh $(BUILD)/kdir-errors

test-fresh-clone:
	@$(TOP)/tests/build/fresh-clone.sh $(BUILD)/fresh-clone
