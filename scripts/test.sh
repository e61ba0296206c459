#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR GPL-2.0-only
# Builds everything with clang, AddressSanitizer and UndefinedBehavior-
# Sanitizer, runs every test (including a bounded fuzz run), and prints
# 'N passed, N failed' counting each test case.
#   RNPU_LONG_TESTS=1   full parameter sweeps instead of the CI subset
#   RNPU_FUZZ_SECONDS=N time budget of the fuzz run (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh meson ninja-build pkg-config clang libclang-rt-14-dev \
  libcmocka-dev libopenblas-dev python3 binutils
build=build-test
long=false; [ "${RNPU_LONG_TESTS:-0}" = 1 ] && long=true
opts=(-Db_sanitize=address,undefined -Db_lundef=false -Dfuzz=true
      -Dfuzz_seconds="${RNPU_FUZZ_SECONDS:-30}" -Dlong_tests=$long -Dbench=false)
if [ -d "$build" ]; then
  meson configure "$build" "${opts[@]}" >/dev/null
else
  CC=clang meson setup "$build" "${opts[@]}" >/dev/null
fi
ninja -C "$build"
set +e
meson test -C "$build" --print-errorlogs --num-processes 2
set -e
python3 scripts/test-summary.py "$build/meson-logs/testlog.json"
