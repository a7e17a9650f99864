# SPDX-License-Identifier: GPL-2.0-only
#
# Friendly wrapper around xenshm's builds and tests. Kbuild holds the kernel
# build proper; each area adds its targets from mk/<area>.mk.
#
#   make demo        the main job: Xen/arm64 in QEMU, live transfers
#   make test        everything CI runs
#   make help        all targets

PYTHON ?= /usr/bin/python3
TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
BUILD ?= $(TOP)/build
# Kernel, Xen and header downloads live outside the clone, keyed by their inputs.
XENSHM_CACHE ?= $(HOME)/.cache/xenshm
# Linux series the kernel targets use (Debian's packages): 6.1 is Debian 12's
# own kernel and the default; 6.12 is the series Debian 12 also carries (LTS,
# bookworm-security; the same as bookworm-backports'). `make test` runs both.
KSERIES ?= 6.1
KSERIES_ALL := 6.1 6.12
ifeq ($(filter $(KSERIES),$(KSERIES_ALL)),)
$(error KSERIES=$(KSERIES): unknown kernel series (one of: $(KSERIES_ALL)))
endif
# The series a matrix target runs: the one asked for, or all of them.
KSERIES_SEL := $(if $(filter command line environment,$(origin KSERIES)),$(KSERIES),$(KSERIES_ALL))
export XENSHM_CACHE PYTHON

.DEFAULT_GOAL := help

include $(sort $(wildcard $(TOP)/mk/*.mk))

.PHONY: help deps
help:
	@echo "xenshm targets:"
	@echo "  demo          Xen/arm64 in QEMU: Dom0 + two dom0less DomUs moving data"
	@echo "  test          everything CI runs"
	@echo "  regen         regenerate the ABI from codegen/spec/xenshm.yaml"
	@echo "  regen-check   fail if generated files are stale"
	@echo "  check         checkpatch --strict, clang-format, poison, regen, man page and packaging checks (seconds)"
	@echo "  module        xenshm.ko for the running kernel, or build/\$$KSERIES/\$$ARCH/xenshm.ko"
	@echo "                with ARCH=arm64|x86_64 KSERIES=6.1|6.12 (Debian's headers), or KDIR="
	@echo "  module-all    both kernel series x both arches"
	@echo "  test-host     ring core tests on the host (GoogleTest, sanitizers)"
	@echo "  test-qemu     module tests in QEMU with Debian's kernels (6.1, 6.12 x arm64, x86_64)"
	@echo "  test-kunit    KUnit suites in QEMU (KASAN, UBSAN, lockdep): 6.1 arm64+x86_64, 6.12 arm64"
	@echo "  test-xen      end-to-end tests on Xen/arm64 in QEMU, domains on 6.1 and 6.12 (XSM SILO, static event channels)"
	@echo "  test-xen-xsm-dummy  the same, shorter, with xsm=dummy: the recipe between two domUs"
	@echo "  test-xen-peer-faults  a peer scribbling over control words, a peer panicking, one powering off, a bare-metal one hanging"
	@echo "  baremetal     the bare-metal arm64 Xen guest (peer/baremetal/); xen-baremetal-smoke boots it as domU3"
	@echo "  test-build-errors, test-fresh-clone   tests of the build itself"
	@echo "  bench         benchmarks (ratios)"
	@echo "  fuzz          libFuzzer run of the ring core against hostile memory"
	@echo "  fuzz-long     10^8 fuzzer executions (FUZZ_LONG_RUNS) and line coverage of ringcore/"
	@echo "  stress        the KUnit cells with STRESS_MIN minutes of the randomized exerciser"
	@echo "  bench-xen     Xen/arm64 in QEMU, Dom0<->domU1: xenshm rw/mmap/zero copy vs libxenvchan, a /dev/mem ring, memcpy"
	@echo "  bench-xen-many  every domU1<->domU2 region streaming at once (16 more regions: a domU's limit)"
	@echo "  soak-xen      1 GiB each way per channel on Xen, then 100 module reloads mid-stream"
	@echo "  install       module (KVER, default uname -r), tools, headers, libxenshm.a, xenshm.pc,"
	@echo "                man pages, udev rule; DESTDIR= PREFIX= (install-module, install-user)"
	@echo "  dkms-install, dkms-remove   the module through DKMS (dkms.conf)"
	@echo "  deb           Debian packages for amd64 and arm64 (packaging/debian), lintian"
	@echo "  test-install  the packages in a Debian 12 root: DKMS for 6.1 and 6.12, QEMU smoke, udev rule"
	@echo "  test-deb-arm64  the arm64 packages: lintian, their tools run in an arm64 guest"
	@echo "  check-man     mandoc -T lint and lexgrog on docs/man/ (part of check)"

deps:
	@$(TOP)/scripts/deps.sh all

# Aggregates. Each area's targets live in mk/<area>.mk; `test` runs them all,
# cheapest first, so a broken generator fails in seconds, not after a kernel build.
TEST_STEPS ?= check test-codegen test-host module-all test-build-errors test-fresh-clone test-qemu-smoke test-qemu test-install test-deb-arm64 test-kunit xen-selftest test-xen test-xen-xsm-dummy test-xen-peer-faults

.PHONY: test demo bench module-all
test: deps
	@set -e; for t in $(TEST_STEPS); do \
		echo "==> make $$t"; start=$$(date +%s); \
		$(MAKE) --no-print-directory $$t; \
		echo "==> make $$t: ok ($$(( $$(date +%s) - start )) s)"; \
	done; echo "==> make test: all passed"

demo: deps
	@$(MAKE) --no-print-directory xen-demo

bench: deps
	@$(MAKE) --no-print-directory bench-ring bench-dev
