/*
 * filefinding.h - what a content scanner (secrets, malware) found in one
 * file of one layer.
 *
 * Content scanners run inside the layer pass (inventory/filescan.h) and
 * see every layer, not only the merged file system: a secret added in
 * layer 2 and deleted in layer 5 is still in the image for anyone who
 * pulls it, so it is a finding with `removed_in` = 5.
 *
 * Ownership: a finding owns its strings except `scanner` (static); free it
 * with sw_file_finding_free().  No field ever holds a secret in the clear:
 * `match` is masked by the scanner that made it (util/secretmask.h).
 */
#ifndef SW_MODEL_FILEFINDING_H
#define SW_MODEL_FILEFINDING_H

#include <stdbool.h>
#include <stdint.h>

#include "model/severity.h"

struct sw_file_finding {
	const char *scanner;     /* static: "secret" or "malware" */
	char *rule_id;           /* our rule id ("aws-access-key-id"); malware: the signature name */
	char *category;          /* "AWS", "GitHub", "PrivateKey"...; malware: NULL */
	char *title;             /* one line for people ("AWS access key ID") */
	enum sw_severity_level severity;
	char *path;              /* image path without a leading '/'; a member of an
				  * archive as "outer.jar!inner/path" (malware) */
	int layer;               /* 0-based layer index; -1 until the layer pass sets it,
				  * -1 also for the config (env, labels, history) */
	int removed_in;          /* the layer that deletes or replaces the file, -1 if it
				  * is in the final file system (set by the merge) */
	uint64_t offset;         /* byte offset of the match in the file (0 for malware) */
	unsigned line;           /* 1-based line of the match start; 0 when not known */
	char *match;             /* the matched text, masked; or NULL */
	char *detail;            /* anything else worth saying ("config.Env", the
				  * archive member, "ClamAV limit hit: ..."), or NULL */
	char *suppressed;        /* why the ignore file hides it (scan/), or NULL; never
				  * set by a scanner nor cached */
};

/* A finding with every field empty, layer and removed_in -1. */
struct sw_file_finding *sw_file_finding_new(const char *scanner);
struct sw_file_finding *sw_file_finding_dup(const struct sw_file_finding *f);
void sw_file_finding_free(struct sw_file_finding *f);
void sw_file_finding_free_v(void *f);   /* for sw_vec_free_all */

#endif
