#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR GPL-2.0-only
"""Check the committed K230 register files against a fresh generator run.

Prints TAP: one case per description, regenerated into OUTDIR and
compared byte for byte with the committed header and source (a unified
diff on mismatch).

usage: check_k230_regen.py GEN OUTDIR (XML HEADER SOURCE)...
"""

import difflib
import os
import subprocess
import sys


def main(argv):
    gen, outdir, rest = argv[1], argv[2], argv[3:]
    if len(rest) % 3:
        print("usage: check_k230_regen.py GEN OUTDIR (XML HEADER SOURCE)...", file=sys.stderr)
        return 2
    os.makedirs(outdir, exist_ok=True)
    cases = [rest[i:i + 3] for i in range(0, len(rest), 3)]
    print("1..%d" % len(cases))
    failed = 0
    for n, (xml, header, source) in enumerate(cases, 1):
        base = os.path.basename(header)[:-2]
        out_h = os.path.join(outdir, base + ".h")
        out_c = os.path.join(outdir, base + ".c")
        run = subprocess.run([sys.executable, gen, xml, "--header", out_h, "--source", out_c],
                             capture_output=True, text=True)
        problems = []
        if run.returncode:
            problems.append(run.stderr.strip())
        else:
            for fresh, committed in ((out_h, header), (out_c, source)):
                with open(fresh) as f:
                    a = f.read().splitlines(True)
                with open(committed) as f:
                    b = f.read().splitlines(True)
                if a != b:
                    problems.extend(difflib.unified_diff(b, a, committed, fresh))
        if problems:
            failed += 1
            print("not ok %d - %s matches %s" % (n, os.path.basename(header), os.path.basename(xml)))
            for line in "".join(problems).splitlines():
                print("# " + line)
        else:
            print("ok %d - %s matches %s" % (n, os.path.basename(header), os.path.basename(xml)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
