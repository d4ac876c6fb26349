/*
 * hooks.c - what changed per image between two reports, the webhooks API,
 * and the delivery thread (server_int.h, docs/api.md "Notifications").
 *
 * A new report's changes (new, fixed, severity changed) are computed
 * against the previous latest report's finding rows; each webhook whose
 * filter some change passes gets one delivery row, written in the report's
 * transaction (sw_st_report_put).  The delivery thread claims due
 * deliveries with a lease (several servers on one store send each once),
 * POSTs them with libcurl, signed with HMAC-SHA256 of the webhook's
 * secret, and records the outcome: delivered on a 2xx, else retried with
 * exponential backoff until --webhook-give-up.
 */
#include <fnmatch.h>
#include <jansson.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "match/match.h"
#include "model/severity.h"
#include "net/libcurl.h"
#include "scan/scan.h"
#include "server/server_int.h"
#include "util/map.h"
#include "util/mem.h"

#define EVENT "image.vulnerabilities.changed"
#define DELIVERY_LEASE_MIN 15   /* longer than one POST (10 s) */

/* One POST's timeout, seconds: 10, or STOWAWAY_TEST_WEBHOOK_TIMEOUT (1-10,
 * tests: a short one lets a shorter delivery lease outlast it, so a test
 * that kills a server mid-delivery waits seconds, not 15).  Read once by
 * srv_hooks_start (docs/api.md "Notifications"). */
static long post_timeout = 10;

/* The delivery lease: --lease, at least one POST plus a margin (15 s by default). */
static int delivery_lease(const struct srv *s)
{
	int min = post_timeout >= 10 ? DELIVERY_LEASE_MIN : (int)post_timeout + 2;
	return s->o->lease > min ? s->o->lease : min;
}

/* ---------------------------------------------------------------- changes */

static void change_free(void *p)
{
	struct srv_change *c = p;
	free(c->id);
	free(c->package);
	free(c->version);
	free(c->severity);
	free(c->fixed);
	free(c->from);
	free(c);
}

void srv_changes_release(struct srv_changes *c)
{
	sw_vec_free_all(&c->added, change_free);
	sw_vec_free_all(&c->fixed, change_free);
	sw_vec_free_all(&c->sevchg, change_free);
	memset(c, 0, sizeof(*c));
}

bool srv_changes_any(const struct srv_changes *c)
{
	return c->added.len || c->fixed.len || c->sevchg.len;
}

static struct srv_change *change_new(const char *id, const char *pkg, const char *ver, const char *sev,
				     const char *fixed, bool kev)
{
	struct srv_change *c = sw_xcalloc(1, sizeof(*c));
	c->id = sw_xstrdup(id ? id : "");
	c->package = pkg ? sw_xstrdup(pkg) : NULL;
	c->version = ver ? sw_xstrdup(ver) : NULL;
	c->severity = sw_xstrdup(sev ? sev : "unknown");
	c->fixed = fixed && *fixed ? sw_xstrdup(fixed) : NULL;
	c->kev = kev;
	return c;
}

/* one finding of the previous report: its rows (one per id) */
struct prev_group {
	const struct sw_st_finding_row *first;
	bool seen;
};

static char *pkg_key(const char *pkg, const char *id)
{
	return sw_xasprintf("%s\x1f%s", pkg ? pkg : "", id ? id : "");
}

