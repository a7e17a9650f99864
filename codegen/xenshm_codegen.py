#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
"""Generate xenshm's ABI files from codegen/spec/xenshm.yaml.

    xenshm_codegen.py [--spec SPEC] [--out DIR]   write every generated file under DIR
    xenshm_codegen.py --list                      print the generated paths, one a line
    xenshm_codegen.py --validate                  only validate the spec

The spec is first validated against codegen/spec/schema.json (JSON Schema),
then checked for what a schema cannot express (see check_semantics()).
Output depends only on the spec: no dates, no host names, stable order.
Uses the standard library plus PyYAML and jsonschema (Debian python3-yaml,
python3-jsonschema).
"""

import argparse
import json
import keyword
import os
import sys
import textwrap

import jsonschema
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
SPEC_REL = "codegen/spec/xenshm.yaml"
DEFAULT_SPEC = os.path.join(TOP, SPEC_REL)
SCHEMA = os.path.join(HERE, "spec", "schema.json")

# Paths of the generated files, relative to the tree's top. docs/abi.md lists
# them for readers (its "Generated files" line is made from OUTPUTS below).
OUT_UAPI = "uapi/xenshm.h"
OUT_PEER = "peer/xenshm_wire.h"
OUT_WIRE = "ringcore/include/xenshm/wire.hpp"
OUT_PY = "tools/python/xenshm/abi.py"
OUT_DOC = "docs/abi.md"
OUT_ABICHECK = "module/abi_check.h"
OUTPUTS = (OUT_UAPI, OUT_PEER, OUT_WIRE, OUT_PY, OUT_DOC, OUT_ABICHECK)

SPDX_UAPI = "(GPL-2.0-only WITH Linux-syscall-note) OR BSD-2-Clause"
SPDX = "GPL-2.0-only OR BSD-2-Clause"
DO_NOT_EDIT = "Do not edit directly, auto-generated from: " + SPEC_REL
REGEN = "Regenerate with: make regen"

SCALARS = {"u8": 1, "u16": 2, "u32": 4, "u64": 8}

CXX_KEYWORDS = frozenset("""
alignas alignof and and_eq asm auto bitand bitor bool break case catch char
char8_t char16_t char32_t class compl concept const consteval constexpr
constinit const_cast continue co_await co_return co_yield decltype default
delete do double dynamic_cast else enum explicit export extern false float for
friend goto if inline int long mutable namespace new noexcept not not_eq
nullptr operator or or_eq private protected public register reinterpret_cast
requires return short signed sizeof static static_assert static_cast struct
switch template this thread_local throw true try typedef typeid typename union
unsigned using virtual void volatile wchar_t while xor xor_eq
""".split())
C_KEYWORDS = frozenset("""
auto break case char const continue default do double else enum extern float
for goto if inline int long register restrict return short signed sizeof
static struct switch typedef union unsigned void volatile while _Bool
""".split())


class SpecError(Exception):
    """The spec is invalid; the message lists every problem found."""


# --------------------------------------------------------------------------
# Loading and checking
# --------------------------------------------------------------------------

def parse_type(t):
    """Return (element type, count or None, size, alignment) of a field type."""
    if t in SCALARS:
        return t, None, SCALARS[t], SCALARS[t]
    base, _, rest = t.partition("[")
    n = int(rest.rstrip("]"))
    return base, n, SCALARS[base] * n, SCALARS[base]


def layout(struct):
    """Compute offsets; return (list of (field, offset, size, align), computed size, problems)."""
    out = []
    problems = []
    off = 0
    max_align = 1
    for f in struct["fields"]:
        _, _, size, align = parse_type(f["type"])
        max_align = max(max_align, align)
        if off % align:
            pad = align - off % align
            problems.append("struct %s: %d byte(s) of implicit padding before field %s "
                            "(offset %d is not %d-aligned); add an explicit reserved field"
                            % (struct["name"], pad, f["name"], off, align))
            off += pad
        out.append((f, off, size, align))
        off += size
    if off % max_align:
        pad = max_align - off % max_align
        problems.append("struct %s: %d byte(s) of implicit tail padding (size %d, alignment %d)"
                        % (struct["name"], pad, off, max_align))
        off += pad
    return out, off, problems


def parse_range(nr):
    if isinstance(nr, int):
        return nr, nr
    lo, hi = nr.split("-")
    return int(lo), int(hi)


