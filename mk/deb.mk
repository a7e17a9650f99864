# SPDX-License-Identifier: GPL-2.0-only
#
# Debian packages, built by Debian's own tooling (debhelper, dh-dkms,
# dh-python) from packaging/debian:
#   xenshm-dkms (all)      the module's source, built by DKMS per kernel
#   xenshm-tools           xenshm-info/-cat/-bench, man pages, udev rule, group xenshm
#   libxenshm-dev          headers, libxenshm.a, xenshm.pc, libxenshm(3)
#   python3-xenshm (all)   the generated ctypes ABI (tools/python/xenshm)
#
#   make deb                    amd64 (native) and arm64 (dpkg-buildpackage -aarm64,
#                               the tree's aarch64-linux-gnu- cross toolchain),
#                               then lintian: no errors allowed
#   make deb DEB_ARCHES=amd64   one architecture
#   make deb-amd64, deb-arm64   one architecture, without lintian
#   make test-install           the native packages (deb-amd64) in a Debian 12 root
#                               (tests/install/run.sh; root needed)
#   make test-deb-arm64         the arm64 packages: lintian, then the packaged
#                               tools run in an arm64 QEMU guest
#
# Each architecture builds in its own copy of the tree,
# build/deb/<arch>/xenshm-<version>/ (the tracked and new files of the
# working tree, with packaging/debian as debian/), so dpkg-buildpackage's
# files never land in the clone. The .deb files end up in build/deb/.

include $(TOP)/mk/install.mk

DEB_ARCHES ?= amd64 arm64
DEB_OUT = $(BUILD)/deb
DEB_NATIVE := $(shell dpkg --print-architecture 2>/dev/null)
# Errors fail the build; warnings are shown. Per-package exceptions, each
# with its reason, live in packaging/debian/*.lintian-overrides.
DEB_LINTIAN_FLAGS ?= --fail-on error

.PHONY: deb deb-deps test-install test-deb-arm64 $(addprefix deb-,$(DEB_ARCHES))

deb-deps:
	@$(TOP)/scripts/deps.sh deb

