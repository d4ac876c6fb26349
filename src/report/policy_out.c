/* policy_out.c - a policy evaluation (policy/policy.h) as a table, as
 * Anchore's evaluation JSON, and as our section of the scan JSON
 * (report.h sw_report_policy, docs/policy.md "Results"). */
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "report/report_int.h"
#include "util/buf.h"
#include "util/mem.h"
#include "util/secretmask.h"

json_t *sw_report_image_config_json(const char *config_json)
{
	json_t *cfg = json_loads(config_json, 0, NULL);
	if (!json_is_object(cfg)) {
		json_decref(cfg);
		return NULL;
	}
	json_t *o = json_object();
	static const char *const top[] = { "created", "architecture", "os" };
	for (size_t i = 0; i < sizeof(top) / sizeof(top[0]); i++) {
		json_t *v = json_object_get(cfg, top[i]);
		if (json_is_string(v))
			json_object_set(o, top[i], v);
	}
	json_t *c = json_object_get(cfg, "config");
	json_t *oc = json_object();
	json_t *user = json_object_get(c, "User");
	if (json_is_string(user))
		json_object_set(oc, "User", user);
	json_t *ports = json_object_get(c, "ExposedPorts");
	if (json_is_object(ports)) {
		json_t *p = json_object();
		const char *k;
		json_t *v;
		json_object_foreach(ports, k, v)
			json_object_set_new(p, k, json_object());
		json_object_set_new(oc, "ExposedPorts", p);
	}
	json_t *hc = json_object_get(c, "Healthcheck");
	if (json_is_object(hc)) {
		json_t *h = json_object();
		json_t *test = json_object_get(hc, "Test");
		if (json_is_array(test)) {
			json_t *t = json_array();
			size_t i;
			json_t *v;
			json_array_foreach(test, i, v) {
				char *m = sw_mask_secrets(json_string_value(v) ? json_string_value(v) : "");
				json_array_append_new(t, json_string(m));
				free(m);
			}
			json_object_set_new(h, "Test", t);
		}
		json_object_set_new(oc, "Healthcheck", h);
	}
	json_object_set_new(o, "config", oc);
	json_t *hist = json_array();
	json_t *h = json_object_get(cfg, "history");
	size_t i;
	json_t *v;
	json_array_foreach(h, i, v) {
		json_t *e = json_object();
		const char *cb = json_string_value(json_object_get(v, "created_by"));
		if (cb) {
			char *m = sw_mask_secrets(cb);
			json_object_set_new(e, "created_by", json_string(m));
			free(m);
		}
		if (json_is_true(json_object_get(v, "empty_layer")))
			json_object_set_new(e, "empty_layer", json_true());
		json_array_append_new(hist, e);
	}
	json_object_set_new(o, "history", hist);
	json_decref(cfg);
	return o;
}

static json_t *allowlisted_json(const struct sw_policy_hit *h)
{
	if (!h->allowlisted_by)
		return json_null();
	json_t *o = json_object();
	json_object_set_new(o, "allowlistId", sw_report_jstr(h->allowlist_id));
	json_object_set_new(o, "allowlistName", sw_report_jstr(h->allowlist_name));
	json_object_set_new(o, "itemId", sw_report_jstr(h->allowlisted_by));
	return o;
}

