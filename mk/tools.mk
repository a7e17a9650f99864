# SPDX-License-Identifier: GPL-2.0-only
#
# Userspace: libxenshm.a (lib/*.c + ringcore/*.cpp built for userspace) and
# the tools, cross-compiled statically for each architecture:
#   build/user/<arch>/libxenshm.a
#   build/user/<arch>/bin/{xenshm-info,xenshm-cat,xenshm-bench}
#
#   make tools                 both architectures
#   make tools USER_ARCHES=x86_64

ifndef XENSHM_TOOLS_MK
XENSHM_TOOLS_MK := 1

USER_ARCHES ?= x86_64 arm64
USER_CROSS_x86_64 ?=
USER_CROSS_arm64 ?= aarch64-linux-gnu-
USER_BUILD = $(BUILD)/user

USER_CFLAGS ?= -O2 -g -Wall -Wextra -Wno-unused-parameter
USER_CPPFLAGS = -I$(TOP) -I$(TOP)/lib -I$(TOP)/ringcore/include -D_GNU_SOURCE
USER_CSTD = -std=gnu11
# ringcore is freestanding C++; in userspace it needs no more than this.
USER_CXXSTD = -std=gnu++20 -fno-exceptions -fno-rtti -fno-threadsafe-statics -fno-strict-aliasing
USER_LDFLAGS = -static -pthread

LIB_SRCS := $(wildcard $(TOP)/lib/*.c)
LIB_HDRS := $(wildcard $(TOP)/lib/*.h $(TOP)/lib/*.hpp) $(TOP)/uapi/xenshm.h \
	$(wildcard $(TOP)/ringcore/include/xenshm/*.h $(TOP)/ringcore/include/xenshm/*.hpp)
RINGCORE_SRCS := $(wildcard $(TOP)/ringcore/*.cpp)
TOOL_NAMES := xenshm-info xenshm-cat xenshm-bench

.PHONY: tools lib
tools: $(foreach a,$(USER_ARCHES),tools-$(a))
lib: $(foreach a,$(USER_ARCHES),$(USER_BUILD)/$(a)/libxenshm.a)

# $(1) = arch
define user_arch_rules
$(USER_BUILD)/$(1)/obj/lib/%.o: $(TOP)/lib/%.c $(LIB_HDRS)
	@mkdir -p $$(dir $$@)
	$(USER_CROSS_$(1))gcc $(USER_CSTD) $(USER_CFLAGS) $(USER_CPPFLAGS) -c $$< -o $$@

$(USER_BUILD)/$(1)/obj/ringcore/%.o: $(TOP)/ringcore/%.cpp $(LIB_HDRS) $(wildcard $(TOP)/ringcore/*.hpp)
	@mkdir -p $$(dir $$@)
	$(USER_CROSS_$(1))g++ $(USER_CXXSTD) $(USER_CFLAGS) $(USER_CPPFLAGS) -c $$< -o $$@

$(USER_BUILD)/$(1)/libxenshm.a: $(patsubst $(TOP)/lib/%.c,$(USER_BUILD)/$(1)/obj/lib/%.o,$(LIB_SRCS)) \
		$(patsubst $(TOP)/ringcore/%.cpp,$(USER_BUILD)/$(1)/obj/ringcore/%.o,$(RINGCORE_SRCS))
	@rm -f $$@
	$(USER_CROSS_$(1))ar rcs $$@ $$^

$(USER_BUILD)/$(1)/bin/%: $(TOP)/tools/%.c $(USER_BUILD)/$(1)/libxenshm.a $(LIB_HDRS) $(wildcard $(TOP)/tools/*.h)
	@mkdir -p $$(dir $$@)
	$(USER_CROSS_$(1))gcc $(USER_CSTD) $(USER_CFLAGS) $(USER_CPPFLAGS) -c $$< -o $$@.o
	$(USER_CROSS_$(1))g++ $$@.o $(USER_BUILD)/$(1)/libxenshm.a $(USER_LDFLAGS) -o $$@
	@rm -f $$@.o

$(USER_BUILD)/$(1)/bin/%: $(TOP)/tools/%.cpp $(USER_BUILD)/$(1)/libxenshm.a $(LIB_HDRS) $(wildcard $(TOP)/tools/*.h)
	@mkdir -p $$(dir $$@)
	$(USER_CROSS_$(1))g++ $(USER_CXXSTD) -fexceptions $(USER_CFLAGS) $(USER_CPPFLAGS) $$< \
		$(USER_BUILD)/$(1)/libxenshm.a $(USER_LDFLAGS) -o $$@

.PHONY: tools-$(1)
tools-$(1): $(USER_BUILD)/$(1)/libxenshm.a $(foreach t,$(TOOL_NAMES),$(USER_BUILD)/$(1)/bin/$(t))
endef
$(foreach a,$(USER_ARCHES),$(eval $(call user_arch_rules,$(a))))

# The Python example needs only the generated ctypes module; check it imports
# (running it as a module also runs its layout self-test).
.PHONY: tools-python-check
tools-python-check:
	cd $(TOP)/tools/python && $(PYTHON) -m xenshm.abi && \
		$(PYTHON) -m py_compile xenshm/*.py examples/*.py tests/*.py

endif # XENSHM_TOOLS_MK
