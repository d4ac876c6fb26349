#!/usr/bin/env python3
"""serve_limits_test.py (run by test_serve_limits.sh): /metrics latency
histograms and the connection limits of `stowaway serve`, end to end.

- /metrics is parsed as Prometheus text format 0.0.4 (names, labels, escapes,
  values, one TYPE per family before its samples, no duplicate series); the
  request histogram is labelled by route template (never a raw digest), its
  buckets are cumulative and ordered, +Inf == _count; requests by status
  class add up to the requests counted; the older metric names remain.
- Every path and method of docs/api/openapi.yaml (whoever added it) refuses a
  request without a token (401) and one whose scope is below the route's
  (403; the scope is the operation's x-scope, else "(scope X)" in its
  summary), and lets the right scope through; Harbor's three routes too.
- --max-connections (libmicrohttpd's limit), --max-connections-per-ip (another
  source address still gets in; slots come back when clients go),
  --timeout (idle connections closed), and slow clients: a request line,
  headers or a body that trickle in are dropped after --header-timeout /
  --body-timeout while another client is answered at once by the one request
  thread.
"""
import json
import math
import os
import re
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_polapi_lib import OPENAPI, Env, finish, ok  # noqa: E402

try:
    import yaml
except ImportError:
    print("FAIL - python3-yaml is needed to read docs/api/openapi.yaml")
    sys.exit(1)

NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*$")
LNAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")


def parse_prom(text):
    """Prometheus text 0.0.4 -> ({family: type}, [(name, {labels}, value)]); raises ValueError."""
    types, samples, seen = {}, [], set()
    for n, line in enumerate(text.split("\n"), 1):
        if line == "":
            continue
        if line.startswith("#"):
            parts = line.split(None, 3)
            if len(parts) >= 3 and parts[1] in ("TYPE", "HELP"):
                if not NAME.match(parts[2]):
                    raise ValueError("line %d: bad metric name %r" % (n, parts[2]))
                if parts[1] == "TYPE":
                    if parts[2] in types:
                        raise ValueError("line %d: second TYPE for %s" % (n, parts[2]))
                    if len(parts) != 4 or parts[3] not in ("counter", "gauge", "histogram", "summary", "untyped"):
                        raise ValueError("line %d: bad TYPE line" % n)
                    if any(s[0] == parts[2] or s[0].startswith(parts[2] + "_") for s in samples):
                        raise ValueError("line %d: TYPE after samples of %s" % (n, parts[2]))
                    types[parts[2]] = parts[3]
            continue
        m = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)", line)
        if not m:
            raise ValueError("line %d: no metric name: %r" % (n, line))
        name, i, labels = m.group(1), m.end(), {}
        if i < len(line) and line[i] == "{":
            i += 1
            while True:
                if line[i] == "}":
                    i += 1
                    break
                lm = LNAME.match(line, i)
                if not lm or line[lm.end():lm.end() + 2] != '="':
                    raise ValueError("line %d: bad label at %d" % (n, i))
                key, i, val = lm.group(0), lm.end() + 2, ""
                while line[i] != '"':
                    if line[i] == "\\":
                        esc = line[i + 1]
                        if esc not in 'n"\\':
                            raise ValueError("line %d: bad escape" % n)
                        val += "\n" if esc == "n" else esc
                        i += 2
                    else:
                        val += line[i]
                        i += 1
                i += 1
                if key in labels:
                    raise ValueError("line %d: label %s twice" % (n, key))
                labels[key] = val
                if line[i] == ",":
                    i += 1
                elif line[i] != "}":
                    raise ValueError("line %d: expected , or }" % n)
        rest = line[i:].split()
        if not line[i:].startswith(" ") or len(rest) not in (1, 2):
            raise ValueError("line %d: bad value part %r" % (n, line[i:]))
        v = rest[0]
        value = {"+Inf": math.inf, "-Inf": -math.inf, "NaN": math.nan}.get(v)
        if value is None:
            value = float(v)
        key = (name, tuple(sorted(labels.items())))
        if key in seen:
            raise ValueError("line %d: duplicate series %s" % (n, key))
        seen.add(key)
        fam = name
        for suf in ("_bucket", "_sum", "_count"):
            if name.endswith(suf) and name[:-len(suf)] in types:
                fam = name[:-len(suf)]
        if fam not in types:
            raise ValueError("line %d: sample of %s without a TYPE line" % (n, name))
        samples.append((name, labels, value))
    return types, samples


