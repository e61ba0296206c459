#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR GPL-2.0-only
#
# Counts the instructions the calling thread executes per rnpu_matmul_run
# call of resident-weights matmuls, under valgrind's callgrind, and prints
# Markdown tables (see --help).
set -euo pipefail

usage() {
	cat <<'EOF'
Usage: bench/callcost.sh [OPTIONS] [BUILD_DIR]

Runs bench_callcost under valgrind --tool=callgrind for a set of
resident-weights matmul shapes and prints, as Markdown, the instructions
the CALLING thread executes per rnpu_matmul_run call, split by the part of
the stack that executed them (librnpu, the driver core, the OS services
layer, the register tables, the software NPU's code on the caller's thread,
the C library), the system calls it makes per call, an estimate of the
time at one instruction per cycle on a 2.4 GHz Cortex-A76, and the
functions and steps (a function with its callees) costing the most.

Instruction counts do not depend on the machine's load, unlike CPU times.
Only the counted calls are measured: bench_callcost makes WARMUP calls
first, then every counted call goes through callcost_counted_run(), which
callgrind switches collection on for (--toggle-collect), zeroes the costs
at (--zero-before) and writes them out after (--dump-after). The software
NPU's own threads compute under valgrind too (and are paid for in run
time) but are counted apart (--separate-threads=yes) and left out. The
first counted call's dump also holds system calls made before it, so it is
left out too (bench_callcost makes one call more than counted).

BUILD_DIR (default: build-callcost) is configured if missing as
  meson setup BUILD_DIR --buildtype=release -Ddebug=true -Dtests=false -Dbench=true
which is bench/run.sh's optimisation plus debug information (-g does not
change the generated code); an existing tree without debug information is
switched to -Ddebug=true. Attribution goes by the source directory of each
function's file, else by the project's function-name prefixes, and libc by
shared object, so renamed functions stay in their part.

Options:
  -q, --quick        one shape only (int8 1x1024x1024 on core 0, 3 counted
                     calls): a check that the tool works, in seconds
  -r, --runs N       counted calls per shape (default: 10 for M <= 8,
                     5 for M = 256 up to K = N = 2048, 3 above)
  -t, --top N        functions per shape in the tables of the functions and
                     of the steps costing the most (default: 15)
  -k, --keep DIR     keep callgrind's files and the per-shape JSON in DIR
  -h, --help         show this help and exit

Needs valgrind (installed with scripts/install-deps.sh if missing) and
python3. Takes about three minutes on a two-CPU machine.

Exit status: 0; 1 if a run failed or a dump's costs did not add up to its
totals line; 2 for bad options.
EOF
}

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
quick=0
runs=""
top=15
keep=""
build=""
while [ $# -gt 0 ]; do
	case $1 in
	-q | --quick) quick=1 ;;
	-r | --runs) runs=${2:?--runs needs a number}; shift ;;
	--runs=*) runs=${1#*=} ;;
	-t | --top) top=${2:?--top needs a number}; shift ;;
	--top=*) top=${1#*=} ;;
	-k | --keep) keep=${2:?--keep needs a directory}; shift ;;
	--keep=*) keep=${1#*=} ;;
	-h | --help) usage; exit 0 ;;
	-*) echo "callcost.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
	*) [ -z "$build" ] || { echo "callcost.sh: one BUILD_DIR only" >&2; exit 2; }; build=$1 ;;
	esac
	shift
done
for n in "$runs" "$top"; do
	if [ -n "$n" ] && ! [[ $n =~ ^[1-9][0-9]*$ ]]; then
		echo "callcost.sh: '$n' is not a positive number" >&2
		exit 2
	fi
done
build=${build:-build-callcost}
cd "$src"

command -v valgrind >/dev/null || scripts/install-deps.sh valgrind
if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" --buildtype=release -Ddebug=true -Dtests=false -Dbench=true >&2
elif ! meson introspect --buildoptions "$build" |
	python3 -c 'import json,sys; sys.exit(0 if any(o["name"] == "debug" and o["value"] for o in json.load(sys.stdin)) else 1)'; then
	echo "callcost.sh: $build has no debug information: meson configure -Ddebug=true" >&2
	meson configure "$build" -Ddebug=true >&2
fi
ninja -C "$build" bench/bench_callcost >&2

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=${keep:-$work}
mkdir -p "$out"

# type M K=N cores [counted calls]
if [ "$quick" = 1 ]; then
	shapes=("int8 1 1024 1 3")
else
	shapes=("int8 1 1024 1" "int8 1 1024 3" "int8 8 1024 1" "int8 8 1024 3"
		"fp16 1 1024 1" "fp16 1 1024 3" "fp16 8 1024 1" "fp16 8 1024 3"
		"int8 256 1024 1" "int8 256 1024 3" "int8 256 2048 1" "int8 256 2048 3"
		"int8 256 4096 3")
fi

jsons=()
i=0
for s in "${shapes[@]}"; do
	read -r type m kn cores n <<<"$s"
	if [ -z "${n:-}" ]; then
		if [ -n "$runs" ]; then n=$runs
		elif [ "$m" -le 8 ]; then n=10
		elif [ "$kn" -le 2048 ]; then n=5
		else n=3
		fi
	fi
	i=$((i + 1))
	dir="$out/$i-$type-$m-$kn-$cores"
	rm -rf "$dir"
	mkdir -p "$dir"
	echo "== $type M=$m K=N=$kn cores=$cores: $n counted calls" >&2
	# A generous job timeout: the software NPU computes under valgrind.
	if ! valgrind --tool=callgrind --separate-threads=yes --collect-atstart=no \
		--toggle-collect=callcost_counted_run --zero-before=callcost_counted_run \
		--dump-after=callcost_counted_run --collect-systime=nsec \
		--callgrind-out-file="$dir/callgrind.out" --log-file="$dir/valgrind.log" \
		"$build/bench/bench_callcost" --type="$type" --m="$m" --k="$kn" --n="$kn" \
		--cores="$cores" --runs=$((n + 1)) --warmup=2 --timeout-ms=600000 \
		>"$dir/shape.txt"; then
		echo "callcost.sh: bench_callcost failed for $s (see $dir/valgrind.log)" >&2
		cat "$dir/valgrind.log" >&2
		exit 1
	fi
	if ! python3 bench/callcost.py "$dir" --src "$src" --top "$top" \
		--shape "$(cat "$dir/shape.txt")" >"$dir/callcost.json"; then
		echo "callcost.sh: the counts of $s do not add up (callgrind files in $dir)" >&2
		exit 1
	fi
	jsons+=("$dir/callcost.json")
done
python3 bench/callcost.py --table "${jsons[@]}"
