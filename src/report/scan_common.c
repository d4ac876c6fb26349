/*
 * scan_common.c - helpers the scan writers share: which findings are
 * shown, counts, advisory URLs, severity numbers, history lines and
 * escaping for XML/HTML and terminals.
 */
#include "report/report_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"
#include "util/termsafe.h"

bool sw_report_scan_shown(const struct sw_report_ctx *ctx, const struct sw_finding *f)
{
	return !f->suppressed || ctx->opts->show_suppressed;
}

const struct sw_finding *sw_report_finding(const struct sw_report_ctx *ctx, size_t n)
{
	return ctx->res->findings.items[n];
}

const struct sw_package *sw_report_finding_pkg(const struct sw_report_ctx *ctx,
					       const struct sw_finding *f)
{
	return ctx->inv->packages.items[f->pkg];
}

void sw_report_scan_counts(const struct sw_report_ctx *ctx, size_t counts[6], size_t *suppressed)
{
	memset(counts, 0, 6 * sizeof(size_t));
	*suppressed = 0;
	for (size_t i = 0; i < ctx->res->findings.len; i++) {
		const struct sw_finding *f = sw_report_finding(ctx, i);
		if (f->suppressed)
			(*suppressed)++;
		else
			counts[(unsigned)f->severity < 6 ? f->severity : SW_SEV_UNKNOWN]++;
	}
}

/* Ids are printed into URLs: keep only characters that need no escaping. */
static bool url_safe(const char *id)
{
	for (const char *s = id; *s; s++) {
		char c = *s;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.' || c == ':'))
			return false;
	}
	return *id != '\0';
}

char *sw_report_vuln_url(const char *id)
{
	if (!id || !url_safe(id))
		return sw_xstrdup("https://osv.dev/list");
	if (sw_starts_with(id, "CVE-"))
		return sw_xasprintf("https://nvd.nist.gov/vuln/detail/%s", id);
	if (sw_starts_with(id, "GHSA-"))
		return sw_xasprintf("https://github.com/advisories/%s", id);
	return sw_xasprintf("https://osv.dev/vulnerability/%s", id);
}

double sw_report_severity_score(const struct sw_finding *f)
{
	static const struct {
		double lo, hi, mid;
	} band[] = {
		[SW_SEV_UNKNOWN] = { 0.0, 0.0, 0.0 },
		[SW_SEV_NEGLIGIBLE] = { 0.0, 0.1, 0.1 },
		[SW_SEV_LOW] = { 0.1, 3.9, 2.0 },
		[SW_SEV_MEDIUM] = { 4.0, 6.9, 5.5 },
		[SW_SEV_HIGH] = { 7.0, 8.9, 8.0 },
		[SW_SEV_CRITICAL] = { 9.0, 10.0, 9.5 },
	};
	unsigned s = (unsigned)f->severity < 6 ? (unsigned)f->severity : 0;
	if (s != SW_SEV_UNKNOWN && f->cvss_score >= band[s].lo && f->cvss_score <= band[s].hi)
		return f->cvss_score;
	return band[s].mid;
}

const char *sw_report_pkg_created_by(const struct sw_inventory *inv, const struct sw_package *p)
{
	if (p->layer_created_by)
		return p->layer_created_by;
	const struct sw_inv_layer *l = sw_report_layer(inv, p->layer_index);
	return l ? l->created_by : NULL;
}

char *sw_report_clean(const char *s, size_t max)
{
	return sw_term_clean(s, SW_TERM_FOLD, max);
}

char *sw_report_short_created_by(const char *s, size_t max)
{
	if (!s)
		return sw_xstrdup("");
	while (*s == ' ')
		s++;
	/* "/bin/sh -c CMD", buildkit "RUN /bin/sh -c CMD", "|2 A=b B=c /bin/sh -c CMD" */
	const char *sh = strstr(s, "/bin/sh -c ");
	if (sh && (sh == s || sw_starts_with(s, "RUN ") || s[0] == '|'))
		s = sh + strlen("/bin/sh -c ");
	if (sw_starts_with(s, "#(nop) "))
		s += strlen("#(nop) ");
	while (*s == ' ')
		s++;
	char *t = sw_xstrdup(s);
	size_t n = strlen(t);
	if (n >= 11 && strcmp(t + n - 11, " # buildkit") == 0)
		t[n - 11] = '\0';
	char *c = sw_report_clean(t, max);
	free(t);
	return c;
}

/* Length of the valid UTF-8 sequence at s (1..4) of a character XML 1.0
 * allows (not U+FFFE, U+FFFF), or 0. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned cp = 0;
	if (s[0] < 0x80)
		return 1;
	size_t n = sw_utf8_seq(s, &cp);
	return cp == 0xFFFE || cp == 0xFFFF ? 0 : n;
}

void sw_report_xml_escape(struct sw_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	while (*p) {
		unsigned char c = *p;
		switch (c) {
		case '&': sw_buf_addstr(b, "&amp;"); p++; continue;
		case '<': sw_buf_addstr(b, "&lt;"); p++; continue;
		case '>': sw_buf_addstr(b, "&gt;"); p++; continue;
		case '"': sw_buf_addstr(b, "&quot;"); p++; continue;
		case '\'': sw_buf_addstr(b, "&#39;"); p++; continue;
		default: break;
		}
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
			sw_buf_addch(b, '?');
			p++;
			continue;
		}
		if (c == 0x7f) {
			sw_buf_addch(b, '?');
			p++;
			continue;
		}
		size_t n = utf8_len(p);
		if (!n) {
			sw_buf_addch(b, '?');
			p++;
			continue;
		}
		sw_buf_add(b, p, n);
		p += n;
	}
}

int sw_report_dump_scan(FILE *out, json_t *doc, struct sw_err *err)
{
	return sw_report_json_write(out, doc, 6, err);
}

json_t *sw_report_str_array(const struct sw_vec *v)
{
	json_t *a = json_array();
	for (size_t i = 0; i < v->len; i++)
		json_array_append_new(a, sw_report_jstr(v->items[i]));
	return a;
}

bool sw_report_is_url(const char *s)
{
	if (!s || !(sw_starts_with(s, "https://") || sw_starts_with(s, "http://")))
		return false;
	const char *host = strstr(s, "://") + 3;
	if (!*host || *host == '/')
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f || strchr("\"<>\\^`{|}", *p))
			return false;
	return true;
}

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

char *sw_report_rfc3339(const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s);
	/* YYYY-MM-DD */
	if (n < 10 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' ||
	    !digits(s + 8, 2))
		return NULL;
	if (n == 10)
		return sw_xasprintf("%sT00:00:00Z", s);
	/* THH:MM:SS */
	if (n < 19 || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s + 11, 2) ||
	    s[13] != ':' || !digits(s + 14, 2) || s[16] != ':' || !digits(s + 17, 2))
		return NULL;
	const char *p = s + 19;
	if (*p == '.') {
		p++;
		if (!digits(p, 1))
			return NULL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	const char *zone = p;
	if (!*p)
		return sw_xasprintf("%.10sT%.*sZ", s, (int)(zone - (s + 11)), s + 11);
	if ((*p == 'Z' || *p == 'z') && !p[1])
		return sw_xasprintf("%.10sT%.*sZ", s, (int)(zone - (s + 11)), s + 11);
	if ((*p == '+' || *p == '-') && strlen(p) == 6 && digits(p + 1, 2) && p[3] == ':' &&
	    digits(p + 4, 2))
		return sw_xasprintf("%.10sT%s", s, s + 11);
	return NULL;
}
