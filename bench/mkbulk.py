#!/usr/bin/env python3
"""mkbulk.py - a benchmark image: a docker-archive plus one big layer of ordinary files.

Usage: mkbulk.py BASE.docker.tar OUT.docker.tar [--mb N] [--seed S] [--tag NAME:TAG]

Writes OUT: every layer of BASE byte for byte, then one more layer of about N MiB
(default 1024) under srv/bulk/: about 35 % of the bytes as many small text files
(1-32 KiB, slices of the text files found in BASE's layers) and the rest as
pseudo-random data files (256 KiB-8 MiB).  Regular files only, mode 0644, names
*.txt / *.dat: no executables, no package databases, nothing an analyzer wants.
So the package set is BASE's while the image is many times bigger (issue 8, P4:
peak RSS must not grow with the bytes).  Deterministic for a given BASE, N and
seed (mtime SOURCE_DATE_EPOCH or 1700000000).  Streams: memory stays small.
"""
import argparse
import hashlib
import io
import json
import os
import random
import sys
import tarfile
import tempfile

MTIME = int(os.environ.get("SOURCE_DATE_EPOCH", "1700000000"))
TEXT_POOL = 16 << 20


def text_pool(base):
    """Up to TEXT_POOL bytes of text (no NUL, not ELF) taken from BASE's layer tars."""
    pool = bytearray()
    with tarfile.open(base) as outer:
        layers = json.load(outer.extractfile("manifest.json"))[0]["Layers"]
        for name in layers:
            f = outer.extractfile(name)
            if f is None:
                continue
            with tarfile.open(fileobj=f, mode="r|") as layer:
                for m in layer:
                    if not m.isfile() or m.size == 0 or m.size > (1 << 20):
                        continue
                    data = layer.extractfile(m).read()
                    if data.startswith(b"\x7fELF") or b"\0" in data[:8192]:
                        continue
                    pool += data
                    if len(pool) >= TEXT_POOL:
                        return bytes(pool)
    if len(pool) < 4096:
        pool += b"ordinary text for the bulk layer of a benchmark image\n" * 100
    return bytes(pool)


def log_uniform(rng, lo, hi):
    return int(lo * (hi / lo) ** rng.random())


def add(tar, name, data):
    ti = tarfile.TarInfo(name)
    ti.size, ti.mtime, ti.mode = len(data), MTIME, 0o644
    tar.addfile(ti, io.BytesIO(data))


def add_dir(tar, name):
    ti = tarfile.TarInfo(name)
    ti.type, ti.mtime, ti.mode = tarfile.DIRTYPE, MTIME, 0o755
    tar.addfile(ti)


def bulk_layer(path, total, seed, pool):
    """Write the bulk layer tar to PATH; returns (files, content bytes)."""
    rng = random.Random(seed)
    text_budget, files, written = total * 35 // 100, 0, 0
    with tarfile.open(path, "w", format=tarfile.GNU_FORMAT) as tar:
        for d in ("srv", "srv/bulk", "srv/bulk/text", "srv/bulk/data"):
            add_dir(tar, d)
        sub = -1
        while written < text_budget:
            if files % 1000 == 0:
                sub += 1
                add_dir(tar, "srv/bulk/text/%03d" % sub)
            n = min(log_uniform(rng, 1024, 32 << 10), text_budget - written)
            off = rng.randrange(0, max(1, len(pool) - n))
            data = pool[off:off + n] if len(pool) >= n else (pool * (n // len(pool) + 1))[:n]
            add(tar, "srv/bulk/text/%03d/note-%06d.txt" % (sub, files), data)
            files, written = files + 1, written + n
        i = 0
        while written < total:
            n = min(log_uniform(rng, 256 << 10, 8 << 20), total - written)
            add(tar, "srv/bulk/data/blob-%05d.dat" % i, rng.randbytes(n))
            files, written, i = files + 1, written + n, i + 1
    return files, written


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("base")
    ap.add_argument("out")
    ap.add_argument("--mb", type=int, default=1024)
    ap.add_argument("--seed", type=int, default=8)
    ap.add_argument("--tag", default="corpus/bulk:latest")
    a = ap.parse_args()

    outdir = os.path.dirname(os.path.abspath(a.out))
    fd, layer_path = tempfile.mkstemp(prefix=".bulk-layer-", suffix=".tar", dir=outdir)
    os.close(fd)
    tmp_out = a.out + ".tmp"
    try:
        files, nbytes = bulk_layer(layer_path, a.mb << 20, a.seed, text_pool(a.base))
        diff = sha256_file(layer_path)
        with tarfile.open(a.base) as src:
            base_man = json.load(src.extractfile("manifest.json"))
            if len(base_man) != 1:
                sys.exit("mkbulk: %s: expected one image in manifest.json" % a.base)
            cfg = json.load(src.extractfile(base_man[0]["Config"]))
            cfg["rootfs"]["diff_ids"].append("sha256:" + diff)
            cfg.setdefault("history", []).append(
                {"created_by": "COPY bulk/ /srv/bulk/ # bench/mkbulk.py %d MiB" % a.mb})
            cfg_bytes = json.dumps(cfg, sort_keys=True).encode()
            cfg_name = hashlib.sha256(cfg_bytes).hexdigest() + ".json"
            layer_name = diff + "/layer.tar"
            man = [{"Config": cfg_name, "RepoTags": [a.tag],
                    "Layers": base_man[0]["Layers"] + [layer_name]}]
            skip = {"manifest.json", "repositories", base_man[0]["Config"]}
            with tarfile.open(tmp_out, "w", format=tarfile.GNU_FORMAT) as out:
                for m in src:
                    if m.name in skip:
                        continue
                    out.addfile(m, src.extractfile(m) if m.isfile() else None)
                add_dir(out, diff)
                ti = out.gettarinfo(layer_path, arcname=layer_name)
                ti.uid = ti.gid = 0
                ti.uname = ti.gname = ""
                ti.mtime, ti.mode = MTIME, 0o644
                with open(layer_path, "rb") as f:
                    out.addfile(ti, f)
                add(out, cfg_name, cfg_bytes)
                add(out, "manifest.json", json.dumps(man).encode())
        os.replace(tmp_out, a.out)
    finally:
        os.unlink(layer_path)
        if os.path.exists(tmp_out):
            os.unlink(tmp_out)
    print("mkbulk: %s: %d files, %.0f MB in the bulk layer, diff_id sha256:%s"
          % (a.out, files, nbytes / 1e6, diff), file=sys.stderr)


if __name__ == "__main__":
    main()
