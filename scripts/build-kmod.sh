#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR GPL-2.0-only
# Builds the Linux kernel module (kmod/: the portable core, osal/linux and
# the module's glue) out of tree against Debian's linux-headers-amd64,
# with W=1 and warnings as errors, checked by sparse (C=1: address spaces,
# lock contexts, endianness), and fails on any compiler, sparse or modpost
# warning. The headers' version is taken from what is installed, not from
# the running kernel (which may differ, e.g. in a container).
# Then builds it again the way a distribution does, with DKMS
# (kmod/dkms.conf), from a scratch source and DKMS tree.
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

# DKMS: the sources a DKMS package ships (what kmod/Kbuild reaches), with
# dkms.conf at the top as DKMS wants it, built in scratch trees.
if [ $status -eq 0 ] && [ -z "${RNPU_KDIR:-}" ]; then
  scripts/install-deps.sh dkms >/dev/null
  kver=$(basename "$(dirname "$kdir")")
  version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' kmod/dkms.conf)
  scratch=$(mktemp -d)
  src=$scratch/src/rnpu-$version
  mkdir -p "$src" "$scratch/dkms"
  cp -r drivers hw include kmod osal LICENSE "$src/"
  cp kmod/dkms.conf "$src/dkms.conf"
  if dkms build --sourcetree "$scratch/src" --dkmstree "$scratch/dkms" -m rnpu -v "$version" \
       -k "$kver" >"$out/dkms.log" 2>&1 &&
     ls "$scratch/dkms/rnpu/$version/$kver"/*/module/rnpu.ko* >/dev/null 2>&1; then
    echo "build-kmod: dkms build of rnpu $version for $kver: ok"
  else
    echo "build-kmod: dkms build FAILED (log: $out/dkms.log)" >&2
    status=1
  fi
  rm -rf "$scratch"
fi
exit $status