void srv_changes_compute(const struct sw_vec *prev, const struct sw_scan_result *res, struct srv_changes *out)
{
	memset(out, 0, sizeof(*out));
	out->have_prev = true;
	/* the previous findings, grouped by (primary id, package); every id
	 * (alias) of a group finds it */
	struct sw_map groups = SW_MAP_INIT, by_id = SW_MAP_INIT;
	struct sw_vec order = SW_VEC_INIT;
	for (size_t i = 0; i < prev->len; i++) {
		const struct sw_st_finding_row *f = prev->items[i];
		char *gk = pkg_key(f->pkg_name, f->main);
		struct prev_group *g = sw_map_get(&groups, gk);
		if (!g) {
			g = sw_xcalloc(1, sizeof(*g));
			g->first = f;
			sw_map_put(&groups, gk, g);
			sw_vec_push(&order, g);
		}
		free(gk);
		char *ik = pkg_key(f->pkg_name, f->vuln_id);
		if (!sw_map_has(&by_id, ik))
			sw_map_put(&by_id, ik, g);
		free(ik);
	}
	for (size_t i = 0; i < res->match->findings.len; i++) {
		const struct sw_finding *f = res->match->findings.items[i];
		if (f->suppressed)
			continue;
		const struct sw_package *p =
			f->pkg < res->inventory->packages.len ? res->inventory->packages.items[f->pkg] : NULL;
		const char *pkg = p ? p->name : NULL;
		const char *ver = f->installed ? f->installed : (p ? p->version : NULL);
		const char *sev = sw_severity_name(f->severity);
		struct prev_group *g = NULL;
		for (size_t k = 0; k < f->ids.len; k++) {
			char *ik = pkg_key(pkg, f->ids.items[k]);
			struct prev_group *h = sw_map_get(&by_id, ik);
			free(ik);
			if (h) {
				h->seen = true;
				if (!g)
					g = h;
			}
		}
		if (!g) {
			sw_vec_push(&out->added, change_new(f->id, pkg, ver, sev, f->fixed, f->kev));
		} else if (g->first->severity && strcmp(g->first->severity, sev) != 0) {
			struct srv_change *c = change_new(f->id, pkg, ver, sev, f->fixed, f->kev);
			c->from = sw_xstrdup(g->first->severity);
			sw_vec_push(&out->sevchg, c);
		}
	}
	for (size_t i = 0; i < order.len; i++) {
		const struct prev_group *g = order.items[i];
		if (!g->seen)
			sw_vec_push(&out->fixed, change_new(g->first->main, g->first->pkg_name, g->first->pkg_version,
							    g->first->severity, g->first->fixed, g->first->kev));
	}
	sw_map_free_all(&groups, free);
	sw_map_release(&by_id);
	sw_vec_release(&order);
}

void srv_changes_json(const struct srv_changes *c, struct sw_buf *out)
{
	const struct sw_vec *lists[] = { &c->added, &c->fixed };
	const char *names[] = { "new", "fixed" };
	sw_buf_addch(out, '{');
	for (int l = 0; l < 2; l++) {
		sw_buf_addf(out, "%s\"%s\":[", l ? "," : "", names[l]);
		for (size_t i = 0; i < lists[l]->len; i++) {
			const struct srv_change *x = lists[l]->items[i];
			if (i)
				sw_buf_addch(out, ',');
			srv_json_str(out, x->id);
		}
		sw_buf_addch(out, ']');
	}
	sw_buf_addstr(out, ",\"severity_changed\":[");
	for (size_t i = 0; i < c->sevchg.len; i++) {
		const struct srv_change *x = c->sevchg.items[i];
		sw_buf_addstr(out, i ? ",{\"id\":" : "{\"id\":");
		srv_json_str(out, x->id);
		sw_buf_addstr(out, ",\"package\":");
		srv_json_str(out, x->package);
		sw_buf_addstr(out, ",\"from\":");
		srv_json_str(out, x->from);
		sw_buf_addstr(out, ",\"to\":");
		srv_json_str(out, x->severity);
		sw_buf_addch(out, '}');
	}
	sw_buf_addstr(out, "]}");
}

/* ---------------------------------------------------------------- filters */

static int sev_rank(const char *name)
{
	enum sw_severity_level l;
	return name && sw_severity_parse(name, &l) == 0 ? (int)l : 0;
}

/* The repository of an image name: "registry:" dropped, then "@digest"
 * or the ":tag" after the last '/' (malloc'd). */
static char *repository_of(const char *name)
{
	if (strncmp(name, "registry:", 9) == 0)
		name += 9;
	char *r = sw_xstrdup(name);
	char *at = strchr(r, '@');
	if (at)
		*at = 0;
	char *slash = strrchr(r, '/'), *colon = strrchr(r, ':');
	if (colon && (!slash || colon > slash) && (slash || !strchr(r, '.')))
		*colon = 0;
	return r;
}

