/*
 * cmd_version.c - "stowaway version": compare versions and test ranges in
 * any ecosystem, for people and for scripts.
 *
 *   stowaway version compare SCHEME A B      prints <, = or >
 *   stowaway version compare SCHEME -        TSV pairs on stdin, one result a line
 *   stowaway version affected SCHEME V RANGE prints yes or no
 *   stowaway version validate SCHEME V...    prints ok or the reason
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "util/termsafe.h"
#include "version/version.h"

static const char schemes_help[] =
	"Schemes: dpkg, rpm, apk, pep440, semver, npm, go, maven, gem, nuget, composer,\n"
	"cargo (= semver).\n";

static void help_main(FILE *out)
{
	fprintf(out,
		"usage: stowaway version <compare|affected|validate> SCHEME ...\n"
		"\n"
		"Compare versions and test ranges with the exact rules of each ecosystem\n"
		"(dpkg, rpm, apk-tools, PEP 440, node-semver, Maven, RubyGems, NuGet,\n"
		"Composer). See docs/versions.md for the rules.\n"
		"\n"
		"Commands:\n"
		"  compare SCHEME A B        print '<', '=' or '>'\n"
		"  compare SCHEME -          read 'A<TAB>B' lines on stdin, print one result a line\n"
		"  affected SCHEME V RANGE   print 'yes' or 'no'\n"
		"  affected SCHEME -         read 'V<TAB>RANGE' lines on stdin\n"
		"  validate SCHEME V...      print 'ok' per version, or why it does not parse\n"
		"\n"
		"%s"
		"\n"
		"Examples:\n"
		"  stowaway version compare dpkg 1:1.2-1 1.3-1          # >\n"
		"  stowaway version compare rpm 1.0~rc1-1 1.0-1         # <\n"
		"  printf '1.0\\t1.0.0\\n' | stowaway version compare pep440 -\n"
		"  stowaway version affected npm 1.4.0 '>=1.2.3 <2 || ^3.0.0'\n"
		"  stowaway version affected pep440 2.1 \\\n"
		"    '{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"2.2\"}]}'\n"
		"\n"
		"Exit codes: 0 ok, 2 a version or range does not parse, 64 usage error.\n",
		schemes_help);
}

static void help_compare(FILE *out)
{
	fprintf(out,
		"usage: stowaway version compare SCHEME A B\n"
		"       stowaway version compare SCHEME -\n"
		"\n"
		"Print '<', '=' or '>' for A compared with B.  With '-', read lines\n"
		"'A<TAB>B' from standard input and print one result a line; a line that\n"
		"does not parse prints '!' on standard output (so lines stay aligned) and\n"
		"an error with its line number on standard error, and the exit code is 2\n"
		"at the end.\n"
		"\n"
		"%s"
		"\n"
		"Examples:\n"
		"  stowaway version compare dpkg 2.2~rc-4 2.2-1      # <\n"
		"  stowaway version compare maven 1.0-SNAPSHOT 1.0   # <\n"
		"  cut -f1,2 pairs.tsv | stowaway version compare rpm -\n"
		"\n"
		"Exit codes: 0 ok, 2 a version does not parse, 64 usage error.\n",
		schemes_help);
}

static void help_affected(FILE *out)
{
	fprintf(out,
		"usage: stowaway version affected [--loose] [--include-prerelease] SCHEME VERSION RANGE\n"
		"       stowaway version affected [options] SCHEME -\n"
		"\n"
		"Print 'yes' when VERSION is in RANGE, else 'no'.  With '-', read lines\n"
		"'VERSION<TAB>RANGE' from standard input and print yes, no or '!' (with an\n"
		"error on standard error) per line.  RANGE is either OSV JSON\n"
		"(a range {\"type\":\"ECOSYSTEM\",\"events\":[...]}, an array of ranges, or\n"
		"{\"ranges\":[...],\"versions\":[...]}), or a requirement expression: node-semver\n"
		"ranges for npm/semver/go/cargo ('>=1.2.3 <2 || ^3.0.0', '1.x', '1.2 - 2'),\n"
		"operator lists for the others ('~> 5.2.4, >= 5.2.4.3', '!= 1.0', '~=2.2',\n"
		"'>=1.0,<2.0'), Maven ranges ('[1.0,2.0)').\n"
		"\n"
		"Options:\n"
		"  --loose                node-semver loose parsing\n"
		"  --include-prerelease   node-semver includePrerelease\n"
		"\n"
		"%s"
		"\n"
		"Examples:\n"
		"  stowaway version affected npm 2.0.0-beta.1 '^1.2.3'            # no\n"
		"  stowaway version affected gem 5.2.4.4 '~> 5.2.4, >= 5.2.4.3'   # yes\n"
		"  stowaway version affected dpkg 1.2-3 \\\n"
		"    '{\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"1.2-4\"}]}'             # yes\n"
		"\n"
		"Exit codes: 0 ok (yes or no), 2 the version or range does not parse, 64 usage error.\n",
		schemes_help);
}

static int get_scheme(const char *cmd, const char *name, enum sw_vscheme *s)
{
	if (sw_vscheme_from_name(name, s) < 0) {
		sw_cmd_usage_error(cmd, "unknown scheme '%s'", name);
		return -1;
	}
	return 0;
}

static int bulk(enum sw_vscheme s)
{
	static char obuf[1 << 16];
	setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned long lineno = 0, bad = 0;
	struct sw_err err = SW_ERR_INIT;
	while ((n = getline(&line, &cap, stdin)) >= 0) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = 0;
		char *tab = memchr(line, '\t', (size_t)n);
		if (!tab) {
			sw_cmd_msg("line %lu: expected two versions separated by a tab", lineno);
			fputs("!\n", stdout);
			bad++;
			continue;
		}
		*tab = 0;
		char *b = tab + 1;
		char *tab2 = strchr(b, '\t');
		if (tab2)
			*tab2 = 0;   /* extra columns are ignored */
		int c;
		if (sw_version_compare(s, line, b, &c, &err) < 0) {
			sw_cmd_msg("line %lu: %s", lineno, err.msg);
			fputs("!\n", stdout);
			bad++;
			continue;
		}
		fputs(c < 0 ? "<\n" : (c > 0 ? ">\n" : "=\n"), stdout);
	}
	free(line);
	if (ferror(stdin)) {
		sw_cmd_msg("error reading standard input");
		return SW_EXIT_ERROR;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		sw_cmd_msg("error writing standard output: %s", strerror(errno));
		return SW_EXIT_ERROR;
	}
	return bad ? SW_EXIT_ERROR : SW_EXIT_OK;
}

