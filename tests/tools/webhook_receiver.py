#!/usr/bin/python3
"""webhook_receiver.py PORT CONTROL.json LOG.jsonl - a webhook receiver on
127.0.0.1:PORT for tests/e2e/test_serve_hooks.sh (standard library only).

CONTROL.json (read at every request): {"secrets": {PATH: SECRET},
"plans": {PATH: [ANSWER, ...]}, "files": DIR}.  A POST to PATH takes the
next ANSWER of its plan (an HTTP status, or "hang": keep the connection
open for 60 s without answering); when the plan is used up it answers 200.
The receiver checks X-Stowaway-Signature itself: sha256=HEX(HMAC-SHA256
(SECRET, body)) with hmac and hashlib.  Each request is one line of LOG:
{"path", "t" (time), "answer", "sig_ok", "headers", "body" (parsed JSON or
null)}; a "hang" is logged when it starts.

GET /slow/NAME answers DIR/NAME after 2 seconds (a slow advisory source for
the database update tests)."""
import hashlib
import hmac
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, CONTROL, LOG = int(sys.argv[1]), sys.argv[2], sys.argv[3]
lock = threading.Lock()
used = {}


def control():
    try:
        with open(CONTROL) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def log(entry):
    with lock:
        with open(LOG, "a") as f:
            f.write(json.dumps(entry) + "\n")


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def answer(self, code, body=b""):
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        c = control()
        if self.path.startswith("/slow/") and "/" not in self.path[6:]:
            time.sleep(2)
            try:
                with open(os.path.join(c.get("files", "."), self.path[6:]), "rb") as f:
                    data = f.read()
            except OSError:
                return self.answer(404)
            return self.answer(200, data)
        self.answer(404)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n)
        c = control()
        secret = c.get("secrets", {}).get(self.path, "")
        want = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
        got = self.headers.get("X-Stowaway-Signature", "")
        with lock:
            i = used.get(self.path, 0)
            used[self.path] = i + 1
        plan = c.get("plans", {}).get(self.path, [])
        ans = plan[i] if i < len(plan) else 200
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        log({"path": self.path, "t": time.time(), "answer": ans, "sig_ok": hmac.compare_digest(want, got),
             "headers": {k: v for k, v in self.headers.items()}, "body": body})
        if ans == "hang":
            time.sleep(60)
            return
        self.answer(int(ans), b"ok")


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass   # a client that went away (the server under test was killed)


Server(("127.0.0.1", PORT), H).serve_forever()
