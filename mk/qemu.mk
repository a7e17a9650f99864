# SPDX-License-Identifier: GPL-2.0-only
#
# The module in QEMU (TCG) on Debian's own kernels, 6.1 and 6.12.
#
#   make test-qemu-smoke                     both series x both arches
#   make test-qemu-smoke KSERIES=6.12 ARCH=arm64   one cell (test-qemu-smoke-6.12-arm64)
#
# Per cell: build/<series>/<arch>/xenshm.ko (make module), an initramfs with
# busybox, the module and scripts/qemu-smoke-init.sh, booted by
# scripts/qemu-run.sh. The guest checks that it runs the kernel release the
# module was built for, loads the module, requires exactly one
# "xenshm: selftest passed (N checks)" line, checks /sys/module/xenshm
# against modinfo (version, srcversion, parameter, taint, initstate), unloads
# it, reloads it with selftest=0 and unloads it again. Any WARNING/BUG/Oops/
# panic on the console fails the run.
#
# Reusing the pieces for other QEMU tests:
#   scripts/mkinitramfs.sh --arch A --out F --init YOUR_TEST.sh --add SRC:DST...
#   scripts/qemu-run.sh --arch A --initrd F --log L --expect REGEX...

SMOKE_ARCHES := $(or $(ARCH),arm64 x86_64)
SMOKE_CELLS := $(foreach s,$(KSERIES_SEL),$(foreach a,$(SMOKE_ARCHES),$(s)-$(a)))
SMOKE_TIMEOUT ?= 240

.PHONY: test-qemu-smoke $(addprefix test-qemu-smoke-,$(SMOKE_CELLS))

test-qemu-smoke: $(addprefix test-qemu-smoke-,$(SMOKE_CELLS))

# $(1) = series, $(2) = arch. The expectations come from the .ko the cell
# built: the guest must run that kernel release and show that module.
define smoke-cell-rule
test-qemu-smoke-$(1)-$(2):
	@$$(MAKE) --no-print-directory module-$(1)-$(2)
	@mkdir -p $(BUILD)/$(1)/$(2)/smoke
	@printf 'release=%s\nversion=%s\nsrcversion=%s\n' \
		"$$$$(modinfo -F vermagic $(BUILD)/$(1)/$(2)/xenshm.ko | cut -d' ' -f1)" \
		"$$$$(modinfo -F version $(BUILD)/$(1)/$(2)/xenshm.ko)" \
		"$$$$(modinfo -F srcversion $(BUILD)/$(1)/$(2)/xenshm.ko)" \
		>$(BUILD)/$(1)/$(2)/smoke/expect
	@XENSHM_KSERIES=$(1) $(TOP)/scripts/mkinitramfs.sh --arch $(2) \
		--out $(BUILD)/$(1)/$(2)/smoke/initramfs.cpio.gz \
		--init $(TOP)/scripts/qemu-smoke-init.sh \
		--add $(BUILD)/$(1)/$(2)/xenshm.ko:/lib/xenshm.ko \
		--add $(BUILD)/$(1)/$(2)/smoke/expect:/etc/xenshm-expect
	@XENSHM_KSERIES=$(1) $(TOP)/scripts/qemu-run.sh --arch $(2) --timeout $(SMOKE_TIMEOUT) \
		--initrd $(BUILD)/$(1)/$(2)/smoke/initramfs.cpio.gz \
		--log $(BUILD)/$(1)/$(2)/smoke/console.log \
		--expect 'xenshm: selftest passed \([0-9]+ checks\)' --expect '^smoke: PASS$$$$'
endef
$(foreach s,$(KSERIES_ALL),$(foreach a,arm64 x86_64,$(eval $(call smoke-cell-rule,$(s),$(a)))))
