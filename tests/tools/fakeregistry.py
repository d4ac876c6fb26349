#!/usr/bin/env python3
"""fakeregistry.py - a tiny Registry API v2 server on 127.0.0.1 for tests (stdlib only).

Serves the OCI layout DIR as repository REPO: manifests by tag (index.json
ref.name annotations) or digest, blobs (with Range), and optionally a bearer
token flow.  Faults are switched on with --fault (repeatable):

  bearer         every /v2 request needs "Authorization: Bearer <token>" from /token
  token-refuse   the token endpoint answers 403
  token-expire   a token is good for 2 requests, then 401 (the client must refresh)
  wrong-digest   layer blobs are served with one byte changed
  429            the first request for each path answers 429 with Retry-After: 1
  cut            a blob requested without Range is cut after half its bytes
  no-range       Range is ignored (200 with the whole blob)
  schema1        manifests are served as Docker schema 1
  hostile-error  manifests answer 404 with terminal escapes (ESC, C1 U+009B, a
                 bidi override) in the error code and message
  slow-manifest  manifests are sent at 2 bytes/s (Content-Length is right)
  slow-config    the config blob is sent at 2 bytes/s
  long-layer     layer blobs are followed by endless extra bytes (no Content-Length)

Usage: fakeregistry.py --layout DIR --repo REPO --port-file F [--log F] [--lifetime S] [--fault X]...
The server writes its port to F, logs "METHOD PATH STATUS RANGE" lines to --log, and
exits by itself after --lifetime seconds (default 120).
"""
import argparse
import hashlib
import http.server
import json
import os
import re
import threading
import time

A = None
LOCK = threading.Lock()
SEEN = set()
TOKENS = {}  # token -> uses left
NTOK = [0]


def log(line):
    if A.log:
        with LOCK, open(A.log, "a") as f:
            f.write(line + "\n")


def blob_path(digest):
    if not re.fullmatch(r"sha256:[0-9a-f]{64}", digest):
        return None
    p = os.path.join(A.layout, "blobs", "sha256", digest[7:])
    return p if os.path.isfile(p) else None


def find_manifest(ref):
    """(bytes, media type) of a manifest by tag or digest, or None."""
    idx = json.load(open(os.path.join(A.layout, "index.json")))
    descs = list(idx.get("manifests", []))
    # nested indexes: their children are reachable by digest too
    for d in list(descs):
        if d.get("mediaType", "").endswith("index.v1+json") and blob_path(d["digest"]):
            descs += json.load(open(blob_path(d["digest"]))).get("manifests", [])
    for d in descs:
        name = d.get("annotations", {}).get("org.opencontainers.image.ref.name")
        if ref == d["digest"] or (name is not None and ref == name):
            p = blob_path(d["digest"])
            if p:
                return open(p, "rb").read(), d.get("mediaType", "application/vnd.oci.image.manifest.v1+json")
    return None


