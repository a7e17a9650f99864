# SPDX-License-Identifier: GPL-2.0-only
#
# End-to-end tests and the demo on real Xen/arm64 in QEMU (scripts/xen/run.sh):
# Dom0 + domU1 + domU2, four static shared-memory regions, xenshm.ko in each;
# test-xen, test-xen-xsm-dummy, test-xen-peer-faults and xen-demo also boot
# the bare-metal domU3 (peer/baremetal/) and its two regions with Dom0 and
# domU1.
#
#   make test-xen     the e2e suite (tests/xen/), default-secure: Xen keeps its
#                     own XSM policy (SILO) and the domU<->domU regions use
#                     static event channels; fails on any FAIL, a panic, a
#                     timeout or a kernel warning in any domain
#   make test-xen-xsm-dummy  a shorter run of the same suite with xsm=dummy
#                     and no static event channels: the recipe's runtime
#                     hypercalls between two domUs
#   make test-xen-peer-faults  a domU scribbles over the control words, then
#                     domUs panic or power off without a word, the bare-metal
#                     domU3 hangs: the other side must notice each within its
#                     bound (EIO, heartbeat; Linux and the peer library)
#   make soak-xen     (not in make test) SOAK_MIB (1024) MiB each way per
#                     channel in random-length messages, then SOAK_RELOADS (100)
#                     module reloads in domU1 mid-stream, then a checksummed
#                     transfer; results in build/xen-soak/results.txt
#   make bench-xen-many  (not in make test) every domU1<->domU2 region
#                     streaming at once (XEN_MANY more regions)
#   make xen-demo     live transfers with throughput, human-readable
#   make xen-payload  only build what the domains get (build/xen-payload/)
#
# Knobs: XEN_KSERIES (which Linux each domain runs, below),
#        XEN_E2E_MIB (MiB each way per path and channel, default 64; the
#        xsm=dummy run moves XEN_E2E_DUMMY_MIB, default 8),
#        XEN_E2E_TIMEOUT (s, default 290), XEN_DEMO_MIB (default 32).

include $(TOP)/mk/tools.mk
include $(TOP)/mk/xen.mk

XEN_PAYLOAD := $(BUILD)/xen-payload

XEN_KSERIES_ARGS := $(XEN_KSERIES_RUN) \
	$(foreach d,$(XEN_DOMS),--payload $(d)=$(XEN_PAYLOAD)/ko-$(call xen-kseries-of,$(d)))

XEN_E2E_OUT ?= $(BUILD)/xen-e2e
XEN_E2E_DUMMY_OUT ?= $(BUILD)/xen-e2e-xsm-dummy
XEN_E2E_DUMMY_MIB ?= 8
XEN_FAULTS_OUT ?= $(BUILD)/xen-peer-faults
XEN_SOAK_OUT ?= $(BUILD)/xen-soak
SOAK_MIB ?= 1024
SOAK_RELOADS ?= 100
XEN_DEMO_OUT ?= $(BUILD)/xen-demo
XEN_E2E_MIB ?= 64
XEN_E2E_TIMEOUT ?= 290
XEN_DEMO_MIB ?= 32
XEN_E2E_CROSS ?= aarch64-linux-gnu-
XEN_E2E_BIN := $(BUILD)/user/arm64/bin/xenshm-e2e

# Kernel messages that fail a run, in any domain's console output.
XEN_BAD_LOG := Panic on CPU|Kernel panic|BUG: |WARNING: CPU: |Oops|Call trace:|Internal error: |Xen BUG at|Xen WARN at|refcount_t: |kernel BUG