json_t *sw_report_policy_json(const struct sw_policy_result *r)
{
	json_t *o = json_object();
	json_object_set_new(o, "bundleId", sw_report_jstr(r->bundle_id));
	json_object_set_new(o, "bundleName", sw_report_jstr(r->bundle_name));
	json_object_set_new(o, "imageId", sw_report_jstr(r->image_id));
	json_object_set_new(o, "repoTag", sw_report_jstr(r->repo_tag));
	json_object_set_new(o, "finalAction", json_string(sw_policy_action_name(r->final_action)));
	json_object_set_new(o, "finalActionReason", sw_report_jstr(r->final_reason));
	json_object_set_new(o, "policyAction", json_string(sw_policy_action_name(r->policy_action)));
	if (r->mapping_id) {
		json_t *m = json_object();
		json_object_set_new(m, "id", sw_report_jstr(r->mapping_id));
		json_object_set_new(m, "name", sw_report_jstr(r->mapping_name));
		json_object_set_new(o, "matchedMapping", m);
	} else {
		json_object_set_new(o, "matchedMapping", json_null());
	}
	json_object_set_new(o, "allowlistedImageRule", sw_report_jstr(r->allowed_image_rule));
	json_object_set_new(o, "denylistedImageRule", sw_report_jstr(r->denied_image_rule));
	json_t *hits = json_array();
	for (size_t i = 0; i < r->hits.len; i++) {
		const struct sw_policy_hit *h = r->hits.items[i];
		json_t *x = json_object();
		json_object_set_new(x, "gate", sw_report_jstr(h->gate));
		json_object_set_new(x, "trigger", sw_report_jstr(h->trigger));
		json_object_set_new(x, "triggerId", sw_report_jstr(h->trigger_id));
		json_object_set_new(x, "action", json_string(sw_policy_action_name(h->action)));
		json_object_set_new(x, "message", sw_report_jstr(h->message));
		json_object_set_new(x, "ruleId", sw_report_jstr(h->rule_id));
		json_object_set_new(x, "ruleSetId", sw_report_jstr(h->policy_id));
		json_object_set_new(x, "allowlisted", allowlisted_json(h));
		json_object_set_new(x, "notEvaluated", json_boolean(h->not_evaluated));
		json_array_append_new(hits, x);
	}
	json_object_set_new(o, "results", hits);
	json_t *rules = json_array();
	for (size_t i = 0; i < r->rules.len; i++) {
		const struct sw_policy_rule_outcome *ro = r->rules.items[i];
		json_t *x = json_object();
		json_object_set_new(x, "ruleId", sw_report_jstr(ro->rule_id));
		json_object_set_new(x, "ruleSetId", sw_report_jstr(ro->policy_id));
		json_object_set_new(x, "gate", sw_report_jstr(ro->gate));
		json_object_set_new(x, "trigger", sw_report_jstr(ro->trigger));
		json_object_set_new(x, "action", json_string(sw_policy_action_name(ro->action)));
		json_object_set_new(x, "params", sw_report_jstr(ro->params));
		json_object_set_new(x, "lookedAt", sw_report_jstr(ro->looked_at));
		json_object_set_new(x, "fired", json_integer((json_int_t)ro->fired));
		json_object_set_new(x, "allowlisted", json_integer((json_int_t)ro->allowlisted));
		json_object_set_new(x, "notEvaluated", json_boolean(ro->not_evaluated));
		json_array_append_new(rules, x);
	}
	json_object_set_new(o, "rules", rules);
	json_object_set_new(o, "expiredAllowlistItems", sw_report_str_array(&r->expired));
	return o;
}

static json_t *mapping_value(const char *text)
{
	if (!text)
		return json_null();
	json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	return j ? j : json_null();
}

