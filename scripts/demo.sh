#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR GPL-2.0-only
# Builds rnpu (release) and runs the demo on the software NPU: int8 and
# fp16 matmul on cores 0, 1 and 2 through the vendor ioctls, checked
# against the CPU. Extra arguments go to rnpu-demo (try --help).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh meson ninja-build pkg-config gcc python3
build=build
[ -d "$build" ] || meson setup "$build" --buildtype=release -Dtests=false -Dbench=false >/dev/null
ninja -C "$build" tools/rnpu-demo >/dev/null
exec "$build/tools/rnpu-demo" "$@"
