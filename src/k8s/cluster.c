/*
 * cluster.c - sw_k8s_run (k8s.h): namespaces, then per namespace its
 * ReplicaSets and Jobs (to name the Deployment or CronJob that owns a
 * pod) and its pods, grouped into workloads; then each distinct image
 * digest scanned once, with the pull secrets of the first pod that runs
 * it, by a pool of threads.  A namespace, secret or image that fails is a
 * line in result->failures and makes the result partial; the rest goes on.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8s/internal.h"
#include "util/map.h"
#include "util/mem.h"

struct img_want {
	char *ns;
	struct sw_vec secrets;   /* char*: pull secret names */
};

struct run {
	const struct sw_k8s_opts *o;
	struct sw_k8s_api *api;
	struct sw_k8s_result *r;
	struct sw_map workloads; /* "ns\nkind\nname" -> struct sw_k8s_workload* */
	struct sw_map owners;    /* "Kind\nname" -> "Kind\nname" of its controller (this namespace) */
	struct sw_map images;    /* ref -> struct img_want* */
	const char *ns;          /* namespace being read */
	size_t pods_ns;
};

static void failure(struct sw_k8s_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void failure(struct sw_k8s_result *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char buf[1024];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	sw_vec_push_strdup(&r->failures, buf);
	r->partial = true;
}

static json_t *controller(json_t *obj)
{
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(json_object_get(obj, "metadata"), "ownerReferences"), i, o)
		if (json_is_true(json_object_get(o, "controller")) && json_string_value(json_object_get(o, "kind")) &&
		    json_string_value(json_object_get(o, "name")))
			return o;
	return NULL;
}

/* Lists set the kind on the list, not always on items: the caller says it. */
struct owner_ctx {
	struct run *R;
	const char *kind;
};

static void on_owner_kind(void *ctx, json_t *item)
{
	struct owner_ctx *oc = ctx;
	const char *name = json_string_value(json_object_get(json_object_get(item, "metadata"), "name"));
	json_t *c = controller(item);
	if (!name || !c)
		return;
	char *key = sw_xasprintf("%s\n%s", oc->kind, name);
	char *val = sw_xasprintf("%s\n%s", json_string_value(json_object_get(c, "kind")),
				 json_string_value(json_object_get(c, "name")));
	free(sw_map_put(&oc->R->owners, key, val));
	free(key);
}

static void want_image(struct run *R, const char *ref, json_t *spec)
{
	if (sw_map_has(&R->images, ref))
		return;
	struct img_want *w = sw_xcalloc(1, sizeof(*w));
	w->ns = sw_xstrdup(R->ns);
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(spec, "imagePullSecrets"), i, s) {
		const char *n = json_string_value(json_object_get(s, "name"));
		if (n && *n)
			sw_vec_push_strdup(&w->secrets, n);
	}
	sw_map_put(&R->images, ref, w);
}