def layer_digests():
    out = set()
    for name in os.listdir(os.path.join(A.layout, "blobs", "sha256")):
        try:
            doc = json.load(open(os.path.join(A.layout, "blobs", "sha256", name)))
        except Exception:
            continue
        if isinstance(doc, dict):
            for layer in doc.get("layers", []) or []:
                out.add(layer.get("digest"))
    return out


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body=b"", ctype="application/json", extra=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        log("%s %s %d %s" % (self.command, self.path, status, self.headers.get("Range", "-")))

    def trickle(self, body, ctype):
        """Send body at 2 bytes/s; stop when the client goes away."""
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        log("%s %s trickle %s" % (self.command, self.path, self.headers.get("Range", "-")))
        try:
            for i in range(0, len(body), 2):
                self.wfile.write(body[i:i + 2])
                self.wfile.flush()
                time.sleep(1)
        except OSError:
            pass
        self.close_connection = True

    def endless(self, data):
        """Send data, then zeros until the client goes away (no length)."""
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        log("%s %s endless %s" % (self.command, self.path, self.headers.get("Range", "-")))
        try:
            self.wfile.write(data)
            for _ in range(100000):  # 6.5 GB at most
                self.wfile.write(bytes(65536))
        except OSError:
            pass
        self.close_connection = True

    def error(self, status, code, msg, extra=None):
        body = json.dumps({"errors": [{"code": code, "message": msg}]}).encode()
        self.reply(status, body, extra=extra)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        host = "127.0.0.1:%d" % self.server.server_address[1]
        if self.path.startswith("/token"):
            if "token-refuse" in A.fault:
                return self.error(403, "DENIED", "no tokens today")
            if "scope=repository%3A" not in self.path and "scope=repository:" not in self.path:
                return self.error(400, "SCOPE", "no scope")
            with LOCK:
                NTOK[0] += 1
                tok = "tok-%d" % NTOK[0]
                TOKENS[tok] = 2 if "token-expire" in A.fault else 1 << 30
            return self.reply(200, json.dumps({"token": tok, "expires_in": 300}).encode())
        if not self.path.startswith("/v2/"):
            return self.error(404, "NOT_FOUND", "no such path")
        if "bearer" in A.fault or "token-refuse" in A.fault or "token-expire" in A.fault:
            auth = self.headers.get("Authorization", "")
            tok = auth[7:] if auth.startswith("Bearer ") else None
            with LOCK:
                good = tok in TOKENS and TOKENS[tok] > 0
                if good:
                    TOKENS[tok] -= 1
            if not good:
                chal = 'Bearer realm="http://%s/token",service="fake",scope="repository:%s:pull"' % (host, A.repo)
                return self.error(401, "UNAUTHORIZED", "authentication required", {"WWW-Authenticate": chal})
        if "429" in A.fault:
            with LOCK:
                first = self.path not in SEEN
                SEEN.add(self.path)
            if first and self.path != "/v2/":
                return self.error(429, "TOOMANYREQUESTS", "slow down", {"Retry-After": "1"})
        if self.path == "/v2/":
            return self.reply(200, b"{}")
        m = re.fullmatch(r"/v2/(.+)/(manifests|blobs)/([^/]+)", self.path)
        if not m or m.group(1) != A.repo:
            return self.error(404, "NAME_UNKNOWN", "repository name not known to registry")
        kind, ref = m.group(2), m.group(3)
        if kind == "manifests" and "hostile-error" in A.fault:
            return self.error(404, "MANIFEST\x1b]0;pwned\x07_\x1b[2J\u009b31m\u202eUNKNOWN", "\x1b[31mgone\u009b")
        if kind == "manifests":
            found = find_manifest(ref)
            if not found:
                return self.error(404, "MANIFEST_UNKNOWN", "manifest unknown")
            body, mt = found
            if "schema1" in A.fault:
                mt = "application/vnd.docker.distribution.manifest.v1+prettyjws"
            if "slow-manifest" in A.fault:
                return self.trickle(body, mt)
            return self.reply(200, body, mt, {"Docker-Content-Digest": "sha256:" + hashlib.sha256(body).hexdigest()})
        p = blob_path(ref)
        if not p:
            return self.error(404, "BLOB_UNKNOWN", "blob unknown to registry")
        data = open(p, "rb").read()
        if "wrong-digest" in A.fault and ref in layer_digests():
            data = bytes([data[0] ^ 1]) + data[1:] if len(data) < 64 else data[:40] + bytes([data[40] ^ 1]) + data[41:]
        if "slow-config" in A.fault and ref not in layer_digests():
            return self.trickle(data, "application/octet-stream")
        if "long-layer" in A.fault and ref in layer_digests():
            return self.endless(data)
        rng = self.headers.get("Range")
        if rng and "no-range" not in A.fault:
            mm = re.fullmatch(r"bytes=(\d+)-", rng)
            start = int(mm.group(1)) if mm else 0
            part = data[start:]
            return self.reply(206, part, "application/octet-stream",
                              {"Content-Range": "bytes %d-%d/%d" % (start, len(data) - 1, len(data))})
        if "cut" in A.fault and len(data) > 2:
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            log("%s %s cut %s" % (self.command, self.path, rng or "-"))
            self.close_connection = True
            return
        return self.reply(200, data, "application/octet-stream")


def main():
    global A
    ap = argparse.ArgumentParser()
    ap.add_argument("--layout", required=True)
    ap.add_argument("--repo", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log")
    ap.add_argument("--lifetime", type=float, default=120)
    ap.add_argument("--fault", action="append", default=[])
    A = ap.parse_args()
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    srv.daemon_threads = True
    tmp = A.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, A.port_file)
    threading.Timer(A.lifetime, srv.shutdown).start()
    srv.serve_forever()


if __name__ == "__main__":
    main()
