/*
 * secrets.h - secret scanning (issue 14): rules compiled once, run in the
 * layer pass as a content scanner (inventory/filescan.h) and over the
 * config's strings.
 *
 *   struct sw_secrets *s;
 *   struct sw_secrets_opts o = { .config_path = NULL };
 *   if (sw_secrets_new(&o, &s, err) < 0) ... a bad --secret-config: err names the rule and line
 *   const struct sw_file_scanner *fs = sw_secrets_file_scanner(s);  // borrowed, lives as long as s
 *   ... hand fs to the layer pass (struct sw_inventory_opts)
 *   sw_secrets_scan_text(s, "config.Env", text, len, &findings, err);
 *   sw_secrets_free(s);
 *
 * Every finding's `match` is masked; no function here ever prints.
 *
 * The rules, the allow list, the config format and the engines are
 * described in docs/secrets.md.
 */
#ifndef SW_SECRETS_SECRETS_H
#define SW_SECRETS_SECRETS_H

#include <stddef.h>
#include <stdint.h>

#include "inventory/filescan.h"
#include "util/err.h"
#include "util/vec.h"

struct sw_secrets;

struct sw_secrets_opts {
	const char *config_path;   /* --secret-config FILE (YAML), or NULL */
	uint64_t max_size;         /* --secret-max-size; 0 = no limit (streamed) */
};

int sw_secrets_new(const struct sw_secrets_opts *o, struct sw_secrets **out, struct sw_err *err);
void sw_secrets_free(struct sw_secrets *s);
const struct sw_file_scanner *sw_secrets_file_scanner(struct sw_secrets *s);
/* Scan one string of the config (an Env entry, a label, a history line):
 * findings get path NULL, layer -1 and detail = where ("config.Env"). */
int sw_secrets_scan_text(struct sw_secrets *s, const char *where, const char *text, size_t len,
			 struct sw_vec *out, struct sw_err *err);
/* A malloc'd copy of text with every secret the rules find replaced by its
 * public prefix and SW_SECRET_MASK ("PRIVATE-TOKEN: glpat-****"), or NULL
 * when there is none (or no memory): for the history lines reports print
 * (util/secretmask.h masks NAME=VALUE forms only).  At most the first 100
 * secrets of the text are masked. */
char *sw_secrets_mask_text(struct sw_secrets *s, const char *text, size_t len);
/* As sw_secrets_new, with the --secret-config document given as text
 * (text NULL: no config); `name` is what error messages call it.  For
 * tests and the config fuzzer. */
int sw_secrets_new_text(const struct sw_secrets_opts *o, const char *name, const char *text, size_t len,
			struct sw_secrets **out, struct sw_err *err);
/* The number of enabled rules. */
size_t sw_secrets_rule_count(const struct sw_secrets *s);
/* Which engine this build uses: "hyperscan" or "pcre2". */
const char *sw_secrets_engine(void);

#endif
