"""serve_polapi_lib.py - what the policy/packages/limits server tests share
(tests/e2e/test_serve_policy.sh, test_serve_packages.sh, test_serve_limits.sh):
a temporary folder, a vulnerability database made from advisories written
here, images built with tests/tools/mkimage.py, the real `stowaway serve` on
a free loopback port, tokens, and an HTTP client (Python standard library).
Every check prints "ok - ..." or "FAIL - ..."; finish() exits 1 on any failure."""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

STOWAWAY = os.environ["STOWAWAY"]
SRC = os.environ["SW_SOURCE_DIR"]
SHARED = os.environ["SW_SHARED_DATA"]
MKIMAGE = [sys.executable, os.path.join(SRC, "tests/tools/mkimage.py")]
HVALID = [sys.executable, os.path.join(SRC, "tests/tools/harbor_validate.py")]
OPENAPI = os.path.join(SRC, "docs/api/openapi.yaml")

fails = 0


def ok(cond, what, detail=""):
    global fails
    if cond:
        print("ok - %s" % what)
    else:
        fails += 1
        print("FAIL - %s%s" % (what, (": " + str(detail)[:600]) if detail else ""))
    sys.stdout.flush()
    return cond


def finish():
    if fails:
        print("%d check(s) failed" % fails)
        sys.exit(1)
    print("all passed")
    sys.exit(0)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Env:
    """A temporary folder with a database, a store, tokens and a server."""

    def __init__(self):
        self.t = tempfile.mkdtemp(prefix="sw-polapi-")
        self.srv = None
        self.log = os.path.join(self.t, "server.log")
        os.environ["HOME"] = os.path.join(self.t, "home")
        os.makedirs(os.environ["HOME"])
        # SW_TEST_STORE=postgres: the URL of the cluster store_lib.sh started
        self.store = os.environ.get("SW_TEST_STORE_URL") or os.path.join(self.t, "store.sqlite")
        self.db = os.path.join(self.t, "db.sqlite")
        self.port = None

    def path(self, *p):
        return os.path.join(self.t, *p)

    def close(self):
        self.stop()
        shutil.rmtree(self.t, ignore_errors=True)

    # ---- data
    def make_db(self, debian, osv=None):
        """debian: the Debian tracker JSON (dict); osv: {file name: OSV record}."""
        adv = self.path("adv")
        os.makedirs(os.path.join(adv, "osv"), exist_ok=True)
        with open(os.path.join(adv, "debian.json"), "w") as f:
            json.dump(debian, f)
        for name, rec in (osv or {}).items():
            with open(os.path.join(adv, "osv", name), "w") as f:
                json.dump(rec, f)
        args = [STOWAWAY, "db", "update", "-q", "--db", self.db, "--source", "debian=" + os.path.join(adv, "debian.json")]
        if osv:
            args += ["--source", "osv=" + os.path.join(adv, "osv")]
        r = subprocess.run(args, capture_output=True, text=True)
        if r.returncode != 0:
            print("FAIL - db update: " + r.stderr)
            sys.exit(1)

    def tree(self, name, files):
        """A layer folder: {relative path: text}."""
        root = self.path("trees", name)
        for rel, text in files.items():
            p = os.path.join(root, rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "w") as f:
                f.write(text)
        return root

    def image(self, name, layers, tag=None, config=None, fmt="docker-archive"):
        out = self.path(name + ".tar")
        args = MKIMAGE + ["--format", fmt, "-o", out]
        if tag:
            args += ["--tag", tag]
        if config:
            args += ["--config-json", json.dumps(config)]
        r = subprocess.run(args + layers, capture_output=True, text=True)
        if r.returncode != 0:
            print("FAIL - mkimage %s: %s" % (name, r.stderr))
            sys.exit(1)
        return out

    def token(self, scope, name=None):
        r = subprocess.run([STOWAWAY, "serve", "token", "create", "--scope", scope, "--store", self.store,
                            name or scope], capture_output=True, text=True)
        if r.returncode != 0 or not r.stdout.strip().startswith("sw_"):
            print("FAIL - token create: " + r.stderr)
            sys.exit(1)
        return r.stdout.strip()

    # ---- the server
    def start(self, *extra):
        self.port = free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        self.logf = open(self.log, "a")
        self.srv = subprocess.Popen([STOWAWAY, "serve", "--listen", "127.0.0.1:%d" % self.port, "--store", self.store,
                                     "--db", self.db, "--db-poll", "0"] + list(extra), stderr=self.logf)
        for _ in range(100):
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=1).read()
                return
            except Exception:
                if self.srv.poll() is not None:
                    break
                time.sleep(0.1)
        print("FAIL - the server did not start: " + open(self.log).read()[-800:])
        sys.exit(1)

    def stop(self):
        """SIGTERM; the server must exit 0 without a sanitizer report."""
        if self.srv and self.srv.poll() is None:
            self.srv.terminate()
            try:
                rc = self.srv.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.srv.kill()
                rc = self.srv.wait()
            log = open(self.log, errors="replace").read()
            ok(rc == 0 and "Sanitizer" not in log and "runtime error" not in log,
               "the server exits 0 on SIGTERM, no sanitizer report", (rc, log[-1500:]))
        self.srv = None

    def req(self, method, path, token=None, body=None, ctype=None, headers=None, timeout=30):
        """(status, headers, body bytes)."""
        data = body.encode() if isinstance(body, str) else body
        r = urllib.request.Request(self.base + path, method=method, data=data)
        if token:
            r.add_header("Authorization", "Bearer " + token)
        if ctype:
            r.add_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            r.add_header(k, v)
        try:
            with urllib.request.urlopen(r, timeout=timeout) as resp:
                return resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def json(self, method, path, token=None, body=None, ctype=None):
        code, hdrs, data = self.req(method, path, token, body, ctype)
        try:
            doc = json.loads(data) if data else None
        except ValueError:
            doc = None
        return code, doc, data

    def submit(self, token, image_ref):
        code, doc, _ = self.json("POST", "/api/v1/scans", token, json.dumps({"image": image_ref}), "application/json")
        if code != 202:
            return None
        return doc["id"]

    def wait_job(self, token, job, timeout=60):
        end = time.time() + timeout
        while time.time() < end:
            code, doc, _ = self.json("GET", "/api/v1/scans/%s" % job, token)
            if code == 200 and doc["state"] in ("done", "failed"):
                return doc
            time.sleep(0.1)
        return None


def validate(schema, doc, tmpdir):
    """Validate doc against components/schemas/schema of docs/api/openapi.yaml."""
    p = os.path.join(tmpdir, "v-%s.json" % schema)
    with open(p, "w") as f:
        json.dump(doc, f)
    r = subprocess.run(HVALID + [OPENAPI, schema, p], capture_output=True, text=True)
    return r.returncode == 0, (r.stdout + r.stderr)[:500]


def q(s):
    return urllib.parse.quote(s, safe="")


DPKG_STATUS = "Package: %s\nStatus: install ok installed\nVersion: %s\n%sArchitecture: amd64\n\n"


def dpkg_status(pkgs):
    """[(name, version, source or None)] -> a dpkg status file."""
    return "".join(DPKG_STATUS % (n, v, ("Source: %s\n" % s) if s else "") for n, v, s in pkgs)


OS_RELEASE = 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n'
