# SPDX-License-Identifier: GPL-2.0-only
#
# Module tests in QEMU (TCG) with Debian's own kernels, 6.1 and 6.12:
#   make test-qemu                 every cell (kernel series x arch): build the
#                                  module, the static test program and tools,
#                                  an initramfs per cell; boot; per-cell and
#                                  total results
#   make test-qemu KSERIES=6.12 QEMU_ARCHES=x86_64 QEMU_TEST_FILTER="bulk corrupt"
#   make bench-dev                 xenshm-bench in the x86_64 and arm64 guests
#                                  (on KSERIES, default 6.1)
# A cell passes when scripts/qemu-run.sh passes the console (no timeout, no
# kernel warning: WARNING:, BUG:, KASAN, ...; the guest script exited 0) and
# scripts/tap-verdict.py passes the test program's TAP stream in it (a plan,
# every planned result present and in order, none "not ok"). Outputs per
# cell in $(QEMU_OUT)/<series>/<arch>: console.log, results.tap (the TAP
# stream), summary.txt (the counts, read by test-qemu).

# The user build rules (libxenshm, tools) come first.
include $(TOP)/mk/tools.mk

QEMU_ARCHES ?= x86_64 arm64
QEMU_TIMEOUT ?= 1500
QEMU_MEM ?= 1024
QEMU_TEST_FILTER ?=
QEMU_OUT = $(BUILD)/qemu

