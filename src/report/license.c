/*
 * license.c - recognise SPDX licence ids and expressions.
 *
 * Only a built-in set of common ids is known (the writers cannot read the
 * SPDX list at run time).  Every id here is in the SPDX licence list
 * (tests/unit/test_report_sbom.c checks them against the CycloneDX copy
 * of that list when the shared data is present).
 */
#include "report/report.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/mem.h"

#define LICENSE_MAX 4096
#define LICENSE_DEPTH 32

static const char *const known_ids[] = {
	"0BSD", "AFL-2.1", "AFL-3.0", "AGPL-3.0-only", "AGPL-3.0-or-later", "Apache-1.1",
	"Apache-2.0", "APSL-2.0", "Artistic-1.0", "Artistic-1.0-Perl", "Artistic-2.0",
	"Beerware", "BlueOak-1.0.0", "BSD-1-Clause", "BSD-2-Clause", "BSD-2-Clause-Patent",
	"BSD-3-Clause", "BSD-3-Clause-Clear", "BSD-4-Clause", "BSD-4-Clause-UC",
	"BSD-Source-Code", "BSL-1.0", "bzip2-1.0.6", "CC-BY-3.0", "CC-BY-4.0",
	"CC-BY-SA-3.0", "CC-BY-SA-4.0", "CC0-1.0", "CDDL-1.0", "CDDL-1.1", "curl",
	"EPL-1.0", "EPL-2.0", "EUPL-1.1", "EUPL-1.2", "FSFAP", "FSFUL", "FSFULLR", "FTL",
	"GFDL-1.2-only", "GFDL-1.2-or-later", "GFDL-1.3-only", "GFDL-1.3-or-later",
	"GPL-1.0-only", "GPL-1.0-or-later", "GPL-2.0-only", "GPL-2.0-or-later",
	"GPL-3.0-only", "GPL-3.0-or-later", "GPL-2.0", "GPL-2.0+", "GPL-3.0", "GPL-3.0+",
	"HPND", "ICU", "IJG", "Info-ZIP", "ISC", "LGPL-2.0-only", "LGPL-2.0-or-later",
	"LGPL-2.1-only", "LGPL-2.1-or-later", "LGPL-3.0-only", "LGPL-3.0-or-later",
	"LGPL-2.0", "LGPL-2.0+", "LGPL-2.1", "LGPL-2.1+", "LGPL-3.0", "LGPL-3.0+",
	"Libpng", "libpng-2.0", "libtiff", "MIT", "MIT-0", "MIT-CMU", "MPL-1.1",
	"MPL-2.0", "MPL-2.0-no-copyleft-exception", "MS-PL", "NCSA", "Net-SNMP",
	"OFL-1.1", "OLDAP-2.8", "OpenSSL", "PHP-3.0", "PHP-3.01", "PostgreSQL",
	"PSF-2.0", "Python-2.0", "Ruby", "Sleepycat", "TCL", "Unicode-DFS-2016",
	"Unlicense", "UPL-1.0", "Vim", "W3C", "WTFPL", "X11", "Zlib", "ZPL-2.1",
	NULL,
};

static const char *const known_exceptions[] = {
	"Autoconf-exception-2.0", "Autoconf-exception-3.0", "Bison-exception-2.2",
	"Classpath-exception-2.0", "Font-exception-2.0", "GCC-exception-2.0",
	"GCC-exception-3.1", "LLVM-exception", "OpenJDK-assembly-exception-1.0",
	"openvpn-openssl-exception", "Qt-LGPL-exception-1.1", "WxWindows-exception-3.1",
	NULL,
};

/* Distribution spellings (Debian copyright short names, old Fedora/RPM
 * names, common free text) mapped to SPDX ids. */
