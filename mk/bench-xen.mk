# SPDX-License-Identifier: GPL-2.0-only
#
# make bench-xen (not in make test): one Xen boot (scripts/xen/run.sh, Dom0 +
# domU1 with xenstore + domU2), Dom0 <-> domU1, sizes 64 B, 1 KiB, 64 KiB,
# paired runs of every path (tests/xen/bench.sh, tests/xen/xenshm-xbench.c):
# xenshm rw / mmap / zero copy, Debian's libxenvchan, a do-it-yourself ring
# over /dev/mem + /dev/xen/evtchn, and memcpy in the guest. Results in
# build/xen-bench/ (results.csv, ratios.txt, report.md, xen-bench-*.png);
# the plots are also copied to docs/img/.
#
# Knobs: XEN_BENCH_PAIRS (pairs of runs, default 5), XEN_BENCH_TIMEOUT (s).
# Every domain runs Debian 12's 6.1 kernel: the Xen device modules the vchan
# row needs come from its package (scripts/xen/xen-userland.sh).

XEN_BENCH_OUT ?= $(BUILD)/xen-bench
XEN_BENCH_PAIRS ?= 5
# domU1 may print a kernel WARNING (balloon hotplug after gntdev, see
# tests/xen/bench.sh): it must not end the boot; the report lists it.
XEN_BENCH_TIMEOUT ?= 3000
XEN_BENCH_PAYLOAD := $(BUILD)/xen-bench-payload
XEN_XBENCH_BIN := $(BUILD)/user/arm64/bin/xenshm-xbench

# LIB_HDRS and the user build flags (mk/ files are included in name order).
include $(TOP)/mk/tools.mk

# Debian's static libxenvchan.a & co. (libxen-dev:arm64); --wrap counts the
# events libxenvchan sends. The link's output goes to a file, so its status
# is the rule's (a pipe would report grep's).
$(XEN_XBENCH_BIN): $(TOP)/tests/xen/xenshm-xbench.c $(BUILD)/user/arm64/libxenshm.a $(LIB_HDRS) \
		$(TOP)/scripts/xen/xen-userland.sh
	@mkdir -p $(dir $@)
	@set -e; s=$$($(TOP)/scripts/xen/xen-userland.sh sysroot); l=$$s/usr/lib/aarch64-linux-gnu; \
	echo "  CC      $@ (libxenvchan from $$s)"; \
	aarch64-linux-gnu-gcc $(USER_CSTD) $(USER_CFLAGS) $(USER_CPPFLAGS) -idirafter $$s/usr/include \
		-c $< -o $@.o; \
	aarch64-linux-gnu-g++ $@.o $(BUILD)/user/arm64/libxenshm.a -Wl,--wrap=xenevtchn_notify \
		$$l/libxenvchan.a $$l/libxengnttab.a $$l/libxenevtchn.a $$l/libxenstore.a \
		$$l/libxentoolcore.a $$l/libxentoollog.a $(USER_LDFLAGS) -o $@ 2>$@.log || \
		{ cat $@.log; rm -f $@.o; exit 1; }; \
		grep -v 'statically linked applications' $@.log || true; rm -f $@.o $@.log

.PHONY: bench-xen bench-xen-payload
bench-xen-payload: $(XEN_XBENCH_BIN) module-6.1-arm64
	@rm -rf $(XEN_BENCH_PAYLOAD) && mkdir -p $(XEN_BENCH_PAYLOAD)
	cp $(XEN_XBENCH_BIN) $(BUILD)/6.1/arm64/xenshm.ko $(XEN_BENCH_PAYLOAD)/
	cp -a $$($(TOP)/scripts/xen/xen-userland.sh payload)/. $(XEN_BENCH_PAYLOAD)/

bench-xen: deps xen-payload bench-xen-payload
	@start=$$(date +%s); rm -rf $(XEN_BENCH_OUT); mkdir -p $(XEN_BENCH_OUT); \
	echo "bench-xen: one Xen boot, $(XEN_BENCH_PAIRS) pairs (TCG: many minutes)"; \
	$(TOP)/scripts/xen/run.sh --init all=$(TOP)/tests/xen/bench.sh \
		--payload $(XEN_PAYLOAD)/common --payload $(XEN_BENCH_PAYLOAD) --kseries all=6.1 \
		--xenstore domu1 --expect-panic domu1 --env XENSHM_BENCH_PAIRS=$(XEN_BENCH_PAIRS) --out $(XEN_BENCH_OUT) \
		--timeout $(XEN_BENCH_TIMEOUT) > $(XEN_BENCH_OUT).run.txt 2>&1 || true; \
	grep '^run.sh:' $(XEN_BENCH_OUT).run.txt || true; \
	$(PYTHON) $(TOP)/tests/xen/bench-report.py $(XEN_BENCH_OUT)/console.demux.log \
		--out $(XEN_BENCH_OUT) --img $(TOP)/docs/img; rc=$$?; \
	echo "bench-xen: $$(( $$(date +%s) - start )) s, console: $(XEN_BENCH_OUT)/console.log"; \
	exit $$rc