/* A pattern with *, ? or [ is a glob (fnmatch, '*' crosses '/'); another
 * is a prefix of the repository. */
static bool repo_matches(const char *pattern, const char *repo)
{
	if (strpbrk(pattern, "*?["))
		return fnmatch(pattern, repo, 0) == 0;
	return strncmp(repo, pattern, strlen(pattern)) == 0;
}

static bool image_passes(const struct sw_st_webhook *w, const struct sw_st_image *im)
{
	if (!w->repositories)
		return true;
	json_t *pats = json_loads(w->repositories, 0, NULL);
	bool ok = !json_is_array(pats) || json_array_size(pats) == 0;
	for (size_t n = 0; !ok && n < im->names.len; n++) {
		char *repo = repository_of(im->names.items[n]);
		size_t i;
		json_t *p;
		json_array_foreach(pats, i, p) {
			if (json_is_string(p) && repo_matches(json_string_value(p), repo))
				ok = true;
		}
		free(repo);
	}
	json_decref(pats);
	return ok;
}

static bool change_passes(const struct sw_st_webhook *w, const struct srv_change *c)
{
	if (w->min_severity) {
		int r = sev_rank(c->severity);
		if (c->from && sev_rank(c->from) > r)
			r = sev_rank(c->from);
		if (r < sev_rank(w->min_severity))
			return false;
	}
	if (w->only_fixable && !c->fixed)
		return false;
	if (w->kev_only && !c->kev)
		return false;
	return true;
}

static void change_json(struct sw_buf *b, const struct srv_change *c)
{
	sw_buf_addstr(b, "{\"id\":");
	srv_json_str(b, c->id);
	sw_buf_addstr(b, ",\"package\":");
	srv_json_str(b, c->package);
	if (c->from) {
		sw_buf_addstr(b, ",\"from\":");
		srv_json_str(b, c->from);
		sw_buf_addstr(b, ",\"to\":");
		srv_json_str(b, c->severity);
	} else {
		sw_buf_addstr(b, ",\"version\":");
		srv_json_str(b, c->version);
		sw_buf_addstr(b, ",\"severity\":");
		srv_json_str(b, c->severity);
		sw_buf_addstr(b, ",\"fixed\":");
		srv_json_str(b, c->fixed);
		sw_buf_addf(b, ",\"kev\":%s", c->kev ? "true" : "false");
	}
	sw_buf_addch(b, '}');
}

/* the changes that pass w, as {"image":...,"changes":...}; NULL when none */
static char *filtered_body(const struct sw_st_webhook *w, const struct sw_st_image *im, const struct srv_changes *c)
{
	if (!image_passes(w, im))
		return NULL;
	struct sw_buf b = SW_BUF_INIT;
	sw_buf_addstr(&b, "{\"image\":{\"digest\":");
	srv_json_str(&b, im->digest);
	sw_buf_addstr(&b, ",\"names\":[");
	for (size_t i = 0; i < im->names.len; i++) {
		if (i)
			sw_buf_addch(&b, ',');
		srv_json_str(&b, im->names.items[i]);
	}
	sw_buf_addstr(&b, "]},\"changes\":{");
	const struct sw_vec *lists[] = { &c->added, &c->fixed, &c->sevchg };
	const char *names[] = { "new", "fixed", "severity_changed" };
	size_t passed = 0;
	for (int l = 0; l < 3; l++) {
		sw_buf_addf(&b, "%s\"%s\":[", l ? "," : "", names[l]);
		bool first = true;
		for (size_t i = 0; i < lists[l]->len; i++) {
			const struct srv_change *x = lists[l]->items[i];
			if (!change_passes(w, x))
				continue;
			if (!first)
				sw_buf_addch(&b, ',');
			change_json(&b, x);
			first = false;
			passed++;
		}
		sw_buf_addch(&b, ']');
	}
	sw_buf_addstr(&b, "}}");
	if (!passed) {
		sw_buf_release(&b);
		return NULL;
	}
	size_t len;
	return sw_buf_detach(&b, &len);
}

