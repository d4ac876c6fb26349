/*
 * pod.c - one pod: its containers and their image digests, and its spec
 * checked against the Kubernetes Pod Security Standards (baseline and
 * restricted, https://kubernetes.io/docs/concepts/security/pod-security-standards/)
 * as image checks are reported (checks/checks.h): one result per control,
 * each failure with the field path (config_key, e.g.
 * "spec.containers[0].securityContext.privileged") and the value seen.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "k8s/internal.h"
#include "util/mem.h"

struct ctl {
	const char *id, *level, *title, *remediation;
	enum sw_severity_level sev;
};

static const struct ctl CTLS[] = {
	{ "SW-K8S-B01", "baseline", "HostProcess containers", "do not set windowsOptions.hostProcess", SW_SEV_HIGH },
	{ "SW-K8S-B02", "baseline", "Host namespaces (hostNetwork, hostPID, hostIPC)", "remove hostNetwork, hostPID and hostIPC", SW_SEV_HIGH },
	{ "SW-K8S-B03", "baseline", "Privileged containers", "remove securityContext.privileged", SW_SEV_HIGH },
	{ "SW-K8S-B04", "baseline", "Capabilities beyond the default set", "add no capability outside the baseline list", SW_SEV_HIGH },
	{ "SW-K8S-B05", "baseline", "HostPath volumes", "use another volume type than hostPath", SW_SEV_HIGH },
	{ "SW-K8S-B06", "baseline", "Host ports", "remove hostPort", SW_SEV_HIGH },
	{ "SW-K8S-B07", "baseline", "AppArmor profile overridden", "leave AppArmor at runtime/default or a localhost profile", SW_SEV_HIGH },
	{ "SW-K8S-B08", "baseline", "SELinux options", "set only the allowed SELinux types, no user or role", SW_SEV_HIGH },
	{ "SW-K8S-B09", "baseline", "/proc mount type", "leave procMount at Default", SW_SEV_HIGH },
	{ "SW-K8S-B10", "baseline", "Seccomp unconfined", "do not set seccompProfile.type Unconfined", SW_SEV_HIGH },
	{ "SW-K8S-B11", "baseline", "Unsafe sysctls", "set only the safe sysctls", SW_SEV_HIGH },
	{ "SW-K8S-R01", "restricted", "Volume types", "use configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected or secret volumes", SW_SEV_MEDIUM },
	{ "SW-K8S-R02", "restricted", "Privilege escalation allowed", "set securityContext.allowPrivilegeEscalation: false", SW_SEV_MEDIUM },
	{ "SW-K8S-R03", "restricted", "Running as non-root not required", "set runAsNonRoot: true (pod or every container)", SW_SEV_MEDIUM },
	{ "SW-K8S-R04", "restricted", "Running as user 0", "do not set runAsUser: 0", SW_SEV_MEDIUM },
	{ "SW-K8S-R05", "restricted", "Seccomp profile not set", "set seccompProfile.type RuntimeDefault or Localhost", SW_SEV_MEDIUM },
	{ "SW-K8S-R06", "restricted", "Capabilities not dropped", "drop ALL; add back NET_BIND_SERVICE at most", SW_SEV_MEDIUM },
};
#define NCTL (sizeof(CTLS) / sizeof(CTLS[0]))

static void fail(struct sw_check_result *r, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fail(struct sw_check_result *r, const char *path, const char *fmt, ...)
{
	r->status = SW_CHECK_FAIL;
	if (r->evidence.len >= 50)
		return;
	struct sw_check_evidence *e = sw_xcalloc(1, sizeof(*e));
	e->layer = e->history = -1;
	e->config_key = sw_xstrdup(path);
	va_list ap;
	va_start(ap, fmt);
	char buf[512];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	e->detail = sw_xstrdup(buf);
	sw_vec_push(&r->evidence, e);
}

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

static const char *const BASE_CAPS[] = { "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL",
					 "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID",
					 "SYS_CHROOT", NULL };
static const char *const SAFE_SYSCTLS[] = { "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range",
					    "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies",
					    "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
					    "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
					    "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes", NULL };
static const char *const SELINUX_TYPES[] = { "container_t", "container_init_t", "container_kvm_t",
					     "container_engine_t", NULL };
static const char *const OK_VOLUMES[] = { "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
					  "persistentVolumeClaim", "projected", "secret", NULL };

static const char *sget(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* seccomp / apparmor / selinux / windows shared by pod and container security contexts */
static void sc_common(struct sw_check_result **R, json_t *sc, const char *base)
{
	char p[256];
	if (!json_is_object(sc))
		return;
	if (json_is_true(json_object_get(json_object_get(sc, "windowsOptions"), "hostProcess"))) {
		snprintf(p, sizeof(p), "%.64s.windowsOptions.hostProcess", base);
		fail(R[0], p, "true");
	}
	const char *aa = sget(json_object_get(sc, "appArmorProfile"), "type");
	if (aa && strcmp(aa, "Unconfined") == 0) {
		snprintf(p, sizeof(p), "%.64s.appArmorProfile.type", base);
		fail(R[6], p, "%s", aa);
	}
	json_t *se = json_object_get(sc, "seLinuxOptions");
	if (json_is_object(se)) {
		const char *t = sget(se, "type");
		if (t && *t && !in_list(t, SELINUX_TYPES)) {
			snprintf(p, sizeof(p), "%.64s.seLinuxOptions.type", base);
			fail(R[7], p, "%s", t);
		}
		static const char *const ur[] = { "user", "role" };
		for (int i = 0; i < 2; i++) {
			const char *v = sget(se, ur[i]);
			if (v && *v) {
				snprintf(p, sizeof(p), "%.64s.seLinuxOptions.%s", base, ur[i]);
				fail(R[7], p, "%s", v);
			}
		}
	}
	const char *st = sget(json_object_get(sc, "seccompProfile"), "type");
	if (st && strcmp(st, "Unconfined") == 0) {
		snprintf(p, sizeof(p), "%.64s.seccompProfile.type", base);
		fail(R[9], p, "%s", st);
	}
}

