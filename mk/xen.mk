# SPDX-License-Identifier: GPL-2.0-only
#
# Xen/arm64 harness: Xen (Debian's source, static shared memory) + Debian's
# arm64 kernels (6.1 and 6.12, per domain: XEN_KSERIES) as Dom0 and two
# dom0less domUs in QEMU. See docs/xen-setup.md.
#
#   make xen             build (or reuse from $XENSHM_CACHE) Xen with CONFIG_STATIC_SHM
#   make xen-smoke       boot all three domains; each checks Xen and its shared regions
#                        (outputs in $(BUILD)/xen-smoke: console.log, results.txt, ...)
#   make xen-selftest    the harness must catch a panic, a FAIL result, a hang and a
#                        domain booted on the wrong kernel series
#
# XEN_RUN_ARGS adds options to scripts/xen/run.sh (e.g. XEN_RUN_ARGS=--verbose).
# xen-smoke boots each domain with the kernel series XEN_KSERIES gives it (see
# mk/xen-e2e.mk) and requires each to report running it; xen-selftest runs
# scripts/xen/run.sh's default (Debian's 6.1 kernel everywhere).

XEN_RUN_ARGS ?=
XEN_SMOKE_REQUIRE := $(foreach d,dom0 domu1 domu2,--require $(d):kernel \
	--require $(d):hypervisor --require $(d):domain-kind \
	--require $(d):shm-regions --require $(d):xen-upcall-irq) \
	--require dom0:shm-xenshm-0-1 --require dom0:shm-xenshm-0-2 \
	--require domu1:shm-xenshm-0-1 --require domu1:shm-xenshm-1-2 \
	--require domu2:shm-xenshm-1-2 --require domu2:shm-xenshm-0-2

.PHONY: xen xen-smoke xen-selftest

xen:
	@$(TOP)/scripts/deps.sh xen
	@$(TOP)/scripts/xen/build-xen.sh

xen-smoke:
	@$(TOP)/scripts/deps.sh xen
	$(TOP)/scripts/xen/run.sh --out $(BUILD)/xen-smoke --timeout 300 $(XEN_KSERIES_RUN) \
		$(XEN_SMOKE_REQUIRE) $(XEN_RUN_ARGS)

xen-selftest:
	@$(TOP)/scripts/deps.sh xen
	$(TOP)/scripts/xen/selftest.sh $(BUILD)/xen-selftest