int srv_hooks_deliveries(struct srv *s, const struct sw_st_image *im, const struct srv_changes *c,
			 struct sw_st_delivery_put **puts, size_t *n, struct sw_err *err)
{
	*puts = NULL;
	*n = 0;
	if (!c->have_prev || !srv_changes_any(c))
		return 0;
	struct sw_vec hooks = SW_VEC_INIT;
	if (sw_st_webhook_list(s->store, false, &hooks, err) < 0) {
		sw_st_webhook_list_free(&hooks);
		/* a back end without webhooks has none to notify */
		return err->code == SW_E_UNSUPPORTED ? 0 : -1;
	}
	if (hooks.len)
		*puts = sw_xcalloc(hooks.len, sizeof(**puts));
	for (size_t i = 0; i < hooks.len; i++) {
		const struct sw_st_webhook *w = hooks.items[i];
		char *body = filtered_body(w, im, c);
		if (body)
			(*puts)[(*n)++] = (struct sw_st_delivery_put){ w->id, body };
	}
	sw_st_webhook_list_free(&hooks);
	return 0;
}

void srv_hooks_deliveries_free(struct sw_st_delivery_put *puts, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free((char *)puts[i].body);
	free(puts);
}

void srv_hooks_wake(struct srv *s)
{
	pthread_mutex_lock(&s->hooks_mu);
	pthread_cond_broadcast(&s->hooks_wake);
	pthread_mutex_unlock(&s->hooks_mu);
}

/* ---------------------------------------------------------------- delivery */

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
	(void)p;
	(void)ctx;
	return size * n;
}

static void hmac_hex(const char *key, const char *data, size_t len, char out[65])
{
	unsigned char mac[32];
	unsigned int n = 0;
	HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char *)data, len, mac, &n);
	for (unsigned i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", i < n ? mac[i] : 0);
	out[64] = 0;
}

/* the body sent: the queued {"image","changes"} with the event, the link
 * to the report and the time the change was found */
static char *event_body(struct srv *s, const struct sw_st_delivery *d)
{
	const char *inner = d->body ? d->body : "{}";
	size_t n = strlen(inner);
	struct sw_buf b = SW_BUF_INIT;
	sw_buf_addstr(&b, "{\"event\":\"" EVENT "\"");
	if (n > 2 && inner[0] == '{' && inner[n - 1] == '}') {
		sw_buf_addch(&b, ',');
		sw_buf_add(&b, inner + 1, n - 2);
	}
	char *link = sw_xasprintf("%s/api/v1/reports/%lld", s->public_url, (long long)d->report_id);
	sw_buf_addstr(&b, ",\"report\":");
	srv_json_str(&b, link);
	free(link);
	sw_buf_addf(&b, ",\"created\":%lld}", (long long)d->created);
	size_t len;
	return sw_buf_detach(&b, &len);
}

/* POST; 0 and *status, or < 0 with why (curl's reason) */
static int post(const struct sw_st_delivery *d, const char *body, long *status, char *why, size_t whyn)
{
	struct sw_err err = SW_ERR_INIT;
	*status = 0;
	if (sw_libcurl_load(&err) < 0) {
		snprintf(why, whyn, "%.300s", err.msg);
		return -1;
	}
	CURL *h = sw_curl->easy_init();
	if (!h) {
		snprintf(why, whyn, "cannot make an HTTP handle");
		return -1;
	}
	char sig[65], line[160];
	hmac_hex(d->secret ? d->secret : "", body, strlen(body), sig);
	struct curl_slist *hdr = NULL;
	hdr = sw_curl->slist_append(hdr, "Content-Type: application/json");
	snprintf(line, sizeof(line), "X-Stowaway-Signature: sha256=%s", sig);
	hdr = sw_curl->slist_append(hdr, line);
	snprintf(line, sizeof(line), "X-Stowaway-Delivery: %lld", (long long)d->id);
	hdr = sw_curl->slist_append(hdr, line);
	hdr = sw_curl->slist_append(hdr, "X-Stowaway-Event: " EVENT);
	hdr = sw_curl->slist_append(hdr, "Expect:");
	char ebuf[CURL_ERROR_SIZE] = "";
	sw_curl->easy_setopt(h, CURLOPT_URL, d->url);
	sw_curl->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	sw_curl->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	sw_curl->easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 5L);
	sw_curl->easy_setopt(h, CURLOPT_TIMEOUT, post_timeout);
	sw_curl->easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	sw_curl->easy_setopt(h, CURLOPT_POST, 1L);
	sw_curl->easy_setopt(h, CURLOPT_POSTFIELDS, body);
	sw_curl->easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
	sw_curl->easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	sw_curl->easy_setopt(h, CURLOPT_USERAGENT, "stowaway/" SW_VERSION_STRING);
	sw_curl->easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	sw_curl->easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
	CURLcode rc = sw_curl->easy_perform(h);
	int r = 0;
	if (rc != CURLE_OK) {
		snprintf(why, whyn, "%.255s", ebuf[0] ? ebuf : sw_curl->easy_strerror(rc));
		r = -1;
	} else {
		sw_curl->easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
		if (*status < 200 || *status > 299) {
			snprintf(why, whyn, "the receiver answered HTTP %ld", *status);
			r = -1;
		}
	}
	sw_curl->slist_free_all(hdr);
	sw_curl->easy_cleanup(h);
	OPENSSL_cleanse(sig, sizeof(sig));
	return r;
}