def check_semantics(spec):
    """Checks a JSON Schema cannot express. Returns a list of problems."""
    p = []

    def unique(items, key, what):
        seen = {}
        for it in items:
            k = it[key]
            if k in seen:
                p.append("%s: duplicate %s %r (%s and %s)" % (what, key, k, seen[k], it.get("name", "?")))
            else:
                seen[k] = it.get("name", "?")

    # Unique names across every generated C identifier namespace.
    unique(spec["constants"], "name", "constants")
    unique(spec["enums"], "name", "enums")
    unique(spec["flags"], "name", "flags")
    unique(spec["structs"], "name", "structs")
    unique(spec["ioctls"]["commands"], "name", "ioctls")
    unique(spec["ioctls"]["commands"], "nr", "ioctls")

    cnames = {}

    def cname(n, what):
        if n in cnames:
            p.append("C name XENSHM_%s of %s collides with %s" % (n.upper(), what, cnames[n]))
        cnames[n] = what

    for c in spec["constants"]:
        cname(c["name"], "constant " + c["name"])
        bits = SCALARS[c["type"]] * 8
        if c["value"] >= 1 << bits:
            p.append("constant %s: value %#x does not fit in %s" % (c["name"], c["value"], c["type"]))
    for e in spec["enums"]:
        unique(e["values"], "name", "enum " + e["name"])
        unique(e["values"], "value", "enum " + e["name"])
        for v in e["values"]:
            cname(e["name"] + "_" + v["name"], "enum value %s.%s" % (e["name"], v["name"]))
    for fl in spec["flags"]:
        unique(fl["bits"], "name", "flags " + fl["name"])
        unique(fl["bits"], "bit", "flags " + fl["name"])
        for b in fl["bits"]:
            cname(fl["name"] + "_" + b["name"], "flag %s.%s" % (fl["name"], b["name"]))
        cname(fl["name"] + "_all", "mask of flags " + fl["name"])
    for cmd in spec["ioctls"]["commands"]:
        cname("ioc_" + cmd["name"], "ioctl " + cmd["name"])
    cname("ioc_magic", "the ioctl magic")
    cname("abi_major", "the ABI major")
    cname("abi_minor", "the ABI minor")

    structs = {s["name"]: s for s in spec["structs"]}
    for s in spec["structs"]:
        unique(s["fields"], "name", "struct " + s["name"])
        fields, size, probs = layout(s)
        p.extend(probs)
        if size != s["size"]:
            p.append("struct %s: declared size %d but fields add up to %d" % (s["name"], s["size"], size))
        for f in s["fields"]:
            if f["name"] in C_KEYWORDS:
                p.append("struct %s: field %s is a C keyword" % (s["name"], f["name"]))
        if s["kind"] == "ioctl":
            fs = s["fields"]
            if len(fs) < 2 or fs[0]["name"] != "size" or fs[0]["type"] != "u32" \
                    or fs[1]["name"] != "flags" or fs[1]["type"] != "u32":
                p.append("ioctl struct %s must start with u32 size, u32 flags" % s["name"])
            if s["size"] % 8:
                p.append("ioctl struct %s: size %d is not a multiple of 8" % (s["name"], s["size"]))
            if s["size"] >= 1 << 14:
                p.append("ioctl struct %s: size %d does not fit _IOC_SIZE" % (s["name"], s["size"]))

    ranges = []
    for r in spec["ioctls"].get("reserved", []):
        lo, hi = parse_range(r["nr"])
        if lo > hi or hi > 255:
            p.append("ioctls: bad reserved range %r" % (r["nr"],))
        for (a, b) in ranges:
            if lo <= b and a <= hi:
                p.append("ioctls: reserved ranges %d-%d and %d-%d overlap" % (a, b, lo, hi))
        ranges.append((lo, hi))
    for cmd in spec["ioctls"]["commands"]:
        for (a, b) in ranges:
            if a <= cmd["nr"] <= b:
                p.append("ioctl %s: nr %d is in the reserved range %d-%d" % (cmd["name"], cmd["nr"], a, b))
        s = structs.get(cmd["arg"])
        if s is None:
            p.append("ioctl %s: unknown argument struct %s" % (cmd["name"], cmd["arg"]))
        elif s["kind"] != "ioctl":
            p.append("ioctl %s: argument struct %s is not of kind ioctl" % (cmd["name"], cmd["arg"]))

    # Region layout: the constants the derived-layout helpers rely on.
    k = {c["name"]: c["value"] for c in spec["constants"]}
    need = ("data_off", "min_data_size", "max_data_size", "min_region_size", "page_size")
    missing = [n for n in need if n not in k]
    if missing:
        p.append("constants missing for the region layout: " + ", ".join(missing))
    else:
        for n in ("min_data_size", "max_data_size"):
            v = k[n]
            if v & (v - 1):
                p.append("constant %s must be a power of two" % n)
        if k["min_data_size"] > k["max_data_size"]:
            p.append("min_data_size > max_data_size")
        if k["min_region_size"] != k["data_off"] + 2 * k["min_data_size"]:
            p.append("min_region_size must equal data_off + 2 * min_data_size")
        for n, v in sorted(k.items()):
            if n.endswith("_off") and n in ("header_off", "ctrl_off", "data_off") and v % k["page_size"]:
                p.append("constant %s is not a multiple of page_size" % n)
        # Items placed at *_off constants must fit before the next one.
        placed = [("header_off", "region_header"), ("slot0_off", "slot"), ("slot1_off", "slot"),
                  ("ring0_ctrl_off", "ring_ctrl"), ("ring1_ctrl_off", "ring_ctrl")]
        spans = []
        for off_name, sname in placed:
            if off_name in k and sname in structs:
                spans.append((k[off_name], k[off_name] + structs[sname]["size"], off_name))
        spans.append((k["data_off"], k["data_off"] + 1, "data_off"))
        spans.sort()
        for (a0, a1, an), (b0, b1, bn) in zip(spans, spans[1:]):
            if a1 > b0:
                p.append("layout: %s ends at %d, after %s at %d" % (an, a1, bn, b0))
    return p


