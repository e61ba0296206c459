#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR GPL-2.0-only
# Builds the Linux kernel module (kmod/: the portable core, osal/linux and
# the module's glue) out of tree against Debian's linux-headers-amd64,
# with W=1 and warnings as errors, checked by sparse (C=1: address spaces,
# lock contexts, endianness), and fails on any compiler, sparse or modpost
# warning. The headers' version is taken from what is installed, not from
# the running kernel (which may differ, e.g. in a container).
# The module is left in build-kmod/rnpu.ko; loading it needs an RK3588
# board whose device tree has the vendor NPU node (docs/kmod.md).
#   RNPU_KDIR=DIR   build against this kernel tree instead
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh make gcc linux-headers-amd64 sparse >/dev/null

kdir=${RNPU_KDIR:-}
if [ -z "$kdir" ]; then
  kdir=$(ls -d /lib/modules/*/build 2>/dev/null | sort -V | tail -n 1)
fi
if [ -z "$kdir" ] || [ ! -f "$kdir/Makefile" ]; then
  echo "build-kmod: no kernel headers found under /lib/modules/*/build" >&2
  exit 1
fi

out=build-kmod
mkdir -p "$out"
log=$out/build.log
# Clean first so that every file is compiled, and its warnings seen, again.
make -s -C "$kdir" M="$PWD/kmod" clean >/dev/null 2>&1 || true
make -C kmod clean KDIR="$kdir" >/dev/null 2>&1 || true
status=0
make -C "$kdir" M="$PWD/kmod" W=1 C=1 KCFLAGS=-Werror modules >"$log" 2>&1 || status=1
if grep -E -i "warning|error" "$log"; then
  status=1
fi
if [ $status -eq 0 ] && [ -f kmod/rnpu.ko ]; then
  cp kmod/rnpu.ko "$out/rnpu.ko"
  echo "build-kmod: kmod/rnpu.ko built against $(basename "$(dirname "$kdir")") with W=1 and sparse, no warnings"
else
  echo "build-kmod: FAILED against $kdir (log: $log)" >&2
  status=1
fi
# The core's objects are built next to its sources: remove them.
make -C kmod clean KDIR="$kdir" >/dev/null 2>&1 || true
exit $status
