/* request.c - the JSON request bodies of the server (server_int.h). */
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "server/server_int.h"
#include "util/mem.h"

#define MAX_REF 2048
#define MAX_FIELD 4096

void sw_srv_scan_req_release(struct sw_srv_scan_req *r)
{
	free(r->image);
	free(r->platform);
	free(r->username);
	if (r->password) {
		OPENSSL_cleanse(r->password, strlen(r->password));
		free(r->password);
	}
	memset(r, 0, sizeof(*r));
}

static json_t *load(const char *body, size_t len, struct sw_err *err)
{
	json_error_t je;
	json_t *j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	if (!j) {
		sw_err_set(err, SW_E_FORMAT, "malformed JSON at line %d column %d: %s", je.line, je.column, je.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		sw_err_set(err, SW_E_FORMAT, "the body must be a JSON object");
		return NULL;
	}
	return j;
}

/* A string member: 0 absent, 1 present (copied to *out), < 0 bad. */
static int get_str(json_t *o, const char *key, size_t max, char **out, struct sw_err *err)
{
	json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return sw_err_set(err, SW_E_USAGE, "'%s' must be a string", key);
	size_t n = json_string_length(v);
	if (n == 0 || n > max)
		return sw_err_set(err, SW_E_USAGE, "'%s' must be 1 to %zu bytes", key, max);
	if (memchr(json_string_value(v), 0, n))
		return sw_err_set(err, SW_E_USAGE, "'%s' contains a NUL byte", key);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)json_string_value(v)[i] < 0x20)
			return sw_err_set(err, SW_E_USAGE, "'%s' contains a control character", key);
	*out = sw_xstrdup(json_string_value(v));
	return 1;
}

static int need_str(json_t *o, const char *key, const char *what, size_t max, char **out, struct sw_err *err)
{
	int r = get_str(o, key, max, out, err);
	if (r == 0)
		return sw_err_set(err, SW_E_USAGE, "%s is missing", what);
	return r < 0 ? r : 0;
}

static int get_bool(json_t *o, const char *key, bool *out, struct sw_err *err)
{
	json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return sw_err_set(err, SW_E_USAGE, "'%s' must be true or false", key);
	*out = json_is_true(v);
	return 1;
}

static int only_keys(json_t *o, const char *const *keys, struct sw_err *err)
{
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v) {
		bool known = false;
		for (size_t i = 0; keys[i] && !known; i++)
			known = strcmp(k, keys[i]) == 0;
		if (!known)
			return sw_err_set(err, SW_E_USAGE, "unknown member '%.64s'", k);
	}
	return 0;
}

int sw_srv_parse_scan_req(const char *body, size_t len, struct sw_srv_scan_req *out, struct sw_err *err)
{
	memset(out, 0, sizeof(*out));
	json_t *j = load(body, len, err);
	if (!j)
		return -SW_E_FORMAT;
	static const char *const keys[] = { "image", "platform", "plain_http", "insecure", "username", "password", NULL };
	int r = only_keys(j, keys, err);
	if (r == 0 && (r = get_str(j, "image", MAX_REF, &out->image, err)) == 0)
		r = sw_err_set(err, SW_E_USAGE, "'image' is missing");
	if (r >= 0)
		r = get_str(j, "platform", 64, &out->platform, err);
	if (r >= 0)
		r = get_bool(j, "plain_http", &out->plain_http, err);
	if (r >= 0)
		r = get_bool(j, "insecure", &out->insecure, err);
	if (r >= 0)
		r = get_str(j, "username", 256, &out->username, err);
	if (r >= 0)
		r = get_str(j, "password", MAX_FIELD, &out->password, err);
	if (r >= 0 && !out->username != !out->password)
		r = sw_err_set(err, SW_E_USAGE, "'username' and 'password' go together");
	json_decref(j);
	if (r < 0) {
		sw_srv_scan_req_release(out);
		return r;
	}
	return 0;
}

static bool repo_ok(const char *s)
{
	if (!*s || strlen(s) > 255)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr("._-/", *p)))
			return false;
	return s[0] != '/' && s[strlen(s) - 1] != '/' && !strstr(s, "//") && !strstr(s, "..");
}

static bool digest_ok(const char *s)
{
	const char *c = strchr(s, ':');
	if (!c || c == s || strlen(c + 1) < 32 || strlen(s) > 200)
		return false;
	for (const char *p = s; p < c; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '+' || *p == '.' || *p == '_'))
			return false;
	for (const char *p = c + 1; *p; p++)
		if (!((*p >= 'a' && *p <= 'f') || (*p >= '0' && *p <= '9')))
			return false;
	return true;
}

static bool tag_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 128)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("._-", *p)))
			return false;
	return true;
}

