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
		return sw_st_postgres_open(where, out, err);
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

int sw_st_collect(struct sw_st *st, int64_t before, struct sw_st_collected *out, struct sw_err *err)
{
	memset(out, 0, sizeof(*out));
	if (!st->ops->collect)
		return sw_st_unsupported(st, "collect", err);
	return st->ops->collect(st, before, out, err);
}
int sw_st_table_sizes(struct sw_st *st, struct sw_vec *out, struct sw_err *err)
{
	if (!st->ops->table_sizes)
		return sw_st_unsupported(st, "table_sizes", err);
	return st->ops->table_sizes(st, out, err);
}
int sw_st_lock_take(struct sw_st *st, const char *name, const char *owner, int ttl, int64_t now, struct sw_err *err)
{
	if (!st->ops->lock_take)
		return sw_st_unsupported(st, "lock_take", err);
	return st->ops->lock_take(st, name, owner, ttl, now, err);
}
int sw_st_lock_drop(struct sw_st *st, const char *name, const char *owner, struct sw_err *err)
{
	if (!st->ops->lock_drop)
		return sw_st_unsupported(st, "lock_drop", err);
	return st->ops->lock_drop(st, name, owner, err);
}
static void table_size_free(void *p)
{
	struct sw_st_table_size *t = p;
	free(t->table);
	free(t);
}
void sw_st_table_sizes_free(struct sw_vec *v) { sw_vec_free_all(v, table_size_free); }
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

/* ---------------------------------------------------------------- policy bundles, packages index (polapi) */

void sw_st_policy_release(struct sw_st_policy *p)
{
	free(p->id);
	free(p->name);
	free(p->format);
	sw_buf_release(&p->body);
	memset(p, 0, sizeof(*p));
}

static void policy_free(void *p)
{
	sw_st_policy_release(p);
	free(p);
}

void sw_st_policy_list_free(struct sw_vec *v)
{
	sw_vec_free_all(v, policy_free);
}

static void pkg_hit_free(void *p)
{
	struct sw_st_pkg_hit *h = p;
	free(h->image_digest);
	free(h->names);
	free(h->type);
	free(h->name);
	free(h->version);
	free(h->package);
	free(h->purl);
	free(h->layer);
	free(h);
}

void sw_st_pkg_hits_free(struct sw_vec *v)
{
	sw_vec_free_all(v, pkg_hit_free);
}

int sw_st_policy_put(struct sw_st *st, const struct sw_st_policy_put *p, bool replace, int64_t now,
		     struct sw_err *err)
{
	if (!st->ops->policy_put)
		return sw_st_unsupported(st, "policy_put", err);
	return st->ops->policy_put(st, p, replace, now, err);
}
int sw_st_policy_get(struct sw_st *st, const char *id, struct sw_st_policy *out, struct sw_err *err)
{
	if (!st->ops->policy_get)
		return sw_st_unsupported(st, "policy_get", err);
	return st->ops->policy_get(st, id, out, err);
}
int sw_st_policy_list(struct sw_st *st, struct sw_vec *out, struct sw_err *err)
{
	if (!st->ops->policy_list)
		return sw_st_unsupported(st, "policy_list", err);
	return st->ops->policy_list(st, out, err);
}
int sw_st_policy_delete(struct sw_st *st, const char *id, struct sw_err *err)
{
	if (!st->ops->policy_delete)
		return sw_st_unsupported(st, "policy_delete", err);
	return st->ops->policy_delete(st, id, err);
}
int sw_st_policy_set_default(struct sw_st *st, const char *id, bool on, int64_t now, struct sw_err *err)
{
	if (!st->ops->policy_set_default)
		return sw_st_unsupported(st, "policy_set_default", err);
	return st->ops->policy_set_default(st, id, on, now, err);
}
int sw_st_packages_put(struct sw_st *st, const char *digest, const struct sw_st_pkg_row *rows, size_t n,
		       struct sw_err *err)
{
	if (!st->ops->packages_put)
		return sw_st_unsupported(st, "packages_put", err);
	return st->ops->packages_put(st, digest, rows, n, err);
}
int sw_st_packages_find(struct sw_st *st, const char *name, struct sw_vec *out, struct sw_err *err)
{
	if (!st->ops->packages_find)
		return sw_st_unsupported(st, "packages_find", err);
	return st->ops->packages_find(st, name, out, err);
}