static int do_compare(int argc, char **argv)
{
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		help_compare(stdout);
		return SW_EXIT_OK;
	}
	enum sw_vscheme s;
	if (argc == 3 && !strcmp(argv[2], "-")) {
		if (get_scheme("version compare", argv[1], &s) < 0)
			return SW_EXIT_USAGE;
		return bulk(s);
	}
	if (argc != 4)
		return sw_cmd_usage_error("version compare", "expected SCHEME A B, or SCHEME -");
	if (get_scheme("version compare", argv[1], &s) < 0)
		return SW_EXIT_USAGE;
	struct sw_err err = SW_ERR_INIT;
	int c;
	if (sw_version_compare(s, argv[2], argv[3], &c, &err) < 0)
		return sw_cmd_fail(&err);
	puts(c < 0 ? "<" : (c > 0 ? ">" : "="));
	return SW_EXIT_OK;
}

static int affected_one(enum sw_vscheme s, const char *v, const char *range, unsigned flags, bool *yes,
			struct sw_err *err)
{
	const char *t = range;
	while (*t == ' ' || *t == '\t' || *t == '\n')
		t++;
	if (*t == '{' || (*t == '[' && s != SW_VS_MAVEN) || (*t == '[' && t[1] == '{'))
		return sw_version_affected_osv_json(s, v, range, yes, err);
	return sw_version_satisfies_opts(s, v, range, flags, yes, err);
}

