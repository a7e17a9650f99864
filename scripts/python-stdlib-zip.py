#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Zip the pure-Python standard library for a QEMU guest's interpreter.

Usage: python-stdlib-zip.py STDLIB_DIR OUT_ZIP
  e.g. python-stdlib-zip.py /usr/lib/python3.11 build/qemu/x86_64/python311.zip

Every *.py under STDLIB_DIR, stored under its path relative to it, sorted,
without the test suites, IDLE, tkinter, ensurepip, lib2to3, turtledemo,
bytecode caches and installed packages: the interpreter finds the zip on
its default sys.path (/usr/lib/python311.zip) and needs nothing else of the
library for tools/python/examples/ (mk/test-qemu.mk adds the one extension
module it needs, _ctypes). The zip is written next to OUT_ZIP and renamed,
so an interrupted run leaves no half-written file behind.
"""
import os
import pathlib
import sys
import zipfile

SKIP = {'test', 'idlelib', 'tkinter', 'ensurepip', 'lib2to3', 'site-packages',
        'dist-packages', 'turtledemo', '__pycache__'}


def main():
    if len(sys.argv) != 3:
        print(__doc__.split('\n\n')[1], file=sys.stderr)
        return 2
    root, out = pathlib.Path(sys.argv[1]), sys.argv[2]
    if not root.is_dir():
        print('python-stdlib-zip.py: no directory %s' % root, file=sys.stderr)
        return 1
    tmp = out + '.tmp'
    with zipfile.ZipFile(tmp, 'w', zipfile.ZIP_DEFLATED) as z:
        for p in sorted(root.rglob('*.py')):
            rel = p.relative_to(root)
            if not set(rel.parts) & SKIP:
                z.write(p, rel)
    os.replace(tmp, out)
    return 0


if __name__ == '__main__':
    sys.exit(main())