deb: deb-deps
	@$(MAKE) --no-print-directory $(addprefix deb-,$(DEB_ARCHES))
	@echo "  LINTIAN $(addprefix xenshm_$(XENSHM_VERSION)_,$(addsuffix .changes,$(DEB_ARCHES)))"
	@lintian $(DEB_LINTIAN_FLAGS) --info \
		$(addprefix $(DEB_OUT)/xenshm_$(XENSHM_VERSION)_,$(addsuffix .changes,$(DEB_ARCHES))) \
		>$(DEB_OUT)/lintian.txt 2>&1; rc=$$?; \
		grep -v '^running with root privileges' $(DEB_OUT)/lintian.txt; \
		[ $$rc -eq 0 ] || { echo "make deb: lintian reports errors (above)" >&2; exit 1; }
	@ls -1 $(DEB_OUT)/*.deb

# $(1) = Debian arch. The arch:all packages come from the native build.
define deb-arch-rule
deb-$(1):
	@echo "  DEB     $(1)"
	@rm -rf $(DEB_OUT)/$(1) && mkdir -p $(DEB_OUT)/$(1)/xenshm-$(XENSHM_VERSION)
	@cd $(TOP) && git ls-files -z --cached --others --exclude-standard | \
		tar --null -T - --ignore-failed-read -cf - 2>/dev/null | \
		tar -x -C $(DEB_OUT)/$(1)/xenshm-$(XENSHM_VERSION)
	@rm -rf $(DEB_OUT)/$(1)/xenshm-$(XENSHM_VERSION)/debian
	@cp -r $(TOP)/packaging/debian $(DEB_OUT)/$(1)/xenshm-$(XENSHM_VERSION)/debian
	@cd $(DEB_OUT)/$(1)/xenshm-$(XENSHM_VERSION) && \
		dpkg-buildpackage --no-sign -j2 $(if $(filter $(DEB_NATIVE),$(1)),-b,-a$(1) -B) \
		>$(DEB_OUT)/$(1)/build.log 2>&1 || { \
			tail -n 40 $(DEB_OUT)/$(1)/build.log >&2; \
			echo "make deb-$(1): dpkg-buildpackage failed (log: $(DEB_OUT)/$(1)/build.log)" >&2; exit 1; }
	@rm -f $(DEB_OUT)/*_$(1).deb $(DEB_OUT)/*_$(1).changes $(DEB_OUT)/*_$(1).buildinfo \
		$(if $(filter $(DEB_NATIVE),$(1)),$(DEB_OUT)/*_all.deb)
	@mv $(DEB_OUT)/$(1)/*.deb $(DEB_OUT)/$(1)/*.changes $(DEB_OUT)/$(1)/*.buildinfo $(DEB_OUT)/
endef
$(foreach a,$(DEB_ARCHES),$(eval $(call deb-arch-rule,$(a))))

# $(call deb-lintian,ARCH,TARGET): lintian on one architecture's .changes
# (its arch-specific packages; the native one also carries the arch:all ones).
define deb-lintian
	@echo "  LINTIAN xenshm_$(XENSHM_VERSION)_$(1).changes"
	@lintian $(DEB_LINTIAN_FLAGS) --info $(DEB_OUT)/xenshm_$(XENSHM_VERSION)_$(1).changes \
		>$(DEB_OUT)/lintian-$(1).txt 2>&1 || { cat $(DEB_OUT)/lintian-$(1).txt >&2; \
		echo "$(2): lintian reports errors (above)" >&2; exit 1; }
endef

# The packages installed in a Debian 12 root: DKMS builds the module for
# 6.1 and 6.12, the udev rule, man pages and pkg-config are checked, and
# the 6.1 module DKMS built boots in QEMU with the smoke test.
test-install: deb-deps
	@$(MAKE) --no-print-directory deb-$(DEB_NATIVE)
	$(call deb-lintian,$(DEB_NATIVE),test-install)
	@$(TOP)/tests/install/run.sh $(DEB_OUT)

# The cross-built arm64 packages, judged on arm64: lintian on their
# .changes, then xenshm-tools' programs (dpkg-deb -x) run in an arm64 QEMU
# guest on Debian's 6.1 kernel with the tree's module for it and the runtime
# the package depends on: Debian's libc6, libstdc++6, libgcc-s1 for arm64,
# which scripts/deps.sh installs (multiarch) for dpkg-shlibdeps anyway
# (tests/install/arm64-guest.sh).
DEB_ARM64_TEST = $(DEB_OUT)/arm64-test
DEB_ARM64_LIBS = ld-linux-aarch64.so.1 libc.so.6 libm.so.6 libstdc++.so.6 libgcc_s.so.1
test-deb-arm64: deb-deps module-6.1-arm64
	@$(MAKE) --no-print-directory deb-arm64
	$(call deb-lintian,arm64,test-deb-arm64)
	@rm -rf $(DEB_ARM64_TEST) && mkdir -p $(DEB_ARM64_TEST)
	@dpkg-deb -x $(DEB_OUT)/xenshm-tools_$(XENSHM_VERSION)_arm64.deb $(DEB_ARM64_TEST)/root
	@XENSHM_KSERIES=6.1 $(TOP)/scripts/mkinitramfs.sh --arch arm64 \
		--out $(DEB_ARM64_TEST)/initramfs.cpio.gz --init $(TOP)/tests/install/arm64-guest.sh \
		--add $(BUILD)/6.1/arm64/xenshm.ko:/lib/xenshm.ko \
		$(foreach t,xenshm-cat xenshm-info xenshm-bench,--add $(DEB_ARM64_TEST)/root/usr/bin/$(t):/usr/bin/$(t)) \
		--add $(realpath /lib/ld-linux-aarch64.so.1):/lib/ld-linux-aarch64.so.1 \
		$(foreach l,$(DEB_ARM64_LIBS),--add $(realpath /usr/lib/aarch64-linux-gnu/$(l)):/lib/aarch64-linux-gnu/$(l))
	@XENSHM_KSERIES=6.1 $(TOP)/scripts/qemu-run.sh --arch arm64 --timeout 240 \
		--initrd $(DEB_ARM64_TEST)/initramfs.cpio.gz --log $(DEB_ARM64_TEST)/console.log \
		--expect '^arm64: PASS$$' || { \
		echo "test-deb-arm64: the packaged tools failed on arm64 (log: $(DEB_ARM64_TEST)/console.log)" >&2; exit 1; }
	@grep '^arm64: ok: ' $(DEB_ARM64_TEST)/console.log | sed 's/^arm64: ok: /test-deb-arm64: ok: /'
