/* client.c - client mode: the inventory upload's wire format and the call
 * to the server (client.h). */
#include "client/client.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "inventory/cache.h"
#include "match/codec.h"
#include "net/libcurl.h"
#include "store/store.h"
#include "util/mem.h"

#define CI_MAGIC "SWCI"
#define CI_WHAT "inventory upload"
/* the answer (JSON with the base64 match result) */
#define ANSWER_MAX ((size_t)512 << 20)

/* ---------------------------------------------------------------- wire */

void sw_client_req_release(struct sw_client_req *r)
{
	sw_inventory_free(r->inv);
	free(r->inv_blob);
	free(r->name);
	free(r->config_json);
	memset(r, 0, sizeof(*r));
}

int sw_client_req_encode(const struct sw_inventory *inv, const char *name, const char *config_json,
			 const struct sw_match_opts *mo, struct sw_buf *out, struct sw_err *err)
{
	struct sw_buf enc = SW_BUF_INIT, packed = SW_BUF_INIT;
	int r = sw_st_inventory_encode(inv, "", &enc, err);
	if (r == 0)
		r = sw_st_pack(enc.data, enc.len, &packed, err);
	if (r == 0) {
		size_t start = sw_cache_put_begin(out, CI_MAGIC, SW_CLIENT_WIRE_FORMAT, "");
		uint32_t flags = (mo && mo->kernel_headers ? SW_CLIENT_KERNEL_HEADERS : 0) |
				 (mo && mo->lang_owned ? SW_CLIENT_LANG_OWNED : 0);
		sw_cache_put_u32(out, flags);
		sw_cache_put_str(out, name);
		sw_cache_put_str(out, config_json);
		sw_cache_put_u32(out, (uint32_t)packed.len);
		sw_buf_add(out, packed.data, packed.len);
		r = sw_cache_put_end(out, start, CI_WHAT, err);
	}
	sw_buf_release(&enc);
	sw_buf_release(&packed);
	return r;
}

int sw_client_req_decode(const uint8_t *data, size_t len, struct sw_client_req *out, struct sw_err *err)
{
	struct sw_cache_rd r;
	if (sw_cache_rd_begin(&r, data, len, CI_MAGIC, SW_CLIENT_WIRE_FORMAT, NULL, CI_WHAT, err) < 0)
		return -SW_E_FORMAT;
	struct sw_client_req q = { 0 };
	uint32_t flags = sw_cache_get_u32(&r);
	if (flags & ~(uint32_t)(SW_CLIENT_KERNEL_HEADERS | SW_CLIENT_LANG_OWNED))
		sw_cache_rd_fail(&r, "unknown flags");
	q.match.kernel_headers = (flags & SW_CLIENT_KERNEL_HEADERS) != 0;
	q.match.lang_owned = (flags & SW_CLIENT_LANG_OWNED) != 0;
	q.name = sw_cache_get_str(&r);
	q.config_json = sw_cache_get_str(&r);
	uint32_t plen = sw_cache_get_u32(&r);
	const uint8_t *packed = r.p;
	if (!r.bad && plen > r.left)
		sw_cache_rd_fail(&r, "inventory beyond the end");
	if (!r.bad) {
		r.p += plen;
		r.left -= plen;
	}
	int rc = sw_cache_rd_end(&r, CI_WHAT, err);
	struct sw_buf inv = SW_BUF_INIT;
	if (rc == 0 && sw_st_unpack(packed, plen, SW_CLIENT_INV_MAX, &inv, err) < 0)
		rc = sw_err_wrap(err, CI_WHAT ": the inventory");
	if (rc == 0 && sw_st_inventory_decode((const uint8_t *)inv.data, inv.len, &q.inv, err) < 0)
		rc = sw_err_wrap(err, CI_WHAT);
	if (rc == 0 && q.config_json) {
		json_t *j = json_loads(q.config_json, JSON_REJECT_DUPLICATES, NULL);
		if (!json_is_object(j))
			rc = sw_err_set(err, SW_E_FORMAT, CI_WHAT ": the image config is not a JSON object");
		json_decref(j);
	}
	if (rc < 0) {
		sw_buf_release(&inv);
		sw_client_req_release(&q);
		return -SW_E_FORMAT;
	}
	q.inv_blob = (uint8_t *)sw_buf_detach(&inv, &q.inv_blob_len);
	*out = q;
	return 0;
}

