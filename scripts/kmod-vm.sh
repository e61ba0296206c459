#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR GPL-2.0-only
# Boots Debian's amd64 kernel in qemu, loads the rnpu.ko built from this
# tree on a stand-in NPU (tests/kmod-vm/rnpu_fakenpu.c: three register
# windows in RAM reserved with memmap=, software interrupts, completes every
# start or hangs on request), exercises it through /dev/dri/renderD128,
# /dev/dri/card0, /dev/rknpu and debugfs (tests/kmod-vm/kmod_vm_guest.c,
# the VM's /init), unloads it and powers off. docs/kmod.md, "Loaded in a VM".
#
# Fails on a failed case, a missing result, a timeout, or a kernel oops,
# BUG, WARNING, KASAN or kmemleak report in the console log. Writes the
# cases as TAP into build-kmod-vm/testlog.json (a meson test-log line that
# scripts/test-summary.py counts) and prints them. KVM when /dev/kvm can be
# used, else TCG. Skips (exit 0, "# SKIP reason") only when no Debian
# kernel image with matching headers or no qemu can be had.
#   RNPU_VM_KVER=VERSION   the kernel to boot (default: the newest
#                          /boot/vmlinuz-* with headers installed)
#   RNPU_VM_TIMEOUT=S      bound on the VM's run (default 300 s)
#   RNPU_VM_ACCEL=kvm|tcg  force an accelerator
set -euo pipefail
cd "$(dirname "$0")/.."
out=build-kmod-vm
mkdir -p "$out"
rm -f "$out/testlog.json"
start=$(date +%s)

# testlog RESULT TAP-TEXT: the meson test-log line test-summary.py reads.
testlog() {
  python3 -c 'import json,sys; print(json.dumps({"name": "kmod-vm", "result": sys.argv[1], "stdout": sys.stdin.read()}))' \
    "$1" >"$out/testlog.json"
}
skip() {
  echo "# SKIP kmod-vm: $*"
  printf '# SKIP %s\n' "$*" | testlog SKIP
  exit 0
}

scripts/install-deps.sh qemu-system-x86 cpio xz-utils gzip make gcc libc6-dev python3 meson \
  ninja-build pkg-config >/dev/null ||
  skip "qemu-system-x86 cannot be installed"
# find_kernel: the newest /boot/vmlinuz-* with its headers and modules.
find_kernel() {
  local img v
  for img in $(ls /boot/vmlinuz-* 2>/dev/null | sort -V); do
    v=${img#/boot/vmlinuz-}
    [ -f "/lib/modules/$v/build/Makefile" ] && [ -d "/lib/modules/$v/kernel" ] && kver=$v
  done
  return 0
}
kver=${RNPU_VM_KVER:-}
if [ -z "$kver" ]; then
  find_kernel
  # Debian 12's 6.12 kernel and its headers, the pair the module is
  # built against, when the archive has them.
  if [ -z "$kver" ]; then
    scripts/install-deps.sh linux-image-6.12-amd64 linux-headers-6.12-amd64 >/dev/null 2>&1 || true
    find_kernel
  fi
fi
[ -n "$kver" ] || skip "no /boot/vmlinuz-* with its headers and modules installed (linux-image-6.12-amd64, linux-headers-6.12-amd64)"
kdir=/lib/modules/$kver/build
vmlinuz=/boot/vmlinuz-$kver
[ -r "$vmlinuz" ] || skip "$vmlinuz is not readable"

# The module from this tree (W=1 and sparse, warning-free), the stand-in
# device, and the guest's /init (static: it runs before any library is
# there).
RNPU_KDIR=$kdir scripts/build-kmod.sh >"$out/build-kmod.log" 2>&1 || {
  cat "$out/build-kmod.log"; echo "not ok 1 - kmod-vm-build rnpu.ko" | testlog FAIL; exit 1; }
rm -rf "$out/fakenpu" "$out/root"
mkdir -p "$out/fakenpu" "$out/root/modules" "$out/root"/{proc,sys,dev}
cp tests/kmod-vm/Kbuild tests/kmod-vm/rnpu_fakenpu.c "$out/fakenpu/"
if ! make -C "$kdir" M="$PWD/$out/fakenpu" RNPU_TOP="$PWD" W=1 C=1 KCFLAGS=-Werror modules \
     >"$out/fakenpu.log" 2>&1 || grep -E -i "warning|error" "$out/fakenpu.log"; then
  cat "$out/fakenpu.log"; echo "not ok 1 - kmod-vm-build rnpu_fakenpu.ko" | testlog FAIL; exit 1
fi
# (Reasons are cut to fit their line on purpose: no format-truncation.)
gcc -static -O2 -Wall -Wextra -Werror -Wno-format-truncation -Iinclude/uapi \
  -o "$out/root/init" tests/kmod-vm/kmod_vm_guest.c >"$out/guest.log" 2>&1 || {
  cat "$out/guest.log"; echo "not ok 1 - kmod-vm-build the guest's /init" | testlog FAIL; exit 1; }
cp build-kmod/rnpu.ko "$out/fakenpu/rnpu_fakenpu.ko" "$out/root/modules/"
# rnpu-demo, the tree's own program on librnpu's kernel transport, from a
# plain (unsanitised) build, with the shared libraries it needs.
if [ ! -d "$out/meson" ]; then
  meson setup "$out/meson" -Dbench=false -Dfuzz=false >"$out/meson.log" 2>&1 || {
    cat "$out/meson.log"; echo "not ok 1 - kmod-vm-build meson" | testlog FAIL; exit 1; }
fi
ninja -C "$out/meson" tools/rnpu-demo >"$out/ninja.log" 2>&1 || {
  cat "$out/ninja.log"; echo "not ok 1 - kmod-vm-build rnpu-demo" | testlog FAIL; exit 1; }
mkdir -p "$out/root/bin"
cp "$out/meson/tools/rnpu-demo" "$out/root/bin/"
for lib in $(ldd "$out/meson/tools/rnpu-demo" | grep -o '/[^ ]*'); do
  mkdir -p "$out/root$(dirname "$lib")"
  cp -L "$lib" "$out/root$lib"
done
drm=$(modinfo -k "$kver" -n drm)
case "$drm" in
  *.xz) xz -dc "$drm" >"$out/root/modules/drm.ko" ;;
  *.zst) zstd -dc "$drm" >"$out/root/modules/drm.ko" ;;
  *) cp "$drm" "$out/root/modules/drm.ko" ;;