# The test programs linked with libxenshm, one source each in tests/xen/:
# the e2e suite, the peer-death helper, the Linux end of the bare-metal
# peer's services (with their pattern), every channel at once (bench-xen-many).
XEN_DEATH_BIN := $(BUILD)/user/arm64/bin/xenshm-death
XEN_BMPEER_BIN := $(BUILD)/user/arm64/bin/xenshm-bmpeer
XEN_SCALE_BIN := $(BUILD)/user/arm64/bin/xenshm-scale
XEN_LIB_BINS := $(XEN_E2E_BIN) $(XEN_DEATH_BIN) $(XEN_BMPEER_BIN) $(XEN_SCALE_BIN)
$(XEN_BMPEER_BIN): $(TOP)/peer/baremetal/pattern.h
$(XEN_BMPEER_BIN): XEN_PROG_CPPFLAGS := -I$(TOP)/peer/baremetal
$(XEN_LIB_BINS): $(BUILD)/user/arm64/bin/%: $(TOP)/tests/xen/%.c \
		$(BUILD)/user/arm64/libxenshm.a $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(XEN_E2E_CROSS)gcc $(USER_CSTD) $(USER_CFLAGS) $(USER_CPPFLAGS) $(XEN_PROG_CPPFLAGS) \
		-c $< -o $@.o
	$(XEN_E2E_CROSS)g++ $@.o $(BUILD)/user/arm64/libxenshm.a $(USER_LDFLAGS) -o $@
	@rm -f $@.o

# The hostile peer of the hijack case: only the generated peer header.
XEN_LIAR_BIN := $(BUILD)/user/arm64/bin/xenshm-liar
$(XEN_LIAR_BIN): $(TOP)/tests/xen/xenshm-liar.c $(TOP)/peer/xenshm_wire.h
	@mkdir -p $(dir $@)
	$(XEN_E2E_CROSS)gcc -O2 -Wall -Wextra -static -I$(TOP) $< -o $@

# The example program of docs/xen-setup.md: only the uapi header, no library.
XEN_HELLO_BIN := $(BUILD)/user/arm64/bin/hello-xenshm
$(XEN_HELLO_BIN): $(TOP)/tests/xen/hello-xenshm.c $(TOP)/uapi/xenshm.h
	@mkdir -p $(dir $@)
	$(XEN_E2E_CROSS)gcc -O2 -Wall -Wextra -static -I$(TOP) $< -o $@

# Everything a domain needs in /xenshm: $(XEN_PAYLOAD)/common (the test
# program, the example, the tools: the same for every domain) and
# $(XEN_PAYLOAD)/ko-<series>/xenshm.ko (the module of each series in use).
# Every input is a prerequisite, never a $(wildcard) of build outputs: a
# wildcard is expanded when make reads the recipe, before anything is built.
XEN_TOOL_BINS := $(foreach t,$(TOOL_NAMES),$(USER_BUILD)/arm64/bin/$(t))
XEN_PAYLOAD_BINS := $(XEN_E2E_BIN) $(XEN_HELLO_BIN) $(XEN_LIAR_BIN) $(XEN_DEATH_BIN) \
	$(XEN_BMPEER_BIN) $(XEN_SCALE_BIN) \
	$(XEN_TOOL_BINS)

.PHONY: xen-payload test-xen test-xen-xsm-dummy test-xen-peer-faults soak-xen xen-demo \
	bench-xen-many
xen-payload: $(XEN_PAYLOAD_BINS) $(foreach s,$(XEN_KSERIES_USED),module-$(s)-arm64)
	@rm -rf $(XEN_PAYLOAD) && mkdir -p $(XEN_PAYLOAD)/common
	cp $(XEN_PAYLOAD_BINS) $(XEN_PAYLOAD)/common/
	@set -e; for s in $(XEN_KSERIES_USED); do \
		mkdir -p $(XEN_PAYLOAD)/ko-$$s; \
		echo "cp $(BUILD)/$$s/arm64/xenshm.ko $(XEN_PAYLOAD)/ko-$$s/"; \
		cp $(BUILD)/$$s/arm64/xenshm.ko $(XEN_PAYLOAD)/ko-$$s/; \
	done
	@echo "xen-payload: $(foreach d,$(XEN_DOMS),$(d)=$(call xen-kseries-of,$(d)))"

# Results every domain must report (the collector also requires each domain's DONE).
XEN_E2E_REQUIRE := --require dom0:doc-example --require domu1:doc-example \
	--require dom0:echo-cat@0-1 --require domu1:echo-cat@0-1 \
	--require domu1:echo-cat@1-2 --require domu2:echo-cat@1-2 \
	$(foreach d,$(XEN_DOMS),--require $(d):kernel --require $(d):insmod \
	--require $(d):devices --require $(d):evtchn-modes --require $(d):kernel-log)
