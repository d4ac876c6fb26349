/*
 * policy.h - Anchore-compatible policy bundles: read one, evaluate it
 * against what a scan found, get a pass/fail answer with its reasons.
 *
 *   struct sw_policy_bundle *b = NULL;
 *   if (sw_policy_bundle_load_file("bundle.json", &b, err) < 0) ... exit 2
 *   struct sw_policy_input in = { .inv = inv, .match = m, ... .now = time(NULL) };
 *   struct sw_policy_result *r = NULL;
 *   sw_policy_eval(b, &in, &r, err);
 *   ... r->final_action, r->hits
 *   sw_policy_result_free(r); sw_policy_bundle_free(b);
 *
 * Bundles are read in both namings: Anchore Engine v1 (`policies`,
 * `whitelists`, `whitelist_ids`, `policy_id`, `whitelisted_images`,
 * `blacklisted_images`) and v2 (`rule_sets`, `allowlists`,
 * `allowlist_ids`, `rule_set_ids`, `allowlisted_images`,
 * `denylisted_images`), JSON or YAML.  Reading is strict: an unknown
 * member, gate, trigger or param, a bad value, a duplicate id, a mapping
 * naming a missing rule set or allowlist, a date or a regex that does not
 * parse is an error (SW_E_FORMAT) naming the rule id and the param.
 *
 * Evaluation is plain data in, plain data out: nothing is read from disk
 * and nothing printed.  A trigger whose data the input does not have (no
 * image config, the vulnerability scanner did not run, no secret scanner
 * built yet...) fires once with the rule's action and a message saying
 * what could not be evaluated (hit->not_evaluated): never a silent pass.
 * docs/policy.md lists every gate, trigger and param.
 *
 * Ownership: a bundle owns everything in it; a result owns its strings and
 * borrows nothing from the bundle or the input.
 */
#ifndef SW_POLICY_POLICY_H
#define SW_POLICY_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checks/checks.h"
#include "inventory/inventory.h"
#include "match/match.h"
#include "util/err.h"
#include "util/vec.h"

enum sw_policy_action {
	SW_POLICY_GO = 0,
	SW_POLICY_WARN,
	SW_POLICY_STOP,
};
/* "go", "warn", "stop" (Anchore's evaluation JSON spelling) */
const char *sw_policy_action_name(enum sw_policy_action a);

struct sw_policy_bundle;

/* Read a bundle from memory (JSON when the first non-blank byte is '{',
 * else YAML); `name` is used in messages. */
int sw_policy_bundle_load(const char *name, const char *data, size_t len,
			  struct sw_policy_bundle **out, struct sw_err *err);
/* Read a bundle file (at most 16 MiB).  Errors start with the path. */
int sw_policy_bundle_load_file(const char *path, struct sw_policy_bundle **out, struct sw_err *err);
/* As given on a command line: "default" is the built-in bundle
 * (sw_policy_default_bundle(); a file of that name is ./default), anything
 * else a file. */
int sw_policy_bundle_load_arg(const char *arg, struct sw_policy_bundle **out, struct sw_err *err);
void sw_policy_bundle_free(struct sw_policy_bundle *b);

/* The bundle of ours shipped in the binary (`policy show-default`): JSON
 * text, static. */
const char *sw_policy_default_bundle(void);

/* Counts, for `policy validate`. */
struct sw_policy_bundle_stats {
	const char *id, *name;      /* borrowed from the bundle */
	size_t rule_sets, rules, allowlists, allowlist_items, mappings, allowed_images, denied_images;
};
void sw_policy_bundle_stats(const struct sw_policy_bundle *b, struct sw_policy_bundle_stats *out);

/* What the evaluation looks at: every pointer borrowed for the call, any
 * may be NULL (the gates needing it then say so). */
struct sw_policy_input {
	const struct sw_inventory *inv;     /* packages, OS, layers, repo tags */
	const struct sw_match_result *match;/* findings (suppressed ones are skipped) */
	bool vuln_ran;                      /* the vulnerability scanner ran */
	const char *vuln_why_not;           /* why not, or NULL */
	int64_t db_built_at;                /* vulnerability database build time, 0 unknown */
	const struct sw_check_list *checks; /* the image checks */
	bool checks_ran;
	const char *config_json;            /* the image config (verified bytes), or NULL */
	size_t config_len;
	const char *image_id;               /* Image_Id in results (config digest); NULL: from inv */
	const char *repo_tag;               /* the tag mappings are matched against; NULL: from inv */
	long long now;                      /* unix time: allowlist expiry, ages */
	/* the content scanners ran (their findings: inv->file_findings) */
	bool secret_ran;
	bool malware_ran;
};

