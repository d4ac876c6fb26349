/*
 * internal.h - the bundle as read (bundle.c), the gate table (gates.c) and
 * what the evaluator hands a trigger (eval.c).  Only src/policy/ and its
 * unit tests include this.
 */
#ifndef SW_POLICY_INTERNAL_H
#define SW_POLICY_INTERNAL_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "policy/policy.h"
#include "util/buf.h"
#include "util/json.h"

#define SW_POLICY_MAX_PARAMS 24
/* A regex may take at most this many backtracking steps per subject
 * (pcre2_set_match_limit) and this much depth (pcre2_set_depth_limit):
 * a catastrophic pattern fails its match instead of running for ever. */
#define SW_POLICY_RE_MATCH_LIMIT 100000u
#define SW_POLICY_RE_DEPTH_LIMIT 5000u

enum sw_pkind {
	PK_STR,      /* any string */
	PK_ENUM,     /* one of spec->values (case-insensitive) */
	PK_INT,      /* integer >= 0 */
	PK_FLOAT,    /* real number >= 0 */
	PK_BOOL,     /* true / false */
	PK_LIST,     /* comma-separated strings */
	PK_NUMLIST,  /* comma-separated integers */
	PK_REGEX,    /* a PCRE2 pattern */
	PK_CMP,      /* =, !=, <, >, <=, >= */
};

struct sw_pspec {
	const char *name;
	enum sw_pkind kind;
	const char *const *values; /* PK_ENUM: NULL-terminated */
	bool required;
};

struct sw_pval {
	bool set;
	char *raw;               /* as written */
	long long i;             /* PK_INT */
	double d;                /* PK_FLOAT */
	bool b;                  /* PK_BOOL */
	int e;                   /* PK_ENUM: index in values; PK_CMP: enum sw_cmp */
	struct sw_vec list;      /* PK_LIST / PK_NUMLIST: char* (trimmed) */
	pcre2_code *re;          /* PK_REGEX */
};

enum sw_cmp { CMP_EQ, CMP_NE, CMP_LT, CMP_GT, CMP_LE, CMP_GE };

struct sw_policy_rule;
struct sw_eval_ctx;
struct sw_fcache;
struct id_ref;
typedef void (*sw_trigger_fn)(struct sw_eval_ctx *cx, const struct sw_policy_rule *r);

struct sw_tspec {
	const char *name;
	const char *alias;       /* the other naming (v1 blacklist_* / v2 denylist_*), or NULL */
	const struct sw_pspec *params; /* NULL-name terminated */
	sw_trigger_fn fn;
	/* checks across params after each one parsed (a value a check needs,
	 * a regex in a string param); sets *param and why */
	int (*check)(const struct sw_policy_rule *r, char *why, size_t n, const char **param);
};

struct sw_gspec {
	const char *name;
	const struct sw_tspec *triggers; /* NULL-name terminated */
};

extern const struct sw_gspec sw_policy_gates[]; /* NULL-name terminated */

struct sw_policy_rule {
	char *id, *gate, *trigger, *recommendation;
	enum sw_policy_action action;
	const struct sw_gspec *g;
	const struct sw_tspec *t;
	struct sw_pval p[SW_POLICY_MAX_PARAMS]; /* indexed like t->params */
	char *params_text;       /* "name=value, ..." */
};

struct sw_policy_set {
	char *id, *name;
	struct sw_vec rules;     /* struct sw_policy_rule* */
};

struct sw_allow_item {
	char *id, *gate, *trigger_id;
	long long expires_on;    /* unix time; 0 = never */
	char *expires_text;
};

struct sw_allowlist {
	char *id, *name;
	struct sw_vec items;     /* struct sw_allow_item* */
};

struct sw_image_sel {        /* a mapping or an allowed/denied image entry */
	char *id, *name;
	char *registry, *repository; /* globs ('*' only) */
	char *image_type;        /* "tag", "id", "digest" */
	char *image_value;       /* glob */
	struct sw_vec policy_ids, allowlist_ids; /* char* (mappings only) */
	char *json;              /* as written, for matched_mapping_rule */
};

struct sw_policy_bundle {
	char *id, *name, *version;
	struct sw_vec sets;      /* struct sw_policy_set* */
	struct sw_vec allowlists;/* struct sw_allowlist* */
	struct sw_vec mappings;  /* struct sw_image_sel* */
	struct sw_vec allowed, denied; /* struct sw_image_sel* */
};

/* What a trigger sees. */
struct sw_eval_ctx {
	const struct sw_policy_input *in;
	const struct sw_json *config;     /* parsed config root, or NULL */
	const char *config_why_not;       /* why config is NULL */
	pcre2_match_data *md;
	pcre2_match_context *mc;          /* with the match limits */
	struct sw_vec *hits;              /* where fire() appends */
	const char *policy_id;
	const char *istr[4];              /* the rule's gate, trigger, id, rule set id, owned by the result */
	bool *pkg_os;                     /* per inventory package: an OS package (deb, apk, rpm) */
	struct sw_fcache *fcache;         /* per finding, made on first use (gates.c) */
	struct id_ref *ids;               /* every finding id and alias, sorted (gates.c) */
	size_t nids;
	size_t fired;
	char looked_at[256];
	bool not_evaluated;
};

/* Append a hit for rule r (trigger_id NULL: Anchore's md5 of gate, trigger
 * and message).  msg is printf-like. */
void sw_policy_fire(struct sw_eval_ctx *cx, const struct sw_policy_rule *r, const char *trigger_id,
		    const char *fmt, ...) SW_PRINTF(4, 5);
/* The same with the message already made (the recommendation is added). */
void sw_policy_fire_text(struct sw_eval_ctx *cx, const struct sw_policy_rule *r, const char *trigger_id,
			 const char *msg);
/* The rule's data is not there: one hit saying why. */
void sw_policy_not_evaluated(struct sw_eval_ctx *cx, const struct sw_policy_rule *r, const char *why);
/* Does re match s?  1 yes, 0 no, -1 the match limit was hit. */
int sw_policy_re_match(struct sw_eval_ctx *cx, const pcre2_code *re, const char *s);
/* Compile a pattern with the match limits; NULL and *why set on failure. */
pcre2_code *sw_policy_re_compile(const char *pattern, char *why, size_t whylen);
/* Anchore's '*'-only glob (everything else literal). */
bool sw_policy_glob(const char *pattern, const char *s);
/* Comparison */
bool sw_policy_cmp_num(enum sw_cmp c, double a, double b);
/* v as compact JSON text appended to b */
void sw_policy_json_dump(struct sw_buf *b, const struct sw_json *v);
/* Index of the param named `name` in t, or -1. */
int sw_policy_param_index(const struct sw_tspec *t, const char *name);
/* The rule's param `name` (NULL when not given). */
const struct sw_pval *sw_policy_param(const struct sw_policy_rule *r, const char *name);

/* yaml.c: the first YAML document as JSON text (scalars: null/~ null,
 * true/false booleans, numbers as numbers, the rest strings; aliases and
 * deep nesting refused). */
int sw_policy_yaml_to_json(const char *name, const char *data, size_t len, char **json,
			   size_t *json_len, struct sw_err *err);

#endif
