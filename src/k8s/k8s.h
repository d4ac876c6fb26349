/*
 * k8s.h - what runs in a Kubernetes cluster, and how it is run
 * (`stowaway k8s`, docs/k8s.md).
 *
 *   struct sw_kubeconfig kc;
 *   sw_kubeconfig_load(path_or_NULL, context_or_NULL, &kc, err);
 *   struct sw_k8s_opts o = { .kc = &kc, .all_namespaces = true, .scan = &scan_template };
 *   struct sw_k8s_result *r;
 *   sw_k8s_run(&o, &r, err);     (err: nothing could be read at all)
 *   sw_k8s_report(out, SW_K8S_FMT_JSON, r, SW_VERSION_STRING, err);
 *   r->partial: a namespace, a secret or an image failed (each in r->failures)
 *   sw_k8s_result_free(r); sw_kubeconfig_release(&kc);
 *
 * The API server is read with libcurl (net/libcurl.h) and the kubeconfig's
 * credentials: bearer token (or tokenFile), client certificate and key
 * (files or *-data), the cluster's CA (file or -data).  Lists are paged
 * (limit/continue).  Pods are grouped by their controlling owner
 * (ReplicaSet -> Deployment, Job -> CronJob, StatefulSet, DaemonSet, or the
 * bare Pod); each container's image is the digest its status reports
 * (imageID); each distinct digest is scanned once (scan/scan.h, a pool of
 * `concurrency` threads) from its registry with the credentials of the
 * pod's imagePullSecrets (kubernetes.io/dockerconfigjson secrets read from
 * the API).  Each workload's pod template is checked against the Pod
 * Security Standards (baseline and restricted), as struct sw_check_result
 * (checks/checks.h) with the field path as evidence config_key.
 *
 * Ownership: the result owns everything in it.  Nothing is printed; the
 * progress callback (optional) is called from the calling thread while
 * namespaces are read, then from the scanning threads (one at a time,
 * under a lock) as images finish.
 */
#ifndef SW_K8S_K8S_H
#define SW_K8S_K8S_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "checks/checks.h"
#include "scan/scan.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/vec.h"

/* ---- kubeconfig (kubeconfig.c) ----------------------------------------- */

struct sw_kubeconfig {
	char *path;              /* the file read */
	char *context;           /* the context used */
	char *server;            /* https://host:port (no trailing '/') */
	char *ns;                /* the context's namespace, or NULL */
	bool insecure;           /* insecure-skip-tls-verify */
	char *ca_file;           /* certificate-authority (absolute), or NULL */
	struct sw_buf ca_pem;    /* certificate-authority-data, decoded */
	char *token;             /* token, or tokenFile's content; NULL */
	char *cert_file, *key_file;      /* client-certificate / client-key */
	struct sw_buf cert_pem, key_pem; /* *-data, decoded */
	char *username, *password;       /* basic auth, rare */
};

/* Read path (NULL: first of $KUBECONFIG, else ~/.kube/config), pick
 * context (NULL: current-context), resolve its cluster and user; relative
 * file names are relative to the kubeconfig's folder.  SW_E_FORMAT naming
 * the file and what is wrong; SW_E_NOTFOUND for a context, cluster or user
 * that is not there. */
int sw_kubeconfig_load(const char *path, const char *context, struct sw_kubeconfig *out, struct sw_err *err);
/* The same from memory (name for messages; dir for relative paths, may be NULL). */
int sw_kubeconfig_parse(const char *name, const char *dir, const char *data, size_t len, const char *context,
			struct sw_kubeconfig *out, struct sw_err *err);
void sw_kubeconfig_release(struct sw_kubeconfig *kc);

/* ---- the result ---------------------------------------------------------- */

struct sw_k8s_image {
	char *ref;               /* "host/repo@sha256:..." scanned */
	char *ns, *secret_note;  /* the namespace whose pull secrets were used; why none were */
	bool scanned;            /* false: error says why */
	char *error;
	size_t vulns[6];         /* unsuppressed findings by severity: unknown..critical (enum sw_severity_level order) */
	size_t total;
	struct sw_vec vuln_ids;  /* char*: unsuppressed finding ids, sorted, distinct */
	size_t packages;
	bool complete;
};

struct sw_k8s_container {
	char *name;
	char *kind;              /* "container", "initContainer", "ephemeralContainer" */
	char *image;             /* as the spec says */
	char *image_id;          /* resolved "host/repo@sha256:...", or NULL (not reported by status yet) */
	long image_idx;          /* index in result->images, or -1 */
};

struct sw_k8s_workload {
	char *ns, *kind, *name;  /* kind: Deployment, StatefulSet, DaemonSet, CronJob, Job, ReplicaSet, Pod... */
	size_t pods;
	char *example_pod;       /* the pod whose spec was checked */
	struct sw_vec containers;/* struct sw_k8s_container* */
	struct sw_check_list checks; /* Pod Security Standards */
	size_t baseline_fail, restricted_fail;
};

struct sw_k8s_ns {
	char *name;
	bool ok;
	char *error;             /* why it could not be read (403 ...) */
	size_t pods;
};

struct sw_k8s_result {
	char *server, *context;
	struct sw_vec namespaces;   /* struct sw_k8s_ns* */
	struct sw_vec workloads;    /* struct sw_k8s_workload*, sorted ns, kind, name */
	struct sw_vec images;       /* struct sw_k8s_image*, sorted by ref */
	struct sw_vec failures;     /* char*: one line each (namespace, secret, image) */
	size_t pods;
	bool partial;
};

struct sw_k8s_opts {
	const struct sw_kubeconfig *kc;
	const char *ns;             /* one namespace (NULL: the context's, else "default") */
	bool all_namespaces;
	unsigned page_limit;        /* list page size; 0 = 500 */
	unsigned concurrency;       /* image scans at once; 0 = 4 */
	bool no_images;             /* list and check only */
	/* the scan of each image: copied, with image, username and password
	 * set per image (borrowed) */
	const struct sw_scan_opts *scan;
	void (*progress)(void *ctx, const char *what, size_t done, size_t total);
	void *progress_ctx;
};

int sw_k8s_run(const struct sw_k8s_opts *o, struct sw_k8s_result **out, struct sw_err *err);
void sw_k8s_result_free(struct sw_k8s_result *r);

/* ---- pieces, exposed for tests and fuzzing ------------------------------ */

/* Group one pod (JSON text of a Pod object) and check it: fills w's
 * containers (image_id from status) and checks.  SW_E_FORMAT for a pod
 * that is not an object with spec. */
int sw_k8s_pod_check(const char *json, size_t len, struct sw_k8s_workload *w, struct sw_err *err);
/* "docker-pullable://host/repo@sha256:x", "host/repo@sha256:x",
 * "sha256:x" with the spec image -> "host/repo@sha256:x" (owned), or NULL. */
char *sw_k8s_image_ref(const char *spec_image, const char *image_id);
void sw_k8s_workload_free(struct sw_k8s_workload *w);

/* ---- reports (report.c) --------------------------------------------------- */

enum sw_k8s_format { SW_K8S_FMT_TABLE, SW_K8S_FMT_JSON, SW_K8S_FMT_SARIF, SW_K8S_FMT_JUNIT };
int sw_k8s_format_parse(const char *name, enum sw_k8s_format *out);
/* tool_version: stowaway's version (SARIF's driver version). */
int sw_k8s_report(FILE *out, enum sw_k8s_format f, const struct sw_k8s_result *r, const char *tool_version,
		  struct sw_err *err);

#endif