/* host[:port] of a registry URL; plain http for http:// */
static int registry_host(const char *url, char **host, bool *plain, struct sw_err *err)
{
	const char *p = url;
	*plain = false;
	if (strncmp(p, "https://", 8) == 0) {
		p += 8;
	} else if (strncmp(p, "http://", 7) == 0) {
		p += 7;
		*plain = true;
	} else {
		return sw_err_set(err, SW_E_USAGE, "registry.url must start with https:// or http://");
	}
	size_t n = strcspn(p, "/");
	if (n == 0 || n > 255 || (p[n] == '/' && p[n + 1]))
		return sw_err_set(err, SW_E_USAGE, "registry.url must be a scheme and host[:port]");
	for (size_t i = 0; i < n; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= '0' && p[i] <= '9') ||
		      strchr(".-:[]", p[i])))
			return sw_err_set(err, SW_E_USAGE, "registry.url has a bad host");
	*host = sw_xasprintf("%.*s", (int)n, p);
	return 0;
}

/* "Basic B64(user:pass)" -> user, pass */
static int basic_auth(const char *h, char **user, char **pass, struct sw_err *err)
{
	if (strncmp(h, "Basic ", 6) != 0)
		return sw_err_set(err, SW_E_USAGE, "registry.authorization: only Basic credentials are supported");
	const char *b = h + 6;
	size_t n = strlen(b);
	if (n == 0 || n % 4 || n > 4096)
		return sw_err_set(err, SW_E_USAGE, "registry.authorization: bad base64");
	unsigned char *out = sw_xmalloc(n / 4 * 3 + 1);
	int m = EVP_DecodeBlock(out, (const unsigned char *)b, (int)n);
	if (m < 0) {
		free(out);
		return sw_err_set(err, SW_E_USAGE, "registry.authorization: bad base64");
	}
	/* EVP_DecodeBlock counts the padding as zero bytes */
	if (n >= 1 && b[n - 1] == '=')
		m--;
	if (n >= 2 && b[n - 2] == '=')
		m--;
	out[m] = 0;
	char *colon = memchr(out, ':', (size_t)m);
	int r = 0;
	if (!colon || memchr(out, 0, (size_t)m) || colon == (char *)out)
		r = sw_err_set(err, SW_E_USAGE, "registry.authorization: not user:password");
	if (r == 0) {
		*colon = 0;
		*user = sw_xstrdup((char *)out);
		*pass = sw_xstrdup(colon + 1);
	}
	OPENSSL_cleanse(out, (size_t)m);
	free(out);
	return r;
}

int sw_srv_parse_harbor_req(const char *body, size_t len, struct sw_srv_scan_req *out, char **name,
			    struct sw_err *err)
{
	memset(out, 0, sizeof(*out));
	*name = NULL;
	json_t *j = load(body, len, err);
	if (!j)
		return -SW_E_FORMAT;
	json_t *reg = json_object_get(j, "registry"), *art = json_object_get(j, "artifact");
	char *url = NULL, *auth = NULL, *repo = NULL, *digest = NULL, *tag = NULL, *host = NULL;
	int r = 0;
	if (!json_is_object(reg) || !json_is_object(art))
		r = sw_err_set(err, SW_E_FORMAT, "'registry' and 'artifact' must be objects");
	if (r == 0)
		r = need_str(reg, "url", "registry.url", 1024, &url, err);
	if (r == 0 && get_str(reg, "authorization", MAX_FIELD, &auth, err) < 0)
		r = -SW_E_USAGE;
	if (r == 0)
		r = need_str(art, "repository", "artifact.repository", 256, &repo, err);
	if (r == 0)
		r = need_str(art, "digest", "artifact.digest", 256, &digest, err);
	if (r == 0 && get_str(art, "tag", 256, &tag, err) < 0)
		r = -SW_E_USAGE;
	if (r == 0 && !repo_ok(repo))
		r = sw_err_set(err, SW_E_USAGE, "artifact.repository '%.64s' is not a repository name", repo);
	if (r == 0 && !digest_ok(digest))
		r = sw_err_set(err, SW_E_USAGE, "artifact.digest '%.80s' is not ALGORITHM:HEX", digest);
	if (r == 0 && tag && !tag_ok(tag))
		r = sw_err_set(err, SW_E_USAGE, "artifact.tag is not a tag");
	if (r == 0)
		r = registry_host(url, &host, &out->plain_http, err);
	if (r == 0 && auth)
		r = basic_auth(auth, &out->username, &out->password, err);
	if (r == 0) {
		out->image = sw_xasprintf("registry:%s/%s@%s", host, repo, digest);
		*name = tag ? sw_xasprintf("%s/%s:%s", host, repo, tag) : sw_xasprintf("%s/%s@%s", host, repo, digest);
	}
	free(url);
	if (auth) {
		OPENSSL_cleanse(auth, strlen(auth));
		free(auth);
	}
	free(repo);
	free(digest);
	free(tag);
	free(host);
	json_decref(j);
	if (r < 0) {
		sw_srv_scan_req_release(out);
		return r;
	}
	return 0;
}
