#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR GPL-2.0-only
"""bench/callcost.py on a probe of known cost, run under callgrind the way
bench/callcost.sh runs bench_callcost (TAP output).

Usage: test_callcost.py SOURCE_ROOT PROBE_C COMPILER...
"""

import json
import os
import re
import subprocess
import sys
import tempfile

RUNS = 5            # counted calls the probe makes; the first is left out
DRIVER_NOPS = 1000  # as in callcost_probe.c
LIB_NOPS = 300
REG_NOPS = 40       # the probe's rnpu_osal_writel itself
MODEL_NOPS = 200    # and the sim_ function it calls
# A function's own instructions besides its no-ops: a call, a return,
# maybe an endbr64 or a frame set-up.
SLACK = 16

results = []


def check(ok, what, detail=''):
    results.append(bool(ok))
    print('%s %d - %s' % ('ok' if ok else 'not ok', len(results), what))
    if not ok and detail:
        for line in str(detail).splitlines():
            print('# ' + line)


def main():
    src, probe_c, compiler = sys.argv[1], sys.argv[2], sys.argv[3:]
    script = os.path.join(src, 'bench', 'callcost.py')
    with tempfile.TemporaryDirectory() as tmp:
        probe = os.path.join(tmp, 'probe')
        # No sanitizers: valgrind cannot run a sanitized program.
        subprocess.run(compiler + ['-O2', '-g', '-o', probe, probe_c], check=True)
        out = os.path.join(tmp, 'cg')
        os.mkdir(out)
        run = subprocess.run(
            ['valgrind', '--tool=callgrind', '--separate-threads=yes', '--collect-atstart=no',
             '--toggle-collect=callcost_counted_run', '--zero-before=callcost_counted_run',
             '--dump-after=callcost_counted_run', '--collect-systime=nsec',
             '--callgrind-out-file=' + os.path.join(out, 'callgrind.out'),
             '--log-file=' + os.path.join(tmp, 'valgrind.log'), probe, str(RUNS)])
        print('1..11')
        check(run.returncode == 0, 'the probe runs under callgrind', run.returncode)
        ana = subprocess.run([sys.executable, script, out, '--src', src,
                              '--shape', 'callcost type=int8 m=1 k=2 n=3 cores=1 tasks=1'],
                             capture_output=True, text=True)
        check(ana.returncode == 0, 'callcost.py analyses the dumps', ana.stderr)
        res = json.loads(ana.stdout) if ana.returncode == 0 else {}

        # Callgrind's own totals, read straight from the counted dumps.
        totals = []
        for name in os.listdir(out):
            path = os.path.join(out, name)
            with open(path, encoding='utf-8') as f:
                text = f.read()
            if 'Trigger: --dump-after=callcost_counted_run' in text and \
                    re.search(r'^thread: 1$', text, re.M):
                num = int(re.search(r'\.(\d+)-\d+$', name).group(1))
                totals.append((num, int(re.search(r'^totals: (\d+)', text, re.M).group(1))))
        totals = [t for _, t in sorted(totals)][1:]
        check(res.get('calls') == RUNS - 1 == len(totals),
              'one counted call per dump, the first left out',
              'calls %s, dumps %d' % (res.get('calls'), len(totals) + 1))
        check(res.get('ir_sum') == sum(totals),
              'self costs add up to callgrind\'s totals lines',
              '%s != %s' % (res.get('ir_sum'), sum(totals)))
        check(res.get('parts_sum') == res.get('ir_sum'),
              'the parts add up to the total', res.get('parts'))
        parts = res.get('parts', {})
        check(DRIVER_NOPS <= parts.get('driver core', 0) <= DRIVER_NOPS + SLACK,
              'rknpu_ code counted once per call in the driver core',
              parts.get('driver core'))
        check(LIB_NOPS <= parts.get('librnpu', 0) <= LIB_NOPS + SLACK,
              'rnpu_ code counted once per call in librnpu', parts.get('librnpu'))
        check(res.get('syscalls') == 1.0 and res.get('syscalls_min') == 1 == res.get('syscalls_max'),
              'one system call per counted call, none from before',
              res.get('syscalls_by_function'))
        jpath = os.path.join(tmp, 'probe.json')
        with open(jpath, 'w', encoding='utf-8') as f:
            f.write(ana.stdout)
        tab = subprocess.run([sys.executable, script, '--table', jpath],
                             capture_output=True, text=True)
        row = '| int8 | 1 | 2 | 3 | 1 | 1 | %d | %.0f |' % (RUNS - 1, res.get('ir_mean', -1))
        check(tab.returncode == 0 and row in tab.stdout, 'the table shows the shape and total',
              tab.stdout + tab.stderr)
        # The register accessor's inclusive cost, and the estimate
        # without it: the row's last two cells.
        cells = next((ln.strip('| \n').split(' | ') for ln in tab.stdout.splitlines()
                      if ln.startswith(row)), [])
        regs = float(cells[-2]) if len(cells) > 2 else -1
        est = float(cells[-1]) if len(cells) > 2 else -1
        want_est = (res.get('ir_mean', 0) - regs) / 2.4e9 * 1e6
        check(REG_NOPS + MODEL_NOPS <= regs <= REG_NOPS + MODEL_NOPS + 2 * SLACK and
              abs(est - want_est) < 0.06,
              'register accesses counted with their callees, left out of the second estimate',
              cells)
        helped = subprocess.run([os.path.join(src, 'bench', 'callcost.sh'), '--help'],
                                capture_output=True, text=True)
        check(helped.returncode == 0 and 'Usage: bench/callcost.sh' in helped.stdout,
              'callcost.sh --help', helped.stderr)
    return 0 if all(results) else 1


if __name__ == '__main__':
    sys.exit(main())