/* ---------------------------------------------------------------- the call */

struct answer {
	struct sw_buf body;
	bool too_big;
};

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
	struct answer *a = ctx;
	size_t len = size * n;
	if (a->body.len + len > ANSWER_MAX) {
		a->too_big = true;
		return 0;
	}
	sw_buf_add(&a->body, p, len);
	return len;
}

/* the "error" member of a JSON error answer, or NULL */
static char *error_message(const struct sw_buf *b)
{
	json_t *j = b->len ? json_loadb(b->data, b->len, 0, NULL) : NULL;
	const char *m = json_string_value(json_object_get(j, "error"));
	char *out = m ? sw_xstrdup(m) : NULL;
	json_decref(j);
	return out;
}

static int64_t int_member(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	if (json_is_integer(v))
		return (int64_t)json_integer_value(v);
	if (json_is_string(v))   /* job ids are strings in the API */
		return strtoll(json_string_value(v), NULL, 10);
	return 0;
}

static int parse_answer(const char *url, const struct sw_buf *b, size_t npackages, struct sw_match_result **out,
			struct sw_client_info *info, struct sw_err *err)
{
	json_error_t je;
	json_t *j = json_loadb(b->data, b->len, 0, &je);
	const char *m64 = json_string_value(json_object_get(j, "match"));
	if (!json_is_object(j) || !m64) {
		json_decref(j);
		return sw_err_set(err, SW_E_FORMAT, "server '%s': the answer is not a match result (%s)", url,
				  j ? "no \"match\" member" : je.text);
	}
	size_t n64 = strlen(m64);
	uint8_t *raw = sw_xmalloc(n64 / 4 * 3 + 3);
	int n = n64 % 4 == 0 ? EVP_DecodeBlock(raw, (const unsigned char *)m64, (int)n64) : -1;
	int rc = 0;
	if (n < 0) {
		rc = sw_err_set(err, SW_E_FORMAT, "server '%s': the match result is not base64", url);
	} else {
		/* EVP_DecodeBlock counts the padding as zero bytes */
		size_t len = (size_t)n;
		for (size_t i = n64; i > 0 && m64[i - 1] == '=' && len; i--)
			len--;
		if (sw_match_result_decode(raw, len, npackages, out, err) < 0)
			rc = sw_err_wrap(err, "server '%s'", url);
	}
	free(raw);
	if (rc == 0 && info) {
		info->db_built_at = int_member(j, "vulndb_built");
		info->report = int_member(j, "report");
		info->job = int_member(json_object_get(j, "job"), "id");
	}
	json_decref(j);
	return rc;
}

