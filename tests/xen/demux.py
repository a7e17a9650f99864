#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Undo the interleaving of Dom0's console and Xen's own lines.

  demux.py IN_LOG OUT_LOG

Dom0 writes hvc0 through Xen, which prints a domU's line (or its own) as a
whole "(XEN) ...\\n" the moment it is complete, even in the middle of a line
Dom0 is writing. The serial console then reads

    XENSHM-RESULT dom0 checksum@0-2 PASS err=0 rx=1677(XEN) DOM2: XENSHM-...\\n
    7216/60575c74 ...\\n

and a line-based reader loses both markers. This moves every "(XEN) " that
starts in the middle of a line onto a line of its own and glues the rest of
the interrupted line back to its head (the next line that does not start
with "(XEN) "). Lines are otherwise copied unchanged.
"""
import sys

XEN = b"(XEN) "


def demux(lines):
    pending = None           # head of an interrupted non-Xen line
    for raw in lines:
        line = raw.rstrip(b"\n")
        if pending is not None and not line.startswith(XEN):
            line = pending + line
            pending = None
        cut = line.find(XEN, 1)
        while cut > 0 and not line.startswith(XEN):
            # A non-Xen head interrupted by a Xen line.
            head, line = line[:cut], line[cut:]
            pending = head if pending is None else pending + head
            cut = -1
        if line.startswith(XEN):
            # A Xen line may itself be followed by another Xen line.
            parts = line.split(XEN)
            for p in parts[1:]:
                yield XEN + p
        else:
            yield line
    if pending is not None:
        yield pending


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], "rb") as f:
        out = list(demux(f))
    with open(sys.argv[2], "wb") as f:
        for line in out:
            f.write(line + b"\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
