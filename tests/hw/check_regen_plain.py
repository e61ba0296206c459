#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR GPL-2.0-only
"""Check a committed generated header and source against a fresh run.

Prints TAP: the generator accepts XML, and each committed output is byte
for byte what it produces (a unified diff on mismatch).

usage: check_regen_plain.py GEN XML HEADER SOURCE OUTDIR
"""

import difflib
import os
import subprocess
import sys


def main(argv):
    if len(argv) != 5:
        sys.stderr.write(__doc__)
        return 2
    gen, xml, header, source, outdir = argv
    os.makedirs(outdir, exist_ok=True)
    out_h = os.path.join(outdir, os.path.basename(header))
    out_c = os.path.join(outdir, os.path.basename(source))
    print("1..3")
    proc = subprocess.run([sys.executable, gen, xml, "--header", out_h, "--source", out_c],
                          capture_output=True, text=True)
    failed = proc.returncode != 0
    print("%s 1 - generator accepts %s" % ("not ok" if failed else "ok", os.path.basename(xml)))
    for line in proc.stderr.splitlines():
        print("# " + line)
    for n, (committed, fresh) in enumerate(((header, out_h), (source, out_c)), start=2):
        try:
            with open(committed, encoding="utf-8") as a, open(fresh, encoding="utf-8") as b:
                old, new = a.readlines(), b.readlines()
        except OSError as exc:
            old, new = [], [str(exc)]
        ok = old == new
        failed |= not ok
        print("%s %d - %s matches the XML" % ("ok" if ok else "not ok", n,
                                              os.path.basename(committed)))
        if not ok:
            for line in difflib.unified_diff(old, new, committed, fresh):
                print("# " + line.rstrip("\n"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
