#!/usr/bin/env python3
"""mkrpmdb.py - plant a real rpm database (rpm's own sqlite backend) in an image tree.

Usage:
  mkrpmdb.py ROOT SOURCE:BINARY:EPOCH:VERSION:RELEASE ...

For each source package one spec file is written and built with `rpmbuild -bb` (noarch,
no files), one binary sub-package per BINARY; the binary packages are then recorded in
ROOT/var/lib/rpm/rpmdb.sqlite with `rpm -i --justdb` (rpm 4.16+, sqlite backend), so the
database, its headers and their SOURCERPM tags are written by rpm itself.  EPOCH is a
number or "-" (no epoch tag).  Needs rpm and rpmbuild (scripts/setup-deps.sh).
"""
import os
import subprocess
import sys
import tempfile


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    root = sys.argv[1]
    groups = {}
    for spec in sys.argv[2:]:
        parts = spec.split(":")
        if len(parts) != 5:
            sys.exit("mkrpmdb: bad package %r (SOURCE:BINARY:EPOCH:VERSION:RELEASE)" % spec)
        src, binary, epoch, version, release = parts
        key = (src, epoch, version, release)
        groups.setdefault(key, []).append(binary)
    dbpath = os.path.join(os.path.abspath(root), "var/lib/rpm")
    os.makedirs(dbpath, exist_ok=True)
    rpm_args = ["--dbpath", dbpath, "--define", "_db_backend sqlite"]
    with tempfile.TemporaryDirectory() as top:
        for (src, epoch, version, release), binaries in groups.items():
            lines = ["Name: %s" % src, "Version: %s" % version, "Release: %s" % release]
            if epoch != "-":
                lines.append("Epoch: %s" % epoch)
            lines += ["Summary: test package", "License: MIT", "BuildArch: noarch",
                      "%description", "test package"]
            for b in binaries:
                if b == src:   # the main package
                    lines += ["%files"]
                    continue
                sub = "-n %s" % b
                lines += ["%%package %s" % sub, "Summary: test package",
                          "%%description %s" % sub, "test package", "%%files %s" % sub]
            spec = os.path.join(top, src + ".spec")
            with open(spec, "w") as f:
                f.write("\n".join(lines) + "\n")
            subprocess.run(["rpmbuild", "--quiet", "--define", "_topdir " + top, "-bb", spec],
                           check=True, stdout=subprocess.DEVNULL)
        rpms = []
        for d, _, files in os.walk(os.path.join(top, "RPMS")):
            rpms += [os.path.join(d, f) for f in files if f.endswith(".rpm")]
        subprocess.run(["rpm"] + rpm_args + ["--initdb"], check=True)
        subprocess.run(["rpm"] + rpm_args + ["-i", "--justdb", "--nodeps", "--noscripts",
                                             "--nosignature", "--ignorearch", "--ignoreos"] + sorted(rpms),
                       check=True, stderr=subprocess.DEVNULL)
    for junk in (".rpm.lock", "rpmdb.sqlite-shm"):
        p = os.path.join(dbpath, junk)
        if os.path.exists(p):
            os.unlink(p)


if __name__ == "__main__":
    main()
