/* store.c - the store interface: back-end dispatch, tokens, blobs (store.h). */
#include "store/store.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <zstd.h>

#include "util/mem.h"

const char *sw_job_state_name(enum sw_job_state s)
{
	switch (s) {
	case SW_JOB_PENDING: return "pending";
	case SW_JOB_RUNNING: return "running";
	case SW_JOB_DONE: return "done";
	case SW_JOB_FAILED: return "failed";
	}
	return "unknown";
}

int sw_st_open(const char *where, struct sw_st **out, struct sw_err *err)
{
	if (!where || !*where)
		return sw_err_set(err, SW_E_USAGE, "no store given");
	if (strncmp(where, "sqlite:", 7) == 0)
		return sw_st_sqlite_open(where + 7, out, err);
	if (strncmp(where, "postgres://", 11) == 0 || strncmp(where, "postgresql://", 13) == 0)
		return sw_err_set(err, SW_E_UNSUPPORTED, "store '%.*s...': the PostgreSQL back end is not built yet",
				  11, where);
	return sw_st_sqlite_open(where, out, err);
}

void sw_st_close(struct sw_st *st)
{
	if (st)
		st->ops->close(st);
}

void sw_st_job_release(struct sw_st_job *j)
{
	free(j->ref);
	free(j->kind);
	free(j->options);
	free(j->error);
	free(j->image_digest);
	free(j->lease_owner);
	memset(j, 0, sizeof(*j));
}

void sw_st_image_release(struct sw_st_image *im)
{
	free(im->digest);
	free(im->config_digest);
	free(im->inv_key);
	free(im->os);
	free(im->architecture);
	free(im->policy);
	sw_vec_free_strings(&im->names);
	memset(im, 0, sizeof(*im));
}

void sw_st_report_release(struct sw_st_report *r)
{
	free(r->image_digest);
	free(r->db_fingerprint);
	free(r->changes_json);
	free(r->policy);
	sw_buf_release(&r->json);
	memset(r, 0, sizeof(*r));
}

static void image_free(void *p)
{
	sw_st_image_release(p);
	free(p);
}

static void report_free(void *p)
{
	sw_st_report_release(p);
	free(p);
}

static void hit_free(void *p)
{
	struct sw_st_hit *h = p;
	free(h->image_digest);
	free(h->names);
	free(h->pkg_name);
	free(h->pkg_version);
	free(h->fixed);
	free(h->severity);
	free(h);
}

void sw_st_image_list_free(struct sw_vec *v) { sw_vec_free_all(v, image_free); }
void sw_st_report_list_free(struct sw_vec *v) { sw_vec_free_all(v, report_free); }
void sw_st_hits_free(struct sw_vec *v) { sw_vec_free_all(v, hit_free); }

/* A back end that leaves an operation NULL does not have it (yet): the
 * call fails with SW_E_UNSUPPORTED naming the back end and the operation. */
static int sw_st_unsupported(const struct sw_st *st, const char *op, struct sw_err *err)
{
	return sw_err_set(err, SW_E_UNSUPPORTED, "the %s store does not support '%s'", st->ops->name, op);
}

