#!/usr/bin/env python3
"""mkimage.py - build small container images for tests (Python 3 stdlib; zstd via the CLI).

Usage:
  mkimage.py --format docker-archive|oci|oci-archive -o OUT [options] LAYER...
  mkimage.py --format oci|oci-archive -o OUT --index linux/amd64=L1,L2 --index linux/arm64=L3 [options]

A LAYER is a directory (tarred as-is, sorted, uid/gid 0, mtime SOURCE_DATE_EPOCH or 0;
whiteouts are just empty files named .wh.NAME / .wh..wh..opq; hard links and symlinks are
kept) or a ready-made uncompressed .tar file (used byte for byte: tests craft unsafe tars
this way).  Layers are listed bottom first.

Options:
  --format F             docker-archive (docker save), oci (layout directory), oci-archive (tar)
  -o, --output OUT       file (docker-archive, oci-archive) or directory (oci)
  --compression LIST     per layer, comma separated: gzip|zstd|none (the last one repeats;
                         default gzip; docker-archive legacy layers are always plain)
  --history TEXT         created_by of the next layer's history entry (repeat per layer)
  --empty-history N:TEXT an empty_layer history entry placed before layer N (0-based;
                         N = number of layers puts it last)
  --platform OS/ARCH[/V] platform of the config and of the index entry (default linux/amd64)
  --no-platform          do not put a platform on the index entry (single image)
  --tag TAG              docker: RepoTags entry ("name:tag"); oci: ref.name annotation
  --index P=L1,L2        one image per --index, for platform P, in one image index
  --nested-index         index.json points at a nested index blob holding the images
  --docker-style S       legacy ("<id>/layer.tar", "<hex>.json", default; a repeated layer
                         is a symlink to its first copy, as docker save writes it) or blobs
                         (Docker 25+: "blobs/sha256/<hex>", OCI layout inside too)
  --no-media-types       omit mediaType from descriptors (detected from content)
  --config-json JSON     a JSON object merged into the config's "config" member (User,
                         Healthcheck, ExposedPorts, Env, Labels, Entrypoint, Cmd ...)
  --config-top JSON      a JSON object merged into the config's top level (created,
                         history: it replaces the one --history makes ...)
  --manifest-annotation K=V  an annotation of the OCI image manifest (repeatable; oci
                         formats and the docker "blobs" style's OCI manifest)
Corruptions (for bad-input tests; N is a 0-based layer number):
  --corrupt-layer-digest N   the manifest names a wrong digest for layer N and the blob is
                             stored under that name (content does not match its digest; legacy docker archives
                             have no layer digests: use --corrupt-diff-id there)
  --corrupt-diff-id N        the config lists a wrong diff_id for layer N
  --corrupt-config-digest    the config blob does not match its digest
  --truncate-layer N[:K]     cut layer N's blob to K bytes (default: half); digests describe
                             the truncated blob, so only the truncation itself is wrong
  --missing-layer N          leave layer N's blob out
  --foreign-layer N          mark layer N foreign (with a URL) and leave its blob out
  --bad-manifest-json        write a manifest (manifest.json or the OCI manifest) that is not JSON
  --bad-config-json          write a config that is not JSON
  --bad-index-json           write an index.json that is not JSON
  --schema1                  write a Docker schema 1 manifest (oci formats)
  --no-layers                write an image with zero layers

Example:
  mkimage.py --format oci -o img --compression gzip,zstd --history 'ADD base' \\
      --history 'RUN apt-get install x' --tag v1 layers/base layers/app
"""
import argparse
import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile

MT_OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_OCI_INDEX = "application/vnd.oci.image.index.v1+json"
MT_OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_LAYER = {
    "none": "application/vnd.oci.image.layer.v1.tar",
    "gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
    "zstd": "application/vnd.oci.image.layer.v1.tar+zstd",
}
MT_FOREIGN = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
EPOCH = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def wrong(digest):
    h = digest[7:]
    return "sha256:" + ("0" if h[0] != "0" else "1") + h[1:]


