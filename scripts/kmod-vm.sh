#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR GPL-2.0-only
# Boots Debian's amd64 kernels in qemu, loads the rnpu.ko built from this
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
#
# Runs the VM once per kernel: Debian 12's 6.12 and 6.1 (each installed
# with its matching headers when the archive has them); every case counts
# once per kernel and carries its name (kmod-vm-6.1-drm-version).
#   RNPU_VM_KVER="V ..."   the kernels to boot (default: every
#                          /boot/vmlinuz-* with headers and modules)
#   RNPU_VM_TIMEOUT=S      bound on each VM's run (default 300 s)
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
# find_kernels: every /boot/vmlinuz-* with its headers and modules.
find_kernels() {
  local img v
  kvers=()
  for img in $(ls /boot/vmlinuz-* 2>/dev/null | sort -V); do
    v=${img#/boot/vmlinuz-}
    [ -f "/lib/modules/$v/build/Makefile" ] && [ -d "/lib/modules/$v/kernel" ] && kvers+=("$v")
  done
  return 0
}
kvers=()
if [ -n "${RNPU_VM_KVER:-}" ]; then
  read -r -a kvers <<<"$RNPU_VM_KVER"
else
  # Debian 12's two kernels the module is built against, each image with
  # the headers of its own version (its modules' vermagic is theirs).
  scripts/install-deps.sh linux-image-6.12-amd64 linux-headers-6.12-amd64 >/dev/null 2>&1 || true
  scripts/install-deps.sh linux-image-6.1.0-56-amd64 linux-headers-6.1.0-56-amd64 >/dev/null 2>&1 || true
  find_kernels
fi
[ ${#kvers[@]} -gt 0 ] || skip "no /boot/vmlinuz-* with its headers and modules installed (linux-image-6.12-amd64, linux-headers-6.12-amd64)"

# fail_build WHAT LOG: a build step failed: one failed case, and stop.
fail_build() {
  cat "$2"; echo "not ok 1 - kmod-vm-build $1" | testlog FAIL; exit 1
}

# The tree's own programs on librnpu's kernel transport, from a plain
# (unsanitised) build, with the shared libraries they need (cmocka's too):
# rnpu-demo, and the UAPI tests run against the module's node.
if [ ! -d "$out/meson" ]; then
  meson setup "$out/meson" -Dbench=false -Dfuzz=false >"$out/meson.log" 2>&1 ||
    fail_build meson "$out/meson.log"
fi
progs=(tools/rnpu-demo tests/uapi/uapi_conformance tests/uapi/uapi_validator tests/uapi/uapi_limits
  tests/uapi/uapi_validator_cache)
ninja -C "$out/meson" "${progs[@]}" >"$out/ninja.log" 2>&1 || fail_build "${progs[*]}" "$out/ninja.log"
# The guest's /init (static: it runs before any library is there).
# (Reasons are cut to fit their line on purpose: no format-truncation.)
gcc -static -O2 -Wall -Wextra -Werror -Wno-format-truncation -Iinclude/uapi \
  -o "$out/init" tests/kmod-vm/kmod_vm_guest.c >"$out/guest.log" 2>&1 || fail_build "the guest's /init" "$out/guest.log"

# The stand-in's register windows: 3 x 64 KiB of guest RAM the kernel
# leaves alone (an E820 reserved range).
base=0x10000000

# prepare_kernel KVER: builds rnpu.ko (W=1 and sparse, warning-free) and
# the stand-in against KVER's headers, and the VM's initramfs in $kout.
prepare_kernel() {
  local kver=$1 kdir=/lib/modules/$1/build drm prog lib
  RNPU_KDIR=$kdir scripts/build-kmod.sh >"$kout/build-kmod.log" 2>&1 ||
    fail_build "rnpu.ko ($kver)" "$kout/build-kmod.log"
  rm -rf "$kout/fakenpu" "$kout/root"
  mkdir -p "$kout/fakenpu" "$kout/root/modules" "$kout/root"/{proc,sys,dev,bin}
  cp tests/kmod-vm/Kbuild tests/kmod-vm/rnpu_fakenpu.c "$kout/fakenpu/"
  if ! make -C "$kdir" M="$PWD/$kout/fakenpu" RNPU_TOP="$PWD" W=1 C=1 KCFLAGS=-Werror modules \
       >"$kout/fakenpu.log" 2>&1 || grep -E -i "warning|error" "$kout/fakenpu.log"; then
    fail_build "rnpu_fakenpu.ko ($kver)" "$kout/fakenpu.log"
  fi
  cp "$out/init" "$kout/root/init"
  cp build-kmod/rnpu.ko "$kout/fakenpu/rnpu_fakenpu.ko" "$kout/root/modules/"
  for prog in "${progs[@]}"; do
    cp "$out/meson/$prog" "$kout/root/bin/"
    for lib in $(ldd "$out/meson/$prog" | grep -o '/[^ ]*'); do
      mkdir -p "$kout/root$(dirname "$lib")"
      cp -L "$lib" "$kout/root$lib"
    done
  done
  drm=$(modinfo -k "$kver" -n drm)
  case "$drm" in
    *.xz) xz -dc "$drm" >"$kout/root/modules/drm.ko" ;;
    *.zst) zstd -dc "$drm" >"$kout/root/modules/drm.ko" ;;
    *) cp "$drm" "$kout/root/modules/drm.ko" ;;
  esac
  (cd "$kout/root" && find . | cpio -o -H newc --quiet | gzip -1) >"$kout/initramfs.gz"
}

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
    -kernel "/boot/vmlinuz-$kver" -initrd "$kout/initramfs.gz" \
    -append "console=ttyS0 no_console_suspend ignore_loglevel suspend.pm_test_delay=1 panic=-1 memmap=192K\$$base rdinit=/init FAKENPU_BASE=$base" \
    >"$kout/qemu-$accel.log" 2>&1 &
   echo $! >"$kout/qemu.pid"; wait $!; exit $?) 2>/dev/null &
  pid=$!
  while [ "$accel" = kvm ] && kill -0 $pid 2>/dev/null; do
    if grep -q -E 'KVM internal error|failed to set MSR|kvm_buf_set_msrs' "$kout/qemu-$accel.log" ||
       { [ $waited -ge 30 ] && [ ! -s "$console" ]; }; then
      kill "$(cat "$kout/qemu.pid")" 2>/dev/null || true
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
# (slower, same result). Once KVM failed, the next kernels go to TCG.
accel=${RNPU_VM_ACCEL:-}
if [ -z "$accel" ]; then
  accel=tcg
  [ -r /dev/kvm ] && [ -w /dev/kvm ] && accel=kvm
