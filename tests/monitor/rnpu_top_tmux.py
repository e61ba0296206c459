#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR GPL-2.0-only
"""rnpu-top against a live rnpu host: --once and --json print the numbers
of the exported files, the ncurses view (run in tmux, screen captured with
capture-pane) shows them, and an unreadable source gives a clear error.
TAP output. Usage: rnpu_top_tmux.py LIVE_HOST RNPU_TOP TMUX"""
import json
import os
import re
import select
import subprocess
import sys
import tempfile
import time

live_host, rnpu_top, tmux = sys.argv[1:4]
results = []


def check(name, ok, detail=""):
    results.append((name, ok, detail))


def read(root, rel):
    with open(os.path.join(root, rel)) as f:
        return f.read()


def main():
    with tempfile.TemporaryDirectory(prefix="rnpu-top-test-") as tmp:
        root = os.path.join(tmp, "export")
        temp = os.path.join(tmp, "temp")
        with open(temp, "w") as f:
            f.write("47500\n")
        env = dict(os.environ, RNPU_EXPORT_DIR=root, RNPU_MODEL_CLOCK="1",
                   RNPU_THERMAL_PATH=temp, RNPU_EXPORT_PERIOD_MS="100")
        host = subprocess.Popen([live_host], env=env, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        try:
            ready, _, _ = select.select([host.stdout], [], [], 120)
            line = host.stdout.readline().decode() if ready else ""
            check("live-host-ready", line.strip() == "ready", repr(line))
            if line.strip() != "ready":
                return
            run_checks(root)
        finally:
            host.stdin.close()
            try:
                rc = host.wait(timeout=60)
            except subprocess.TimeoutExpired:
                host.kill()
                rc = -1
            check("live-host-exit", rc == 0, "exit %d" % rc)


def run_checks(root):
    load_text = read(root, "debug/rknpu/load")
    files_load = [int(v) for _, v in re.findall(r"Core(\d+):\s*(\d+)%", load_text)]
    freq = int(read(root, "devfreq/fdab0000.npu/cur_freq"))
    volt = int(read(root, "debug/rknpu/volt"))
    power = read(root, "debug/rknpu/power").strip()
    temp = int(read(root, "thermal/thermal_zone0/temp"))
    clients_dir = os.path.join(root, "debug/rknpu/clients")
    clients = sorted(os.listdir(clients_dir))
    check("files-state", files_load == [38, 0, 0] and freq == 800000000 and
          volt == 737500 and power == "on" and temp == 47500 and len(clients) == 1,
          "%s %d %d %s %d %s" % (files_load, freq, volt, power, temp, clients))

    # --once: the text snapshot.
    out = subprocess.run([rnpu_top, "--root", root, "--once"], capture_output=True,
                         text=True, timeout=30)
    once = out.stdout
    check("once-exit", out.returncode == 0, out.stderr)
    check("once-load", all(re.search(r"^Core%d:\s+%d%%$" % (i, v), once, re.M)
                           for i, v in enumerate(files_load)), once)
    check("once-freq-volt-temp",
          "freq: %d MHz" % (freq // 1000000) in once and
          "volt: %.1f mV" % (volt / 1000) in once and
          "temp: %.1f C" % (temp / 1000) in once and "power: %s" % power in once, once)

    # --json: the same numbers, and the session's fdinfo counters.
    out = subprocess.run([rnpu_top, "--root", root, "--json"], capture_output=True,
                         text=True, timeout=30)
    try:
        doc = json.loads(out.stdout)
    except ValueError:
        doc = {}
    check("json-values", doc.get("load") == files_load and doc.get("freq_hz") == freq and
          doc.get("volt_uv") == volt and doc.get("temp_mc") == temp and
          doc.get("power") == power, out.stdout)
    fdinfo = read(root, "debug/rknpu/clients/%s/fdinfo" % clients[0])
    engine = [int(v) for v in re.findall(r"drm-engine-npu\d+:\t(\d+) ns", fdinfo)]
    jc = doc.get("clients") or [{}]
    check("json-fdinfo", jc[0].get("id") == clients[0] and jc[0].get("engine_ns") == engine,
          "%s vs %s" % (jc, fdinfo))

    # The live view in tmux.
    sock = "rnpu-top-test-%d" % os.getpid()
    tenv = dict(os.environ, TERM="xterm")
    subprocess.run([tmux, "-L", sock, "new-session", "-d", "-x", "110", "-y", "30",
                    "%s --root %s --interval 200" % (rnpu_top, root)], env=tenv, check=True,
                   timeout=30)
    screen = ""
    try:
        for _ in range(200):
            screen = subprocess.run([tmux, "-L", sock, "capture-pane", "-p"],
                                    capture_output=True, text=True, timeout=30).stdout
            if "Core2" in screen and "SESSION" in screen:
                break
            time.sleep(0.05)
        for line in screen.splitlines():
            print("# | " + line)
        core_lines = {int(m.group(1)): int(m.group(2)) for m in
                      re.finditer(r"^Core(\d) \[[| ]*\]\s+(\d+)%", screen, re.M)}
        check("tmux-load-bars", [core_lines.get(i) for i in range(3)] == files_load,
              str(core_lines))
        check("tmux-freq-volt-temp-power",
              "freq: %d MHz" % (freq // 1000000) in screen and
              "volt: %.1f mV" % (volt / 1000) in screen and
              "temp: %.1f C" % (temp / 1000) in screen and
              re.search(r"power: %s\b" % power, screen) is not None, screen)
        check("tmux-session-row", re.search(r"^%s\s" % re.escape(clients[0]), screen, re.M)
              is not None, screen)
        subprocess.run([tmux, "-L", sock, "send-keys", "q"], timeout=30)
    finally:
        subprocess.run([tmux, "-L", sock, "kill-server"], capture_output=True, timeout=30)

    # No files: exit status 2 and the path in the message.
    out = subprocess.run([rnpu_top, "--root", "/nonexistent/rnpu", "--once"],
                         capture_output=True, text=True, timeout=30)
    check("unreadable-source", out.returncode == 2 and
          "/nonexistent/rnpu/debug/rknpu/load" in out.stderr, out.stderr)
    out = subprocess.run([rnpu_top, "--interval", "5"], capture_output=True, text=True,
                         timeout=30)
    check("bad-option", out.returncode == 1 and "--interval" in out.stderr, out.stderr)


if __name__ == "__main__":
    try:
        main()
    finally:
        print("1..%d" % len(results))
        for i, (name, ok, detail) in enumerate(results, 1):
            print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
            if not ok:
                for line in str(detail).splitlines()[:40]:
                    print("# " + line)