static char *image_repo(const char *spec_image)
{
	/* strip the tag / digest of a spec image: "host/repo:tag@sha" -> "host/repo" */
	char *s = sw_xstrdup(spec_image ? spec_image : "");
	char *at = strchr(s, '@');
	if (at)
		*at = '\0';
	char *slash = strrchr(s, '/');
	char *colon = strrchr(slash ? slash : s, ':');
	if (colon)
		*colon = '\0';
	return s;
}

char *sw_k8s_image_ref(const char *spec_image, const char *image_id)
{
	if (!image_id || !*image_id)
		return NULL;
	const char *id = image_id;
	const char *sep = strstr(id, "://");
	if (sep)
		id = sep + 3;
	const char *at = strrchr(id, '@');
	const char *dg = at ? at + 1 : id;
	if (strncmp(dg, "sha256:", 7) != 0 || strlen(dg) != 71 || strspn(dg + 7, "0123456789abcdef") != 64)
		return NULL;
	if (at && at > id)
		return sw_xasprintf("%.*s@%s", (int)(at - id), id, dg);
	char *repo = image_repo(spec_image);
	char *r = *repo ? sw_xasprintf("%s@%s", repo, dg) : NULL;
	free(repo);
	return r;
}

static void container_free(void *p)
{
	struct sw_k8s_container *c = p;
	if (!c)
		return;
	free(c->name);
	free(c->kind);
	free(c->image);
	free(c->image_id);
	free(c);
}

void sw_k8s_workload_free(struct sw_k8s_workload *w)
{
	if (!w)
		return;
	free(w->ns);
	free(w->kind);
	free(w->name);
	free(w->example_pod);
	sw_vec_free_all(&w->containers, container_free);
	sw_check_list_release(&w->checks);
	free(w);
}

