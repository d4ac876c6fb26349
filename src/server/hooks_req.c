/* hooks_req.c - the body of POST /api/v1/webhooks (server_int.h). */
#include <jansson.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/server_int.h"
#include "util/mem.h"

#define MAX_URL 2048
#define MIN_SECRET 16
#define MAX_SECRET 1024
#define MAX_PATTERNS 100
#define MAX_PATTERN 256

void sw_srv_webhook_req_release(struct sw_srv_webhook_req *r)
{
	free(r->url);
	if (r->secret) {
		OPENSSL_cleanse(r->secret, strlen(r->secret));
		free(r->secret);
	}
	free(r->min_severity);
	free(r->repositories);
	memset(r, 0, sizeof(*r));
}

static int only_keys(json_t *o, const char *where, const char *const *keys, struct sw_err *err)
{
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v) {
		bool known = false;
		for (size_t i = 0; keys[i] && !known; i++)
			known = strcmp(k, keys[i]) == 0;
		if (!known)
			return sw_err_set(err, SW_E_USAGE, "unknown member '%s%.64s'", where, k);
	}
	return 0;
}

/* a string of min..max bytes without NUL or control characters */
static int text(json_t *v, const char *name, size_t min, size_t max, struct sw_err *err)
{
	if (!json_is_string(v))
		return sw_err_set(err, SW_E_USAGE, "'%s' must be a string", name);
	size_t n = json_string_length(v);
	if (n < min || n > max)
		return sw_err_set(err, SW_E_USAGE, "'%s' must be %zu to %zu bytes (it has %zu)", name, min, max, n);
	const unsigned char *s = (const unsigned char *)json_string_value(v);
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] == 0x7f)
			return sw_err_set(err, SW_E_USAGE, "'%s' contains a control character", name);
	return 0;
}

static int check_url(const char *u, struct sw_err *err)
{
	size_t skip = strncasecmp(u, "http://", 7) == 0 ? 7 : strncasecmp(u, "https://", 8) == 0 ? 8 : 0;
	if (!skip)
		return sw_err_set(err, SW_E_USAGE, "'url' must be an http:// or https:// URL");
	const char *host = u + skip;
	if (!*host || *host == '/' || *host == ':' || *host == '?' || *host == '#')
		return sw_err_set(err, SW_E_USAGE, "'url' has no host");
	for (const char *p = u; *p; p++)
		if (*p == ' ' || *p == '\\')
			return sw_err_set(err, SW_E_USAGE, "'url' contains a space or a backslash");
	return 0;
}

static int get_bool(json_t *o, const char *key, const char *name, bool *out, struct sw_err *err)
{
	json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return sw_err_set(err, SW_E_USAGE, "'%s' must be true or false", name);
	*out = json_is_true(v);
	return 0;
}

static int parse_filter(json_t *f, struct sw_srv_webhook_req *out, struct sw_err *err)
{
	if (!json_is_object(f))
		return sw_err_set(err, SW_E_USAGE, "'filter' must be an object");
	static const char *const keys[] = { "min_severity", "repositories", "only_fixable", "kev_only", NULL };
	int r = only_keys(f, "filter.", keys, err);
	json_t *v = json_object_get(f, "min_severity");
	if (r == 0 && v && !json_is_null(v)) {
		static const char *const sev[] = { "negligible", "low", "medium", "high", "critical" };
		r = text(v, "filter.min_severity", 1, 16, err);
		bool ok = false;
		for (size_t i = 0; r == 0 && i < sizeof(sev) / sizeof(sev[0]) && !ok; i++)
			ok = strcmp(json_string_value(v), sev[i]) == 0;
		if (r == 0 && !ok)
			r = sw_err_set(err, SW_E_USAGE,
				       "'filter.min_severity' must be negligible, low, medium, high or critical (not '%.32s')",
				       json_string_value(v));
		if (r == 0)
			out->min_severity = sw_xstrdup(json_string_value(v));
	}
	v = json_object_get(f, "repositories");
	if (r == 0 && v && !json_is_null(v)) {
		if (!json_is_array(v))
			r = sw_err_set(err, SW_E_USAGE, "'filter.repositories' must be an array of strings");
		else if (json_array_size(v) > MAX_PATTERNS)
			r = sw_err_set(err, SW_E_USAGE, "'filter.repositories' has more than %d patterns", MAX_PATTERNS);
		size_t i;
		json_t *p;
		json_array_foreach(v, i, p) {
			if (r == 0)
				r = text(p, "filter.repositories[]", 1, MAX_PATTERN, err);
		}
		if (r == 0 && json_array_size(v) > 0)
			out->repositories = json_dumps(v, JSON_COMPACT);
	}
	if (r == 0)
		r = get_bool(f, "only_fixable", "filter.only_fixable", &out->only_fixable, err);
	if (r == 0)
		r = get_bool(f, "kev_only", "filter.kev_only", &out->kev_only, err);
	return r;
}

int sw_srv_parse_webhook_req(const char *body, size_t len, struct sw_srv_webhook_req *out, struct sw_err *err)
{
	memset(out, 0, sizeof(*out));
	json_error_t je;
	json_t *j = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, &je);
	if (!j)
		return sw_err_set(err, SW_E_FORMAT, "malformed JSON at line %d column %d: %s", je.line, je.column, je.text);
	int r = 0;
	if (!json_is_object(j))
		r = sw_err_set(err, SW_E_FORMAT, "the body must be a JSON object");
	static const char *const keys[] = { "url", "secret", "filter", NULL };
	if (r == 0)
		r = only_keys(j, "", keys, err);
	json_t *v;
	if (r == 0) {
		if (!(v = json_object_get(j, "url")))
			r = sw_err_set(err, SW_E_USAGE, "'url' is missing");
		else if ((r = text(v, "url", 8, MAX_URL, err)) == 0 && (r = check_url(json_string_value(v), err)) == 0)
			out->url = sw_xstrdup(json_string_value(v));
	}
	if (r == 0) {
		if (!(v = json_object_get(j, "secret")))
			r = sw_err_set(err, SW_E_USAGE, "'secret' is missing (the key of the X-Stowaway-Signature HMAC)");
		else if ((r = text(v, "secret", MIN_SECRET, MAX_SECRET, err)) == 0)
			out->secret = sw_xstrdup(json_string_value(v));
	}
	if (r == 0 && (v = json_object_get(j, "filter")) && !json_is_null(v))
		r = parse_filter(v, out, err);
	json_decref(j);
	if (r < 0)
		sw_srv_webhook_req_release(out);
	return r;
}
