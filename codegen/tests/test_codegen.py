# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
"""Tests of codegen/xenshm_codegen.py (stdlib unittest).

Covers: the schema and the semantic checks reject broken specs (one case per
rule), the output is deterministic and carries the required banner, and the
generated C, C++ and Python agree with each other when compiled and run
(sizes, offsets, ioctl numbers, the derived-layout helpers).

Not covered here: compiling abi_check.h against a real kernel tree (the module
build does that), and arm64 execution (arm64 uses the same generic _IOC
encoding; the headers are only syntax-checked with the cross compiler by
`make test-codegen-headers`).
"""

import copy
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
CODEGEN = os.path.dirname(HERE)
TOP = os.path.dirname(CODEGEN)
sys.path.insert(0, CODEGEN)

import xenshm_codegen as cg  # noqa: E402

PY = sys.executable
CC = os.environ.get("CODEGEN_CC", "gcc")
CXX = os.environ.get("CODEGEN_CXX", "g++")


def load_real():
    return cg.load_spec(cg.DEFAULT_SPEC)


def struct(spec, name):
    return next(s for s in spec["structs"] if s["name"] == name)


class SpecRejects(unittest.TestCase):
    """Each case breaks one rule of a valid spec and expects a precise error."""

    @classmethod
    def setUpClass(cls):
        cls.good = load_real()

    def rejects(self, mutate, *needles):
        spec = copy.deepcopy(self.good)
        mutate(spec)
        with self.assertRaises(cg.SpecError) as cm:
            cg.validate(spec)
        msg = str(cm.exception)
        for n in needles:
            self.assertIn(n, msg)
        return msg

    def semantic_rejects(self, mutate, *needles):
        """Same, through the generator's own checks only (the schema bypassed)."""
        spec = copy.deepcopy(self.good)
        mutate(spec)
        msg = "\n".join(cg.check_semantics(spec))
        for n in needles:
            self.assertIn(n, msg)

    def test_real_spec_is_valid(self):
        cg.validate(copy.deepcopy(self.good))

    def test_field_without_doc(self):
        def m(s):
            del struct(s, "slot")["fields"][2]["doc"]
        self.rejects(m, "schema:", "'doc' is a required property")

    def test_empty_doc(self):
        def m(s):
            s["constants"][0]["doc"] = "   "
        self.rejects(m, "schema:", "/constants/0/doc")

    def test_enum_value_without_doc(self):
        def m(s):
            del s["enums"][0]["values"][0]["doc"]
        self.rejects(m, "schema:", "'doc' is a required property")

    def test_bad_field_type(self):
        def m(s):
            struct(s, "slot")["fields"][0]["type"] = "i32"
        self.rejects(m, "schema:", "'i32' does not match")

    def test_u16_array_rejected(self):
        def m(s):
            struct(s, "slot")["fields"][-1]["type"] = "u16[48]"
        self.rejects(m, "schema:")

    def test_size_mismatch(self):
        def m(s):
            struct(s, "region_header")["size"] = 136
        self.rejects(m, "struct region_header: declared size 136 but fields add up to 128")

    def test_implicit_padding(self):
        def m(s):
            # Drop version_minor: region_size (u64) would land at offset 6.
            fields = struct(s, "region_header")["fields"]
            del fields[2]
        self.rejects(m, "struct region_header: 2 byte(s) of implicit padding before field region_size")

    def test_implicit_tail_padding(self):
        def m(s):
            st = struct(s, "record_header")
            st["fields"].insert(0, {"name": "extra", "type": "u16", "doc": "x"})
            st["size"] = 12
        self.rejects(m, "struct record_header: 2 byte(s) of implicit padding before field len")

        def m2(s):
            st = struct(s, "slot")
            st["fields"].append({"name": "extra", "type": "u8", "doc": "x"})
            st["size"] = 132
        self.rejects(m2, "struct slot: 3 byte(s) of implicit tail padding")

    def test_duplicate_ioctl_nr(self):
        def m(s):
            s["ioctls"]["commands"][3]["nr"] = 1
        self.rejects(m, "ioctls: duplicate nr 1")

    def test_duplicate_ioctl_name(self):
        def m(s):
            s["ioctls"]["commands"][3]["name"] = "connect"
        self.rejects(m, "ioctls: duplicate name 'connect'")

    def test_ioctl_nr_in_reserved_range(self):
        def m(s):
            s["ioctls"]["commands"][5]["nr"] = 7
        self.rejects(m, "ioctl reset: nr 7 is in the reserved range 6-31")

    def test_ioctl_struct_not_size_flags(self):
        def m(s):
            f = struct(s, "connect")["fields"]
            f[0], f[1] = f[1], f[0]
        self.rejects(m, "schema: /structs/5/fields/0/name: 'size' was expected")
        self.semantic_rejects(m, "ioctl struct connect must start with u32 size, u32 flags")

    def test_ioctl_struct_size_u64(self):
        def m(s):
            f = struct(s, "notify")["fields"]
            f[0]["type"] = "u64"
            struct(s, "notify")["size"] = 16
        self.rejects(m, "schema: /structs/7/fields/0/type: 'u32' was expected")
        self.semantic_rejects(m, "ioctl struct notify must start with u32 size, u32 flags")

    def test_ioctl_struct_size_not_multiple_of_8(self):
        def m(s):
            st = struct(s, "eventfd")
            del st["fields"][3]
            st["size"] = 12
        self.rejects(m, "schema: /structs/6/size: 12 is not a multiple of 8")
        self.semantic_rejects(m, "ioctl struct eventfd: size 12 is not a multiple of 8")

    def test_ioctl_arg_must_be_ioctl_struct(self):
        def m(s):
            s["ioctls"]["commands"][0]["arg"] = "slot"
        self.rejects(m, "argument struct slot is not of kind ioctl")

    def test_ioctl_unknown_arg(self):
        def m(s):
            s["ioctls"]["commands"][0]["arg"] = "nothing"
        self.rejects(m, "unknown argument struct nothing")

    def test_duplicate_enum_value(self):
        def m(s):
            s["enums"][0]["values"][1]["value"] = 0
        self.rejects(m, "enum slot_state: duplicate value 0")

    def test_duplicate_flag_bit(self):
        def m(s):
            fl = next(f for f in s["flags"] if f["name"] == "notify_flags")
            fl["bits"][1]["bit"] = 0
        self.rejects(m, "flags notify_flags: duplicate bit 0")

    def test_constant_too_wide(self):
        def m(s):
            s["constants"][0]["type"] = "u16"
        self.rejects(m, "constant magic: value 0x4d485358 does not fit in u16")

    def test_c_name_collision(self):
        def m(s):
            # XENSHM_ROLE_AUTO would be both an enum value and a constant.
            s["constants"].append({"name": "role_auto", "type": "u32", "value": 1, "doc": "x"})
        self.rejects(m, "C name XENSHM_ROLE_AUTO")

    def test_overlapping_reserved_ranges(self):
        def m(s):
            s["ioctls"]["reserved"].append({"nr": "20-40", "doc": "x"})
        self.rejects(m, "reserved ranges 6-31 and 20-40 overlap")

    def test_layout_overlap(self):
        def m(s):
            next(c for c in s["constants"] if c["name"] == "slot1_off")["value"] = 192
        self.rejects(m, "layout: slot0_off ends at 256, after slot1_off at 192")

    def test_unknown_key(self):
        def m(s):
            struct(s, "slot")["fields"][0]["dokumentation"] = "typo"
        self.rejects(m, "schema:", "Additional properties are not allowed")


