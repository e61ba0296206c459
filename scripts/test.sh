#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR GPL-2.0-only
# Builds everything with clang, AddressSanitizer and UndefinedBehavior-
# Sanitizer, runs every test (including a bounded fuzz run), runs the
# concurrency suite again under ThreadSanitizer, builds the core for a
# RISC-V RTOS, runs the suite again on arm64 under qemu-user, and prints
# 'N passed, N failed' counting each test case.
#   RNPU_LONG_TESTS=1   full parameter sweeps instead of the CI subset
#   RNPU_FUZZ_SECONDS=N time budget of the fuzz run (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh libncurses-dev tmux # rnpu-top and its screen test
scripts/install-deps.sh valgrind # bench-callcost: bench/callcost.py under callgrind
scripts/install-deps.sh meson ninja-build pkg-config clang libclang-rt-14-dev \
  libcmocka-dev libopenblas-dev python3 python3-numpy binutils libfdt-dev device-tree-compiler

long=false; [ "${RNPU_LONG_TESTS:-0}" = 1 ] && long=true
# setup_build DIR OPTIONS...: configure once, reconfigure afterwards.
setup_build() {
  local dir=$1; shift
  if [ -d "$dir" ]; then
    meson configure "$dir" "$@" >/dev/null
  else
    CC=clang meson setup "$dir" "$@" >/dev/null
  fi
}
setup_build build-test -Db_sanitize=address,undefined -Db_lundef=false -Dfuzz=true \
  -Dfuzz_seconds="${RNPU_FUZZ_SECONDS:-30}" -Dlong_tests=$long -Dbench=false
setup_build build-tsan -Db_sanitize=thread -Db_lundef=false -Dlong_tests=$long -Dbench=false

status=0
ninja -C build-test
meson test -C build-test --print-errorlogs --num-processes 2 || status=1
ninja -C build-tsan
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
  meson test -C build-tsan --suite concurrency --print-errorlogs --num-processes 2 || status=1
# The portable core, freestanding for RISC-V with the RTOS services, and
# the whole suite cross-built for arm64 under qemu-user.
# Each build check counts as one case in the summary.
checks=()
for check in build-riscv build-kmod; do
  if scripts/$check.sh; then checks+=(--passed "$check"); else checks+=(--failed "$check"); fi
done
# rnpu.ko loaded in Debian's kernel under qemu, on a stand-in NPU; each of
# its cases counts in the summary.
scripts/kmod-vm.sh || status=1
rm -f build-arm64/meson-logs/testlog.json
scripts/test-arm64.sh || status=1
python3 scripts/test-summary.py "${checks[@]}" build-test/meson-logs/testlog.json \
  build-tsan/meson-logs/testlog.json build-arm64/meson-logs/testlog.json \
  build-kmod-vm/testlog.json || status=1
exit $status