struct sw_policy_hit {
	/* gate, trigger, rule_id, policy_id: shared by the hits of one rule,
	 * owned by the result (its `strings`) */
	const char *gate, *trigger; /* the gate; the trigger as the rule names it */
	char *trigger_id;           /* Anchore's form: "CVE-2023-1234+openssl" for vulnerabilities */
	enum sw_policy_action action;
	char *message;
	const char *rule_id, *policy_id; /* the rule and its rule set */
	char *allowlisted_by;       /* allowlist item id, or NULL */
	char *allowlist_id, *allowlist_name; /* the allowlist holding that item */
	bool not_evaluated;         /* the data this trigger needs was not there */
};

/* What one rule did, for `policy explain` and JUnit. */
struct sw_policy_rule_outcome {
	char *rule_id, *policy_id, *gate, *trigger;
	enum sw_policy_action action;
	char *params;               /* "name=value, ..." */
	char *looked_at;            /* what the rule looked at: "412 findings", "config.User" */
	size_t fired, allowlisted;
	bool not_evaluated;
};

struct sw_policy_result {
	char *bundle_id, *bundle_name;
	char *image_id, *repo_tag;  /* as matched */
	char *mapping_id, *mapping_name; /* the matched mapping, or NULL */
	char *mapping_json;         /* the matched mapping as the bundle wrote it (JSON), or NULL */
	char *allowed_image_rule;   /* id of the allowlisted-images entry that matched, or NULL */
	char *denied_image_rule;    /* id of the denylisted-images entry that matched, or NULL */
	struct sw_vec hits;         /* struct sw_policy_hit*, in rule order */
	struct sw_vec rules;        /* struct sw_policy_rule_outcome*, in rule order */
	struct sw_vec expired;      /* char*: allowlist items past expires_on (not applied) */
	enum sw_policy_action policy_action; /* worst non-allowlisted hit (GO when none) */
	enum sw_policy_action final_action;
	char *final_reason;         /* "policy_evaluation", "denylisted", "allowlisted", "no_mapping" */
	long long evaluated_at;
	struct sw_vec strings;      /* char*: what the hits share (see sw_policy_hit) */
};

/* Evaluate b against in.  Errors only for internal failures (a regex
 * running out of its match limit is a hit saying so, not an error). */
int sw_policy_eval(const struct sw_policy_bundle *b, const struct sw_policy_input *in,
		   struct sw_policy_result **out, struct sw_err *err);
void sw_policy_result_free(struct sw_policy_result *r);

/* A stored scan report (`stowaway scan -f json`, docs/json-schema.md) read
 * back for `policy eval --report`: the packages, findings (suppressed ones
 * marked), image checks, scanner states, the image config digest it kept
 * ("imageConfig") and the database build time ("database.builtAt"). */
struct sw_policy_report;
int sw_policy_report_load(const char *path, struct sw_policy_report **out, struct sw_err *err);
int sw_policy_report_parse(const char *name, const char *data, size_t len,
			   struct sw_policy_report **out, struct sw_err *err);
/* The input for sw_policy_eval (pointers into r; repo_tag and now unset). */
void sw_policy_report_input(const struct sw_policy_report *r, struct sw_policy_input *in);
/* What the report lacks (char*), for the front end to show. */
const struct sw_vec *sw_policy_report_notes(const struct sw_policy_report *r);
void sw_policy_report_free(struct sw_policy_report *r);

/* Parse "2024-03-01" (midnight UTC) or RFC 3339 "2024-03-01T10:00:00Z" /
 * "...+02:00" into unix time; -1 when it is neither. */
int sw_policy_parse_time(const char *s, long long *out);

/* Split "REGISTRY/REPO:TAG" the way mappings see it (docker.io and
 * library/ added for short names); each malloc'd. */
void sw_policy_split_tag(const char *ref, char **registry, char **repo, char **tag);

#endif
