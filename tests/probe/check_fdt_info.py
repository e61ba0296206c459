#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR GPL-2.0-only
"""probe-fdt-info: rnpu-fdt-info on the test blobs, as TAP.

Usage: check_fdt_info.py TOOL DTB_DIR

Expected lines are the device trees' numbers (tests/probe/dts), not the
tool's own output.
"""
import os
import subprocess
import sys

tool, dtbs = sys.argv[1], sys.argv[2]
cases = [
    # (description, arguments, exit status, lines expected in stdout, text expected in stderr)
    ("vendor node", ["rk3588-vendor"], 0,
     ["layout: vendor",
      "core 0: regs 0xfdab0000+0x10000 irq <0 110 4> node /npu@fdab0000",
      "core 1: regs 0xfdac0000+0x10000 irq <0 111 4> node /npu@fdab0000",
      "core 2: regs 0xfdad0000+0x10000 irq <0 112 4> node /npu@fdab0000",
      "platform: compatible rockchip,rk3588-rknpu unique fdab0000.npu mmio 3 irqs 3 resets 6 iommu yes"],
     ""),
    ("mainline nodes", ["rk3588-mainline"], 0,
     ["layout: mainline",
      "core 2: regs 0xfdad0000+0x10000 irq <0 112 4 0> node /bus@fd000000/npu@ad0000",
      "platform: compatible rockchip,rk3588-rknpu unique fdab0000.npu mmio 3 irqs 3 resets 6 iommu yes"],
     ""),
    ("mainline nodes listed out of address order", ["mainline-out-of-order"], 0,
     ["core 0: regs 0xfdab0000+0x10000 irq <0 110 4 0> node /bus@fd000000/npu@ab0000",
      "core 1: regs 0xfdac0000+0x10000 irq <0 111 4 0> node /bus@fd000000/npu@ac0000",
      "core 2: regs 0xfdad0000+0x10000 irq <0 112 4 0> node /bus@fd000000/npu@ad0000"],
     ""),
    ("mainline nodes numbered by aliases", ["mainline-aliases"], 0,
     ["core 0: regs 0xfdad0000+0x10000 irq <0 112 4 0> node /bus@fd000000/npu@ad0000",
      "core 1: regs 0xfdab0000+0x10000 irq <0 110 4 0> node /bus@fd000000/npu@ab0000",
      "core 2: regs 0xfdac0000+0x10000 irq <0 111 4 0> node /bus@fd000000/npu@ac0000",
      "platform: compatible rockchip,rk3588-rknpu unique fdad0000.npu mmio 3 irqs 3 resets 6 iommu yes"],
     ""),
    ("aliases on some mainline nodes only", ["mainline-aliases-partial"], 1, [],
     "/bus@fd000000/npu@ad0000: aliases: no rknn<N> alias while other cores have one"),
    ("K230", ["k230"], 0,
     ["soc: k230",
      "kpu: regs 0x80400000+0x800 irq <173> node /soc/gnne@80400000",
      "ai2d: regs 0x80400c00+0x400 irq <175>",
      "mailbox: regs 0x91104000+0x1000"],
     ""),
    ("--soc=k230 on an RK3588 tree", ["--soc=k230", "rk3588-vendor"], 1, [],
     'no enabled node compatible with "k230-gnne"'),
    ("missing reg", ["vendor-no-reg"], 1, [], "/npu@fdab0000: reg: missing"),
    ("K230 KPU without interrupt", ["k230-no-irq"], 1, [],
     "/soc/gnne@80400000: interrupts: missing"),
    ("unreadable file", ["does-not-exist"], 3, [], "No such file or directory"),
    ("unknown SoC", ["--soc=rk3399", "rk3588-vendor"], 2, [], "unknown SoC 'rk3399'"),
]

print("1..%d" % (len(cases) + 1))
failed = 0
n = 0
for what, args, status, lines, err in cases:
    n += 1
    argv = [tool] + [a if a.startswith("-") else os.path.join(dtbs, a + ".dtb") for a in args]
    run = subprocess.run(argv, capture_output=True, text=True)
    problems = []
    if run.returncode != status:
        problems.append("exit status %d, expected %d" % (run.returncode, status))
    out = run.stdout.splitlines()
    problems += ["missing line: " + line for line in lines if line not in out]
    if err not in run.stderr:
        problems.append("stderr lacks: " + err)
    print("%s %d - %s" % ("not ok" if problems else "ok", n, what))
    for p in problems + (["stdout: " + l for l in out] + ["stderr: " + run.stderr.strip()]
                         if problems else []):
        print("# " + p)
    failed |= bool(problems)

run = subprocess.run([tool, "--help"], capture_output=True, text=True)
ok = run.returncode == 0 and run.stdout.startswith("Usage: rnpu-fdt-info") and "Exit status" in run.stdout
print("%s %d - --help" % ("ok" if ok else "not ok", n + 1))
failed |= not ok
sys.exit(1 if failed else 0)
