#!/usr/bin/env python3
"""mkhostile.py - turn an image built by mkimage.py into a hostile one (Python 3 stdlib).

Usage:
  mkhostile.py fanout OCI_DIR WIDTH DEPTH
      Add to index.json of an oci: layout DEPTH levels of nested indexes, each
      naming the level below WIDTH times, the last one empty: WIDTH**DEPTH
      paths through DEPTH distinct documents, and no manifest besides the one
      image.
  mkhostile.py dup-member TAR MEMBER [CONTENT]
      Append a second member named MEMBER to TAR (plain, uncompressed tar): with
      CONTENT as its bytes, else a copy of the first member's bytes with one
      byte changed.  `tar -x` keeps this last copy.
  mkhostile.py first-layer OCI_OR_TAR
      Print the blob path (blobs/sha256/HEX) of the first layer of the one image.
  mkhostile.py config OCI_DIR
      Print the blob path of the config of the one image.
  mkhostile.py deep-symlinks OUT_TAR DEPTH N
      Write an uncompressed layer tar: DEPTH nested directories d/d/..., N symlinks
      in the deepest one (to /usr/lib/os-release, which the layer also holds).
  mkhostile.py docker-member TAR config|layer0
      Print the member name manifest.json gives for the config or the first layer.
"""
import hashlib
import io
import json
import os
import sys
import tarfile

MT_INDEX = "application/vnd.oci.image.index.v1+json"


def sha(data):
    return hashlib.sha256(data).hexdigest()


def put_blob(root, data):
    h = sha(data)
    with open(os.path.join(root, "blobs", "sha256", h), "wb") as f:
        f.write(data)
    return {"mediaType": MT_INDEX, "digest": "sha256:" + h, "size": len(data)}


def fanout(root, width, depth):
    with open(os.path.join(root, "index.json"), "rb") as f:
        top = json.load(f)
    real = top["manifests"][0]
    if "platform" not in real:
        real["platform"] = {"os": "linux", "architecture": "amd64"}
    # the bottom index is empty: no manifest is ever added, only work
    desc = put_blob(root, json.dumps({"schemaVersion": 2, "mediaType": MT_INDEX,
                                      "manifests": []}).encode())
    for _ in range(depth - 1):
        ix = {"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": [desc] * width}
        desc = put_blob(root, json.dumps(ix).encode())
    top["manifests"] = [real] + [desc] * width
    with open(os.path.join(root, "index.json"), "w") as f:
        json.dump(top, f)


def dup_member(path, member, content):
    with tarfile.open(path, "r") as tf:
        first = tf.getmember(member)
        data = tf.extractfile(first).read() if first.isreg() else b""
    if content is None:
        data = bytearray(data or b"x")
        data[-1] ^= 1
        data = bytes(data)
    ti = tarfile.TarInfo(member)
    ti.size = len(data)
    with tarfile.open(path, "a") as tf:
        tf.addfile(ti, io.BytesIO(data))


def deep_symlinks(out, depth, n):
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as tf:
        p = ""
        for _ in range(depth):
            p = p + "/d" if p else "d"
            ti = tarfile.TarInfo(p)
            ti.type = tarfile.DIRTYPE
            ti.mode = 0o755
            tf.addfile(ti)
        for j in range(n):
            ti = tarfile.TarInfo("%s/s%d" % (p, j))
            ti.type = tarfile.SYMTYPE
            ti.linkname = "/usr/lib/os-release"
            tf.addfile(ti)
        data = b"ID=debian\nVERSION_ID=12\n"
        ti = tarfile.TarInfo("usr/lib/os-release")
        ti.size = len(data)
        tf.addfile(ti, io.BytesIO(data))


def read_member(path, name):
    if os.path.isdir(path):
        with open(os.path.join(path, name), "rb") as f:
            return f.read()
    with tarfile.open(path, "r") as tf:
        return tf.extractfile(name).read()


def manifest_of(path):
    top = json.loads(read_member(path, "index.json"))
    d = top["manifests"][0]["digest"]
    return json.loads(read_member(path, "blobs/sha256/" + d[7:]))


def main():
    a = sys.argv[1:]
    if a and a[0] == "fanout" and len(a) == 4:
        fanout(a[1], int(a[2]), int(a[3]))
    elif a and a[0] == "dup-member" and len(a) in (3, 4):
        dup_member(a[1], a[2], a[3].encode() if len(a) == 4 else None)
    elif a and a[0] == "first-layer" and len(a) == 2:
        print("blobs/sha256/" + manifest_of(a[1])["layers"][0]["digest"][7:])
    elif a and a[0] == "config" and len(a) == 2:
        print("blobs/sha256/" + manifest_of(a[1])["config"]["digest"][7:])
    elif a and a[0] == "deep-symlinks" and len(a) == 4:
        deep_symlinks(a[1], int(a[2]), int(a[3]))
    elif a and a[0] == "docker-member" and len(a) == 3:
        m = json.loads(read_member(a[1], "manifest.json"))[0]
        print(m["Config"] if a[2] == "config" else m["Layers"][0])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
