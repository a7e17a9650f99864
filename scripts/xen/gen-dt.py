#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Device tree for booting Xen/arm64 + Dom0 + two dom0less domUs in QEMU.

Takes QEMU's own virt DT (-machine dumpdtb=...) and appends a /chosen block:
Xen's command line, Dom0's kernel/ramdisk, domU1 and domU2 (xen,domain,
"no-xenstore") and four static shared-memory regions, one per pair of
domains and a second one between the domUs (two regions between the same
pair must each find their own event channel):

    xenshm-0-1   Dom0  <-> domU1   owner Dom0
    xenshm-1-2   domU1 <-> domU2   owner domU1
    xenshm-0-2   Dom0  <-> domU2   owner Dom0
    xenshm-1-2b  domU1 <-> domU2   owner domU1

With --baremetal-kernel IMAGE a fourth domain, domU3 (domid 3), boots a
bare-metal Image (peer/baremetal/: kernel only, no initrd, --baremetal-mem-mib
of RAM) with two more regions; without it, nothing above changes:

    xenshm-0-3   Dom0  <-> domU3   owner Dom0
    xenshm-1-3   domU1 <-> domU3   owner domU1

domU3's bootargs tell it who it is and what it was given (it has no
initramfs and no env): "dom=domu3 domid=3 regions=R,R" with each R in the
XENSHM_REGIONS format ID:GUESTADDR:SIZE:PEER:ROLE:EVTCHN.

With --static-evtchn every domU<->domU region also gets a static event
channel (xen,evtchn-v1 under both xen,domain nodes, bound by Xen at boot,
allowed under XSM SILO); Dom0 <-> domU regions keep the runtime recipe.
Local ports are STATIC_PORT_BASE + 10 * region index + domid (distinct per
domain, and never the same number at both ends, so a mix-up shows).

Host addresses start at --shm-host-base (inside RAM, above the boot modules).
Dom0 is direct-mapped, so its guest address is the host address. DomUs see
the regions at --shm-guest-base + index * size, below their RAM (0x40000000)
and outside the "extended regions" Xen 4.17 advertises (see docs/xen-setup.md).

Boot modules are packed from --module-base upwards, 2 MiB aligned, with sizes
taken from the files. Writes:
    OUT.dts, OUT.dtb          the device tree for Xen
    OUT.loaders               one "ADDR FILE" line per QEMU -device loader
    OUT.json                  the layout (domains, regions, modules)