json_t *sw_report_policy_anchore_json(const struct sw_policy_result *r, long long now)
{
	static const char *const header[] = { "Image_Id", "Repo_Tag", "Trigger_Id", "Gate", "Trigger",
					      "Check_Output", "Gate_Action", "Whitelisted", "Policy_Id" };
	json_t *rows = json_array();
	for (size_t i = 0; i < r->hits.len; i++) {
		const struct sw_policy_hit *h = r->hits.items[i];
		json_t *row = json_array();
		json_array_append_new(row, sw_report_jstr(r->image_id));
		json_array_append_new(row, sw_report_jstr(r->repo_tag));
		json_array_append_new(row, sw_report_jstr(h->trigger_id));
		json_array_append_new(row, sw_report_jstr(h->gate));
		json_array_append_new(row, sw_report_jstr(h->trigger));
		json_array_append_new(row, sw_report_jstr(h->message));
		json_array_append_new(row, json_string(sw_policy_action_name(h->action)));
		if (h->allowlisted_by) {
			json_t *w = json_object();
			json_object_set_new(w, "whitelist_id", sw_report_jstr(h->allowlist_id));
			json_object_set_new(w, "whitelist_name", sw_report_jstr(h->allowlist_name));
			json_object_set_new(w, "matched_rule_id", sw_report_jstr(h->allowlisted_by));
			json_array_append_new(row, w);
		} else {
			json_array_append_new(row, json_false());
		}
		json_array_append_new(row, sw_report_jstr(h->policy_id));
		json_array_append_new(rows, row);
	}
	json_t *hdr = json_array();
	for (size_t i = 0; i < sizeof(header) / sizeof(header[0]); i++)
		json_array_append_new(hdr, json_string(header[i]));
	json_t *inner = json_object();
	json_object_set_new(inner, "header", hdr);
	json_object_set_new(inner, "row_count", json_integer((json_int_t)r->hits.len));
	json_object_set_new(inner, "rows", rows);
	json_object_set_new(inner, "final_action", json_string(sw_policy_action_name(r->policy_action)));
	json_t *wrap = json_object();
	json_object_set_new(wrap, "result", inner);
	json_t *result = json_object();
	json_object_set_new(result, r->image_id ? r->image_id : "unknown", wrap);
	json_object_set_new(result, "policy_data", json_array());
	json_object_set_new(result, "whitelist_data", json_array());
	json_object_set_new(result, "policy_name", json_string(r->bundle_name ? r->bundle_name : ""));
	json_object_set_new(result, "whitelist_names", json_array());

	json_t *o = json_object();
	json_object_set_new(o, "image_id", sw_report_jstr(r->image_id));
	json_object_set_new(o, "tag", sw_report_jstr(r->repo_tag));
	json_t *bundle = json_object();
	json_object_set_new(bundle, "id", sw_report_jstr(r->bundle_id));
	json_object_set_new(bundle, "name", sw_report_jstr(r->bundle_name));
	json_object_set_new(o, "bundle", bundle);
	json_object_set_new(o, "matched_mapping_rule", mapping_value(r->mapping_json));
	json_object_set_new(o, "matched_whitelisted_images_rule",
			    r->allowed_image_rule ? json_string(r->allowed_image_rule) : json_false());
	json_object_set_new(o, "matched_blacklisted_images_rule",
			    r->denied_image_rule ? json_string(r->denied_image_rule) : json_false());
	json_object_set_new(o, "result", result);
	char ts[40];
	sw_report_timestamp(now, ts, sizeof(ts));
	json_object_set_new(o, "created_at", json_string(ts));
	json_object_set_new(o, "last_modified", json_string(ts));
	json_object_set_new(o, "final_action", json_string(sw_policy_action_name(r->final_action)));
	json_object_set_new(o, "final_action_reason", sw_report_jstr(r->final_reason));
	json_object_set_new(o, "evaluation_problems", json_array());
	json_object_set_new(o, "stowaway", sw_report_policy_json(r));
	return o;
}

static void cell(struct sw_buf *b, const char *s, size_t width, bool last)
{
	/* a width of 1000 + N: pad to N, never cut (ids an allowlist names) */
	bool cut = width < 1000;
	if (!cut)
		width -= 1000;
	char *c = sw_report_clean(s ? s : "", last || !cut ? 0 : width);
	sw_buf_addstr(b, c);
	if (!last) {
		size_t n = 0;
		for (const unsigned char *p = (const unsigned char *)c; *p; p++)
			n += (*p & 0xC0) != 0x80;
		for (; n < width; n++)
			sw_buf_addch(b, ' ');
		sw_buf_addstr(b, "  ");
	}
	free(c);
}

