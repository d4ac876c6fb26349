#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cmd/cmd.h"
#include "inventory/inventory.h"
#include "util/buf.h"
#include "util/mem.h"
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

int sw_cmd_finish_stdout(int rc)
{
	errno = 0;
	int bad = fflush(stdout) != 0;
	int e = errno;
	/* a write that failed earlier (its bytes are gone) leaves the error flag */
	if (!bad && !ferror(stdout))
		return rc;
	/* a command that failed has said why (often this very write): one line */
	if (rc == SW_EXIT_ERROR)
		return rc;
	if (bad && e)
		sw_cmd_msg("error writing standard output: %s", strerror(e));
	else
		sw_cmd_msg("error writing standard output");
	return SW_EXIT_ERROR;
}

void sw_cmd_json_init(void)
{
	json_set_alloc_funcs(sw_xmalloc, free);
}

json_t *sw_cmd_jstr(const char *s)
{
	if (!s)
		return json_null();
	json_t *j = json_string(s);
	if (j)
		return j;
	struct sw_buf b = SW_BUF_INIT;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p >= 0x80)
			sw_buf_addf(&b, "\\x%02x", *p);
		else
			sw_buf_addf(&b, "%c", *p);
	}
	j = json_string(b.data); /* ASCII now: only allocation could fail, and that exits */
	sw_buf_release(&b);
	return j ? j : json_null();
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
