#!/usr/bin/env python3
"""serve_policy_test.py (run by test_serve_policy.sh): policy bundles over the
REST API of `stowaway serve`, end to end.

- CRUD: Anchore Engine's own default bundle (../shared/data/specs, unchanged),
  a v2-named JSON bundle and a v1-named YAML bundle written here; list, get
  (the text as submitted), update, delete, default set/unset; scopes (read
  reads, admin writes); bad bundles -> 422 with the library's message naming
  what is wrong (the same text `stowaway policy validate` prints); malformed
  JSON -> 400; wrong content type -> 415; an existing id -> 409.
- Evaluation of stored images built here with planted packages, against each
  bundle: the expected final actions are read off the bundle texts and what
  was planted (a denylisted package -> stop; a CVE with a fix and severity
  high -> stop; an image with neither -> go).
- The default bundle applied to scans and re-matches: the image list shows
  `policy: stop` / `pass`, the stored JSON report carries the policy section.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve_polapi_lib import (OS_RELEASE, SHARED, STOWAWAY, Env, dpkg_status, finish, ok, q,  # noqa: E402
                              validate)
import subprocess  # noqa: E402

ANCHORE = os.path.join(SHARED, "specs", "anchore-anchore-engine_anchore_engine_conf_bundles_anchore_default_bundle.json")
if not os.path.isfile(ANCHORE):
    print("FAIL - missing %s (shared data)" % ANCHORE)
    sys.exit(1)
anchore_text = open(ANCHORE).read()
anchore = json.loads(anchore_text)
ANCHORE_ID = anchore["id"]

DENY = {
    "id": "deny-telnet", "version": "2_0", "name": "No telnet",
    "rule_sets": [{"id": "rs-telnet", "name": "telnet", "rules": [
        {"id": "r-telnet", "gate": "packages", "trigger": "denylist", "action": "STOP",
         "params": [{"name": "name", "value": "telnet"}]}]}],
    "allowlists": [],
    "mappings": [{"id": "m-all", "name": "all", "registry": "*", "repository": "*",
                  "image": {"type": "tag", "value": "*"}, "rule_set_ids": ["rs-telnet"], "allowlist_ids": []}],
    "allowlisted_images": [], "denylisted_images": []}

FIXABLE_YAML = """id: fixable-high
version: "1_0"
name: Fixable high or worse
policies:
  - id: p-vuln
    name: vulns
    rules:
      - id: r-fix-high
        gate: vulnerabilities
        trigger: package
        action: STOP
        params:
          - {name: package_type, value: all}
          - {name: severity_comparison, value: ">="}
          - {name: severity, value: high}
          - {name: fix_available, value: "true"}
whitelists: []
mappings:
  - id: m-all
    name: all
    registry: "*"
    repository: "*"
    image: {type: tag, value: "*"}
    policy_id: p-vuln
    whitelist_ids: []
