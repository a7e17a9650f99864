# SPDX-License-Identifier: GPL-2.0-only
#
# Building xenshm.ko (Kbuild holds the kbuild rules proper).
#
#   make module                       the running kernel (/lib/modules/$(uname -r)/build)
#   make module ARCH=arm64            Debian's arm64 headers of KSERIES: build/6.1/arm64/xenshm.ko
#   make module ARCH=x86_64 KSERIES=6.12                             build/6.12/x86_64/xenshm.ko
#   make module KSERIES=6.12          both arches of one series
#   make module [ARCH=x86_64] KDIR=/path/to/kernel/build [MODULE_OUT=build/foo]
#   make module-all                   both series x both arches (what make test builds)
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
#   KSERIES        Debian kernel series: 6.1 (Debian 12's own, the default)
#                  or 6.12 (Debian 12's 6.12 LTS packages); see the top Makefile
#   ARCH           arm64 | x86_64; with KSERIES and no KDIR, unset = both
#   KDIR           kernel build folder; default: Debian's headers from
#                  scripts/debian-kernel.sh, or the running kernel's when
#                  neither ARCH nor KSERIES nor KDIR is given
#   MODULE_OUT     output folder; default $(BUILD)/$(KSERIES)/$(ARCH)
#                  (build/kdir/$(ARCH) with KDIR)
#   CROSS_COMPILE  default aarch64-linux-gnu- for arm64 on a non-arm64 host
#   V=1            verbose kbuild

DEBIAN_KERNEL := $(TOP)/scripts/debian-kernel.sh
MODULE_ARCHES := arm64 x86_64
MODULE_SRC_DIRS := module ringcore uapi kunit
HOST_ARCH := $(shell uname -m)
# The kernel's name for the host's arch (uname says aarch64, kbuild arm64).
HOST_KARCH := $(patsubst aarch64,arm64,$(HOST_ARCH))

# $(call module-cross,arch)
module-cross = $(if $(filter arm64,$(1)),$(if $(filter aarch64 arm64,$(HOST_ARCH)),,aarch64-linux-gnu-))

# Kernels whose headers ship a vmlinux (Debian's 6.12) give modules BTF,
# made by the host's pahole from the DWARF; pahole cannot encode C++ types
# (DW_TAG_reference_type), so the C++ compilation units are left out of it
# (the C ones keep their BTF). g++ marks C++11..20 units as "c++14" in DWARF.
# On kernels without vmlinux in their headers (Debian's 6.1) this is unused.
MODULE_PAHOLE_FLAGS := --lang_exclude=rust,c++,c++03,c++11,c++14

# $(call module-kmake,arch,kdir,outdir) -- the kbuild invocation
module-kmake = $(MAKE) -C $(2) M=$(3)/src ARCH=$(1) \
	CROSS_COMPILE=$(or $(CROSS_COMPILE),$(call module-cross,$(1))) \
	MODULE_PAHOLE_FLAGS="$(MODULE_PAHOLE_FLAGS)" $(if $(V),V=$(V))

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
	@$(TOP)/scripts/check-kdir.sh $(2)
	@$(call module-mirror,$(3))
	@+$(call module-kmake,$(1),$(2),$(3)) modules
	@cp $(3)/src/xenshm.ko $(3)/xenshm.ko
	@$(call module-modinfo-check,$(3)/xenshm.ko)
	@$(TOP)/scripts/check-cxx-object.sh --arch $(1) --kdir $(2) \
		$(3)/xenshm.ko $$(ls $(3)/src/ringcore/*.o 2>/dev/null)
endef

.PHONY: module module-clean checkpatch \
	$(foreach s,$(KSERIES_ALL),$(foreach a,$(MODULE_ARCHES),module-$(s)-$(a)))

# Which kernel `make module` builds for: a KDIR of one's own, Debian's
# headers (ARCH or KSERIES given), or the running kernel (nothing given).
module-target := $(if $(KDIR),kdir,$(if $(filter command line environment,\
	$(origin ARCH) $(origin KSERIES)),debian,running))

ifeq ($(module-target),kdir)
ARCH ?= $(HOST_KARCH)
MODULE_OUT ?= $(BUILD)/kdir/$(ARCH)
module:
	$(call module-build,$(ARCH),$(abspath $(KDIR)),$(abspath $(MODULE_OUT)))
else ifeq ($(module-target),running)
RUNNING_KDIR := /lib/modules/$(shell uname -r)/build
module:
	@[ -d $(RUNNING_KDIR) ] || { \
		echo "make module: no headers for the running kernel $$(uname -r) ($(RUNNING_KDIR) missing)."; \
		echo "  Install them (Debian: apt-get install linux-headers-$$(uname -r)), pass KDIR=,"; \
		echo "  or build against Debian's: make module ARCH=arm64|x86_64 [KSERIES=6.1|6.12]"; \
		exit 1; } >&2
	$(call module-build,$(HOST_KARCH),$(RUNNING_KDIR),$(abspath $(or $(MODULE_OUT),$(BUILD)/running/$(HOST_KARCH))))
else
module: $(foreach a,$(or $(ARCH),$(MODULE_ARCHES)),module-$(KSERIES)-$(a))
endif

# One rule per series and arch; $(call) expands the $(shell) once per target.
# $(1) = series, $(2) = arch
define module-debian-rule
module-$(1)-$(2):
	$$(call module-build,$(2),$$(or $$(shell XENSHM_KSERIES=$(1) $(DEBIAN_KERNEL) headers $(2)),$$(error no Debian $(1) headers for $(2))),$$(or $$(MODULE_OUT),$(BUILD)/$(1)/$(2)))
endef
$(foreach s,$(KSERIES_ALL),$(foreach a,$(MODULE_ARCHES),$(eval $(call module-debian-rule,$(s),$(a)))))

module-all: $(foreach s,$(KSERIES_ALL),$(foreach a,$(MODULE_ARCHES),module-$(s)-$(a)))

module-clean:
	rm -rf $(addprefix $(BUILD)/,$(KSERIES_ALL) kdir running)

# Kernel coding style (scripts/checkpatch.sh fetches checkpatch.pl from
# Debian's linux-source-6.1 once; it is not in the headers packages).
CHECKPATCH_FILES = $(wildcard $(TOP)/module/*.c $(TOP)/module/*.h $(TOP)/kunit/*.c $(TOP)/kunit/*.h)

checkpatch:
	@$(TOP)/scripts/checkpatch.sh $(CHECKPATCH_FILES)
