# SPDX-License-Identifier: GPL-2.0-only
#
# Ring core on the host: freestanding checks, GoogleTest suites under
# sanitizers, libFuzzer, Google Benchmark.
#
#   make test-host      freestanding check + tests (ASan+UBSan, TSan) + 10 s fuzz smoke
#   make test-ringcore  only the ASan+UBSan test binary (fast loop while editing)
#   make fuzz           libFuzzer for FUZZ_SECONDS (default 60)
#   make fuzz-long      libFuzzer until FUZZ_LONG_RUNS executions (default 10^8)
#                       or FUZZ_LONG_SECONDS (default 4 h), FUZZ_JOBS processes
#                       (default 2), then a line-coverage report of ringcore/
#                       from replaying the corpus (build/host/fuzz/coverage.txt)
#   make bench-ring     benchmark with ratios against references
#
# Outputs under $(BUILD)/host/<variant>/.

RC_INC := $(TOP)/ringcore/include
RC_SRCS := $(wildcard $(TOP)/ringcore/*.cpp)
RC_HDRS := $(wildcard $(RC_INC)/xenshm/*.h $(RC_INC)/xenshm/*.hpp)
RC_TEST_SRCS := $(wildcard $(TOP)/tests/host/*.cpp)
RC_TEST_HDRS := $(wildcard $(TOP)/tests/host/*.hpp)
RC_HOST := $(BUILD)/host

# ringcore keeps the freestanding language restrictions in userspace too.
RC_WARN := -Wall -Wextra -Werror
RC_LANG := -std=gnu++20 -fno-exceptions -fno-rtti -fno-threadsafe-statics -fno-strict-aliasing
RC_CXXFLAGS := $(RC_LANG) $(RC_WARN) -I$(RC_INC)
# Tests and tools may use the hosted library (GoogleTest needs it).
RC_TEST_CXXFLAGS := -std=gnu++20 $(RC_WARN) -I$(RC_INC) -I$(TOP)/tests/host

RC_SAN_asan := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# TSan does not model standalone fences (it says so with -Wtsan): the fences
# are still emitted and make the arm/recheck work; TSan checks the data path,
# whose ordering is all acquire/release. No over-synchronising stand-in.
RC_SAN_tsan := -O1 -g -fsanitize=thread -Wno-tsan
RC_SAN_opt := -O2 -g

FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 10
FUZZ_LONG_RUNS ?= 100000000
FUZZ_LONG_SECONDS ?= 14400
FUZZ_JOBS ?= 2
# Debian's clang-14 brings llvm-14; the unversioned names come with "llvm".
RC_LLVM_COV ?= $(firstword $(shell command -v llvm-cov llvm-cov-14))
RC_LLVM_PROFDATA ?= $(firstword $(shell command -v llvm-profdata llvm-profdata-14))
RC_CLANG ?= clang++
RC_FUZZ_FLAGS := -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

.PHONY: test-host test-ringcore ringcore-freestanding fuzz fuzz-smoke fuzz-long bench-ring

# $(1) = variant
define rc_variant
$(RC_HOST)/$(1)/ringcore/%.o: $(TOP)/ringcore/%.cpp $(RC_HDRS)
	@mkdir -p $$(dir $$@)
	g++ $(RC_CXXFLAGS) $(RC_SAN_$(1)) -c $$< -o $$@

$(RC_HOST)/$(1)/tests/%.o: $(TOP)/tests/host/%.cpp $(RC_HDRS) $(RC_TEST_HDRS)
	@mkdir -p $$(dir $$@)
	g++ $(RC_TEST_CXXFLAGS) $(RC_SAN_$(1)) -c $$< -o $$@

$(RC_HOST)/$(1)/ringcore_test: $(patsubst $(TOP)/ringcore/%.cpp,$(RC_HOST)/$(1)/ringcore/%.o,$(RC_SRCS)) \
		$(patsubst $(TOP)/tests/host/%.cpp,$(RC_HOST)/$(1)/tests/%.o,$(RC_TEST_SRCS))
	g++ $(RC_SAN_$(1)) $$^ -o $$@ -lgtest -lgtest_main -pthread
endef
$(foreach v,asan tsan opt,$(eval $(call rc_variant,$(v))))

test-ringcore: $(RC_HOST)/asan/ringcore_test
	$(RC_HOST)/asan/ringcore_test --gtest_brief=1

# TSan: the multi-threaded tests (stress >= 1 GiB each way, races).
RC_TSAN_FILTER ?= *Stress*:*Race*:*Concurrent*
# The builds (about 100 s from a clean clone) on both cores; the tests after
# them, one at a time (the TSan stress tests want the machine to themselves).
RC_HOST_BUILDS = ringcore-freestanding $(RC_HOST)/asan/ringcore_test $(RC_HOST)/tsan/ringcore_test $(RC_FUZZ_BIN)
test-host:
	@$(MAKE) --no-print-directory -j2 $(RC_HOST_BUILDS)
	@echo "==> ringcore tests (ASan+UBSan, whole suite)"
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		$(RC_HOST)/asan/ringcore_test --gtest_brief=1
	@echo "==> ringcore tests (TSan: $(RC_TSAN_FILTER))"
	TSAN_OPTIONS=halt_on_error=1 $(RC_HOST)/tsan/ringcore_test --gtest_brief=1 \
		--gtest_filter='$(RC_TSAN_FILTER)'
	@$(MAKE) --no-print-directory fuzz-smoke

# ---- freestanding: kernel-like flags, no libraries, nothing C++-runtime ----
# Catches what would break the module link: global constructors (.init_array),
# guarded statics (_ZGV), operator new/delete, __cxa_*, 128-bit division,
# outline atomics, and any undefined symbol beyond memcpy/memset/memmove.
RC_FS_COMMON := $(RC_LANG) $(RC_WARN) -O2 -nostdinc -ffreestanding -fno-use-cxa-atexit -D__KERNEL__ -I$(RC_INC)
RC_FS_x86_64 := g++ $(RC_FS_COMMON) -mno-sse -mno-mmx -mno-red-zone -mcmodel=kernel -fno-pic
RC_FS_arm64 := aarch64-linux-gnu-g++ $(RC_FS_COMMON) -mgeneral-regs-only -mno-outline-atomics -fno-pic
# bm-arm64: what a bare-metal arm64 guest linking the peer library
# (xenshm/xsr_peer.h) builds: no __KERNEL__, so the headers take their
# userspace path, but only the compiler's own stddef.h/stdint.h exist.
RC_FS_BM_INC := $(shell aarch64-linux-gnu-g++ -print-file-name=include 2>/dev/null)
RC_FS_bm-arm64 := aarch64-linux-gnu-g++ $(RC_LANG) $(RC_WARN) -O2 -nostdinc -isystem $(RC_FS_BM_INC) \
	-ffreestanding -nostdlib -fno-use-cxa-atexit -mgeneral-regs-only -mno-outline-atomics -I$(RC_INC)
RC_FS_ARCHES := x86_64 arm64 bm-arm64
RC_FS_OBJS = $(foreach a,$(RC_FS_ARCHES),$(patsubst $(TOP)/ringcore/%.cpp,$(RC_HOST)/fs-$(a)/%.o,$(RC_SRCS)))

define rc_fs_arch
$(RC_HOST)/fs-$(1)/%.o: $(TOP)/ringcore/%.cpp $(RC_HDRS)
	@mkdir -p $$(dir $$@)
	$(RC_FS_$(1)) -c $$< -o $$@
endef
$(foreach a,$(RC_FS_ARCHES),$(eval $(call rc_fs_arch,$(a))))

ringcore-freestanding: $(RC_FS_OBJS)
	@set -e; for a in $(RC_FS_ARCHES); do \
		pfx=$$( [ $$a != x86_64 ] && echo aarch64-linux-gnu- || true ); \
		nmcmd=$${pfx}nm; \
		objdir=$(RC_HOST)/fs-$$a; \
		$${pfx}ld -r -o $(RC_HOST)/fs-$$a.ringcore.o $$objdir/*.o; \
		bad=$$($$nmcmd -u $(RC_HOST)/fs-$$a.ringcore.o | awk '{print $$NF}' | sort -u | grep -v -x -E 'memcpy|memset|memmove' || true); \
		if [ -n "$$bad" ]; then echo "ringcore ($$a): forbidden undefined symbols: $$bad"; exit 1; fi; \
		if $$nmcmd $$objdir/*.o | grep -E ' _ZGV| __cxa| _Znw| _Zdl| __udivti3| __aarch64_'; then \
			echo "ringcore ($$a): C++ runtime symbols"; exit 1; fi; \
		for o in $$objdir/*.o; do \
			if readelf -S $$o | grep -E '\.init_array|\.ctors|\.eh_frame_hdr'; then \
				echo "ringcore ($$a): $$o has constructors"; exit 1; fi; \
		done; \
	done
	@for std in c90 c99 gnu11; do for h in xsr.h xsr_peer.h; do \
		gcc -std=$$std -pedantic -Wall -Wextra -Werror -fsyntax-only -I$(RC_INC) -x c $(RC_INC)/xenshm/$$h || exit 1; \
	done; done
	@aarch64-linux-gnu-gcc -std=c99 -pedantic -Wall -Wextra -Werror -fsyntax-only -ffreestanding -nostdinc \
		-isystem $(RC_FS_BM_INC) -I$(RC_INC) -x c $(RC_INC)/xenshm/xsr_peer.h
	@g++ -std=gnu++20 -Wall -Wextra -Werror -fsyntax-only -I$(RC_INC) -x c++ $(RC_INC)/xenshm/xsr_mem.h
	@g++ -std=gnu++20 -Wall -Wextra -Werror -fsyntax-only -I$(RC_INC) -x c++ $(RC_INC)/xenshm/xsr_peer.h
	@echo "ringcore-freestanding: ok (x86_64, arm64, bare-metal arm64; xsr.h, xsr_peer.h as C90/C99/C11/C++)"

# ---- fuzz ----
RC_FUZZ_BIN := $(RC_HOST)/fuzz/ring_fuzz
$(RC_FUZZ_BIN): $(TOP)/fuzz/ring_fuzz.cpp $(RC_SRCS) $(RC_HDRS)
	@mkdir -p $(dir $@)
	$(RC_CLANG) $(RC_LANG) $(RC_WARN) -I$(RC_INC) $(RC_FUZZ_FLAGS) $(TOP)/fuzz/ring_fuzz.cpp $(RC_SRCS) -o $@

RC_FUZZ_CORPUS := $(RC_HOST)/fuzz/corpus
fuzz: $(RC_FUZZ_BIN)
	@mkdir -p $(RC_FUZZ_CORPUS)
	$(RC_FUZZ_BIN) -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -max_len=4096 \
		-artifact_prefix=$(RC_HOST)/fuzz/ $(RC_FUZZ_CORPUS) $(TOP)/fuzz/seeds

# The budget is split between the jobs (libFuzzer's -runs counts per
# process). Each job's output: $(RC_HOST)/fuzz/fuzz-<n>.log; the totals and
# the coverage of ringcore/*.cpp and its headers are printed at the end.
RC_FUZZ_COV_BIN := $(RC_HOST)/fuzz/ring_fuzz_cov
$(RC_FUZZ_COV_BIN): $(TOP)/fuzz/ring_fuzz.cpp $(RC_SRCS) $(RC_HDRS)
	@mkdir -p $(dir $@)
	$(RC_CLANG) $(RC_LANG) $(RC_WARN) -I$(RC_INC) -O1 -g -fsanitize=fuzzer \
		-fprofile-instr-generate -fcoverage-mapping $(TOP)/fuzz/ring_fuzz.cpp $(RC_SRCS) -o $@

fuzz-long: $(RC_FUZZ_BIN) $(RC_FUZZ_COV_BIN)
	@mkdir -p $(RC_FUZZ_CORPUS)
	@[ -n "$(RC_LLVM_COV)" ] && [ -n "$(RC_LLVM_PROFDATA)" ] || \
		{ echo "fuzz-long: llvm-cov/llvm-profdata not found (make deps)" >&2; exit 1; }
	@start=$$(date +%s); rc=0; pids=; \
	rm -f $(RC_HOST)/fuzz/fuzz-*.log; \
	for j in $$(seq 1 $(FUZZ_JOBS)); do \
		$(RC_FUZZ_BIN) -runs=$$(( $(FUZZ_LONG_RUNS) / $(FUZZ_JOBS) )) \
			-max_total_time=$(FUZZ_LONG_SECONDS) -print_final_stats=1 -max_len=4096 \
			-seed=$$j -artifact_prefix=$(RC_HOST)/fuzz/ $(RC_FUZZ_CORPUS) $(TOP)/fuzz/seeds \
			> $(RC_HOST)/fuzz/fuzz-$$j.log 2>&1 & \
		pids="$$pids $$!"; \
	done; \
	for p in $$pids; do wait $$p || rc=1; done; \
	runs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $(RC_HOST)/fuzz/fuzz-*.log | \
		awk '{s += $$1} END {print s + 0}'); \
	crashes=$$(ls $(RC_HOST)/fuzz/ | grep -c -E '^(crash|leak|oom|timeout)-' || true); \
	echo "fuzz-long: $$runs executions in $$(( $$(date +%s) - start )) s, $(FUZZ_JOBS) jobs," \
		"$$crashes crash/leak/oom/timeout artifacts, corpus $$(ls $(RC_FUZZ_CORPUS) | wc -l) inputs"; \
	cd $(RC_HOST)/fuzz && rm -f cov.profraw && \
	LLVM_PROFILE_FILE=cov.profraw $(RC_FUZZ_COV_BIN) -runs=0 $(RC_FUZZ_CORPUS) $(TOP)/fuzz/seeds \
		> cov-replay.log 2>&1 && \
	$(RC_LLVM_PROFDATA) merge -o cov.profdata cov.profraw && \
	$(RC_LLVM_COV) report $(RC_FUZZ_COV_BIN) -instr-profile=cov.profdata \
		$(RC_SRCS) $(wildcard $(RC_INC)/xenshm/*.hpp) > coverage.txt && \
	{ echo "fuzz-long: line coverage of ringcore/ (from $(RC_HOST)/fuzz/coverage.txt):"; \
	  tail -n 1 coverage.txt; } || rc=1; \
	[ $$rc -eq 0 ] && [ "$$crashes" = 0 ]

fuzz-smoke: $(RC_FUZZ_BIN)
	@mkdir -p $(RC_FUZZ_CORPUS)
	$(RC_FUZZ_BIN) -max_total_time=$(FUZZ_SMOKE_SECONDS) -seed=1 -max_len=4096 \
		-artifact_prefix=$(RC_HOST)/fuzz/ $(RC_FUZZ_CORPUS) $(TOP)/fuzz/seeds

# ---- bench ----
RC_BENCH_BIN := $(RC_HOST)/bench/ring_bench
$(RC_BENCH_BIN): $(TOP)/bench/ring_bench.cpp $(RC_SRCS) $(RC_HDRS)
	@mkdir -p $(dir $@)
	g++ -std=gnu++20 $(RC_WARN) -O2 -g -I$(RC_INC) -c $(TOP)/bench/ring_bench.cpp -o $(RC_HOST)/bench/ring_bench.o
	for s in $(RC_SRCS); do g++ $(RC_CXXFLAGS) -O2 -g -c $$s -o $(RC_HOST)/bench/rc_$$(basename $$s .cpp).o || exit 1; done
	g++ -O2 $(RC_HOST)/bench/ring_bench.o $(RC_HOST)/bench/rc_*.o -o $@ -lbenchmark -pthread

bench-ring: $(RC_BENCH_BIN)
	$(RC_BENCH_BIN) $(BENCH_RING_ARGS)
