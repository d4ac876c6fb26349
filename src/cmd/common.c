#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"

static bool quiet;

int sw_cmd_fail(const struct sw_err *err)
{
	fprintf(stderr, "stowaway: %s\n", err->msg[0] ? err->msg : sw_err_name(err->code));
	return SW_EXIT_ERROR;
}

int sw_cmd_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "stowaway: %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'stowaway %s --help'.\n", cmd);
	return SW_EXIT_USAGE;
}

bool sw_cmd_progress_enabled(void)
{
	return !quiet && isatty(STDERR_FILENO) && !getenv("CI");
}

bool sw_cmd_quiet(void)
{
	return quiet;
}

void sw_cmd_set_quiet(bool q)
{
	quiet = q;
}

long long sw_cmd_now(void)
{
	const char *e = getenv("SOURCE_DATE_EPOCH");
	if (e && *e) {
		char *end;
		long long v = strtoll(e, &end, 10);
		if (*end == '\0' && v >= 0)
			return v;
	}
	return (long long)time(NULL);
}
