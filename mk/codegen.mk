# SPDX-License-Identifier: GPL-2.0-only
#
# ABI generation from codegen/spec/xenshm.yaml (owner: codegen).
#   make regen          rewrite the generated files in the tree
#   make regen-check    fail, listing them, if committed generated files are stale
#   make test-codegen   generator tests, header compile checks, Python self-test

CODEGEN := $(PYTHON) $(TOP)/codegen/xenshm_codegen.py
CODEGEN_OUT := $(BUILD)/codegen
CODEGEN_CC ?= gcc
CODEGEN_CXX ?= g++
CODEGEN_CROSS ?= aarch64-linux-gnu-
CODEGEN_WFLAGS := -Wall -Wextra -Werror

.PHONY: regen regen-check test-codegen test-codegen-unit test-codegen-headers test-codegen-python

regen:
	@$(CODEGEN) --out $(TOP)

regen-check:
	@rm -rf $(CODEGEN_OUT)/regen && mkdir -p $(CODEGEN_OUT)/regen
	@$(CODEGEN) --out $(CODEGEN_OUT)/regen >/dev/null
	@stale=0; : >$(CODEGEN_OUT)/regen.diff; for f in $$($(CODEGEN) --list); do \
		if ! diff -u $(TOP)/$$f $(CODEGEN_OUT)/regen/$$f >>$(CODEGEN_OUT)/regen.diff 2>&1; then \
			echo "regen-check: stale generated file: $$f"; stale=1; \
		fi; \
	done; \
	if [ $$stale -ne 0 ]; then \
		echo "regen-check: diff in $(CODEGEN_OUT)/regen.diff; run 'make regen' and commit the result"; exit 1; \
	fi; \
	echo "regen-check: generated files are up to date"

test-codegen: test-codegen-unit test-codegen-headers test-codegen-python

test-codegen-unit:
	@$(PYTHON) -m unittest discover -s $(TOP)/codegen/tests -v

# Every header compiled alone, in every dialect its consumers use.
test-codegen-headers:
	@mkdir -p $(CODEGEN_OUT)
	$(CODEGEN_CC) -std=c90 -pedantic -Wpadded $(CODEGEN_WFLAGS) -fsyntax-only -x c $(TOP)/uapi/xenshm.h
	$(CODEGEN_CXX) -std=c++98 -pedantic $(CODEGEN_WFLAGS) -fsyntax-only -x c++ $(TOP)/uapi/xenshm.h
	$(CODEGEN_CXX) -std=c++20 -pedantic $(CODEGEN_WFLAGS) -fsyntax-only -x c++ $(TOP)/uapi/xenshm.h
	$(CODEGEN_CC) -std=c99 -ffreestanding -pedantic -Wpadded $(CODEGEN_WFLAGS) -fsyntax-only -x c $(TOP)/peer/xenshm_wire.h
	$(CODEGEN_CXX) -std=c++11 -pedantic $(CODEGEN_WFLAGS) -fsyntax-only -x c++ $(TOP)/peer/xenshm_wire.h
	$(CODEGEN_CROSS)gcc -std=c99 -ffreestanding -pedantic $(CODEGEN_WFLAGS) -fsyntax-only -x c $(TOP)/peer/xenshm_wire.h
	echo '#include "xenshm/wire.hpp"' | $(CODEGEN_CXX) -std=gnu++20 -ffreestanding -nostdinc -nostdinc++ \
		-fno-exceptions -fno-rtti -fno-threadsafe-statics $(CODEGEN_WFLAGS) -I$(TOP)/ringcore/include -fsyntax-only -x c++ -
	echo '#include "xenshm/wire.hpp"' | $(CODEGEN_CROSS)g++ -std=gnu++20 -ffreestanding -nostdinc -nostdinc++ \
		-fno-exceptions -fno-rtti -fno-threadsafe-statics $(CODEGEN_WFLAGS) -I$(TOP)/ringcore/include -fsyntax-only -x c++ -
	$(CODEGEN_CC) -std=gnu11 $(CODEGEN_WFLAGS) -I$(TOP) -I$(TOP)/codegen/tests/kstub -fsyntax-only -x c $(TOP)/codegen/tests/abi_check_user.c

test-codegen-python:
	PYTHONPATH=$(TOP)/tools/python $(PYTHON) -m xenshm.abi