static int opt_or(int v, int dflt)
{
	return v > 0 ? v : dflt;
}

static void deliver_one(struct srv *s, struct sw_st_delivery *d)
{
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	char *body = event_body(s, d);
	long status = 0;
	char why[CURL_ERROR_SIZE + 64] = "";
	int r = post(d, body, &status, why, sizeof(why));
	free(body);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	int64_t now = srv_now();
	struct sw_err err = SW_ERR_INIT;
	struct sw_buf f = SW_BUF_INIT;
	sw_buf_addf(&f, "\"delivery\":%lld,\"webhook\":%lld,\"attempt\":%d,\"status\":%ld,\"ms\":%.1f", (long long)d->id,
		    (long long)d->webhook, d->attempts, status, ms);
	if (r == 0) {
		if (sw_st_delivery_done(s->store, d->id, s->owner, now, &err) < 0)
			sw_buf_addstr(&f, ",\"store_error\":"), srv_json_str(&f, err.msg);
		sw_buf_addstr(&f, ",\"state\":\"delivered\"");
		s->deliveries_sent++;
	} else {
		int base = opt_or(s->o->webhook_backoff, 10), cap = opt_or(s->o->webhook_backoff_max, 3600);
		int give_up_after = opt_or(s->o->webhook_give_up, 86400);
		int shift = d->attempts - 1 < 30 ? d->attempts - 1 : 30;
		long long delay = (long long)base << (shift > 0 ? shift : 0);
		if (delay > cap)
			delay = cap;
		/* whole seconds: +1 so that the wait is never shorter than delay */
		int64_t next = now + delay + 1;
		bool give_up = now - d->created >= give_up_after;
		if (sw_st_delivery_retry(s->store, d->id, s->owner, why, next, give_up, now, &err) < 0)
			sw_buf_addstr(&f, ",\"store_error\":"), srv_json_str(&f, err.msg);
		sw_buf_addf(&f, ",\"state\":\"%s\",\"error\":", give_up ? "failed" : "pending");
		srv_json_str(&f, why);
		if (!give_up)
			sw_buf_addf(&f, ",\"next_attempt\":%lld", (long long)next);
		s->deliveries_failed++;
	}
	srv_log(s, "delivery", "%s", f.data);
	sw_buf_release(&f);
}

static void *deliverer(void *arg)
{
	struct srv *s = arg;
	int lease = delivery_lease(s);
	while (!s->stopping) {
		struct sw_st_delivery d;
		struct sw_err err = SW_ERR_INIT;
		int r = sw_st_delivery_claim(s->store, s->owner, lease, srv_now(), &d, &err);
		if (r < 0 && err.code != SW_E_UNSUPPORTED) {
			struct sw_buf f = SW_BUF_INIT;
			sw_buf_addstr(&f, "\"where\":\"delivery claim\",\"error\":");
			srv_json_str(&f, err.msg);
			srv_log(s, "error", "%s", f.data);
			sw_buf_release(&f);
		}
		if (r == 1) {
			deliver_one(s, &d);
			sw_st_delivery_release(&d);
			continue;
		}
		pthread_mutex_lock(&s->hooks_mu);
		if (!s->stopping) {
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_nsec += 500 * 1000 * 1000;
			if (until.tv_nsec >= 1000000000) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&s->hooks_wake, &s->hooks_mu, &until);
		}
		pthread_mutex_unlock(&s->hooks_mu);
	}
	return NULL;
}

