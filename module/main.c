// SPDX-License-Identifier: GPL-2.0-only
/*
 * xenshm: VM-to-VM channels over Xen static shared memory and event
 * channels, with a loopback transport for testing.
 *
 * This file only brings the parts up and down; see xenshm_main.h for the order.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "xenshm_main.h"

#include "abi_check.h"

static bool selftest = true;
module_param(selftest, bool, 0444);
MODULE_PARM_DESC(selftest,
		 "Run the ring core self-check at load and refuse to load if it fails (default: Y)");

static int __init xenshm_init(void)
{
	int nr_loopback, nr_xen, ret;

	xenshm_abi_check();

	if (selftest) {
		ret = xenshm_selftest();
		if (ret)
			return ret;
	}

	nr_loopback = xenshm_loopback_init();
	if (nr_loopback < 0)
		return nr_loopback;

	nr_xen = xenshm_xen_init();
	if (nr_xen < 0) {
		ret = nr_xen;
		goto err_loopback;
	}
	if (!nr_loopback && !nr_xen) {
		pr_err("no channel to offer: no Xen static shared-memory region (compatible \"xen,shared-memory-v1\") and loopback=0; load with loopback=N to use loopback pairs\n");
		return -ENODEV;
	}

	pr_info("loaded, version " XENSHM_VERSION "\n");
	return 0;

err_loopback:
	xenshm_loopback_exit();
	return ret;
}

static void __exit xenshm_exit(void)
{
	xenshm_xen_exit();
	xenshm_loopback_exit();
	pr_info("unloaded\n");
}

module_init(xenshm_init);
module_exit(xenshm_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The xenshm authors");
MODULE_DESCRIPTION("VM-to-VM channels over Xen static shared memory and event channels");
MODULE_VERSION(XENSHM_VERSION);
/* modprobe finds the module under the name people write as well. */
MODULE_ALIAS("xen-shm");
