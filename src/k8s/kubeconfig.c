/*
 * kubeconfig.c - the parts of a kubeconfig file `stowaway k8s` needs
 * (k8s.h): current-context (or the one asked for), its cluster (server,
 * CA, insecure-skip-tls-verify) and user (token, tokenFile, client
 * certificate and key, username/password).  YAML through policy/yaml.h.
 */
#include <jansson.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "k8s/internal.h"
#include "policy/yaml.h"
#include "util/mem.h"

#define KC_MAX ((size_t)16 << 20)

void sw_kubeconfig_release(struct sw_kubeconfig *kc)
{
	if (!kc)
		return;
	free(kc->path);
	free(kc->context);
	free(kc->server);
	free(kc->ns);
	free(kc->ca_file);
	sw_buf_release(&kc->ca_pem);
	if (kc->token)
		memset(kc->token, 0, strlen(kc->token));
	free(kc->token);
	free(kc->cert_file);
	free(kc->key_file);
	sw_buf_release(&kc->cert_pem);
	if (kc->key_pem.data)
		memset(kc->key_pem.data, 0, kc->key_pem.len);
	sw_buf_release(&kc->key_pem);
	free(kc->username);
	if (kc->password)
		memset(kc->password, 0, strlen(kc->password));
	free(kc->password);
	memset(kc, 0, sizeof(*kc));
}

int sw_k8s_b64_decode(const char *s, struct sw_buf *out)
{
	size_t n = strlen(s);
	/* kubeconfig data may be wrapped */
	char *clean = sw_xmalloc(n + 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] != '\n' && s[i] != '\r' && s[i] != ' ')
			clean[k++] = s[i];
	clean[k] = '\0';
	if (k % 4 || k > ((size_t)1 << 28)) {
		free(clean);
		return -1;
	}
	unsigned char *d = sw_xmalloc(k / 4 * 3 + 1);
	int m = k ? EVP_DecodeBlock(d, (unsigned char *)clean, (int)k) : 0;
	for (size_t i = k; m > 0 && i > 0 && clean[i - 1] == '='; i--)
		m--;
	free(clean);
	if (m < 0) {
		free(d);
		return -1;
	}
	sw_buf_reset(out);
	sw_buf_add(out, d, (size_t)m);
	free(d);
	return 0;
}

/* The "NAME" entry of list (an array of {name, KEY: {...}}), its KEY object. */
static json_t *named(json_t *list, const char *name, const char *key)
{
	size_t i;
	json_t *e;
	json_array_foreach(list, i, e) {
		const char *n = json_string_value(json_object_get(e, "name"));
		if (n && strcmp(n, name) == 0) {
			json_t *v = json_object_get(e, key);
			return json_is_object(v) ? v : NULL;
		}
	}
	return NULL;
}

static char *resolve(const char *dir, const char *p)
{
	if (p[0] == '/' || !dir || !*dir)
		return sw_xstrdup(p);
	return sw_xasprintf("%s/%s", dir, p);
}

/* A string member (NULL when absent); SW_E_FORMAT when it is there but not a string. */
static int get_str(json_t *o, const char *k, const char **out, const char *name, const char *where,
		   struct sw_err *err)
{
	json_t *v = json_object_get(o, k);
	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return sw_err_set(err, SW_E_FORMAT, "'%s': %s: '%s' is not a string", name, where, k);
	*out = json_string_value(v);
	return 0;
}

static int data_field(json_t *o, const char *k, struct sw_buf *out, const char *name, const char *where,
		      struct sw_err *err)
{
	const char *s;
	if (get_str(o, k, &s, name, where, err) < 0)
		return -1;
	if (s && sw_k8s_b64_decode(s, out) < 0)
		return sw_err_set(err, SW_E_FORMAT, "'%s': %s: '%s' is not base64", name, where, k);
	return 0;
}