static void check_container(struct sw_check_result **R, json_t *c, const char *base, json_t *podsc,
			    bool *nonroot_all)
{
	char p[256];
	json_t *sc = json_object_get(c, "securityContext");
	snprintf(p, sizeof(p), "%.64s.securityContext", base);
	sc_common(R, sc, p);
	if (json_is_true(json_object_get(sc, "privileged"))) {
		snprintf(p, sizeof(p), "%.64s.securityContext.privileged", base);
		fail(R[2], p, "true");
	}
	json_t *caps = json_object_get(sc, "capabilities");
	size_t i;
	json_t *v;
	bool add_ok = true;
	json_array_foreach(json_object_get(caps, "add"), i, v) {
		const char *cap = json_string_value(v);
		if (!cap)
			continue;
		const char *bare = strncmp(cap, "CAP_", 4) == 0 ? cap + 4 : cap;
		snprintf(p, sizeof(p), "%.64s.securityContext.capabilities.add[%zu]", base, i);
		if (!in_list(bare, BASE_CAPS))
			fail(R[3], p, "%s", cap);
		if (strcmp(bare, "NET_BIND_SERVICE") != 0) {
			fail(R[16], p, "%s", cap);
			add_ok = false;
		}
	}
	(void)add_ok;
	bool drop_all = false;
	json_array_foreach(json_object_get(caps, "drop"), i, v)
		if (json_string_value(v) && strcmp(json_string_value(v), "ALL") == 0)
			drop_all = true;
	if (!drop_all) {
		snprintf(p, sizeof(p), "%.64s.securityContext.capabilities.drop", base);
		fail(R[16], p, "ALL is not dropped");
	}
	json_array_foreach(json_object_get(c, "ports"), i, v) {
		json_t *hp = json_object_get(v, "hostPort");
		if (json_is_integer(hp) && json_integer_value(hp) != 0) {
			snprintf(p, sizeof(p), "%.64s.ports[%zu].hostPort", base, i);
			fail(R[5], p, "%lld", (long long)json_integer_value(hp));
		}
	}
	const char *pm = sget(sc, "procMount");
	if (pm && strcmp(pm, "Default") != 0) {
		snprintf(p, sizeof(p), "%.64s.securityContext.procMount", base);
		fail(R[8], p, "%s", pm);
	}
	json_t *ape = json_object_get(sc, "allowPrivilegeEscalation");
	if (!json_is_false(ape)) {
		snprintf(p, sizeof(p), "%.64s.securityContext.allowPrivilegeEscalation", base);
		fail(R[12], p, "%s", json_is_true(ape) ? "true" : "not set (defaults to true)");
	}
	json_t *rnr = json_object_get(sc, "runAsNonRoot");
	if (json_is_false(rnr) ||
	    (!json_is_true(rnr) && !json_is_true(json_object_get(podsc, "runAsNonRoot")))) {
		*nonroot_all = false;
		snprintf(p, sizeof(p), "%.64s.securityContext.runAsNonRoot", base);
		fail(R[13], p, "%s", json_is_false(rnr) ? "false" : "not set (neither in the pod)");
	}
	json_t *ru = json_object_get(sc, "runAsUser");
	if (json_is_integer(ru) && json_integer_value(ru) == 0) {
		snprintf(p, sizeof(p), "%.64s.securityContext.runAsUser", base);
		fail(R[14], p, "0");
	}
	const char *st = sget(json_object_get(sc, "seccompProfile"), "type");
	const char *pst = sget(json_object_get(podsc, "seccompProfile"), "type");
	const char *eff = st ? st : pst;
	if (!eff || (strcmp(eff, "RuntimeDefault") != 0 && strcmp(eff, "Localhost") != 0)) {
		snprintf(p, sizeof(p), "%.64s.securityContext.seccompProfile.type", base);
		fail(R[15], p, "%s", eff ? eff : "not set (neither in the pod)");
	}
}