def run_gen(out, seed="0"):
    env = dict(os.environ, PYTHONHASHSEED=seed)
    subprocess.run([PY, os.path.join(CODEGEN, "xenshm_codegen.py"), "--out", out],
                   check=True, env=env, stdout=subprocess.DEVNULL)


def read_tree(top):
    files = {}
    for dirpath, _dirs, names in os.walk(top):
        for n in names:
            p = os.path.join(dirpath, n)
            with open(p, "rb") as f:
                files[os.path.relpath(p, top)] = f.read()
    return files


class Output(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="xenshm-codegen-")
        cls.a = os.path.join(cls.tmp, "a")
        run_gen(cls.a, "1")
        # types.hpp belongs to ringcore; the generated wire.hpp includes it.
        shutil.copy(os.path.join(TOP, "ringcore/include/xenshm/types.hpp"),
                    os.path.join(cls.a, "ringcore/include/xenshm/types.hpp"))
        spec = importlib.util.spec_from_file_location("xenshm_abi_generated",
                                                      os.path.join(cls.a, cg.OUT_PY))
        cls.abi = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(cls.abi)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def test_deterministic(self):
        b = os.path.join(self.tmp, "b")
        run_gen(b, "2")
        ta = read_tree(self.a)
        del ta[os.path.join("ringcore/include/xenshm/types.hpp")]
        self.assertEqual(ta, read_tree(b))

    def test_exact_file_set(self):
        self.assertEqual(sorted(cg.OUTPUTS), sorted([
            "uapi/xenshm.h", "peer/xenshm_wire.h", "ringcore/include/xenshm/wire.hpp",
            "tools/python/xenshm/abi.py", "docs/abi.md", "module/abi_check.h"]))
        b = os.path.join(self.tmp, "set")
        run_gen(b)
        self.assertEqual(sorted(read_tree(b)), sorted(cg.OUTPUTS))

    def test_banner(self):
        for rel in cg.OUTPUTS:
            with open(os.path.join(self.a, rel), encoding="utf-8") as f:
                head = f.read().splitlines()[:5]
            self.assertIn("SPDX-License-Identifier:", head[0], rel)
            self.assertTrue(any(cg.DO_NOT_EDIT in l for l in head), rel)
            self.assertTrue(any("Regenerate with: make regen" in l for l in head), rel)

    def test_python_self_test(self):
        self.assertEqual(self.abi.self_test(), [])

    def test_python_self_test_can_fail(self):
        saved = self.abi.IOC_STATS
        try:
            self.abi.IOC_STATS = saved + 1
            self.assertEqual(len(self.abi.self_test()), 1)
        finally:
            self.abi.IOC_STATS = saved

    def compile_run(self, compiler, std, src, ext, extra=()):
        srcp = os.path.join(self.tmp, "probe" + ext)
        exe = os.path.join(self.tmp, "probe")
        with open(srcp, "w") as f:
            f.write(src)
        subprocess.run([compiler, std, "-Wall", "-Werror", "-o", exe, srcp] + list(extra), check=True)
        out = subprocess.run([exe], check=True, stdout=subprocess.PIPE, text=True).stdout
        return [l.split() for l in out.splitlines()]

    def test_c_uapi_matches_python(self):
        """sizeof/offsetof/ioctl numbers seen by a C compiler == abi.py."""
        spec = load_real()
        lines = ['#include <stdio.h>', '#include <stddef.h>', '#include "%s/uapi/xenshm.h"' % self.a,
                 "int main(void) {"]
        for s in spec["structs"]:
            lines.append('printf("size %s %%zu\\n", sizeof(struct xenshm_%s));' % (s["name"], s["name"]))
            for f in s["fields"]:
                lines.append('printf("off %s.%s %%zu\\n", offsetof(struct xenshm_%s, %s));'
                             % (s["name"], f["name"], s["name"], f["name"]))
        for c in spec["ioctls"]["commands"]:
            lines.append('printf("ioc %s %%lu\\n", (unsigned long)XENSHM_IOC_%s);'
                         % (c["name"], c["name"].upper()))
        for c in spec["constants"]:
            lines.append('printf("const %s %%llu\\n", (unsigned long long)XENSHM_%s);'
                         % (c["name"], c["name"].upper()))
        lines.append("return 0; }")
        rows = self.compile_run(CC, "-std=c11", "\n".join(lines), ".c")
        abi = self.abi
        n = 0
        for kind, key, val in rows:
            val = int(val)
            if kind == "size":
                self.assertEqual(val, abi.ctypes.sizeof(getattr(abi, cg.camel(key))), key)
            elif kind == "off":
                sname, fname = key.split(".")
                self.assertEqual(val, getattr(getattr(abi, cg.camel(sname)), fname).offset, key)
            elif kind == "ioc":
                self.assertEqual(val, getattr(abi, "IOC_" + key.upper()), key)
            else:
                self.assertEqual(val, getattr(abi, key.upper()), key)
            n += 1
        self.assertGreater(n, 100)

    def region_sizes(self):
        k = {c["name"]: c["value"] for c in load_real()["constants"]}
        edge = k["data_off"] + 2 * k["min_data_size"]
        sizes = {0, 1, edge - 1, edge, edge + 1, 1 << 63, (1 << 64) - 1}
        for sh in range(12, 40):
            for delta in (-1, 0, 1, 4096):
                v = (1 << sh) + delta
                sizes.update({v, k["data_off"] + 2 * v - 1, k["data_off"] + 2 * v})
        return sorted(s for s in sizes if 0 <= s < 1 << 64)

    def test_derived_layout_c_cxx_python_agree(self):
        sizes = self.region_sizes()
        arr = ",".join("%dull" % s for s in sizes)
        c = ('#include <stdio.h>\n#include "%s/peer/xenshm_wire.h"\n'
             "static const unsigned long long rs[] = {%s};\n"
             "int main(void) { unsigned i; for (i = 0; i < sizeof(rs)/sizeof(rs[0]); i++) {\n"
             "uint32_t d = xenshm_data_size_for(rs[i]);\n"
             'printf("%%llu %%lu %%llu %%llu %%lu\\n", rs[i], (unsigned long)d,'
             " (unsigned long long)xenshm_ring_data_off(0, d),"
             " (unsigned long long)xenshm_ring_data_off(1, d), (unsigned long)xenshm_max_msg_size_for(d)); }\n"
             "return 0; }\n") % (self.a, arr)
        cxx = ('#include <cstdio>\n#include "xenshm/wire.hpp"\n'
               "static const unsigned long long rs[] = {%s};\n"
               "int main() { using namespace xenshm::wire; for (auto r : rs) { auto d = data_size_for(r);\n"
               'std::printf("%%llu %%lu %%llu %%llu %%lu\\n", r, (unsigned long)d,'
               " (unsigned long long)ring_data_off(0, d), (unsigned long long)ring_data_off(1, d),"
               " (unsigned long)max_msg_size_for(d)); }\nreturn 0; }\n") % arr
        rows_c = self.compile_run(CC, "-std=c99", c, ".c")
        rows_cxx = self.compile_run(CXX, "-std=gnu++20", cxx, ".cpp",
                                    ["-I" + os.path.join(self.a, "ringcore/include")])
        self.assertEqual(rows_c, rows_cxx)
        abi = self.abi
        for row in rows_c:
            rs, d, off0, off1, mm = (int(x) for x in row)
            self.assertEqual(d, abi.data_size_for(rs), rs)
            self.assertEqual(off0, abi.ring_data_off(0, d))
            self.assertEqual(off1, abi.ring_data_off(1, d))
            self.assertEqual(mm, abi.max_msg_size_for(d))
            # The rule itself, independently of the generated code.
            if rs < abi.MIN_REGION_SIZE:
                self.assertEqual(d, 0)
            else:
                self.assertEqual(d & (d - 1), 0)
                self.assertTrue(abi.MIN_DATA_SIZE <= d <= abi.MAX_DATA_SIZE)
                self.assertLessEqual(abi.DATA_OFF + 2 * d, rs)
                self.assertTrue(d == abi.MAX_DATA_SIZE or abi.DATA_OFF + 4 * d > rs)

    def abi_check_compile(self, top):
        src = os.path.join(HERE, "abi_check_user.c")
        return subprocess.run([CC, "-std=gnu11", "-Wall", "-Werror", "-fsyntax-only",
                               "-I" + top, "-I" + os.path.join(HERE, "kstub"),
                               '-DABI_CHECK_H="module/abi_check.h"', src],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def test_abi_check_holds(self):
        r = self.abi_check_compile(self.a)
        self.assertEqual(r.returncode, 0, r.stdout)

    def test_abi_check_catches_a_drifted_uapi(self):
        """A hand edit of the uapi header (u32 -> u64) must break the BUILD_BUG_ON table."""
        bad = os.path.join(self.tmp, "bad")
        shutil.copytree(self.a, bad)
        p = os.path.join(bad, cg.OUT_UAPI)
        with open(p) as f:
            text = f.read()
        needle = "\t__u32 max_msg_size;"
        self.assertIn(needle, text)
        with open(p, "w") as f:
            f.write(text.replace(needle, "\t__u64 max_msg_size;"))
        r = self.abi_check_compile(bad)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("abi_check.h", r.stdout)


if __name__ == "__main__":
    unittest.main()
