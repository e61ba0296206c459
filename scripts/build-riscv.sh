#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR GPL-2.0-only
# Builds the portable driver cores (drivers/rknpu, hw/rk3588_regs.c; the K230
# KPU driver drivers/kpu, hw/k230_*_regs.c) with the
# RTOS OS services (osal/rtos) and the example port
# (tests/port/rtos_port_example.c) as freestanding code, warnings as errors,
# for 64-bit RISC-V (Debian's bare-metal gcc-riscv64-unknown-elf) and for
# the build machine (so the check runs where the RISC-V compiler is
# missing), then proves with nm that:
#   1. core + osal/rtos leave nothing undefined but the port interface
#      (rnpu_port_* of osal/rtos/rtos_port.h) and the four memory functions
#      every freestanding C program may need (memcpy memmove memset memcmp);
#   2. linked with the example port into one relocatable object, nothing
#      at all is left undefined.
# Fails listing every stray symbol. Outputs go to build-riscv/.
#   RNPU_RISCV_REQUIRED=1  fail (instead of skipping) without the RISC-V compiler
set -euo pipefail
cd "$(dirname "$0")/.."

out=build-riscv
riscv_pkg=gcc-riscv64-unknown-elf
riscv_ok=true
scripts/install-deps.sh binutils gcc python3 || true
if ! scripts/install-deps.sh "$riscv_pkg" || ! command -v riscv64-unknown-elf-gcc >/dev/null; then
  [ "${RNPU_RISCV_REQUIRED:-0}" = 1 ] && { echo "build-riscv: $riscv_pkg unavailable" >&2; exit 1; }
  echo "build-riscv: $riscv_pkg unavailable: RISC-V build skipped, host build only"
  riscv_ok=false
fi

core_srcs=(drivers/rknpu/*.c drivers/iommu/*.c hw/rk3588_regs.c hw/rk_iommu_regs.c
           drivers/kpu/*.c hw/k230_kpu_regs.c hw/k230_mailbox_regs.c osal/rtos/*.c)
port_srcs=(tests/port/rtos_port_example.c)
incs=(-Iosal -Iosal/rtos -Iinclude/uapi -Iinclude -Ihw -Idrivers/rknpu -Idrivers/iommu -Idrivers/kpu
      -Itests/port)
# The project's warning set (meson.build), as errors. No stack protector,
# no PIC: neither a guard symbol nor a GOT exists on a bare system.
cflags=(-std=gnu11 -O2 -g -ffreestanding -nostdlib -fno-builtin-printf
        -fno-stack-protector -fno-pic -fno-strict-aliasing
        -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wstrict-prototypes
        -Wmissing-prototypes -Wvla)
# The port interface: every rnpu_port_* function rtos_port.h declares.
mapfile -t port_syms < <(grep -oE '\brnpu_port_[a-z0-9_]+\(' osal/rtos/rtos_port.h |
                         tr -d '(' | sort -u)
libc_syms=(memcpy memmove memset memcmp)

# build NAME CC NM LD AR ARCHFLAGS...: compiles, archives, links, checks.
build() {
  local name=$1 cc=$2 nm=$3 ld=$4 ar=$5; shift 5
  local dir=$out/$name objs=() port_objs=() src obj
  rm -rf "$dir"; mkdir -p "$dir"
  for src in "${core_srcs[@]}" "${port_srcs[@]}"; do
    obj=$dir/$(echo "${src%.c}" | tr / _).o
    "$cc" "${cflags[@]}" "$@" "${incs[@]}" -c "$src" -o "$obj"
    case " ${port_srcs[*]} " in
      *" $src "*) port_objs+=("$obj") ;;
      *) objs+=("$obj") ;;
    esac
  done
  "$ar" rcs "$dir/librnpu_rtos.a" "${objs[@]}"
  "$ld" -r -o "$dir/rnpu_rtos_example.o" "${objs[@]}" "${port_objs[@]}"

  local undef defined stray=() used=0 s
  undef=$("$nm" -u "${objs[@]}" | awk 'NF >= 2 {print $NF}' | sort -u)
  defined=$("$nm" --defined-only "${objs[@]}" | awk 'NF >= 3 {print $NF}' | sort -u)
  for s in $(comm -23 <(echo "$undef") <(echo "$defined")); do
    if printf '%s\n' "${port_syms[@]}" | grep -qx "$s"; then
      used=$((used + 1))
    elif ! printf '%s\n' "${libc_syms[@]}" | grep -qx "$s"; then
      stray+=("$s")
    fi
  done
  if [ ${#stray[@]} -ne 0 ]; then
    echo "build-riscv: $name: core + osal/rtos use symbols outside the port interface:" >&2
    printf '  %s\n' "${stray[@]}" >&2
    return 1
  fi
  mapfile -t stray < <("$nm" -u "$dir/rnpu_rtos_example.o" | awk 'NF >= 2 {print $NF}')
  if [ ${#stray[@]} -ne 0 ]; then
    echo "build-riscv: $name: core + osal/rtos + example port leave symbols undefined:" >&2
    printf '  %s\n' "${stray[@]}" >&2
    return 1
  fi
  echo "build-riscv: $name: ok: ${#objs[@]} objects, $used of ${#port_syms[@]} port functions" \
       "used, nothing else undefined ($("$cc" --version | head -n1))"
}

status=0
if $riscv_ok; then
  # rv64imac: the integer cores RTOSes run on (no FPU: any floating point
  # would show up as an undefined soft-float helper). medany: code and
  # data anywhere in the address space, as bare-metal images need.
  build riscv64 riscv64-unknown-elf-gcc riscv64-unknown-elf-nm riscv64-unknown-elf-ld \
    riscv64-unknown-elf-ar -march=rv64imac -mabi=lp64 -mcmodel=medany || status=1
  echo "build-riscv: compiler package: $riscv_pkg $(dpkg-query -W -f='${Version}' "$riscv_pkg")"
fi
build host "${CC:-cc}" nm ld ar -fno-pie || status=1
exit $status
