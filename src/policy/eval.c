/* eval.c - evaluating a bundle: image lists, the mapping, every rule of its
 * rule sets, the allowlists, the final action (policy.h, docs/policy.md
 * "Evaluation order"). */
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy/internal.h"
#include "util/buf.h"
#include "util/mem.h"

const char *sw_policy_action_name(enum sw_policy_action a)
{
	switch (a) {
	case SW_POLICY_GO: return "go";
	case SW_POLICY_WARN: return "warn";
	case SW_POLICY_STOP: return "stop";
	}
	return "?";
}

/* Anchore's id for a firing without an instance id: md5(gate + trigger + message). */
static char *md5_id(const char *gate, const char *trigger, const char *msg)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	if (!c || !EVP_DigestInit_ex(c, EVP_md5(), NULL) || !EVP_DigestUpdate(c, gate, strlen(gate)) ||
	    !EVP_DigestUpdate(c, trigger, strlen(trigger)) || !EVP_DigestUpdate(c, msg, strlen(msg)) ||
	    !EVP_DigestFinal_ex(c, md, &n))
		n = 0;
	EVP_MD_CTX_free(c);
	char *hex = sw_xmalloc(2 * n + 1);
	for (unsigned i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	hex[2 * n] = 0;
	return hex;
}

static void push_hit(struct sw_eval_ctx *cx, const struct sw_policy_rule *r, const char *tid, char *msg,
		     bool not_eval)
{
	struct sw_policy_hit *h = sw_xcalloc(1, sizeof(*h));
	h->gate = cx->istr[0];
	h->trigger = cx->istr[1];
	h->trigger_id = tid ? sw_xstrdup(tid) : md5_id(r->g->name, r->trigger, msg);
	h->action = r->action;
	h->message = msg;
	h->rule_id = cx->istr[2];
	h->policy_id = cx->istr[3];
	h->not_evaluated = not_eval;
	sw_vec_push(cx->hits, h);
	cx->fired++;
}

