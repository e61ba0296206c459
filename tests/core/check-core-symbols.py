#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR GPL-2.0-only
"""Proves the portable driver core reaches nothing outside its contract.

Usage: check-core-symbols.py NM LIBRARY...

Every symbol the core archive leaves undefined (after resolving what its own
members define) must be an OS service (rnpu_osal_*), a register-table function
(rk3588_*, rkiommu_*), or something the compiler itself emits: the four memory
built-ins, sanitizer and coverage hooks, the stack protector. Anything else
means the core calls libc (or another layer) behind the OS services' back.
Prints TAP.
"""
import re
import subprocess
import sys

ALLOWED = [
    re.compile(r"^rnpu_osal_"),
    re.compile(r"^rk3588_"),
    re.compile(r"^rkiommu_"),
    # __builtin_mem* may lower to calls, and -ffreestanding keeps them.
    re.compile(r"^(memcpy|memset|memmove|memcmp)$"),
    # Instrumentation of sanitizer/coverage builds, not code of the core.
    re.compile(r"^__(asan|ubsan|sanitizer|tsan|msan|lsan|hwasan)_"),
    re.compile(r"^__(gcov|llvm_gcov|llvm_profile|llvm_gcda)_"),
    re.compile(r"^__stack_chk_(fail|guard)$"),
    re.compile(r"^_GLOBAL_OFFSET_TABLE_$"),
]


def symbols(nm, lib, *flags):
    out = subprocess.run([nm, *flags, lib], check=True, capture_output=True, text=True).stdout
    names = set()
    for line in out.splitlines():
        fields = line.split()
        # Member headers ("foo.o:") and blank lines carry no symbol.
        if not fields or line.endswith(":"):
            continue
        names.add(fields[-1])
    return names


def main():
    if len(sys.argv) < 3:
        print("1..0 # SKIP usage: check-core-symbols.py NM LIBRARY...")
        return 0
    nm, libs = sys.argv[1], sys.argv[2:]
    print("1..%d" % len(libs))
    failed = False
    for n, lib in enumerate(libs, 1):
        undefined = symbols(nm, lib, "-u")
        defined = symbols(nm, lib, "--defined-only")
        # Calls between members of the archive resolve inside it.
        external = sorted(undefined - defined)
        bad = [s for s in external if not any(p.match(s) for p in ALLOWED)]
        if bad:
            failed = True
            print("not ok %d - %s uses symbols outside the OS services" % (n, lib))
            for s in bad:
                print("# %s" % s)
        else:
            print("ok %d - %s: %d external symbols, all OS services or compiler runtime"
                  % (n, lib, len(external)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
