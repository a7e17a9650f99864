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
#                        domain booted on the wrong kernel series, and count every
#                        marker when Dom0's and Xen's lines interleave (demux, flood)
#
# XEN_RUN_ARGS adds options to scripts/xen/run.sh (e.g. XEN_RUN_ARGS=--verbose).
# xen-smoke boots each domain with the kernel series XEN_KSERIES gives it
# (below; test-xen and xen-demo in mk/xen-e2e.mk use the same map) and
# requires each to report running it; xen-selftest runs scripts/xen/run.sh's
# default (Debian's 6.1 kernel everywhere). Included by mk/xen-e2e.mk too:
# the guard keeps it to one definition.

ifndef XENSHM_XEN_MK
XENSHM_XEN_MK := 1

# Which Debian kernel series (KSERIES_ALL) each domain boots: words DOM=SERIES
# for dom0, domu1, domu2; "all=SERIES" or a bare SERIES sets every domain; later
# words win (XEN_KSERIES="6.12 dom0=6.1"). Each domain gets Debian's arm64
# Image of its series and the xenshm.ko built for that series (a module built
# for the other series is refused by insmod: vermagic), and must report running
# that series (result "kernel", required by test-xen and xen-demo).
# Default: domU1 on 6.12, Dom0 and domU2 on 6.1. Then both kinds of channel
# cross kernel versions (xenshm-0-1 Dom0<->domU, xenshm-1-2 domU<->domU: 6.1 to
# 6.12) and one does not (xenshm-0-2, 6.1 to 6.1, the baseline); domU1 is also
# the domain that unloads and reloads the module in test-xen, so the 6.12
# kernel gets the rmmod/insmod path too. Dom0 stays on Debian 12's own kernel,
# as on a stock Debian 12 host.
XEN_KSERIES ?= dom0=6.1 domu1=6.12 domu2=6.1
XEN_DOMS := dom0 domu1 domu2
xen-kseries-words := $(foreach w,$(XEN_KSERIES),$(if $(findstring =,$(w)),$(w),all=$(w)))
# $(call xen-kseries-of,dom): the series of one domain
xen-kseries-of = $(lastword $(patsubst $(1)=%,%,$(patsubst all=%,$(1)=%,\
	$(filter $(1)=% all=%,$(xen-kseries-words)))))
$(foreach w,$(xen-kseries-words),$(if $(filter $(XEN_DOMS) all,$(firstword $(subst =, ,$(w)))),,\
	$(error XEN_KSERIES: unknown domain in '$(w)' (dom0, domu1, domu2 or all))))
$(foreach d,$(XEN_DOMS),$(if $(filter $(KSERIES_ALL),$(call xen-kseries-of,$(d))),,\
	$(error XEN_KSERIES=$(XEN_KSERIES): no known series for $(d) (one of: $(KSERIES_ALL)))))
XEN_KSERIES_USED := $(sort $(foreach d,$(XEN_DOMS),$(call xen-kseries-of,$(d))))
# run.sh options: each domain's series (its kernel, and what it must report);
# with the payload, also each domain's module.
XEN_KSERIES_RUN := $(foreach d,$(XEN_DOMS),--kseries $(d)=$(call xen-kseries-of,$(d)))

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

endif # XENSHM_XEN_MK
