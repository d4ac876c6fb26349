/*
 * rules.h - the built-in secret rules and the default allow list
 * (docs/secrets.md lists them with the vendor's published format each rule
 * follows).
 *
 * A rule is found in two steps (secrets.c): a keyword prefilter (any of
 * `keywords`, ASCII case-insensitive) gives a candidate position k, then
 * the rule's PCRE2 `regex` is tried on the bounded region
 * [k - before, k + len(keyword) + after] of the file; a match must contain
 * the keyword occurrence (with before == 0 it starts at it).  The named
 * group (?<secret>...) is the secret (the whole match when absent): it is
 * what allow rules, the entropy guard and the mask look at.
 */
#ifndef SW_SECRETS_RULES_H
#define SW_SECRETS_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "model/severity.h"

struct sw_secret_rule_def {
	const char *id;
	const char *category;
	const char *title;
	enum sw_severity_level severity;
	const char *keywords;    /* '|'-separated literals, matched case-insensitively */
	const char *regex;       /* PCRE2 */
	const char *path;        /* PCRE2 on the image path (no leading '/'), or NULL: any file */
	double entropy;          /* minimum Shannon entropy (bits/byte) of the secret; 0: none */
	unsigned before, after;  /* confirmation region around the keyword */
	unsigned keep;           /* leading characters of the secret shown (a public prefix) */
	int priority;            /* overlapping findings: the lower priority wins */
	bool generic;            /* NAME=VALUE assignment: placeholder, class and entropy guards */
};

struct sw_secret_allow_def {
	const char *id;
	const char *description;
	const char *rule;        /* only this rule id, or NULL: every rule */
	const char *regex;       /* PCRE2 on the secret, or NULL */
	const char *path;        /* PCRE2 on the path, or NULL */
};

extern const struct sw_secret_rule_def sw_secret_builtin_rules[];
extern const size_t sw_secret_builtin_nrules;
extern const struct sw_secret_allow_def sw_secret_builtin_allows[];
extern const size_t sw_secret_builtin_nallows;

/* Limits on a rule's region (config rules are checked against them). */
#define SW_SECRET_MAX_BEFORE 1024u
#define SW_SECRET_MAX_AFTER 8192u
#define SW_SECRET_MAX_KEYWORD 64u

#endif