/* ---------------------------------------------------------------- hooks: webhooks and deliveries */

const char *sw_delivery_state_name(enum sw_delivery_state s)
{
	switch (s) {
	case SW_DLV_PENDING: return "pending";
	case SW_DLV_DELIVERED: return "delivered";
	case SW_DLV_FAILED: return "failed";
	}
	return "unknown";
}

void sw_st_webhook_release(struct sw_st_webhook *w)
{
	free(w->url);
	if (w->secret) {
		OPENSSL_cleanse(w->secret, strlen(w->secret));
		free(w->secret);
	}
	free(w->min_severity);
	free(w->repositories);
	memset(w, 0, sizeof(*w));
}

void sw_st_delivery_release(struct sw_st_delivery *d)
{
	free(d->image_digest);
	free(d->body);
	free(d->last_error);
	free(d->url);
	if (d->secret) {
		OPENSSL_cleanse(d->secret, strlen(d->secret));
		free(d->secret);
	}
	memset(d, 0, sizeof(*d));
}

static void webhook_free(void *p)
{
	sw_st_webhook_release(p);
	free(p);
}

static void delivery_free(void *p)
{
	sw_st_delivery_release(p);
	free(p);
}

static void finding_row_free(void *p)
{
	struct sw_st_finding_row *f = p;
	free(f->vuln_id);
	free(f->main);
	free(f->pkg_name);
	free(f->pkg_version);
	free(f->fixed);
	free(f->severity);
	free(f);
}

void sw_st_webhook_list_free(struct sw_vec *v) { sw_vec_free_all(v, webhook_free); }
void sw_st_delivery_list_free(struct sw_vec *v) { sw_vec_free_all(v, delivery_free); }
void sw_st_finding_rows_free(struct sw_vec *v) { sw_vec_free_all(v, finding_row_free); }