XEN_E2E_REQUIRE_HIJACK := --require dom0:hijack-refused@0-1 --require dom0:hijack-log \
	--require domu1:hijack-liar
XEN_DEMO_REQUIRE := $(foreach d,$(XEN_DOMS),--require $(d):kernel --require $(d):insmod)

# $(call xen-e2e-run,NAME,OUT,RUN_ARGS,REQUIRES[,SCRIPT[,SKIP_LOG]]): one
# boot of the e2e suite (SCRIPT: every domain's, default tests/xen/e2e.sh);
# console lines matching the regex SKIP_LOG (a domain meant to panic) are
# not searched for kernel warnings.
define xen-e2e-run
	@start=$$(date +%s); rc=0; \
	$(TOP)/scripts/xen/run.sh --init all=$(or $(5),$(TOP)/tests/xen/e2e.sh) \
		--payload $(XEN_PAYLOAD)/common $(XEN_KSERIES_ARGS) $(3) $(4) --out $(2) \
		--timeout $(XEN_E2E_TIMEOUT) > $(2).run.txt 2>&1 || rc=1; \
	grep '^run.sh:' $(2).run.txt || true; \
	cat $(2)/results.txt 2>/dev/null || tail -n 20 $(2).run.txt; \
	$(PYTHON) $(TOP)/tests/xen/report.py $(2)/console.demux.log || true; \
	if grep -a -v -E '$(or $(6),^XENSHM-NO-SKIP$$)' $(2)/console.demux.log | \
		grep -a -E -q '$(XEN_BAD_LOG)'; then \
		grep -a -v -E '$(or $(6),^XENSHM-NO-SKIP$$)' $(2)/console.demux.log | \
			grep -a -E -n '$(XEN_BAD_LOG)' | head -n 20; \
		echo "$(1): kernel warning or panic in the console log (above)"; rc=1; fi; \
	echo "$(1): $$(( $$(date +%s) - start )) s, console: $(2)/console.log"; \
	exit $$rc
endef

# The bare-metal domain (domU3, peer/baremetal/): its own smoke checks (but
# those left out in $(1)), one marker per connection of its services, and
# the Linux ends' markers.
xen-e2e-require-bm = $(foreach t,$(filter-out $(1),$(BM_SMOKE_TESTS)) echo-init producer-init \
	echo@0-3\#1 echo@0-3\#2 echo@0-3\#3 echo@0-3\#4 producer@1-3\#1 producer@1-3\#2,\
	--require domu3:$(t)) \
	$(foreach t,bm-echo-msg bm-echo-stream bm-echo-msg-again bm-echo-stream-again,\
	--require dom0:$(t)@0-3) --require dom0:bm-reload \
	--require domu1:bm-consume@1-3 --require domu1:bm-consume-again@1-3
XEN_E2E_REQUIRE_BM := $(call xen-e2e-require-bm,)
XEN_BM_RUN_ARGS := --baremetal $(BM_OUT)/xenshm-bm.Image

test-xen: xen-payload $(BM_OUT)/xenshm-bm.Image
	$(call xen-e2e-run,test-xen,$(XEN_E2E_OUT),--env XENSHM_E2E_MIB=$(XEN_E2E_MIB) \
		$(XEN_BM_RUN_ARGS),$(XEN_E2E_REQUIRE) $(XEN_E2E_REQUIRE_HIJACK) $(XEN_E2E_REQUIRE_BM))

# The recipe between two domUs needs XSM to allow it; the hijack case is the
# main run's. The bare-metal domU3 is the recipe's sender here: its producer
# binds domU1's unbound port with EVTCHNOP_bind_interdomain, as the recipe's
# no-OS guest does (under SILO it uses a static channel instead).
test-xen-xsm-dummy: xen-payload $(BM_OUT)/xenshm-bm.Image
	$(call xen-e2e-run,test-xen-xsm-dummy,$(XEN_E2E_DUMMY_OUT),--xsm dummy \
		--no-static-evtchn --env XENSHM_E2E_MIB=$(XEN_E2E_DUMMY_MIB) \
		--env XENSHM_E2E_HIJACK=0 $(XEN_BM_RUN_ARGS),$(XEN_E2E_REQUIRE) \
		$(call xen-e2e-require-bm,evtchn-xenshm-1-3))

