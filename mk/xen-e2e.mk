# SPDX-License-Identifier: GPL-2.0-only
#
# End-to-end tests and the demo on real Xen/arm64 in QEMU (scripts/xen/run.sh):
# Dom0 + domU1 + domU2, three static shared-memory regions, xenshm.ko in each.
#
#   make test-xen     the e2e suite (tests/xen/); fails on any FAIL, a panic,
#                     a timeout or a kernel warning in any domain
#   make xen-demo     live transfers with throughput, human-readable
#   make xen-payload  only build what the domains get (build/xen-payload/)
#
# Knobs: XEN_KSERIES (which Linux each domain runs, below),
#        XEN_E2E_MIB (MiB each way per path and channel, default 64),
#        XEN_E2E_TIMEOUT (s, default 290), XEN_DEMO_MIB (default 32).

include $(TOP)/mk/tools.mk
include $(TOP)/mk/xen.mk

XEN_PAYLOAD := $(BUILD)/xen-payload

XEN_KSERIES_ARGS := $(XEN_KSERIES_RUN) \
	$(foreach d,$(XEN_DOMS),--payload $(d)=$(XEN_PAYLOAD)/ko-$(call xen-kseries-of,$(d)))

XEN_E2E_OUT ?= $(BUILD)/xen-e2e
XEN_DEMO_OUT ?= $(BUILD)/xen-demo
XEN_E2E_MIB ?= 64
XEN_E2E_TIMEOUT ?= 290
XEN_DEMO_MIB ?= 32
XEN_E2E_CROSS ?= aarch64-linux-gnu-
XEN_E2E_BIN := $(BUILD)/user/arm64/bin/xenshm-e2e

# Kernel messages that fail a run, in any domain's console output.
XEN_BAD_LOG := Panic on CPU|Kernel panic|BUG: |WARNING: CPU: |Oops|Call trace:|Internal error: |Xen BUG at|Xen WARN at|refcount_t: |kernel BUG

$(XEN_E2E_BIN): $(TOP)/tests/xen/xenshm-e2e.c $(BUILD)/user/arm64/libxenshm.a $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(XEN_E2E_CROSS)gcc $(USER_CSTD) $(USER_CFLAGS) $(USER_CPPFLAGS) -c $< -o $@.o
	$(XEN_E2E_CROSS)g++ $@.o $(BUILD)/user/arm64/libxenshm.a $(USER_LDFLAGS) -o $@
	@rm -f $@.o

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
XEN_PAYLOAD_BINS := $(XEN_E2E_BIN) $(XEN_HELLO_BIN) $(XEN_TOOL_BINS)

.PHONY: xen-payload test-xen xen-demo
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
	$(foreach d,$(XEN_DOMS),--require $(d):kernel --require $(d):insmod \
	--require $(d):devices --require $(d):kernel-log)
XEN_DEMO_REQUIRE := $(foreach d,$(XEN_DOMS),--require $(d):kernel --require $(d):insmod)

# run.sh collects from the raw console; Dom0's hvc0 and Xen's own lines can
# interleave mid-line there, so the verdict comes from a second collection over
# the demultiplexed log (tests/xen/demux.py).
test-xen: xen-payload
	@start=$$(date +%s); rc=0; \
	$(TOP)/scripts/xen/run.sh --init all=$(TOP)/tests/xen/e2e.sh \
		--payload $(XEN_PAYLOAD)/common $(XEN_KSERIES_ARGS) \
		--env XENSHM_E2E_MIB=$(XEN_E2E_MIB) --out $(XEN_E2E_OUT) \
		--timeout $(XEN_E2E_TIMEOUT) > $(XEN_E2E_OUT).run.txt 2>&1 || true; \
	grep '^run.sh:' $(XEN_E2E_OUT).run.txt || true; \
	$(PYTHON) $(TOP)/tests/xen/demux.py $(XEN_E2E_OUT)/console.log $(XEN_E2E_OUT)/console.demux.log && \
	$(PYTHON) $(TOP)/scripts/xen/collect.py $(XEN_E2E_OUT)/console.demux.log \
		--status $(XEN_E2E_OUT)/status.json --json $(XEN_E2E_OUT)/results.json \
		$(XEN_E2E_REQUIRE) > $(XEN_E2E_OUT)/results.txt || rc=1; \
	cat $(XEN_E2E_OUT)/results.txt; \
	$(PYTHON) $(TOP)/tests/xen/report.py $(XEN_E2E_OUT)/console.demux.log || true; \
	if grep -a -E -q '$(XEN_BAD_LOG)' $(XEN_E2E_OUT)/console.log; then \
		grep -a -E -n '$(XEN_BAD_LOG)' $(XEN_E2E_OUT)/console.log | head -n 20; \
		echo "test-xen: kernel warning or panic in the console log (above)"; rc=1; fi; \
	echo "test-xen: $$(( $$(date +%s) - start )) s, console: $(XEN_E2E_OUT)/console.log"; \
	exit $$rc

xen-demo: xen-payload
	@echo "xen-demo: booting Xen + Dom0 + domU1 + domU2 in QEMU (TCG; about a minute)," \
		"Linux $(foreach d,$(XEN_DOMS),$(d)=$(call xen-kseries-of,$(d)))"; \
	$(TOP)/scripts/xen/run.sh --init all=$(TOP)/tests/xen/demo.sh \
		--payload $(XEN_PAYLOAD)/common $(XEN_KSERIES_ARGS) \
		--env XENSHM_DEMO_MIB=$(XEN_DEMO_MIB) --out $(XEN_DEMO_OUT) \
		--timeout 240 > $(XEN_DEMO_OUT).run.txt 2>&1 || true; \
	$(PYTHON) $(TOP)/tests/xen/demux.py $(XEN_DEMO_OUT)/console.log $(XEN_DEMO_OUT)/console.demux.log && \
	$(PYTHON) $(TOP)/scripts/xen/collect.py $(XEN_DEMO_OUT)/console.demux.log \
		--status $(XEN_DEMO_OUT)/status.json $(XEN_DEMO_REQUIRE) > $(XEN_DEMO_OUT)/results.txt; rc=$$?; \
	$(PYTHON) $(TOP)/tests/xen/report.py --demo $(XEN_DEMO_OUT)/console.demux.log; \
	echo "xen-demo: $$(tail -n 1 $(XEN_DEMO_OUT)/results.txt) (details: $(XEN_DEMO_OUT)/results.txt)"; \
	exit $$rc