# ---------------------------------------------------------------- raw sockets
def conn(port, src=None):
    s = socket.socket()
    if src:
        s.bind((src, 0))
    s.settimeout(5)
    s.connect(("127.0.0.1", port))
    return s


def answered(s, data, wait=3.0):
    """Send data; True when an HTTP status line comes back within wait seconds."""
    try:
        s.sendall(data)
        s.settimeout(wait)
        got = s.recv(64)
        return got.startswith(b"HTTP/1.1 ")
    except (OSError, socket.timeout):
        return False


def closed_by_server(s, wait):
    """True when the server has closed s within wait seconds (EOF or reset)."""
    end = time.time() + wait
    while time.time() < end:
        s.settimeout(max(0.05, end - time.time()))
        try:
            if s.recv(4096) == b"":
                return True
        except socket.timeout:
            return False
        except OSError:
            return True
    return False


def dribble(s, chunks, every=0.5, limit=15.0):
    """Send chunks one by one every `every` s until the server closes s;
    the seconds it took, or None when it never closed within limit."""
    t0 = time.time()
    i = 0
    while time.time() - t0 < limit:
        try:
            s.sendall(chunks[i % len(chunks)])
        except OSError:
            return time.time() - t0
        i += 1
        if closed_by_server(s, every):
            return time.time() - t0
    return None


def quick_get(port, path="/healthz", token=None):
    """(status, seconds) of a plain GET on a new connection."""
    t0 = time.time()
    s = conn(port)
    auth = ("Authorization: Bearer %s\r\n" % token) if token else ""
    s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\n%sConnection: close\r\n\r\n" % (path, auth)).encode())
    data = b""
    s.settimeout(10)
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            data += b
    except OSError:
        pass
    s.close()
    m = re.match(rb"HTTP/1\.1 (\d+)", data)
    return (int(m.group(1)) if m else None), time.time() - t0


