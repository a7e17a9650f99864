#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Report of make bench-xen from the demultiplexed console log.

  bench-report.py CONSOLE_DEMUX_LOG --out DIR [--img DIR]

Reads the "XB <dom> <pair> <path> <size> <a|b> ok t= B= ev= cpu= p50= p99="
lines of tests/xen/xenshm-xbench.c (Dom0 = side a, domU1 = side b) and writes
  DIR/results.csv   one row per pair, path and size
  DIR/ratios.txt    "xenshm-<path>/<anchor> <size>: X.XX" (median of the
                    per-pair throughput ratios) with min..max, and the targets
  DIR/report.md     tables for docs/benchmarks.md
  IMG/xen-bench-throughput.png, IMG/xen-bench-ratios.png
Per run: throughput = bytes / Dom0's time from the first send to the ack;
events per MiB = events sent by both ends during that transfer; CPU per MiB =
user+sys time of both processes during it; round trip p50/p99 at Dom0.
Exit status 1 if a run failed or a row is missing.
"""
import argparse
import csv
import os
import re
import statistics
import sys

PATHS = ["rw", "mmap", "zc", "vchan", "diy", "memcpy"]
NAMES = {"rw": "xenshm-rw", "mmap": "xenshm-mmap", "zc": "xenshm-zc", "vchan": "vchan",
         "diy": "diy", "memcpy": "memcpy"}
XENSHM = ["rw", "mmap", "zc"]
ANCHORS = ["vchan", "diy", "memcpy"]
SIZES = [64, 1024, 65536]
MiB = 1 << 20
LINE = re.compile(r"XB (\S+) (\d+) (\S+) (\d+) ([ab]) (ok|FAIL)(.*)$")
# (path, anchor, size or None for every size, minimum)
TARGETS = [("zc", "vchan", 65536, 2.0), ("zc", "vchan", 64, 1.5),
           ("rw", "vchan", None, 1.0), ("zc", "diy", 64, 5.0),
           ("rw", "memcpy", 65536, 0.5), ("mmap", "memcpy", 65536, 0.5)]


def sname(s):
    return {64: "64B", 1024: "1KiB", 65536: "64KiB"}.get(s, str(s))


def parse(path):
    runs, fails = {}, []
    with open(path, "rb") as f:
        for raw in f:
            m = LINE.search(raw.decode("utf-8", "replace").rstrip())
            if not m:
                continue
            dom, pair, p, size, side, st, rest = m.groups()
            key = (int(pair), p, int(size))
            if st == "FAIL":
                fails.append(f"{dom} pair {pair} {p} {size}: {rest.strip()}")
                continue
            kv = dict(x.split("=", 1) for x in rest.split())
            runs.setdefault(key, {})[side] = kv
    return runs, fails


def kernel_warnings(path):
    """Kernel WARNING/BUG/Oops lines per domain prefix."""
    out = []
    with open(path, "rb") as f:
        for raw in f:
            line = raw.decode("utf-8", "replace").rstrip()
            if re.search(r"WARNING: CPU: |Kernel panic|BUG: |Oops|Panic on CPU", line):
                out.append(line)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("log")
    ap.add_argument("--out", required=True)
    ap.add_argument("--img")
    a = ap.parse_args()
    runs, fails = parse(a.log)
    rows, missing = [], []
    pairs = sorted({k[0] for k in runs})
    for k in pairs:
        for p in PATHS:
            for s in SIZES:
                r = runs.get((k, p, s), {})
                ra, rb = r.get("a"), r.get("b")
                if ra is None or (p != "memcpy" and rb is None):
                    missing.append(f"pair {k} {p} {s}")
                    continue
                mib = int(ra["B"]) / MiB
                ev = int(ra["ev"]) + (int(rb["ev"]) if rb else 0)
                cpu = int(ra["cpu"]) + (int(rb["cpu"]) if rb else 0)
                rows.append(dict(pair=k, path=NAMES[p], size=s,
                                 mib_s=mib / (int(ra["t"]) / 1e6),
                                 rtt_p50_us=None if ra["p50"] == "-" else float(ra["p50"]),
                                 rtt_p99_us=None if ra["p99"] == "-" else float(ra["p99"]),
                                 events_per_mib=ev / mib, cpu_ms_per_mib=cpu / 1e3 / mib))
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "results.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()) if rows else ["pair"])
        w.writeheader()
        w.writerows(rows)

    def val(k, p, s, field="mib_s"):
        for r in rows:
            if r["pair"] == k and r["path"] == NAMES[p] and r["size"] == s:
                return r[field]
        return None

    ratios = {}
    out = [f"bench-xen: {len(pairs)} pairs (A,B alternated; X/O group order flips each pair); "
           "ratio = median of per-pair throughput ratios [min..max]"]
    for p in XENSHM:
        for an in ANCHORS:
            for s in SIZES:
                rs = [val(k, p, s) / val(k, an, s) for k in pairs
                      if val(k, p, s) and val(k, an, s)]
                if not rs:
                    out.append(f"xenshm-{p}/{an} {sname(s)}: n/a (no complete pair)")
                    continue
                med = statistics.median(rs)
                ratios[(p, an, s)] = (med, min(rs), max(rs))
                out.append(f"xenshm-{p}/{an} {sname(s)}: {med:.2f}   [{min(rs):.2f}..{max(rs):.2f}]")
    out.append("")
    out.append("targets (median ratio):")
    for p, an, s, lo in TARGETS:
        for sz in ([s] if s else SIZES):
            v = ratios.get((p, an, sz), (None,))[0]
            verdict = "n/a" if v is None else ("met" if v >= lo else "MISSED")
            out.append(f"  xenshm-{p}/{an} {sname(sz)} >= {lo}: "
                       f"{'n/a' if v is None else f'{v:.2f}'} {verdict}")
    warns = kernel_warnings(a.log)
    if warns:
        out += ["", f"kernel warnings in the console ({len(warns)}):"] + ["  " + x for x in warns]
    if fails:
        out += ["", "failed runs:"] + ["  " + x for x in fails]
    if missing:
        out += ["", "missing rows:"] + ["  " + x for x in missing]
    text = "\n".join(out) + "\n"
    with open(os.path.join(a.out, "ratios.txt"), "w") as f:
        f.write(text)
    sys.stdout.write(text)

    # Medians per path and size.
    md = ["| path | size | MiB/s | RTT p50 (us) | RTT p99 (us) | events/MiB | CPU ms/MiB |",
          "| --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    med = {}
    for p in PATHS:
        for s in SIZES:
            rr = [r for r in rows if r["path"] == NAMES[p] and r["size"] == s]
            if not rr:
                continue

            def m(field):
                v = [r[field] for r in rr if r[field] is not None]
                return statistics.median(v) if v else None
            med[(p, s)] = m("mib_s")
            f = lambda v, fmt: "-" if v is None else fmt % v
            md.append(f"| {NAMES[p]} | {sname(s)} | {f(m('mib_s'), '%.1f')} | "
                      f"{f(m('rtt_p50_us'), '%.0f')} | {f(m('rtt_p99_us'), '%.0f')} | "
                      f"{f(m('events_per_mib'), '%.1f')} | {f(m('cpu_ms_per_mib'), '%.1f')} |")
    with open(os.path.join(a.out, "report.md"), "w") as f:
        f.write("\n".join(md) + "\n\n```\n" + text + "```\n")

    if a.img and rows:
        try:
            import matplotlib
            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            print("bench-report: no matplotlib, no plots")
        else:
            os.makedirs(a.img, exist_ok=True)
            fig, ax = plt.subplots(figsize=(8, 4))
            wdt = 0.8 / len(PATHS)
            for i, p in enumerate(PATHS):
                ys = [med.get((p, s)) or 0 for s in SIZES]
                ax.bar([x + i * wdt for x in range(len(SIZES))], ys, wdt, label=NAMES[p])
            ax.set_xticks([x + 0.4 - wdt / 2 for x in range(len(SIZES))])
            ax.set_xticklabels([sname(s) for s in SIZES])
            ax.set_yscale("log")
            ax.set_ylabel("MiB/s (median, TCG: compare only within the figure)")
            ax.set_title("bench-xen: Dom0 -> domU1 throughput, one Xen boot")
            ax.legend(fontsize=7, ncol=3)
            fig.tight_layout()
            fig.savefig(os.path.join(a.img, "xen-bench-throughput.png"), dpi=100)
            plt.close(fig)
            fig, ax = plt.subplots(figsize=(8, 4))
            labels, vals, lo, hi = [], [], [], []
            for (p, an, s), (v, rmin, rmax) in ratios.items():
                labels.append(f"{p}/{an} {sname(s)}")
                vals.append(v)
                lo.append(v - rmin)
                hi.append(rmax - v)
            ax.bar(range(len(vals)), vals, yerr=[lo, hi], capsize=2)
            ax.axhline(1.0, color="k", lw=0.5)
            ax.set_yscale("log")
            ax.set_xticks(range(len(vals)))
            ax.set_xticklabels(labels, rotation=90, fontsize=6)
            ax.set_ylabel("throughput ratio (median, min..max)")
            ax.set_title("bench-xen: xenshm paths / anchors, per-pair ratios")
            fig.tight_layout()
            fig.savefig(os.path.join(a.img, "xen-bench-ratios.png"), dpi=100)
            plt.close(fig)
    return 1 if fails or missing or not rows else 0


if __name__ == "__main__":
    sys.exit(main())
