# SPDX-License-Identifier: GPL-2.0-only
#
# Benchmark plots (the benchmarks themselves: bench-ring in mk/ringcore.mk,
# bench-dev in mk/test-qemu.mk):
#   make bench-plot    docs/img/*.png from build/bench/dev-<arch>.csv and
#                      build/host/bench/ring_bench.json (scripts/plot-bench.py)

.PHONY: bench-plot
bench-plot:
	$(PYTHON) $(TOP)/scripts/plot-bench.py --build $(BUILD) --out $(TOP)/docs/img