int sw_st_webhook_put(struct sw_st *st, const struct sw_st_webhook *w, int64_t now, int64_t *id,
		      struct sw_err *err)
{
	if (!st->ops->webhook_put)
		return sw_st_unsupported(st, "webhook_put", err);
	return st->ops->webhook_put(st, w, now, id, err);
}
int sw_st_webhook_get(struct sw_st *st, int64_t id, struct sw_st_webhook *w, struct sw_err *err)
{
	if (!st->ops->webhook_get)
		return sw_st_unsupported(st, "webhook_get", err);
	return st->ops->webhook_get(st, id, w, err);
}
int sw_st_webhook_list(struct sw_st *st, bool with_secrets, struct sw_vec *out, struct sw_err *err)
{
	if (!st->ops->webhook_list)
		return sw_st_unsupported(st, "webhook_list", err);
	return st->ops->webhook_list(st, with_secrets, out, err);
}
int sw_st_webhook_delete(struct sw_st *st, int64_t id, struct sw_err *err)
{
	if (!st->ops->webhook_delete)
		return sw_st_unsupported(st, "webhook_delete", err);
	return st->ops->webhook_delete(st, id, err);
}
int sw_st_delivery_list(struct sw_st *st, int64_t webhook, size_t limit, struct sw_vec *out, struct sw_err *err)
{
	if (!st->ops->delivery_list)
		return sw_st_unsupported(st, "delivery_list", err);
	return st->ops->delivery_list(st, webhook, limit, out, err);
}
int sw_st_delivery_claim(struct sw_st *st, const char *owner, int lease, int64_t now, struct sw_st_delivery *d,
			 struct sw_err *err)
{
	if (!st->ops->delivery_claim)
		return sw_st_unsupported(st, "delivery_claim", err);
	return st->ops->delivery_claim(st, owner, lease, now, d, err);
}
int sw_st_delivery_done(struct sw_st *st, int64_t id, const char *owner, int64_t now, struct sw_err *err)
{
	if (!st->ops->delivery_done)
		return sw_st_unsupported(st, "delivery_done", err);
	return st->ops->delivery_done(st, id, owner, now, err);
}
int sw_st_delivery_retry(struct sw_st *st, int64_t id, const char *owner, const char *why, int64_t next_attempt,
			 bool give_up, int64_t now, struct sw_err *err)
{
	if (!st->ops->delivery_retry)
		return sw_st_unsupported(st, "delivery_retry", err);
	return st->ops->delivery_retry(st, id, owner, why, next_attempt, give_up, now, err);
}
int sw_st_delivery_counts(struct sw_st *st, int64_t counts[3], int64_t *webhooks, struct sw_err *err)
{
	if (!st->ops->delivery_counts)
		return sw_st_unsupported(st, "delivery_counts", err);
	return st->ops->delivery_counts(st, counts, webhooks, err);
}
int sw_st_report_findings(struct sw_st *st, int64_t report_id, struct sw_vec *out, struct sw_err *err)
{
	if (!st->ops->report_findings)
		return sw_st_unsupported(st, "report_findings", err);
	return st->ops->report_findings(st, report_id, out, err);
}
/* --- web (issue 18) --- */
/* A back end without image_search: the same search over image_list in
 * memory (every image read: fine for small stores, the SQLite back end
 * does it in SQL). */
static bool has_name(const struct sw_st_image *im, const char *sub, bool nocase, const char *tag)
{
	for (size_t i = 0; i < im->names.len; i++) {
		const char *n = im->names.items[i];
		if (sub && (nocase ? strcasestr(n, sub) : strstr(n, sub)))
			return true;
		size_t nl = strlen(n), tl = tag ? strlen(tag) : 0;
		if (tag && nl > tl && n[nl - tl - 1] == ':' && strcmp(n + nl - tl, tag) == 0)
			return true;
	}
	return false;
}

static bool search_match(const struct sw_st_image *im, const struct sw_st_image_query *q)
{
	if (q->text && *q->text && !strcasestr(im->digest, q->text) && !has_name(im, q->text, true, NULL))
		return false;
	if (q->repository && *q->repository && !has_name(im, q->repository, false, NULL))
		return false;
	if (q->tag && *q->tag && !has_name(im, NULL, false, q->tag))
		return false;
	if (q->digest && *q->digest && !strstr(im->digest, q->digest))
		return false;
	if (q->os && *q->os && (!im->os || strncmp(im->os, q->os, strlen(q->os)) != 0))
		return false;
	if (q->policy && *q->policy &&
	    (strcmp(q->policy, "none") == 0 ? im->policy != NULL : !im->policy || strcmp(im->policy, q->policy) != 0))
		return false;
	const int64_t mins[][2] = { { q->min_critical, im->critical }, { q->min_high, im->high },
				    { q->min_medium, im->medium }, { q->min_low, im->low }, { q->min_total, im->total } };
	for (size_t i = 0; i < 5; i++)
		if (mins[i][0] > 0 && (!im->latest_report || mins[i][1] < mins[i][0]))
			return false;
	return !(q->since > 0 && im->updated < q->since) && !(q->until > 0 && im->updated > q->until);
}

static _Thread_local const struct sw_st_image_query *search_q;

static int cmp_i64(int64_t a, int64_t b) { return a < b ? -1 : a > b; }
static int cmp_str(const char *a, const char *b) { return strcmp(a ? a : "", b ? b : ""); }

