#include <stdarg.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "inventory/inventory.h"
#include "util/buf.h"
#include "util/termsafe.h"

static bool quiet;

/* Everything printed on stderr goes through here: the text (messages built
 * deep inside name tar members, digests, registry replies, advisories) is
 * made terminal-safe, one line. */
SW_PRINTF(2, 0)
static void print_line(const char *prefix, const char *fmt, va_list ap)
{
	fputs(prefix, stderr);
	sw_term_vprintf(stderr, 0, fmt, ap);
	fputc('\n', stderr);
}

SW_PRINTF(2, 3)
static void print_linef(const char *prefix, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	print_line(prefix, fmt, ap);
	va_end(ap);
}

int sw_cmd_fail(const struct sw_err *err)
{
	print_linef("stowaway: ", "%s", err->msg[0] ? err->msg : sw_err_name(err->code));
	return SW_EXIT_ERROR;
}

int sw_cmd_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fputs("stowaway: ", stderr);
	sw_term_printf(stderr, 0, "%s: ", cmd);
	va_start(ap, fmt);
	sw_term_vprintf(stderr, 0, fmt, ap);
	va_end(ap);
	fputs("\nTry 'stowaway ", stderr);
	sw_term_printf(stderr, 0, "%s", cmd);
	fputs(" --help'.\n", stderr);
	return SW_EXIT_USAGE;
}

void sw_cmd_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	print_line("stowaway: warning: ", fmt, ap);
	va_end(ap);
}

void sw_cmd_note(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	print_line("stowaway: note: ", fmt, ap);
	va_end(ap);
}

void sw_cmd_msg(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	print_line("stowaway: ", fmt, ap);
	va_end(ap);
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

char *sw_cmd_read_password_stdin(void)
{
	struct sw_buf b = SW_BUF_INIT;
	sw_buf_init(&b, 4096);
	int ch;
	while ((ch = getchar()) != EOF && ch != '\n')
		sw_buf_addch(&b, (char)ch);
	if (b.len && b.data[b.len - 1] == '\r')
		b.data[--b.len] = '\0';
	return sw_buf_detach(&b, NULL);
}

bool sw_cmd_layer_progress(void *ctx, size_t done, size_t nlayers)
{
	(void)ctx;
	if (done < nlayers)
		fprintf(stderr, "\rlayers read: %zu/%zu", done, nlayers);
	else
		fprintf(stderr, "\r%-40s\r", "");
	return true;
}

static double ms_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

void sw_cmd_phase(const char *name)
{
	static int on = -1;
	static bool started;
	static struct timespec first, last, last_cpu;
	static long last_faults;
	if (on < 0) {
		const char *e = getenv("STOWAWAY_DEBUG_TIMES");
		on = e && *e && strcmp(e, "0") != 0;
	}
	if (!on)
		return;
	struct timespec now, cpu;
	struct rusage ru;
	clock_gettime(CLOCK_MONOTONIC, &now);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
	getrusage(RUSAGE_SELF, &ru);
	if (started)
		fprintf(stderr,
			"time: %-10s %8.1f ms wall %8.1f ms cpu %6ld faults  (total %.1f ms wall, %.1f ms cpu, %ld faults)\n",
			name, ms_between(&last, &now), ms_between(&last_cpu, &cpu), ru.ru_minflt - last_faults,
			ms_between(&first, &now), (double)cpu.tv_sec * 1e3 + (double)cpu.tv_nsec / 1e6, ru.ru_minflt);
	else
		first = now;
	started = true;
	last = now;
	last_cpu = cpu;
	last_faults = ru.ru_minflt;
}

void sw_cmd_debug_cache(const struct sw_inventory *inv)
{
	static const char *const what[] = {
		[SW_INV_CACHE_OFF] = "off",
		[SW_INV_CACHE_MISS] = "miss",
		[SW_INV_CACHE_BAD] = "bad entry, rebuilt",
		[SW_INV_CACHE_HIT] = "hit",
	};
	if (!getenv("STOWAWAY_DEBUG_CACHE"))
		return;
	fprintf(stderr, "image cache: %s\n", what[inv->image_cache]);
	fprintf(stderr, "layer cache: %u cached, %u read\n", inv->layers_cached, inv->layers_read);
}
