/* cmd_checks.c - a check list written in every report format (cmd_checks.h). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/cmd_checks.h"
#include "inventory/inventory.h"
#include "match/match.h"
#include "report/report.h"
#include "util/mem.h"
#include "util/outfile.h"

int sw_cmd_checks_write(const struct sw_cmd_checks_out *co, const struct sw_check_list *cl,
			void (*before_table)(FILE *fp, void *ctx), void *ctx)
{
	struct sw_err err = SW_ERR_INIT;
	enum sw_report_format fmt;
	if (sw_report_format_parse(co->format, &fmt) < 0)
		return sw_cmd_usage_error("host-check", "unknown format '%s'", co->format);
	struct sw_inventory *inv = sw_xcalloc(1, sizeof(*inv));
	inv->transport = sw_xstrdup(co->transport);
	inv->reference = sw_xstrdup(co->reference);
	struct sw_match_result *mr = sw_xcalloc(1, sizeof(*mr));
	struct sw_report_scanner sc = { "config", true, true, NULL };
	struct sw_report_opts ro = {
		.color = !co->output && isatty(STDOUT_FILENO) && !getenv("NO_COLOR"),
		.now = sw_cmd_now(),
		.tool_version = SW_VERSION_STRING,
		.checks = cl,
		.scanners = &sc,
		.nscanners = 1,
		.show_passed = co->show_passed,
		.checks_title = co->title,
	};
	int rc = SW_EXIT_OK;
	struct sw_outfile of = { 0 };
	if (sw_outfile_open(&of, co->output, &err) < 0) {
		rc = sw_cmd_fail(&err);
		goto out;
	}
	if (fmt == SW_FMT_TABLE && before_table)
		before_table(of.fp, ctx);
	if (sw_report_scan(of.fp, fmt, inv, mr, &ro, &err) < 0) {
		sw_outfile_abort(&of);
		rc = sw_cmd_fail(&err);
		goto out;
	}
	if (sw_outfile_commit(&of, &err) < 0)
		rc = sw_cmd_fail(&err);
out:
	sw_match_result_free(mr);
	sw_inventory_free(inv);
	return rc;
}