e = Env()
socks = []
try:
    e.make_db({"openssl": {"CVE-2024-1001": {"description": "x", "releases": {"bookworm": {
        "status": "resolved", "fixed_version": "3.0.13-1~deb12u1", "urgency": "high",
        "repositories": {"bookworm": "3.0.13-1~deb12u1"}}}}}})
    tok = {s: e.token(s) for s in ("read", "scan", "admin")}

    # ================================================================ metrics
    e.start()
    for path, code_want in (("/api/v1/images", 200), ("/api/v1/images/sha256:abc1", 404),
                            ("/api/v1/images/sha256:def2", 404), ("/api/v1/images/sha256:def2/reports", 404),
                            ("/api/v1/no/such/route", 404), ("/api/v1/packages/images?purl=pkg:npm/x", 200)):
        code, _, _ = e.req("GET", path, tok["read"])
        ok(code == code_want, "GET %s: %d" % (path, code_want), code)
    e.req("GET", "/api/v1/images")          # 401
    e.req("POST", "/api/v1/rematch", tok["read"])   # 403
    code, hdrs, raw = e.req("GET", "/metrics", tok["read"])
    text = raw.decode()
    try:
        types, samples = parse_prom(text)
        parsed = True
    except (ValueError, IndexError) as ex:
        parsed, types, samples = False, {}, []
        ok(False, "/metrics parses as Prometheus text format", ex)
    ok(parsed and code == 200 and hdrs.get("Content-Type", "").startswith("text/plain"),
       "/metrics parses as Prometheus text format 0.0.4", text[:300])
    for old in ("stowaway_requests_total", "stowaway_request_errors_total", "stowaway_jobs", "stowaway_queue_depth",
                "stowaway_workers_busy", "stowaway_vulndb_age_seconds"):
        ok(old in types, "the older metric %s is still there" % old)
    ok(types.get("stowaway_request_duration_seconds") == "histogram", "a request latency histogram", types)
    series = {}
    for name, labels, value in samples:
        if name.startswith("stowaway_request_duration_seconds"):
            key = (labels.get("route"), labels.get("method"))
            series.setdefault(key, {"buckets": []})
            if name.endswith("_bucket"):
                series[key]["buckets"].append((float(labels["le"]), value))
            elif name.endswith("_count"):
                series[key]["count"] = value
            elif name.endswith("_sum"):
                series[key]["sum"] = value
    good = bool(series)
    for key, s in series.items():
        les = [le for le, _ in s["buckets"]]
        counts = [c for _, c in s["buckets"]]
        good &= les == sorted(les) and les[-1] == math.inf and len(set(les)) == len(les)
        good &= all(a <= b for a, b in zip(counts, counts[1:]))
        good &= s.get("count") == counts[-1] and s.get("sum", -1) >= 0
    ok(good, "every histogram series: ordered le buckets, cumulative, +Inf == _count, _sum present", series)
    routes = {r for r, _ in series}
    ok(series.get(("/api/v1/images/{digest}", "GET"), {}).get("count") == 2,
       "the two digest requests are counted under the template /api/v1/images/{digest}", sorted(routes))
    ok(series.get(("/api/v1/images/{digest}/reports", "GET"), {}).get("count") == 1 and
       series.get(("/api/v1/images", "GET"), {}).get("count") == 2 and
       series.get(("/api/v1/packages/images", "GET"), {}).get("count") == 1,
       "other routes by their templates (the list: one 200, one 401)", sorted(routes))
    ok(not any("sha256:" in (r or "") for r in routes) and ("other", "GET") in series,
       "no raw path in the labels; an unknown route is 'other'", sorted(routes))
    cls = {labels["class"]: v for name, labels, v in samples if name == "stowaway_requests_by_status_total"}
    total = [v for name, _, v in samples if name == "stowaway_requests_total"][0] if samples else -1
    hist_total = sum(s.get("count", 0) for s in series.values())
    ok(cls.get("4xx", 0) >= 6 and cls.get("2xx", 0) >= 3 and sum(cls.values()) == total == hist_total,
       "requests by status class add up to the requests counted and the histogram counts",
       (cls, total, hist_total))

    # ================================================================ every route: 401 / 403
    spec = yaml.safe_load(open(OPENAPI))
    rank = {"read": 1, "scan": 2, "admin": 3}
    below = {2: "read", 3: "scan"}
    ops, problems = [], []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method not in ("get", "post", "put", "delete", "patch"):
                continue
            if op.get("security") == []:
                continue
            scope = op.get("x-scope")
            if not scope:
                m = re.search(r"\(scope (read|scan|admin)\)", op.get("summary", ""))
                scope = m.group(1) if m else None
            if scope not in rank:
                problems.append("%s %s: no x-scope and no '(scope X)' in its summary" % (method.upper(), path))
                continue
            ops.append((method.upper(), path, scope))
    ops += [("GET", "/api/v1/metadata", "read"), ("POST", "/api/v1/scan", "scan"),
            ("GET", "/api/v1/scan/1/report", "read")]
    ok(not problems, "every operation of the OpenAPI document names its scope", problems)
    ok(len(ops) >= 20, "the walk covers %d operations" % len(ops))
    for method, path, scope in ops:
        url = path.replace("{digest}", "sha256:00").replace("{id}", "1")
        url = re.sub(r"\{[^}]+\}", "x", url)
        body = "{}" if method in ("POST", "PUT", "PATCH") else None
        ct = "application/json" if body else None
        code, hdrs, _ = e.req(method, url, None, body, ct)
        if code != 401 or not (hdrs.get("WWW-Authenticate") or "").startswith("Bearer"):
            problems.append("%s %s without a token: %s" % (method, path, code))
        code, _, _ = e.req(method, url, "sw_" + "0" * 48, body, ct)
        if code != 401:
            problems.append("%s %s with a wrong token: %s" % (method, path, code))
        if rank[scope] > 1:
            code, _, _ = e.req(method, url, tok[below[rank[scope]]], body, ct)
            if code != 403:
                problems.append("%s %s with scope %s (needs %s): %s" % (method, path, below[rank[scope]], scope, code))
        code, _, _ = e.req(method, url, tok[scope], body, ct)
        if code in (401, 403, 405):
            problems.append("%s %s with scope %s: %s" % (method, path, scope, code))
    ok(not problems, "every route: 401 without a token or with a wrong one, 403 below its scope, "
       "through with its scope", problems)
    e.stop()

    # ================================================================ --max-connections
    e.start("--threads", "1", "--max-connections", "3", "--max-connections-per-ip", "100", "--header-timeout", "30")
    socks = [conn(e.port) for _ in range(3)]
    time.sleep(0.3)
    extra = conn(e.port)
    refused = not answered(extra, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    extra.close()
    ok(refused, "--max-connections 3: a 4th connection gets no answer while 3 are open")
    socks.pop().close()
    time.sleep(0.5)
    code, secs = quick_get(e.port)
    ok(code == 200, "once one of them leaves, a new client is answered", code)
    for s in socks:
        s.close()
    socks = []
    e.stop()

    # ================================================================ per IP, --timeout, slow clients
    e.start("--threads", "1", "--max-connections-per-ip", "2", "--header-timeout", "2", "--body-timeout", "2",
            "--timeout", "3")
    a, b = conn(e.port), conn(e.port)
    time.sleep(0.3)
    c = conn(e.port)
    ok(not answered(c, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"),
       "--max-connections-per-ip 2: a 3rd connection from 127.0.0.1 gets no answer")
    c.close()
    d = conn(e.port, src="127.0.0.2")
    ok(answered(d, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"), "a client from another address (127.0.0.2) is answered")
    d.close()
    # the two idle connections never send a request: dropped after --header-timeout
    t0 = time.time()
    ca, cb = closed_by_server(a, 6), closed_by_server(b, 6)
    took = time.time() - t0
    ok(ca and cb and took < 5, "connections that send nothing are closed after --header-timeout (%.1f s)" % took)
    a.close()
    b.close()
    time.sleep(0.3)
    code, secs = quick_get(e.port)
    ok(code == 200, "their slots are free again", code)

    # --timeout: an idle keep-alive connection after a request is closed by libmicrohttpd
    s = conn(e.port)
    ok(answered(s, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"), "a keep-alive request")
    s.recv(4096)
    t0 = time.time()
    closed = closed_by_server(s, 8)
    took = time.time() - t0
    ok(closed and 2.0 <= took <= 6.5, "--timeout 3: the idle keep-alive connection is closed (%.1f s)" % took)
    s.close()

    # slowloris: headers that trickle in, one line every 0.5 s, are dropped after --header-timeout
    s = conn(e.port)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    time.sleep(0.3)
    code, secs = quick_get(e.port)
    ok(code == 200 and secs < 1.0, "while a slow client trickles its headers, another is answered at once "
       "(one request thread; %.2f s)" % secs, code)
    took = dribble(s, [b"X-Slow: 1\r\n"])
    ok(took is not None and 1.0 <= took <= 4.5, "trickling headers: dropped after --header-timeout 2 (%s s)" %
       (None if took is None else "%.1f" % took))
    s.close()
    # a request line that never ends
    s = conn(e.port)
    took = dribble(s, [b"G", b"E", b"T", b" ", b"/", b"a"])
    ok(took is not None and took <= 4.5, "a request line that never ends: dropped (%s s)" %
       (None if took is None else "%.1f" % took))
    s.close()
    # a body that trickles in after complete headers: dropped after --body-timeout, nothing queued
    s = conn(e.port)
    s.sendall(("POST /api/v1/scans HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
               "Content-Type: application/json\r\nContent-Length: 200\r\n\r\n{\"image\":" % tok["scan"]).encode())
    took = dribble(s, [b" "])
    ok(took is not None and 1.0 <= took <= 4.5, "a trickling body: dropped after --body-timeout 2 (%s s)" %
       (None if took is None else "%.1f" % took))
    s.close()
    code, doc, _ = e.json("GET", "/api/v1/scans/1", tok["read"])
    ok(code == 404, "the dropped request queued no job", code)
    # the next request on a keep-alive connection trickling in: dropped within --timeout + --header-timeout
    s = conn(e.port)
    ok(answered(s, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"), "keep-alive: a first request")
    s.recv(4096)
    took = dribble(s, [b"GET /healthz HTTP/1.1\r\n", b"X-Slow: 1\r\n", b"X-Slow: 2\r\n"])
    ok(took is not None and took <= 7.5, "keep-alive: a second request that trickles in is dropped (%s s)" %
       (None if took is None else "%.1f" % took))
    s.close()
    # a client that is slow but finishes in time is served
    s = conn(e.port)
    for part in (b"GET /hea", b"lthz HTTP/1.1\r\n", b"Host: x\r\n", b"\r\n"):
        s.sendall(part)
        time.sleep(0.3)
    s.settimeout(3)
    ok(s.recv(64).startswith(b"HTTP/1.1 200"), "a slow client that finishes its headers in time is answered")
    s.close()
    code, secs = quick_get(e.port)
    ok(code == 200, "the server still answers after the slow clients", code)
    e.stop()
    log = open(e.log).read()
    ok("dropped a slow client" in log, "the log says when a slow client is dropped")
    ok(all(json.loads(line) for line in log.splitlines() if line.strip()), "every log line is one JSON object")
finally:
    for s in socks:
        s.close()
    e.close()
finish()