int sw_st_job_submit(struct sw_st *st, const char *ref, const char *kind, const char *options, int64_t now,
		     int64_t *id, bool *created, struct sw_err *err)
{
	if (!st->ops->job_submit)
		return sw_st_unsupported(st, "job_submit", err);
	return st->ops->job_submit(st, ref, kind, options, now, id, created, err);
}
int sw_st_job_claim(struct sw_st *st, const char *owner, int lease, int64_t now,
		       struct sw_st_job *job, struct sw_err *err)
{
	if (!st->ops->job_claim)
		return sw_st_unsupported(st, "job_claim", err);
	return st->ops->job_claim(st, owner, lease, now, job, err);
}
int sw_st_job_renew(struct sw_st *st, const char *owner, int lease, int64_t now, struct sw_err *err)
{
	if (!st->ops->job_renew)
		return sw_st_unsupported(st, "job_renew", err);
	return st->ops->job_renew(st, owner, lease, now, err);
}
int sw_st_job_done(struct sw_st *st, int64_t id, const char *owner, const char *image_digest,
		      int64_t report_id, bool reused, int64_t now, struct sw_err *err)
{
	if (!st->ops->job_done)
		return sw_st_unsupported(st, "job_done", err);
	return st->ops->job_done(st, id, owner, image_digest, report_id, reused, now, err);
}
int sw_st_job_fail(struct sw_st *st, int64_t id, const char *owner, const char *why, int64_t now,
		      struct sw_err *err)
{
	if (!st->ops->job_fail)
		return sw_st_unsupported(st, "job_fail", err);
	return st->ops->job_fail(st, id, owner, why, now, err);
}
int sw_st_job_requeue(struct sw_st *st, int64_t id, const char *owner, int64_t now, struct sw_err *err)
{
	if (!st->ops->job_requeue)
		return sw_st_unsupported(st, "job_requeue", err);
	return st->ops->job_requeue(st, id, owner, now, err);
}
int sw_st_job_retry(struct sw_st *st, int64_t id, int64_t now, struct sw_err *err)
{
	if (!st->ops->job_retry)
		return sw_st_unsupported(st, "job_retry", err);
	return st->ops->job_retry(st, id, now, err);
}
int sw_st_job_cancel(struct sw_st *st, int64_t id, const char *why, int64_t now, struct sw_err *err)
{
	if (!st->ops->job_cancel)
		return sw_st_unsupported(st, "job_cancel", err);
	return st->ops->job_cancel(st, id, why, now, err);
}
int sw_st_job_get(struct sw_st *st, int64_t id, struct sw_st_job *job, struct sw_err *err)
{
	if (!st->ops->job_get)
		return sw_st_unsupported(st, "job_get", err);
	return st->ops->job_get(st, id, job, err);
}
int sw_st_job_counts(struct sw_st *st, int64_t counts[4], struct sw_err *err)
{
	if (!st->ops->job_counts)
		return sw_st_unsupported(st, "job_counts", err);
	return st->ops->job_counts(st, counts, err);
}
int sw_st_image_put(struct sw_st *st, const struct sw_st_image_put *im, int64_t now, struct sw_err *err)
{
	if (!st->ops->image_put)
		return sw_st_unsupported(st, "image_put", err);
	return st->ops->image_put(st, im, now, err);
}
int sw_st_image_get(struct sw_st *st, const char *digest, struct sw_st_image *im, struct sw_err *err)
{
	if (!st->ops->image_get)
		return sw_st_unsupported(st, "image_get", err);
	return st->ops->image_get(st, digest, im, err);
}
int sw_st_image_list(struct sw_st *st, struct sw_vec *out, struct sw_err *err)
{
	if (!st->ops->image_list)
		return sw_st_unsupported(st, "image_list", err);
	return st->ops->image_list(st, out, err);
}
int sw_st_inventory_get(struct sw_st *st, const char *digest, const char *inv_key, struct sw_buf *inv,
			   struct sw_buf *config, struct sw_err *err)
{
	if (!st->ops->inventory_get)
		return sw_st_unsupported(st, "inventory_get", err);
	return st->ops->inventory_get(st, digest, inv_key, inv, config, err);
}
int sw_st_report_put(struct sw_st *st, const struct sw_st_report_put *r, int64_t *id, struct sw_err *err)
{
	if (!st->ops->report_put)
		return sw_st_unsupported(st, "report_put", err);
	return st->ops->report_put(st, r, id, err);
}
int sw_st_report_get(struct sw_st *st, int64_t id, struct sw_st_report *r, struct sw_err *err)
{
	if (!st->ops->report_get)
		return sw_st_unsupported(st, "report_get", err);
	return st->ops->report_get(st, id, r, err);
}
int sw_st_report_list(struct sw_st *st, const char *digest, struct sw_vec *out, struct sw_err *err)
{
	if (!st->ops->report_list)
		return sw_st_unsupported(st, "report_list", err);
	return st->ops->report_list(st, digest, out, err);
}
int sw_st_report_finding_ids(struct sw_st *st, int64_t report_id, struct sw_vec *out, struct sw_err *err)
{
	if (!st->ops->report_finding_ids)
		return sw_st_unsupported(st, "report_finding_ids", err);
	return st->ops->report_finding_ids(st, report_id, out, err);
}
int sw_st_vuln_images(struct sw_st *st, const char *vuln_id, struct sw_vec *out, struct sw_err *err)
{
	if (!st->ops->vuln_images)
		return sw_st_unsupported(st, "vuln_images", err);
	return st->ops->vuln_images(st, vuln_id, out, err);
}
int sw_st_meta_get(struct sw_st *st, const char *key, char **value, struct sw_err *err)
{
	if (!st->ops->meta_get)
		return sw_st_unsupported(st, "meta_get", err);
	return st->ops->meta_get(st, key, value, err);
}
int sw_st_meta_set(struct sw_st *st, const char *key, const char *value, struct sw_err *err)
{
	if (!st->ops->meta_set)
		return sw_st_unsupported(st, "meta_set", err);
	return st->ops->meta_set(st, key, value, err);
}

int sw_st_job_begin(struct sw_st *st, const char *ref, const char *kind, const char *options, const char *owner,
		    int lease, int64_t now, int64_t *id, struct sw_err *err)
{
	if (!st->ops->job_begin)
		return sw_st_unsupported(st, "job_begin", err);
	return st->ops->job_begin(st, ref, kind, options, owner, lease, now, id, err);
}

/* ---------------------------------------------------------------- tokens */

static void hex(const uint8_t *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = 0;
}

static int random_bytes(uint8_t *p, size_t n, struct sw_err *err)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = getrandom(p + got, n - got, 0);
		if (r < 0)
			return sw_err_set(err, SW_E_IO, "getrandom failed");
		got += (size_t)r;
	}
	return 0;
}