int srv_hooks_start(struct srv *s, struct sw_err *err)
{
	const char *t = getenv("STOWAWAY_TEST_WEBHOOK_TIMEOUT");
	if (t && *t) {
		char *end = NULL;
		long v = strtol(t, &end, 10);
		if (*end || v < 1 || v > 10)
			return sw_err_set(err, SW_E_USAGE, "STOWAWAY_TEST_WEBHOOK_TIMEOUT must be 1 to 10 (seconds), not '%.20s'", t);
		post_timeout = v;
	}
	if (pthread_create(&s->deliverer, NULL, deliverer, s) != 0)
		return sw_err_set(err, SW_E_INTERNAL, "cannot start the delivery thread");
	s->have_deliverer = true;
	return 0;
}

void srv_hooks_stop(struct srv *s)
{
	srv_hooks_wake(s);
	if (s->have_deliverer)
		pthread_join(s->deliverer, NULL);   /* at most one POST (10 s) */
	s->have_deliverer = false;
}

/* ---------------------------------------------------------------- routes */

static bool parse_id(const char *p, size_t n, int64_t *id)
{
	if (n == 0 || n > 18)
		return false;
	int64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (p[i] - '0');
	}
	*id = v;
	return v > 0;
}

static void reply_take(struct srv_reply *r, unsigned status, struct sw_buf *b)
{
	r->status = status;
	r->ctype = "application/json";
	sw_buf_release(&r->body);
	r->body = *b;
	struct sw_buf empty = SW_BUF_INIT;
	*b = empty;
}

static bool want_method(struct srv_req *q, struct srv_reply *r, const char *m)
{
	if (strcmp(q->method, m) == 0 || (strcmp(m, "GET") == 0 && strcmp(q->method, "HEAD") == 0))
		return true;
	srv_reply_error(r, 405, "%s takes %s, not %s", q->path, m, q->method);
	return false;
}

/* never the secret */
static void webhook_json(struct sw_buf *b, const struct sw_st_webhook *w)
{
	sw_buf_addf(b, "{\"id\":%lld,\"url\":", (long long)w->id);
	srv_json_str(b, w->url);
	sw_buf_addstr(b, ",\"filter\":{\"min_severity\":");
	srv_json_str(b, w->min_severity);
	sw_buf_addf(b, ",\"repositories\":%s,\"only_fixable\":%s,\"kev_only\":%s}", w->repositories ? w->repositories : "[]",
		    w->only_fixable ? "true" : "false", w->kev_only ? "true" : "false");
	sw_buf_addf(b, ",\"created\":%lld,\"deliveries\":\"/api/v1/webhooks/%lld/deliveries\"}", (long long)w->created,
		    (long long)w->id);
}

