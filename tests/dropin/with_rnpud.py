#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR GPL-2.0-only
"""with_rnpud.py RNPUD [DAEMON-ARG...] -- COMMAND [ARG...]

Starts rnpud on a fresh socket, runs COMMAND with RNPUD_SOCKET naming it,
then stops the daemon with SIGTERM. Exits with COMMAND's status, or 1 if
the daemon did not start, or did not exit cleanly within 30 s.
"""
import os
import signal
import subprocess
import sys
import tempfile
import time


def main():
    argv = sys.argv[1:]
    if '--' not in argv:
        print(__doc__, file=sys.stderr)
        return 2
    sep = argv.index('--')
    daemon, command = argv[:sep], argv[sep + 1:]
    tmp = tempfile.mkdtemp(prefix='rnpud-test-')
    sock = os.path.join(tmp, 'rnpud.sock')
    env = dict(os.environ)
    # The daemon carries its own sanitizer runtime, if any.
    env.pop('LD_PRELOAD', None)
    d = subprocess.Popen(daemon + ['--socket', sock], env=env)
    deadline = time.monotonic() + 20
    while not os.path.exists(sock):
        if d.poll() is not None or time.monotonic() > deadline:
            print('# rnpud did not start', flush=True)
            d.kill()
            return 1
        time.sleep(0.02)
    env = dict(os.environ)
    env['RNPUD_SOCKET'] = sock
    env['RNPUD_PID'] = str(d.pid)
    rc = subprocess.call(command, env=env)
    d.send_signal(signal.SIGTERM)
    try:
        drc = d.wait(timeout=30)
    except subprocess.TimeoutExpired:
        print('# rnpud did not stop within 30 s of SIGTERM', flush=True)
        d.kill()
        return 1
    if drc != 0:
        print(f'# rnpud exited with {drc}', flush=True)
        return 1
    if os.path.exists(sock):
        print('# rnpud left its socket behind', flush=True)
        return 1
    os.rmdir(tmp)
    return rc


if __name__ == '__main__':
    sys.exit(main())
