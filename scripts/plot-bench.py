#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Plot what the benchmarks wrote (Debian's python3-matplotlib).

Inputs (defaults; any may be missing, its plots are then skipped):
  build/bench/dev-<arch>.csv         make bench-dev (tools/xenshm-bench.cpp)
  build/host/bench/ring_bench.json   make bench-ring (bench/ring_bench.cpp)
Outputs (PNG, into --out, default docs/img):
  dev-throughput.png   throughput vs message size per path, one panel per arch
                       (median of the repetitions, bars: min..max)
  dev-rtt.png          round-trip p50 vs message size per path, per arch
  dev-syscalls.png     data-path system calls and eventfd sleeps per message
  ring-throughput.png  ring core vs references, bytes/s vs message size
                       (median of the repetitions, bars: min..max)

Usage: scripts/plot-bench.py [--build DIR] [--out DIR] [--ring-json F]
                             [--ring-max-wait PCT] [--ring-max-rtt NS]
"""
import argparse
import csv
import json
import os
import statistics
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

PATHS = ["pipe", "rw", "mmap-copy", "mmap"]
PATH_LABEL = {
    "pipe": "pipe",
    "rw": "read()/write()",
    "mmap-copy": "mmap, copying (send/recv)",
    "mmap": "mmap, zero copy (reserve/peek)",
}
MARK = {"pipe": "s", "rw": "o", "mmap-copy": "^", "mmap": "D"}


def size_label(s):
    return f"{s // 1024} KiB" if s >= 1024 and s % 1024 == 0 else f"{s} B"


def load_dev(build):
    out = {}
    for arch in ("x86_64", "arm64"):
        p = os.path.join(build, "bench", f"dev-{arch}.csv")
        if not os.path.exists(p):
            continue
        with open(p, newline="") as f:
            rows = [r for r in csv.DictReader(f)]
        if rows:
            out[arch] = rows
    return out


def dev_plot(dev, key, ylabel, title, fname, outdir, spread=None, logy=True):
    fig, axes = plt.subplots(1, len(dev), figsize=(6 * len(dev), 4.5), squeeze=False)
    for ax, (arch, rows) in zip(axes[0], sorted(dev.items())):
        for path in PATHS:
            rs = sorted((r for r in rows if r["path"] == path), key=lambda r: int(r["size"]))
            if not rs:
                continue
            xs = [int(r["size"]) for r in rs]
            ys = [float(r[key]) for r in rs]
            if spread and all(spread[0] in r for r in rs):
                lo = [y - float(r[spread[0]]) for y, r in zip(ys, rs)]
                hi = [float(r[spread[1]]) - y for y, r in zip(ys, rs)]
                ax.errorbar(xs, ys, yerr=[lo, hi], marker=MARK[path], capsize=3,
                            label=PATH_LABEL[path])
            else:
                ax.plot(xs, ys, marker=MARK[path], label=PATH_LABEL[path])
        ax.set_xscale("log", base=2)
        if logy:
            ax.set_yscale("log")
        sizes = sorted({int(r["size"]) for r in rows})
        ax.set_xticks(sizes)
        ax.set_xticklabels([size_label(s) for s in sizes])
        ax.set_xlabel("message size")
        ax.set_ylabel(ylabel)
        reps = rows[0].get("reps", "1")
        ax.set_title(f"{title}\n{arch} guest, QEMU TCG (median of {reps})")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    p = os.path.join(outdir, fname)
    fig.savefig(p, dpi=110)
    plt.close(fig)
    print("wrote", p)


def dev_syscalls(dev, outdir):
    fig, axes = plt.subplots(1, len(dev), figsize=(6 * len(dev), 4.5), squeeze=False)
    for ax, (arch, rows) in zip(axes[0], sorted(dev.items())):
        sizes = sorted({int(r["size"]) for r in rows})
        width = 0.8 / len(PATHS)
        for i, path in enumerate(PATHS):
            vals = []
            for s in sizes:
                r = [x for x in rows if x["path"] == path and int(x["size"]) == s]
                vals.append(float(r[0]["tx_sys_per_msg"]) + float(r[0]["rx_sys_per_msg"])
                            if r else 0)
            ax.bar([j + i * width for j in range(len(sizes))], vals, width,
                   label=PATH_LABEL[path])
        ax.set_xticks([j + 0.4 - width / 2 for j in range(len(sizes))])
        ax.set_xticklabels([size_label(s) for s in sizes])
        ax.set_yscale("symlog", linthresh=0.01)
        ax.set_ylim(0, 30)  # room for the legend above the bars
        ax.set_ylabel("system calls per message (both ends)")
        ax.set_title(f"Data-path system calls per message\n{arch} guest, QEMU TCG")
        ax.grid(True, axis="y", alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    p = os.path.join(outdir, "dev-syscalls.png")
    fig.savefig(p, dpi=110)
    plt.close(fig)
    print("wrote", p)


def load_ring(path, max_wait=None, max_rtt=None):
    if not os.path.exists(path):
        return None, None
    with open(path) as f:
        data = json.load(f)
    reps = {}
    for b in data.get("benchmarks", []):
        if b.get("run_type") != "iteration" or "bytes_per_second" not in b:
            continue
        # Runs whose threads waited for a CPU longer than max_wait percent
        # of the run measured the machine, not the queue (bench/ring_bench.cpp).
        if max_wait is not None and b.get("runq_wait_pct", 0) > max_wait:
            continue
        # Runs with the two CPUs far apart (line round trip above max_rtt ns)
        # are a different machine; plot one placement at a time.
        if max_rtt is not None and b.get("line_rtt_ns", 0) > max_rtt:
            continue
        reps.setdefault(b["run_name"], []).append(float(b["bytes_per_second"]))
    return reps, data.get("context", {})


def ring_plot(reps, ctx, outdir):
    fig, ax = plt.subplots(figsize=(7.5, 5))
    series = {}
    for name, v in reps.items():
        parts = name.split("/")
        fn = parts[0]
        size = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 64
        series.setdefault(fn, []).append((size, statistics.median(v), min(v), max(v)))
    labels = {
        "BM_ring": "xenshm ring (message mode, validated, event index)",
        "BM_ring_var": "xenshm ring, lengths 0.5x..1.5x the size",
        "BM_handoff": "bare two-thread handoff (spins)",
        "BM_memcpy": "memcpy, one thread",
        "BM_spsc": "boost spsc_queue (message-sized elements)",
        "BM_pipe": "pipe (64 B)",
    }
    marks = {"BM_ring": "D", "BM_ring_var": "d", "BM_handoff": "o", "BM_memcpy": "x", "BM_spsc": "^",
             "BM_pipe": "s"}
    for fn in ["BM_ring", "BM_ring_var", "BM_handoff", "BM_memcpy", "BM_spsc", "BM_pipe"]:
        if fn not in series:
            continue
        pts = sorted(series[fn])
        xs = [p[0] for p in pts]
        ys = [p[1] / 2**30 for p in pts]
        lo = [(p[1] - p[2]) / 2**30 for p in pts]
        hi = [(p[3] - p[1]) / 2**30 for p in pts]
        ax.errorbar(xs, ys, yerr=[lo, hi], marker=marks[fn], capsize=3, label=labels[fn],
                    linestyle="--" if fn == "BM_memcpy" else "-")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks([64, 1024, 65536])
    ax.set_xticklabels(["64 B", "1 KiB", "64 KiB"])
    ax.set_xlabel("message size")
    ax.set_ylabel("GiB/s")
    n = max((len(v) for v in reps.values()), default=0)
    cpus = ctx.get("num_cpus", "?")
    kept = []
    if ctx.get("max_wait") is not None:
        kept.append(f"<= {ctx['max_wait']:g} % run-queue wait")
    if ctx.get("max_rtt") is not None:
        kept.append(f"line round trip <= {ctx['max_rtt']:g} ns")
    kept = f"\nruns kept: {', '.join(kept)}" if kept else ""
    ax.set_title(f"Ring core vs references, host ({cpus} CPUs)\n"
                 f"median of up to {n} repetitions, bars: min..max{kept}")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    p = os.path.join(outdir, "ring-throughput.png")
    fig.savefig(p, dpi=110)
    plt.close(fig)
    print("wrote", p)


def main():
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(top, "build"))
    ap.add_argument("--out", default=os.path.join(top, "docs", "img"))
    ap.add_argument("--ring-json", default=None,
                    help="default: BUILD/host/bench/ring_bench.json")
    ap.add_argument("--ring-max-wait", type=float, default=None,
                    help="drop ring_bench runs whose threads waited for a CPU more than "
                         "this percent of the run (counter runq_wait_pct)")
    ap.add_argument("--ring-max-rtt", type=float, default=None,
                    help="drop ring_bench runs whose CPUs were far apart: line round trip "
                         "above this many ns (counter line_rtt_ns)")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    done = 0
    dev = load_dev(a.build)
    if dev:
        dev_plot(dev, "mib_per_s", "MiB/s (one way)", "Throughput per path",
                 "dev-throughput.png", a.out, spread=("mib_per_s_min", "mib_per_s_max"))
        dev_plot(dev, "rtt_p50_us", "round trip p50 (µs)", "Ping-pong round trip",
                 "dev-rtt.png", a.out)
        dev_syscalls(dev, a.out)
        done += 1
    reps, ctx = load_ring(a.ring_json or os.path.join(a.build, "host", "bench",
                                                      "ring_bench.json"), a.ring_max_wait,
                          a.ring_max_rtt)
    if ctx is not None:
        ctx = dict(ctx, max_wait=a.ring_max_wait, max_rtt=a.ring_max_rtt)
    if reps:
        ring_plot(reps, ctx, a.out)
        done += 1
    if not done:
        print("plot-bench.py: no benchmark output found (run make bench first)",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
