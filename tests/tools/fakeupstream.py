#!/usr/bin/env python3
"""fakeupstream.py - a loopback HTTP server standing in for every upstream
of `stowaway db update` (tests/e2e/test_db_upstream.sh, bench/bench_db_update.sh).

usage: fakeupstream.py ROOT LOG

A request for /HOST/PATH is answered from the file ROOT/HOST/PATH (PATH
percent-decoded), so STOWAWAY_UPSTREAM_OVERRIDE=HOST=http://127.0.0.1:PORT/HOST
serves each upstream host from its own folder at the upstream's own paths.
Files carry an ETag (a hash of their bytes) and a Last-Modified (their
mtime); If-None-Match / If-Modified-Since are answered 304.

The NVD CVE API 2.0: a file PATH.nvd.json (a JSON list of the "cve"
objects) serves PATH as the API: lastModStartDate / lastModEndDate select by
each CVE's lastModified, startIndex / resultsPerPage page (at most
$FAKE_NVD_MAX_PER_PAGE, default 3, per page), totalResults counts.

Faults: ROOT/faults.json maps "/HOST/PATH" to a fault, or to
{"kind": FAULT, "count": N} (the fault is served N times, then the file is
served again):
  truncate   the headers promise the whole file, half of it is sent
  500        HTTP 500
  ratelimit  429 with Retry-After: 1 (403 with Retry-After for the NVD host)
  html       the file, as Content-Type text/html

Every answer is logged to LOG as one JSON line: method, path (with the
query), status, bytes of body sent, conditional (whether the request
carried If-None-Match / If-Modified-Since).  The port is printed on stdout
as "port N".
"""
import email.utils
import hashlib
import http.server
import json
import os
import sys
import threading
import urllib.parse
from datetime import datetime, timezone

ROOT, LOG = sys.argv[1], sys.argv[2]
LOCK = threading.Lock()
TYPES = {".json": "application/json", ".zip": "application/zip", ".gz": "application/gzip",
         ".bz2": "application/x-bzip2", ".xml": "text/xml", ".csv": "text/csv", ".txt": "text/plain",
         ".zst": "application/zstd"}


def parse_nvd_time(s):
    s = s.strip()
    # "2024-01-01T00:00:00.000+00:00" (the client) or "2023-10-03T21:15:10.413" (NVD's own, UTC)
    if s.endswith("Z"):
        s = s[:-1] + "+00:00"
    d = datetime.fromisoformat(s)
    if d.tzinfo is None:
        d = d.replace(tzinfo=timezone.utc)
    return d


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log(self, status, n):
        cond = bool(self.headers.get("If-None-Match") or self.headers.get("If-Modified-Since"))
        with LOCK, open(LOG, "a") as f:
            f.write(json.dumps({"method": self.command, "path": self.path, "status": status, "bytes": n,
                                "conditional": cond}) + "\n")

    def answer(self, status, body=b"", ctype="application/octet-stream", headers=(), send=None):
        self.send_response(status)
        if status != 304:
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        part = body if send is None else body[:send]
        if status != 304 and self.command != "HEAD":
            self.wfile.write(part)
        self.log(status, len(part) if status != 304 else 0)
        if send is not None:
            self.close_connection = True

    def fault(self, path):
        fp = os.path.join(ROOT, "faults.json")
        with LOCK:
            if not os.path.exists(fp):
                return None
            faults = json.load(open(fp))
            f = faults.get(path)
            if f is None:
                return None
            if isinstance(f, dict):
                kind = f["kind"]
                f["count"] = f.get("count", 1) - 1
                if f["count"] <= 0:
                    del faults[path]
                json.dump(faults, open(fp, "w"))
                return kind
            return f

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(u.path)
        if ".." in path.split("/"):
            return self.answer(400)
        fault = self.fault(u.path) or self.fault(path)
        host = path.split("/")[1] if path.count("/") >= 2 else ""
        if fault == "500":
            return self.answer(500, b"internal error\n", "text/plain")
        if fault == "ratelimit":
            st = 403 if host == "services.nvd.nist.gov" else 429
            return self.answer(st, b"rate limited\n", "text/plain", [("Retry-After", "1")])
        local = os.path.join(ROOT, path.lstrip("/"))
        if os.path.isfile(local + ".nvd.json"):
            return self.nvd(local + ".nvd.json", urllib.parse.parse_qs(u.query), fault)
        if not os.path.isfile(local):
            return self.answer(404, b"not found\n", "text/plain")
        body = open(local, "rb").read()
        etag = '"%s"' % hashlib.sha256(body).hexdigest()[:20]
        mtime = int(os.stat(local).st_mtime)
        lm = email.utils.formatdate(mtime, usegmt=True)
        hdrs = [("ETag", etag), ("Last-Modified", lm)]
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        if inm is not None:
            if inm == etag:
                return self.answer(304, headers=hdrs)
        elif ims is not None:
            try:
                if email.utils.parsedate_to_datetime(ims).timestamp() >= mtime:
                    return self.answer(304, headers=hdrs)
            except (TypeError, ValueError):
                pass
        ctype = TYPES.get(os.path.splitext(local)[1], "application/octet-stream")
        if fault == "html":
            ctype = "text/html; charset=utf-8"
        self.answer(200, body, ctype, hdrs, send=len(body) // 2 if fault == "truncate" else None)

    def nvd(self, spec, q, fault):
        items = json.load(open(spec))
        one = lambda k, d: q.get(k, [d])[0]
        start = int(one("startIndex", "0"))
        per = min(int(one("resultsPerPage", "2000")), int(os.environ.get("FAKE_NVD_MAX_PER_PAGE", "3")))
        a, b = one("lastModStartDate", None), one("lastModEndDate", None)
        if (a is None) != (b is None):
            return self.answer(404, b"", "application/json")
        if a is not None:
            a, b = parse_nvd_time(a), parse_nvd_time(b)
            items = [c for c in items if a <= parse_nvd_time(c["lastModified"]) <= b]
        page = items[start:start + per]
        doc = {"resultsPerPage": len(page), "startIndex": start, "totalResults": len(items),
               "format": "NVD_CVE", "version": "2.0", "timestamp": "2026-12-08T00:00:00.000",
               "vulnerabilities": [{"cve": c} for c in page]}
        body = json.dumps(doc, indent=1).encode()
        self.answer(200, body, "text/html" if fault == "html" else "application/json",
                    send=len(body) // 2 if fault == "truncate" else None)

    def log_message(self, *a):
        pass


s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
print("port %d" % s.server_address[1], flush=True)
s.serve_forever()
