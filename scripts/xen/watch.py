#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Run QEMU, copy its console to a log, and end the run as early as possible.

  watch.py --log LOG --status STATUS.json [--timeout S] [--expect dom0,domu1,domu2]
           [--ignore REGEX]... -- QEMU ARGS...

Ends QEMU when
  - every domain in --expect printed "XENSHM-DONE <dom>"        -> reason "done"
  - a panic pattern appears (Xen or Linux)                     -> reason "panic"
    (the console is read 3 s longer so the backtrace is in the log)
  - --timeout seconds passed                                   -> reason "timeout"
or notes that QEMU ended by itself (Dom0 "poweroff -f")        -> reason "exit"
STATUS.json records the reason, the offending line and the time (seconds since
QEMU started) of the Xen banner, of each domain's first marker and DONE.
Exit status: 0 for "done" or "exit", 1 otherwise (the collector decides pass/fail).
"""
import argparse
import json
import os
import re
import select
import signal
import subprocess
import sys
import time

from demux import Demux

PANIC = re.compile(
    r"Panic on CPU|Kernel panic|\bBUG: |WARNING: CPU: |Oops[:\s-]|Xen BUG at|"
    r"Call trace:|Xen WARN at|Assertion '.*' failed|FATAL (PAGE|TRAP)|Internal error: ")
BANNER = re.compile(r"Xen version (\S+)")
MARK = re.compile(r"(?:\(XEN\) DOM(\d+): )?.*?XENSHM-(\w+) (\S+)")
DONE = re.compile(r"XENSHM-DONE (\S+)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--log", required=True)
    ap.add_argument("--status", required=True)
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--expect", default="dom0,domu1,domu2")
    ap.add_argument("--ignore", action="append", default=[],
                    help="regex: lines matching it never count as a panic")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd[:1] == ["--"] else a.cmd
    if not cmd:
        ap.error("no QEMU command")
    expect = set(x for x in a.expect.split(",") if x)
    ignore = [re.compile(r) for r in a.ignore]

    st = dict(reason=None, detail="", elapsed=None, xen_banner=None, xen_version=None,
              first_marker={}, done={}, cmd=cmd)
    t0 = time.monotonic()
    log = open(a.log, "wb")
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, start_new_session=True)
    fd = p.stdout.fileno()
    os.set_blocking(fd, False)
    buf = b""
    deadline = t0 + a.timeout
    stop_at = None          # read until then, then kill (after a panic / done)

    dmx = Demux()           # a marker counts once Dom0's line is whole again

    def lines_seen(raw, last=False):
        what = None
        for ln in dmx.feed(raw) + (dmx.flush() if last else []):
            what = line_seen(ln) or what
        return what

    def line_seen(raw):
        line = raw.decode("utf-8", "replace").rstrip("\r\n").replace("\r", "")
        now = round(time.monotonic() - t0, 2)
        m = BANNER.search(line)
        if m and st["xen_banner"] is None:
            st["xen_banner"], st["xen_version"] = now, m.group(1)
        m = MARK.search(line)
        if m:
            st["first_marker"].setdefault(m.group(3), now)
        m = DONE.search(line)
        if m:
            st["done"].setdefault(m.group(1), now)
        if st["reason"] is None and PANIC.search(line) and not any(r.search(line) for r in ignore):
            st["reason"], st["detail"] = "panic", line.strip()
            return "panic"
        if st["reason"] is None and expect and expect <= set(st["done"]):
            st["reason"], st["detail"] = "done", "all domains DONE"
            return "done"
        return None

    while True:
        now = time.monotonic()
        if stop_at is not None and now >= stop_at:
            break
        if stop_at is None and now >= deadline:
            st["reason"], st["detail"] = "timeout", f"no end after {a.timeout:.0f} s"
            break
        wait = (stop_at if stop_at is not None else deadline) - now
        r, _, _ = select.select([fd], [], [], max(0.0, min(wait, 1.0)))
        if not r:
            if p.poll() is not None:
                break
            continue
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            continue
        if not chunk:                  # QEMU closed stdout: it is exiting
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                pass
            break
        log.write(chunk)
        log.flush()
        buf += chunk
        *lines, buf = buf.split(b"\n")
        for ln in lines:
            what = lines_seen(ln)
            if what == "panic" and stop_at is None:
                stop_at = time.monotonic() + 3.0
            elif what == "done" and stop_at is None:
                stop_at = time.monotonic() + 0.3
    exited = p.poll() is not None
    if not exited:
        os.killpg(p.pid, signal.SIGTERM)
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    else:
        # Drain what is left (QEMU exited by itself).
        rest = p.stdout.read() or b""
        log.write(rest)
        buf += rest
    *lines, last = buf.split(b"\n")
    for ln in lines:
        lines_seen(ln)
    lines_seen(last, last=True)
    if exited and st["reason"] is None:
        st["reason"], st["detail"] = "exit", f"QEMU exited with status {p.returncode}"
    log.close()
    st["elapsed"] = round(time.monotonic() - t0, 2)
    with open(a.status, "w") as f:
        json.dump(st, f, indent=1)
    return 0 if st["reason"] in ("done", "exit") else 1


if __name__ == "__main__":
    sys.exit(main())