def tar_dir(path):
    """Tar a directory deterministically (names relative, no leading ./)."""
    if os.path.isfile(path):
        with open(path, "rb") as f:
            return f.read()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        entries = []
        for root, dirs, files in os.walk(path):
            dirs.sort()
            for name in sorted(dirs + files):
                entries.append(os.path.join(root, name))
        entries.sort(key=lambda p: os.path.relpath(p, path).split(os.sep))
        for full in entries:
            rel = os.path.relpath(full, path)
            ti = tf.gettarinfo(full, arcname=rel)
            ti.uid = ti.gid = 0
            ti.uname = ti.gname = "root"
            ti.mtime = EPOCH
            if ti.isreg():
                with open(full, "rb") as f:
                    tf.addfile(ti, f)
            else:
                tf.addfile(ti)
    return buf.getvalue()


def compress(data, how):
    if how == "gzip":
        return gzip.compress(data, compresslevel=6, mtime=0)
    if how == "zstd":
        return subprocess.run(["zstd", "-q", "-c", "-3"], input=data, stdout=subprocess.PIPE,
                              check=True).stdout
    if how == "none":
        return data
    sys.exit("mkimage: unknown compression '%s'" % how)


def bad_json():
    return b'{\n  "schemaVersion": 2,\n  oops\n}\n'


