#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Collect per-domain results from a Xen harness console log.

  collect.py LOG [--status STATUS.json] [--expect dom0,domu1,domu2]
             [--require DOM:TEST]... [--verbose] [--json OUT.json]

LOG is the demultiplexed console (run.sh's console.demux.log, see demux.py):
in the raw one a domU's line can land in the middle of one of Dom0's. A line
that still holds two markers is counted as a failure, never half-read.
Markers (anywhere in a line; domU lines arrive as "(XEN) DOM<n>: ..."):
  XENSHM-RESULT <dom> <test> PASS|FAIL|SKIP [detail]
  XENSHM-INFO <dom> <text>          (shown with --verbose)
  XENSHM-DONE <dom> rc=<n>
Besides the RESULT lines, these count as results of the pseudo-domain "harness":
  xen-banner     Xen printed "Xen version ..."
  end            the watcher's reason is "done" or "exit" (not panic/timeout)
  <dom>-done     each --expect domain printed XENSHM-DONE with rc=0
  <dom>-origin   a domU's markers came through Xen with its own DOM<n> prefix
                 (catches an initramfs given to the wrong domain)
  require <d:t>  a --require'd test did not report PASS (one line per miss;
                 "required" is one PASS line when all were met)
Prints each domain's results and ends with "N passed, N failed".
Exit status 0 only if nothing failed and something passed.
"""
import argparse
import json
import re
import sys

MARK = re.compile(r"^(?P<pre>.*?)XENSHM-(?P<kind>RESULT|INFO|DONE) (?P<dom>\S+)(?: (?P<rest>.*))?$")
XENDOM = re.compile(r"\(XEN\) DOM(\d+): $")
BANNER = re.compile(r"Xen version (\S+ .*)")
TWO = re.compile(r"XENSHM-(RESULT|DONE) ")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("log")
    ap.add_argument("--status")
    ap.add_argument("--expect", default="dom0,domu1,domu2")
    ap.add_argument("--require", action="append", default=[])
    ap.add_argument("--verbose", "-v", action="store_true")
    ap.add_argument("--json")
    a = ap.parse_args()
    expect = [d for d in a.expect.split(",") if d]

    doms = {}            # dom -> dict(results=[], info=[], done=None, origins=set())
    banner = None

    def dom(d):
        return doms.setdefault(d, dict(results=[], info=[], done=None, origins=set()))

    with open(a.log, "rb") as f:
        for raw in f:
            line = raw.decode("utf-8", "replace").rstrip("\r\n").replace("\r", "")
            if banner is None:
                m = BANNER.search(line)
                if m:
                    banner = m.group(1).strip()
            m = MARK.search(line)
            if not m:
                continue
            d, kind, rest = m.group("dom"), m.group("kind"), (m.group("rest") or "").strip()
            px = XENDOM.search(m.group("pre"))
            e = dom(d)
            e["origins"].add(int(px.group(1)) if px else None)
            if kind == "RESULT":
                parts = rest.split(None, 2)
                test = parts[0] if parts else "?"
                status = parts[1] if len(parts) > 1 else "?"
                if TWO.search(rest):
                    status, detail = "FAIL", f"two markers on one line: {rest}"
                elif status not in ("PASS", "FAIL", "SKIP"):
                    status, detail = "FAIL", f"malformed marker: {rest}"
                else:
                    detail = parts[2] if len(parts) > 2 else ""
                e["results"].append(dict(test=test, status=status, detail=detail))
            elif kind == "INFO":
                e["info"].append(rest)
            elif kind == "DONE" and e["done"] is None:
                e["done"] = rest

    st = {}
    if a.status:
        try:
            with open(a.status) as f:
                st = json.load(f)
        except OSError:
            st = dict(reason="missing", detail=f"no {a.status}")

    harness = []

    def h(test, ok, detail=""):
        harness.append(dict(test=test, status="PASS" if ok else "FAIL", detail=detail))

    h("xen-banner", banner is not None, banner or "no 'Xen version' line")
    if st:
        h("end", st.get("reason") in ("done", "exit"),
          f"{st.get('reason')}: {st.get('detail', '')}"[:200])
    for d in expect:
        e = doms.get(d)
        done = e and e["done"]
        h(f"{d}-done", bool(done) and done.startswith("rc=0"),
          done or "no XENSHM-DONE (domain did not finish)")
    for d, e in doms.items():
        m = re.fullmatch(r"domu(\d+)", d)
        want = int(m.group(1)) if m else None
        if e["origins"] != {want}:
            h(f"{d}-origin", False, f"markers came from {sorted(map(str, e['origins']))}")
    unmet = 0
    for r in a.require:
        d, _, t = r.partition(":")
        got = [x for x in doms.get(d, {}).get("results", []) if x["test"] == t]
        if not got or any(x["status"] != "PASS" for x in got):
            unmet += 1
            h(f"require {r}", False, ",".join(x["status"] for x in got) or "not reported")
    if a.require and not unmet:
        h("required", True, f"all {len(a.require)} required tests passed")
    passed = failed = skipped = 0
    out = []
    for d in list(dict.fromkeys(expect + sorted(doms))) + ["harness"]:
        results = harness if d == "harness" else doms.get(d, dict(results=[]))["results"]
        e = doms.get(d)
        tim = ""
        if d != "harness" and st.get("done", {}).get(d) is not None:
            tim = f" (first marker {st['first_marker'].get(d)} s, done {st['done'][d]} s)"
        out.append(f"{d}:{tim}")
        if a.verbose and e:
            out += [f"  info  {i}" for i in e["info"]]
        for r in results:
            out.append(f"  {r['status']:4}  {r['test']}{'  ' + r['detail'] if r['detail'] else ''}")
            passed += r["status"] == "PASS"
            failed += r["status"] == "FAIL"
            skipped += r["status"] == "SKIP"
        if not results:
            out.append("  (no results)")
    if st.get("elapsed") is not None:
        out.append(f"timing: Xen banner {st.get('xen_banner')} s, run {st['elapsed']} s "
                   f"(QEMU start to end)")
    if skipped:
        out.append(f"{skipped} skipped")
    out.append(f"{passed} passed, {failed} failed")
    print("\n".join(out))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(dict(domains={d: dict(results=e["results"], done=e["done"])
                                    for d, e in doms.items()},
                           harness=harness, status=st, passed=passed, failed=failed,
                           skipped=skipped), f, indent=1)
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
