/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Stand-in for the kernel's <linux/build_bug.h> so that module/abi_check.h can
 * be compiled (and made to fail) in userspace by the codegen tests. The module
 * build uses the real one.
 */
#ifndef XENSHM_KSTUB_BUILD_BUG_H
#define XENSHM_KSTUB_BUILD_BUG_H
#include <stddef.h> /* offsetof: the kernel's <linux/stddef.h> provides it there */
#define BUILD_BUG_ON(cond) ((void)sizeof(char[1 - 2 * !!(cond)]))
#endif
