/*
 * internal.h - the secret scanner's rule and allow-rule records, shared by
 * the config parser (config.c) and the scanner (secrets.c).  Not for other
 * stages: they use secrets.h.
 */
#ifndef SW_SECRETS_INTERNAL_H
#define SW_SECRETS_INTERNAL_H

#include <pcre2.h>
#include <stdbool.h>
#include <stdint.h>

#include "model/severity.h"
#include "util/err.h"
#include "util/vec.h"

struct sw_srule {
	char *id, *category, *title;
	enum sw_severity_level severity;
	char *keywords;          /* '|'-separated */
	char *regex, *path;      /* path: NULL = every file */
	double entropy;
	unsigned before, after, keep;
	int priority;
	bool generic;
	unsigned line;           /* line in --secret-config, 0 for a built-in rule */
	/* compiled (secrets.c) */
	pcre2_code *re, *path_re;
	uint32_t secret_group;   /* number of (?<secret>), 0 = the whole match */
};

struct sw_sallow {
	char *id, *description, *rule, *regex, *path;
	unsigned line;
	pcre2_code *re, *path_re;
};

struct sw_sdisable {
	char *id;
	unsigned line;
};

struct sw_secrets_config {
	char *name;              /* the file, for messages */
	struct sw_vec rules;     /* struct sw_srule* */
	struct sw_vec allows;    /* struct sw_sallow* */
	struct sw_vec disable;   /* struct sw_sdisable* */
};

/* Parse a --secret-config document.  `name` is used in messages:
 * "NAME: line N: rule 'ID': what".  On error cfg is released. */
int sw_secrets_config_parse(const char *name, const char *text, size_t len, struct sw_secrets_config *cfg,
			    struct sw_err *err);
void sw_secrets_config_release(struct sw_secrets_config *cfg);

void sw_srule_free(void *r);
void sw_sallow_free(void *a);

#endif
