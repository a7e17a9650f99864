# SPDX-License-Identifier: GPL-2.0-only
#
# Building xenshm.ko (Kbuild holds the kbuild rules proper).
#
#   make module                       both arches against Debian 12's headers
#   make module ARCH=arm64            one arch: build/arm64/xenshm.ko
#   make module ARCH=x86_64 KDIR=/path/to/kernel/build [MODULE_OUT=build/foo]
#   make checkpatch                   kernel coding style of module/ and kunit/
#   make module-clean
#
# Linux 6.1 has no MO= (separate output folder for external modules), so each
# build gets its own tree of symlinks, $(MODULE_OUT)/src, mirroring Kbuild,
# module/, ringcore/, uapi/ and kunit/: objects land there, never in the clone.
# The result is copied to $(MODULE_OUT)/xenshm.ko and checked by
# scripts/check-cxx-object.sh.
#
# Variables:
#   ARCH           arm64 | x86_64; unset = both (only with the Debian headers)
#   KDIR           kernel build folder; default: Debian's headers from
#                  scripts/debian-kernel.sh headers $(ARCH)
#   MODULE_OUT     output folder; default $(BUILD)/$(ARCH)
#   CROSS_COMPILE  default aarch64-linux-gnu- for arm64 on a non-arm64 host
#   V=1            verbose kbuild

DEBIAN_KERNEL := $(TOP)/scripts/debian-kernel.sh
MODULE_ARCHES := arm64 x86_64
MODULE_SRC_DIRS := module ringcore uapi kunit
HOST_ARCH := $(shell uname -m)

# $(call module-cross,arch)
module-cross = $(if $(filter arm64,$(1)),$(if $(filter aarch64 arm64,$(HOST_ARCH)),,aarch64-linux-gnu-))

# $(call module-kmake,arch,kdir,outdir) -- the kbuild invocation
module-kmake = $(MAKE) -C $(2) M=$(3)/src ARCH=$(1) \
	CROSS_COMPILE=$(or $(CROSS_COMPILE),$(call module-cross,$(1))) \
	$(if $(V),V=$(V))

# Refresh the symlink mirror: new files appear, deleted ones vanish.
# $(call module-mirror,outdir)
define module-mirror
	mkdir -p $(1)/src && ln -sfn $(TOP)/Kbuild $(1)/src/Kbuild && \
	for d in $(MODULE_SRC_DIRS); do \
		if [ -d $(TOP)/$$d ]; then cp -rsf $(TOP)/$$d $(1)/src/ || exit 1; fi; \
	done && \
	find $(1)/src -xtype l -delete
endef

# modinfo must be complete: license GPL, author, description, version, alias,
# and a MODULE_PARM_DESC for every parameter.
# $(call module-modinfo-check,ko)
define module-modinfo-check
	for f in author description version alias; do \
		[ -n "$$(modinfo -F $$f $(1))" ] || { echo "modinfo: no $$f in $(1)" >&2; exit 1; }; \
	done; \
	[ "$$(modinfo -F license $(1))" = GPL ] || { echo "modinfo: license is not GPL" >&2; exit 1; }; \
	modinfo -F parm $(1) | awk '{ d = $$0; sub(/^[^:]*:/, "", d); \
		if (d ~ /^ *(\(.*\))? *$$/) { print "modinfo: parameter " $$0 " has no MODULE_PARM_DESC"; bad = 1 } } \
		END { exit bad }' >&2
endef

# $(call module-build,arch,kdir,outdir)
define module-build
	@echo "  MODULE  $(1) ($(2))"
	@$(call module-mirror,$(3))
	@+$(call module-kmake,$(1),$(2),$(3)) modules
	@cp $(3)/src/xenshm.ko $(3)/xenshm.ko
	@$(call module-modinfo-check,$(3)/xenshm.ko)
	@$(TOP)/scripts/check-cxx-object.sh --arch $(1) --kdir $(2) \
		$(3)/xenshm.ko $$(ls $(3)/src/ringcore/*.o 2>/dev/null)
endef

.PHONY: module module-clean $(addprefix module-,$(MODULE_ARCHES)) checkpatch

ifneq ($(KDIR),)
# A kernel of one's own: one arch, one output folder.
ifeq ($(ARCH),)
$(error make module KDIR=... needs ARCH=arm64 or ARCH=x86_64)
endif
MODULE_OUT ?= $(BUILD)/$(ARCH)
module:
	$(call module-build,$(ARCH),$(abspath $(KDIR)),$(abspath $(MODULE_OUT)))
else
module: $(addprefix module-,$(or $(ARCH),$(MODULE_ARCHES)))

# $(call) expands the $(shell) argument once per target.
$(addprefix module-,$(MODULE_ARCHES)): module-%:
	$(call module-build,$*,$(or $(shell $(DEBIAN_KERNEL) headers $*),$(error no Debian headers for $*)),$(or $(MODULE_OUT),$(BUILD)/$*))
endif

module-clean:
	rm -rf $(addprefix $(BUILD)/,$(MODULE_ARCHES))

# checkpatch.pl is not in Debian's headers packages; take it from an unpacked
# linux-source (the KUnit kernel's tree in the cache) when there is one.
CHECKPATCH ?= $(firstword $(wildcard \
	$(XENSHM_CACHE)/debian-kernel/*/headers/usr/src/linux-headers-*-common/scripts/checkpatch.pl \
	$(XENSHM_CACHE)/*/linux-source-*/scripts/checkpatch.pl \
	$(XENSHM_CACHE)/*/*/linux-source-*/scripts/checkpatch.pl \
	$(XENSHM_CACHE)/*/*/*/linux-source-*/scripts/checkpatch.pl \
	/usr/src/linux-source-*/scripts/checkpatch.pl))
CHECKPATCH_FILES = $(wildcard $(TOP)/module/*.c $(TOP)/module/*.h $(TOP)/kunit/*.c)

checkpatch:
	@if [ -z "$(CHECKPATCH)" ]; then \
		echo "checkpatch: scripts/checkpatch.pl not found (not in Debian's headers;"; \
		echo "  it comes with linux-source-6.1, unpacked by the KUnit build). Skipped."; \
		exit 0; \
	fi; \
	echo "  CHECKPATCH $(CHECKPATCH)"; \
	perl $(CHECKPATCH) --no-tree --terse --strict --show-types \
		--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG,CONST_STRUCT \
		-f $(CHECKPATCH_FILES)