static void on_pod(void *ctx, json_t *pod)
{
	struct run *R = ctx;
	R->pods_ns++;
	R->r->pods++;
	const char *pname = json_string_value(json_object_get(json_object_get(pod, "metadata"), "name"));
	if (!pname)
		pname = "?";
	char *kind = sw_xstrdup("Pod"), *name = sw_xstrdup(pname);
	json_t *c = controller(pod);
	if (c) {
		sw_str_set(&kind, json_string_value(json_object_get(c, "kind")));
		sw_str_set(&name, json_string_value(json_object_get(c, "name")));
		/* ReplicaSet -> Deployment, Job -> CronJob (two levels at most) */
		for (int depth = 0; depth < 2; depth++) {
			char *key = sw_xasprintf("%s\n%s", kind, name);
			const char *up = sw_map_get(&R->owners, key);
			free(key);
			if (!up)
				break;
			const char *nl = strchr(up, '\n');
			char *k2 = sw_xstrndup(up, (size_t)(nl - up));
			sw_str_set(&name, nl + 1);
			free(kind);
			kind = k2;
		}
	}
	char *wkey = sw_xasprintf("%s\n%s\n%s", R->ns, kind, name);
	struct sw_k8s_workload *w = sw_map_get(&R->workloads, wkey);
	if (!w) {
		w = sw_xcalloc(1, sizeof(*w));
		w->ns = sw_xstrdup(R->ns);
		w->kind = sw_xstrdup(kind);
		w->name = sw_xstrdup(name);
		w->example_pod = sw_xstrdup(pname);
		struct sw_err err = SW_ERR_INIT;
		if (sw_k8s_pod_read(pod, w, &err) < 0)
			failure(R->r, "pod %s/%s: %s", R->ns, pname, err.msg);
		sw_map_put(&R->workloads, wkey, w);
	}
	w->pods++;
	/* images of every pod: a rollout may run two digests at once */
	json_t *spec = json_object_get(pod, "spec");
	json_t *status = json_object_get(pod, "status");
	static const char *const lists[][2] = { { "containers", "containerStatuses" },
						{ "initContainers", "initContainerStatuses" },
						{ "ephemeralContainers", "ephemeralContainerStatuses" } };
	for (int l = 0; l < 3; l++) {
		size_t i;
		json_t *cs;
		json_array_foreach(json_object_get(status, lists[l][1]), i, cs) {
			const char *n = json_string_value(json_object_get(cs, "name"));
			const char *img = json_string_value(json_object_get(cs, "image"));
			/* the spec's image for this container, for a bare "sha256:" imageID */
			size_t j;
			json_t *sc;
			json_array_foreach(json_object_get(spec, lists[l][0]), j, sc) {
				const char *sn = json_string_value(json_object_get(sc, "name"));
				if (sn && n && strcmp(sn, n) == 0)
					img = json_string_value(json_object_get(sc, "image"));
			}
			char *ref = sw_k8s_image_ref(img, json_string_value(json_object_get(cs, "imageID")));
			if (ref)
				want_image(R, ref, spec);
			free(ref);
		}
	}
	/* and the first pod's containers (status may be missing) */
	for (size_t i = 0; i < w->containers.len; i++) {
		struct sw_k8s_container *ct = w->containers.items[i];
		if (ct->image_id)
			want_image(R, ct->image_id, spec);
	}
	free(wkey);
	free(kind);
	free(name);
}

