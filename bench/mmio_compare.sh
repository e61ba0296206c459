#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR GPL-2.0-only
#
# The calling thread's share of the software NPU's register interface,
# compared between two release builds of bench_llm (for example one of
# main and one of a change), side by side in one run.
#
#   bench/mmio_compare.sh OLD_BUILD NEW_BUILD [ROUNDS]     (default 15)
#
# Part 1 counts instructions with callgrind, which does not depend on how
# busy the machine is: bench_llm -m 8 -k 1024 -t fp16 -c 3 -r 20 (21
# calls of a three-core resident-weights matmul) under
# valgrind --tool=callgrind --separate-threads=yes, and prints, for the
# calling thread, the inclusive instructions of rknpu_core_commit,
# rnpu_osal_writel, rk3588_sim_mmio_write and sim_start_runs_inline, in
# total and per call (21 calls).
#
# Part 2 runs bench_llm -m 1 -k 1024 -r 21 ROUNDS times per build,
# alternating old and new (old first in odd rounds, new first in even
# ones), and prints per row the median over the rounds of the "run CPU us"
# column (each already the median of 21 calls), with the load average
# before and after. Needs valgrind and callgrind_annotate.
set -euo pipefail

usage() { sed -n '4,22p' "$0" | sed 's/^# \{0,1\}//'; }
case ${1:-} in -h | --help) usage; exit 0 ;; esac
if [ $# -lt 2 ]; then
	usage >&2
	exit 2
fi
declare -A dirs=([old]=$1 [new]=$2)
rounds=${3:-15}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fns="rknpu_core_commit rnpu_osal_writel rk3588_sim_mmio_write sim_start_runs_inline"
echo "Instructions of the calling thread (callgrind, 21 calls, fp16 8x1024x1024 on 3 cores):"
echo
echo "| function | old | new | old per call | new per call | new / old |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
for b in old new; do
	dir=${dirs[$b]}
	valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$tmp/$b.%p" \
		"$dir/bench/bench_llm" -m 8 -k 1024 -t fp16 -c 3 -r 20 >/dev/null 2>&1
	callgrind_annotate --inclusive=yes --threshold=100 "$tmp"/$b.*-01 2>/dev/null >"$tmp/$b.txt"
done
for f in $fns; do
	o=$(awk -v f="$f" '$0 ~ ":" f " " { gsub(",", "", $1); print $1; exit }' "$tmp/old.txt")
	n=$(awk -v f="$f" '$0 ~ ":" f " " { gsub(",", "", $1); print $1; exit }' "$tmp/new.txt")
	awk -v f="$f" -v o="${o:-0}" -v n="${n:-0}" 'BEGIN {
		printf "| %s | %d | %d | %.0f | %.0f | %.2f |\n", f, o, n, o / 21, n / 21,
			o ? n / o : 0 }'
done

echo
echo "Run CPU us per call, median of $rounds alternating rounds (bench_llm -m 1 -k 1024 -r 21):"
echo "load before: $(cut -d ' ' -f 1-3 /proc/loadavg)"
for r in $(seq "$rounds"); do
	# Old first in odd rounds, new first in even ones: neither build
	# always runs right after the other.
	order="old new"
	[ $((r % 2)) -eq 0 ] && order="new old"
	for b in $order; do
		dir=${dirs[$b]}
		"$dir/bench/bench_llm" -m 1 -k 1024 -r 21 |
			awk -F'|' -v b="$b" '$2 ~ /int8|fp16/ {
				gsub(/ /, "", $2); gsub(/ /, "", $6); gsub(/ /, "", $11)
				print b, $2 "-c" $6, $11 }' >>"$tmp/cpu.txt"
	done
done
echo "load after: $(cut -d ' ' -f 1-3 /proc/loadavg)"
echo
echo "| row | old us | new us | new / old |"
echo "| --- | ---: | ---: | ---: |"
awk '{ print $2 }' "$tmp/cpu.txt" | sort -u | while read -r row; do
	med() {
		awk -v b="$1" -v r="$row" '$1 == b && $2 == r { print $3 }' "$tmp/cpu.txt" | sort -g |
			awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
	}
	o=$(med old)
	n=$(med new)
	awk -v r="$row" -v o="$o" -v n="$n" 'BEGIN { printf "| %s | %.1f | %.1f | %.2f |\n", r, o, n, n / o }'
done