"""
import argparse
import json
import os
import subprocess
import sys

ALIGN = 0x200000
MiB = 1 << 20

DOMAINS = ("dom0", "domu1", "domu2")          # domid = index (dom0less order)
REGIONS = (                                   # (shm-id, domid a, domid b); owner = a
    ("xenshm-0-1", 0, 1),
    ("xenshm-1-2", 1, 2),
    ("xenshm-0-2", 0, 2),
    ("xenshm-1-2b", 1, 2),
)
# --baremetal-kernel: domU3 and its regions, appended (the rows above keep
# their index, hence their addresses and static ports).
BM_DOMAIN = "domu3"
BM_REGIONS = (
    ("xenshm-0-3", 0, 3),
    ("xenshm-1-3", 1, 3),
)
STATIC_PORT_BASE = 20
# --many N: N more regions between domU1 and domU2 ("xm-<i>", owner domU1,
# --many-size each, a static event channel each: domU1 port MANY_PORT_BASE +
# 2i, domU2 + 2i + 1), for measuring every region of a domain at once. Host
# addresses from MANY_HOST_BASE, guest addresses from MANY_GUEST_BASE up to
# the end of the hole. Xen 4.17 keeps every static region in one array of
# NR_MEM_BANKS (256) banks for the whole host (bootinfo.reserved_mem,
# xen/arch/arm/bootfdt.c) and each domain's in another of 256
# (kinfo->shm_mem, domain_build.c): with the 4 rows above, at most 252. The
# tighter limit is a dom0less domU's own device tree, which Xen builds in a
# buffer of DOMU_DTB_SIZE (4 KiB, domain_build.c) with one reserved-memory
# node per region: 19 regions per domU with this harness's ids and bootargs
# (--many 16 boots, --many 17 makes Xen panic "Device tree generation
# failed (-3)", FDT_ERR_NOSPACE).
MANY_MAX = 256 - len(REGIONS)
MANY_PORT_BASE = 200
MANY_HOST_BASE = 0x78000000
MANY_GUEST_BASE = 0x36000000
# Free hole in Xen 4.17's arm guest layout (public/arch-arm.h): after
# GUEST_VPCI_MEM (0x23000000 + 256 MiB) and before GUEST_GNTTAB (0x38000000).
DOMU_HOLE = (0x33000000, 0x38000000)
DOMU_RAM_BASE = 0x40000000


def align_up(v, a=ALIGN):
    return (v + a - 1) & ~(a - 1)


def qstr(s):
    if '"' in s or "\\" in s:
        raise SystemExit(f"gen-dt: quote or backslash in DT string: {s!r}")
    return f'"{s}"'


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base-dtb", required=True, help="QEMU's dumped virt DT")
    ap.add_argument("--out", required=True, help="output prefix (OUT.dts, OUT.dtb, ...)")
    for d in DOMAINS:
        ap.add_argument(f"--{d}-kernel", required=True)
        ap.add_argument(f"--{d}-initrd", required=True)
    ap.add_argument("--xen-bootargs", default="console=dtuart dtuart=/pl011@9000000 "
                    "bootscrub=0 noreboot dom0_mem=512M dom0_max_vcpus=1")
    ap.add_argument("--static-evtchn", action="store_true",
                    help="a static event channel for every domU<->domU region")
    ap.add_argument("--dom0-bootargs", default="console=hvc0 earlycon=xen rdinit=/init")
    ap.add_argument("--domu-bootargs", default="console=ttyAMA0 rdinit=/init")
    ap.add_argument("--domu-mem-mib", type=int, default=256)
    ap.add_argument("--shm-size", type=lambda s: int(s, 0), default=4 * MiB)
    ap.add_argument("--shm-host-base", type=lambda s: int(s, 0), default=0x70000000)
    ap.add_argument("--shm-guest-base", type=lambda s: int(s, 0), default=0x34000000)
    ap.add_argument("--module-base", type=lambda s: int(s, 0), default=0x50000000)
    ap.add_argument("--baremetal-kernel", help="arm64 Image of a bare-metal domU3")
    ap.add_argument("--baremetal-mem-mib", type=int, default=32)
    ap.add_argument("--baremetal-args", default="", help="appended to domU3's bootargs")
    ap.add_argument("--many", type=int, default=0,
                    help=f"N (<= {MANY_MAX}) more domU1<->domU2 regions xm-<i>")
    ap.add_argument("--many-size", type=lambda s: int(s, 0), default=0x10000)
    ap.add_argument("--xenstore", action="append", default=[], choices=DOMAINS[1:],
                    help="this domU gets xenstore (xen,enhanced = \"enabled\"): Dom0 "
                    "must run xenstored and init-dom0less (repeatable)")
    a = ap.parse_args()
    bm = a.baremetal_kernel is not None
    domains = DOMAINS + ((BM_DOMAIN,) if bm else ())
    region_rows = REGIONS + (BM_REGIONS if bm else ())
    if a.many < 0 or a.many > MANY_MAX - (len(BM_REGIONS) if bm else 0):
        raise SystemExit(f"gen-dt: --many {a.many}: Xen 4.17 takes at most {MANY_MAX} more "
                         "static regions next to the fixed rows (NR_MEM_BANKS)")
    if a.many and (a.many_size % 0x1000 or a.many_size < 0x4000 or
                   MANY_GUEST_BASE + a.many * a.many_size > DOMU_HOLE[1]):
        raise SystemExit(f"gen-dt: {a.many} regions of {a.many_size:#x} bytes do not fit "
                         f"{MANY_GUEST_BASE:#x}-{DOMU_HOLE[1]:#x}")

    size = a.shm_size
    if size <= 0 or size % 0x1000:
        raise SystemExit("gen-dt: --shm-size must be a positive multiple of 4 KiB")

    # --- boot modules ---------------------------------------------------------
    modules = []          # dict(dom, kind, addr, size, file)
    addr = a.module_base
    for d in domains:
        for kind in ("kernel", "initrd"):
            if d == BM_DOMAIN and kind == "initrd":
                continue
            f = os.path.abspath(a.baremetal_kernel if d == BM_DOMAIN else
                                getattr(a, f"{d}_{kind}"))
            sz = os.path.getsize(f)
            modules.append(dict(dom=d, kind=kind, addr=addr, size=sz, file=f))
            addr = align_up(addr + sz)
    modules_end = addr

    # --- regions ----------------------------------------------------------------
    regions = []
    for i, (sid, x, y) in enumerate(region_rows):
        if len(sid) > 15:
            raise SystemExit(f"gen-dt: shm-id {sid} longer than 15 characters (Xen 4.17)")
        host = a.shm_host_base + i * size
        guest = {}
        for dom in (x, y):
            # Dom0 is direct-mapped (guest == host); domUs use the low hole.
            guest[domains[dom]] = host if dom == 0 else a.shm_guest_base + i * size
        evtchn = {}
        if a.static_evtchn and x != 0 and y != 0:
            evtchn = {domains[dom]: STATIC_PORT_BASE + 10 * i + dom for dom in (x, y)}
        regions.append(dict(id=sid, host=host, size=size, owner=domains[x],
                            borrower=domains[y], guest=guest, evtchn=evtchn))
    for i in range(a.many):
        host = MANY_HOST_BASE + i * a.many_size
        guest = MANY_GUEST_BASE + i * a.many_size
        evtchn = {domains[d]: MANY_PORT_BASE + 2 * i + d - 1 for d in (1, 2)}
        regions.append(dict(id=f"xm-{i}", host=host, size=a.many_size, owner=domains[1],
                            borrower=domains[2], guest={domains[1]: guest, domains[2]: guest},
                            evtchn=evtchn if a.static_evtchn else {}))
    host_end = a.shm_host_base + len(region_rows) * size
    if host_end > MANY_HOST_BASE and a.many:
        raise SystemExit("gen-dt: the fixed rows reach into the --many host range")
    if a.shm_host_base < modules_end:
        raise SystemExit(f"gen-dt: shared memory at {a.shm_host_base:#x} overlaps the boot "
                         f"modules (end {modules_end:#x})")
    if a.shm_host_base < 0x40000000 or host_end > 0x40000000 + 4096 * MiB:
        raise SystemExit("gen-dt: shared memory must lie in QEMU's RAM (0x40000000, 4 GiB)")
    g0, g1 = a.shm_guest_base, a.shm_guest_base + len(region_rows) * size
    if g0 < DOMU_HOLE[0] or g1 > DOMU_HOLE[1]:
        raise SystemExit(f"gen-dt: domU guest range {g0:#x}-{g1:#x} leaves the free hole "
                         f"{DOMU_HOLE[0]:#x}-{DOMU_HOLE[1]:#x} of Xen's guest layout")

    # --- DTS ----------------------------------------------------------------------
    base = subprocess.run(["dtc", "-q", "-I", "dtb", "-O", "dts", a.base_dtb],
                          check=True, capture_output=True, text=True).stdout

    def mod_node(m, ind, bootargs=None):
        compat = ('"multiboot,kernel", "multiboot,module"' if m["kind"] == "kernel"
                  else '"multiboot,ramdisk", "multiboot,module"')
        name = f"{m['dom']}-{m['kind']}" if m["dom"] == "dom0" else "module"
        s = [f"{ind}{name}@{m['addr']:x} {{",
             f"{ind}\tcompatible = {compat};",
             f"{ind}\treg = <{m['addr']:#x} {m['size']:#x}>;"]
        if bootargs is not None:
            s.append(f"{ind}\tbootargs = {qstr(bootargs)};")
        s.append(f"{ind}}};")
        return s

    def shm_node(r, dom, ind):
        role = "owner" if r["owner"] == dom else "borrower"
        return [f"{ind}{dom}-shm-{r['id']}@{r['host']:x} {{",
                f"{ind}\tcompatible = \"xen,domain-shared-memory-v1\";",
                f"{ind}\trole = \"{role}\";",
                f"{ind}\txen,shm-id = {qstr(r['id'])};",
                f"{ind}\txen,shared-mem = <{r['host']:#x} {r['guest'][dom]:#x} {r['size']:#x}>;",
                f"{ind}}};"]

    def evtchn_label(r, dom):
        return "ec_%s_%s" % (r["id"].replace("-", "_"), dom)

    def evtchn_node(r, dom, ind):
        peer = r["borrower"] if r["owner"] == dom else r["owner"]
        port = r["evtchn"][dom]
        return [f"{ind}{evtchn_label(r, dom)}: evtchn@{port:x} {{",
                f"{ind}\tcompatible = \"xen,evtchn-v1\";",
                f"{ind}\t/* {r['id']}: local port {port}, other end {peer} port "
                f"{r['evtchn'][peer]} */",
                f"{ind}\txen,evtchn = <{port:#x} &{evtchn_label(r, peer)}>;",
                f"{ind}}};"]

    title = "two dom0less domUs" + (" and a bare-metal domU3" if bm else "")
    out = [base, "", f"/* xenshm: Xen, Dom0, {title}, static shared memory */",
           "/ {", "\tchosen {", "\t\t#address-cells = <0x1>;", "\t\t#size-cells = <0x1>;",
           f"\t\txen,xen-bootargs = {qstr(a.xen_bootargs)};"]
    mods = {(m["dom"], m["kind"]): m for m in modules}
    out += mod_node(mods[("dom0", "kernel")], "\t\t", a.dom0_bootargs)
    out += mod_node(mods[("dom0", "initrd")], "\t\t")
    for r in regions:
        if "dom0" in r["guest"]:
            out += shm_node(r, "dom0", "\t\t")
    def dom_regions(d):
        return [dict(id=r["id"], guest=r["guest"][d], size=r["size"],
                     peer=r["borrower"] if r["owner"] == d else r["owner"],
                     role="owner" if r["owner"] == d else "borrower",
                     evtchn=r["evtchn"].get(d, 0))
                for r in regions if d in r["guest"]]

    def bm_bootargs(d):
        rs = ",".join("%s:%#x:%#x:%s:%s:%d" % (r["id"], r["guest"], r["size"], r["peer"],
                                               r["role"], r["evtchn"]) for r in dom_regions(d))
        return f"dom={d} domid={domains.index(d)} regions={rs} {a.baremetal_args}".rstrip()

    for d in domains[1:]:
        mem = a.baremetal_mem_mib if d == BM_DOMAIN else a.domu_mem_mib
        out += ["", f"\t\t{d} {{", "\t\t\tcompatible = \"xen,domain\";",
                "\t\t\t#address-cells = <0x1>;", "\t\t\t#size-cells = <0x1>;",
                f"\t\t\tmemory = <0x0 {mem * 1024:#x}>;",
                "\t\t\tcpus = <0x1>;", "\t\t\tvpl011;",
                "\t\t\txen,enhanced = \"%s\";" % ("enabled" if d in a.xenstore
                                                   else "no-xenstore")]
        if d == BM_DOMAIN:
            out += mod_node(mods[(d, "kernel")], "\t\t\t", bm_bootargs(d))
        else:
            out += mod_node(mods[(d, "kernel")], "\t\t\t", a.domu_bootargs)
            out += mod_node(mods[(d, "initrd")], "\t\t\t")
        for r in regions:
            if d in r["guest"]:
                out += shm_node(r, d, "\t\t\t")
        for r in regions:
            if d in r["evtchn"]:
                out += evtchn_node(r, d, "\t\t\t")
        out.append("\t\t};")
    out += ["\t};", "};", ""]
    with open(a.out + ".dts", "w") as f:
        f.write("\n".join(out))
    subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", a.out + ".dtb", a.out + ".dts"],
                   check=True)
    with open(a.out + ".loaders", "w") as f:
        for m in modules:
            f.write(f"{m['addr']:#x} {m['file']}\n")
    layout = dict(domains={d: dict(domid=i) for i, d in enumerate(domains)},
                  regions=regions, modules=modules, modules_end=modules_end)
    for d in domains:
        layout["domains"][d]["regions"] = dom_regions(d)
    if bm:
        layout["domains"][BM_DOMAIN]["bootargs"] = bm_bootargs(BM_DOMAIN)
    with open(a.out + ".json", "w") as f:
        json.dump(layout, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
