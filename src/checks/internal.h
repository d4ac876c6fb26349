/*
 * internal.h - what checks.c shares with the file checks (files.c); not
 * for other folders.
 */
#ifndef SW_CHECKS_INTERNAL_H
#define SW_CHECKS_INTERNAL_H

#include "checks/checks.h"

/* The result with this id in l, or NULL. */
struct sw_check_result *sw_check_find(struct sw_check_list *l, const char *id);
/* Evidence; every string is masked (util/secretmask.h). */
void sw_check_add_evidence(struct sw_check_result *r, int layer, int hist, const char *created_by,
			   const char *key, const char *path, const char *detail);
/* Status fail; severity raised to sev (never lowered). */
void sw_check_fail(struct sw_check_result *r, enum sw_severity_level sev);
/* Status s with note (NULL clears the note). */
void sw_check_set(struct sw_check_result *r, enum sw_check_status s, const char *note);
void sw_check_list_note(struct sw_check_list *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
