/* cmd_checks.h - writing a check list (host-check, containers) in every
 * report format, through report/'s scan writers with an empty inventory. */
#ifndef SW_CMD_CMD_CHECKS_H
#define SW_CMD_CMD_CHECKS_H

#include <stdbool.h>
#include <stdio.h>

#include "checks/checks.h"
#include "util/err.h"

struct sw_cmd_checks_out {
	const char *format, *output;
	bool show_passed;
	const char *transport, *reference; /* the report's "image" (host, ROOT) */
	const char *title;                 /* the table's section heading */
};

/* Write cl; before_table(fp, ctx) is called first for the table format
 * (may be NULL).  Returns an exit code (0, or 2 after printing the error). */
int sw_cmd_checks_write(const struct sw_cmd_checks_out *co, const struct sw_check_list *cl,
			void (*before_table)(FILE *fp, void *ctx), void *ctx);

#endif