whitelisted_images: []
blacklisted_images: []
"""

e = Env()
try:
    # ---- data: one advisory (openssl, fixed in 3.0.13-1~deb12u1, urgency high)
    e.make_db({"openssl": {"CVE-2024-1001": {"description": "openssl fixed upstream", "releases": {"bookworm": {
        "status": "resolved", "fixed_version": "3.0.13-1~deb12u1", "urgency": "high",
        "repositories": {"bookworm": "3.0.13-1~deb12u1"}}}}}})
    # A: vulnerable libssl3 (source openssl) and telnet; no HEALTHCHECK
    la = e.tree("a", {"etc/os-release": OS_RELEASE, "var/lib/dpkg/status": dpkg_status(
        [("libssl3", "3.0.11-1~deb12u2", "openssl"), ("telnet", "0.17-44", None)])})
    img_a = e.image("a", [la], tag="reg.example/app/alpha:1")
    # B: fixed libssl3, no telnet, a HEALTHCHECK
    lb = e.tree("b", {"etc/os-release": OS_RELEASE, "var/lib/dpkg/status": dpkg_status(
        [("libssl3", "3.0.13-1~deb12u1", "openssl")])})
    img_b = e.image("b", [lb], tag="reg.example/app/beta:1",
                    config={"Healthcheck": {"Test": ["CMD", "true"], "Interval": 30000000000}})
    # C: fixed libssl3 and telnet (scanned after the default is set)
    lc = e.tree("c", {"etc/os-release": OS_RELEASE, "var/lib/dpkg/status": dpkg_status(
        [("libssl3", "3.0.13-1~deb12u1", "openssl"), ("telnet", "0.17-44", None)])})
    img_c = e.image("c", [lc], tag="reg.example/app/gamma:1",
                    config={"Healthcheck": {"Test": ["CMD", "true"], "Interval": 30000000000}})

    admin, read, scan = e.token("admin"), e.token("read"), e.token("scan")
    e.start("--workers", "1")

    # ---- scans before any default: no policy result
    digests = {}
    for name, ref in (("a", img_a), ("b", img_b)):
        job = e.submit(scan, "docker-archive:" + ref)
        j = e.wait_job(read, job) if job else None
        ok(j and j["state"] == "done", "scan %s done" % name, j)
        digests[name] = j["digest"] if j else "sha256:00"
    code, doc, _ = e.json("GET", "/api/v1/images", read)
    pol = {im["digest"]: im.get("policy") for im in (doc or {}).get("images", [])}
    ok(pol.get(digests["a"], "x") is None and pol.get(digests["b"], "x") is None,
       "no default bundle: images have no policy result", pol)

    # ---- create
    code, doc, raw = e.json("POST", "/api/v1/policies", read, anchore_text, "application/json")
    ok(code == 403, "a read token cannot create a bundle: 403", code)
    code, doc, raw = e.json("POST", "/api/v1/policies", scan, anchore_text, "application/json")
    ok(code == 403, "a scan token cannot create a bundle: 403", code)
    code, hdrs, raw = e.req("POST", "/api/v1/policies", admin, anchore_text, "application/json")
    doc = json.loads(raw) if code == 201 else {}
    ok(code == 201 and doc.get("id") == ANCHORE_ID and hdrs.get("Location") == "/api/v1/policies/" + ANCHORE_ID,
       "Anchore's default bundle stored: 201, its id, Location", (code, raw))
    # the counts from the bundle text
    want = {"rule_sets": len(anchore["policies"]), "rules": sum(len(p["rules"]) for p in anchore["policies"]),
            "mappings": len(anchore["mappings"]), "allowlists": len(anchore["whitelists"]),
            "name": anchore["name"], "format": "json", "default": False}
    ok(all(doc.get(k) == v for k, v in want.items()), "its summary counts match the bundle text", (doc, want))
    v, why = validate("PolicySummary", doc, e.t)
    ok(v, "the summary matches the OpenAPI schema", why)
    code, doc, raw = e.json("POST", "/api/v1/policies", admin, json.dumps(DENY), "application/json")
    ok(code == 201 and doc["id"] == "deny-telnet" and doc["rules"] == 1, "a v2-named JSON bundle: 201", raw)
    code, doc, raw = e.json("POST", "/api/v1/policies", admin, FIXABLE_YAML, "application/yaml")
    ok(code == 201 and doc["id"] == "fixable-high" and doc["format"] == "yaml", "a v1-named YAML bundle: 201", raw)
    code, doc, raw = e.json("POST", "/api/v1/policies", admin, json.dumps(DENY), "application/json")
    ok(code == 409 and "deny-telnet" in doc["error"], "the same id again: 409", raw)

    # ---- bad bundles: 422 with what `stowaway policy validate` says
    bad_gate = json.loads(json.dumps(DENY))
    bad_gate["id"] = "bad-gate"
    bad_gate["rule_sets"][0]["rules"][0]["gate"] = "nosuchgate"
    bad_map = json.loads(json.dumps(DENY))
    bad_map["id"] = "bad-map"
    bad_map["mappings"][0]["rule_set_ids"] = ["missing-rule-set"]
    bad_param = json.loads(json.dumps(DENY))
    bad_param["id"] = "bad-param"
    bad_param["rule_sets"][0]["rules"][0]["params"] = [{"name": "colour", "value": "red"}]
    for name, b, needle in (("unknown gate", bad_gate, "nosuchgate"), ("mapping names a missing rule set", bad_map,
                            "missing-rule-set"), ("unknown param", bad_param, "colour")):
        path = e.path(name.replace(" ", "_") + ".json")
        with open(path, "w") as f:
            json.dump(b, f)
        cli = subprocess.run([STOWAWAY, "policy", "validate", path], capture_output=True, text=True)
        code, doc, raw = e.json("POST", "/api/v1/policies", admin, json.dumps(b), "application/json")
        msg = (doc or {}).get("error", "")
        # the CLI line is "stowaway: 'PATH': MESSAGE"; the API names the body "bundle"
        cli_msg = cli.stderr.strip().split("': ", 1)[-1]
        ok(code == 422 and needle in msg and cli.returncode == 2 and msg.endswith(cli_msg),
           "bad bundle (%s): 422 with the library's message" % name, (code, msg, cli.stderr))
    code, doc, raw = e.json("POST", "/api/v1/policies", admin, '{"id": "x", ', "application/json")
    ok(code == 400 and "malformed JSON" in doc["error"], "malformed JSON: 400", raw)
    code, doc, raw = e.json("POST", "/api/v1/policies", admin, "id: [unclosed", "application/yaml")
    ok(code == 422, "malformed YAML: 422 from the library", raw)
    code, doc, raw = e.json("POST", "/api/v1/policies", admin, json.dumps(DENY), "text/plain")
    ok(code == 415, "wrong content type: 415", raw)
    code, doc, raw = e.json("POST", "/api/v1/policies", admin, "[1, 2]", "application/json")
    ok(code == 400, "a JSON array: 400", raw)
    slash = json.loads(json.dumps(DENY))
    slash["id"] = "a/b"
    code, doc, raw = e.json("POST", "/api/v1/policies", admin, json.dumps(slash), "application/json")
    ok(code == 422 and "id" in doc["error"], "an id that cannot be a path segment: 422", raw)
    code, doc, _ = e.json("GET", "/api/v1/policies", read)
    ok(code == 200 and sorted(p["id"] for p in doc["policies"]) == sorted([ANCHORE_ID, "deny-telnet", "fixable-high"])
       and doc["default"] is None, "list: the three good bundles, nothing half-stored, no default", doc)

    # ---- get: the text as submitted, in its own media type
    code, hdrs, raw = e.req("GET", "/api/v1/policies/" + ANCHORE_ID, read)
    ok(code == 200 and raw.decode() == anchore_text and hdrs.get("Content-Type", "").startswith("application/json"),
       "get: Anchore's bundle byte for byte", code)
    code, hdrs, raw = e.req("GET", "/api/v1/policies/fixable-high", read)
    ok(code == 200 and raw.decode() == FIXABLE_YAML and hdrs.get("Content-Type", "").startswith("application/yaml"),
       "get: the YAML bundle byte for byte as application/yaml", code)
    code, doc, _ = e.json("GET", "/api/v1/policies/nope", read)
    ok(code == 404, "get an unknown bundle: 404", code)

    # ---- evaluation of stored images (expected from the bundle texts and the planted packages)
    def evaluate(digest, bundle=None, token=read):
        path = "/api/v1/images/%s/policy" % digest + ("?bundle=" + q(bundle) if bundle else "")
        return e.json("GET", path, token)

    code, doc, raw = evaluate(digests["a"])
    ok(code == 404 and "default" in doc["error"], "no default and no ?bundle=: 404 saying so", raw)
    # Anchore default: vulnerabilities/package severity > medium -> STOP (CVE-2024-1001 is high);
    # dockerfile/instruction HEALTHCHECK not_exists -> WARN (A has none)
    code, doc, raw = evaluate(digests["a"], ANCHORE_ID)
    hits = [(h["gate"], h["trigger"], h["action"], h["triggerId"]) for h in (doc or {}).get("stowaway", {}).get("results", [])]
    ok(code == 200 and doc["final_action"] == "stop" and
       ("vulnerabilities", "package", "stop", "CVE-2024-1001+libssl3") in hits and
       any(g == "dockerfile" and t == "instruction" and a == "warn" for g, t, a, _ in hits),
       "Anchore's bundle on A: stop (high CVE), warn (no HEALTHCHECK)", (code, hits))
    v, why = validate("PolicyEvaluation", doc or {}, e.t)
    ok(v, "the evaluation matches the OpenAPI schema", why)
    ok(doc and doc["bundle"]["id"] == ANCHORE_ID and doc["matched_mapping_rule"]["id"] == anchore["mappings"][0]["id"]
       and doc["result"][doc["image_id"]]["result"]["row_count"] == len(hits),
       "Anchore-shaped answer: bundle, matched mapping, result rows", raw[:400])
    code, doc, raw = evaluate(digests["b"], ANCHORE_ID)
    ok(code == 200 and doc["final_action"] == "go", "Anchore's bundle on B (fixed, HEALTHCHECK): go", raw[:600])
    code, doc, raw = evaluate(digests["a"], "deny-telnet")
    hits = [(h["gate"], h["trigger"], h["triggerId"]) for h in (doc or {}).get("stowaway", {}).get("results", [])]
    ok(code == 200 and doc["final_action"] == "stop" and hits == [("packages", "denylist", "telnet+0.17-44")],
       "denylisted telnet on A: stop, one hit telnet+0.17-44", (code, hits))
    code, doc, raw = evaluate(digests["b"], "deny-telnet")
    ok(code == 200 and doc["final_action"] == "go" and not doc["stowaway"]["results"], "no telnet on B: go", raw[:300])
    code, doc, raw = evaluate(digests["a"], "fixable-high")
    ok(code == 200 and doc["final_action"] == "stop" and
       [h["triggerId"] for h in doc["stowaway"]["results"]] == ["CVE-2024-1001+libssl3"],
       "YAML bundle on A: fixable high CVE -> stop", raw[:300])
    code, doc, raw = evaluate(digests["b"], "fixable-high")
    ok(code == 200 and doc["final_action"] == "go", "YAML bundle on B: go", raw[:300])
    code, doc, raw = evaluate("sha256:" + "0" * 64, "deny-telnet")
    ok(code == 404, "evaluate an unknown image: 404", code)
    code, doc, raw = evaluate(digests["a"], "nope")
    ok(code == 404 and "nope" in doc["error"], "evaluate with an unknown bundle: 404", raw)

    # ---- update
    deny2 = json.loads(json.dumps(DENY))
    deny2["name"] = "No telnet (warn)"
    deny2["rule_sets"][0]["rules"][0]["action"] = "WARN"
    code, doc, raw = e.json("PUT", "/api/v1/policies/deny-telnet", read, json.dumps(deny2), "application/json")
    ok(code == 403, "a read token cannot update: 403", code)
    code, doc, raw = e.json("PUT", "/api/v1/policies/deny-telnet", admin, json.dumps(deny2), "application/json")
    ok(code == 200 and doc["name"] == "No telnet (warn)", "update: 200 with the new name", raw)
    code, doc, raw = evaluate(digests["a"], "deny-telnet")
    ok(code == 200 and doc["final_action"] == "warn", "the updated bundle is evaluated: warn", raw[:300])
    code, doc, raw = e.json("PUT", "/api/v1/policies/other-id", admin, json.dumps(deny2), "application/json")
    ok(code == 422 and "other-id" in doc["error"], "update with an id that is not the path's: 422", raw)
    nope = json.loads(json.dumps(DENY))
    nope["id"] = "never-made"
    code, doc, raw = e.json("PUT", "/api/v1/policies/never-made", admin, json.dumps(nope), "application/json")
    ok(code == 404, "update of an unknown bundle: 404", raw)
    code, doc, raw = e.json("PUT", "/api/v1/policies/deny-telnet", admin, json.dumps(bad_gate).replace("bad-gate", "deny-telnet"),
                            "application/json")
    ok(code == 422 and "nosuchgate" in doc["error"], "update with a bad bundle: 422", raw)
    code, doc, raw = evaluate(digests["a"], "deny-telnet")
    ok(code == 200 and doc["final_action"] == "warn", "a refused update leaves the bundle as it was", raw[:200])
    e.json("PUT", "/api/v1/policies/deny-telnet", admin, json.dumps(DENY), "application/json")

    # ---- the default bundle: scans and re-matches evaluate it
    code, doc, raw = e.json("PUT", "/api/v1/policies/deny-telnet/default", scan)
    ok(code == 403, "a scan token cannot set the default: 403", code)
    code, doc, raw = e.json("PUT", "/api/v1/policies/nope/default", admin)
    ok(code == 404, "set an unknown bundle as default: 404", code)
    code, doc, raw = e.json("PUT", "/api/v1/policies/deny-telnet/default", admin)
    ok(code == 200 and doc["default"] is True, "set the default: 200", raw)
    code, doc, raw = e.json("GET", "/api/v1/policies", read)
    ok(doc["default"] == "deny-telnet" and [p["id"] for p in doc["policies"] if p["default"]] == ["deny-telnet"],
       "the list names the default", doc)
    code, doc, raw = evaluate(digests["a"])
    ok(code == 200 and doc["final_action"] == "stop" and doc["bundle"]["id"] == "deny-telnet",
       "without ?bundle= the default bundle is evaluated", raw[:200])
    code, doc, raw = e.json("POST", "/api/v1/rematch", admin)
    ok(code == 200 and doc["images"] == 2, "re-match with a default bundle", raw)
    code, doc, _ = e.json("GET", "/api/v1/images", read)
    pol = {im["digest"]: im.get("policy") for im in doc["images"]}
    ok(pol.get(digests["a"]) == "stop" and pol.get(digests["b"]) == "pass",
       "after the re-match the images show policy stop (A: telnet) and pass (B)", pol)
    for im in doc["images"]:
        v, why = validate("Image", im, e.t)
        ok(v, "image %s matches the OpenAPI schema" % im["digest"][:19], why)
    # a fresh scan (image never seen) and a resubmission (stored inventory) evaluate it too
    job = e.submit(scan, "docker-archive:" + img_c)
    j = e.wait_job(read, job) if job else None
    ok(j and j["state"] == "done" and not j["inventory_reused"], "scan C (read from the image) done", j)
    digests["c"] = j["digest"] if j else "sha256:00"
    job = e.submit(scan, "docker-archive:" + img_b)
    j = e.wait_job(read, job) if job else None
    ok(j and j["state"] == "done" and j["inventory_reused"], "scan B again (stored inventory) done", j)
    code, doc, _ = e.json("GET", "/api/v1/images", read)
    pol = {im["digest"]: im.get("policy") for im in doc["images"]}
    ok(pol.get(digests["c"]) == "stop" and pol.get(digests["b"]) == "pass",
       "the default bundle applied to scans: C stop (telnet), B pass", pol)
    code, doc, raw = e.json("GET", "/api/v1/images/%s" % digests["c"], read)
    sec = (doc or {}).get("policy") or {}
    ok(code == 200 and sec.get("finalAction") == "stop" and sec.get("bundleId") == "deny-telnet",
       "the stored JSON report of C has the policy section `scan --policy` writes", json.dumps(sec)[:300])
    code, doc, raw = e.json("GET", "/api/v1/images/%s/reports" % digests["c"], read)
    ok(code == 200 and doc["reports"][0]["policy"] == "stop", "the report history shows policy stop", raw[:300])
    # the CLI with the same bundle on the same image says the same
    dpath = e.path("deny.json")
    with open(dpath, "w") as f:
        json.dump(DENY, f)
    cli = subprocess.run([STOWAWAY, "policy", "eval", "--policy", dpath, "--db", e.db, "-f", "json",
                          "docker-archive:" + img_c], capture_output=True, text=True)
    cli_doc = json.loads(cli.stdout) if cli.stdout.strip() else {}
    ok(cli.returncode == 1 and cli_doc.get("final_action") == "stop", "`stowaway policy eval` on C: stop, exit 1",
       cli.stderr)

    # ---- unset, delete
    code, doc, raw = e.json("DELETE", "/api/v1/policies/deny-telnet/default", admin)
    ok(code == 200 and doc["default"] is False, "unset the default: 200", raw)
    code, doc, raw = evaluate(digests["a"])
    ok(code == 404, "no default any more: evaluation without ?bundle= is 404", code)
    code, doc, raw = e.json("PUT", "/api/v1/policies/fixable-high/default", admin)
    code, doc, raw = e.json("DELETE", "/api/v1/policies/fixable-high", read)
    ok(code == 403, "a read token cannot delete: 403", code)
    code, hdrs, raw = e.req("DELETE", "/api/v1/policies/fixable-high", admin)
    ok(code == 204 and raw == b"", "delete: 204", (code, raw))
    code, doc, raw = e.json("GET", "/api/v1/policies", read)
    ok(doc["default"] is None and "fixable-high" not in [p["id"] for p in doc["policies"]],
       "the deleted default bundle is gone, no default left", doc)
    code, hdrs, raw = e.req("DELETE", "/api/v1/policies/fixable-high", admin)
    ok(code == 404, "delete again: 404", code)
    code, doc, raw = e.json("PATCH", "/api/v1/policies/deny-telnet", admin)
    ok(code == 405, "another method: 405", code)

    # ---- survives a restart (it is in the store)
    e.stop()
    e.start("--workers", "1")
    code, doc, raw = e.json("GET", "/api/v1/policies", read)
    ok(code == 200 and sorted(p["id"] for p in doc["policies"]) == sorted([ANCHORE_ID, "deny-telnet"]),
       "bundles are kept across a restart", doc)
finally:
    e.close()
finish()