static const struct {
	const char *alias;
	const char *id;
} aliases[] = {
	{ "GPL-1", "GPL-1.0-only" },           { "GPL-1+", "GPL-1.0-or-later" },
	{ "GPL-2", "GPL-2.0-only" },           { "GPL-2+", "GPL-2.0-or-later" },
	{ "GPL-3", "GPL-3.0-only" },           { "GPL-3+", "GPL-3.0-or-later" },
	{ "GPLv2", "GPL-2.0-only" },           { "GPLv2+", "GPL-2.0-or-later" },
	{ "GPLv3", "GPL-3.0-only" },           { "GPLv3+", "GPL-3.0-or-later" },
	{ "LGPL-2", "LGPL-2.0-only" },         { "LGPL-2+", "LGPL-2.0-or-later" },
	{ "LGPL-3", "LGPL-3.0-only" },
	{ "LGPL-3+", "LGPL-3.0-or-later" },    { "LGPLv2", "LGPL-2.0-only" },
	{ "LGPLv2+", "LGPL-2.0-or-later" },    { "LGPLv2.1", "LGPL-2.1-only" },
	{ "LGPLv2.1+", "LGPL-2.1-or-later" },  { "LGPLv3", "LGPL-3.0-only" },
	{ "LGPLv3+", "LGPL-3.0-or-later" },    { "AGPLv3", "AGPL-3.0-only" },
	{ "AGPLv3+", "AGPL-3.0-or-later" },    { "Apache-2", "Apache-2.0" },
	{ "Apache 2.0", "Apache-2.0" },        { "Apache License 2.0", "Apache-2.0" },
	{ "Apache License, Version 2.0", "Apache-2.0" },
	{ "ASL 2.0", "Apache-2.0" },           { "BSD-2", "BSD-2-Clause" },
	{ "BSD-3", "BSD-3-Clause" },           { "MPLv2.0", "MPL-2.0" },
	{ "MPL 2.0", "MPL-2.0" },              { "Expat", "MIT" },
	{ "Python-2", "Python-2.0" },          { "PSF", "PSF-2.0" },
	{ "zlib/libpng", "Zlib" },            { "GPL+", "GPL-1.0-or-later" },
	{ "GFDL-1.2", "GFDL-1.2-only" },       { "GFDL-1.2+", "GFDL-1.2-or-later" },
	{ "GFDL-1.3", "GFDL-1.3-only" },       { "GFDL-1.3+", "GFDL-1.3-or-later" },
	{ "CC0", "CC0-1.0" },                  { "PSF-2", "PSF-2.0" },
	{ "Boost", "BSL-1.0" },                { "MPL-2", "MPL-2.0" },
	{ "EPL-2", "EPL-2.0" },                { "OFL", "OFL-1.1" },
	{ NULL, NULL },
};

static const char *lookup(const char *const *tab, const char *s, size_t n)
{
	for (size_t i = 0; tab[i]; i++)
		if (strlen(tab[i]) == n && strncasecmp(tab[i], s, n) == 0)
			return tab[i];
	return NULL;
}

static const char *lookup_id(const char *s, size_t n)
{
	const char *id = lookup(known_ids, s, n);
	if (id)
		return id;
	for (size_t i = 0; aliases[i].alias; i++)
		if (strlen(aliases[i].alias) == n && strncasecmp(aliases[i].alias, s, n) == 0)
			return aliases[i].id;
	return NULL;
}

static bool trim(const char **s, size_t *n)
{
	while (*n && isspace((unsigned char)**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && isspace((unsigned char)(*s)[*n - 1]))
		(*n)--;
	return *n > 0;
}

const char *sw_report_license_id(const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s);
	if (n > 256 || !trim(&s, &n))
		return NULL;
	return lookup_id(s, n);
}

/* --- expression parser: recursive descent over a token stream --- */

enum tok { T_END, T_ID, T_AND, T_OR, T_WITH, T_LP, T_RP, T_BAD };

struct lex {
	const char *s;
	size_t pos, len;
	enum tok t;
	const char *ts; /* token text */
	size_t tn;
	int depth;
	struct sw_buf out;
};

static bool id_char(char c)
{
	return isalnum((unsigned char)c) || c == '.' || c == '-' || c == '+';
}

