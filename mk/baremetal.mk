# SPDX-License-Identifier: GPL-2.0-only
#
# The bare-metal arm64 peer platform (peer/baremetal/): a dom0less Xen domU
# without an OS, booted next to the Linux domains by scripts/xen/run.sh
# --baremetal IMAGE.
#
#   make baremetal            build/baremetal/xenshm-bm.Image (and .elf, .map)
#   make xen-baremetal-smoke  Xen + Dom0 + domU1 + domU2 (the smoke init) + domU3
#                             running the bare-metal smoke checks; outputs in
#                             build/xen-baremetal-smoke
#
# The image links the peer library (ringcore/*.cpp) built with BM_CXXFLAGS and
# the platform with BM_CFLAGS: freestanding, no outline atomics (libgcc's need
# getauxval), no stack protector, no PIC.

include $(TOP)/mk/xen.mk

BM_CROSS ?= aarch64-linux-gnu-
BM_SRC := $(TOP)/peer/baremetal
BM_OUT := $(BUILD)/baremetal
BM_COMMON_FLAGS := -O2 -g -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
	-mno-outline-atomics -march=armv8-a -mstrict-align \
	-fno-asynchronous-unwind-tables -fno-unwind-tables -Wall -Wextra -Werror
BM_CFLAGS := $(BM_COMMON_FLAGS) -std=gnu11 -mgeneral-regs-only -I$(BM_SRC) -I$(TOP)/ringcore/include
BM_CXXFLAGS := $(BM_COMMON_FLAGS) -std=gnu++20 -fno-exceptions -fno-rtti \
	-fno-threadsafe-statics -I$(BM_SRC)
BM_LDFLAGS := -nostdlib -static -no-pie -Wl,--fatal-warnings -Wl,--build-id=none -Wl,--no-warn-rwx-segments \
	-Wl,-T,$(BM_SRC)/link.ld
BM_CSRCS := arch.c xen.c fdt.c console.c libc.c report.c service.c main.c
# The peer library: the ring core and its rendezvous steps, the same sources
# the kernel module and the host tests build.
BM_RC_SRCS := facade.cpp protocol.cpp ring.cpp peer.cpp
BM_OBJS := $(BM_OUT)/start.o $(patsubst %.c,$(BM_OUT)/%.o,$(BM_CSRCS)) \
	$(patsubst %.cpp,$(BM_OUT)/rc/%.o,$(BM_RC_SRCS))
BM_HDRS := $(wildcard $(BM_SRC)/*.h) $(wildcard $(TOP)/ringcore/include/xenshm/*)

.PHONY: baremetal xen-baremetal-smoke
baremetal: $(BM_OUT)/xenshm-bm.Image

$(BM_OUT)/start.o: $(BM_SRC)/start.S $(BM_HDRS) | $(BM_OUT)/
	$(BM_CROSS)gcc $(BM_CFLAGS) -c $< -o $@

# libc.c: no loop-to-memcpy/memset rewriting inside memcpy/memset themselves.
$(BM_OUT)/libc.o: BM_EXTRA := -fno-tree-loop-distribute-patterns -fno-builtin
$(BM_OUT)/%.o: $(BM_SRC)/%.c $(BM_HDRS) | $(BM_OUT)/
	$(BM_CROSS)gcc $(BM_CFLAGS) $(BM_EXTRA) -c $< -o $@

$(BM_OUT)/rc/%.o: $(TOP)/ringcore/%.cpp $(BM_HDRS) | $(BM_OUT)/
	@mkdir -p $(dir $@)
	$(BM_CROSS)g++ $(BM_CXXFLAGS) -I$(TOP)/ringcore/include -c $< -o $@

$(BM_OUT)/xenshm-bm.elf: $(BM_OBJS) $(BM_SRC)/link.ld
	$(BM_CROSS)gcc $(BM_CFLAGS) $(BM_LDFLAGS) -Wl,-Map,$(BM_OUT)/xenshm-bm.map \
		$(BM_OBJS) -lgcc -o $@

$(BM_OUT)/xenshm-bm.Image: $(BM_OUT)/xenshm-bm.elf
	$(BM_CROSS)objcopy -O binary $< $@
	@echo "baremetal: $@ ($$(stat -c %s $@) bytes)"

$(BM_OUT)/:
	@mkdir -p $@

# Everything the smoke program reports must pass; the Linux domains run the
# usual smoke init (now also seeing xenshm-0-3 / xenshm-1-3) with its requires.
BM_SMOKE_TESTS := platform dt shared-info domid shm-regions shm-xenshm-0-3 shm-xenshm-1-3 \
	evtchn-scan evtchn-xenshm-1-3 alloc-unbound-dom0 upcall-loopback upcall-loopback-back \
	evtchn-close timer-sleep
BM_SMOKE_REQUIRE := $(XEN_SMOKE_REQUIRE) $(foreach t,$(BM_SMOKE_TESTS),--require domu3:$(t)) \
	--require dom0:shm-xenshm-0-3 --require domu1:shm-xenshm-1-3

xen-baremetal-smoke: $(BM_OUT)/xenshm-bm.Image
	@$(TOP)/scripts/deps.sh xen
	$(TOP)/scripts/xen/run.sh --out $(BUILD)/xen-baremetal-smoke --timeout 300 \
		--baremetal $(BM_OUT)/xenshm-bm.Image $(XEN_KSERIES_RUN) $(BM_SMOKE_REQUIRE) \
		$(XEN_RUN_ARGS)
