/*
 * api.c - GET requests to the Kubernetes API server with the kubeconfig's
 * credentials (internal.h): bearer token or basic auth, client
 * certificate and key (files or PEM in memory), the cluster's CA.  Lists
 * are read page by page (limit/continue).  One curl handle per api object
 * (the caller keeps one per thread).
 */
#include <stdlib.h>
#include <string.h>

#include "k8s/internal.h"
#include "net/libcurl.h"
#include "util/mem.h"

#define API_BODY_MAX ((size_t)512 << 20)

struct sw_k8s_api {
	const struct sw_kubeconfig *kc;
	CURL *h;
	struct curl_slist *hdrs;
};

int sw_k8s_api_new(const struct sw_kubeconfig *kc, struct sw_k8s_api **out, struct sw_err *err)
{
	if (sw_libcurl_load(err) < 0)
		return -1;
	struct sw_k8s_api *a = sw_xcalloc(1, sizeof(*a));
	a->kc = kc;
	a->h = sw_curl->easy_init();
	if (!a->h) {
		free(a);
		return sw_err_set(err, SW_E_INTERNAL, "curl_easy_init failed");
	}
	a->hdrs = sw_curl->slist_append(NULL, "Accept: application/json");
	if (kc->token) {
		char *h = sw_xasprintf("Authorization: Bearer %s", kc->token);
		a->hdrs = sw_curl->slist_append(a->hdrs, h);
		memset(h, 0, strlen(h));
		free(h);
	}
	*out = a;
	return 0;
}

void sw_k8s_api_free(struct sw_k8s_api *a)
{
	if (!a)
		return;
	sw_curl->slist_free_all(a->hdrs);
	sw_curl->easy_cleanup(a->h);
	free(a);
}

static size_t body_cb(char *p, size_t sz, size_t n, void *ud)
{
	struct sw_buf *b = ud;
	if (b->len + sz * n > API_BODY_MAX)
		return 0;
	sw_buf_add(b, p, sz * n);
	return sz * n;
}

static void blob(CURL *h, CURLoption opt, const struct sw_buf *b, struct curl_blob *cb)
{
	cb->data = b->data;
	cb->len = b->len;
	cb->flags = CURL_BLOB_COPY;
	sw_curl->easy_setopt(h, opt, cb);
}

int sw_k8s_get(struct sw_k8s_api *a, const char *path, json_t **out, long *status, struct sw_err *err)
{
	*out = NULL;
	*status = 0;
	const struct sw_kubeconfig *kc = a->kc;
	CURL *h = a->h;
	sw_curl->easy_reset(h);
	char *url = sw_xasprintf("%s%s", kc->server, path);
	struct sw_buf body = SW_BUF_INIT;
	struct curl_blob cb;
	sw_curl->easy_setopt(h, CURLOPT_URL, url);
	sw_curl->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	sw_curl->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	sw_curl->easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 15L);
	sw_curl->easy_setopt(h, CURLOPT_TIMEOUT, 300L);
	sw_curl->easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	sw_curl->easy_setopt(h, CURLOPT_HTTPHEADER, a->hdrs);
	sw_curl->easy_setopt(h, CURLOPT_WRITEFUNCTION, body_cb);
	sw_curl->easy_setopt(h, CURLOPT_WRITEDATA, &body);
	if (kc->ca_file)
		sw_curl->easy_setopt(h, CURLOPT_CAINFO, kc->ca_file);
	else if (kc->ca_pem.len)
		blob(h, CURLOPT_CAINFO_BLOB, &kc->ca_pem, &cb);
	if (kc->insecure) {
		sw_curl->easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		sw_curl->easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (kc->cert_file)
		sw_curl->easy_setopt(h, CURLOPT_SSLCERT, kc->cert_file);
	else if (kc->cert_pem.len)
		blob(h, CURLOPT_SSLCERT_BLOB, &kc->cert_pem, &cb);
	if (kc->key_file)
		sw_curl->easy_setopt(h, CURLOPT_SSLKEY, kc->key_file);
	else if (kc->key_pem.len)
		blob(h, CURLOPT_SSLKEY_BLOB, &kc->key_pem, &cb);
	if (!kc->token && kc->username && kc->password) {
		sw_curl->easy_setopt(h, CURLOPT_USERNAME, kc->username);
		sw_curl->easy_setopt(h, CURLOPT_PASSWORD, kc->password);
	}
	CURLcode cc = sw_curl->easy_perform(h);
	int rc = 0;
	if (cc != CURLE_OK) {
		rc = sw_err_set(err, SW_E_NET, "%s: %s", kc->server, sw_curl->easy_strerror(cc));
		goto out;
	}
	sw_curl->easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	json_error_t je;
	json_t *doc = json_loadb(body.data ? (const char *)body.data : "", body.len, 0, &je);
	if (*status != 200) {
		const char *msg = json_string_value(json_object_get(doc, "message"));
		rc = sw_err_set(err, *status == 403 || *status == 401 ? SW_E_AUTH : SW_E_IO, "GET %s: HTTP %ld%s%.300s",
				path, *status, msg ? ": " : "", msg ? msg : "");
		json_decref(doc);
		goto out;
	}
	if (!json_is_object(doc)) {
		json_decref(doc);
		rc = sw_err_set(err, SW_E_FORMAT, "GET %s: the answer is not a JSON object", path);
		goto out;
	}
	*out = doc;
out:
	free(url);
	sw_buf_release(&body);
	return rc;
}

int sw_k8s_list(struct sw_k8s_api *a, const char *path, unsigned limit, void (*fn)(void *ctx, json_t *item),
		void *ctx, long *status, struct sw_err *err)
{
	char *cont = NULL;
	for (unsigned page = 0;; page++) {
		char *esc = cont ? sw_curl->easy_escape(a->h, cont, 0) : NULL;
		char *p = sw_xasprintf("%s?limit=%u%s%s", path, limit, esc ? "&continue=" : "", esc ? esc : "");
		if (esc)
			sw_curl->free(esc);
		json_t *doc = NULL;
		int rc = sw_k8s_get(a, p, &doc, status, err);
		free(p);
		free(cont);
		cont = NULL;
		if (rc < 0)
			return rc;
		json_t *items = json_object_get(doc, "items");
		if (!json_is_array(items) && !json_is_null(items) && items) {
			json_decref(doc);
			return sw_err_set(err, SW_E_FORMAT, "GET %s: items is not a list", path);
		}
		size_t i;
		json_t *it;
		json_array_foreach(items, i, it)
			if (json_is_object(it))
				fn(ctx, it);
		const char *c = json_string_value(json_object_get(json_object_get(doc, "metadata"), "continue"));
		if (c && *c)
			cont = sw_xstrdup(c);
		json_decref(doc);
		if (!cont)
			return 0;
		if (page > 100000)
			return sw_err_set(err, SW_E_LIMIT, "GET %s: more than 100000 pages", path);
	}
}
