#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Write a newc initramfs without root: device nodes and modes come from the
command line, not from the host file system. Deterministic (mtime 0, sorted).

  mkcpio.py OUT.cpio ENTRY...
  ENTRY:  dir:/PATH                       directory 0755
          file:/PATH=HOSTFILE[:MODE]      regular file (MODE octal, default: host mode)
          slink:/PATH=TARGET              symbolic link
          cdev:/PATH=MAJOR,MINOR          character device 0600
          tree:/PATH=HOSTDIR              HOSTDIR's files/dirs/symlinks, recursively
Parent directories are created as needed.
"""
import os
import stat
import sys


class Cpio:
    def __init__(self):
        self.entries = {}          # path -> (mode, data, rdev)

    def add(self, path, mode, data=b"", rdev=(0, 0)):
        path = path.strip("/")
        parts = path.split("/")
        for i in range(1, len(parts)):
            p = "/".join(parts[:i])
            self.entries.setdefault(p, (stat.S_IFDIR | 0o755, b"", (0, 0)))
        self.entries[path] = (mode, data, rdev)

    def tree(self, dest, src):
        for root, dirs, files in os.walk(src):
            dirs.sort()
            rel = os.path.relpath(root, src)
            d = dest if rel == "." else f"{dest}/{rel}"
            self.add(d, stat.S_IFDIR | 0o755)
            for n in sorted(files + [x for x in dirs if os.path.islink(os.path.join(root, x))]):
                self.file(f"{d}/{n}", os.path.join(root, n))

    def file(self, dest, src, mode=None):
        if os.path.islink(src):
            self.add(dest, stat.S_IFLNK | 0o777, os.readlink(src).encode())
            return
        with open(src, "rb") as f:
            data = f.read()
        if mode is None:
            mode = os.stat(src).st_mode & 0o7777
        self.add(dest, stat.S_IFREG | mode, data)

    def write(self, out):
        with open(out, "wb") as f:
            ino = 1
            for path in sorted(self.entries):
                mode, data, (ma, mi) = self.entries[path]
                self._hdr(f, ino, mode, len(data), ma, mi, path)
                f.write(data)
                f.write(b"\0" * (-len(data) % 4))
                ino += 1
            self._hdr(f, 0, 0, 0, 0, 0, "TRAILER!!!", nlink=1)
            f.write(b"\0" * (-f.tell() % 512))

    @staticmethod
    def _hdr(f, ino, mode, size, rma, rmi, name, nlink=None):
        nb = name.encode() + b"\0"
        if nlink is None:
            nlink = 2 if stat.S_ISDIR(mode) else 1
        fields = (ino, mode, 0, 0, nlink, 0, size, 0, 0, rma, rmi, len(nb), 0)
        f.write(b"070701" + b"".join(b"%08X" % v for v in fields))
        f.write(nb)
        f.write(b"\0" * (-(110 + len(nb)) % 4))


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    c = Cpio()
    for e in argv[1:]:
        kind, _, rest = e.partition(":")
        path, _, arg = rest.partition("=")
        if kind == "dir":
            c.add(path, stat.S_IFDIR | 0o755)
        elif kind == "file":
            src, _, mode = arg.partition(":")
            c.file(path, src, int(mode, 8) if mode else None)
        elif kind == "slink":
            c.add(path, stat.S_IFLNK | 0o777, arg.encode())
        elif kind == "cdev":
            ma, mi = (int(x) for x in arg.split(","))
            c.add(path, stat.S_IFCHR | 0o600, b"", (ma, mi))
        elif kind == "tree":
            c.tree(path, arg)
        else:
            sys.exit(f"mkcpio: bad entry {e!r}")
    c.write(argv[0])


if __name__ == "__main__":
    main(sys.argv[1:])
