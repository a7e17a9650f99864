#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Throughput summary of a Xen e2e or demo run, from its console log.

  report.py [--demo] CONSOLE_LOG

Reads the "XENSHM-INFO <dom> perf path=<rw|mmap> chan=<c> peer=<d> MiB=<a>+<b>
s=<sec> MiB/s=<x>" lines that tests/xen/xenshm-e2e.c prints (one per end, per
path, per channel; MiB/s counts both directions) and prints, per channel and
path, the throughput seen by each end and ratios: mmap+eventfd vs read/write on
the same channel, and each channel vs the fastest one on the same path.
Absolute MiB/s under TCG emulation say little about real hardware; the ratios
are the meaningful part. --demo also prints the demo's own lines.
"""
import re
import sys

PERF = re.compile(r"XENSHM-INFO (?P<dom>\S+) perf path=(?P<path>\S+) chan=(?P<chan>\S+) "
                  r"peer=(?P<peer>\d+) MiB=(?P<mib>\S+) s=(?P<s>[\d.]+) MiB/s=(?P<rate>[\d.]+)")
DEMO = re.compile(r"XENSHM-INFO (?P<dom>\S+) demo (?P<text>.*)$")


def main():
    args = sys.argv[1:]
    demo = "--demo" in args
    args = [a for a in args if a != "--demo"]
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    perf = {}      # (chan, path) -> [(dom, rate, sec, mib)]
    demo_lines = []
    with open(args[0], "rb") as f:
        for raw in f:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            m = PERF.search(line)
            if m:
                perf.setdefault((m["chan"], m["path"]), []).append(
                    (m["dom"], float(m["rate"]), float(m["s"]), m["mib"]))
                continue
            m = DEMO.search(line)
            if m and demo:
                demo_lines.append(f"  [{m['dom']:5}] {m['text']}")
    if demo_lines:
        print("xen-demo: live transfers (each domain's own view)")
        print("\n".join(demo_lines))
    if not perf:
        print("report: no throughput lines in the log")
        return 1
    # The slower end's view is the channel's throughput (both ends move the same bytes).
    rate = {k: min(r for _, r, _, _ in v) for k, v in perf.items()}
    chans = sorted({c for c, _ in perf})
    paths = [p for p in ("rw", "mmap") if any(k[1] == p for k in perf)]
    best = {p: max(rate[(c, p)] for c in chans if (c, p) in rate) for p in paths}
    print("throughput (MiB/s, both directions together; TCG emulation: compare ratios only)")
    print(f"  {'channel':8} {'path':5} {'MiB/s':>8} {'ends (dom: MiB/s)':32} "
          f"{'vs best chan':>12} {'mmap/rw':>8}")
    for c in chans:
        for p in paths:
            if (c, p) not in rate:
                continue
            ends = ", ".join(f"{d}: {r:.1f}" for d, r, _, _ in sorted(perf[(c, p)]))
            vs = rate[(c, p)] / best[p] if best[p] else 0
            ratio = ""
            if p == "mmap" and (c, "rw") in rate and rate[(c, "rw")]:
                ratio = f"{rate[(c, 'mmap')] / rate[(c, 'rw')]:.2f}x"
            print(f"  {c:8} {p:5} {rate[(c, p)]:8.1f} {ends:32} {vs:11.2f}x {ratio:>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