static void on_namespace(void *ctx, json_t *item)
{
	struct sw_vec *names = ctx;
	const char *n = json_string_value(json_object_get(json_object_get(item, "metadata"), "name"));
	if (n)
		sw_vec_push_strdup(names, n);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

static void read_namespace(struct run *R, const char *ns)
{
	struct sw_k8s_ns *N = sw_xcalloc(1, sizeof(*N));
	N->name = sw_xstrdup(ns);
	sw_vec_push(&R->r->namespaces, N);
	R->ns = ns;
	R->pods_ns = 0;
	sw_map_free_all(&R->owners, free);
	unsigned limit = R->o->page_limit ? R->o->page_limit : 500;
	static const char *const owner_lists[][3] = {
		{ "apps/v1", "ReplicaSet", "replicasets" },
		{ "batch/v1", "Job", "jobs" },
	};
	struct sw_err err = SW_ERR_INIT;
	long status = 0;
	for (size_t i = 0; i < 2; i++) {
		char *path = sw_xasprintf("/apis/%s/namespaces/%s/%s", owner_lists[i][0], ns, owner_lists[i][2]);
		struct owner_ctx oc = { R, owner_lists[i][1] };
		if (sw_k8s_list(R->api, path, limit, on_owner_kind, &oc, &status, &err) < 0 && status != 403)
			failure(R->r, "namespace %s: %s", ns, err.msg);
		/* 403 on owners: pods are still grouped by their direct owner */
		free(path);
	}
	char *path = sw_xasprintf("/api/v1/namespaces/%s/pods", ns);
	if (R->o->progress)
		R->o->progress(R->o->progress_ctx, ns, 0, 0);
	if (sw_k8s_list(R->api, path, limit, on_pod, R, &status, &err) < 0) {
		N->ok = false;
		N->error = sw_xstrdup(err.msg);
		failure(R->r, "namespace %s: %s", ns, err.msg);
	} else {
		N->ok = true;
	}
	free(path);
	N->pods = R->pods_ns;
}

/* ---- pull secrets -------------------------------------------------------- */

static char *registry_host(const char *ref)
{
	const char *slash = strchr(ref, '/');
	if (!slash)
		return sw_xstrdup("docker.io");
	char *first = sw_xstrndup(ref, (size_t)(slash - ref));
	if (strchr(first, '.') || strchr(first, ':') || strcmp(first, "localhost") == 0)
		return first;
	free(first);
	return sw_xstrdup("docker.io");
}

static bool host_matches(const char *key, const char *host)
{
	const char *k = key;
	if (strncmp(k, "https://", 8) == 0)
		k += 8;
	else if (strncmp(k, "http://", 7) == 0)
		k += 7;
	size_t n = strcspn(k, "/");
	if (strcmp(host, "docker.io") == 0 &&
	    ((n == 15 && strncmp(k, "index.docker.io", 15) == 0) || (n == 9 && strncmp(k, "docker.io", 9) == 0)))
		return true;
	return strlen(host) == n && strncmp(k, host, n) == 0;
}

/* From a dockerconfigjson document: the credentials for host. */
static int creds_from(json_t *doc, const char *host, char **user, char **pass)
{
	json_t *auths = json_object_get(doc, "auths");
	if (!auths)
		auths = doc; /* .dockercfg: the auths object itself */
	const char *key;
	json_t *v;
	json_object_foreach(auths, key, v) {
		if (!host_matches(key, host))
			continue;
		const char *u = json_string_value(json_object_get(v, "username"));
		const char *p = json_string_value(json_object_get(v, "password"));
		if (u && p) {
			*user = sw_xstrdup(u);
			*pass = sw_xstrdup(p);
			return 1;
		}
		const char *a = json_string_value(json_object_get(v, "auth"));
		struct sw_buf b = SW_BUF_INIT;
		if (a && sw_k8s_b64_decode(a, &b) == 0) {
			char *colon = b.len ? memchr(b.data, ':', b.len) : NULL;
			if (colon && !memchr(b.data, '\0', b.len)) {
				*user = sw_xstrndup((char *)b.data, (size_t)(colon - (char *)b.data));
				*pass = sw_xstrndup(colon + 1, (size_t)((char *)b.data + b.len - colon - 1));
				memset(b.data, 0, b.len);
				sw_buf_release(&b);
				return 1;
			}
		}
		sw_buf_release(&b);
	}
	return 0;
}

/* Credentials for ref from the namespace's pull secrets (secrets read once
 * each, kept in cache: "ns/name" -> json_t* of the decoded config, or a
 * NULL-valued entry for one that could not be read). */
static void find_creds(struct run *R, const struct img_want *w, const char *ref, struct sw_map *cache, char **user,
		       char **pass, char **note)
{
	char *host = registry_host(ref);
	for (size_t i = 0; i < w->secrets.len && !*user; i++) {
		char *key = sw_xasprintf("%s/%s", w->ns, (const char *)w->secrets.items[i]);
		json_t *doc = NULL;
		if (sw_map_has(cache, key)) {
			doc = sw_map_get(cache, key);
		} else {
			char *path = sw_xasprintf("/api/v1/namespaces/%s/secrets/%s", w->ns,
						  (const char *)w->secrets.items[i]);
			json_t *sec = NULL;
			long status;
			struct sw_err err = SW_ERR_INIT;
			if (sw_k8s_get(R->api, path, &sec, &status, &err) < 0) {
				failure(R->r, "secret %s: %s", key, err.msg);
			} else {
				json_t *data = json_object_get(sec, "data");
				const char *b64 = json_string_value(json_object_get(data, ".dockerconfigjson"));
				if (!b64)
					b64 = json_string_value(json_object_get(data, ".dockercfg"));
				struct sw_buf b = SW_BUF_INIT;
				json_error_t je;
				if (!b64 || sw_k8s_b64_decode(b64, &b) < 0 ||
				    !(doc = json_loadb(b.data ? (const char *)b.data : "", b.len, 0, &je)) ||
				    !json_is_object(doc)) {
					json_decref(doc);
					doc = NULL;
					failure(R->r, "secret %s: not a dockerconfigjson pull secret", key);
				}
				if (b.data)
					memset(b.data, 0, b.len);
				sw_buf_release(&b);
			}
			json_decref(sec);
			free(path);
			sw_map_put(cache, key, doc);
		}
		bool got = doc && creds_from(doc, host, user, pass) == 1;
		free(key);
		if (got)
			break;
	}
	if (!*user)
		*note = sw_xasprintf(w->secrets.len ? "no pull secret has credentials for %s"
						    : "the pod has no imagePullSecrets (%s)",
				     host);
	free(host);
}

/* ---- image scans ---------------------------------------------------------- */

struct pool {
	struct run *R;
	pthread_mutex_t mu;
	size_t next, done;
	char **users, **passes;
};

static int cmp_id(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

static void scan_one(struct pool *P, size_t idx)
{
	struct sw_k8s_image *im = P->R->r->images.items[idx];
	struct sw_scan_opts so = *P->R->o->scan;
	char *refstr = sw_xasprintf("registry:%s", im->ref);
	so.image = refstr;
	so.image_opts.username = P->users[idx];
	so.image_opts.password = P->passes[idx];
	so.progress = NULL;
	so.phase = NULL;
	struct sw_scan_result *res = NULL;
	struct sw_err err = SW_ERR_INIT;
	if (sw_scan_run(&so, &res, &err) < 0) {
		im->error = sw_xstrdup(err.msg);
	} else {
		im->scanned = true;
		im->complete = res->complete;
		im->packages = res->inventory ? res->inventory->packages.len : 0;
		for (size_t i = 0; res->match && i < res->match->findings.len; i++) {
			struct sw_finding *f = res->match->findings.items[i];
			if (f->suppressed)
				continue;
			if ((size_t)f->severity < 6)
				im->vulns[f->severity]++;
			im->total++;
			if (f->id && sw_vec_find_str(&im->vuln_ids, f->id) < 0)
				sw_vec_push_strdup(&im->vuln_ids, f->id);
		}
		sw_vec_sort(&im->vuln_ids, cmp_id);
		sw_scan_result_free(res);
	}
	free(refstr);
}

static void *worker(void *arg)
{
	struct pool *P = arg;
	for (;;) {
		pthread_mutex_lock(&P->mu);
		size_t idx = P->next++;
		pthread_mutex_unlock(&P->mu);
		if (idx >= P->R->r->images.len)
			return NULL;
		scan_one(P, idx);
		pthread_mutex_lock(&P->mu);
		P->done++;
		if (P->R->o->progress)
			P->R->o->progress(P->R->o->progress_ctx, "images", P->done, P->R->r->images.len);
		pthread_mutex_unlock(&P->mu);
	}
}

static void img_want_free(void *p)
{
	struct img_want *w = p;
	free(w->ns);
	sw_vec_free_strings(&w->secrets);
	free(w);
}

static int cmp_image(const void *a, const void *b)
{
	return strcmp(((const struct sw_k8s_image *)a)->ref, ((const struct sw_k8s_image *)b)->ref);
}

static int cmp_workload(const void *a, const void *b)
{
	const struct sw_k8s_workload *x = a, *y = b;
	int c = strcmp(x->ns, y->ns);
	if (!c)
		c = strcmp(x->kind, y->kind);
	return c ? c : strcmp(x->name, y->name);
}

static void json_free(void *p)
{
	json_decref(p);
}

int sw_k8s_run(const struct sw_k8s_opts *o, struct sw_k8s_result **out, struct sw_err *err)
{
	struct run R = { .o = o };
	if (sw_k8s_api_new(o->kc, &R.api, err) < 0)
		return -1;
	R.r = sw_xcalloc(1, sizeof(*R.r));
	R.r->server = sw_xstrdup(o->kc->server);
	R.r->context = sw_xstrdup(o->kc->context);
	struct sw_vec names = SW_VEC_INIT;
	long status = 0;
	if (o->all_namespaces) {
		if (sw_k8s_list(R.api, "/api/v1/namespaces", o->page_limit ? o->page_limit : 500, on_namespace, &names,
				&status, err) < 0) {
			sw_err_wrap(err, "cannot list the namespaces");
			sw_k8s_api_free(R.api);
			sw_k8s_result_free(R.r);
			sw_vec_free_strings(&names);
			return -1;
		}
		sw_vec_sort(&names, cmp_str);
	} else {
		sw_vec_push_strdup(&names, o->ns ? o->ns : o->kc->ns ? o->kc->ns : "default");
	}
	for (size_t i = 0; i < names.len; i++)
		read_namespace(&R, names.items[i]);
	size_t ok_ns = 0;
	for (size_t i = 0; i < R.r->namespaces.len; i++)
		ok_ns += ((struct sw_k8s_ns *)R.r->namespaces.items[i])->ok;
	if (ok_ns == 0) {
		/* nothing could be read: that is an error, not a partial result */
		sw_err_set(err, SW_E_IO, "%s", R.r->failures.len ? (const char *)R.r->failures.items[0] : "no namespace");
		sw_vec_free_strings(&names);
		sw_map_free_all(&R.owners, free);
		sw_map_free_all(&R.images, img_want_free);
		for (size_t it = 0; ; ) {
			const char *k;
			void *v;
			if (!sw_map_next(&R.workloads, &it, &k, &v))
				break;
			sw_k8s_workload_free(v);
		}
		sw_map_release(&R.workloads);
		sw_k8s_api_free(R.api);
		sw_k8s_result_free(R.r);
		return -1;
	}
	/* workloads, sorted */
	{
		size_t it = 0;
		const char *k;
		void *v;
		while (sw_map_next(&R.workloads, &it, &k, &v))
			sw_vec_push(&R.r->workloads, v);
		sw_map_release(&R.workloads);
		sw_vec_sort(&R.r->workloads, cmp_workload);
	}
	/* images, sorted, each with its credentials */
	{
		size_t it = 0;
		const char *k;
		void *v;
		while (sw_map_next(&R.images, &it, &k, &v)) {
			struct sw_k8s_image *im = sw_xcalloc(1, sizeof(*im));
			im->ref = sw_xstrdup(k);
			im->ns = sw_xstrdup(((struct img_want *)v)->ns);
			sw_vec_push(&R.r->images, im);
		}
		sw_vec_sort(&R.r->images, cmp_image);
	}
	size_t n = R.r->images.len;
	struct pool P = { .R = &R };
	P.users = sw_xcalloc(n + 1, sizeof(char *));
	P.passes = sw_xcalloc(n + 1, sizeof(char *));
	struct sw_map secret_cache = SW_MAP_INIT;
	for (size_t i = 0; i < n && !o->no_images; i++) {
		struct sw_k8s_image *im = R.r->images.items[i];
		find_creds(&R, sw_map_get(&R.images, im->ref), im->ref, &secret_cache, &P.users[i], &P.passes[i],
			   &im->secret_note);
	}
	sw_map_free_all(&secret_cache, json_free);
	/* link containers to images */
	for (size_t i = 0; i < R.r->workloads.len; i++) {
		struct sw_k8s_workload *w = R.r->workloads.items[i];
		for (size_t j = 0; j < w->containers.len; j++) {
			struct sw_k8s_container *c = w->containers.items[j];
			for (size_t m = 0; c->image_id && m < n; m++)
				if (strcmp(((struct sw_k8s_image *)R.r->images.items[m])->ref, c->image_id) == 0)
					c->image_idx = (long)m;
		}
	}
	if (!o->no_images && n > 0) {
		pthread_mutex_init(&P.mu, NULL);
		unsigned nt = o->concurrency ? o->concurrency : 4;
		if (nt > n)
			nt = (unsigned)n;
		pthread_t *th = sw_xcalloc(nt, sizeof(pthread_t));
		unsigned started = 0;
		for (unsigned t = 0; t < nt; t++)
			if (pthread_create(&th[t], NULL, worker, &P) == 0)
				started++;
			else
				break;
		if (started == 0)
			worker(&P);
		for (unsigned t = 0; t < started; t++)
			pthread_join(th[t], NULL);
		free(th);
		pthread_mutex_destroy(&P.mu);
		for (size_t i = 0; i < n; i++) {
			struct sw_k8s_image *im = R.r->images.items[i];
			if (!im->scanned)
				failure(R.r, "image %s: %s%s%s", im->ref, im->error, im->secret_note ? " (" : "",
					im->secret_note ? im->secret_note : "");
			if (im->scanned && !im->complete)
				failure(R.r, "image %s: the scan is incomplete", im->ref);
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (P.passes[i])
			memset(P.passes[i], 0, strlen(P.passes[i]));
		free(P.users[i]);
		free(P.passes[i]);
	}
	free(P.users);
	free(P.passes);
	sw_map_free_all(&R.images, img_want_free);
	sw_map_free_all(&R.owners, free);
	sw_vec_free_strings(&names);
	sw_k8s_api_free(R.api);
	*out = R.r;
	return 0;
}

static void image_free(void *p)
{
	struct sw_k8s_image *im = p;
	free(im->ref);
	free(im->ns);
	free(im->secret_note);
	free(im->error);
	sw_vec_free_strings(&im->vuln_ids);
	free(im);
}

static void ns_free(void *p)
{
	struct sw_k8s_ns *n = p;
	free(n->name);
	free(n->error);
	free(n);
}

static void wl_free(void *p)
{
	sw_k8s_workload_free(p);
}

void sw_k8s_result_free(struct sw_k8s_result *r)
{
	if (!r)
		return;
	free(r->server);
	free(r->context);
	sw_vec_free_all(&r->namespaces, ns_free);
	sw_vec_free_all(&r->workloads, wl_free);
	sw_vec_free_all(&r->images, image_free);
	sw_vec_free_strings(&r->failures);
	free(r);
}