int sw_k8s_pod_read(json_t *pod, struct sw_k8s_workload *w, struct sw_err *err)
{
	json_t *spec = json_object_get(pod, "spec");
	if (!json_is_object(pod) || !json_is_object(spec))
		return sw_err_set(err, SW_E_FORMAT, "a pod without spec");
	struct sw_check_result *R[NCTL];
	for (size_t i = 0; i < NCTL; i++) {
		struct sw_check_result *r = sw_xcalloc(1, sizeof(*r));
		r->id = CTLS[i].id;
		r->cis = NULL;
		r->title = CTLS[i].title;
		r->status = SW_CHECK_PASS;
		r->severity = CTLS[i].sev;
		r->remediation = CTLS[i].remediation;
		r->note = sw_xasprintf("Pod Security Standards: %s", CTLS[i].level);
		R[i] = r;
	}
	char p[256];
	static const char *const hostns[] = { "hostNetwork", "hostPID", "hostIPC" };
	for (int i = 0; i < 3; i++)
		if (json_is_true(json_object_get(spec, hostns[i]))) {
			snprintf(p, sizeof(p), "spec.%s", hostns[i]);
			fail(R[1], p, "true");
		}
	json_t *podsc = json_object_get(spec, "securityContext");
	sc_common(R, podsc, "spec.securityContext");
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(podsc, "sysctls"), i, v) {
		const char *n = sget(v, "name");
		if (n && !in_list(n, SAFE_SYSCTLS)) {
			snprintf(p, sizeof(p), "spec.securityContext.sysctls[%zu].name", i);
			fail(R[10], p, "%s", n);
		}
	}
	json_t *ru = json_object_get(podsc, "runAsUser");
	if (json_is_integer(ru) && json_integer_value(ru) == 0)
		fail(R[14], "spec.securityContext.runAsUser", "0");
	const char *pst = sget(json_object_get(podsc, "seccompProfile"), "type");
	if (pst && strcmp(pst, "RuntimeDefault") != 0 && strcmp(pst, "Localhost") != 0)
		fail(R[15], "spec.securityContext.seccompProfile.type", "%s", pst);
	json_array_foreach(json_object_get(spec, "volumes"), i, v) {
		const char *k;
		json_t *vv;
		json_object_foreach(v, k, vv) {
			if (strcmp(k, "name") == 0)
				continue;
			snprintf(p, sizeof(p), "spec.volumes[%zu].%s", i, k);
			if (strcmp(k, "hostPath") == 0)
				fail(R[4], p, "%s", sget(vv, "path") ? sget(vv, "path") : "?");
			if (!in_list(k, OK_VOLUMES))
				fail(R[11], p, "%s", k);
		}
	}
	/* AppArmor annotations (before 1.30) */
	const char *k;
	json_object_foreach(json_object_get(json_object_get(pod, "metadata"), "annotations"), k, v) {
		const char *pre = "container.apparmor.security.beta.kubernetes.io/";
		const char *val = json_string_value(v);
		if (strncmp(k, pre, strlen(pre)) == 0 && val && strcmp(val, "runtime/default") != 0 &&
		    strncmp(val, "localhost/", 10) != 0) {
			snprintf(p, sizeof(p), "metadata.annotations[%.150s]", k);
			fail(R[6], p, "%s", val);
		}
	}
	/* containers, with their status */
	json_t *status = json_object_get(pod, "status");
	static const char *const lists[][3] = {
		{ "containers", "containerStatuses", "container" },
		{ "initContainers", "initContainerStatuses", "initContainer" },
		{ "ephemeralContainers", "ephemeralContainerStatuses", "ephemeralContainer" },
	};
	bool nonroot = true;
	for (int l = 0; l < 3; l++) {
		json_array_foreach(json_object_get(spec, lists[l][0]), i, v) {
			if (!json_is_object(v))
				continue;
			snprintf(p, sizeof(p), "spec.%s[%zu]", lists[l][0], i);
			check_container(R, v, p, podsc, &nonroot);
			struct sw_k8s_container *c = sw_xcalloc(1, sizeof(*c));
			c->name = sw_xstrdup(sget(v, "name") ? sget(v, "name") : "?");
			c->kind = sw_xstrdup(lists[l][2]);
			c->image = sw_xstrdup(sget(v, "image"));
			c->image_idx = -1;
			size_t j;
			json_t *cs;
			json_array_foreach(json_object_get(status, lists[l][1]), j, cs) {
				const char *n = sget(cs, "name");
				if (n && strcmp(n, c->name) == 0)
					c->image_id = sw_k8s_image_ref(c->image, sget(cs, "imageID"));
			}
			if (!c->image_id) /* an image given by digest needs no status */
				c->image_id = c->image && strchr(c->image, '@') ? sw_k8s_image_ref(c->image, c->image) : NULL;
			sw_vec_push(&w->containers, c);
		}
	}
	for (size_t c = 0; c < NCTL; c++) {
		if (R[c]->status == SW_CHECK_FAIL) {
			if (strcmp(CTLS[c].level, "baseline") == 0)
				w->baseline_fail++;
			else
				w->restricted_fail++;
		}
		sw_vec_push(&w->checks.results, R[c]);
	}
	return 0;
}

int sw_k8s_pod_check(const char *json, size_t len, struct sw_k8s_workload *w, struct sw_err *err)
{
	json_error_t je;
	json_t *pod = json_loadb(json, len, 0, &je);
	if (!json_is_object(pod)) {
		json_decref(pod);
		return sw_err_set(err, SW_E_FORMAT, "pod: not a JSON object");
	}
	int rc = sw_k8s_pod_read(pod, w, err);
	json_decref(pod);
	return rc;
}
