#!/usr/bin/env python3
"""A test Kubernetes API server (stdlib only): HTTPS with a certificate the
test made, a bearer token, and the objects of a spec file in the API's real
JSON shapes (PodList, ReplicaSetList, JobList, NamespaceList, Secret,
Status), with paged lists (limit/continue) and namespaces that answer 403.

  fakek8s.py --spec SPEC.json --cert C --key K --port-file F

SPEC: {"token": T, "forbidden": [ns...],
       "namespaces": {NS: {"workloads": [W...], "secrets": {NAME: {"dockerconfigjson": {...}}}}}}
W: {"kind": Deployment|StatefulSet|DaemonSet|CronJob|Pod, "name": N, "pods": COUNT,
    "containers": [{"name", "image", "imageID", "securityContext"?, "ports"?}],
    "pod": {extra pod spec fields: hostNetwork, volumes, securityContext, imagePullSecrets...},
    "annotations": {...}}
GET /_stats (no auth) returns the requests seen: [[path, limit, items], ...].
"""
import argparse, base64, hashlib, json, ssl, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, parse_qs

def uid(*parts):
    h = hashlib.sha256("/".join(parts).encode()).hexdigest()
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:32])

def owner(kind, name, api):
    return {"apiVersion": api, "kind": kind, "name": name, "uid": uid(kind, name),
            "controller": True, "blockOwnerDeletion": True}