static int search_cmp(const void *pa, const void *pb)
{
	const struct sw_st_image *a = *(const struct sw_st_image *const *)pa, *b = *(const struct sw_st_image *const *)pb;
	int c = 0;
	switch (search_q->sort) {
	case SW_ST_SORT_CREATED: c = cmp_i64(a->created, b->created); break;
	case SW_ST_SORT_WORST:
		c = cmp_i64(a->critical, b->critical);
		c = c ? c : cmp_i64(a->high, b->high);
		c = c ? c : cmp_i64(a->medium, b->medium);
		c = c ? c : cmp_i64(a->low, b->low);
		c = c ? c : cmp_i64(a->total, b->total);
		break;
	case SW_ST_SORT_CRITICAL: c = cmp_i64(a->critical, b->critical); break;
	case SW_ST_SORT_HIGH: c = cmp_i64(a->high, b->high); break;
	case SW_ST_SORT_MEDIUM: c = cmp_i64(a->medium, b->medium); break;
	case SW_ST_SORT_LOW: c = cmp_i64(a->low, b->low); break;
	case SW_ST_SORT_TOTAL: c = cmp_i64(a->total, b->total); break;
	case SW_ST_SORT_CHECKS: c = cmp_i64(a->checks_failed, b->checks_failed); break;
	case SW_ST_SORT_SECRETS: c = cmp_i64(a->secrets, b->secrets); break;
	case SW_ST_SORT_MALWARE: c = cmp_i64(a->malware, b->malware); break;
	case SW_ST_SORT_OS: c = cmp_str(a->os, b->os); break;
	case SW_ST_SORT_DIGEST: c = cmp_str(a->digest, b->digest); break;
	case SW_ST_SORT_NAME: {
		const char *na = NULL, *nb = NULL;
		for (size_t i = 0; i < a->names.len; i++)
			if (!na || strcmp(a->names.items[i], na) < 0)
				na = a->names.items[i];
		for (size_t i = 0; i < b->names.len; i++)
			if (!nb || strcmp(b->names.items[i], nb) < 0)
				nb = b->names.items[i];
		c = cmp_str(na, nb);
		break;
	}
	case SW_ST_SORT_UPDATED:
	default: c = cmp_i64(a->updated, b->updated); break;
	}
	c = c ? c : cmp_str(a->digest, b->digest);
	return search_q->ascending ? c : -c;
}

static int search_in_memory(struct sw_st *st, const struct sw_st_image_query *q, struct sw_vec *out, int64_t *total,
			    struct sw_err *err)
{
	struct sw_vec all = SW_VEC_INIT, keep = SW_VEC_INIT;
	if (sw_st_image_list(st, &all, err) < 0) {
		sw_st_image_list_free(&all);
		return -SW_E_DB;
	}
	for (size_t i = 0; i < all.len; i++) {
		if (search_match(all.items[i], q))
			sw_vec_push(&keep, all.items[i]);
		else
			image_free(all.items[i]);
	}
	free(all.items);
	search_q = q;
	if (keep.len)
		qsort(keep.items, keep.len, sizeof(void *), search_cmp);
	int64_t limit = q->limit < 1 ? 100 : q->limit > 1000 ? 1000 : q->limit, offset = q->offset < 0 ? 0 : q->offset;
	*total = (int64_t)keep.len;
	for (size_t i = 0; i < keep.len; i++) {
		if ((int64_t)i >= offset && (int64_t)i < offset + limit)
			sw_vec_push(out, keep.items[i]);
		else
			image_free(keep.items[i]);
	}
	free(keep.items);
	return 0;
}