static void create_webhook(struct srv_req *q, struct srv_reply *r)
{
	const char *ct = srv_header(q, "Content-Type");
	if (!ct || strncasecmp(ct, "application/json", 16) != 0) {
		srv_reply_error(r, 415, "the body must be application/json (Content-Type is '%.80s')", ct ? ct : "missing");
		return;
	}
	struct sw_srv_webhook_req wr;
	struct sw_err err = SW_ERR_INIT;
	if (sw_srv_parse_webhook_req(q->body, q->body_len, &wr, &err) < 0) {
		srv_reply_error(r, err.code == SW_E_FORMAT ? 400 : 422, "%s", err.msg);
		return;
	}
	struct sw_st_webhook w = { .url = wr.url, .secret = wr.secret, .min_severity = wr.min_severity,
				   .repositories = wr.repositories, .only_fixable = wr.only_fixable,
				   .kev_only = wr.kev_only, .created = srv_now() };
	int64_t id = 0;
	if (sw_st_webhook_put(q->s->store, &w, w.created, &id, &err) < 0) {
		sw_srv_webhook_req_release(&wr);
		srv_reply_error(r, err.code == SW_E_UNSUPPORTED ? 501 : 500, "%s", err.msg);
		return;
	}
	w.id = id;
	w.secret = NULL;
	struct sw_buf b = SW_BUF_INIT;
	webhook_json(&b, &w);
	sw_srv_webhook_req_release(&wr);
	reply_take(r, 201, &b);
	r->location = sw_xasprintf("/api/v1/webhooks/%lld", (long long)id);
	struct sw_buf f = SW_BUF_INIT;
	sw_buf_addf(&f, "\"webhook\":%lld,\"action\":\"created\",\"by\":", (long long)id);
	srv_json_str(&f, q->token_name);
	srv_log(q->s, "webhook", "%s", f.data);
	sw_buf_release(&f);
}

static void list_webhooks(struct srv_req *q, struct srv_reply *r)
{
	struct sw_vec v = SW_VEC_INIT;
	struct sw_err err = SW_ERR_INIT;
	if (sw_st_webhook_list(q->s->store, false, &v, &err) < 0) {
		sw_st_webhook_list_free(&v);
		srv_reply_error(r, err.code == SW_E_UNSUPPORTED ? 501 : 500, "%s", err.msg);
		return;
	}
	struct sw_buf b = SW_BUF_INIT;
	sw_buf_addstr(&b, "{\"webhooks\":[");
	for (size_t i = 0; i < v.len; i++) {
		if (i)
			sw_buf_addch(&b, ',');
		webhook_json(&b, v.items[i]);
	}
	sw_buf_addstr(&b, "]}");
	sw_st_webhook_list_free(&v);
	reply_take(r, 200, &b);
}

static bool load_webhook(struct srv_req *q, struct srv_reply *r, int64_t id, struct sw_st_webhook *w)
{
	struct sw_err err = SW_ERR_INIT;
	int k = sw_st_webhook_get(q->s->store, id, w, &err);
	if (k <= 0) {
		srv_reply_error(r, k < 0 ? (err.code == SW_E_UNSUPPORTED ? 501 : 500) : 404, "%s",
				k < 0 ? err.msg : "no such webhook");
		return false;
	}
	return true;
}

static void delivery_json(struct sw_buf *b, const struct sw_st_delivery *d)
{
	sw_buf_addf(b, "{\"id\":%lld,\"webhook\":%lld,\"image\":", (long long)d->id, (long long)d->webhook);
	srv_json_str(b, d->image_digest);
	if (d->report_id)
		sw_buf_addf(b, ",\"report\":%lld", (long long)d->report_id);
	else
		sw_buf_addstr(b, ",\"report\":null");
	sw_buf_addf(b, ",\"state\":\"%s\",\"attempts\":%d,\"last_error\":", sw_delivery_state_name(d->state), d->attempts);
	srv_json_str(b, d->last_error);
	if (d->state == SW_DLV_PENDING)
		sw_buf_addf(b, ",\"next_attempt\":%lld", (long long)d->next_attempt);
	else
		sw_buf_addstr(b, ",\"next_attempt\":null");
	sw_buf_addf(b, ",\"created\":%lld", (long long)d->created);
	if (d->delivered)
		sw_buf_addf(b, ",\"delivered\":%lld}", (long long)d->delivered);
	else
		sw_buf_addstr(b, ",\"delivered\":null}");
}

