# SPDX-License-Identifier: GPL-2.0-only
#
# KUnit suites (kunit/*_test.c) in QEMU, under KASAN, UBSAN and lockdep, on
# both kernel series.
#
#   make test-kunit                  every cell of KUNIT_CELLS
#   make test-kunit KSERIES=6.12     the cells of one series
#   make test-kunit-6.12-arm64       one cell (any <series>-<arch>, listed or not)
#   make kunit-kernels               only build/restore the KUnit kernels of KUNIT_CELLS
#   make kunit-kernel-6.12-arm64     one of them
#   make stress STRESS_MIN=N         every cell with N minutes of xenshm-stress
#
# After the suites each cell runs tests/stress/xenshm-stress (a randomized
# multi-process exerciser of the char device on two loopback pairs, seeded)
# for KUNIT_STRESS_S seconds (default 10) under the same KASAN/UBSAN/lockdep
# kernel: any kernel report, a hang, a failed rmmod fails the cell.
#
# A cell is <series>-<arch>. Per cell: scripts/kunit/build-kernel.sh builds
# (or restores from $(XENSHM_CACHE)/kunit, keyed by source version, config
# fragment and compiler; the series live side by side there) a kernel from
# Debian's linux-source-<series> with kunit/configs/; `make module
# KDIR=<that kernel>` builds $(BUILD)/kunit/<series>/<arch>/xenshm.ko, which
# carries the suites (Kbuild links kunit/*_test.c when CONFIG_KUNIT is set);
# scripts/kunit/run.sh boots it, loads the module and lets that kernel's
# tools/testing/kunit/kunit.py parse decide, plus a scan of the console for
# kernel reports.
#
# 6.12 runs on arm64 only by default: a KUnit kernel costs 5-10 minutes of
# CPU to build cold, and the x86_64-specific code paths (objtool, retpolines)
# are already covered by 6.1/x86_64 and by `make module-all`. The
# 6.12-x86_64 cell works when asked for (its config is checked like the others').

KUNIT_SERIES_ARCHES := arm64 x86_64
KUNIT_CELLS_ALL := $(foreach s,$(KSERIES_ALL),$(foreach a,$(KUNIT_SERIES_ARCHES),$(s)-$(a)))
# The series `make test-kunit` runs: KSERIES when given, else all of them
# (KSERIES_SEL, from the top Makefile, says which).
KUNIT_CELLS ?= $(filter $(addsuffix -%,$(or $(KSERIES_SEL),$(KSERIES_ALL))), \
	6.1-arm64 6.1-x86_64 6.12-arm64)
KUNIT_SCRIPTS := $(TOP)/scripts/kunit
KUNIT_OUT := $(BUILD)/kunit
KUNIT_STRESS_S ?= 10
STRESS_MIN ?= 10

include $(TOP)/mk/tools.mk
KUNIT_STRESS_BIN = $(USER_BUILD)/$(1)/bin/xenshm-stress
# $(1) = arch
define kunit-stress-rule
$(call KUNIT_STRESS_BIN,$(1)): $(TOP)/tests/stress/xenshm-stress.c $(TOP)/uapi/xenshm.h
	@mkdir -p $$(dir $$@)
	$(USER_CROSS_$(1))gcc $(USER_CSTD) $(USER_CFLAGS) $(USER_CPPFLAGS) -static $$< -o $$@
endef
$(foreach a,$(KUNIT_SERIES_ARCHES),$(eval $(call kunit-stress-rule,$(a))))

.PHONY: stress
stress:
	@$(MAKE) --no-print-directory test-kunit KUNIT_STRESS_S=$$(( $(STRESS_MIN) * 60 ))

# A cell is <series>-<arch>; the arch may hold '_' but never '-'.
kunit-cell-series = $(firstword $(subst -, ,$(1)))
kunit-cell-arch = $(lastword $(subst -, ,$(1)))

.PHONY: test-kunit kunit-kernels $(addprefix test-kunit-,$(KUNIT_CELLS_ALL)) \
	$(addprefix kunit-kernel-,$(KUNIT_CELLS_ALL))

# Each cell runs even if another failed, KUNIT_JOBS at a time (default 2:
# QEMU's TCG uses one host CPU per guest CPU, so two cells share a two-core
# machine well), each into $(KUNIT_OUT)/<cell>.log; one line per cell at the
# end (from its summary.txt, written by run.sh) plus the log's tail for a
# failed one, and any failure fails the run.
KUNIT_JOBS ?= 2
test-kunit:
	@rc=0; mkdir -p $(KUNIT_OUT); \
	for c in $(KUNIT_CELLS); do \
		rm -f $(KUNIT_OUT)/$${c%%-*}/$${c#*-}/summary.txt; done; \
	echo "test-kunit: cells $(KUNIT_CELLS), $(KUNIT_JOBS) at a time, logs $(KUNIT_OUT)/<cell>.log"; \
	printf '%s\n' $(KUNIT_CELLS) | xargs -P $(KUNIT_JOBS) -I CELL sh -c \
		'$(MAKE) --no-print-directory test-kunit-CELL > $(KUNIT_OUT)/CELL.log 2>&1; \
		 echo "  kunit CELL: finished (exit $$?)"'; \
	for c in $(KUNIT_CELLS); do \
		s=$$(cat $(KUNIT_OUT)/$${c%%-*}/$${c#*-}/summary.txt 2>/dev/null || echo "FAILED (no result)"); \
		echo "  kunit $${c%%-*}/$${c#*-}: $$s"; \
		case $$s in *FAILED*) rc=1; tail -n 40 $(KUNIT_OUT)/$$c.log ;; esac; \
	done; \
	[ $$rc -eq 0 ] && echo "test-kunit: all $(words $(KUNIT_CELLS)) cells passed" || \
		{ echo "test-kunit: FAILED" >&2; exit 1; }

kunit-kernels: $(addprefix kunit-kernel-,$(KUNIT_CELLS))

# $(1) = series, $(2) = arch
define kunit-cell-rule
kunit-kernel-$(1)-$(2):
	@$(KUNIT_SCRIPTS)/build-kernel.sh $(2) $(1)

test-kunit-$(1)-$(2): $(call KUNIT_STRESS_BIN,$(2))
	@set -e; \
	kdir=$$$$($(KUNIT_SCRIPTS)/build-kernel.sh $(2) $(1)); \
	[ -f "$$$$kdir/.config" ] || { echo "test-kunit-$(1)-$(2): no KUnit kernel" >&2; exit 1; }; \
	$$(MAKE) --no-print-directory -C $(TOP) module ARCH=$(2) KDIR=$$$$kdir \
		MODULE_OUT=$(KUNIT_OUT)/$(1)/$(2); \
	XENSHM_STRESS_S=$(KUNIT_STRESS_S) \
	XENSHM_KUNIT_TIMEOUT=$$$$(( 300 + $(KUNIT_STRESS_S) )) \
	$(KUNIT_SCRIPTS)/run.sh $(2) $$$$kdir $(KUNIT_OUT)/$(1)/$(2)/xenshm.ko \
		$(call KUNIT_STRESS_BIN,$(2))
endef
$(foreach c,$(KUNIT_CELLS_ALL),$(eval $(call kunit-cell-rule,$(call kunit-cell-series,$(c)),$(call kunit-cell-arch,$(c)))))
