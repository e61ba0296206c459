#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR GPL-2.0-only
"""Attributes the instructions of counted calls in callgrind output files.

Reads the files callgrind wrote with --separate-threads=yes
--zero-before=F --dump-after=F (one file per counted call and thread) and
prints, per call, the instructions of the calling thread split by the part
of the stack that executed them, the system calls made, and the functions
costing the most. See bench/callcost.sh, which runs it.
"""

import argparse
import collections
import glob
import json
import os
import re
import statistics
import sys

# Where code lives in the source tree, first path component -> part.
PARTS_BY_DIR = {
    'lib': 'librnpu',
    'include': 'librnpu',
    'drivers': 'driver core',
    'osal': 'OS services',
    'host': 'OS services',
    'sim': 'software NPU',
    'hw': 'register tables',
    'bench': 'bench loop',
}
# For code whose file is unknown or a header shared by several parts: the
# project's function-name prefixes, longest first.
PARTS_BY_PREFIX = (
    ('rnpu_osal_', 'OS services'),
    ('rnpu_host_', 'OS services'),
    ('rk3588_sim_', 'software NPU'),
    ('sim_', 'software NPU'),
    ('rknpu_', 'driver core'),
    ('rnpu_', 'librnpu'),
)
# Shared objects of the C library and the dynamic loader.
LIBC_OBJECT = re.compile(r'(^|/)(libc|libm|libpthread|ld-linux[^/]*|libgcc_s)[.-][^/]*$|vdso')
PARTS = ('librnpu', 'driver core', 'OS services', 'register tables', 'software NPU', 'libc',
         'bench loop', 'other')

COST_LINE = re.compile(r'^[0-9+*-]')
NAMED = re.compile(r'^\((\d+)\)(?: (.*))?$')


class CallgrindFile:
    """One callgrind output file: header fields and self cost per function."""

    def __init__(self, path):
        self.path = path
        self.header = {}
        self.events = []
        self.totals = None
        # (object, file, function) -> list of self costs per event
        self.self_cost = collections.defaultdict(list)
        # function -> instructions of the calls it makes (to other functions)
        self.callee_ir = collections.Counter()
        self._parse()

    def _parse(self):
        names = {}  # (kind, id) -> name, for callgrind's name compression
        ctx = {'ob': '', 'fl': '', 'fn': ''}
        npos = 1
        skip_next_cost = False
        callee = ''

        def resolve(kind, value):
            m = NAMED.match(value)
            if not m:
                return value
            if m.group(2) is not None:
                names[(kind, m.group(1))] = m.group(2)
                return m.group(2)
            return names.get((kind, m.group(1)), '(%s)' % m.group(1))

        with open(self.path, encoding='utf-8', errors='replace') as f:
            for line in f:
                line = line.rstrip('\n')
                if not line or line.startswith('#'):
                    continue
                if COST_LINE.match(line):
                    if skip_next_cost:
                        # The inclusive cost of the call named just before:
                        # not the caller's own, but part of its inclusive
                        # cost unless it calls itself.
                        skip_next_cost = False
                        vals = line.split()[npos:]
                        if callee != ctx['fn'] and vals and 'Ir' in self.events:
                            i = self.events.index('Ir')
                            self.callee_ir[ctx['fn']] += int(vals[i]) if i < len(vals) else 0
                        continue
                    vals = line.split()[npos:]
                    key = (ctx['ob'], ctx['fl'], ctx['fn'])
                    acc = self.self_cost[key]
                    if len(acc) < len(self.events):
                        acc.extend([0] * (len(self.events) - len(acc)))
                    for i, v in enumerate(vals[:len(self.events)]):
                        acc[i] += int(v)
                    continue
                key, _, value = line.partition('=')
                if key in ('ob', 'fl', 'fn'):
                    kind = 'fl' if key == 'fl' else key
                    ctx[key] = resolve(kind, value)
                    if key == 'fl':
                        ctx['fi'] = ctx['fl']
                elif key in ('fi', 'fe', 'cfi', 'cfl'):
                    resolve('fl', value)  # defines a file name for later use
                elif key == 'cob':
                    resolve('ob', value)
                elif key == 'cfn':
                    callee = resolve('fn', value)
                elif key == 'calls':
                    skip_next_cost = True
                elif key in ('jump', 'jcnd'):
                    pass
                else:
                    hkey, _, hval = line.partition(':')
                    hval = hval.strip()
                    self.header[hkey] = hval
                    if hkey == 'events':
                        self.events = hval.split()
                    elif hkey == 'positions':
                        npos = len(hval.split())
                    elif hkey == 'totals':
                        self.totals = [int(v) for v in hval.split()]

    def event(self, name):
        return self.events.index(name) if name in self.events else None

    def sum_self(self, name):
        i = self.event(name)
        if i is None:
            return 0
        return sum(c[i] for c in self.self_cost.values() if len(c) > i)

    def total(self, name):
        """The totals line's value of @name (callgrind's own sum)."""
        i = self.event(name)
        if i is None or self.totals is None:
            return 0
        return self.totals[i] if i < len(self.totals) else 0


