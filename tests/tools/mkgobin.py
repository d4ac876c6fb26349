#!/usr/bin/env python3
"""Write a synthetic Go executable of a given size (tests, benchmarks).

A little-endian ELF64 file: one PT_LOAD mapping all of it, a PT_NOTE with
the Go build-ID note, filler (4 KiB pages, mostly zeros, each starting with
a near miss for both binary analyzers: '\\xff Go buildin?' 0x78 0x9c), then
at 16-byte alignment the Go 1.18+ inline build info (.go.buildinfo),
.shstrtab and the section header table at the end, as Go's linker lays
them out.  Written in 1 MiB pieces: the file is never held in memory.

usage: mkgobin.py OUT SIZE_MIB [--module PATH@VERSION] [--dep PATH@VERSION]...
                  [--go go1.22.1]
"""
import argparse
import struct

VBASE = 0x400000


def uvarint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def buildinfo(gover, module, deps):
    start = bytes.fromhex("3077af0c9274080241e1c107e6d618e6")
    end = bytes.fromhex("f932433186182072008242104116d8f2")
    mpath, mver = module.split("@")
    text = "path\t%s\nmod\t%s\t%s\t\n" % (mpath, mpath, mver)
    for d in deps:
        p, v = d.split("@")
        text += "dep\t%s\t%s\th1:x=\n" % (p, v)
    text += "build\tGOOS=linux\n"
    mod = start + text.encode() + end
    hdr = b"\xff Go buildinf:" + bytes([8, 2]) + bytes(16)
    return hdr + uvarint(len(gover)) + gover.encode() + uvarint(len(mod)) + mod


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("size_mib", type=int)
    ap.add_argument("--module", default="example.test/big@v1.0.0")
    ap.add_argument("--dep", action="append", default=[])
    ap.add_argument("--go", default="go1.22.1")
    a = ap.parse_args()

    info = buildinfo(a.go, a.module, a.dep)
    shstr = b"\0.go.buildinfo\0.shstrtab\0"
    total = a.size_mib << 20
    sht_size = 3 * 64
    tail = len(info) + 16 + len(shstr) + 16 + sht_size
    info_off = (total - tail) & ~15
    shstr_off = info_off + len(info)
    sh_off = (shstr_off + len(shstr) + 7) & ~7
    total = sh_off + sht_size

    head = bytearray(4096)
    head[0:4] = b"\x7fELF"
    head[4:7] = bytes([2, 1, 1])
    struct.pack_into("<HHIQQQIHHHHHH", head, 16, 2, 62, 1, VBASE, 64, sh_off,
                     0, 64, 56, 2, 64, 3, 2)
    struct.pack_into("<IIQQQQQQ", head, 64, 1, 5, 0, VBASE, VBASE, total, total, 0x1000)
    struct.pack_into("<IIQQQQQQ", head, 120, 4, 4, 0xF80, VBASE + 0xF80, VBASE + 0xF80, 20, 20, 4)
    struct.pack_into("<III", head, 0xF80, 4, 4, 4)
    head[0xF8C:0xF94] = b"Go\0\0abcd"

    page = bytearray(4096)
    page[0:16] = b"\xff Go buildin?\x78\x9c"   # near misses for both analyzers
    page[100:120] = b"filler filler filler"
    pattern = bytes(page) * 256
    with open(a.out, "wb") as f:
        f.write(head)
        pos = len(head)
        while pos < info_off:
            n = min(len(pattern), info_off - pos)
            f.write(pattern[:n])
            pos += n
        f.write(info)
        f.write(shstr)
        f.write(bytes(sh_off - (shstr_off + len(shstr))))
        f.write(bytes(64))
        f.write(struct.pack("<IIQQQQIIQQ", 1, 1, 3, VBASE + info_off, info_off,
                            len(info), 0, 0, 16, 0))
        f.write(struct.pack("<IIQQQQIIQQ", 15, 3, 0, 0, shstr_off, len(shstr), 0, 0, 1, 0))


if __name__ == "__main__":
    main()