static void list_deliveries(struct srv_req *q, struct srv_reply *r, int64_t id)
{
	struct sw_st_webhook w;
	if (!load_webhook(q, r, id, &w))
		return;
	sw_st_webhook_release(&w);
	size_t limit = 100;
	const char *l = srv_query(q, "limit");
	if (l) {
		char *end = NULL;
		long v = strtol(l, &end, 10);
		if (!*l || *end || v < 1 || v > 1000) {
			srv_reply_error(r, 400, "?limit= must be a number from 1 to 1000");
			return;
		}
		limit = (size_t)v;
	}
	struct sw_vec v = SW_VEC_INIT;
	struct sw_err err = SW_ERR_INIT;
	if (sw_st_delivery_list(q->s->store, id, limit, &v, &err) < 0) {
		sw_st_delivery_list_free(&v);
		srv_reply_error(r, 500, "%s", err.msg);
		return;
	}
	struct sw_buf b = SW_BUF_INIT;
	sw_buf_addf(&b, "{\"webhook\":%lld,\"deliveries\":[", (long long)id);
	for (size_t i = 0; i < v.len; i++) {
		if (i)
			sw_buf_addch(&b, ',');
		delivery_json(&b, v.items[i]);
	}
	sw_buf_addstr(&b, "]}");
	sw_st_delivery_list_free(&v);
	reply_take(r, 200, &b);
}

int srv_hooks_route(struct srv_req *q, struct srv_reply *r)
{
	const char *p = q->path;
	if (strcmp(p, "/api/v1/webhooks") == 0) {
		if (strcmp(q->method, "POST") == 0) {
			if (srv_need_scope(q, r, "admin"))
				create_webhook(q, r);
		} else if (want_method(q, r, "GET") && srv_need_scope(q, r, "read")) {
			list_webhooks(q, r);
		}
		return 1;
	}
	if (strncmp(p, "/api/v1/webhooks/", 17) == 0) {
		const char *rest = p + 17;
		size_t n = strcspn(rest, "/");
		int64_t id;
		if (!parse_id(rest, n, &id)) {
			srv_reply_error(r, 404, "no webhook '%.40s'", rest);
			return 1;
		}
		if (!rest[n]) {
			if (strcmp(q->method, "DELETE") == 0) {
				struct sw_err err = SW_ERR_INIT;
				if (!srv_need_scope(q, r, "admin"))
					return 1;
				if (sw_st_webhook_delete(q->s->store, id, &err) < 0) {
					srv_reply_error(r, err.code == SW_E_NOTFOUND ? 404 : 500, "%s", err.msg);
					return 1;
				}
				r->status = 204;
				r->ctype = NULL;
				sw_buf_reset(&r->body);
				srv_log(q->s, "webhook", "\"webhook\":%lld,\"action\":\"deleted\"", (long long)id);
			} else if (want_method(q, r, "GET") && srv_need_scope(q, r, "read")) {
				struct sw_st_webhook w;
				if (load_webhook(q, r, id, &w)) {
					struct sw_buf b = SW_BUF_INIT;
					webhook_json(&b, &w);
					sw_st_webhook_release(&w);
					reply_take(r, 200, &b);
				}
			}
			return 1;
		}
		if (strcmp(rest + n, "/deliveries") == 0) {
			if (want_method(q, r, "GET") && srv_need_scope(q, r, "read"))
				list_deliveries(q, r, id);
			return 1;
		}
		return 0;
	}
	return srv_dbupdate_route(q, r);
}

/* ---------------------------------------------------------------- metrics */

void srv_hooks_metrics(struct srv *s, struct sw_buf *b)
{
	int64_t counts[3] = { 0 }, hooks = 0;
	struct sw_err err = SW_ERR_INIT;
	if (sw_st_delivery_counts(s->store, counts, &hooks, &err) == 0) {
		sw_buf_addf(b, "# TYPE stowaway_webhooks gauge\nstowaway_webhooks %lld\n", (long long)hooks);
		sw_buf_addstr(b, "# TYPE stowaway_webhook_deliveries gauge\n");
		for (int i = 0; i < 3; i++)
			sw_buf_addf(b, "stowaway_webhook_deliveries{state=\"%s\"} %lld\n",
				    sw_delivery_state_name((enum sw_delivery_state)i), (long long)counts[i]);
	}
	sw_buf_addf(b, "# TYPE stowaway_webhook_attempts_total counter\n"
		       "stowaway_webhook_attempts_total{result=\"delivered\"} %llu\n"
		       "stowaway_webhook_attempts_total{result=\"failed\"} %llu\n",
		    (unsigned long long)s->deliveries_sent, (unsigned long long)s->deliveries_failed);
	srv_dbupdate_metrics(s, b);
}