int sw_kubeconfig_parse(const char *name, const char *dir, const char *data, size_t len, const char *context,
			struct sw_kubeconfig *out, struct sw_err *err)
{
	memset(out, 0, sizeof(*out));
	char *js = NULL;
	size_t jl = 0;
	if (sw_policy_yaml_to_json(name, data, len, &js, &jl, err) < 0)
		return -1;
	json_error_t je;
	json_t *root = json_loadb(js, jl, 0, &je);
	free(js);
	int rc = -1;
	if (!json_is_object(root)) {
		sw_err_set(err, SW_E_FORMAT, "'%s': not a kubeconfig (not a mapping)", name);
		goto out;
	}
	const char *ctx_name = context;
	if (!ctx_name && get_str(root, "current-context", &ctx_name, name, "top level", err) < 0)
		goto out;
	if (!ctx_name || !*ctx_name) {
		sw_err_set(err, SW_E_FORMAT, "'%s': no current-context (name one with --context)", name);
		goto out;
	}
	json_t *ctx = named(json_object_get(root, "contexts"), ctx_name, "context");
	if (!ctx) {
		sw_err_set(err, SW_E_NOTFOUND, "'%s': no context '%s'", name, ctx_name);
		goto out;
	}
	out->context = sw_xstrdup(ctx_name);
	const char *cl_name, *user_name, *ns;
	if (get_str(ctx, "cluster", &cl_name, name, "context", err) < 0 ||
	    get_str(ctx, "user", &user_name, name, "context", err) < 0 ||
	    get_str(ctx, "namespace", &ns, name, "context", err) < 0)
		goto out;
	out->ns = ns && *ns ? sw_xstrdup(ns) : NULL;
	json_t *cl = cl_name ? named(json_object_get(root, "clusters"), cl_name, "cluster") : NULL;
	if (!cl) {
		sw_err_set(err, SW_E_NOTFOUND, "'%s': context '%s': no cluster '%s'", name, ctx_name,
			   cl_name ? cl_name : "(none)");
		goto out;
	}
	const char *server, *ca;
	if (get_str(cl, "server", &server, name, "cluster", err) < 0 ||
	    get_str(cl, "certificate-authority", &ca, name, "cluster", err) < 0 ||
	    data_field(cl, "certificate-authority-data", &out->ca_pem, name, "cluster", err) < 0)
		goto out;
	if (!server || (strncmp(server, "https://", 8) != 0 && strncmp(server, "http://", 7) != 0)) {
		sw_err_set(err, SW_E_FORMAT, "'%s': cluster '%s': server is not an http(s) URL", name, cl_name);
		goto out;
	}
	size_t sl = strlen(server);
	while (sl > 0 && server[sl - 1] == '/')
		sl--;
	out->server = sw_xstrndup(server, sl);
	out->ca_file = ca && *ca ? resolve(dir, ca) : NULL;
	out->insecure = json_is_true(json_object_get(cl, "insecure-skip-tls-verify"));
	json_t *user = user_name ? named(json_object_get(root, "users"), user_name, "user") : NULL;
	if (user_name && !user) {
		sw_err_set(err, SW_E_NOTFOUND, "'%s': context '%s': no user '%s'", name, ctx_name, user_name);
		goto out;
	}
	if (user) {
		const char *tok, *tokfile, *cert, *key, *u, *p;
		if (get_str(user, "token", &tok, name, "user", err) < 0 ||
		    get_str(user, "tokenFile", &tokfile, name, "user", err) < 0 ||
		    get_str(user, "client-certificate", &cert, name, "user", err) < 0 ||
		    get_str(user, "client-key", &key, name, "user", err) < 0 ||
		    get_str(user, "username", &u, name, "user", err) < 0 ||
		    get_str(user, "password", &p, name, "user", err) < 0 ||
		    data_field(user, "client-certificate-data", &out->cert_pem, name, "user", err) < 0 ||
		    data_field(user, "client-key-data", &out->key_pem, name, "user", err) < 0)
			goto out;
		if (json_object_get(user, "exec") || json_object_get(user, "auth-provider")) {
			if (!tok && !tokfile && !cert && !out->cert_pem.len) {
				sw_err_set(err, SW_E_UNSUPPORTED,
					   "'%s': user '%s': exec and auth-provider credentials are not run "
					   "(give a token or a client certificate)",
					   name, user_name);
				goto out;
			}
		}
		if (tok && *tok) {
			out->token = sw_xstrdup(tok);
		} else if (tokfile && *tokfile) {
			char *tp = resolve(dir, tokfile);
			struct sw_buf tb = SW_BUF_INIT;
			if (sw_buf_read_file(&tb, tp, 1 << 20, err) < 0) {
				free(tp);
				sw_buf_release(&tb);
				goto out;
			}
			free(tp);
			while (tb.len > 0 && (tb.data[tb.len - 1] == '\n' || tb.data[tb.len - 1] == '\r'))
				tb.len--;
			sw_buf_addch(&tb, '\0');
			out->token = sw_buf_detach(&tb, NULL);
		}
		if (out->token && strpbrk(out->token, "\r\n")) {
			sw_err_set(err, SW_E_FORMAT, "'%s': user '%s': the token has a line break", name, user_name);
			goto out;
		}
		out->cert_file = cert && *cert ? resolve(dir, cert) : NULL;
		out->key_file = key && *key ? resolve(dir, key) : NULL;
		out->username = u ? sw_xstrdup(u) : NULL;
		out->password = p ? sw_xstrdup(p) : NULL;
		if ((out->cert_file || out->cert_pem.len) != (out->key_file || out->key_pem.len)) {
			sw_err_set(err, SW_E_FORMAT, "'%s': user '%s': a client certificate needs its key", name,
				   user_name);
			goto out;
		}
	}
	out->path = sw_xstrdup(name);
	rc = 0;
out:
	json_decref(root);
	if (rc < 0)
		sw_kubeconfig_release(out);
	return rc;
}

int sw_kubeconfig_load(const char *path, const char *context, struct sw_kubeconfig *out, struct sw_err *err)
{
	char *p = NULL;
	if (path) {
		p = sw_xstrdup(path);
	} else {
		const char *env = getenv("KUBECONFIG");
		if (env && *env) {
			const char *colon = strchr(env, ':');
			p = colon ? sw_xstrndup(env, (size_t)(colon - env)) : sw_xstrdup(env);
		} else {
			const char *home = getenv("HOME");
			p = sw_xasprintf("%s/.kube/config", home && *home ? home : ".");
		}
	}
	struct sw_buf b = SW_BUF_INIT;
	int rc = sw_buf_read_file(&b, p, KC_MAX, err);
	if (rc == 0) {
		char *slash = strrchr(p, '/');
		char *dir = slash ? sw_xstrndup(p, (size_t)(slash - p)) : NULL;
		if (dir && !*dir) {
			free(dir);
			dir = sw_xstrdup("/");
		}
		rc = sw_kubeconfig_parse(p, dir, b.data ? (const char *)b.data : "", b.len, context, out, err);
		free(dir);
	}
	sw_buf_release(&b);
	free(p);
	return rc;
}