void sw_report_policy_table_text(struct sw_buf *b, const struct sw_policy_result *r, bool explain)
{
	char *tag = sw_report_clean(r->repo_tag && *r->repo_tag ? r->repo_tag : "(no tag)", 0);
	char *bn = sw_report_clean(r->bundle_name ? r->bundle_name : r->bundle_id, 0);
	sw_buf_addf(b, "Policy: %s   Image: %s (%.12s)\n", bn, tag, r->image_id ? r->image_id : "?");
	free(tag);
	free(bn);
	if (r->mapping_id) {
		char *m = sw_report_clean(r->mapping_name ? r->mapping_name : r->mapping_id, 0);
		sw_buf_addf(b, "Mapping: %s\n", m);
		free(m);
	}
	if (explain) {
		sw_buf_addstr(b, "\nRULE                 GATE.TRIGGER                              ACTION  FIRED  LOOKED AT / PARAMS\n");
		for (size_t i = 0; i < r->rules.len; i++) {
			const struct sw_policy_rule_outcome *o = r->rules.items[i];
			char gt[200];
			snprintf(gt, sizeof(gt), "%s.%s", o->gate, o->trigger);
			cell(b, o->rule_id, 1000 + 19, false);
			cell(b, gt, 40, false);
			cell(b, sw_policy_action_name(o->action), 6, false);
			char f[64];
			snprintf(f, sizeof(f), "%zu%s", o->fired, o->not_evaluated ? "!" : "");
			cell(b, f, 5, false);
			cell(b, o->looked_at, 0, true);
			sw_buf_addstr(b, "\n");
			if (o->params && *o->params) {
				sw_buf_addstr(b, "                                                                               params: ");
				cell(b, o->params, 0, true);
				sw_buf_addstr(b, "\n");
			}
			if (o->allowlisted) {
				sw_buf_addf(b, "                                                                               %zu of them allowlisted\n",
					    o->allowlisted);
			}
		}
		sw_buf_addstr(b, "(FIRED ends in '!' when the rule could not be evaluated: its data was not there)\n");
	}
	if (r->hits.len) {
		sw_buf_addstr(b, "\nGATE             TRIGGER                    TRIGGER ID                          ACTION  ALLOWLISTED BY  MESSAGE\n");
		for (size_t i = 0; i < r->hits.len; i++) {
			const struct sw_policy_hit *h = r->hits.items[i];
			cell(b, h->gate, 15, false);
			cell(b, h->trigger, 25, false);
			cell(b, h->trigger_id, 1000 + 34, false);
			cell(b, sw_policy_action_name(h->action), 6, false);
			cell(b, h->allowlisted_by ? h->allowlisted_by : "-", 14, false);
			cell(b, h->message, 0, true);
			sw_buf_addstr(b, "\n");
		}
	} else {
		sw_buf_addstr(b, "\nNo trigger fired.\n");
	}
	for (size_t i = 0; i < r->expired.len; i++) {
		char *e = sw_report_clean(r->expired.items[i], 0);
		sw_buf_addf(b, "Expired: %s\n", e);
		free(e);
	}
	if (r->denied_image_rule) {
		char *d = sw_report_clean(r->denied_image_rule, 0);
		sw_buf_addf(b, "The image is on the denylisted images list (%s).\n", d);
		free(d);
	} else if (r->allowed_image_rule) {
		char *a = sw_report_clean(r->allowed_image_rule, 0);
		sw_buf_addf(b, "The image is on the allowlisted images list (%s).\n", a);
		free(a);
	} else if (!r->mapping_id) {
		sw_buf_addstr(b, "No mapping of the bundle matches this image: no rule was evaluated.\n");
	}
	sw_buf_addf(b, "Final action: %s (%s)\n", sw_policy_action_name(r->final_action),
		    r->final_reason ? r->final_reason : "");
}

int sw_report_policy(FILE *out, enum sw_report_policy_format f, const struct sw_policy_result *r,
		     long long now, struct sw_err *err)
{
	if (f == SW_POLICY_FMT_JSON) {
		json_t *doc = sw_report_policy_anchore_json(r, now);
		int rc = sw_report_dump(out, doc, err);
		json_decref(doc);
		return rc;
	}
	struct sw_buf b = SW_BUF_INIT;
	sw_report_policy_table_text(&b, r, f == SW_POLICY_FMT_EXPLAIN);
	int rc = 0;
	if (!sw_buf_ok(&b))
		rc = sw_err_set(err, SW_E_NOMEM, "cannot build the policy table");
	else if (fwrite(b.data, 1, b.len, out) != b.len || fflush(out) != 0)
		rc = sw_err_errno(err, "writing the policy result");
	sw_buf_release(&b);
	return rc;
}

/* ---- SARIF, JUnit, HTML sections (scan reports with ctx->opts->policy) ---- */

static json_t *text_json(const char *s)
{
	json_t *o = json_object();
	json_object_set_new(o, "text", json_string(s ? s : ""));
	return o;
}

static const char *sarif_level_for(enum sw_policy_action a)
{
	return a == SW_POLICY_STOP ? "error" : a == SW_POLICY_WARN ? "warning" : "note";
}

