# SPDX-License-Identifier: GPL-2.0-only
#
# Checks of the source itself, no kernel build (seconds):
#   make check          all of the below
#   make checkpatch     kernel C (module/, kunit/): checkpatch --strict (mk/module.mk)
#   make check-format   ringcore's C++: clang-format --dry-run --Werror
#   make check-poison   every ringcore/*.cpp includes xenshm/poison.hpp last
#   make regen-check    the generated ABI files match the spec (mk/codegen.mk)
#   make check-man      mandoc -T lint and lexgrog on docs/man/* (mk/install.mk)
#   make check-packaging  dkms.conf and packaging/debian agree with the tree (mk/install.mk)
#
# Which tool judges which code:
# - The kernel C is held to checkpatch --strict, not to clang-format. The
#   top .clang-format is the kernel's own, and as in the kernel it is
#   advisory for C: its output is a starting point that checkpatch and the
#   reader have the last word on.
# - ringcore's C++ is held to clang-format with ringcore/.clang-format:
#   ringcore/*.cpp and ringcore/include/xenshm/*.hpp, except the files the
#   generator writes (their layout is codegen's). The C headers there (xsr.h,
#   xsr_mem.h) are C in kernel style, see ringcore/.clang-format.
# - C++ outside ringcore (lib/, tools/, tests/, bench/, fuzz/) is not checked.
#
# Variables: CLANG_FORMAT (default clang-format; Debian 12's is 14, the
# version the tree is formatted with).

CLANG_FORMAT ?= clang-format

# Recursive (=): the generator runs only when check-format does.
CHECK_FORMAT_GENERATED = $(addprefix $(TOP)/,$(shell $(PYTHON) $(TOP)/codegen/xenshm_codegen.py --list))
CHECK_FORMAT_FILES = $(filter-out $(CHECK_FORMAT_GENERATED), \
	$(wildcard $(TOP)/ringcore/*.cpp $(TOP)/ringcore/include/xenshm/*.hpp))
CHECK_POISON_FILES = $(wildcard $(TOP)/ringcore/*.cpp)
CHECK_POISON_LINE := \#include "xenshm/poison.hpp"

.PHONY: check check-format check-poison

check: checkpatch check-format check-poison regen-check check-man check-packaging
	@echo "check: ok"

check-format:
	@command -v $(CLANG_FORMAT) >/dev/null || { \
		echo "check-format: $(CLANG_FORMAT) not found (Debian: apt-get install clang-format)" >&2; exit 1; }
	@echo "  CLANG-FORMAT $$($(CLANG_FORMAT) --version | sed 's/.*version //') $(words $(CHECK_FORMAT_FILES)) files"
	@$(CLANG_FORMAT) --dry-run --Werror $(CHECK_FORMAT_FILES) || { \
		echo "check-format: run $(CLANG_FORMAT) -i on the files above (the style: ringcore/.clang-format)" >&2; \
		exit 1; }

check-poison:
	@bad=0; for f in $(CHECK_POISON_FILES); do \
		last=$$(grep -E '^[[:space:]]*#[[:space:]]*include' $$f | tail -n 1); \
		if [ "$$last" != '$(CHECK_POISON_LINE)' ]; then \
			echo "check-poison: $${f#$(TOP)/}: its last include must be xenshm/poison.hpp" >&2; bad=1; \
		fi; \
	done; exit $$bad
