#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR GPL-2.0-only
"""Runs a libFuzzer target for a time budget and reports one TAP result.

Usage: run_fuzz.py FUZZER SECONDS ARTIFACT_DIR WORK_CORPUS SEED_CORPUS

RNPU_FUZZ_SECONDS in the environment overrides SECONDS (raise meson's
timeout to match with --timeout-multiplier). New inputs go to WORK_CORPUS
in the build tree; the committed seeds are only read. Crash, leak and
timeout reproducers land in ARTIFACT_DIR. libFuzzer's own output goes to
stderr so that stdout stays TAP.
"""
import os
import re
import subprocess
import sys


def main():
    if len(sys.argv) != 6:
        print("1..0 # SKIP usage: run_fuzz.py FUZZER SECONDS ARTIFACTS WORK SEEDS")
        return 0
    fuzzer, seconds, artifacts, work, seeds = sys.argv[1:]
    seconds = os.environ.get("RNPU_FUZZ_SECONDS", seconds)
    os.makedirs(artifacts, exist_ok=True)
    os.makedirs(work, exist_ok=True)
    cmd = [fuzzer,
           "-max_total_time=%d" % int(seconds),
           "-rss_limit_mb=4096",
           # One input is bounded to ~10 s by the harness; more is a hang.
           "-timeout=60",
           "-print_final_stats=1",
           "-artifact_prefix=" + os.path.join(artifacts, ""),
           work, seeds]
    print("1..1")
    sys.stdout.flush()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          errors="replace")
    sys.stderr.write(proc.stdout)
    runs = re.findall(r"stat::number_of_executed_units:\s*(\d+)", proc.stdout)
    detail = "%s runs in %s s" % (runs[-1] if runs else "?", seconds)
    if proc.returncode == 0:
        print("ok 1 - %s: %s, no crash, leak or sanitizer report" %
              (os.path.basename(fuzzer), detail))
        return 0
    print("not ok 1 - %s exited with %d (%s); reproducers in %s" %
          (os.path.basename(fuzzer), proc.returncode, detail, artifacts))
    return 1


if __name__ == "__main__":
    sys.exit(main())