void sw_report_sarif_policy(const struct sw_report_ctx *ctx, json_t *rules, json_t *results)
{
	const struct sw_policy_result *pr = ctx->opts->policy;
	if (!pr)
		return;
	for (size_t i = 0; i < pr->rules.len; i++) {
		const struct sw_policy_rule_outcome *o = pr->rules.items[i];
		size_t ri = json_array_size(rules);
		char *rid = sw_xasprintf("policy/%s/%s", o->policy_id, o->rule_id);
		json_t *rule = json_object();
		json_object_set_new(rule, "id", json_string(rid));
		char *name = sw_xasprintf("%s.%s", o->gate, o->trigger);
		json_object_set_new(rule, "name", json_string(name));
		char *desc = sw_xasprintf("policy rule %s: %s.%s (%s)%s%s", o->rule_id, o->gate, o->trigger,
					  sw_policy_action_name(o->action), o->params && *o->params ? " " : "",
					  o->params ? o->params : "");
		json_object_set_new(rule, "shortDescription", text_json(desc));
		json_t *dc = json_object();
		json_object_set_new(dc, "level", json_string(sarif_level_for(o->action)));
		json_object_set_new(rule, "defaultConfiguration", dc);
		json_t *rp = json_object(), *tags = json_array();
		json_array_append_new(tags, json_string("policy"));
		json_object_set_new(rp, "tags", tags);
		json_object_set_new(rule, "properties", rp);
		json_array_append_new(rules, rule);
		for (size_t h = 0; h < pr->hits.len; h++) {
			const struct sw_policy_hit *hit = pr->hits.items[h];
			if (strcmp(hit->rule_id, o->rule_id) || strcmp(hit->policy_id, o->policy_id))
				continue;
			json_t *r = json_object();
			json_object_set_new(r, "ruleId", json_string(rid));
			json_object_set_new(r, "ruleIndex", json_integer((json_int_t)ri));
			json_object_set_new(r, "level", json_string(sarif_level_for(hit->action)));
			char *m = sw_xasprintf("%s %s.%s %s: %s", sw_policy_action_name(hit->action), hit->gate,
					       hit->trigger, hit->trigger_id, hit->message);
			json_object_set_new(r, "message", text_json(m));
			free(m);
			char uuid[37];
			char *seed = sw_xasprintf("policy\n%s\n%s\n%s", rid, hit->trigger_id, sw_report_image_name(ctx->inv));
			sw_report_uuid(seed, uuid);
			free(seed);
			json_t *fp = json_object();
			json_object_set_new(fp, "stowaway/v1", json_string(uuid));
			json_object_set_new(r, "partialFingerprints", fp);
			if (hit->allowlisted_by) {
				json_t *s = json_object();
				json_object_set_new(s, "kind", json_string("external"));
				json_object_set_new(s, "status", json_string("accepted"));
				char *j = sw_xasprintf("allowlisted by %s (allowlist %s)", hit->allowlisted_by,
						       hit->allowlist_id ? hit->allowlist_id : "?");
				json_object_set_new(s, "justification", json_string(j));
				free(j);
				json_t *sa = json_array();
				json_array_append_new(sa, s);
				json_object_set_new(r, "suppressions", sa);
			}
			json_t *props = json_object();
			json_object_set_new(props, "gate", json_string(hit->gate));
			json_object_set_new(props, "trigger", json_string(hit->trigger));
			json_object_set_new(props, "triggerId", json_string(hit->trigger_id));
			json_object_set_new(props, "action", json_string(sw_policy_action_name(hit->action)));
			json_object_set_new(props, "notEvaluated", json_boolean(hit->not_evaluated));
			json_object_set_new(r, "properties", props);
			json_array_append_new(results, r);
		}
		free(rid);
		free(name);
		free(desc);
	}
}