def build(spec):
    """namespace -> {"pods": [...], "replicasets": [...], "jobs": [...], "secrets": {...}}"""
    out = {}
    for ns, nd in spec["namespaces"].items():
        pods, rss, jobs = [], [], []
        for w in nd.get("workloads", []):
            kind, name = w["kind"], w["name"]
            h = hashlib.sha256((ns + name).encode()).hexdigest()
            if kind == "Deployment":
                rs = "%s-%s" % (name, h[:10])
                rss.append({"apiVersion": "apps/v1", "kind": "ReplicaSet",
                            "metadata": {"name": rs, "namespace": ns, "uid": uid(ns, rs),
                                         "ownerReferences": [owner("Deployment", name, "apps/v1")]},
                            "spec": {"replicas": w["pods"]}, "status": {"replicas": w["pods"]}})
                pown = owner("ReplicaSet", rs, "apps/v1")
            elif kind == "CronJob":
                job = "%s-2894%s" % (name, h[:4])
                jobs.append({"apiVersion": "batch/v1", "kind": "Job",
                             "metadata": {"name": job, "namespace": ns, "uid": uid(ns, job),
                                          "ownerReferences": [owner("CronJob", name, "batch/v1")]},
                             "spec": {"parallelism": w["pods"]}, "status": {"active": w["pods"]}})
                pown = owner("Job", job, "batch/v1")
            elif kind == "Pod":
                pown = None
            else:
                pown = owner(kind, name, "apps/v1")
            for i in range(w["pods"]):
                pname = name if kind == "Pod" else "%s-%s%05d" % (name, h[10:14], i)
                meta = {"name": pname, "namespace": ns, "uid": uid(ns, pname),
                        "resourceVersion": str(1000 + i), "creationTimestamp": "2026-12-01T10:00:00Z",
                        "labels": {"app": name}}
                if pown:
                    meta["ownerReferences"] = [pown]
                if w.get("annotations"):
                    meta["annotations"] = w["annotations"]
                cs, st = [], []
                for c in w["containers"]:
                    cc = {"name": c["name"], "image": c["image"], "imagePullPolicy": "IfNotPresent",
                          "resources": {}, "terminationMessagePath": "/dev/termination-log"}
                    for k in ("securityContext", "ports"):
                        if k in c:
                            cc[k] = c[k]
                    cs.append(cc)
                    st.append({"name": c["name"], "image": c["image"], "imageID": c["imageID"],
                               "containerID": "containerd://" + hashlib.sha256(pname.encode()).hexdigest(),
                               "ready": True, "restartCount": 0, "started": True,
                               "state": {"running": {"startedAt": "2026-12-01T10:00:05Z"}}})
                pspec = {"containers": cs, "restartPolicy": "Always", "dnsPolicy": "ClusterFirst",
                         "serviceAccountName": "default", "nodeName": "node-%d" % (i % 3),
                         "schedulerName": "default-scheduler"}
                pspec.update(w.get("pod", {}))
                pods.append({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": pspec,
                             "status": {"phase": "Running", "hostIP": "10.0.0.%d" % (i % 3 + 1),
                                        "podIP": "10.244.%d.%d" % (i // 250, i % 250 + 1),
                                        "containerStatuses": st}})
        secrets = {}
        for sname, sd in nd.get("secrets", {}).items():
            raw = json.dumps(sd["dockerconfigjson"]).encode()
            secrets[sname] = {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/dockerconfigjson",
                              "metadata": {"name": sname, "namespace": ns, "uid": uid(ns, sname)},
                              "data": {".dockerconfigjson": base64.b64encode(raw).decode()}}
        out[ns] = {"pods": pods, "replicasets": rss, "jobs": jobs, "secrets": secrets}
    return out

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--spec", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--client-ca", help="also accept client certificates this CA signed (CN = the user)")
    a = ap.parse_args()
    spec = json.load(open(a.spec))
    data = build(spec)
    token = spec["token"]
    forbidden = set(spec.get("forbidden", []))
    stats, lock = [], threading.Lock()

    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def log_message(self, *args):
            pass
        def send(self, code, obj):
            body = json.dumps(obj).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        def status(self, code, reason, msg):
            self.send(code, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                             "message": msg, "reason": reason, "code": code})
        def do_GET(self):
            u = urlsplit(self.path)
            q = parse_qs(u.query)
            parts = u.path.strip("/").split("/")
            if u.path == "/_stats":
                with lock:
                    return self.send(200, {"requests": stats})
            cert = self.connection.getpeercert() if a.client_ca else None
            cn = dict(x[0] for x in cert["subject"]).get("commonName") if cert else None
            if self.headers.get("Authorization") != "Bearer " + token and cn != "stowaway-auditor":
                return self.status(401, "Unauthorized", "Unauthorized")
            def page(kind, items, path):
                limit = int(q.get("limit", ["0"])[0] or 0)
                start = int(base64.b64decode(q["continue"][0]).decode()) if "continue" in q else 0
                end = len(items) if limit <= 0 else min(len(items), start + limit)
                meta = {"resourceVersion": "424242"}
                if end < len(items):
                    meta["continue"] = base64.b64encode(str(end).encode()).decode()
                with lock:
                    stats.append([path, limit, end - start])
                self.send(200, {"kind": kind, "apiVersion": "v1", "metadata": meta, "items": items[start:end]})
            if parts == ["api", "v1", "namespaces"]:
                items = [{"apiVersion": "v1", "kind": "Namespace",
                          "metadata": {"name": ns, "uid": uid(ns)}, "status": {"phase": "Active"}}
                         for ns in sorted(data)]
                return page("NamespaceList", items, u.path)
            # /api/v1/namespaces/NS/pods, /apis/G/V/namespaces/NS/R, /api/v1/namespaces/NS/secrets/N
            try:
                i = parts.index("namespaces")
                ns, res = parts[i + 1], parts[i + 2]
            except (ValueError, IndexError):
                return self.status(404, "NotFound", "the server could not find the requested resource")
            if ns not in data:
                return self.status(404, "NotFound", 'namespaces "%s" not found' % ns)
            if ns in forbidden:
                return self.status(403, "Forbidden",
                                   '%s is forbidden: User "system:serviceaccount:audit:stowaway" cannot list '
                                   'resource "%s" in API group "" in the namespace "%s"' % (res, res, ns))
            if res == "secrets" and len(parts) == i + 4:
                s = data[ns]["secrets"].get(parts[i + 3])
                if not s:
                    return self.status(404, "NotFound", 'secrets "%s" not found' % parts[i + 3])
                with lock:
                    stats.append([u.path, 0, 1])
                return self.send(200, s)
            kinds = {"pods": "PodList", "replicasets": "ReplicaSetList", "jobs": "JobList"}
            if res in kinds and len(parts) == i + 3:
                return page(kinds[res], data[ns][res], u.path)
            return self.status(404, "NotFound", "the server could not find the requested resource")

    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    if a.client_ca:
        ctx.load_verify_locations(a.client_ca)
        ctx.verify_mode = ssl.CERT_OPTIONAL
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    with open(a.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.rename(a.port_file + ".tmp", a.port_file)
    srv.serve_forever()

if __name__ == "__main__":
    main()
