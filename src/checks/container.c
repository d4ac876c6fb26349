/*
 * container.c - CIS Docker Benchmark 1.6.0 section 5 from a container's
 * inspect document (container.h, docs/host-checks.md).
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/container.h"
#include "checks/internal.h"
#include "util/mem.h"

#define INSPECT_MAX ((size_t)1 << 20)

void sw_container_ident_release(struct sw_container_ident *c)
{
	free(c->id);
	free(c->name);
	free(c->image);
	free(c->image_id);
	memset(c, 0, sizeof(*c));
}

struct cctx {
	struct sw_check_list *out;
	const struct sw_container_ident *c;
	char label[160]; /* "/name (id12)" */
};

static struct sw_check_result *res(struct cctx *x, const char *id, const char *cis, const char *title,
				   enum sw_severity_level sev, const char *fix)
{
	struct sw_check_result *r = sw_xcalloc(1, sizeof(*r));
	r->id = id;
	r->cis = cis;
	r->title = title;
	r->severity = sev;
	r->remediation = fix;
	r->status = SW_CHECK_PASS;
	sw_vec_push(&x->out->results, r);
	return r;
}

static void ev(struct cctx *x, struct sw_check_result *r, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void ev(struct cctx *x, struct sw_check_result *r, const char *key, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *d = NULL;
	if (vasprintf(&d, fmt, ap) < 0)
		d = NULL;
	va_end(ap);
	char *full = sw_xasprintf("container %s: %s", x->label, d ? d : "");
	sw_check_add_evidence(r, -1, -1, NULL, key, NULL, full);
	free(full);
	free(d);
}

static void fail(struct cctx *x, struct sw_check_result *r, enum sw_severity_level sev, const char *key,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void fail(struct cctx *x, struct sw_check_result *r, enum sw_severity_level sev, const char *key,
		 const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *d = NULL;
	if (vasprintf(&d, fmt, ap) < 0)
		d = NULL;
	va_end(ap);
	sw_check_fail(r, sev);
	ev(x, r, key, "%s", d ? d : "");
	free(d);
}

/* A passing result still names its container (the list holds many). */
static void pass_ev(struct cctx *x, struct sw_check_result *r, const char *key, const char *what)
{
	if (r->status == SW_CHECK_PASS && !r->evidence.len)
		ev(x, r, key, "%s", what);
}

static const char *str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static long long num(json_t *o, const char *k, bool *present)
{
	json_t *v = json_object_get(o, k);
	if (present)
		*present = json_is_integer(v);
	return json_is_integer(v) ? json_integer_value(v) : 0;
}

static bool has_secopt(json_t *hc, const char *prefix, const char **value)
{
	json_t *so = json_object_get(hc, "SecurityOpt");
	size_t i;
	json_t *e;
	size_t pl = strlen(prefix);
	json_array_foreach(so, i, e) {
		const char *s = json_string_value(e);
		if (s && strncmp(s, prefix, pl) == 0 && (s[pl] == '=' || s[pl] == ':' || s[pl] == '\0')) {
			*value = s[pl] ? s + pl + 1 : "";
			return true;
		}
	}
	return false;
}

static const char *const SENSITIVE[] = { "/", "/boot", "/dev", "/etc", "/lib", "/proc", "/sys", "/usr" };

static bool is_sensitive(const char *src)
{
	for (size_t i = 0; i < sizeof(SENSITIVE) / sizeof(SENSITIVE[0]); i++) {
		size_t l = strlen(SENSITIVE[i]);
		if (strcmp(src, SENSITIVE[i]) == 0 || (l > 1 && strncmp(src, SENSITIVE[i], l) == 0 && src[l] == '/'))
			return true;
	}
	return false;
}

static bool is_docker_socket(const char *src)
{
	const char *b = strrchr(src, '/');
	return b && strcmp(b + 1, "docker.sock") == 0;
}

/* Mounts (Docker's inspect) with Binds as the fallback ("src:dst[:opts]"). */
static void mounts(struct cctx *x, json_t *doc, json_t *hc, struct sw_check_result *r56, struct sw_check_result *r520,
		   struct sw_check_result *r532)
{
	json_t *ms = json_object_get(doc, "Mounts");
	size_t i;
	json_t *m;
	bool any = false;
	json_array_foreach(ms, i, m) {
		const char *src = str(m, "Source"), *dst = str(m, "Destination"), *type = str(m, "Type");
		bool rw = !json_is_false(json_object_get(m, "RW"));
		any = true;
		if (strcmp(type, "volume") != 0 && is_docker_socket(src))
			fail(x, r532, SW_SEV_CRITICAL, "Mounts", "%s mounted at %s%s", src, dst, rw ? " (read-write)" : "");
		else if (strcmp(type, "volume") != 0 && is_sensitive(src))
			fail(x, r56, rw ? SW_SEV_HIGH : SW_SEV_MEDIUM, "Mounts", "host %s mounted at %s %s", src, dst,
			     rw ? "read-write" : "read-only");
		const char *prop = str(m, "Propagation");
		if (strcmp(prop, "shared") == 0 || strcmp(prop, "rshared") == 0)
			fail(x, r520, SW_SEV_MEDIUM, "Mounts", "%s mounted with propagation %s", dst, prop);
	}
	if (any)
		return;
	json_t *binds = json_object_get(hc, "Binds");
	json_array_foreach(binds, i, m) {
		const char *b = json_string_value(m);
		if (!b || b[0] != '/')
			continue;
		char *src = sw_xstrdup(b);
		char *colon = strchr(src, ':');
		const char *rest = colon ? colon + 1 : "";
		if (colon)
			*colon = '\0';
		bool ro = strstr(rest, ":ro") != NULL;
		if (is_docker_socket(src))
			fail(x, r532, SW_SEV_CRITICAL, "HostConfig.Binds", "bind %s", b);
		else if (is_sensitive(src))
			fail(x, r56, ro ? SW_SEV_MEDIUM : SW_SEV_HIGH, "HostConfig.Binds", "bind %s", b);
		if (strstr(rest, "shared"))
			fail(x, r520, SW_SEV_MEDIUM, "HostConfig.Binds", "bind %s", b);
		free(src);
	}
}

static void ports(struct cctx *x, json_t *hc, struct sw_check_result *r58, struct sw_check_result *r514)
{
	json_t *pb = json_object_get(hc, "PortBindings");
	const char *cport;
	json_t *list;
	json_object_foreach(pb, cport, list) {
		size_t i;
		json_t *b;
		json_array_foreach(list, i, b) {
			const char *hp = str(b, "HostPort"), *hip = str(b, "HostIp");
			long p = *hp ? strtol(hp, NULL, 10) : 0;
			if (*hp && p > 0 && p < 1024)
				fail(x, r58, SW_SEV_MEDIUM, "HostConfig.PortBindings", "host port %s -> %s", hp, cport);
			if (!*hip || strcmp(hip, "0.0.0.0") == 0 || strcmp(hip, "::") == 0)
				fail(x, r514, SW_SEV_LOW, "HostConfig.PortBindings", "%s published on all interfaces (%s:%s)",
				     cport, *hip ? hip : "0.0.0.0", *hp ? hp : "random");
		}
	}
}

static bool mentions_sshd(json_t *doc)
{
	json_t *cfg = json_object_get(doc, "Config");
	const char *path = str(doc, "Path");
	if (strstr(path, "sshd"))
		return true;
	const char *keys[] = { "Args" };
	for (int k = 0; k < 1; k++) {
		size_t i;
		json_t *e;
		json_array_foreach(json_object_get(doc, keys[k]), i, e) if (json_string_value(e) &&
									     strstr(json_string_value(e), "sshd")) return true;
	}
	const char *ck[] = { "Cmd", "Entrypoint" };
	for (int k = 0; k < 2; k++) {
		size_t i;
		json_t *e;
		json_array_foreach(json_object_get(cfg, ck[k]), i, e) if (json_string_value(e) &&
									   strstr(json_string_value(e), "sshd")) return true;
	}
	return false;
}

int sw_container_checks(const char *json, size_t len, struct sw_container_ident *ident, struct sw_check_list *out,
			struct sw_err *err)
{
	memset(ident, 0, sizeof(*ident));
	if (len > INSPECT_MAX)
		return sw_err_set(err, SW_E_LIMIT, "container inspect document larger than %zu bytes", INSPECT_MAX);
	json_error_t je;
	json_t *doc = json_loadb(json, len, 0, &je);
	json_t *hc = json_object_get(doc, "HostConfig");
	if (!json_is_object(doc) || !json_is_string(json_object_get(doc, "Id")) || !json_is_object(hc)) {
		json_decref(doc);
		return sw_err_set(err, SW_E_FORMAT, "container inspect document: %s",
				  doc ? "not an object with Id and HostConfig" : je.text);
	}
	json_t *cfg = json_object_get(doc, "Config");
	ident->id = sw_xstrdup(str(doc, "Id"));
	ident->name = sw_xstrdup(str(doc, "Name"));
	ident->image = sw_xstrdup(str(cfg, "Image"));
	ident->image_id = sw_xstrdup(str(doc, "Image"));
	ident->running = json_is_true(json_object_get(json_object_get(doc, "State"), "Running"));
	struct cctx x = { .out = out, .c = ident };
	snprintf(x.label, sizeof(x.label), "%.120s (%.12s)", *ident->name ? ident->name : "?", ident->id);
	const char *v = NULL;

	struct sw_check_result *r;
	r = res(&x, "SW-CTR-5.2", "5.2", "Ensure that, if applicable, an AppArmor Profile is enabled", SW_SEV_MEDIUM,
		"Run with an AppArmor profile (docker's default, or --security-opt apparmor=PROFILE)");
	const char *aa = str(doc, "AppArmorProfile");
	if (strcmp(aa, "unconfined") == 0 || (has_secopt(hc, "apparmor", &v) && strcmp(v, "unconfined") == 0))
		fail(&x, r, SW_SEV_MEDIUM, "AppArmorProfile", "AppArmor unconfined");
	else if (!*aa) {
		sw_check_set(r, SW_CHECK_INFO, "no AppArmor profile (the host may not use AppArmor)");
		ev(&x, r, "AppArmorProfile", "AppArmorProfile is empty");
	} else
		pass_ev(&x, r, "AppArmorProfile", aa);

	r = res(&x, "SW-CTR-5.4", "5.4", "Ensure that Linux kernel capabilities are restricted within containers",
		SW_SEV_MEDIUM, "Drop --cap-add; add only the capabilities the process needs");
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(hc, "CapAdd"), i, e) {
		const char *cap = json_string_value(e);
		if (!cap)
			continue;
		bool big = strcasecmp(cap, "ALL") == 0 || strcasecmp(cap, "SYS_ADMIN") == 0 ||
			   strcasecmp(cap, "CAP_SYS_ADMIN") == 0;
		fail(&x, r, big ? SW_SEV_HIGH : SW_SEV_MEDIUM, "HostConfig.CapAdd", "capability %s added", cap);
	}
	pass_ev(&x, r, "HostConfig.CapAdd", "no capability added");

	r = res(&x, "SW-CTR-5.5", "5.5", "Ensure that privileged containers are not used", SW_SEV_HIGH,
		"Run without --privileged");
	if (json_is_true(json_object_get(hc, "Privileged")))
		fail(&x, r, SW_SEV_HIGH, "HostConfig.Privileged", "Privileged: true");
	pass_ev(&x, r, "HostConfig.Privileged", "Privileged: false");

	struct sw_check_result *r56 =
		res(&x, "SW-CTR-5.6", "5.6", "Ensure sensitive host system directories are not mounted on containers",
		    SW_SEV_HIGH, "Do not mount /, /boot, /dev, /etc, /lib, /proc, /sys or /usr from the host");
	struct sw_check_result *r520 = NULL, *r532 = NULL;

	r = res(&x, "SW-CTR-5.7", "5.7", "Ensure sshd is not run within containers", SW_SEV_MEDIUM,
		"Do not run sshd in the container; use docker exec");
	if (mentions_sshd(doc))
		fail(&x, r, SW_SEV_MEDIUM, "Path", "the container's command runs sshd");
	else {
		sw_check_set(r, SW_CHECK_PASS, "from the container's command line (its processes are not listed)");
		ev(&x, r, "Path", "command does not run sshd");
	}

	struct sw_check_result *r58 = res(&x, "SW-CTR-5.8", "5.8", "Ensure privileged ports are not mapped within containers",
					  SW_SEV_MEDIUM, "Publish on host ports above 1023");
	r = res(&x, "SW-CTR-5.10", "5.10", "Ensure that the host's network namespace is not shared", SW_SEV_HIGH,
		"Do not run with --network host");
	const char *nm = str(hc, "NetworkMode");
	if (strcmp(nm, "host") == 0)
		fail(&x, r, SW_SEV_HIGH, "HostConfig.NetworkMode", "NetworkMode: host");
	pass_ev(&x, r, "HostConfig.NetworkMode", nm);

	r = res(&x, "SW-CTR-5.11", "5.11", "Ensure that the memory usage for containers is limited", SW_SEV_MEDIUM,
		"Run with --memory");
	if (num(hc, "Memory", NULL) <= 0)
		fail(&x, r, SW_SEV_MEDIUM, "HostConfig.Memory", "Memory: 0 (no limit)");
	pass_ev(&x, r, "HostConfig.Memory", "memory limited");

	r = res(&x, "SW-CTR-5.12", "5.12", "Ensure that CPU priority is set appropriately on containers", SW_SEV_LOW,
		"Run with --cpus or --cpu-shares");
	long long shares = num(hc, "CpuShares", NULL);
	if ((shares == 0 || shares == 1024) && num(hc, "NanoCpus", NULL) <= 0 && num(hc, "CpuQuota", NULL) <= 0)
		fail(&x, r, SW_SEV_LOW, "HostConfig.NanoCpus", "no CPU limit or priority (NanoCpus 0, CpuQuota 0, CpuShares %lld)",
		     shares);
	pass_ev(&x, r, "HostConfig.NanoCpus", "CPU limited");

	r = res(&x, "SW-CTR-5.13", "5.13", "Ensure that the container's root filesystem is mounted as read only",
		SW_SEV_LOW, "Run with --read-only (and volumes or tmpfs for what must be written)");
	if (!json_is_true(json_object_get(hc, "ReadonlyRootfs")))
		fail(&x, r, SW_SEV_LOW, "HostConfig.ReadonlyRootfs", "ReadonlyRootfs: false");
	pass_ev(&x, r, "HostConfig.ReadonlyRootfs", "ReadonlyRootfs: true");

	struct sw_check_result *r514 =
		res(&x, "SW-CTR-5.14", "5.14", "Ensure that incoming container traffic is bound to a specific host interface",
		    SW_SEV_LOW, "Publish with -p IP:PORT:PORT");
	ports(&x, hc, r58, r514);
	pass_ev(&x, r58, "HostConfig.PortBindings", "no privileged host port");
	pass_ev(&x, r514, "HostConfig.PortBindings", "no port on all interfaces");

	r = res(&x, "SW-CTR-5.15", "5.15", "Ensure that the 'on-failure' container restart policy is set to '5'",
		SW_SEV_LOW, "Run with --restart on-failure:5");
	json_t *rp = json_object_get(hc, "RestartPolicy");
	const char *rpn = str(rp, "Name");
	long long maxr = num(rp, "MaximumRetryCount", NULL);
	if (strcmp(rpn, "always") == 0 || strcmp(rpn, "unless-stopped") == 0)
		fail(&x, r, SW_SEV_LOW, "HostConfig.RestartPolicy", "RestartPolicy: %s", rpn);
	else if (strcmp(rpn, "on-failure") == 0 && (maxr <= 0 || maxr > 5))
		fail(&x, r, SW_SEV_LOW, "HostConfig.RestartPolicy", "RestartPolicy: on-failure, MaximumRetryCount %lld", maxr);
	pass_ev(&x, r, "HostConfig.RestartPolicy", *rpn ? rpn : "no");

	static const struct {
		const char *id, *cis, *title, *key, *fix;
		enum sw_severity_level sev;
	} NS[] = {
		{ "SW-CTR-5.16", "5.16", "Ensure that the host's process namespace is not shared", "PidMode",
		  "Do not run with --pid host", SW_SEV_HIGH },
		{ "SW-CTR-5.17", "5.17", "Ensure that the host's IPC namespace is not shared", "IpcMode",
		  "Do not run with --ipc host", SW_SEV_HIGH },
	};
	for (size_t k = 0; k < 2; k++) {
		r = res(&x, NS[k].id, NS[k].cis, NS[k].title, NS[k].sev, NS[k].fix);
		char key[40];
		snprintf(key, sizeof(key), "HostConfig.%s", NS[k].key);
		const char *mode = str(hc, NS[k].key);
		if (strcmp(mode, "host") == 0)
			fail(&x, r, NS[k].sev, key, "%s: host", NS[k].key);
		pass_ev(&x, r, key, *mode ? mode : "private");
	}

	r = res(&x, "SW-CTR-5.18", "5.18", "Ensure that host devices are not directly exposed to containers",
		SW_SEV_MEDIUM, "Do not pass --device");
	json_array_foreach(json_object_get(hc, "Devices"), i, e)
		fail(&x, r, SW_SEV_MEDIUM, "HostConfig.Devices", "device %s", str(e, "PathOnHost"));
	pass_ev(&x, r, "HostConfig.Devices", "no host device");

	r520 = res(&x, "SW-CTR-5.20", "5.20", "Ensure mount propagation mode is not set to shared", SW_SEV_MEDIUM,
		   "Mount without shared propagation");
	r = res(&x, "SW-CTR-5.21", "5.21", "Ensure that the host's UTS namespace is not shared", SW_SEV_MEDIUM,
		"Do not run with --uts host");
	if (strcmp(str(hc, "UTSMode"), "host") == 0)
		fail(&x, r, SW_SEV_MEDIUM, "HostConfig.UTSMode", "UTSMode: host");
	pass_ev(&x, r, "HostConfig.UTSMode", "private");

	r = res(&x, "SW-CTR-5.22", "5.22", "Ensure the default seccomp profile is not Disabled", SW_SEV_HIGH,
		"Run without --security-opt seccomp=unconfined");
	if (has_secopt(hc, "seccomp", &v) && strcmp(v, "unconfined") == 0)
		fail(&x, r, SW_SEV_HIGH, "HostConfig.SecurityOpt", "seccomp=unconfined");
	pass_ev(&x, r, "HostConfig.SecurityOpt", "seccomp profile applied");

	r = res(&x, "SW-CTR-5.26", "5.26", "Ensure that the container is restricted from acquiring additional privileges",
		SW_SEV_MEDIUM, "Run with --security-opt no-new-privileges (or set it daemon-wide)");
	if (!has_secopt(hc, "no-new-privileges", &v) || strcmp(v, "false") == 0)
		fail(&x, r, SW_SEV_MEDIUM, "HostConfig.SecurityOpt", "no-new-privileges not set");
	pass_ev(&x, r, "HostConfig.SecurityOpt", "no-new-privileges");

	r = res(&x, "SW-CTR-5.29", "5.29", "Ensure that the PIDs cgroup limit is used", SW_SEV_LOW,
		"Run with --pids-limit");
	bool has_pl = false;
	long long pl = num(hc, "PidsLimit", &has_pl);
	if (!has_pl || pl <= 0)
		fail(&x, r, SW_SEV_LOW, "HostConfig.PidsLimit", "PidsLimit: %s", has_pl ? "unlimited" : "not set");
	pass_ev(&x, r, "HostConfig.PidsLimit", "PIDs limited");

	r = res(&x, "SW-CTR-5.30", "5.30", "Ensure that Docker's default bridge 'docker0' is not used", SW_SEV_LOW,
		"Attach the container to a user-defined network");
	if (strcmp(nm, "default") == 0 || strcmp(nm, "bridge") == 0)
		fail(&x, r, SW_SEV_LOW, "HostConfig.NetworkMode", "NetworkMode: %s (docker0)", nm);
	pass_ev(&x, r, "HostConfig.NetworkMode", nm);

	r = res(&x, "SW-CTR-5.31", "5.31", "Ensure that the host's user namespaces are not shared", SW_SEV_MEDIUM,
		"Do not run with --userns host");
	if (strcmp(str(hc, "UsernsMode"), "host") == 0)
		fail(&x, r, SW_SEV_MEDIUM, "HostConfig.UsernsMode", "UsernsMode: host");
	pass_ev(&x, r, "HostConfig.UsernsMode", "private");

	r532 = res(&x, "SW-CTR-5.32", "5.32", "Ensure that the Docker socket is not mounted inside any containers",
		   SW_SEV_CRITICAL, "Do not mount docker.sock into containers: it is root on the host");
	mounts(&x, doc, hc, r56, r520, r532);
	pass_ev(&x, r56, "Mounts", "no sensitive host directory");
	pass_ev(&x, r520, "Mounts", "no shared propagation");
	pass_ev(&x, r532, "Mounts", "Docker socket not mounted");
	json_decref(doc);
	return 0;
}

void sw_container_image_summary(struct sw_check_list *out, const struct sw_container_ident *c, const char *summary,
				int failed)
{
	struct sw_check_result *r = sw_xcalloc(1, sizeof(*r));
	r->id = "SW-CTR-IMAGE";
	r->title = "Vulnerabilities of the container's image";
	r->severity = SW_SEV_UNKNOWN;
	r->status = SW_CHECK_INFO;
	r->remediation = "Rebuild the image on fixed packages and redeploy the container";
	char *d = sw_xasprintf("container %.120s (%.12s): image %s: %s", c->name, c->id, *c->image ? c->image : c->image_id,
			       summary);
	sw_check_add_evidence(r, -1, -1, NULL, "Image", NULL, d);
	free(d);
	if (failed)
		r->note = sw_xstrdup("the image could not be scanned");
	sw_vec_push(&out->results, r);
}