def part_of(obj, path, fn, src):
    """The part of the stack a function belongs to."""
    if LIBC_OBJECT.search(os.path.basename(obj) if obj else ''):
        return 'libc'
    rel = None
    if path and path != '???':
        full = os.path.normpath(path)
        if os.path.isabs(full):
            rel = os.path.relpath(full, src)
        else:
            rel = full
    # A .c file of the tree decides; headers and unknown files go by name.
    if rel and not rel.startswith('..') and rel.endswith('.c'):
        top = rel.split(os.sep)[0]
        if top in PARTS_BY_DIR:
            return PARTS_BY_DIR[top]
    base = fn.split("'")[0]
    for prefix, part in PARTS_BY_PREFIX:
        if base.startswith(prefix):
            return part
    if rel and not rel.startswith('..'):
        top = rel.split(os.sep)[0]
        if top in PARTS_BY_DIR:
            return PARTS_BY_DIR[top]
    return 'other'


def counted_files(outdir, function, thread):
    """The dumps taken after each counted call, in call order."""
    found = []
    for path in glob.glob(os.path.join(outdir, '*')):
        m = re.search(r'\.(\d+)-(\d+)$', path)
        if not m or int(m.group(2)) != thread:
            continue
        with open(path, encoding='utf-8', errors='replace') as f:
            head = f.read(4096)
        if 'Trigger: --dump-after=%s' % function in head:
            found.append((int(m.group(1)), path))
    return [p for _, p in sorted(found)]


def analyse(outdir, function, thread, src, top, skip):
    files = [CallgrindFile(p) for p in counted_files(outdir, function, thread)[skip:]]
    if not files:
        raise SystemExit('callcost.py: no dumps after %s for thread %d in %s' %
                         (function, thread, outdir))
    calls = len(files)
    per_call_ir = []
    parts = collections.Counter()
    funcs = collections.Counter()
    func_part = {}
    sys_by_func = collections.Counter()
    incl = collections.Counter()
    syscalls = 0
    per_call_sys = []
    mismatches = []
    for cg in files:
        ir_i, sc_i = cg.event('Ir'), cg.event('sysCount')
        ir = cg.sum_self('Ir')
        if ir != cg.total('Ir'):
            mismatches.append('%s: sum of self costs %d != totals %d' %
                              (cg.path, ir, cg.total('Ir')))
        per_call_ir.append(ir)
        per_call_sys.append(cg.sum_self('sysCount'))
        for fn, n in cg.callee_ir.items():
            incl[fn or '???'] += n
        for (obj, path, fn), cost in cg.self_cost.items():
            part = part_of(obj, path, fn, src)
            name = fn or '???'
            ir_f = cost[ir_i] if len(cost) > ir_i else 0
            parts[part] += ir_f
            funcs[name] += ir_f
            func_part[name] = part
            if sc_i is not None and len(cost) > sc_i and cost[sc_i]:
                sys_by_func[name] += cost[sc_i]
                syscalls += cost[sc_i]
    return {
        'calls': calls,
        'ir_mean': sum(per_call_ir) / calls,
        'ir_median': statistics.median(per_call_ir),
        'ir_min': min(per_call_ir),
        'ir_max': max(per_call_ir),
        'ir_sum': sum(per_call_ir),
        'parts': {p: parts.get(p, 0) / calls for p in PARTS},
        'parts_sum': sum(parts.values()),
        'syscalls': syscalls / calls,
        'syscalls_min': min(per_call_sys),
        'syscalls_max': max(per_call_sys),
        'syscalls_by_function': {f: n / calls for f, n in sys_by_func.most_common()},
        'top': [(f, func_part[f], n / calls) for f, n in funcs.most_common(top)],
        'functions': {f: [func_part[f], n / calls] for f, n in funcs.most_common() if n},
        # Self plus the calls it makes (a function called from itself
        # counted once; costs of mutual recursion would count twice).
        'inclusive': {f: [func_part.get(f, 'other'), (funcs.get(f, 0) + incl.get(f, 0)) / calls]
                      for f in set(funcs) | set(incl) if funcs.get(f, 0) + incl.get(f, 0)},
        'mismatches': mismatches,
    }


