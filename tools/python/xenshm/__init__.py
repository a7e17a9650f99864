# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
"""xenshm from Python: VM-to-VM channels over Xen static shared memory.

    xenshm.Channel(name)   one end of a channel, /dev/xenshm/<name> (xenshm/channel.py)
    xenshm.abi             the kernel interface, generated from codegen/spec/xenshm.yaml

Channel is imported on first use, so `python3 -m xenshm.abi` (the ABI's layout
self-test) runs the generated module alone.
"""

import importlib

__all__ = ["Channel", "DEV_DIR", "abi"]


def __getattr__(name):
    if name in ("Channel", "DEV_DIR"):
        return getattr(importlib.import_module(".channel", __name__), name)
    if name == "abi":
        return importlib.import_module(".abi", __name__)
    raise AttributeError("module 'xenshm' has no attribute %r" % name)