/* "VERSION<TAB>RANGE" lines on stdin; yes, no or ! per line. */
static int bulk_affected(enum sw_vscheme s, unsigned flags)
{
	static char obuf[1 << 16];
	setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned long lineno = 0, bad = 0;
	while ((n = getline(&line, &cap, stdin)) >= 0) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = 0;
		char *tab = memchr(line, '\t', (size_t)n);
		struct sw_err err = SW_ERR_INIT;
		bool yes = false;
		if (!tab) {
			sw_cmd_msg("line %lu: expected VERSION<TAB>RANGE", lineno);
		} else {
			*tab = 0;
			if (affected_one(s, line, tab + 1, flags, &yes, &err) == 0) {
				fputs(yes ? "yes\n" : "no\n", stdout);
				continue;
			}
			sw_cmd_msg("line %lu: %s", lineno, err.msg);
		}
		fputs("!\n", stdout);
		bad++;
	}
	free(line);
	if (ferror(stdin)) {
		sw_cmd_msg("error reading standard input");
		return SW_EXIT_ERROR;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		sw_cmd_msg("error writing standard output: %s", strerror(errno));
		return SW_EXIT_ERROR;
	}
	return bad ? SW_EXIT_ERROR : SW_EXIT_OK;
}

static int do_affected(int argc, char **argv)
{
	unsigned flags = 0;
	int i = 1;
	for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
		if (!strcmp(argv[i], "--help")) {
			help_affected(stdout);
			return SW_EXIT_OK;
		} else if (!strcmp(argv[i], "--loose")) {
			flags |= SW_VSAT_LOOSE;
		} else if (!strcmp(argv[i], "--include-prerelease")) {
			flags |= SW_VSAT_INCLUDE_PRERELEASE;
		} else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else {
			return sw_cmd_usage_error("version affected", "unknown option '%s'", argv[i]);
		}
	}
	if (i < argc && !strcmp(argv[i], "-h")) {
		help_affected(stdout);
		return SW_EXIT_OK;
	}
	if (argc - i == 2 && !strcmp(argv[i + 1], "-")) {
		enum sw_vscheme s;
		if (get_scheme("version affected", argv[i], &s) < 0)
			return SW_EXIT_USAGE;
		return bulk_affected(s, flags);
	}
	if (argc - i != 3)
		return sw_cmd_usage_error("version affected", "expected SCHEME VERSION RANGE");
	enum sw_vscheme s;
	if (get_scheme("version affected", argv[i], &s) < 0)
		return SW_EXIT_USAGE;
	struct sw_err err = SW_ERR_INIT;
	bool yes = false;
	int rc = affected_one(s, argv[i + 1], argv[i + 2], flags, &yes, &err);
	if (rc < 0)
		return sw_cmd_fail(&err);
	puts(yes ? "yes" : "no");
	return SW_EXIT_OK;
}

static int do_validate(int argc, char **argv)
{
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: stowaway version validate SCHEME VERSION...\n\n"
		       "Print 'ok' for each version of SCHEME, or why it does not parse.\n\n%s\n"
		       "Example:\n  stowaway version validate apk 1.2.3-r4 1.2_foo\n\n"
		       "Exit codes: 0 all parse, 2 one does not, 64 usage error.\n", schemes_help);
		return SW_EXIT_OK;
	}
	if (argc < 3)
		return sw_cmd_usage_error("version validate", "expected SCHEME VERSION...");
	enum sw_vscheme s;
	if (get_scheme("version validate", argv[1], &s) < 0)
		return SW_EXIT_USAGE;
	int rc = SW_EXIT_OK;
	for (int i = 2; i < argc; i++) {
		struct sw_err err = SW_ERR_INIT;
		if (sw_version_validate(s, argv[i], &err) < 0) {
			sw_term_printf(stdout, 0, "%s", err.msg);
			putchar('\n');
			rc = SW_EXIT_ERROR;
		} else {
			printf("ok\n");
		}
	}
	return rc;
}

int cmd_version(int argc, char **argv)
{
	if (argc < 2) {
		help_main(stderr);
		return SW_EXIT_USAGE;
	}
	const char *sub = argv[1];
	if (!strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help")) {
		help_main(stdout);
		return SW_EXIT_OK;
	}
	if (!strcmp(sub, "compare"))
		return do_compare(argc - 1, argv + 1);
	if (!strcmp(sub, "affected"))
		return do_affected(argc - 1, argv + 1);
	if (!strcmp(sub, "validate"))
		return do_validate(argc - 1, argv + 1);
	return sw_cmd_usage_error("version", "unknown subcommand '%s'", sub);
}
