#!/usr/bin/env python3
"""fakedocker.py - a test Docker Engine API server on a Unix socket (Python 3 stdlib).

Usage: fakedocker.py SOCKET CONFIG.json

CONFIG: {"images": {"NAME-or-ID": "path/to/docker-save.tar", ...},
         "containers": [INSPECT, ...],       # GET /containers/{id}/json, Docker's real shape
         "vanish": ["ID", ...],              # listed by /containers/json, then 404 on inspect
         "broken": ["ID", ...],              # listed, then HTTP 500 on inspect
         "changes": {"ID": [{"Path": "/x", "Kind": 1}, ...]},
         "export": {"ID": "path/to/export.tar"}}

Routes (optionally prefixed with /v1.NN): /_ping, /images/{name}/get (the archive,
chunked as dockerd sends it), /containers/json (running ones, summary shape),
/containers/{id}/json, /containers/{id}/changes, /containers/{id}/export.
Errors are {"message": "..."} as dockerd writes them.  Each request is logged
to CONFIG.log (one line: method path) so tests can count requests.
"""
import json, os, re, socketserver, sys, urllib.parse
from http.server import BaseHTTPRequestHandler

sock, cfgpath = sys.argv[1], sys.argv[2]
cfg = json.load(open(cfgpath))
log = open(cfgpath + ".log", "a", buffering=1)


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def address_string(self):
        return "unix"

    def log_message(self, *a):
        pass

    def reply(self, code, body, ctype="application/json"):
        if not isinstance(body, bytes):
            body = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Api-Version", "1.43")
        self.end_headers()
        self.wfile.write(body)

    def err(self, code, msg):
        self.reply(code, {"message": msg})

    def stream_file(self, path, ctype):
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        with open(path, "rb") as f:
            while True:
                b = f.read(65536)
                if not b:
                    break
                self.wfile.write(b"%x\r\n%s\r\n" % (len(b), b))
        self.wfile.write(b"0\r\n\r\n")

    def find(self, cid):
        for c in cfg.get("containers", []):
            if c["Id"] == cid or c["Id"].startswith(cid) or c["Name"].lstrip("/") == cid:
                return c
        return None

    def do_GET(self):
        log.write("GET %s\n" % self.path)
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        path = re.sub(r"^/v1\.\d+", "", path)
        if path == "/_ping":
            return self.reply(200, b"OK", "text/plain")
        m = re.fullmatch(r"/images/(.+)/get", path)
        if m:
            name = m.group(1)
            imgs = cfg.get("images", {})
            p = imgs.get(name) or imgs.get(name + ":latest")
            if not p:
                return self.err(404, "No such image: %s" % name)
            return self.stream_file(p, "application/x-tar")
        if path == "/containers/json":
            out = []
            ids = [c["Id"] for c in cfg.get("containers", []) if c["State"]["Running"]]
            ids += cfg.get("vanish", []) + cfg.get("broken", [])
            for cid in ids:
                c = self.find(cid)
                out.append({"Id": cid, "Names": [c["Name"]] if c else ["/gone"],
                            "Image": c["Config"]["Image"] if c else "x", "ImageID": c["Image"] if c else "",
                            "State": "running", "Status": "Up 1 minute"})
            return self.reply(200, out)
        m = re.fullmatch(r"/containers/([^/]+)/(json|changes|export)", path)
        if m:
            cid, what = m.groups()
            if cid in cfg.get("broken", []):
                return self.err(500, "container %s: driver failed" % cid)
            c = self.find(cid)
            if not c:
                return self.err(404, "No such container: %s" % cid)
            if what == "json":
                return self.reply(200, c)
            if what == "changes":
                return self.reply(200, cfg.get("changes", {}).get(c["Id"]))
            p = cfg.get("export", {}).get(c["Id"])
            if not p:
                return self.err(500, "export failed")
            return self.stream_file(p, "application/x-tar")
        return self.err(404, "page not found")


class S(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


if os.path.exists(sock):
    os.unlink(sock)
srv = S(sock, H)
srv.serve_forever()