def shape_of(line):
    """The fields of bench_callcost's 'callcost type=... m=...' line."""
    return dict(kv.split('=', 1) for kv in line.split()[1:] if '=' in kv)


# Cortex-A76, the RK3588's big core, at its highest operating point
# (Linux arch/arm64/boot/dts/rockchip/rk3588-opp.dtsi: opp-2400000000).
EST_HZ = 2.4e9


# The OS services' register accessors: on an RK3588 each is one load or
# store to the NPU's registers; here each runs the software NPU's model
# of the register interface on the calling thread (sim/, with the locks
# and libc it calls).
REGISTER_ACCESSORS = ('rnpu_osal_readl', 'rnpu_osal_writel')


def register_model(r):
    """Instructions per call inside the register accessors (inclusive)."""
    inc = r.get('inclusive', {})
    return sum(inc.get(f, ['', 0])[1] for f in REGISTER_ACCESSORS)


def is_clock(fn):
    return fn.lstrip('_').startswith('clock_gettime')


def table(paths, top):
    res = []
    for p in paths:
        with open(p, encoding='utf-8') as f:
            res.append(json.load(f))
    parts = [p for p in PARTS if p not in ('bench loop', 'other')]
    print('| type | M | K | N | cores | tasks | counted calls | instructions per call | min - max | ' +
          ' | '.join(parts) + ' | other | system calls | clock_gettime | est. us at 1 IPC, 2.4 GHz |'
          ' register accesses (the model, inclusive) | est. us, accesses as stores |')
    print('| --- |' + ' ---: |' * (8 + len(parts) + 6))
    for r in res:
        sh = r['shape']
        other = r['parts'].get('bench loop', 0) + r['parts'].get('other', 0)
        clock = sum(n for f, n in r['syscalls_by_function'].items() if is_clock(f))
        cells = [sh.get('type', '?'), sh.get('m', '?'), sh.get('k', '?'), sh.get('n', '?'),
                 sh.get('cores', '?'), sh.get('tasks', '?'), str(r['calls']),
                 '%.0f' % r['ir_mean'], '%d - %d' % (r['ir_min'], r['ir_max'])]
        cells += ['%.0f' % r['parts'].get(p, 0) for p in parts]
        cells += ['%.0f' % other, '%.1f' % (r['syscalls'] - clock), '%.1f' % clock,
                  '%.1f' % (r['ir_mean'] / EST_HZ * 1e6)]
        regs = register_model(r)
        cells += ['%.0f' % regs, '%.1f' % ((r['ir_mean'] - regs) / EST_HZ * 1e6)]
        print('| ' + ' | '.join(cells) + ' |')

    def label(r):
        sh = r['shape']
        return '%s %sx%sx%s, %s core%s, %s task%s' % (
            sh.get('type'), sh.get('m'), sh.get('k'), sh.get('n'), sh.get('cores'),
            '' if sh.get('cores') == '1' else 's', sh.get('tasks'),
            '' if sh.get('tasks') == '1' else 's')

    # The first shape (the smallest call) next to the one with most tasks.
    pick = [res[0]]
    most = max(res, key=lambda r: int(r['shape'].get('tasks', 0)))
    if most is not res[0]:
        pick.append(most)
    names = []
    for r in pick:
        for f, _ in sorted(r['functions'].items(), key=lambda kv: -kv[1][1])[:top]:
            if f not in names:
                names.append(f)
    names.sort(key=lambda f: -max(r['functions'].get(f, ['', 0])[1] for r in pick))
    print()
    print('| function | part | ' + ' | '.join('instructions per call, ' + label(r) for r in pick) +
          ' |')
    print('| --- | --- |' + ' ---: |' * len(pick))
    for f in names:
        part = next(r['functions'][f][0] for r in pick if f in r['functions'])
        print('| `%s` | %s | ' % (f, part) +
              ' | '.join('%.0f' % r['functions'].get(f, ['', 0])[1] for r in pick) + ' |')
    # The same shapes, by the steps that cost: a function with everything
    # it calls. The benchmark's own frames are left out.
    steps = []
    for r in pick:
        ranked = sorted(((f, v) for f, v in r.get('inclusive', {}).items()
                         if v[0] not in ('other', 'bench loop')), key=lambda kv: -kv[1][1])
        for f, _ in ranked[:top]:
            if f not in steps:
                steps.append(f)
    steps.sort(key=lambda f: -max(r.get('inclusive', {}).get(f, ['', 0])[1] for r in pick))
    print()
    print('| function with its callees | part | ' +
          ' | '.join('inclusive instructions per call, ' + label(r) for r in pick) + ' |')
    print('| --- | --- |' + ' ---: |' * len(pick))
    for f in steps:
        part = next(r['inclusive'][f][0] for r in pick if f in r.get('inclusive', {}))
        print('| `%s` | %s | ' % (f, part) +
              ' | '.join('%.0f' % r.get('inclusive', {}).get(f, ['', 0])[1] for r in pick) + ' |')
    print()
    print('| shape | system calls per call, by the function issuing them |')
    print('| --- | --- |')
    for r in res:
        calls = ', '.join('`%s` %.1f' % (f, n) for f, n in r['syscalls_by_function'].items())
        print('| %s | %s |' % (label(r), calls or 'none'))