TEST_QEMU_SRCS := $(wildcard $(TOP)/tests/qemu/*.c)
TEST_QEMU_CXX_SRCS := $(wildcard $(TOP)/tests/qemu/*.cpp)
TEST_QEMU_HDRS := $(wildcard $(TOP)/tests/qemu/*.h)

.PHONY: test-qemu test-qemu-progs bench-dev

# The x86_64 guest also runs the Python example (tools/python/examples/) and
# the unit tests of xenshm.Channel (tools/python/tests/) with
# the host's own Debian python3 (same distribution and glibc as the guest
# userspace needs): the interpreter, its shared libraries, a few extension
# modules and a zip of the pure-Python standard library.
QEMU_PY := /usr/bin/python3.11
QEMU_PY_STDLIB := /usr/lib/python3.11
QEMU_PY_LIBS := /lib64/ld-linux-x86-64.so.2 /lib/x86_64-linux-gnu/libc.so.6 \
	/lib/x86_64-linux-gnu/libm.so.6 /lib/x86_64-linux-gnu/libz.so.1 \
	/lib/x86_64-linux-gnu/libexpat.so.1 /lib/x86_64-linux-gnu/libffi.so.8
# Extension modules: ctypes for the bindings, and what asyncio needs (the
# Channel tests run an asyncio echo).
QEMU_PY_EXTS := $(foreach m,_ctypes _contextvars _asyncio,\
	$(QEMU_PY_STDLIB)/lib-dynload/$(m).cpython-311-x86_64-linux-gnu.so)
QEMU_PY_ZIP := $(QEMU_OUT)/x86_64/python311.zip
QEMU_PY_ADDS_x86_64 = $(if $(wildcard $(QEMU_PY)), \
	--add $(QEMU_PY):/usr/bin/python3 $(foreach l,$(QEMU_PY_LIBS),--add $(l):$(l)) \
	$(foreach e,$(QEMU_PY_EXTS),--add $(e):$(e)) --add $(QEMU_PY_ZIP):/usr/lib/python311.zip \
	$(foreach f,$(wildcard $(TOP)/tools/python/xenshm/*.py $(TOP)/tools/python/examples/*.py \
		$(TOP)/tools/python/tests/*.py),--add $(f):$(patsubst $(TOP)/%,/%,$(f))))
QEMU_PY_DEPS_x86_64 = $(if $(wildcard $(QEMU_PY)),$(QEMU_PY_ZIP))

$(QEMU_PY_ZIP): $(TOP)/scripts/python-stdlib-zip.py
	@mkdir -p $(dir $@)
	$(PYTHON) $(TOP)/scripts/python-stdlib-zip.py $(QEMU_PY_STDLIB) $@

# The verdict script checks itself (good, failing, truncated, interleaved
# logs) before it judges a cell, once per change of the script.
TAP_VERDICT := $(PYTHON) $(TOP)/scripts/tap-verdict.py
TAP_VERDICT_OK := $(QEMU_OUT)/tap-verdict.selftest-ok

.PHONY: test-tap-verdict
test-tap-verdict:
	$(TAP_VERDICT) --self-test

$(TAP_VERDICT_OK): $(TOP)/scripts/tap-verdict.py
	@mkdir -p $(dir $@)
	$(TAP_VERDICT) --self-test
	@touch $@

# $(1) = arch
define test_qemu_arch_rules
$(USER_BUILD)/$(1)/obj/tests/qemu/%.o: $(TOP)/tests/qemu/%.c $(TEST_QEMU_HDRS) $(LIB_HDRS)
	@mkdir -p $$(dir $$@)
	$(USER_CROSS_$(1))gcc $(USER_CSTD) $(USER_CFLAGS) $(USER_CPPFLAGS) -c $$< -o $$@

$(USER_BUILD)/$(1)/obj/tests/qemu/%.o: $(TOP)/tests/qemu/%.cpp $(TEST_QEMU_HDRS) $(LIB_HDRS)
	@mkdir -p $$(dir $$@)
	$(USER_CROSS_$(1))g++ $(USER_CXXSTD) $(USER_CFLAGS) $(USER_CPPFLAGS) -c $$< -o $$@

$(USER_BUILD)/$(1)/bin/xenshm-test: $(patsubst $(TOP)/tests/qemu/%.c,$(USER_BUILD)/$(1)/obj/tests/qemu/%.o,$(TEST_QEMU_SRCS)) \
		$(patsubst $(TOP)/tests/qemu/%.cpp,$(USER_BUILD)/$(1)/obj/tests/qemu/%.o,$(TEST_QEMU_CXX_SRCS)) \
		$(USER_BUILD)/$(1)/libxenshm.a
	@mkdir -p $$(dir $$@)
	$(USER_CROSS_$(1))g++ $$^ $(USER_LDFLAGS) -o $$@

endef
$(foreach a,$(QEMU_ARCHES),$(eval $(call test_qemu_arch_rules,$(a))))

# One cell per kernel series and arch: the same test program and tools (they
# only need the uapi), the module built for that cell's kernel.
# $(1) = series, $(2) = arch
define test_qemu_cell_rules
.PHONY: test-qemu-$(1)-$(2) test-qemu-initramfs-$(1)-$(2)
test-qemu-initramfs-$(1)-$(2): $(USER_BUILD)/$(2)/bin/xenshm-test tools-$(2) $$(QEMU_PY_DEPS_$(2))
	$(MAKE) --no-print-directory module-$(1)-$(2)
	XENSHM_KSERIES=$(1) $(TOP)/scripts/mkinitramfs.sh --arch $(2) \
		--out $(QEMU_OUT)/$(1)/$(2)/initramfs.cpio.gz \
		--init $(TOP)/tests/qemu/guest.sh \
		--add $(BUILD)/$(1)/$(2)/xenshm.ko:/xenshm.ko \
		--add $(USER_BUILD)/$(2)/bin/xenshm-test:/bin/xenshm-test \
		$(foreach t,$(TOOL_NAMES),--add $(USER_BUILD)/$(2)/bin/$(t):/bin/$(t)) \
		$$(QEMU_PY_ADDS_$(2))

test-qemu-$(1)-$(2): test-qemu-initramfs-$(1)-$(2) $(TAP_VERDICT_OK)
	XENSHM_KSERIES=$(1) $(TOP)/scripts/qemu-run.sh --arch $(2) \
		--initrd $(QEMU_OUT)/$(1)/$(2)/initramfs.cpio.gz \
		--log $(QEMU_OUT)/$(1)/$(2)/console.log --timeout $(QEMU_TIMEOUT) --mem $(QEMU_MEM) \
		$(if $(QEMU_TEST_FILTER),--append 'XENSHM_TEST_FILTER="$(QEMU_TEST_FILTER)"') \
		--quiet; \
	$(TAP_VERDICT) --label "test-qemu $(1) $(2)" --run-status $$$$? \
		--summary $(QEMU_OUT)/$(1)/$(2)/summary.txt --tap $(QEMU_OUT)/$(1)/$(2)/results.tap \
		$(QEMU_OUT)/$(1)/$(2)/console.log
endef
$(foreach s,$(KSERIES_ALL),$(foreach a,$(QEMU_ARCHES),$(eval $(call test_qemu_cell_rules,$(s),$(a)))))

QEMU_CELLS := $(foreach s,$(KSERIES_SEL),$(foreach a,$(QEMU_ARCHES),$(s)/$(a)))

test-qemu-progs: $(foreach a,$(QEMU_ARCHES),$(USER_BUILD)/$(a)/bin/xenshm-test tools-$(a))

# Each cell runs even if another failed; one line per cell at the end (its
# summary.txt from tap-verdict.py: "P passed, F failed, S skipped (plan N)",
# prefixed with "FAILED: " and the reasons when the cell failed), the totals
# (a summary without counts, e.g. a cell that never ran, adds 0), and any
# failed cell fails the run.
test-qemu:
	@rc=0; for c in $(QEMU_CELLS); do \
		rm -f $(QEMU_OUT)/$$c/summary.txt; \
		$(MAKE) --no-print-directory test-qemu-$${c%/*}-$${c#*/} || rc=1; \
	done; \
	p=0; f=0; s=0; for c in $(QEMU_CELLS); do \
		l=$$(cat $(QEMU_OUT)/$$c/summary.txt 2>/dev/null || echo "FAILED: no summary"); \
		echo "  $$c: $$l"; \
		case $$l in FAILED*) rc=1 ;; esac; \
		set -- $$(echo "$$l" | sed -n 's/^\(FAILED: \)\{0,1\}\([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped.*/\2 \3 \4/p') 0 0 0; \
		p=$$((p + $$1)); f=$$((f + $$2)); s=$$((s + $$3)); \
	done; \
	echo "test-qemu total: $$p passed, $$f failed, $$s skipped"; \
	[ $$rc -eq 0 ]

