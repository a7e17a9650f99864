# SPDX-License-Identifier: GPL-2.0-only
#
# End-to-end tests and the demo on real Xen/arm64 in QEMU (scripts/xen/run.sh):
# Dom0 + domU1 + domU2, three static shared-memory regions, xenshm.ko in each.
#
#   make test-xen     the e2e suite (tests/xen/); fails on any FAIL, a panic,
#                     a timeout or a kernel warning in any domain
#   make xen-demo     live transfers with throughput, human-readable
#
# Knobs: XEN_E2E_MIB (MiB each way per path and channel, default 64),
#        XEN_E2E_TIMEOUT (s, default 290), XEN_DEMO_MIB (default 32).

XEN_E2E_OUT ?= $(BUILD)/xen-e2e
XEN_DEMO_OUT ?= $(BUILD)/xen-demo
XEN_E2E_MIB ?= 64
XEN_E2E_TIMEOUT ?= 290
XEN_DEMO_MIB ?= 32
XEN_PAYLOAD := $(BUILD)/xen-payload
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

.PHONY: xen-payload test-xen xen-demo
# Everything a domain needs in /xenshm: the module, the test program, the tools.
xen-payload: $(XEN_E2E_BIN) $(XEN_HELLO_BIN)
	@$(MAKE) --no-print-directory module ARCH=arm64
	@$(MAKE) --no-print-directory tools-arm64
	@rm -rf $(XEN_PAYLOAD) && mkdir -p $(XEN_PAYLOAD)
	cp $(BUILD)/arm64/xenshm.ko $(XEN_E2E_BIN) $(XEN_HELLO_BIN) $(XEN_PAYLOAD)/
	cp $(wildcard $(BUILD)/user/arm64/bin/xenshm-info $(BUILD)/user/arm64/bin/xenshm-cat \
		$(BUILD)/user/arm64/bin/xenshm-bench) $(XEN_PAYLOAD)/

# Results every domain must report (the collector also requires each domain's DONE).
XEN_E2E_REQUIRE := --require dom0:doc-example --require domu1:doc-example \
	$(foreach d,dom0 domu1 domu2,--require $(d):insmod --require $(d):devices \
	--require $(d):kernel-log)

# run.sh collects from the raw console; Dom0's hvc0 and Xen's own lines can
# interleave mid-line there, so the verdict comes from a second collection over
# the demultiplexed log (tests/xen/demux.py).
test-xen: xen-payload
	@start=$$(date +%s); rc=0; \
	$(TOP)/scripts/xen/run.sh --init all=$(TOP)/tests/xen/e2e.sh --payload $(XEN_PAYLOAD) \
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
	@echo "xen-demo: booting Xen + Dom0 + domU1 + domU2 in QEMU (TCG; about a minute)"; \
	$(TOP)/scripts/xen/run.sh --init all=$(TOP)/tests/xen/demo.sh --payload $(XEN_PAYLOAD) \
		--env XENSHM_DEMO_MIB=$(XEN_DEMO_MIB) --out $(XEN_DEMO_OUT) \
		--timeout 240 > $(XEN_DEMO_OUT).run.txt 2>&1 || true; \
	$(PYTHON) $(TOP)/tests/xen/demux.py $(XEN_DEMO_OUT)/console.log $(XEN_DEMO_OUT)/console.demux.log && \
	$(PYTHON) $(TOP)/scripts/xen/collect.py $(XEN_DEMO_OUT)/console.demux.log \
		--status $(XEN_DEMO_OUT)/status.json > $(XEN_DEMO_OUT)/results.txt; rc=$$?; \
	$(PYTHON) $(TOP)/tests/xen/report.py --demo $(XEN_DEMO_OUT)/console.demux.log; \
	echo "xen-demo: $$(tail -n 1 $(XEN_DEMO_OUT)/results.txt) (details: $(XEN_DEMO_OUT)/results.txt)"; \
	exit $$rc
