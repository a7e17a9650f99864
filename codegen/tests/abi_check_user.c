// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Compiles module/abi_check.h in userspace against the uapi header (with
 * kstub/ for <linux/build_bug.h>): every BUILD_BUG_ON must hold.
 */
#ifndef ABI_CHECK_H
#define ABI_CHECK_H "module/abi_check.h"
#endif
#include ABI_CHECK_H

int main(void)
{
	xenshm_abi_check();
	return 0;
}