int sw_st_image_search(struct sw_st *st, const struct sw_st_image_query *q, struct sw_vec *out, int64_t *total,
		       struct sw_err *err)
{
	if (!st->ops->image_search)
		return search_in_memory(st, q, out, total, err);
	return st->ops->image_search(st, q, out, total, err);
}
int sw_st_session_put(struct sw_st *st, const char *hash, const char *name, const char *scope, int64_t now,
		      int64_t expires, struct sw_err *err)
{
	if (!st->ops->session_put)
		return sw_st_unsupported(st, "session_put", err);
	return st->ops->session_put(st, hash, name, scope, now, expires, err);
}
int sw_st_session_get(struct sw_st *st, const char *hash, int64_t now, char **name, char **scope,
		      struct sw_err *err)
{
	if (!st->ops->session_get)
		return sw_st_unsupported(st, "session_get", err);
	return st->ops->session_get(st, hash, now, name, scope, err);
}
int sw_st_session_delete(struct sw_st *st, const char *hash, struct sw_err *err)
{
	if (!st->ops->session_delete)
		return sw_st_unsupported(st, "session_delete", err);
	return st->ops->session_delete(st, hash, err);
}
int sw_st_job_recent(struct sw_st *st, bool failed_only, int64_t limit, struct sw_vec *out, struct sw_err *err)
{
	if (!st->ops->job_recent)
		return sw_st_unsupported(st, "job_recent", err);
	return st->ops->job_recent(st, failed_only, limit, out, err);
}
static void job_free(void *p)
{
	sw_st_job_release(p);
	free(p);
}
void sw_st_job_list_free(struct sw_vec *v) { sw_vec_free_all(v, job_free); }
/* ---------------------------------------------------------------- client mode */

int sw_st_job_claim_id(struct sw_st *st, int64_t id, const char *owner, int lease, int64_t now,
		       struct sw_err *err)
{
	if (!st->ops->job_claim_id)
		return sw_st_unsupported(st, "job_claim_id", err);
	return st->ops->job_claim_id(st, id, owner, lease, now, err);
}

int sw_st_job_report(struct sw_st *st, int64_t job_id, int64_t *report_id, char **digest, struct sw_err *err)
{
	if (!st->ops->job_report)
		return sw_st_unsupported(st, "job_report", err);
	return st->ops->job_report(st, job_id, report_id, digest, err);
}

/* ---------------------------------------------------------------- rematch (issue 17, pgscale) */

void sw_st_rematch_release(struct sw_st_rematch *r)
{
	if (!r)
		return;
	free(r->fingerprint);
	free(r->state);
	memset(r, 0, sizeof(*r));
}

void sw_st_rematch_chunk_release(struct sw_st_rematch_chunk *c)
{
	if (!c)
		return;
	free(c->fingerprint);
	memset(c, 0, sizeof(*c));
}

static void rematch_item_free(void *p)
{
	struct sw_st_rematch_item *it = p;
	free(it->digest);
	free(it);
}
void sw_st_rematch_items_free(struct sw_vec *v) { sw_vec_free_all(v, rematch_item_free); }

int sw_st_rematch_begin(struct sw_st *st, const char *fingerprint, int64_t chunk_size, bool force, int64_t now,
			struct sw_st_rematch *out, struct sw_err *err)
{
	if (!st->ops->rematch_begin)
		return sw_st_unsupported(st, "rematch_begin", err);
	sw_st_rematch_release(out);   /* a previous answer in it is freed */
	return st->ops->rematch_begin(st, fingerprint, chunk_size < 1 ? 1 : chunk_size, force, now, out, err);
}

int sw_st_rematch_status(struct sw_st *st, struct sw_st_rematch *out, struct sw_err *err)
{
	if (!st->ops->rematch_status)
		return sw_st_unsupported(st, "rematch_status", err);
	sw_st_rematch_release(out);
	return st->ops->rematch_status(st, out, err);
}

int sw_st_rematch_claim(struct sw_st *st, const char *owner, int lease, int64_t now, struct sw_st_rematch_chunk *c,
			struct sw_err *err)
{
	if (!st->ops->rematch_claim)
		return sw_st_unsupported(st, "rematch_claim", err);
	memset(c, 0, sizeof(*c));
	return st->ops->rematch_claim(st, owner, lease, now, c, err);
}

