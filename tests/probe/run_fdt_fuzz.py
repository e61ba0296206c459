#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR GPL-2.0-only
"""Seeds the device-tree fuzzer with the test blobs, then runs it.

Usage: run_fdt_fuzz.py RUN_FUZZ FUZZER SECONDS ARTIFACTS WORK DTB...

The blobs are build outputs, so the seed directory is made here (in the
build tree) before tests/fuzz/run_fuzz.py takes over.
"""
import os
import shutil
import subprocess
import sys

run_fuzz, fuzzer, seconds, artifacts, work = sys.argv[1:6]
seeds = work + "-seeds"
os.makedirs(seeds, exist_ok=True)
for dtb in sys.argv[6:]:
    shutil.copy(dtb, seeds)
sys.exit(subprocess.run([sys.executable, run_fuzz, fuzzer, seconds, artifacts, work, seeds]).returncode)
