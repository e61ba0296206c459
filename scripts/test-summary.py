#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR GPL-2.0-only
"""Counts test cases from meson test logs and prints 'N passed, N failed'.

Usage: test-summary.py [--passed NAME | --failed NAME]... TESTLOG.json...

Each TAP line ('ok N' / 'not ok N') of a test is one case, so a cmocka
suite of 88 behaviours counts 88; a test without TAP output counts as one
case with meson's verdict. A test that runs in several builds (the
ThreadSanitizer build repeats the concurrency suite) counts in each.
--passed/--failed NAME count a check run outside meson (a build script)
as one case. Exits non-zero if any case or test failed.
"""
import json
import re
import sys

TAP_RE = re.compile(r'^(not ok|ok)\b(.*)$')


def read_tests(paths):
    for path in paths:
        build = path.split('/')[0]
        try:
            f = open(path, encoding='utf-8')
        except OSError as e:
            # A build that failed before its tests ran: one failed case.
            yield build, {'name': f'{build} (no test log: {e.strerror})', 'result': 'ERROR'}
            continue
        with f:
            for line in f:
                if line.strip():
                    yield build, json.loads(line)


def main():
    args = sys.argv[1:]
    passed = failed = skipped = 0
    failures = []
    paths = []
    while args:
        a = args.pop(0)
        if a in ('--passed', '--failed') and args:
            # A check outside meson (a build script): one case.
            name = args.pop(0)
            if a == '--passed':
                passed += 1
            else:
                failed += 1
                failures.append(f'{name}: FAILED')
        else:
            paths.append(a)
    paths = paths or ['build-test/meson-logs/testlog.json']
    for build, t in read_tests(paths):
        name = t.get('name', '?') + (f' [{build}]' if len(paths) > 1 else '')
        result = t.get('result', '')
        cases = [m for m in map(TAP_RE.match, (t.get('stdout') or '').splitlines()) if m]
        if not cases:
            if result == 'SKIP':
                skipped += 1
            elif result in ('OK', 'EXPECTEDFAIL'):
                passed += 1
            else:
                failed += 1
                failures.append(f'{name}: {result}')
            continue
        for m in cases:
            if '# SKIP' in m.group(2):
                skipped += 1
            elif m.group(1) == 'ok':
                passed += 1
            else:
                failed += 1
                failures.append(f'{name}:{m.group(2)}')
        if result not in ('OK', 'EXPECTEDFAIL', 'SKIP') and all(m.group(1) == 'ok' for m in cases):
            failed += 1  # the program failed after its cases passed (leak, crash)
            failures.append(f'{name}: {result}')
    for f_ in failures:
        print(f'FAILED {f_}')
    tail = f', {skipped} skipped' if skipped else ''
    print(f'{passed} passed, {failed} failed{tail}')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