esac
(cd "$out/root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out/initramfs.gz"

# The stand-in's register windows: 3 x 64 KiB of guest RAM the kernel
# leaves alone (an E820 reserved range).
base=0x10000000
console=$out/console.log results=$out/results.tap
# run_vm ACCEL: boots the VM once; returns qemu's status (124: timeout), or
# 200 when KVM failed to run the guest (nested KVM without the features
# the kernel needs: "KVM internal error", a refused MSR, or no console
# output within 30 s), so that the caller falls back to TCG.
run_vm() {
  local accel=$1 cpu=max pid waited=0
  # KVM runs the host's CPU model; TCG emulates its own maximum.
  [ "$accel" = kvm ] && cpu=host
  rm -f "$console" "$results"
  # In a subshell that exits normally with qemu's status, so that a qemu
  # killed by a signal is reported once (below), not also by bash.
  (timeout "${RNPU_VM_TIMEOUT:-300}" qemu-system-x86_64 -accel "$accel" -cpu "$cpu" \
    -m 512M -smp 2 -display none -no-reboot -nodefaults \
    -serial "file:$console" -serial "file:$results" \
    -kernel "$vmlinuz" -initrd "$out/initramfs.gz" \
    -append "console=ttyS0 no_console_suspend ignore_loglevel suspend.pm_test_delay=1 panic=-1 memmap=192K\$$base rdinit=/init FAKENPU_BASE=$base" \
    >"$out/qemu-$accel.log" 2>&1 &
   echo $! >"$out/qemu.pid"; wait $!; exit $?) 2>/dev/null &
  pid=$!
  while [ "$accel" = kvm ] && kill -0 $pid 2>/dev/null; do
    if grep -q -E 'KVM internal error|failed to set MSR|kvm_buf_set_msrs' "$out/qemu-$accel.log" ||
       { [ $waited -ge 30 ] && [ ! -s "$console" ]; }; then
      kill "$(cat "$out/qemu.pid")" 2>/dev/null || true
      wait $pid 2>/dev/null || true
      return 200
    fi
    sleep 1
    waited=$((waited + 1))
  done
  local rc=0
  wait $pid || rc=$?
  if [ "$accel" = kvm ] && [ ! -s "$console" ]; then
    return 200
  fi
  return $rc
}

# KVM when this user can open /dev/kvm and it runs the guest, else TCG
# (slower, same result).
accel=${RNPU_VM_ACCEL:-}
if [ -z "$accel" ]; then
  accel=tcg
  [ -r /dev/kvm ] && [ -w /dev/kvm ] && accel=kvm
fi
note=""
vmstart=$(date +%s)
rc=0
run_vm "$accel" || rc=$?
if [ $rc -eq 200 ]; then
  note=" (KVM could not run the guest, see $out/qemu-kvm.log; fell back to TCG)"
  accel=tcg
  vmstart=$(date +%s)
  rc=0
  run_vm tcg || rc=$?
fi
vmtime=$(( $(date +%s) - vmstart ))

tap=$(tr -d '\r' <"$results" 2>/dev/null || true)
problems=()
[ $rc -eq 124 ] && problems+=("the VM did not power off within ${RNPU_VM_TIMEOUT:-300} s")
[ $rc -ne 0 ] && [ $rc -ne 124 ] && problems+=("qemu exited with $rc: $(head -c 300 "$out/qemu-$accel.log")")
grep -q '^1\.\.' <<<"$tap" || problems+=("the guest did not finish its plan")
grep -q '^ok ' <<<"$tap" || problems+=("no case passed")
oops=$(grep -E 'Oops|BUG:|WARNING:|KASAN|kmemleak|general protection|Call Trace|Kernel panic|refcount_t|list_add corruption|list_del corruption|UBSAN' "$console" || true)
[ -n "$oops" ] && problems+=("kernel console log: $(head -5 <<<"$oops")")

n=$(grep -c -E '^(not )?ok ' <<<"$tap" || true)
for p in "${problems[@]}"; do
  n=$((n + 1))
  tap+=$'\n'"not ok $n - kmod-vm-guest # ${p//$'\n'/ | }"
done
tap+=$'\n'"# kmod-vm: $kver, $accel$note, VM ${vmtime} s, total $(( $(date +%s) - start )) s (console: $console)"
echo "$tap"
if [ ${#problems[@]} -eq 0 ] && ! grep -q '^not ok' <<<"$tap"; then
  testlog OK <<<"$tap"
else
  testlog FAIL <<<"$tap"
  exit 1
fi