# xenshm-bench in each guest: table, CSV (build/bench/dev-<arch>.csv), ratios.
# BENCH_DEV_ARGS: xenshm-bench options in the guests (see tools/xenshm-bench.cpp).
BENCH_DEV_ARCHES ?= x86_64 arm64
BENCH_DEV_ARGS ?= --reps 3
bench-dev: $(foreach a,$(BENCH_DEV_ARCHES),test-qemu-initramfs-$(KSERIES)-$(a))
	@mkdir -p $(BUILD)/bench
	@for a in $(BENCH_DEV_ARCHES); do \
		XENSHM_KSERIES=$(KSERIES) $(TOP)/scripts/qemu-run.sh --arch $$a \
			--initrd $(QEMU_OUT)/$(KSERIES)/$$a/initramfs.cpio.gz \
			--log $(QEMU_OUT)/$(KSERIES)/$$a/bench.log --timeout 1800 --mem $(QEMU_MEM) \
			--append XENSHM_BENCH=1 \
			$(if $(BENCH_DEV_ARGS),--append 'XENSHM_BENCH_ARGS="$(BENCH_DEV_ARGS)"') \
			--expect '^guest: bench csv end' --quiet || exit 1; \
		tr -d '\r' < $(QEMU_OUT)/$(KSERIES)/$$a/bench.log | \
			sed -n '/^guest: bench csv begin/,/^guest: bench csv end/p' | sed '1d;$$d' \
			> $(BUILD)/bench/dev-$$a.csv; \
		echo "== xenshm-bench, $$a guest (TCG), CSV in $(BUILD)/bench/dev-$$a.csv"; \
		tr -d '\r' < $(QEMU_OUT)/$(KSERIES)/$$a/bench.log | \
			grep -E '^(path |pipe |rw|mmap|rtt |\(medians )'; \
	done