int sw_client_match(const struct sw_client_opts *o, const struct sw_inventory *inv, const char *name,
		    const char *config_json, struct sw_match_result **out, struct sw_client_info *info,
		    struct sw_err *err)
{
	const char *base = o->url;
	if (!base || (strncmp(base, "http://", 7) != 0 && strncmp(base, "https://", 8) != 0))
		return sw_err_set(err, SW_E_USAGE, "--server '%s': want an http:// or https:// URL", base ? base : "");
	size_t bl = strlen(base);
	while (bl && base[bl - 1] == '/')
		bl--;
	char *url = sw_xasprintf("%.*s/api/v1/inventories", (int)bl, base);
	struct sw_buf body = SW_BUF_INIT;
	int rc = sw_client_req_encode(inv, name, config_json, &o->match, &body, err);
	if (rc == 0)
		rc = sw_libcurl_load(err);
	CURL *c = rc == 0 ? sw_curl->easy_init() : NULL;
	if (rc == 0 && !c)
		rc = sw_err_set(err, SW_E_NOMEM, "server '%.*s': cannot start libcurl", (int)bl, base);
	if (rc < 0) {
		sw_buf_release(&body);
		free(url);
		return rc;
	}
	struct curl_slist *hdr = sw_curl->slist_append(NULL, "Content-Type: " SW_CLIENT_CTYPE);
	hdr = sw_curl->slist_append(hdr, "Accept: application/json");
	hdr = sw_curl->slist_append(hdr, "Expect:");
	char *auth = o->token && *o->token ? sw_xasprintf("Authorization: Bearer %s", o->token) : NULL;
	if (auth)
		hdr = sw_curl->slist_append(hdr, auth);
	struct answer a = { .body = SW_BUF_INIT };
	char cerr[CURL_ERROR_SIZE] = "";
	sw_curl->easy_setopt(c, CURLOPT_URL, url);
	sw_curl->easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	sw_curl->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	sw_curl->easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	sw_curl->easy_setopt(c, CURLOPT_TIMEOUT, o->timeout > 0 ? o->timeout : 300L);
	sw_curl->easy_setopt(c, CURLOPT_USERAGENT, "stowaway/" SW_VERSION_STRING);
	sw_curl->easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	sw_curl->easy_setopt(c, CURLOPT_POST, 1L);
	sw_curl->easy_setopt(c, CURLOPT_POSTFIELDS, body.data);
	sw_curl->easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body.len);
	sw_curl->easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	sw_curl->easy_setopt(c, CURLOPT_WRITEDATA, &a);
	sw_curl->easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	if (o->cacert)
		sw_curl->easy_setopt(c, CURLOPT_CAINFO, o->cacert);
	CURLcode cc = sw_curl->easy_perform(c);
	long status = 0;
	sw_curl->easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	sw_curl->easy_cleanup(c);
	sw_curl->slist_free_all(hdr);
	if (auth) {
		memset(auth, 0, strlen(auth));
		free(auth);
	}
	sw_buf_release(&body);
	char *msg = NULL;
	if (cc != CURLE_OK) {
		rc = sw_err_set(err, SW_E_NET, "server '%.*s': %s", (int)bl, base,
				a.too_big ? "the answer is too large" : cerr[0] ? cerr : sw_curl->easy_strerror(cc));
	} else if (status == 200) {
		rc = parse_answer(url, &a.body, inv->packages.len, out, info, err);
	} else {
		msg = error_message(&a.body);
		if (status == 401)
			rc = sw_err_set(err, SW_E_AUTH, "server '%.*s': %s (401; give a token of scope 'scan' with "
					"--token or $STOWAWAY_TOKEN)", (int)bl, base,
					o->token && *o->token ? "the token is not valid" : "no token");
		else if (status == 403)
			rc = sw_err_set(err, SW_E_AUTH, "server '%.*s': 403: %s", (int)bl, base,
					msg ? msg : "the token may not scan");
		else
			rc = sw_err_set(err, SW_E_IO, "server '%.*s': %ld: %s", (int)bl, base, status,
					msg ? msg : "unexpected answer");
	}
	free(msg);
	sw_buf_release(&a.body);
	free(url);
	return rc;
}

int sw_client_remote_match(void *ctx, const struct sw_inventory *inv, const char *config_json,
			   struct sw_match_result **out, int64_t *db_built_at, struct sw_err *err)
{
	const struct sw_client_opts *o = ctx;
	const char *name = inv->repo_tags.len ? inv->repo_tags.items[0] : inv->reference;
	struct sw_client_info info = { 0 };
	int rc = sw_client_match(o, inv, name, config_json, out, &info, err);
	if (rc == 0)
		*db_built_at = info.db_built_at;
	return rc;
}