def main():
    ap = argparse.ArgumentParser(
        description='Attributes the calling thread\'s instructions per counted call in the '
        'callgrind dumps of one run (--separate-threads=yes --zero-before=F '
        '--dump-after=F): by part of the stack (the source directory of the '
        'function\'s file, else its name prefix; libc by shared object), with '
        'system calls (callgrind --collect-systime) and the functions. '
        'Prints JSON; with --table, Markdown tables from such JSON files. '
        'Exit status 1 if a dump\'s self costs do not add up to its totals line.')
    ap.add_argument('paths', nargs='+', metavar='PATH',
                    help='the directory holding one run\'s callgrind files; with --table, '
                    'JSON files this script wrote')
    ap.add_argument('--table', action='store_true', help='print Markdown tables')
    ap.add_argument('--function', default='callcost_counted_run',
                    help='the counted function (default: %(default)s)')
    ap.add_argument('--thread', type=int, default=1,
                    help='valgrind thread id of the calling thread (default: 1)')
    ap.add_argument('--src', default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                    help='source tree root (default: this script\'s tree)')
    ap.add_argument('--skip', type=int, default=1,
                    help='counted calls to leave out first (default: 1; the first dump also '
                    'holds system calls made before the first counted call)')
    ap.add_argument('--shape', default='', help='bench_callcost\'s output line, kept in the JSON')
    ap.add_argument('--top', type=int, default=15, help='functions to list (default: 15)')
    args = ap.parse_args()
    if args.table:
        table(args.paths, args.top)
        return 0
    if len(args.paths) != 1:
        ap.error('one directory of callgrind files')
    res = analyse(args.paths[0], args.function, args.thread, os.path.abspath(args.src), args.top,
                  args.skip)
    res['shape'] = shape_of(args.shape)
    json.dump(res, sys.stdout, indent=1)
    sys.stdout.write('\n')
    for m in res['mismatches']:
        print('callcost.py: ' + m, file=sys.stderr)
    return 1 if res['mismatches'] else 0


if __name__ == '__main__':
    sys.exit(main())