class Image:
    """One platform image: layers, config, manifest blobs."""

    def __init__(self, args, layer_paths, platform):
        self.blobs = {}          # digest -> bytes (all blobs of this image)
        self.layers = []         # dicts: digest, diff_id, size, media_type, blob or None
        n = len(layer_paths)
        comps = [c for c in args.compression.split(",") if c] or ["gzip"]
        for i, lp in enumerate(layer_paths):
            raw = tar_dir(lp)
            how = comps[min(i, len(comps) - 1)]
            blob = compress(raw, how)
            if args.truncate_layer is not None and args.truncate_layer[0] == i:
                k = args.truncate_layer[1]
                blob = blob[: (len(blob) // 2 if k is None else k)]
            L = {"diff_id": sha256(raw), "raw": raw, "blob": blob, "comp": how,
                 "digest": sha256(blob), "size": len(blob), "media_type": MT_LAYER[how]}
            if args.foreign_layer == i:
                L["media_type"] = MT_FOREIGN
                L["urls"] = ["https://foreign.example.test/layer/%d" % i]
            self.layers.append(L)
        os_, arch, variant = (platform.split("/") + [None])[:3]
        self.platform = {"os": os_, "architecture": arch}
        if variant:
            self.platform["variant"] = variant
        history = []
        empties = {}
        for spec in args.empty_history:
            pos, _, text = spec.partition(":")
            empties.setdefault(int(pos), []).append(text)
        for i in range(n + 1):
            for text in empties.get(i, []):
                history.append({"created": "2023-11-14T22:13:20Z", "created_by": text,
                                "empty_layer": True})
            if i < n and i < len(args.history):
                history.append({"created": "2023-11-14T22:13:20Z", "created_by": args.history[i],
                                "comment": "layer %d" % i})
        diff_ids = [L["diff_id"] for L in self.layers]
        if args.corrupt_diff_id is not None:
            diff_ids[args.corrupt_diff_id] = wrong(diff_ids[args.corrupt_diff_id])
        config = {"architecture": arch, "os": os_,
                  "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},
                  "rootfs": {"type": "layers", "diff_ids": diff_ids}, "history": history}
        if args.config_json:
            config["config"].update(json.loads(args.config_json))
        if args.config_top:
            config.update(json.loads(args.config_top))
        if variant:
            config["variant"] = variant
        self.config = bad_json() if args.bad_config_json else json.dumps(config, indent=2).encode()
        self.config_digest = sha256(self.config)
        if args.corrupt_config_digest:
            self.config_digest = wrong(self.config_digest)
        self.args = args

    def manifest(self):
        args = self.args
        if args.schema1:
            m = {"schemaVersion": 1, "name": "x", "tag": "latest", "architecture": "amd64",
                 "fsLayers": [], "history": []}
            return json.dumps(m).encode()
        layers = []
        for i, L in enumerate(self.layers):
            d = {"mediaType": L["media_type"], "digest": L["digest"], "size": L["size"]}
            if args.corrupt_layer_digest == i:
                d["digest"] = wrong(d["digest"])
            if "urls" in L:
                d["urls"] = L["urls"]
            layers.append(d)
        m = {"schemaVersion": 2, "mediaType": MT_OCI_MANIFEST,
             "config": {"mediaType": MT_OCI_CONFIG, "digest": self.config_digest,
                        "size": len(self.config)},
             "layers": layers}
        if args.manifest_annotation:
            m["annotations"] = dict(a.split("=", 1) for a in args.manifest_annotation)
        if args.no_media_types:
            del m["mediaType"]
            for d in [m["config"]] + layers:
                d.pop("mediaType", None)
        return bad_json() if args.bad_manifest_json else json.dumps(m, indent=2).encode()

    def oci_blobs(self):
        """Blobs of this image for an OCI layout; returns (manifest_bytes, {digest: bytes})."""
        out = {}
        for i, L in enumerate(self.layers):
            if self.args.missing_layer == i or self.args.foreign_layer == i:
                continue
            dg = L["digest"]
            if self.args.corrupt_layer_digest == i:
                dg = wrong(dg)  # stored under the name the manifest gives
            out[dg] = L["blob"]
        out[sha256(self.config) if not self.args.corrupt_config_digest else self.config_digest] = \
            self.config
        man = self.manifest()
        out[sha256(man)] = man
        return man, out


def descriptor(args, data, media_type, platform=None, tag=None):
    d = {"mediaType": media_type, "digest": sha256(data), "size": len(data)}
    if args.no_media_types:
        del d["mediaType"]
    if platform is not None:
        d["platform"] = platform
    if tag:
        d["annotations"] = {"org.opencontainers.image.ref.name": tag}
    return d


def oci_layout(args, images):
    """Returns {path: bytes} of an OCI image layout."""
    files = {"oci-layout": json.dumps({"imageLayoutVersion": "1.0.0"}).encode()}
    blobs = {}
    descs = []
    for img in images:
        man, b = img.oci_blobs()
        blobs.update(b)
        plat = None if (args.no_platform and len(images) == 1) else img.platform
        descs.append(descriptor(args, man, MT_OCI_MANIFEST, plat,
                                None if (len(images) > 1 or args.nested_index) else args.tag))
    if args.nested_index or len(images) > 1:
        idx = json.dumps({"schemaVersion": 2, "mediaType": MT_OCI_INDEX, "manifests": descs},
                         indent=2).encode()
        if args.nested_index:
            blobs[sha256(idx)] = idx
            top = {"schemaVersion": 2, "mediaType": MT_OCI_INDEX,
                   "manifests": [descriptor(args, idx, MT_OCI_INDEX, None, args.tag)]}
        else:
            top = json.loads(idx)
            if args.tag:
                for d in top["manifests"]:
                    d["annotations"] = {"org.opencontainers.image.ref.name": args.tag}
    else:
        top = {"schemaVersion": 2, "mediaType": MT_OCI_INDEX, "manifests": descs}
    files["index.json"] = bad_json() if args.bad_index_json else json.dumps(top, indent=2).encode()
    for dg, data in blobs.items():
        files["blobs/sha256/" + dg[7:]] = data
    return files


def docker_archive(args, img):
    files = {}
    style = args.docker_style
    layer_names = []
    sources = {}
    seen = {}
    for i, L in enumerate(img.layers):
        data = L["blob"]
        if style == "legacy":
            name = "%s/layer.tar" % hashlib.sha256(("layer%d" % i).encode()).hexdigest()
        else:
            dg = L["digest"]
            if args.corrupt_layer_digest == i:
                dg = wrong(dg)
            name = "blobs/sha256/" + dg[7:]
        layer_names.append(name)
        if "urls" in L:
            sources[L["diff_id"]] = {"mediaType": L["media_type"], "size": L["size"],
                                     "digest": L["digest"], "urls": L["urls"]}
        if args.missing_layer == i or args.foreign_layer == i:
            continue
        if style == "legacy" and data in seen:
            # docker save links a repeated layer to its first copy
            files[name] = SymLink("../" + seen[data])
            continue
        seen.setdefault(data, name)
        files[name] = data
    cfg_hex = img.config_digest[7:]
    cfg_name = cfg_hex + ".json" if style == "legacy" else "blobs/sha256/" + cfg_hex
    files[cfg_name] = img.config
    entry = {"Config": cfg_name, "RepoTags": [args.tag] if args.tag else None,
             "Layers": layer_names}
    if sources:
        entry["LayerSources"] = sources
    man = bad_json() if args.bad_manifest_json else json.dumps([entry]).encode()
    if style == "blobs":
        lay = oci_layout(args, [img])
        files["oci-layout"] = lay["oci-layout"]
        files["index.json"] = lay["index.json"]
        for k, v in lay.items():
            if k.startswith("blobs/") and k not in files and v is not None:
                files[k] = v
    # docker save puts manifest.json last
    files["manifest.json"] = man
    return files


class SymLink(str):
    """A tar member that is a symlink to the given target."""


def write_tar(path, files):
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tf:
        dirs = set()
        for name in files:
            parts = name.split("/")[:-1]
            for j in range(1, len(parts) + 1):
                dirs.add("/".join(parts[:j]))
        for d in sorted(dirs):
            ti = tarfile.TarInfo(d)
            ti.type = tarfile.DIRTYPE
            ti.mode = 0o755
            ti.mtime = EPOCH
            tf.addfile(ti)
        for name, data in files.items():
            ti = tarfile.TarInfo(name)
            if isinstance(data, SymLink):
                ti.type = tarfile.SYMTYPE
                ti.linkname = str(data)
                ti.mtime = EPOCH
                tf.addfile(ti)
                continue
            ti.size = len(data)
            ti.mode = 0o644
            ti.mtime = EPOCH
            tf.addfile(ti, io.BytesIO(data))


def write_dir(path, files):
    if os.path.exists(path):
        shutil.rmtree(path)
    for name, data in files.items():
        full = os.path.join(path, name)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(data)


def parse_trunc(s):
    n, _, k = s.partition(":")
    return (int(n), int(k) if k else None)


def main():
    ap = argparse.ArgumentParser(description="build small container images for tests",
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__)
    ap.add_argument("--format", required=True, choices=["docker-archive", "oci", "oci-archive"])
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("--compression", default="gzip")
    ap.add_argument("--history", action="append", default=[])
    ap.add_argument("--empty-history", action="append", default=[])
    ap.add_argument("--platform", default="linux/amd64")
    ap.add_argument("--no-platform", action="store_true")
    ap.add_argument("--tag")
    ap.add_argument("--index", action="append", default=[])
    ap.add_argument("--nested-index", action="store_true")
    ap.add_argument("--docker-style", default="legacy", choices=["legacy", "blobs"])
    ap.add_argument("--no-media-types", action="store_true")
    ap.add_argument("--config-json")
    ap.add_argument("--config-top")
    ap.add_argument("--manifest-annotation", action="append", default=[])
    ap.add_argument("--corrupt-layer-digest", type=int)
    ap.add_argument("--corrupt-diff-id", type=int)
    ap.add_argument("--corrupt-config-digest", action="store_true")
    ap.add_argument("--truncate-layer", type=parse_trunc)
    ap.add_argument("--missing-layer", type=int)
    ap.add_argument("--foreign-layer", type=int)
    ap.add_argument("--bad-manifest-json", action="store_true")
    ap.add_argument("--bad-config-json", action="store_true")
    ap.add_argument("--bad-index-json", action="store_true")
    ap.add_argument("--schema1", action="store_true")
    ap.add_argument("--no-layers", action="store_true")
    ap.add_argument("layers", nargs="*")
    args = ap.parse_args()

    if args.index:
        if args.format == "docker-archive":
            sys.exit("mkimage: --index needs an oci format")
        images = []
        for spec in args.index:
            plat, _, lays = spec.partition("=")
            images.append(Image(args, [x for x in lays.split(",") if x], plat))
    else:
        if not args.layers and not args.no_layers:
            sys.exit("mkimage: no layers given (use --no-layers for an empty image)")
        images = [Image(args, [] if args.no_layers else args.layers, args.platform)]

    if args.format == "docker-archive":
        if args.docker_style == "legacy":
            # legacy layer.tar members are plain tars
            args.compression = "none"
            images = [Image(args, [] if args.no_layers else args.layers, args.platform)]
        write_tar(args.output, docker_archive(args, images[0]))
    elif args.format == "oci":
        write_dir(args.output, oci_layout(args, images))
    else:
        write_tar(args.output, oci_layout(args, images))


if __name__ == "__main__":
    main()