fi
kvm_failed_log=""
all=""
problems_total=0
for kver in "${kvers[@]}"; do
  kout=$out/$kver
  note=""
  [ -n "$kvm_failed_log" ] && note=" (KVM could not run an earlier guest, see $kvm_failed_log)"
  mkdir -p "$kout"
  console=$kout/console.log results=$kout/results.tap
  prepare_kernel "$kver"
  vmstart=$(date +%s)
  rc=0
  run_vm "$accel" || rc=$?
  if [ $rc -eq 200 ]; then
    kvm_failed_log=$kout/qemu-kvm.log
    note=" (KVM could not run the guest, see $kvm_failed_log; fell back to TCG)"
    accel=tcg
    vmstart=$(date +%s)
    rc=0
    run_vm tcg || rc=$?
  fi
  vmtime=$(( $(date +%s) - vmstart ))

  tap=$(tr -d '\r' <"$results" 2>/dev/null || true)
  problems=()
  [ $rc -eq 124 ] && problems+=("the VM did not power off within ${RNPU_VM_TIMEOUT:-300} s")
  [ $rc -ne 0 ] && [ $rc -ne 124 ] && problems+=("qemu exited with $rc: $(head -c 300 "$kout/qemu-$accel.log")")
  grep -q '^1\.\.' <<<"$tap" || problems+=("the guest did not finish its plan")
  grep -q '^ok ' <<<"$tap" || problems+=("no case passed")
  oops=$(grep -E 'Oops|BUG:|WARNING:|KASAN|kmemleak|general protection|Call Trace|Kernel panic|refcount_t|list_add corruption|list_del corruption|UBSAN' "$console" || true)
  [ -n "$oops" ] && problems+=("kernel console log: $(head -5 <<<"$oops")")
  label=$(sed -E 's/^([0-9]+\.[0-9]+).*/\1/' <<<"$kver")
  for p in "${problems[@]}"; do
    tap+=$'\n'"not ok 0 - kmod-vm-$label-guest # ${p//$'\n'/ | }"
  done
  problems_total=$((problems_total + ${#problems[@]}))
  tap+=$'\n'"# kmod-vm: $kver, $accel$note, VM ${vmtime} s (console: $console)"
  # Each VM's plan and numbering are dropped: one plan for all below.
  all+=$(grep -v -E '^(1\.\.[0-9]+|TAP version.*)$' <<<"$tap")$'\n'
done

# One TAP stream: the cases of every kernel, numbered in order.
tap=$(awk 'BEGIN { n = 0; print "TAP version 13" }
  /^(not )?ok [0-9]+ / { n++; sub(/ok [0-9]+ /, "ok " n " ") }
  { print }
  END { print "1.." n }' <<<"$all")
tap+=$'\n'"# kmod-vm: ${#kvers[@]} kernels (${kvers[*]}), total $(( $(date +%s) - start )) s"
echo "$tap"
if [ $problems_total -eq 0 ] && ! grep -q '^not ok' <<<"$tap"; then
  testlog OK <<<"$tap"
else
  testlog FAIL <<<"$tap"
  exit 1
fi
