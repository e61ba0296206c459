#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR GPL-2.0-only
"""Check the committed register files against a fresh generator run.

Prints TAP. Regenerates into OUTDIR and compares byte for byte with the
committed header, source and test table (a unified diff on mismatch),
checks the vendor alias table in the documentation, and feeds the
generator malformed descriptions that it must reject, naming the culprit.

usage: check_regen.py GEN XML HEADER SOURCE FIELDS DOC OUTDIR
"""

import difflib
import os
import subprocess
import sys

ALIAS_BEGIN = "<!-- vendor-aliases:begin -->"
ALIAS_END = "<!-- vendor-aliases:end -->"

# Smallest description that exercises blocks, targets, interrupts and a
# signed field, under a prefix other than rk3588 to prove nothing is fixed.
GOOD = """<!-- SPDX-License-Identifier: MIT OR GPL-2.0-only -->
<device name="soc9" prefix="soc9" window="0x10000">
  <target name="OP_EN" code="0x0081"/>
  <interrupts all="0x3"><irq name="DONE" bit="0"/></interrupts>
  <block name="PC" base="0x0" size="0x100" target="0x0101">
    <reg name="CTRL" offset="0x10" desc="control">
      <field name="GO" low="0" high="0"/>
      {extra_field}
    </reg>
    {extra_reg}
  </block>
  <block name="ALU" base="0x1000" size="0x1000" op_en="1" banked_from="0x1008">
    <reg name="BIAS" offset="0x1008">
      <field name="VALUE" low="0" high="15" signed="1"/>
    </reg>
  </block>
</device>
"""

BAD_CASES = [
    ("overlapping fields",
     dict(extra_field='<field name="MODE" low="0" high="3"/>'), "PC.CTRL"),
    ("field above bit 31",
     dict(extra_field='<field name="TOP" low="30" high="32"/>'), "PC.CTRL"),
    ("duplicate field name",
     dict(extra_field='<field name="GO" low="4" high="4"/>'), "PC.CTRL"),
    ("duplicate offset",
     dict(extra_reg='<reg name="OTHER" offset="0x10"><field name="VALUE" low="0" high="31"/></reg>'),
     "PC.OTHER"),
    ("duplicate register name",
     dict(extra_reg='<reg name="CTRL" offset="0x14"><field name="VALUE" low="0" high="31"/></reg>'),
     "PC.CTRL"),
    ("register outside its block",
     dict(extra_reg='<reg name="FAR" offset="0x200"><field name="VALUE" low="0" high="31"/></reg>'),
     "PC.FAR"),
    ("register without fields",
     dict(extra_reg='<reg name="EMPTY" offset="0x14"/>'), "PC.EMPTY"),
    ("address flag not 0 or 1",
     dict(extra_reg='<reg name="BASE" offset="0x14" addr="2"><field name="VALUE" low="0" high="31"/></reg>'),
     "PC.BASE"),
]


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def result(self, ok, name, detail=""):
        self.n += 1
        if not ok:
            self.failed += 1
        print("%s %d - %s" % ("ok" if ok else "not ok", self.n, name))
        for line in detail.splitlines():
            print("# " + line)


def run_gen(gen, xml, outdir, tag, extra=()):
    outs = {k: os.path.join(outdir, "%s_%s" % (tag, k))
            for k in ("regs.h", "regs.c", "fields.c", "aliases.md")}
    cmd = [sys.executable, gen, xml, "--header", outs["regs.h"], "--source", outs["regs.c"],
           "--tests", outs["fields.c"], "--aliases", outs["aliases.md"]]
    proc = subprocess.run(cmd + list(extra), capture_output=True, text=True)
    return proc, outs


def read(path):
    with open(path, "rb") as fh:
        return fh.read()


def diff(committed, fresh):
    a = read(committed).decode("utf-8", "replace").splitlines(keepends=True)
    b = read(fresh).decode("utf-8", "replace").splitlines(keepends=True)
    return "".join(difflib.unified_diff(a, b, committed, fresh))


def doc_aliases(doc):
    text = read(doc).decode("utf-8")
    try:
        start = text.index(ALIAS_BEGIN) + len(ALIAS_BEGIN)
        end = text.index(ALIAS_END, start)
    except ValueError:
        return None
    return text[start:end].strip("\n") + "\n"


def main(argv):
    if len(argv) != 7:
        sys.stderr.write(__doc__)
        return 2
    gen, xml, header, source, fields, doc, outdir = argv
    os.makedirs(outdir, exist_ok=True)
    tap = Tap()
    print("1..%d" % (6 + len(BAD_CASES)))

    proc, outs = run_gen(gen, xml, outdir, "rk3588")
    tap.result(proc.returncode == 0, "generator accepts %s" % os.path.basename(xml),
               proc.stderr)
    for committed, key in ((header, "regs.h"), (source, "regs.c"), (fields, "fields.c")):
        ok = proc.returncode == 0 and read(committed) == read(outs[key])
        tap.result(ok, "%s matches the generator" % os.path.basename(committed),
                   "" if ok or proc.returncode else
                   diff(committed, outs[key]) + "\nregenerate: see docs/registers.md")

    want = read(outs["aliases.md"]).decode("utf-8") if proc.returncode == 0 else ""
    have = doc_aliases(doc)
    ok = have == want
    tap.result(ok, "vendor alias table in %s is current" % os.path.basename(doc),
               "" if ok else "expected between the alias markers:\n" + want)

    path = os.path.join(outdir, "soc9.xml")
    with open(path, "w") as fh:
        fh.write(GOOD.format(extra_field="", extra_reg=""))
    proc, outs = run_gen(gen, path, outdir, "soc9")
    ok = (proc.returncode == 0 and b"soc9_set_ALU_BIAS_VALUE(uint32_t *reg, int32_t v)"
          in read(outs["regs.h"]) and b"SOC9_TARGET_PC 0x0101" in read(outs["regs.h"]))
    tap.result(ok, "generator is generic over the prefix", proc.stderr)

    for i, (what, subst, culprit) in enumerate(BAD_CASES):
        fill = dict(extra_field="", extra_reg="")
        fill.update(subst)
        path = os.path.join(outdir, "bad%d.xml" % i)
        with open(path, "w") as fh:
            fh.write(GOOD.format(**fill))
        proc, _ = run_gen(gen, path, outdir, "bad%d" % i)
        ok = proc.returncode != 0 and culprit in proc.stderr
        tap.result(ok, "rejects %s, naming %s" % (what, culprit),
                   "exit %d, stderr: %s" % (proc.returncode, proc.stderr.strip()))
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