void sw_policy_fire(struct sw_eval_ctx *cx, const struct sw_policy_rule *r, const char *trigger_id,
		    const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char tmp[2048];
	int n = vsnprintf(tmp, 1024, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if (n > 1023)
		n = 1023;
	if (r->recommendation && *r->recommendation)
		snprintf(tmp + n, sizeof(tmp) - (size_t)n, " - %s", r->recommendation);
	push_hit(cx, r, trigger_id, sw_xstrdup(tmp), false);
}

void sw_policy_fire_text(struct sw_eval_ctx *cx, const struct sw_policy_rule *r, const char *trigger_id,
			 const char *msg)
{
	char *m;
	if (r->recommendation && *r->recommendation) {
		size_t a = strlen(msg), b = strlen(r->recommendation);
		m = sw_xmalloc(a + b + 4);
		memcpy(m, msg, a);
		memcpy(m + a, " - ", 3);
		memcpy(m + a + 3, r->recommendation, b + 1);
	} else {
		m = sw_xstrdup(msg);
	}
	push_hit(cx, r, trigger_id, m, false);
}

void sw_policy_not_evaluated(struct sw_eval_ctx *cx, const struct sw_policy_rule *r, const char *why)
{
	char *msg = sw_xasprintf("not evaluated: %s", why);
	char *tid = sw_xasprintf("not_evaluated:%s.%s", r->g->name, r->trigger);
	snprintf(cx->looked_at, sizeof(cx->looked_at), "nothing: %s", why);
	push_hit(cx, r, tid, msg, true);
	free(tid);
	cx->not_evaluated = true;
}

int sw_policy_re_match(struct sw_eval_ctx *cx, const pcre2_code *re, const char *s)
{
	if (!re)
		return 0;
	/* Python's re.match, as Anchore: anchored at the start */
	int rc = pcre2_match(re, (PCRE2_SPTR)s, PCRE2_ZERO_TERMINATED, 0, PCRE2_ANCHORED, cx->md, cx->mc);
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	return -1;
}

/* ---- image references -------------------------------------------------- */

void sw_policy_split_tag(const char *ref, char **registry, char **repo, char **tag)
{
	*registry = *repo = *tag = NULL;
	if (!ref || !*ref) {
		*registry = sw_xstrdup("");
		*repo = sw_xstrdup("");
		*tag = sw_xstrdup("");
		return;
	}
	char *s = sw_xstrdup(ref);
	char *at = strchr(s, '@');
	if (at)
		*at = 0;
	char *slash = strchr(s, '/');
	const char *reg = "docker.io";
	char *rest = s;
	if (slash && (memchr(s, '.', (size_t)(slash - s)) || memchr(s, ':', (size_t)(slash - s)) ||
		      !strncmp(s, "localhost/", 10))) {
		*slash = 0;
		reg = s;
		rest = slash + 1;
	}
	char *lastslash = strrchr(rest, '/');
	char *colon = strrchr(lastslash ? lastslash : rest, ':');
	const char *t = "latest";
	if (colon) {
		*colon = 0;
		t = colon + 1;
	}
	*registry = sw_xstrdup(reg);
	if (!strcmp(reg, "docker.io") && !strchr(rest, '/'))
		*repo = sw_xasprintf("library/%s", rest);
	else
		*repo = sw_xstrdup(rest);
	*tag = sw_xstrdup(t);
	free(s);
}

struct image_ref {
	char *registry, *repo, *tag;
	const char *image_id, *digest;
};

static bool sel_matches(const struct sw_image_sel *s, const struct image_ref *ir)
{
	if (!sw_policy_glob(s->registry, ir->registry) || !sw_policy_glob(s->repository, ir->repo))
		return false;
	const char *v = !strcmp(s->image_type, "tag") ? ir->tag :
			!strcmp(s->image_type, "id") ? ir->image_id : ir->digest;
	return sw_policy_glob(s->image_value, v ? v : "");
}

static const struct sw_image_sel *first_match(const struct sw_vec *sels, const struct image_ref *ir)
{
	for (size_t i = 0; i < sels->len; i++)
		if (sel_matches(sels->items[i], ir))
			return sels->items[i];
	return NULL;
}

/* ---- evaluation --------------------------------------------------------- */

static const struct sw_policy_set *find_set(const struct sw_policy_bundle *b, const char *id)
{
	for (size_t i = 0; i < b->sets.len; i++)
		if (!strcmp(((struct sw_policy_set *)b->sets.items[i])->id, id))
			return b->sets.items[i];
	return NULL;
}

static const struct sw_allowlist *find_allowlist(const struct sw_policy_bundle *b, const char *id)
{
	for (size_t i = 0; i < b->allowlists.len; i++)
		if (!strcmp(((struct sw_allowlist *)b->allowlists.items[i])->id, id))
			return b->allowlists.items[i];
	return NULL;
}

/* The allowlists of a mapping as an index: items by the literal text
 * before their first '*' (the whole id for exact items), sorted by
 * (length, text); a row's candidates are found by binary search for each
 * length present, and the first matching item in bundle order applies. */
struct aitem {
	const char *key;
	size_t len;                       /* of the literal prefix */
	bool glob;                        /* the id has a '*' */
	size_t order;                     /* position in the mapping's allowlists */
	const struct sw_allow_item *it;
	const struct sw_allowlist *al;
};

static int aitem_cmp(const void *a, const void *b)
{
	const struct aitem *x = a, *y = b;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	int c = memcmp(x->key, y->key, x->len);
	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* [lo, hi) of the items of length len whose key is tid[0..len) */
static void arange(const struct aitem *v, size_t n, size_t len, const char *tid, size_t *lo, size_t *hi)
{
	size_t a = 0, b = n;
	while (a < b) {      /* first >= (len, tid) */
		size_t m = (a + b) / 2;
		int c = v[m].len != len ? (v[m].len < len ? -1 : 1) : memcmp(v[m].key, tid, len);
		if (c < 0)
			a = m + 1;
		else
			b = m;
	}
	*lo = a;
	while (a < n && v[a].len == len && !memcmp(v[a].key, tid, len))
		a++;
	*hi = a;
}

static void apply_allowlists(const struct sw_policy_bundle *b, const struct sw_image_sel *m,
			     struct sw_policy_result *res, long long now, size_t from)
{
	struct sw_vec items = SW_VEC_INIT;
	size_t order = 0;
	for (size_t a = 0; a < m->allowlist_ids.len; a++) {
		const struct sw_allowlist *al = find_allowlist(b, m->allowlist_ids.items[a]);
		for (size_t k = 0; al && k < al->items.len; k++) {
			const struct sw_allow_item *it = al->items.items[k];
			if (it->expires_on && now >= it->expires_on) {
				char *note = sw_xasprintf("allowlist '%s' item '%s' (%s %s) expired on %s: not applied",
							  al->id, it->id, it->gate, it->trigger_id, it->expires_text);
				if (sw_vec_find_str(&res->expired, note) < 0)
					sw_vec_push(&res->expired, note);
				else
					free(note);
				continue;
			}
			struct aitem *x = sw_xcalloc(1, sizeof(*x));
			x->key = it->trigger_id;
			x->len = strcspn(it->trigger_id, "*");
			x->glob = it->trigger_id[x->len] != 0;
			x->order = order++;
			x->it = it;
			x->al = al;
			sw_vec_push(&items, x);
		}
	}
	size_t n = items.len;
	struct aitem *v = sw_xmalloc((n ? n : 1) * sizeof(*v));
	for (size_t i = 0; i < n; i++)
		v[i] = *(struct aitem *)items.items[i];
	sw_vec_free_all(&items, free);
	qsort(v, n, sizeof(*v), aitem_cmp);
	size_t lens[64], nlens = 0;      /* the distinct lengths (more than 64: all scanned) */
	bool all = false;
	for (size_t i = 0; i < n; i++)
		if (!nlens || lens[nlens - 1] != v[i].len) {
			if (nlens == 64) {
				all = true;
				break;
			}
			lens[nlens++] = v[i].len;
		}
	for (size_t h = from; n && h < res->hits.len; h++) {
		struct sw_policy_hit *hit = res->hits.items[h];
		size_t tl = strlen(hit->trigger_id);
		const struct aitem *best = NULL;
		for (size_t li = 0; all ? li < n : li < nlens; li++) {
			size_t lo, hi;
			if (all) {
				lo = li;
				hi = li + 1;
				if (v[li].len > tl || memcmp(v[li].key, hit->trigger_id, v[li].len))
					continue;
			} else {
				if (lens[li] > tl)
					break;
				arange(v, n, lens[li], hit->trigger_id, &lo, &hi);
			}
			for (size_t k = lo; k < hi; k++) {
				const struct aitem *x = &v[k];
				if (best && best->order < x->order)
					break;
				if ((x->glob ? !sw_policy_glob(x->key, hit->trigger_id) : tl != x->len) ||
				    strcasecmp(hit->gate, x->it->gate))
					continue;
				best = x;
				break;
			}
		}
		if (best) {
			hit->allowlisted_by = sw_xstrdup(best->it->id);
			hit->allowlist_id = sw_xstrdup(best->al->id);
			hit->allowlist_name = sw_xstrdup(best->al->name ? best->al->name : best->al->id);
		}
	}
	free(v);
}

static void outcome_free(struct sw_policy_rule_outcome *o)
{
	free(o->rule_id);
	free(o->policy_id);
	free(o->gate);
	free(o->trigger);
	free(o->params);
	free(o->looked_at);
	free(o);
}

int sw_policy_eval(const struct sw_policy_bundle *b, const struct sw_policy_input *in,
		   struct sw_policy_result **out, struct sw_err *err)
{
	(void)err;
	struct sw_policy_result *res = sw_xcalloc(1, sizeof(*res));
	res->bundle_id = sw_xstrdup(b->id);
	res->bundle_name = sw_xstrdup(b->name);
	res->evaluated_at = in->now;
	const struct sw_inventory *inv = in->inv;

	/* the image as mappings see it */
	const char *tag = in->repo_tag;
	if (!tag && inv && inv->repo_tags.len)
		tag = inv->repo_tags.items[0];
	if (!tag && inv && inv->transport && !strcmp(inv->transport, "registry") && inv->reference)
		tag = inv->reference;
	struct image_ref ir = { 0 };
	sw_policy_split_tag(tag, &ir.registry, &ir.repo, &ir.tag);
	const char *id = in->image_id ? in->image_id : inv ? inv->config_digest : NULL;
	if (id && !strncmp(id, "sha256:", 7))
		id += 7;
	ir.image_id = id;
	ir.digest = inv ? inv->manifest_digest : NULL;
	res->image_id = sw_xstrdup(id ? id : "unknown");
	res->repo_tag = tag ? sw_xasprintf("%s/%s:%s", ir.registry, ir.repo, ir.tag) : sw_xstrdup("");

	/* the config, parsed once for the dockerfile and metadata gates */
	struct sw_json_doc *cdoc = NULL;
	struct sw_eval_ctx cx = { .in = in, .hits = &res->hits };
	if (in->config_json) {
		struct sw_err cerr = SW_ERR_INIT;
		if (sw_json_parse(in->config_json, in->config_len, &cdoc, &cerr) == 0 &&
		    sw_json_is(sw_json_root(cdoc), SW_JSON_OBJECT))
			cx.config = sw_json_root(cdoc);
		else
			cx.config_why_not = "the image config is not a JSON object";
	} else {
		cx.config_why_not = "no image config (an SBOM, a dir: root file system or a stored report)";
	}
	cx.md = pcre2_match_data_create(1, NULL);
	size_t np = inv ? inv->packages.len : 0;
	cx.pkg_os = sw_xcalloc(np ? np : 1, sizeof(bool));
	for (size_t i = 0; i < np; i++) {
		const char *t = ((const struct sw_package *)inv->packages.items[i])->type;
		cx.pkg_os[i] = t && (!strcmp(t, "deb") || !strcmp(t, "apk") || !strcmp(t, "rpm"));
	}
	cx.mc = pcre2_match_context_create(NULL);
	pcre2_set_match_limit(cx.mc, SW_POLICY_RE_MATCH_LIMIT);
	pcre2_set_depth_limit(cx.mc, SW_POLICY_RE_DEPTH_LIMIT);

	const struct sw_image_sel *denied = first_match(&b->denied, &ir);
	const struct sw_image_sel *allowed = first_match(&b->allowed, &ir);
	const struct sw_image_sel *m = first_match(&b->mappings, &ir);
	if (denied)
		res->denied_image_rule = sw_xstrdup(denied->id);
	if (allowed)
		res->allowed_image_rule = sw_xstrdup(allowed->id);
	if (m) {
		res->mapping_id = sw_xstrdup(m->id);
		res->mapping_name = sw_xstrdup(m->name);
		res->mapping_json = sw_xstrdup(m->json);
		for (size_t s = 0; s < m->policy_ids.len; s++) {
			const struct sw_policy_set *set = find_set(b, m->policy_ids.items[s]);
			size_t from = res->hits.len;
			cx.policy_id = set->id;
			for (size_t i = 0; i < set->rules.len; i++) {
				const struct sw_policy_rule *r = set->rules.items[i];
				size_t h0 = res->hits.len;
				const char *src[4] = { r->g->name, r->trigger, r->id, set->id };
				for (int k = 0; k < 4; k++) {
					char *c = sw_xstrdup(src[k]);
					sw_vec_push(&res->strings, c);
					cx.istr[k] = c;
				}
				cx.fired = 0;
				cx.not_evaluated = false;
				cx.looked_at[0] = 0;
				r->t->fn(&cx, r);
				struct sw_policy_rule_outcome *o = sw_xcalloc(1, sizeof(*o));
				o->rule_id = sw_xstrdup(r->id);
				o->policy_id = sw_xstrdup(set->id);
				o->gate = sw_xstrdup(r->g->name);
				o->trigger = sw_xstrdup(r->trigger);
				o->action = r->action;
				o->params = sw_xstrdup(r->params_text ? r->params_text : "");
				o->looked_at = sw_xstrdup(cx.looked_at);
				o->fired = res->hits.len - h0;
				o->not_evaluated = cx.not_evaluated;
				sw_vec_push(&res->rules, o);
			}
			apply_allowlists(b, m, res, in->now, from);
		}
	}
	/* outcomes count what the allowlists took */
	for (size_t i = 0, h = 0; i < res->rules.len; i++) {
		struct sw_policy_rule_outcome *o = res->rules.items[i];
		for (size_t k = 0; k < o->fired && h < res->hits.len; k++, h++)
			if (((struct sw_policy_hit *)res->hits.items[h])->allowlisted_by)
				o->allowlisted++;
	}
	res->policy_action = SW_POLICY_GO;
	for (size_t h = 0; h < res->hits.len; h++) {
		const struct sw_policy_hit *hit = res->hits.items[h];
		if (!hit->allowlisted_by && hit->action > res->policy_action)
			res->policy_action = hit->action;
	}
	if (denied) {
		res->final_action = SW_POLICY_STOP;
		res->final_reason = sw_xstrdup("denylisted");
	} else if (allowed) {
		res->final_action = SW_POLICY_GO;
		res->final_reason = sw_xstrdup("allowlisted");
	} else if (!m) {
		res->final_action = SW_POLICY_GO;
		res->final_reason = sw_xstrdup("no_mapping");
	} else {
		res->final_action = res->policy_action;
		res->final_reason = sw_xstrdup("policy_evaluation");
	}
	free(cx.pkg_os);
	free(cx.fcache);
	free(cx.ids);
	pcre2_match_data_free(cx.md);
	pcre2_match_context_free(cx.mc);
	sw_json_doc_free(cdoc);
	free(ir.registry);
	free(ir.repo);
	free(ir.tag);
	*out = res;
	return 0;
}

void sw_policy_result_free(struct sw_policy_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->hits.len; i++) {
		struct sw_policy_hit *h = r->hits.items[i];
		free(h->trigger_id);
		free(h->message);
		free(h->allowlisted_by);
		free(h->allowlist_id);
		free(h->allowlist_name);
		free(h);
	}
	sw_vec_release(&r->hits);
	for (size_t i = 0; i < r->rules.len; i++)
		outcome_free(r->rules.items[i]);
	sw_vec_release(&r->rules);
	sw_vec_free_strings(&r->expired);
	sw_vec_free_strings(&r->strings);
	free(r->bundle_id);
	free(r->bundle_name);
	free(r->image_id);
	free(r->repo_tag);
	free(r->mapping_id);
	free(r->mapping_name);
	free(r->mapping_json);
	free(r->allowed_image_rule);
	free(r->denied_image_rule);
	free(r->final_reason);
	free(r);
}
