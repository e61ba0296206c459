#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR GPL-2.0-only
# Usage: check-install.sh BUILD_DIR SMOKE_C PREFIX LIBDIR INCLUDEDIR CC SANITIZE_FLAGS native|cross
# Installs BUILD_DIR into a scratch DESTDIR and checks, as TAP, what a
# board image or a distribution package would get from `meson install`.
set -uo pipefail
build=$1 smoke=$2 prefix=$3 libdir=$4 includedir=$5 cc=$6 sanitize=$7 machine=$8
case $libdir in /*) ;; *) libdir=$prefix/$libdir ;; esac
case $includedir in /*) ;; *) includedir=$prefix/$includedir ;; esac
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
n=0 failed=0
check() { # check DESCRIPTION COMMAND...
  local what=$1; shift
  n=$((n + 1))
  if out=$("$@" 2>&1); then
    echo "ok $n - $what"
  else
    echo "not ok $n - $what"
    printf '%s\n' "$out" | sed 's/^/# /'
    failed=1
  fi
}
echo "1..7"
check "meson install into a DESTDIR" meson install -C "$build" --destdir "$dest" --no-rebuild --quiet
check "rnpu.pc installed" test -f "$dest$libdir/pkgconfig/rnpu.pc"
check "public headers installed" test -f "$dest$includedir/rnpu/rnpu.h" -a \
  -f "$dest$includedir/rnpu/drm/rknpu_ioctl.h" -a -f "$dest$includedir/rnpu/regcmd.h"
check "shared library installed" test -e "$dest$libdir/librnpu.so"
export PKG_CONFIG_SYSROOT_DIR=$dest PKG_CONFIG_LIBDIR=$dest$libdir/pkgconfig
check "pkg-config knows rnpu" pkg-config --exists rnpu
flags=$(pkg-config --cflags --libs rnpu 2>/dev/null)
# shellcheck disable=SC2086 # word splitting of the flags is intended
check "a program builds with pkg-config --cflags --libs rnpu" \
  "$cc" -o "$dest/smoke" "$smoke" $flags $sanitize
if [ "$machine" = cross ]; then
  echo "ok 7 - that program opens the software NPU # SKIP cross build, cannot run it here"
else
  check "that program opens the software NPU" env LD_LIBRARY_PATH="$dest$libdir" "$dest/smoke"
fi
exit $failed