/* hex SHA-256 of salt || token into out[65] */
static void token_hash(const char *salt, const char *token, char out[65])
{
	uint8_t md[32];
	unsigned mdlen = 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	if (!c)
		abort();
	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	EVP_DigestUpdate(c, salt, strlen(salt));
	EVP_DigestUpdate(c, token, strlen(token));
	EVP_DigestFinal_ex(c, md, &mdlen);
	EVP_MD_CTX_free(c);
	hex(md, 32, out);
}

#define TOKEN_PREFIX "sw_"
#define TOKEN_HEX 48
#define TOKEN_LOOKUP 12   /* characters of the token kept in clear to find its row */

static bool scope_ok(const char *s)
{
	return strcmp(s, "read") == 0 || strcmp(s, "scan") == 0 || strcmp(s, "admin") == 0;
}

int sw_st_token_create(struct sw_st *st, const char *name, const char *scope, int64_t now, char **token,
			  struct sw_err *err)
{
	if (!name || !*name || strlen(name) > 200)
		return sw_err_set(err, SW_E_USAGE, "a token needs a name (at most 200 bytes)");
	if (!scope_ok(scope))
		return sw_err_set(err, SW_E_USAGE, "unknown scope '%s' (read, scan, admin)", scope);
	uint8_t raw[TOKEN_HEX / 2], saltb[16];
	char t[sizeof(TOKEN_PREFIX) + TOKEN_HEX], salt[33], h[65], prefix[TOKEN_LOOKUP + 1];
	if (random_bytes(raw, sizeof(raw), err) < 0 || random_bytes(saltb, sizeof(saltb), err) < 0)
		return -SW_E_IO;
	memcpy(t, TOKEN_PREFIX, 3);
	hex(raw, sizeof(raw), t + 3);
	hex(saltb, sizeof(saltb), salt);
	token_hash(salt, t, h);
	memcpy(prefix, t, TOKEN_LOOKUP);
	prefix[TOKEN_LOOKUP] = 0;
	int r = st->ops->token_put(st, name, scope, salt, h, prefix, now, err);
	OPENSSL_cleanse(raw, sizeof(raw));
	if (r < 0) {
		OPENSSL_cleanse(t, sizeof(t));
		return r;
	}
	*token = sw_xstrdup(t);
	OPENSSL_cleanse(t, sizeof(t));
	return 0;
}

int sw_st_token_check(struct sw_st *st, const char *token, char **name, char **scope, struct sw_err *err)
{
	if (!token || strlen(token) != 3 + TOKEN_HEX || strncmp(token, TOKEN_PREFIX, 3) != 0)
		return 0;
	char prefix[TOKEN_LOOKUP + 1];
	memcpy(prefix, token, TOKEN_LOOKUP);
	prefix[TOKEN_LOOKUP] = 0;
	struct sw_vec rows = SW_VEC_INIT;
	if (st->ops->token_lookup(st, prefix, &rows, err) < 0)
		return -1;
	int found = 0;
	/* rows: name, scope, salt, hash, repeated */
	for (size_t i = 0; i + 3 < rows.len && !found; i += 4) {
		char h[65];
		token_hash(rows.items[i + 2], token, h);
		if (strlen(rows.items[i + 3]) == 64 && CRYPTO_memcmp(h, rows.items[i + 3], 64) == 0) {
			found = 1;
			if (name)
				*name = sw_xstrdup(rows.items[i]);
			if (scope)
				*scope = sw_xstrdup(rows.items[i + 1]);
		}
	}
	sw_vec_free_strings(&rows);
	return found;
}

/* ---------------------------------------------------------------- blobs */

int sw_st_pack(const void *data, size_t len, struct sw_buf *out, struct sw_err *err)
{
	size_t cap = ZSTD_compressBound(len);
	if (!sw_buf_grow(out, cap))
		return sw_err_set(err, SW_E_NOMEM, "cannot compress %zu bytes", len);
	size_t n = ZSTD_compress(out->data + out->len, cap, data, len, 3);
	if (ZSTD_isError(n))
		return sw_err_set(err, SW_E_INTERNAL, "zstd: %s", ZSTD_getErrorName(n));
	out->len += n;
	return 0;
}

int sw_st_unpack(const void *data, size_t len, size_t max, struct sw_buf *out, struct sw_err *err)
{
	unsigned long long size = ZSTD_getFrameContentSize(data, len);
	if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN)
		return sw_err_set(err, SW_E_FORMAT, "stored blob is not a zstd frame with its size");
	if (size > max)
		return sw_err_set(err, SW_E_LIMIT, "stored blob of %llu bytes is over the limit", size);
	if (!sw_buf_grow(out, (size_t)size + 1))
		return sw_err_set(err, SW_E_NOMEM, "cannot decompress %llu bytes", size);
	size_t n = ZSTD_decompress(out->data + out->len, (size_t)size, data, len);
	if (ZSTD_isError(n) || n != size)
		return sw_err_set(err, SW_E_FORMAT, "stored blob: zstd: %s",
				  ZSTD_isError(n) ? ZSTD_getErrorName(n) : "short frame");
	out->len += n;
	out->data[out->len] = 0;
	return 0;
}