int sw_st_rematch_images(struct sw_st *st, const struct sw_st_rematch_chunk *c, struct sw_vec *out,
			 struct sw_err *err)
{
	if (!st->ops->rematch_images)
		return sw_st_unsupported(st, "rematch_images", err);
	return st->ops->rematch_images(st, c, out, err);
}

int sw_st_rematch_progress(struct sw_st *st, int64_t chunk, const char *owner, int64_t image_id, bool changed,
			   bool failed, int lease, int64_t now, struct sw_err *err)
{
	if (!st->ops->rematch_progress)
		return sw_st_unsupported(st, "rematch_progress", err);
	return st->ops->rematch_progress(st, chunk, owner, image_id, changed, failed, lease, now, err);
}

int sw_st_rematch_end(struct sw_st *st, int64_t chunk, const char *owner, bool finished, int64_t now, bool *gen_done,
		      struct sw_err *err)
{
	if (!st->ops->rematch_end)
		return sw_st_unsupported(st, "rematch_end", err);
	*gen_done = false;
	return st->ops->rematch_end(st, chunk, owner, finished, now, gen_done, err);
}

/* ---------------------------------------------------------------- web, part 2 (issue 18) */

int sw_st_vuln_images_page(struct sw_st *st, const char *vuln_id, int64_t limit, int64_t offset, struct sw_vec *out,
			   int64_t *total, struct sw_err *err)
{
	if (!st->ops->vuln_images_page)
		return sw_st_unsupported(st, "vuln_images_page", err);
	return st->ops->vuln_images_page(st, vuln_id, limit, offset < 0 ? 0 : offset, out, total, err);
}

int sw_st_token_check_ref(struct sw_st *st, const char *token, char **name, char **scope, char **ref,
			  struct sw_err *err)
{
	*ref = NULL;
	if (!token || strlen(token) != 3 + TOKEN_HEX || strncmp(token, TOKEN_PREFIX, 3) != 0)
		return 0;
	char prefix[TOKEN_LOOKUP + 1];
	memcpy(prefix, token, TOKEN_LOOKUP);
	prefix[TOKEN_LOOKUP] = 0;
	struct sw_vec rows = SW_VEC_INIT;
	if (st->ops->token_lookup(st, prefix, &rows, err) < 0)
		return -1;
	int found = 0;
	for (size_t i = 0; i + 3 < rows.len && !found; i += 4) {
		char h[65];
		token_hash(rows.items[i + 2], token, h);
		if (strlen(rows.items[i + 3]) == 64 && CRYPTO_memcmp(h, rows.items[i + 3], 64) == 0) {
			found = 1;
			if (name)
				*name = sw_xstrdup(rows.items[i]);
			if (scope)
				*scope = sw_xstrdup(rows.items[i + 1]);
			*ref = sw_xstrdup(rows.items[i + 3]);
		}
	}
	sw_vec_free_strings(&rows);
	return found;
}

int sw_st_session_bind(struct sw_st *st, const char *hash, const char *token_ref, int64_t now, int64_t expires,
		       struct sw_err *err)
{
	if (!st->ops->session_bind)
		return sw_st_unsupported(st, "session_bind", err);
	return st->ops->session_bind(st, hash, token_ref, now, expires, err);
}

int sw_st_session_token_live(struct sw_st *st, const char *hash, int64_t now, struct sw_err *err)
{
	if (!st->ops->session_token_live)
		return sw_st_unsupported(st, "session_token_live", err);
	return st->ops->session_token_live(st, hash, now, err);
}

int sw_st_token_revoke(struct sw_st *st, const char *name, int64_t now, int64_t *revoked, struct sw_err *err)
{
	if (!st->ops->token_revoke)
		return sw_st_unsupported(st, "token_revoke", err);
	return st->ops->token_revoke(st, name, now, revoked, err);
}
