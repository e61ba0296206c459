#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR GPL-2.0-only
# Builds the Linux kernel module (kmod/: the portable core, osal/linux and
# the module's glue) out of tree against every kernel-header tree that is
# installed: Debian's linux-headers-amd64 (6.1) and, where the archive has
# it, linux-headers-6.12-amd64. Each build runs with W=1 and warnings as
# errors, checked by sparse (C=1: address spaces, lock contexts), and fails
# on any compiler, sparse or modpost warning. The versions come from the
# installed headers, not from the running kernel (which may differ, e.g.
# in a container). Then builds it the way a distribution does, with DKMS
# (kmod/dkms.conf), from scratch source and DKMS trees.
# The module (from the last tree) is left in build-kmod/rnpu.ko; loading
# it needs an RK3588 board whose device tree has the vendor NPU node
# (docs/kmod.md). About 1 minute on 2 cores.
#   RNPU_KDIR=DIR   build against this kernel tree only, without DKMS
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh make gcc linux-headers-amd64 sparse >/dev/null
scripts/install-deps.sh linux-headers-6.12-amd64 >/dev/null 2>&1 ||
  echo "build-kmod: linux-headers-6.12-amd64 unavailable: 6.1 only"

if [ -n "${RNPU_KDIR:-}" ]; then
  kdirs=("$RNPU_KDIR")
else
  mapfile -t kdirs < <(for d in /lib/modules/*/build; do
    [ -f "$d/Makefile" ] && echo "$d"; done | sort -V)
fi
if [ ${#kdirs[@]} -eq 0 ]; then
  echo "build-kmod: no kernel headers found under /lib/modules/*/build" >&2
  exit 1
fi

out=build-kmod
mkdir -p "$out"
status=0
for kdir in "${kdirs[@]}"; do
  kver=$(basename "$(dirname "$kdir")")
  [ -n "${RNPU_KDIR:-}" ] && kver=$(basename "$kdir")
  log=$out/build-$kver.log
  ok=true
  # Clean first so that every file is compiled, and its warnings seen, again.
  make -C kmod clean KDIR="$kdir" >/dev/null 2>&1 || true
  make -C "$kdir" M="$PWD/kmod" W=1 C=1 KCFLAGS=-Werror modules >"$log" 2>&1 || ok=false
  if grep -E -i "warning|error" "$log"; then
    ok=false
  fi
  if $ok && [ -f kmod/rnpu.ko ]; then
    cp kmod/rnpu.ko "$out/rnpu.ko"
    echo "build-kmod: rnpu.ko built against $kver with W=1 and sparse, no warnings"
  else
    echo "build-kmod: FAILED against $kdir (log: $log)" >&2
    status=1
  fi
  # The core's objects are built next to its sources: remove them.
  make -C kmod clean KDIR="$kdir" >/dev/null 2>&1 || true
done

# DKMS: the sources a DKMS package ships (what kmod/Kbuild reaches), with
# dkms.conf at the top as DKMS wants it, built in scratch trees against
# the newest headers.
if [ $status -eq 0 ] && [ -z "${RNPU_KDIR:-}" ]; then
  scripts/install-deps.sh dkms >/dev/null
  kver=$(basename "$(dirname "${kdirs[-1]}")")
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