def load_spec(path):
    with open(path, encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    validate(spec)
    return spec


def validate(spec):
    with open(SCHEMA, encoding="utf-8") as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    errors = sorted(cls(schema).iter_errors(spec), key=lambda e: list(e.absolute_path))
    if errors:
        raise SpecError("\n".join("schema: /%s: %s" % ("/".join(str(x) for x in e.absolute_path), e.message)
                                  for e in errors))
    problems = check_semantics(spec)
    if problems:
        raise SpecError("\n".join(problems))


# --------------------------------------------------------------------------
# Derived layout rule (mirrored in every language below)
# --------------------------------------------------------------------------

def data_size_for(k, region_size):
    """Largest power of two d with data_off + 2*d <= region_size, clamped to
    [min_data_size, max_data_size]; 0 if the region is too small."""
    if region_size < k["data_off"] + 2 * k["min_data_size"]:
        return 0
    d = k["max_data_size"]
    while k["data_off"] + 2 * d > region_size:
        d >>= 1
    return d


# --------------------------------------------------------------------------
# Helpers for emitting text
# --------------------------------------------------------------------------

def norm(doc):
    return " ".join(doc.split())


def wrap(doc, width):
    return textwrap.wrap(norm(doc), width, break_long_words=False, break_on_hyphens=False) or [""]


def c_block(doc, indent="", width=78):
    """A /* */ comment (C90-safe)."""
    lines = wrap(doc.replace("*/", "* /"), width - len(indent) - 3)
    if len(lines) == 1 and len(lines[0]) + len(indent) + 6 <= width:
        return [indent + "/* " + lines[0] + " */"]
    return [indent + "/*"] + [indent + " * " + l for l in lines] + [indent + " */"]


def cpp_line(doc, indent="", width=100):
    return [indent + "// " + l for l in wrap(doc, width - len(indent) - 3)]


def py_comment(doc, indent="", width=100):
    return [indent + "# " + l for l in wrap(doc, width - len(indent) - 2)]


def hexu(v):
    """Sizes and offsets read best in decimal, magics and masks in hex."""
    return "0x%x" % v if v > 0xffff else str(v)


def c_lit(v, t):
    """An unsigned literal valid in C90 for u8..u32; u64 beyond 32 bits needs a cast."""
    if v < 1 << 32:
        return hexu(v) + "U"
    return None


def cxx_name(n):
    return n + "_" if n in CXX_KEYWORDS else n


def py_name(n):
    return n + "_" if keyword.iskeyword(n) else n


def py_docstring(doc, indent="    ", width=96):
    """A docstring (lines) for a class or function body."""
    text = doc.replace("\\", "\\\\").replace('"""', "'''")
    lines = wrap(text, width - len(indent) - 3)
    out = [indent + '"""' + lines[0]] + [indent + l for l in lines[1:]]
    if out[-1].endswith('"'):
        out[-1] += " "
    out[-1] += '"""'
    return out


def camel(n):
    return "".join(w.capitalize() for w in n.split("_"))


def header_lines(comment_start, comment_cont, comment_end, spdx):
    return [comment_start + "SPDX-License-Identifier: " + spdx + comment_end,
            comment_cont + DO_NOT_EDIT + comment_end,
            comment_cont + REGEN + comment_end]


class Ctx:
    def __init__(self, spec):
        self.spec = spec
        self.k = {c["name"]: c["value"] for c in spec["constants"]}
        self.structs = {s["name"]: s for s in spec["structs"]}
        self.shared = [s for s in spec["structs"] if s["kind"] == "shared"]
        self.ioctl_structs = [s for s in spec["structs"] if s["kind"] == "ioctl"]
        self.magic = spec["ioctls"]["magic"]

    def flag_mask(self, fl):
        m = 0
        for b in fl["bits"]:
            m |= 1 << b["bit"]
        return m

    def flag_wide(self, fl):
        return any(b["bit"] >= 32 for b in fl["bits"])


def ioc_number(dir_, magic, nr, size):
    """Generic Linux _IOC encoding (asm-generic/ioctl.h; x86_64 and arm64)."""
    d = {"": 0, "w": 1, "r": 2, "rw": 3}[dir_]
    return (d << 30) | (size << 16) | (magic << 8) | nr


# --------------------------------------------------------------------------
# C: uapi/xenshm.h and peer/xenshm_wire.h
# --------------------------------------------------------------------------

def c_common(ctx, uapi):
    """Constants, enums, flags and shared structs in C; uapi or peer flavour."""
    spec = ctx.spec
    T = (lambda t: "__" + t) if uapi else (lambda t: {"u8": "uint8_t", "u16": "uint16_t",
                                                      "u32": "uint32_t", "u64": "uint64_t"}[t])
    u64one = "((__u64)1 << %d)" if uapi else "((uint64_t)1 << %d)"
    o = []
    o += c_block(spec["abi"]["doc"])
    o.append("#define XENSHM_ABI_MAJOR %d" % spec["abi"]["major"])
    o.append("#define XENSHM_ABI_MINOR %d" % spec["abi"]["minor"])
    o.append("")
    o.append("/* ---- Constants ---- */")
    o.append("")
    for c in spec["constants"]:
        o += c_block(c["doc"])
        lit = c_lit(c["value"], c["type"])
        if lit is None:
            lit = "((%s)%#x << 32 | %#xU)" % (T("u64"), c["value"] >> 32, c["value"] & 0xffffffff)
        o.append("#define XENSHM_%s %s" % (c["name"].upper(), lit))
    o.append("")
    o.append("/* ---- Enumerations (carried in u32 fields) ---- */")
    for e in spec["enums"]:
        o.append("")
        o += c_block(e["doc"])
        o.append("enum xenshm_%s {" % e["name"])
        for v in e["values"]:
            o += c_block(v["doc"], "\t")
            o.append("\tXENSHM_%s_%s = %d," % (e["name"].upper(), v["name"].upper(), v["value"]))
        # C90 forbids a trailing comma after the last enumerator.
        o[-1] = o[-1].rstrip(",")
        o.append("};")
    o.append("")
    o.append("/* ---- Flag bits ---- */")
    for fl in spec["flags"]:
        o.append("")
        o += c_block(fl["doc"])
        names = []
        for b in fl["bits"]:
            o += c_block(b["doc"])
            n = "XENSHM_%s_%s" % (fl["name"].upper(), b["name"].upper())
            names.append(n)
            if b["bit"] < 32:
                o.append("#define %s (1U << %d)" % (n, b["bit"]))
            else:
                o.append("#define %s %s" % (n, u64one % b["bit"]))
        o += c_block("Every bit of %s known to this ABI version." % fl["name"])
        o.append("#define XENSHM_%s_ALL (%s)" % (fl["name"].upper(), " | ".join(names)))
    o.append("")
    o.append("/* ---- Shared memory (little-endian; every field naturally aligned) ---- */")
    for s in ctx.shared:
        o += c_struct(s, T)
    return o


def c_struct(s, T):
    o = [""]
    fields, size, _ = layout(s)
    o += c_block("%s (%d bytes.)" % (norm(s["doc"]), size))
    o.append("struct xenshm_%s {" % s["name"])
    for f, off, fsize, _a in fields:
        base, n, _, _ = parse_type(f["type"])
        o += c_block("@%d: %s" % (off, f["doc"]), "\t")
        if n is None:
            o.append("\t%s %s;" % (T(base), f["name"]))
        else:
            o.append("\t%s %s[%d];" % (T(base), f["name"], n))
    o.append("};")
    return o


def gen_uapi(ctx):
    spec = ctx.spec
    o = header_lines("/* ", " * ", "", SPDX_UAPI)
    o[0] += " */"
    o[1] = "/*"
    o.insert(2, " * " + DO_NOT_EDIT)
    o[3] = " * " + REGEN
    o.append(" *")
    o += [" * " + l for l in wrap(spec["doc"], 74)]
    o.append(" *")
    o += [" * " + l for l in wrap(
        "Linux uapi of xenshm: constants, enumerations, flag bits, the shared-memory "
        "structures (for mmap users) and the ioctl interface of /dev/xenshm/<name>. "
        "Only __u8..__u64, explicit padding; compiles alone as C90 and as C++.", 74)]
    o.append(" */")
    o.append("#ifndef _UAPI_LINUX_XENSHM_H")
    o.append("#define _UAPI_LINUX_XENSHM_H")
    o.append("")
    o.append("#include <linux/ioctl.h>")
    o.append("#include <linux/types.h>")
    o.append("")
    o += c_common(ctx, True)
    o.append("")
    o.append("/* ---- ioctl arguments (userspace <-> kernel; every one starts with size, flags) ---- */")
    for s in ctx.ioctl_structs:
        o += c_struct(s, lambda t: "__" + t)
    o.append("")
    o.append("/* ---- ioctl commands ---- */")
    o.append("")
    o += c_block(spec["ioctls"]["doc"])
    o.append("#define XENSHM_IOC_MAGIC %#x" % ctx.magic)
    for cmd in spec["ioctls"]["commands"]:
        o.append("")
        o += c_block(cmd["doc"])
        mac = {"r": "_IOR", "w": "_IOW", "rw": "_IOWR"}[cmd["dir"]]
        o.append("#define XENSHM_IOC_%s %s(XENSHM_IOC_MAGIC, %d, struct xenshm_%s)"
                 % (cmd["name"].upper(), mac, cmd["nr"], cmd["arg"]))
    for r in spec["ioctls"].get("reserved", []):
        o.append("")
        o += c_block("nr %s: reserved. %s" % (r["nr"], r["doc"]))
    o.append("")
    o.append("#endif /* _UAPI_LINUX_XENSHM_H */")
    return "\n".join(o) + "\n"


def gen_peer(ctx):
    spec = ctx.spec
    k = ctx.k
    o = ["/* SPDX-License-Identifier: %s */" % SPDX,
         "/*",
         " * " + DO_NOT_EDIT,
         " * " + REGEN,
         " *"]
    o += [" * " + l for l in wrap(
        "xenshm wire format for peers that are not Linux (RTOS, bare metal): "
        "freestanding C99, only <stdint.h>. Never include it together with "
        "uapi/xenshm.h (same names). It gives the layout only: the protocol "
        "(who writes which word, in which order, with which memory ordering; "
        "the rendezvous, the ring resync and the notification rule) is "
        "specified in docs/protocol.md.", 74)]
    o.append(" */")
    o.append("#ifndef XENSHM_WIRE_H")
    o.append("#define XENSHM_WIRE_H")
    o.append("")
    o.append("#include <stdint.h>")
    o.append("")
    o.append("#ifdef __cplusplus")
    o.append('extern "C" {')
    o.append("#endif")
    o.append("")
    o += c_common(ctx, False)
    o.append("")
    o.append("/* ---- Derived layout ---- */")
    o.append("")
    o += c_block(data_size_doc())
    o.append("static inline uint32_t xenshm_data_size_for(uint64_t region_size)")
    o.append("{")
    o.append("\tuint32_t d = XENSHM_MAX_DATA_SIZE;")
    o.append("")
    o.append("\tif (region_size < (uint64_t)XENSHM_DATA_OFF + 2 * (uint64_t)XENSHM_MIN_DATA_SIZE)")
    o.append("\t\treturn 0;")
    o.append("\twhile ((uint64_t)XENSHM_DATA_OFF + 2 * (uint64_t)d > region_size)")
    o.append("\t\td >>= 1;")
    o.append("\treturn d;")
    o.append("}")
    o.append("")
    o += c_block(ring_off_doc())
    o.append("static inline uint64_t xenshm_ring_data_off(uint32_t ring, uint32_t data_size)")
    o.append("{")
    o.append("\tif (ring > 1)")
    o.append("\t\treturn 0;")
    o.append("\treturn (uint64_t)XENSHM_DATA_OFF + (uint64_t)ring * data_size;")
    o.append("}")
    o.append("")
    o += c_block(max_msg_doc())
    o.append("static inline uint32_t xenshm_max_msg_size_for(uint32_t data_size)")
    o.append("{")
    o.append("\treturn data_size / 2 > 8 ? data_size / 2 - 8 : 0;")
    o.append("}")
    o.append("")
    o += c_block("Layout checks (C99 has no static_assert: a negative array size fails). "
                 "Offsets need offsetof, from <stddef.h>; to keep to <stdint.h> they use the "
                 "GCC/Clang builtin and are checked with those compilers only.")
    for s in ctx.shared:
        fields, size, _ = layout(s)
        o.append("typedef char xenshm_check_%s_size[sizeof(struct xenshm_%s) == %d ? 1 : -1];"
                 % (s["name"], s["name"], size))
    o.append("#if defined(__GNUC__) || defined(__clang__)")
    for s in ctx.shared:
        fields, size, _ = layout(s)
        conds = ["__builtin_offsetof(struct xenshm_%s, %s) == %d" % (s["name"], f["name"], off)
                 for f, off, _s, _a in fields]
        o.append("typedef char xenshm_check_%s_offsets[(" % s["name"])
        o.append("\t" + " &&\n\t".join(conds) + ") ? 1 : -1];")
    o.append("#endif")
    o.append("")
    o.append("#ifdef __cplusplus")
    o.append("}")
    o.append("#endif")
    o.append("")
    o.append("#endif /* XENSHM_WIRE_H */")
    return "\n".join(o) + "\n"


def data_size_doc():
    return ("Bytes in each ring's data area for a region of region_size bytes: the "
            "largest power of two d with XENSHM_DATA_OFF + 2 * d <= region_size, clamped to "
            "[XENSHM_MIN_DATA_SIZE, XENSHM_MAX_DATA_SIZE]; 0 if the region is smaller than "
            "XENSHM_DATA_OFF + 2 * XENSHM_MIN_DATA_SIZE. Bounded loop (at most 19 steps).")


def ring_off_doc():
    return ("Region offset of ring `ring`'s data area (ring 0 at XENSHM_DATA_OFF, ring 1 right "
            "after it); 0 (never a valid data offset) if ring is not 0 or 1.")


def max_msg_doc():
    return ("Largest message payload in message mode for a data area of data_size bytes: "
            "data_size / 2 - 8, so one record always fits in an empty ring.")


# --------------------------------------------------------------------------
# C++: ringcore/include/xenshm/wire.hpp
# --------------------------------------------------------------------------

def gen_wire(ctx):
    spec = ctx.spec
    o = ["// SPDX-License-Identifier: " + SPDX,
         "// " + DO_NOT_EDIT,
         "// " + REGEN,
         "//"]
    o += cpp_line("xenshm wire format for ringcore (freestanding C++20): constants, enums, flag bits, "
                  "the shared-memory structs with static_assert on every size and offset, and the "
                  "derived layout helpers. Includes only \"xenshm/types.hpp\".")
    o += ["#pragma once", "", '#include "xenshm/types.hpp"', "", "namespace xenshm::wire {", ""]
    o += cpp_line(spec["abi"]["doc"])
    o.append("inline constexpr u16 ABI_MAJOR = %d;" % spec["abi"]["major"])
    o.append("inline constexpr u16 ABI_MINOR = %d;" % spec["abi"]["minor"])
    o.append("")
    o.append("// ---- Constants ----")
    o.append("")
    for c in spec["constants"]:
        o += cpp_line(c["doc"])
        suf = "ull" if c["type"] == "u64" else "u"
        o.append("inline constexpr %s %s = %s%s;" % (c["type"], c["name"].upper(), hexu(c["value"]), suf))
    o.append("")
    o.append("// ---- Enumerations ----")
    for e in spec["enums"]:
        o.append("")
        o += cpp_line(e["doc"])
        o.append("enum class %s : u32 {" % cxx_name(e["name"]))
        for v in e["values"]:
            o += cpp_line(v["doc"], "    ")
            o.append("    %s = %d," % (cxx_name(v["name"]), v["value"]))
        o.append("};")
    o.append("")
    o.append("// ---- Flag bits ----")
    for fl in spec["flags"]:
        o.append("")
        o += cpp_line(fl["doc"])
        t = "u64" if ctx.flag_wide(fl) else "u32"
        one = "1ull" if t == "u64" else "1u"
        names = []
        for b in fl["bits"]:
            o += cpp_line(b["doc"])
            n = "%s_%s" % (fl["name"].upper(), b["name"].upper())
            names.append(n)
            o.append("inline constexpr %s %s = %s << %d;" % (t, n, one, b["bit"]))
        o.append("inline constexpr %s %s_ALL = %s;" % (t, fl["name"].upper(), " | ".join(names)))
    o.append("")
    o.append("// ---- Shared memory (little-endian; every field naturally aligned) ----")
    for s in ctx.shared:
        fields, size, _ = layout(s)
        name = cxx_name(s["name"])
        o.append("")
        o += cpp_line(s["doc"])
        o.append("struct %s {" % name)
        for f, off, _fs, _a in fields:
            base, n, _, _ = parse_type(f["type"])
            o += cpp_line("@%d: %s" % (off, f["doc"]), "    ")
            arr = "" if n is None else "[%d]" % n
            o.append("    %s %s%s;" % (base, cxx_name(f["name"]), arr))
        o.append("};")
        o.append('static_assert(sizeof(%s) == %d, "%s: size");' % (name, size, name))
        maxa = max(a for _f, _o, _s, a in fields)
        o.append('static_assert(alignof(%s) == %d, "%s: alignment");' % (name, maxa, name))
        o.append('static_assert(__is_standard_layout(%s) && __is_trivial(%s), "%s: plain data");'
                 % (name, name, name))
        for f, off, _fs, _a in fields:
            o.append('static_assert(__builtin_offsetof(%s, %s) == %d, "%s.%s");'
                     % (name, cxx_name(f["name"]), off, name, f["name"]))
    o.append("")
    o.append("// ---- Derived layout ----")
    o.append("")
    o += cpp_line(data_size_doc().replace("XENSHM_", ""))
    o.append("constexpr u32 data_size_for(u64 region_size)")
    o.append("{")
    o.append("    if (region_size < u64{DATA_OFF} + 2 * u64{MIN_DATA_SIZE})")
    o.append("        return 0;")
    o.append("    u32 d = MAX_DATA_SIZE;")
    o.append("    while (u64{DATA_OFF} + 2 * u64{d} > region_size)")
    o.append("        d >>= 1;")
    o.append("    return d;")
    o.append("}")
    o.append("")
    o += cpp_line(ring_off_doc().replace("XENSHM_", ""))
    o.append("constexpr u64 ring_data_off(u32 ring, u32 data_size)")
    o.append("{")
    o.append("    if (ring > 1)")
    o.append("        return 0;")
    o.append("    return u64{DATA_OFF} + u64{ring} * data_size;")
    o.append("}")
    o.append("")
    o += cpp_line(max_msg_doc())
    o.append("constexpr u32 max_msg_size_for(u32 data_size)")
    o.append("{")
    o.append("    return data_size / 2 > 8 ? data_size / 2 - 8 : 0;")
    o.append("}")
    o.append("")
    o.append("// Compile-time tests of the helpers, values computed by the generator.")
    k = ctx.k
    for rs in derived_samples(k):
        o.append('static_assert(data_size_for(%dull) == %du, "data_size_for(%d)");'
                 % (rs, data_size_for(k, rs), rs))
    o.append('static_assert(ring_data_off(0, MIN_DATA_SIZE) == DATA_OFF, "ring 0");')
    o.append('static_assert(ring_data_off(1, MIN_DATA_SIZE) == DATA_OFF + MIN_DATA_SIZE, "ring 1");')
    o.append('static_assert(ring_data_off(2, MIN_DATA_SIZE) == 0, "no ring 2");')
    o.append("")
    o.append("} // namespace xenshm::wire")
    return "\n".join(o) + "\n"


def derived_samples(k):
    m = k["data_off"] + 2 * k["min_data_size"]
    return [0, m - 1, m, m + 4095, 2 * m, 1 << 20, (1 << 20) + k["data_off"] * 2,
            k["data_off"] + 2 * k["max_data_size"] - 1, k["data_off"] + 2 * k["max_data_size"],
            1 << 40, (1 << 64) - 1]


# --------------------------------------------------------------------------
# Kernel: module/abi_check.h
# --------------------------------------------------------------------------

def gen_abi_check(ctx):
    spec = ctx.spec
    o = ["/* SPDX-License-Identifier: %s */" % SPDX,
         "/*",
         " * " + DO_NOT_EDIT,
         " * " + REGEN,
         " *"]
    o += [" * " + l for l in wrap(
        "Compile-time checks of the uapi layout against the spec: every struct size and "
        "field offset, and the size and number encoded in every ioctl. Call "
        "xenshm_abi_check() once (module init); it generates no code.", 74)]
    o.append(" */")
    o += ["#ifndef XENSHM_ABI_CHECK_H", "#define XENSHM_ABI_CHECK_H", "",
          "#include <linux/build_bug.h>", "#include <linux/ioctl.h>", "#include <linux/stddef.h>", "",
          '#include "uapi/xenshm.h"', "",
          "static inline void xenshm_abi_check(void)", "{"]
    for s in spec["structs"]:
        fields, size, _ = layout(s)
        o.append("\t/* struct xenshm_%s */" % s["name"])
        o.append("\tBUILD_BUG_ON(sizeof(struct xenshm_%s) != %d);" % (s["name"], size))
        for f, off, fs, _a in fields:
            o.append("\tBUILD_BUG_ON(offsetof(struct xenshm_%s, %s) != %d);" % (s["name"], f["name"], off))
    o.append("\t/* ioctl numbers */")
    o.append("\tBUILD_BUG_ON(XENSHM_IOC_MAGIC != %#x);" % ctx.magic)
    for cmd in spec["ioctls"]["commands"]:
        n = "XENSHM_IOC_" + cmd["name"].upper()
        num = ioc_number(cmd["dir"], ctx.magic, cmd["nr"], ctx.structs[cmd["arg"]]["size"])
        o.append("\tBUILD_BUG_ON(_IOC_NR(%s) != %d);" % (n, cmd["nr"]))
        o.append("\tBUILD_BUG_ON(_IOC_SIZE(%s) != %d);" % (n, ctx.structs[cmd["arg"]]["size"]))
        o.append("\tBUILD_BUG_ON(_IOC_TYPE(%s) != XENSHM_IOC_MAGIC);" % n)
        o.append("\t/* %s == %#010x with the generic _IOC encoding */" % (n, num))
    o.append("}")
    o.append("")
    o.append("#endif /* XENSHM_ABI_CHECK_H */")
    return "\n".join(o) + "\n"


# --------------------------------------------------------------------------
# Python: tools/python/xenshm/abi.py
# --------------------------------------------------------------------------

def gen_py(ctx):
    spec = ctx.spec
    k = ctx.k
    o = ["# SPDX-License-Identifier: " + SPDX,
         "# " + DO_NOT_EDIT,
         "# " + REGEN,
         '"""xenshm ABI for Python: constants, enums, flag bits, ctypes structs, ioctl numbers.',
         "",
         ]
    o += wrap(spec["doc"], 96)
    o += ["",
          "Run `python3 -m xenshm.abi` to self-test sizes and offsets against the spec.",
          '"""',
          "",
          "import ctypes",
          "import enum",
          "",
          ]
    o += py_comment(spec["abi"]["doc"])
    o.append("ABI_MAJOR = %d" % spec["abi"]["major"])
    o.append("ABI_MINOR = %d" % spec["abi"]["minor"])
    o.append("")
    o.append("# ---- Constants ----")
    o.append("")
    for c in spec["constants"]:
        o += py_comment(c["doc"])
        o.append("%s = %s" % (c["name"].upper(), hexu(c["value"])))
    o.append("")
    o.append("# ---- Enumerations ----")
    for e in spec["enums"]:
        o += ["", ""]
        o.append("class %s(enum.IntEnum):" % camel(e["name"]))
        o += py_docstring(e["doc"])
        o.append("")
        for v in e["values"]:
            o += py_comment(v["doc"], "    ")
            o.append("    %s = %d" % (v["name"].upper(), v["value"]))
    o.append("")
    o.append("")
    for e in spec["enums"]:
        for v in e["values"]:
            o.append("%s_%s = %s.%s" % (e["name"].upper(), v["name"].upper(), camel(e["name"]),
                                        v["name"].upper()))
    o.append("")
    o.append("# ---- Flag bits ----")
    for fl in spec["flags"]:
        o += ["", ""]
        o.append("class %s(enum.IntFlag):" % camel(fl["name"]))
        o += py_docstring(fl["doc"])
        o.append("")
        for b in fl["bits"]:
            o += py_comment(b["doc"], "    ")
            o.append("    %s = 1 << %d" % (b["name"].upper(), b["bit"]))
    o.append("")
    o.append("")
    for fl in spec["flags"]:
        for b in fl["bits"]:
            o.append("%s_%s = 1 << %d" % (fl["name"].upper(), b["name"].upper(), b["bit"]))
        o.append("%s_ALL = %s" % (fl["name"].upper(), hexu(ctx.flag_mask(fl))))
    o.append("")
    o.append("# ---- Structures ----")
    o.append("# Shared-memory structs are little-endian (the wire format); ioctl structs are native.")
    ctypes_t = {"u8": "ctypes.c_uint8", "u16": "ctypes.c_uint16", "u32": "ctypes.c_uint32",
                "u64": "ctypes.c_uint64"}
    for s in spec["structs"]:
        fields, size, _ = layout(s)
        base = "ctypes.LittleEndianStructure" if s["kind"] == "shared" else "ctypes.Structure"
        o += ["", ""]
        o.append("class %s(%s):" % (camel(s["name"]), base))
        o += py_docstring("struct xenshm_%s (%s, %d bytes). %s" % (s["name"], s["kind"], size, s["doc"]))
        o.append("")
        o.append("    _fields_ = [")
        for f, off, _fs, _a in fields:
            b, n, _, _ = parse_type(f["type"])
            t = ctypes_t[b] if n is None else "%s * %d" % (ctypes_t[b], n)
            o += py_comment("@%d: %s" % (off, f["doc"]), "        ")
            o.append('        ("%s", %s),' % (py_name(f["name"]), t))
        o.append("    ]")
    o.append("")
    o.append("")
    o.append("# ---- ioctls ----")
    o.append("# Generic Linux _IOC encoding (asm-generic/ioctl.h), used by x86_64 and arm64.")
    o.append("_IOC_NRSHIFT = 0")
    o.append("_IOC_TYPESHIFT = 8")
    o.append("_IOC_SIZESHIFT = 16")
    o.append("_IOC_DIRSHIFT = 30")
    o.append("_IOC_NONE = 0")
    o.append("_IOC_WRITE = 1")
    o.append("_IOC_READ = 2")
    o.append("")
    o.append("")
    o.append("def _IOC(dir_, type_, nr, size):")
    o.append('    assert 0 <= nr < 256 and 0 <= type_ < 256 and 0 <= size < (1 << 14)')
    o.append("    return (dir_ << _IOC_DIRSHIFT) | (type_ << _IOC_TYPESHIFT) | (nr << _IOC_NRSHIFT) | \\")
    o.append("        (size << _IOC_SIZESHIFT)")
    o.append("")
    o.append("")
    o += py_comment(spec["ioctls"]["doc"])
    o.append("IOC_MAGIC = %#x" % ctx.magic)
    dirs = {"r": "_IOC_READ", "w": "_IOC_WRITE", "rw": "_IOC_READ | _IOC_WRITE"}
    for cmd in spec["ioctls"]["commands"]:
        o += py_comment(cmd["doc"])
        o.append("IOC_%s = _IOC(%s, IOC_MAGIC, %d, ctypes.sizeof(%s))"
                 % (cmd["name"].upper(), dirs[cmd["dir"]], cmd["nr"], camel(cmd["arg"])))
    o.append("")
    o.append("# ioctl command -> argument struct")
    o.append("IOCTL_ARGS = {")
    for cmd in spec["ioctls"]["commands"]:
        o.append("    IOC_%s: %s," % (cmd["name"].upper(), camel(cmd["arg"])))
    o.append("}")
    o.append("")
    o.append("")
    o.append("# ---- Derived layout ----")
    o.append("")
    o.append("")
    o.append("def data_size_for(region_size):")
    o += py_docstring(data_size_doc().replace("XENSHM_", ""))
    o.append("    if region_size < DATA_OFF + 2 * MIN_DATA_SIZE:")
    o.append("        return 0")
    o.append("    d = MAX_DATA_SIZE")
    o.append("    while DATA_OFF + 2 * d > region_size:")
    o.append("        d >>= 1")
    o.append("    return d")
    o.append("")
    o.append("")
    o.append("def ring_data_off(ring, data_size):")
    o += py_docstring(ring_off_doc().replace("XENSHM_", ""))
    o.append("    if ring not in (0, 1):")
    o.append("        return 0")
    o.append("    return DATA_OFF + ring * data_size")
    o.append("")
    o.append("")
    o.append("def max_msg_size_for(data_size):")
    o.append('    """%s"""' % norm(max_msg_doc()))
    o.append("    return data_size // 2 - 8 if data_size // 2 > 8 else 0")
    o.append("")
    o.append("")
    o.append("# ---- Self-test: the layout the generator computed from the spec ----")
    o.append("_LAYOUT = {")
    for s in spec["structs"]:
        fields, size, _ = layout(s)
        o.append("    %s: (%d, [" % (camel(s["name"]), size))
        for f, off, fs, _a in fields:
            o.append('        ("%s", %d, %d),' % (py_name(f["name"]), off, fs))
        o.append("    ]),")
    o.append("}")
    o.append("_IOCTL_NUMBERS = {")
    for cmd in spec["ioctls"]["commands"]:
        num = ioc_number(cmd["dir"], ctx.magic, cmd["nr"], ctx.structs[cmd["arg"]]["size"])
        o.append('    "IOC_%s": %#010x,' % (cmd["name"].upper(), num))
    o.append("}")
    o.append("_DATA_SIZES = [")
    for rs in derived_samples(k):
        o.append("    (%d, %d)," % (rs, data_size_for(k, rs)))
    o.append("]")
    o.append("")
    o.append("")
    o.append("def self_test():")
    o.append('    """Compare ctypes sizes/offsets, ioctl numbers and the layout helpers with the spec."""')
    o.append("    errors = []")
    o.append("    for cls, (size, fields) in _LAYOUT.items():")
    o.append("        if ctypes.sizeof(cls) != size:")
    o.append('            errors.append("%s: sizeof %d != %d" % (cls.__name__, ctypes.sizeof(cls), size))')
    o.append("        if [f[0] for f in cls._fields_] != [f[0] for f in fields]:")
    o.append('            errors.append("%s: field list differs" % cls.__name__)')
    o.append("        for name, off, fsize in fields:")
    o.append("            d = getattr(cls, name)")
    o.append("            if d.offset != off or d.size != fsize:")
    o.append('                errors.append("%s.%s: offset/size %d/%d != %d/%d"')
    o.append("                              % (cls.__name__, name, d.offset, d.size, off, fsize))")
    o.append("    for name, num in _IOCTL_NUMBERS.items():")
    o.append("        if globals()[name] != num:")
    o.append('            errors.append("%s: %#x != %#x" % (name, globals()[name], num))')
    o.append("    for rs, ds in _DATA_SIZES:")
    o.append("        if data_size_for(rs) != ds:")
    o.append('            errors.append("data_size_for(%d) = %d != %d" % (rs, data_size_for(rs), ds))')
    o.append("    if ring_data_off(1, MIN_DATA_SIZE) != DATA_OFF + MIN_DATA_SIZE or ring_data_off(2, 4096) != 0:")
    o.append('        errors.append("ring_data_off")')
    o.append("    return errors")
    o.append("")
    o.append("")
    o.append('if __name__ == "__main__":')
    o.append("    import sys")
    o.append("    errs = self_test()")
    o.append("    for e in errs:")
    o.append('        print("FAIL:", e, file=sys.stderr)')
    o.append('    print("xenshm.abi self-test: %d structs, %d ioctls, %s"')
    o.append('          % (len(_LAYOUT), len(_IOCTL_NUMBERS), "FAILED" if errs else "ok"))')
    o.append("    sys.exit(1 if errs else 0)")
    return "\n".join(o) + "\n"


# --------------------------------------------------------------------------
# docs/abi.md
# --------------------------------------------------------------------------

def md(doc):
    return norm(doc).replace("|", "\\|")


def gen_doc(ctx):
    spec = ctx.spec
    k = ctx.k
    o = ["<!-- SPDX-License-Identifier: %s -->" % SPDX,
         "<!-- %s -->" % DO_NOT_EDIT,
         "<!-- %s -->" % REGEN,
         "",
         "# xenshm ABI %d.%d" % (spec["abi"]["major"], spec["abi"]["minor"]),
         "",
         md(spec["doc"]),
         "",
         md(spec["abi"]["doc"]),
         "",
         "Generated files: " + ", ".join("`%s`" % p for p in OUTPUTS) + ".",
         "",
         "This page gives the layout and the values. The protocol that uses them (region "
         "initialisation, slot claim and release, the rendezvous, ring resync, the "
         "event-index rule and the memory ordering) is specified in [protocol.md](protocol.md).",
         "",
         "## Constants",
         "",
         "| C name | C++ (`xenshm::wire`) | Type | Value | Meaning |",
         "|---|---|---|---|---|"]
    for c in spec["constants"]:
        o.append("| `XENSHM_%s` | `%s` | %s | %s | %s |" % (c["name"].upper(), c["name"].upper(), c["type"],
                                                        hexu(c["value"]), md(c["doc"])))
    o += ["", "## Region layout", "",
          "| Region offset | Size | Item |", "|---|---|---|"]
    placed = [("header_off", "region_header"), ("slot0_off", "slot"), ("slot1_off", "slot"),
              ("ring0_ctrl_off", "ring_ctrl"), ("ring1_ctrl_off", "ring_ctrl")]
    for off_name, sname in placed:
        if off_name in k and sname in ctx.structs:
            o.append("| %d (`XENSHM_%s`) | %d | `struct xenshm_%s` |"
                     % (k[off_name], off_name.upper(), ctx.structs[sname]["size"], sname))
    o.append("| %d (`XENSHM_DATA_OFF`) | data_size | ring 0 data |" % k["data_off"])
    o.append("| %d + data_size | data_size | ring 1 data |" % k["data_off"])
    o += ["", md(data_size_doc()) + " Helpers: `xenshm_data_size_for()`, `xenshm_ring_data_off()`, "
          "`xenshm_max_msg_size_for()` (peer header), `wire::data_size_for()`, `wire::ring_data_off()`, "
          "`wire::max_msg_size_for()` (C++), `data_size_for()`, `ring_data_off()`, `max_msg_size_for()` "
          "(Python).", "",
          "| region_size | data_size |", "|---|---|"]
    for rs in derived_samples(k):
        o.append("| %d | %d |" % (rs, data_size_for(k, rs)))
    o += ["", "## Enumerations", "", "Carried in u32 fields."]
    for e in spec["enums"]:
        o += ["", "### %s" % e["name"], "", md(e["doc"]), "",
              "| C name | C++ | Value | Meaning |", "|---|---|---|---|"]
        for v in e["values"]:
            o.append("| `XENSHM_%s_%s` | `%s::%s` | %d | %s |" % (e["name"].upper(), v["name"].upper(),
                                                              cxx_name(e["name"]), cxx_name(v["name"]),
                                                              v["value"], md(v["doc"])))
    o += ["", "## Flag bits"]
    for fl in spec["flags"]:
        o += ["", "### %s" % fl["name"], "", md(fl["doc"]), "",
              "| C name | Bit | Meaning |", "|---|---|---|"]
        for b in fl["bits"]:
            o.append("| `XENSHM_%s_%s` | %d | %s |" % (fl["name"].upper(), b["name"].upper(), b["bit"],
                                                    md(b["doc"])))
        o.append("| `XENSHM_%s_ALL` | mask %s | Every known bit. |" % (fl["name"].upper(),
                                                                     hexu(ctx.flag_mask(fl))))
    for kind, title in (("shared", "Shared-memory structures (little-endian)"),
                        ("ioctl", "ioctl argument structures")):
        o += ["", "## " + title]
        for s in spec["structs"]:
            if s["kind"] != kind:
                continue
            fields, size, _ = layout(s)
            o += ["", "### struct xenshm_%s (%d bytes)" % (s["name"], size), "", md(s["doc"]), "",
                  "| Offset | Field | Type | Meaning |", "|---|---|---|---|"]
            for f, off, _fs, _a in fields:
                o.append("| %d | `%s` | %s | %s |" % (off, f["name"], f["type"], md(f["doc"])))
    o += ["", "## ioctls", "", md(spec["ioctls"]["doc"]), "",
          "Magic `XENSHM_IOC_MAGIC` = %#x." % ctx.magic, "",
          "| Command | nr | Direction | Argument | Number (x86_64, arm64) | Meaning |",
          "|---|---|---|---|---|---|"]
    mac = {"r": "_IOR", "w": "_IOW", "rw": "_IOWR"}
    for cmd in spec["ioctls"]["commands"]:
        num = ioc_number(cmd["dir"], ctx.magic, cmd["nr"], ctx.structs[cmd["arg"]]["size"])
        o.append("| `XENSHM_IOC_%s` | %d | %s | `struct xenshm_%s` | %#010x | %s |"
                 % (cmd["name"].upper(), cmd["nr"], mac[cmd["dir"]], cmd["arg"], num, md(cmd["doc"])))
    for r in spec["ioctls"].get("reserved", []):
        o.append("| (reserved) | %s | | | | %s |" % (r["nr"], md(r["doc"])))
    return "\n".join(o) + "\n"


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------

def generate(spec):
    """Return {relative path: text} for every generated file."""
    ctx = Ctx(spec)
    return {
        OUT_UAPI: gen_uapi(ctx),
        OUT_PEER: gen_peer(ctx),
        OUT_WIRE: gen_wire(ctx),
        OUT_PY: gen_py(ctx),
        OUT_DOC: gen_doc(ctx),
        OUT_ABICHECK: gen_abi_check(ctx),
    }


def write_tree(files, out):
    for rel in sorted(files):
        path = os.path.join(out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        try:
            with open(path, encoding="utf-8", newline="") as f:
                if f.read() == files[rel]:
                    continue
        except FileNotFoundError:
            pass
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            f.write(files[rel])
        os.replace(tmp, path)
        print("  GEN     " + rel)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--spec", default=DEFAULT_SPEC)
    ap.add_argument("--out", default=TOP, help="top of the tree to write into (default: the checkout)")
    ap.add_argument("--list", action="store_true", help="print the generated paths and exit")
    ap.add_argument("--validate", action="store_true", help="only validate the spec")
    args = ap.parse_args(argv)
    if args.list:
        print("\n".join(OUTPUTS))
        return 0
    try:
        spec = load_spec(args.spec)
    except SpecError as e:
        print("%s: invalid spec:\n%s" % (args.spec, e), file=sys.stderr)
        return 1
    if args.validate:
        return 0
    write_tree(generate(spec), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
