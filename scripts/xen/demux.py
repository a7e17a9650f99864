#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Undo the interleaving of Dom0's console and Xen's own lines.

  demux.py IN_LOG OUT_LOG

Dom0 writes hvc0 through Xen, which prints a domU's line (or its own) as a
whole "(XEN) ...\\n" the moment it is complete, even in the middle of a line
Dom0 is writing (the tty layer hands Dom0's text and its "\\r\\n" to Xen in
separate writes). The serial console then reads

    XENSHM-RESULT dom0 checksum@0-2 PASS err=0 rx=1677(XEN) DOM2: XENSHM-...\\n
    7216/60575c74 ...\\n

and a line-based reader loses both markers. Demux moves every "(XEN) " that
starts in the middle of a line onto a line of its own and glues the rest of
the interrupted line back to its head (the next line that does not start
with "(XEN) "). Lines are otherwise copied unchanged. Every reader of a Xen
console log (watch.py while it runs, collect.py, the reports) reads it
through Demux.
"""
import sys

XEN = b"(XEN) "


class Demux:
    """Feed raw console lines (bytes, with or without "\\n"), get whole ones."""

    def __init__(self):
        self.pending = None      # head of a non-Xen line a Xen line interrupted

    def feed(self, raw):
        line = raw.rstrip(b"\n")
        out = []
        if self.pending is not None and not line.startswith(XEN):
            line = self.pending + line
            self.pending = None
        cut = line.find(XEN, 1)
        if cut > 0 and not line.startswith(XEN):
            head, line = line[:cut], line[cut:]
            self.pending = head if self.pending is None else self.pending + head
        if line.startswith(XEN):
            # A Xen line may itself be followed by another Xen line.
            out += [XEN + p for p in line.split(XEN)[1:]]
        else:
            out.append(line)
        return out

    def flush(self):
        rest, self.pending = self.pending, None
        return [] if rest is None else [rest]


def demux(lines):
    d = Demux()
    for raw in lines:
        yield from d.feed(raw)
    yield from d.flush()


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
