#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR GPL-2.0-only
#
# Counts, per request, the thread switches and wake-ups of every thread of
# rnpud and of its client while an unmodified program (bench_dropin's
# worker) runs N blocking SUBMITs of the smallest job through
# "rnpu-run --daemon". Unlike a time, these counts do not depend on how
# busy the machine is: every wake-up of a thread other than the one that
# received the request is a hand-off that costs tens of microseconds when
# the woken thread's vCPU is halted (docs/dropin.md, "Round trip").
#
#   bench/rnpud_switches.sh [BUILD_DIR [N]]     (default: build-bench, 20000)
#
# Needs perf with the sched tracepoints (root or perf_event_paranoid <= -1)
# and gdb to name rnpud's threads by their start function. Prints one row
# per thread: switches out (sched_switch), of which the thread went to
# sleep (the others are preemptions and yields: the thread stayed
# runnable), and wake-ups received, each per request, and who woke it.
# Set RNPUD_ARGS to pass options to rnpud (e.g. --spin-us=0) and
# RNPU_UNIX_SPIN_US for the client. WORKER_MODE= (empty) runs the worker's
# buffer loop too (five requests per iteration instead of one SUBMIT).
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-build-bench}
n=${2:-20000}
case $build in /*) ;; *) build="$src/$build" ;; esac
worker_bin=${WORKER:-$build/bench/bench_dropin}
tmp=$(mktemp -d)
sock="$tmp/rnpud.sock"
trap 'kill "$dpid" 2>/dev/null; wait "$dpid" 2>/dev/null; rm -rf "$tmp"' EXIT

# shellcheck disable=SC2086
"$build/dropin/rnpud" --socket "$sock" ${RNPUD_ARGS:-} 2>/dev/null &
dpid=$!
for _ in $(seq 500); do [ -S "$sock" ] && break; sleep 0.01; done
[ -S "$sock" ] || { echo "rnpud did not start" >&2; exit 1; }
# One short client first so that lazily started threads exist and get named.
"$build/dropin/rnpu-run" --daemon="$sock" "$worker_bin" --worker --submit-only --iters=10 >/dev/null

# tid -> role, from the function each thread of rnpud started in.
gdb -batch -p "$dpid" -ex 'thread apply all bt' 2>/dev/null |
	awk '/^Thread /{ match($0, /LWP [0-9]+/); tid = substr($0, RSTART + 4, RLENGTH - 4) }
	     / in (main|wq_main|worker|export_thread|client_main|run_fast_share) /{
		for (i = 1; i <= NF; i++) if ($i == "in") fn = $(i + 1);
		role[tid] = fn }
	     END { for (t in role) print t, role[t] }' >"$tmp/roles"

# shellcheck disable=SC2086 # WORKER_MODE is zero or one word
perf record -q -a -e sched:sched_switch -e sched:sched_wakeup -o "$tmp/perf.data" -- \
	"$build/dropin/rnpu-run" --daemon="$sock" "$worker_bin" --worker ${WORKER_MODE-"--submit-only"} \
	--iters="$n" >"$tmp/out" 2>/dev/null
perf script -i "$tmp/perf.data" -F comm,pid,tid,event,trace 2>/dev/null >"$tmp/script"

comm=$(basename "$worker_bin" | cut -c1-15)
python3 - "$tmp/script" "$tmp/roles" "$dpid" "$n" "$(cat "$tmp/out")" "$comm" <<'EOF'
import re, sys
from collections import Counter, defaultdict
script, roles_file, dpid, n, out, comm = (sys.argv[1], sys.argv[2], int(sys.argv[3]),
                                          int(sys.argv[4]), sys.argv[5], sys.argv[6])
roles = {}
for line in open(roles_file):
    tid, fn = line.split()
    roles[int(tid)] = {'main': 'rnpud main (epoll, accept)', 'wq_main': 'work queue',
                       'worker': 'software NPU core worker', 'export_thread': 'export',
                       'run_fast_share': 'software NPU MAC helper'}.get(fn, fn)
pid_of = {}
switches, sleeps, wakeups = Counter(), Counter(), Counter()
program = set()
wakers = defaultdict(Counter)
for line in open(script):
    m = re.match(r'\s*(.*?)\s+(\d+)/(\d+)\s+(\S+):\s*(.*)', line)
    if not m:
        continue
    pid, tid, ev, tr = int(m[2]), int(m[3]), m[4], m[5]
    if m[1] == comm:
        program.add(tid)
    pid_of[tid] = pid
    if ev.endswith('sched_switch'):
        st = re.search(r'prev_state=(\S+)', tr)
        switches[tid] += 1
        if st and st[1] not in ('R', 'R+'):
            sleeps[tid] += 1
    elif ev.endswith('sched_wakeup'):
        w = re.search(r'pid=(\d+)', tr)
        if w:
            wakee = int(w[1])
            wakeups[wakee] += 1
            wakers[wakee][tid] += 1
def name(tid):
    if tid == 0:
        # Recorded by the idle task: a wake-up another CPU sent by IPI
        # to this one's queue while it slept (the cross-CPU path).
        return 'IPI to an idle CPU'
    if tid in roles:
        return roles[tid]
    if pid_of.get(tid) == dpid:
        return 'rnpud client thread (receives and runs requests)'
    return None
client_pids = {p for t, p in pid_of.items() if p != dpid}
rows = []
for tid in sorted(set(switches) | set(wakeups)):
    nm = name(tid)
    if nm is None or tid == 0:
        continue
    rows.append((nm, tid))
for tid in sorted(program):
    rows.append(('client program (rnpu-run --daemon)', tid))
print(f'# {n} blocking SUBMITs of the smallest job; worker median round trip {out.split()[0]} us')
print('| thread | switches / request | of which went to sleep | woken / request | woken by |')
print('| --- | ---: | ---: | ---: | --- |')
for nm, tid in rows:
    by = ', '.join(f'{name(w) or ("client program" if w in program else "other")} {c / n:.3f}'
                   for w, c in wakers[tid].most_common(3) if c / n >= 0.001)
    print(f'| {nm} | {switches[tid] / n:.3f} | {sleeps[tid] / n:.3f} | {wakeups[tid] / n:.3f} | {by or "-"} |')
EOF
