#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Cut the KTAP of xenshm's KUnit run out of a QEMU console log.

Usage: ktap.py CONSOLE_LOG OUT_KTAP   (prints the suites found, one per line)

The guest dumps its kernel log (dmesg) between XENSHM-KUNIT-DMESG-BEGIN/END
while nothing else writes to the console, so no line is split. Inside that
dump, XENSHM-KUNIT-KTAP-BEGIN/END (written to /dev/kmsg around insmod)
delimit what the suites printed while the module loaded.

Not read from /sys/kernel/debug/kunit/*/results: Linux 6.1 keeps only 512
bytes of log per case there (KUNIT_LOG_SIZE), which cuts parameterised cases
short; the kernel log is the complete copy.

Each suite of a module prints an indented KTAP block and a top-level
"ok <n> <suite>" line. They are joined into one document with a top-level
plan, as the boot-time executor would print it, for `kunit.py parse`.
Non-KTAP kernel lines in between are dropped (the caller checks the whole
console for kernel reports).
"""
import re
import sys

KEEP = re.compile(r'^(\s|ok |not ok |# |KTAP version)')
TOP = re.compile(r'^(ok|not ok) [0-9]+ (.*)$')


def section(lines, begin, end):
    """Lines strictly between the first begin marker and the next end marker."""
    try:
        start = lines.index(begin) + 1
        return lines[start:lines.index(end, start)]
    except ValueError:
        return []


def main():
    console, out_path = sys.argv[1], sys.argv[2]
    with open(console, errors='replace') as f:
        lines = [l.rstrip('\r') for l in f.read().split('\n')]
    dump = section(lines, 'XENSHM-KUNIT-DMESG-BEGIN', 'XENSHM-KUNIT-DMESG-END')
    body = section(dump, 'XENSHM-KUNIT-KTAP-BEGIN', 'XENSHM-KUNIT-KTAP-END')
    out, suites = [], []
    for line in body:
        if not KEEP.match(line):
            continue
        if line.startswith('KTAP version'):
            # On 6.12 (not 6.1) a module's suites come with a top-level
            # header ("KTAP version 1", "1..<n>") of their own; the plan
            # line is dropped by KEEP, and the document gets one header,
            # written below.
            continue
        m = TOP.match(line)
        if m:
            suites.append(m.group(2).split(' ')[0])
            line = '%s %d %s' % (m.group(1), len(suites), m.group(2))
        out.append(line)
    with open(out_path, 'w') as f:
        f.write('\n'.join(['KTAP version 1', '1..%d' % len(suites)] + out) + '\n')
    for s in suites:
        print(s)


if __name__ == '__main__':
    main()
