#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR GPL-2.0-only
"""packaging-files: checks the packaging files a board image uses, as TAP.

Usage: check_packaging.py SOURCE_ROOT PROJECT_VERSION

udev rules: `udevadm verify` where systemd has it (254 and later), else a
syntax check of every rule (keys, operators, quoting) and that the rules
name the driver's nodes. DKMS: dkms.conf parsed by bash, its module name
matching kmod/Kbuild. Buildroot: the variables and infrastructure calls a
Buildroot package needs.
"""
import os
import re
import shutil
import subprocess
import sys

root, version = sys.argv[1], sys.argv[2]
results = []


def check(what, ok, detail=""):
    results.append((what, ok, detail))


def read(rel):
    with open(os.path.join(root, rel), encoding="utf-8") as f:
        return f.read()


# ---------------------------------------------------------------- udev
RULES = "packaging/udev/60-rnpu.rules"
MATCH_KEYS = {"ACTION", "DEVPATH", "KERNEL", "KERNELS", "NAME", "SYMLINK", "SUBSYSTEM",
              "SUBSYSTEMS", "DRIVER", "DRIVERS", "TAG", "TAGS", "TEST", "PROGRAM", "RESULT",
              "ENV", "ATTR", "ATTRS", "SYSCTL", "CONST"}
ASSIGN_KEYS = {"NAME", "SYMLINK", "OWNER", "GROUP", "MODE", "TAG", "ENV", "ATTR", "SYSCTL",
               "RUN", "LABEL", "GOTO", "IMPORT", "OPTIONS", "SECLABEL"}
ITEM = re.compile(r'\s*([A-Z]+)(\{[^}]*\})?\s*(==|!=|\+=|-=|:=|=)\s*"([^"]*)"\s*(,|$)')


def udev_syntax(text):
    problems = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        pos, has_match, has_assign = 0, False, False
        while pos < len(line):
            m = ITEM.match(line, pos)
            if not m:
                problems.append("line %d: cannot parse from column %d" % (n, pos + 1))
                break
            key, op, value = m.group(1), m.group(3), m.group(4)
            if op in ("==", "!="):
                if key not in MATCH_KEYS:
                    problems.append("line %d: %s is not a match key" % (n, key))
                has_match = True
            else:
                if key not in ASSIGN_KEYS:
                    problems.append("line %d: %s cannot be assigned" % (n, key))
                if key == "MODE" and not re.fullmatch(r"0[0-7]{3}", value):
                    problems.append("line %d: MODE %s is not an octal mode" % (n, value))
                has_assign = True
            pos = m.end()
        if not (has_match and has_assign):
            problems.append("line %d: a rule needs a match and an assignment" % n)
    return problems


rules = read(RULES)
udevadm = shutil.which("udevadm")
verify = None
if udevadm:
    probe = subprocess.run([udevadm, "verify", "--help"], capture_output=True, text=True)
    if probe.returncode == 0:
        verify = subprocess.run([udevadm, "verify", os.path.join(root, RULES)],
                                capture_output=True, text=True)
if verify is not None:
    check("udev rules pass udevadm verify", verify.returncode == 0, verify.stdout + verify.stderr)
else:
    problems = udev_syntax(rules)
    check("udev rules parse (udevadm verify unavailable: syntax check)", not problems,
          "\n".join(problems))
for node in ("card[0-9]*", "renderD[0-9]*", "rknpu"):
    check("udev rules cover %s" % node,
          re.search(r'KERNEL=="%s".*GROUP="render"' % re.escape(node), rules) is not None)

# ---------------------------------------------------------------- DKMS
dkms = subprocess.run(
    ["bash", "-c", 'kernel_source_dir=K dkms_tree=T; source "$1"; '
     'printf "%s\\n" "$PACKAGE_NAME" "$PACKAGE_VERSION" "${BUILT_MODULE_NAME[0]}" '
     '"${BUILT_MODULE_LOCATION[0]}" "${MAKE[0]}" "$CLEAN"', "dkms",
     os.path.join(root, "kmod/dkms.conf")],
    capture_output=True, text=True)
fields = dkms.stdout.split("\n")
check("dkms.conf is valid shell", dkms.returncode == 0 and len(fields) >= 6, dkms.stderr)
if len(fields) >= 6:
    name, ver, module, location, make, clean = fields[:6]
    check("dkms.conf PACKAGE_NAME and PACKAGE_VERSION (%s)" % version,
          name == "rnpu" and ver == version, "%s %s" % (name, ver))
    kbuild = read("kmod/Kbuild")
    check("dkms.conf module %s.ko is what kmod/Kbuild builds" % module,
          re.search(r"^obj-m\s*\+?=\s*%s\.o" % re.escape(module), kbuild, re.M) is not None)
    check("dkms.conf builds in kmod/", location.rstrip("/") == "kmod" and "M=T/rnpu/" in make
          and make.rstrip().endswith("modules") and clean != "", make)

# ----------------------------------------------------------- Buildroot
mk = read("buildroot/package/rnpu/rnpu.mk")
config = read("buildroot/package/rnpu/Config.in")
desc = read("buildroot/external.desc")
check("Buildroot Config.in defines BR2_PACKAGE_RNPU",
      re.search(r"^config BR2_PACKAGE_RNPU$", config, re.M) is not None
      and re.search(r"^\s+bool \"rnpu\"", config, re.M) is not None)
check("Buildroot external tree is named RNPU", re.search(r"^name: RNPU$", desc, re.M) is not None)
values = dict(re.findall(r"^(RNPU_[A-Z_]+)\s*\+?=\s*(.*)$", mk, re.M))
missing = [v for v in ("RNPU_VERSION", "RNPU_SITE", "RNPU_SITE_METHOD", "RNPU_LICENSE",
                       "RNPU_LICENSE_FILES", "RNPU_INSTALL_STAGING", "RNPU_CONF_OPTS",
                       "RNPU_MODULE_SUBDIRS") if v not in values]
check("rnpu.mk sets the package variables", not missing, "missing: " + " ".join(missing))
check("rnpu.mk version is %s" % version, values.get("RNPU_VERSION") == version)
check("rnpu.mk license files exist",
      all(os.path.exists(os.path.join(root, f)) for f in values.get("RNPU_LICENSE_FILES", "x").split()))
check("rnpu.mk module subdir has a Kbuild",
      os.path.exists(os.path.join(root, values.get("RNPU_MODULE_SUBDIRS", "x"), "Kbuild")))
evals = re.findall(r"^\$\(eval \$\(([a-z-]+)\)\)$", mk, re.M)
check("rnpu.mk evaluates kernel-module before meson-package",
      evals == ["kernel-module", "meson-package"], " ".join(evals))
check("rnpu.mk installs the udev rules", "packaging/udev/60-rnpu.rules" in mk)
options = set(re.findall(r"-D(\w+)=", values.get("RNPU_CONF_OPTS", "")))
known = set(re.findall(r"option\('(\w+)'", read("meson_options.txt")))
check("rnpu.mk meson options exist", options <= known, " ".join(sorted(options - known)))

print("1..%d" % len(results))
failed = 0
for n, (what, ok, detail) in enumerate(results, 1):
    print("%s %d - %s" % ("ok" if ok else "not ok", n, what))
    if not ok:
        failed = 1
        for line in detail.splitlines():
            print("# " + line)
sys.exit(failed)