static void next(struct lex *l)
{
	while (l->pos < l->len && isspace((unsigned char)l->s[l->pos]))
		l->pos++;
	if (l->pos >= l->len) {
		l->t = T_END;
		return;
	}
	char c = l->s[l->pos];
	l->ts = l->s + l->pos;
	if (c == '(' || c == ')') {
		l->t = c == '(' ? T_LP : T_RP;
		l->tn = 1;
		l->pos++;
		return;
	}
	size_t start = l->pos;
	while (l->pos < l->len && id_char(l->s[l->pos]))
		l->pos++;
	l->tn = l->pos - start;
	if (!l->tn) {
		l->t = T_BAD;
		return;
	}
	if ((l->tn == 3 && (strncmp(l->ts, "AND", 3) == 0 || strncmp(l->ts, "and", 3) == 0)))
		l->t = T_AND;
	else if (l->tn == 2 && (strncmp(l->ts, "OR", 2) == 0 || strncmp(l->ts, "or", 2) == 0))
		l->t = T_OR;
	else if (l->tn == 4 && (strncmp(l->ts, "WITH", 4) == 0 || strncmp(l->ts, "with", 4) == 0))
		l->t = T_WITH;
	else
		l->t = T_ID;
}

/* An id token: a known id or alias, else a known id followed by "+". */
static bool emit_id(struct lex *l)
{
	const char *id = lookup_id(l->ts, l->tn);
	if (id) {
		sw_buf_addstr(&l->out, id);
		return true;
	}
	if (l->tn > 1 && l->ts[l->tn - 1] == '+') {
		id = lookup_id(l->ts, l->tn - 1);
		if (!id || strchr(id, '+'))
			return false;
		size_t n = strlen(id);
		if (n > 5 && strcmp(id + n - 5, "-only") == 0) {
			sw_buf_add(&l->out, id, n - 5);
			sw_buf_addstr(&l->out, "-or-later");
		} else if (n > 9 && strcmp(id + n - 9, "-or-later") == 0) {
			sw_buf_addstr(&l->out, id);
		} else {
			sw_buf_addstr(&l->out, id);
			sw_buf_addch(&l->out, '+');
		}
		return true;
	}
	return false;
}

static bool parse_or(struct lex *l);

static bool parse_simple(struct lex *l)
{
	if (l->t == T_LP) {
		if (++l->depth > LICENSE_DEPTH)
			return false;
		sw_buf_addch(&l->out, '(');
		next(l);
		if (!parse_or(l) || l->t != T_RP)
			return false;
		sw_buf_addch(&l->out, ')');
		l->depth--;
		next(l);
		return true;
	}
	if (l->t != T_ID || !emit_id(l))
		return false;
	next(l);
	if (l->t == T_WITH) {
		next(l);
		const char *ex = l->t == T_ID ? lookup(known_exceptions, l->ts, l->tn) : NULL;
		if (!ex)
			return false;
		sw_buf_addstr(&l->out, " WITH ");
		sw_buf_addstr(&l->out, ex);
		next(l);
	}
	return true;
}

static bool parse_and(struct lex *l)
{
	if (!parse_simple(l))
		return false;
	while (l->t == T_AND) {
		sw_buf_addstr(&l->out, " AND ");
		next(l);
		if (!parse_simple(l))
			return false;
	}
	return true;
}

static bool parse_or(struct lex *l)
{
	if (!parse_and(l))
		return false;
	while (l->t == T_OR) {
		sw_buf_addstr(&l->out, " OR ");
		next(l);
		if (!parse_and(l))
			return false;
	}
	return true;
}

char *sw_report_license_expression(const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s);
	if (n > LICENSE_MAX || !trim(&s, &n))
		return NULL;
	/* a whole-string alias may contain spaces ("Apache License 2.0") */
	const char *id = lookup_id(s, n);
	if (id)
		return sw_xstrdup(id);
	struct lex l = { .s = s, .len = n };
	sw_buf_init(&l.out, 2 * LICENSE_MAX);
	next(&l);
	bool ok = parse_or(&l) && l.t == T_END;
	if (!ok) {
		sw_buf_release(&l.out);
		return NULL;
	}
	return sw_buf_detach(&l.out, NULL);
}

bool sw_report_license_is_simple(const char *e)
{
	return e && !strchr(e, ' ') && !strchr(e, '(');
}

const char *const *sw_report_license_table(int which)
{
	return which == 0 ? known_ids : known_exceptions;
}

const char *sw_report_license_alias(size_t i)
{
	return i < sizeof(aliases) / sizeof(aliases[0]) ? aliases[i].alias : NULL;
}
