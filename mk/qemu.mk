# SPDX-License-Identifier: GPL-2.0-only
#
# The module in QEMU (TCG) on Debian 12's own kernels.
#
#   make test-qemu-smoke              both arches (ARCH=arm64|x86_64 for one)
#
# Per arch: build/<arch>/xenshm.ko (make module), an initramfs with busybox,
# the module and scripts/qemu-smoke-init.sh, booted by scripts/qemu-run.sh.
# The guest loads the module, requires exactly one
# "xenshm: selftest passed (N checks)" line, checks /sys/module/xenshm
# against modinfo (version, srcversion, parameter, taint, initstate), unloads
# it, reloads it with selftest=0 and unloads it again. Any WARNING/BUG/Oops/
# panic on the console fails the run.
#
# Reusing the pieces for other QEMU tests:
#   scripts/mkinitramfs.sh --arch A --out F --init YOUR_TEST.sh --add SRC:DST...
#   scripts/qemu-run.sh --arch A --initrd F --log L --expect REGEX...

SMOKE_ARCHES := $(or $(ARCH),arm64 x86_64)
SMOKE_TIMEOUT ?= 240

.PHONY: test-qemu-smoke $(addprefix test-qemu-smoke-,arm64 x86_64)

test-qemu-smoke: $(addprefix test-qemu-smoke-,$(SMOKE_ARCHES))

$(addprefix test-qemu-smoke-,arm64 x86_64): test-qemu-smoke-%:
	@$(MAKE) --no-print-directory module ARCH=$*
	@mkdir -p $(BUILD)/$*/smoke
	@printf 'version=%s\nsrcversion=%s\n' \
		"$$(modinfo -F version $(BUILD)/$*/xenshm.ko)" \
		"$$(modinfo -F srcversion $(BUILD)/$*/xenshm.ko)" \
		>$(BUILD)/$*/smoke/expect
	@$(TOP)/scripts/mkinitramfs.sh --arch $* --out $(BUILD)/$*/smoke/initramfs.cpio.gz \
		--init $(TOP)/scripts/qemu-smoke-init.sh \
		--add $(BUILD)/$*/xenshm.ko:/lib/xenshm.ko \
		--add $(BUILD)/$*/smoke/expect:/etc/xenshm-expect
	@$(TOP)/scripts/qemu-run.sh --arch $* --timeout $(SMOKE_TIMEOUT) \
		--initrd $(BUILD)/$*/smoke/initramfs.cpio.gz --log $(BUILD)/$*/smoke/console.log \
		--expect 'xenshm: selftest passed \([0-9]+ checks\)' --expect '^smoke: PASS$$'
