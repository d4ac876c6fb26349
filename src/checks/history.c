/* history.c - one history created_by line -> the instruction behind it (checks.h). */
#include "checks/checks.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

static const struct {
	const char *word;
	enum sw_instr_kind kind;
} keywords[] = {
	{ "RUN", SW_INSTR_RUN }, { "ADD", SW_INSTR_ADD }, { "COPY", SW_INSTR_COPY },
	{ "ENV", SW_INSTR_ENV }, { "ARG", SW_INSTR_ARG }, { "LABEL", SW_INSTR_LABEL },
	{ "USER", SW_INSTR_OTHER }, { "CMD", SW_INSTR_OTHER }, { "ENTRYPOINT", SW_INSTR_OTHER },
	{ "EXPOSE", SW_INSTR_OTHER }, { "WORKDIR", SW_INSTR_OTHER }, { "VOLUME", SW_INSTR_OTHER },
	{ "HEALTHCHECK", SW_INSTR_OTHER }, { "SHELL", SW_INSTR_OTHER }, { "STOPSIGNAL", SW_INSTR_OTHER },
	{ "ONBUILD", SW_INSTR_OTHER }, { "MAINTAINER", SW_INSTR_OTHER }, { "FROM", SW_INSTR_OTHER },
};

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static const char *skip_blank(const char *p)
{
	while (*p && blank(*p))
		p++;
	return p;
}

/* A keyword at p followed by a blank or the end: its index, else -1. */
static int keyword_at(const char *p, size_t *wlen)
{
	size_t n = 0;
	while (p[n] >= 'A' && p[n] <= 'Z')
		n++;
	if (n == 0 || (p[n] && !blank(p[n])))
		return -1;
	for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (strlen(keywords[i].word) == n && memcmp(keywords[i].word, p, n) == 0) {
			*wlen = n;
			return (int)i;
		}
	return -1;
}

/* "/bin/sh -c " (any absolute shell path, options before -c): the text
 * after it, or NULL. */
static const char *after_shell(const char *p)
{
	if (*p != '/')
		return NULL;
	while (*p && !blank(*p))
		p++;
	bool value_next = false;   /* "-o pipefail": the option's value */
	for (int opts = 0; opts < 8; opts++) {
		p = skip_blank(p);
		if (p[0] != '-' && !value_next)
			return NULL;
		if (p[0] == '-' && p[1] == 'c' && (p[2] == '\0' || blank(p[2])))
			return skip_blank(p + 2);
		value_next = p[0] == '-' && (p[1] == 'o' || p[1] == 'O') && (p[2] == '\0' || blank(p[2]));
		while (*p && !blank(*p))
			p++;
	}
	return NULL;
}

/* "|N K=V K=V rest": the build arguments into out, the rest returned;
 * p itself when it is not that form. */
static const char *build_args(const char *p, struct sw_vec *out)
{
	if (*p != '|')
		return p;
	const char *q = p + 1;
	long n = 0;
	if (!(*q >= '0' && *q <= '9'))
		return p;
	while (*q >= '0' && *q <= '9') {
		if (n < 100000)
			n = n * 10 + (*q - '0');
		q++;
	}
	if (!blank(*q) && *q)
		return p;
	for (long i = 0; i < n; i++) {
		q = skip_blank(q);
		const char *s = q;
		while (*q && !blank(*q))
			q++;
		if (q == s)
			break;
		sw_vec_push(out, sw_xstrndup(s, (size_t)(q - s)));
	}
	return skip_blank(q);
}

void sw_instr_parse(const char *created_by, struct sw_instr *out)
{
	memset(out, 0, sizeof(*out));
	if (!created_by)
		return;
	char *line = sw_xstrdup(created_by);
	size_t n = strlen(line);
	while (n && blank(line[n - 1]))
		line[--n] = '\0';
	static const char bk[] = "# buildkit";
	if (n >= sizeof(bk) - 1 && strcmp(line + n - (sizeof(bk) - 1), bk) == 0) {
		out->buildkit = true;
		n -= sizeof(bk) - 1;
		line[n] = '\0';
		while (n && blank(line[n - 1]))
			line[--n] = '\0';
	}
	const char *p = skip_blank(line);
	size_t wl = 0;
	int k = keyword_at(p, &wl);
	if (k >= 0) {
		/* BuildKit: "RUN |1 A=b /bin/sh -c cmd", "ADD src dst" */
		out->kind = keywords[k].kind;
		out->keyword = sw_xstrdup(keywords[k].word);
		p = skip_blank(p + wl);
		if (out->kind == SW_INSTR_RUN) {
			p = build_args(p, &out->build_args);
			const char *sh = after_shell(p);
			if (sh)
				p = sh;
		}
		out->args = sw_xstrdup(p);
		free(line);
		return;
	}
	/* classic builder: "|N K=V /bin/sh -c cmd", "/bin/sh -c #(nop) ADD ..." */
	const char *q = build_args(p, &out->build_args);
	const char *sh = after_shell(q);
	if (sh) {
		if (strncmp(sh, "#(nop)", 6) == 0) {
			sh = skip_blank(sh + 6);
			k = keyword_at(sh, &wl);
			if (k >= 0) {
				out->kind = keywords[k].kind;
				out->keyword = sw_xstrdup(keywords[k].word);
				out->args = sw_xstrdup(skip_blank(sh + wl));
			} else {
				out->kind = SW_INSTR_UNKNOWN;
				out->args = sw_xstrdup(sh);
			}
		} else {
			out->kind = SW_INSTR_RUN;
			out->keyword = sw_xstrdup("RUN");
			out->args = sw_xstrdup(sh);
		}
		free(line);
		return;
	}
	out->kind = SW_INSTR_UNKNOWN;
	out->args = sw_xstrdup(p);
	free(line);
}

void sw_instr_release(struct sw_instr *in)
{
	free(in->keyword);
	free(in->args);
	sw_vec_free_strings(&in->build_args);
	memset(in, 0, sizeof(*in));
}
