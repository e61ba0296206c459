#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR GPL-2.0-only
"""Counts test cases from a meson test log and prints 'N passed, N failed'.

Each TAP line ('ok N' / 'not ok N') of a test is one case, so a cmocka
suite of 85 behaviours counts 85; a test without TAP output counts as one
case with meson's verdict. Exits non-zero if any case or test failed.
"""
import json
import re
import sys

TAP_RE = re.compile(r'^(not ok|ok)\b(.*)$')


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else 'build/meson-logs/testlog.json'
    passed = failed = skipped = 0
    failures = []
    with open(path, encoding='utf-8') as f:
        for line in f:
            if not line.strip():
                continue
            t = json.loads(line)
            name, result = t.get('name', '?'), t.get('result', '')
            cases = [TAP_RE.match(l) for l in (t.get('stdout') or '').splitlines()]
            cases = [m for m in cases if m]
            if cases:
                for m in cases:
                    if '# SKIP' in m.group(2):
                        skipped += 1
                    elif m.group(1) == 'ok':
                        passed += 1
                    else:
                        failed += 1
                        failures.append(f'{name}:{m.group(2)}')
                if result not in ('OK', 'EXPECTEDFAIL', 'SKIP') and \
                        all(m.group(1) == 'ok' for m in cases):
                    failed += 1  # the program failed after its cases passed
                    failures.append(f'{name}: {result}')
            elif result == 'SKIP':
                skipped += 1
            elif result in ('OK', 'EXPECTEDFAIL'):
                passed += 1
            else:
                failed += 1
                failures.append(f'{name}: {result}')
    for f_ in failures:
        print(f'FAILED {f_}')
    tail = f', {skipped} skipped' if skipped else ''
    print(f'{passed} passed, {failed} failed{tail}')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