void sw_report_junit_policy(struct sw_buf *b, const struct sw_report_ctx *ctx, const char *ts, size_t *tests,
			    size_t *failures)
{
	const struct sw_policy_result *pr = ctx->opts->policy;
	if (!pr)
		return;
	size_t fails = 0, skipped = 0;
	bool *failed = sw_xcalloc(pr->rules.len + 1, sizeof(bool));
	size_t h = 0;
	for (size_t i = 0; i < pr->rules.len; i++) {
		const struct sw_policy_rule_outcome *o = pr->rules.items[i];
		for (size_t k = 0; k < o->fired && h < pr->hits.len; k++, h++) {
			const struct sw_policy_hit *hit = pr->hits.items[h];
			if (!hit->allowlisted_by && hit->action == SW_POLICY_STOP)
				failed[i] = true;
		}
		fails += failed[i];
		skipped += !failed[i] && o->not_evaluated;
	}
	sw_buf_addf(b, "  <testsuite name=\"policy\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" "
		       "time=\"0\" timestamp=\"%s\">\n    <properties>\n",
		    pr->rules.len, fails, skipped, ts);
	static const char *const props[] = { "bundle", "mapping", "final_action", "final_action_reason" };
	const char *vals[] = { pr->bundle_name ? pr->bundle_name : pr->bundle_id, pr->mapping_id,
			       sw_policy_action_name(pr->final_action), pr->final_reason };
	for (size_t i = 0; i < 4; i++) {
		sw_buf_addf(b, "      <property name=\"%s\" value=\"", props[i]);
		sw_report_xml_escape(b, vals[i] ? vals[i] : "");
		sw_buf_addstr(b, "\"/>\n");
	}
	sw_buf_addstr(b, "    </properties>\n");
	h = 0;
	for (size_t i = 0; i < pr->rules.len; i++) {
		const struct sw_policy_rule_outcome *o = pr->rules.items[i];
		sw_buf_addstr(b, "    <testcase classname=\"policy.");
		sw_report_xml_escape(b, o->policy_id);
		sw_buf_addstr(b, "\" name=\"");
		sw_report_xml_escape(b, o->rule_id);
		sw_buf_addf(b, " %s.%s (%s)\" time=\"0\">\n", o->gate, o->trigger, sw_policy_action_name(o->action));
		struct sw_buf lines = SW_BUF_INIT;
		for (size_t k = 0; k < o->fired && h < pr->hits.len; k++, h++) {
			const struct sw_policy_hit *hit = pr->hits.items[h];
			sw_buf_addf(&lines, "%s %s: %s%s%s\n", sw_policy_action_name(hit->action), hit->trigger_id,
				    hit->message, hit->allowlisted_by ? " [allowlisted by " : "",
				    hit->allowlisted_by ? hit->allowlisted_by : "");
			if (hit->allowlisted_by)
				sw_buf_addstr(&lines, "]");
		}
		if (failed[i]) {
			sw_buf_addf(b, "      <failure type=\"stop\" message=\"%zu trigger(s) fired\">", o->fired);
			sw_report_xml_escape(b, lines.data);
			sw_buf_addstr(b, "</failure>\n");
		} else if (o->not_evaluated) {
			sw_buf_addstr(b, "      <skipped message=\"");
			sw_report_xml_escape(b, o->looked_at);
			sw_buf_addstr(b, "\"/>\n");
		} else if (lines.len) {
			sw_buf_addstr(b, "      <system-out>");
			sw_report_xml_escape(b, lines.data);
			sw_buf_addstr(b, "</system-out>\n");
		}
		sw_buf_release(&lines);
		sw_buf_addstr(b, "    </testcase>\n");
	}
	sw_buf_addstr(b, "  </testsuite>\n");
	free(failed);
	*tests += pr->rules.len;
	*failures += fails;
}

void sw_report_html_policy(struct sw_buf *b, const struct sw_report_ctx *ctx)
{
	const struct sw_policy_result *pr = ctx->opts->policy;
	if (!pr)
		return;
	sw_buf_addstr(b, "<h2>Policy</h2>\n<p id=\"policy\">Bundle ");
	sw_report_xml_escape(b, pr->bundle_name ? pr->bundle_name : pr->bundle_id);
	sw_buf_addstr(b, ", mapping ");
	sw_report_xml_escape(b, pr->mapping_id ? pr->mapping_id : "(none)");
	sw_buf_addf(b, ": final action <b>%s</b> (", sw_policy_action_name(pr->final_action));
	sw_report_xml_escape(b, pr->final_reason);
	sw_buf_addstr(b, ")</p>\n");
	for (size_t i = 0; i < pr->expired.len; i++) {
		sw_buf_addstr(b, "<p class=\"note\">");
		sw_report_xml_escape(b, pr->expired.items[i]);
		sw_buf_addstr(b, "</p>\n");
	}
	if (!pr->hits.len)
		return;
	sw_buf_addstr(b, "<table class=\"policy\">\n<tr><th>Gate</th><th>Trigger</th><th>Trigger id</th><th>Action</th>"
			 "<th>Message</th><th>Allowlisted by</th></tr>\n");
	for (size_t i = 0; i < pr->hits.len; i++) {
		const struct sw_policy_hit *h = pr->hits.items[i];
		const char *cells[] = { h->gate, h->trigger, h->trigger_id, sw_policy_action_name(h->action), h->message,
					h->allowlisted_by ? h->allowlisted_by : "" };
		sw_buf_addstr(b, "<tr>");
		for (size_t k = 0; k < 6; k++) {
			sw_buf_addstr(b, "<td>");
			sw_report_xml_escape(b, cells[k]);
			sw_buf_addstr(b, "</td>");
		}
		sw_buf_addstr(b, "</tr>\n");
	}
	sw_buf_addstr(b, "</table>\n");
}
