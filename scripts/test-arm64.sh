#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR GPL-2.0-only
# Cross-builds everything for 64-bit Arm Linux (the RK3588's own CPUs) with
# Debian's cross gcc, runs the whole test suite under qemu-user, and prints
# 'N passed, N failed' counting each test case. About 1.5 minutes on
# 2 cores (most of it the emulated matmul sweep), plus the package
# installs the first time.
# No sanitizers here: they do not work reliably under qemu-user (ASan's
# and TSan's fixed shadow ranges clash with its guest address space,
# LeakSanitizer needs ptrace), and the fuzz target needs clang;
# scripts/test.sh runs them natively.
#   RNPU_LONG_TESTS=1   full parameter sweeps instead of the CI subset
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)

scripts/install-deps.sh meson ninja-build pkg-config python3 binutils \
  gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user
# The arm64 cmocka is a multiarch package: dpkg must know the architecture
# first (once; install-deps.sh refreshes the package lists).
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo dpkg --add-architecture arm64
fi
scripts/install-deps.sh libcmocka-dev:arm64

long=false; [ "${RNPU_LONG_TESTS:-0}" = 1 ] && long=true
# A build-arm64 that is not this cross build (configured by hand without
# the cross file) is started again rather than silently tested natively.
if [ -f build-arm64/build.ninja ] && ! grep -q aarch64-linux-gnu-gcc build-arm64/build.ninja; then
  rm -rf build-arm64
fi
if [ -f build-arm64/meson-private/coredata.dat ]; then
  meson configure build-arm64 -Dlong_tests=$long >/dev/null
else
  meson setup build-arm64 --cross-file cross/aarch64-linux-gnu.ini \
    -Dlong_tests=$long >/dev/null
fi

status=0
ninja -C build-arm64
# Emulation runs several times slower than native: scale the timeouts.
meson test -C build-arm64 --print-errorlogs --num-processes 2 --timeout-multiplier 4 || status=1
echo "test-arm64: built and ran in $(( $(date +%s) - start )) s"
python3 scripts/test-summary.py build-arm64/meson-logs/testlog.json || status=1
exit $status
