# SPDX-License-Identifier: GPL-2.0-only
#
# KUnit suites (kunit/*_test.c) in QEMU, under KASAN, UBSAN and lockdep.
#
#   make test-kunit                  every arch in KUNIT_ARCHES
#   make test-kunit-arm64            one arch
#   make kunit-kernels               only build/restore the KUnit kernels
#
# Per arch: scripts/kunit/build-kernel.sh builds (or restores from
# $(XENSHM_CACHE)/kunit, keyed by source version, config fragment and
# compiler) a kernel from Debian's linux-source-6.1 with kunit/configs/;
# `make module KDIR=<that kernel>` builds $(BUILD)/kunit-<arch>/xenshm.ko,
# which carries the suites (Kbuild links kunit/*_test.c when CONFIG_KUNIT is
# set); scripts/kunit/run.sh boots it, loads the module and lets
# tools/testing/kunit/kunit.py parse decide, plus a scan of the console for
# kernel reports.

KUNIT_ARCHES ?= arm64 x86_64
KUNIT_SCRIPTS := $(TOP)/scripts/kunit

.PHONY: test-kunit kunit-kernels $(addprefix test-kunit-,$(KUNIT_ARCHES)) \
	$(addprefix kunit-kernel-,$(KUNIT_ARCHES))

test-kunit: $(addprefix test-kunit-,$(KUNIT_ARCHES))

kunit-kernels: $(addprefix kunit-kernel-,$(KUNIT_ARCHES))

$(addprefix kunit-kernel-,$(KUNIT_ARCHES)): kunit-kernel-%:
	@$(KUNIT_SCRIPTS)/build-kernel.sh $*

$(addprefix test-kunit-,$(KUNIT_ARCHES)): test-kunit-%:
	@set -e; \
	kdir=$$($(KUNIT_SCRIPTS)/build-kernel.sh $*); \
	[ -f "$$kdir/.config" ] || { echo "test-kunit-$*: no KUnit kernel" >&2; exit 1; }; \
	$(MAKE) --no-print-directory -C $(TOP) module ARCH=$* KDIR=$$kdir \
		MODULE_OUT=$(BUILD)/kunit-$*; \
	$(KUNIT_SCRIPTS)/run.sh $* $$kdir $(BUILD)/kunit-$*/xenshm.ko