# A scribbler, then peer death: domU2 panics (its console shows a panic),
# domU1 powers off, also under the bare-metal domU3's producer, which must
# call it silent (peer library liveness, peer/baremetal/service.c); then
# domU3 hangs mid-echo and Dom0 must call it silent.
XEN_FAULTS_REQUIRE := --require dom0:scribble-eio@0-2 --require dom0:death-read@0-2 \
	--require dom0:death-read@0-1 --require domu1:death-write@1-2 --require dom0:kernel-log \
	--require domu3:producer-peer-silent --require dom0:bm-hang@0-3
test-xen-peer-faults: xen-payload $(BM_OUT)/xenshm-bm.Image
	$(call xen-e2e-run,test-xen-peer-faults,$(XEN_FAULTS_OUT),--expect-panic domu2 \
		--guest-args panic=1 $(XEN_BM_RUN_ARGS) --baremetal-args "peerdeath=1 hang=1048576",$(XEN_FAULTS_REQUIRE),$(TOP)/tests/xen/faults.sh,^\(XEN\) DOM2: )

# Not in make test: it runs for many minutes.
soak-xen: XEN_E2E_TIMEOUT = 3000
XEN_SOAK_REQUIRE := $(foreach d,$(XEN_DOMS),--require $(d):kernel-log) \
	--require domu1:soak-reloads
soak-xen: xen-payload
	$(call xen-e2e-run,soak-xen,$(XEN_SOAK_OUT),--env XENSHM_SOAK_MIB=$(SOAK_MIB) \
		--env XENSHM_SOAK_RELOADS=$(SOAK_RELOADS),$(XEN_SOAK_REQUIRE),$(TOP)/tests/xen/soak.sh)

# Not in make test (a benchmark): XEN_MANY (default 16: with the three fixed
# regions, the 19 a dom0less domU's 4 KiB device tree holds in Xen 4.17; see
# scripts/xen/gen-dt.py) more domU1<->domU2 regions of XEN_MANY_SIZE bytes,
# all streaming at once, 1, 4 and XEN_MANY of them.
# Results: build/xen-many/results.txt and the XENSHM-PERF scale lines.
XEN_MANY ?= 16
XEN_MANY_SIZE ?= 0x100000
XEN_MANY_MIB ?= 8
XEN_MANY_OUT ?= $(BUILD)/xen-many
bench-xen-many: XEN_E2E_TIMEOUT = 900
bench-xen-many: xen-payload
	$(call xen-e2e-run,bench-xen-many,$(XEN_MANY_OUT),--many $(XEN_MANY) \
		--many-size $(XEN_MANY_SIZE) --env XENSHM_MANY_MIB=$(XEN_MANY_MIB),\
		--require domu1:many-devices --require domu2:many-devices,$(TOP)/tests/xen/many.sh)
	@grep -a -h 'XENSHM-PERF .* scale ' $(XEN_MANY_OUT)/console.demux.log | \
		sed 's/^.*XENSHM-PERF /  /' || true

xen-demo: xen-payload $(BM_OUT)/xenshm-bm.Image
	@echo "xen-demo: booting Xen + Dom0 + domU1 + domU2 + bare-metal domU3 in QEMU (TCG; about a minute)," \
		"Linux $(foreach d,$(XEN_DOMS),$(d)=$(call xen-kseries-of,$(d)))"; \
	$(TOP)/scripts/xen/run.sh --init all=$(TOP)/tests/xen/demo.sh \
		--payload $(XEN_PAYLOAD)/common $(XEN_KSERIES_ARGS) $(XEN_BM_RUN_ARGS) \
		--env XENSHM_DEMO_MIB=$(XEN_DEMO_MIB) --out $(XEN_DEMO_OUT) \
		$(XEN_DEMO_REQUIRE) --timeout 240 > $(XEN_DEMO_OUT).run.txt 2>&1; rc=$$?; \
	$(PYTHON) $(TOP)/tests/xen/report.py --demo $(XEN_DEMO_OUT)/console.demux.log; \
	echo "xen-demo: $$(tail -n 1 $(XEN_DEMO_OUT)/results.txt) (details: $(XEN_DEMO_OUT)/results.txt)"; \
	exit $$rc
