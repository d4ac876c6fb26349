/*
 * amazon.c - Amazon Linux security advisories (ALAS), one HTML page per
 * advisory as https://alas.aws.amazon.com publishes them
 * (AL2/ALAS-2018-939.html, AL2023/ALAS-2023-126.html, ALAS-2018-1.html for
 * the Amazon Linux AMI).  The page is read as text, not as a DOM:
 *
 *   "Amazon Linux 2 Security Advisory: ALAS-2018-939"  -> id, release
 *   <b>Severity:</b> ... Critical<br />                 -> rating
 *   References: CVE-2017-5715 ... Issue Overview:       -> aliases
 *   <div id='new_packages'> <pre>src:<br /> kernel-4.9.76-38.79.amzn2.src ...
 *                                                       -> fixed source packages
 *
 * Each "src:" entry NAME-VERSION-RELEASE.src gives an affected entry
 * (ecosystem "Amazon Linux:2", "Amazon Linux:2023", "Amazon Linux:2022",
 * "Amazon Linux:1" for the AMI; the source package; range introduced 0,
 * fixed VERSION-RELEASE).  A page without the header is not an ALAS page
 * (the file is rejected); one without src entries is a bad record.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/mem.h"
#include "vulndb/sources/source.h"
#include "vulndb/sources/sources_util.h"

static bool amazon_wants(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	return sw_starts_with(base, "ALAS");
}

/* Text of [p, e) without tags, &nbsp; as a blank, blanks squeezed. */
static char *plain(const char *p, const char *e)
{
	struct sw_buf b = SW_BUF_INIT;
	bool tag = false;
	for (; p < e; p++) {
		if (*p == '<') {
			tag = true;
			sw_buf_addch(&b, ' ');
		} else if (*p == '>') {
			tag = false;
		} else if (!tag) {
			if (!strncmp(p, "&nbsp;", 6) && p + 6 <= e) {
				sw_buf_addch(&b, ' ');
				p += 5;
			} else {
				sw_buf_addch(&b, isspace((unsigned char)*p) ? ' ' : *p);
			}
		}
	}
	char *s = sw_buf_detach(&b, NULL);
	return s ? s : sw_xstrdup("");
}

static const char *find_before(const char *h, const char *end, const char *needle)
{
	const char *p = strstr(h, needle);
	return p && (!end || p < end) ? p : NULL;
}

static int amazon_import(const char *path, const uint8_t *data, size_t len, const struct sw_vuln_sink *sink,
			 struct sw_err *err)
{
	char *h = sw_xstrndup((const char *)data, len); /* stops at a NUL byte */
	int rc = 0;
	struct sw_vuln *v = NULL;
	char *eco = NULL, *id = NULL, *sev = NULL;
	static const struct { const char *title, *rel; } rels[] = {
		{ "Amazon Linux 2023 Security Advisory:", "2023" }, { "Amazon Linux 2022 Security Advisory:", "2022" },
		{ "Amazon Linux 2 Security Advisory:", "2" },       { "Amazon Linux AMI Security Advisory:", "1" },
	};
	const char *hdr = NULL;
	for (size_t i = 0; i < sizeof(rels) / sizeof(rels[0]) && !hdr; i++) {
		if ((hdr = strstr(h, rels[i].title))) {
			eco = sw_xasprintf("Amazon Linux:%s", rels[i].rel);
			hdr += strlen(rels[i].title);
		}
	}
	if (hdr) {
		/* "Security Advisory:</b> ALAS-2023-126": blanks and tags before the id */
		for (;;) {
			while (*hdr == ' ' || *hdr == '\t')
				hdr++;
			if (*hdr != '<')
				break;
			const char *gt = strchr(hdr, '>');
			if (!gt)
				break;
			hdr = gt + 1;
		}
		size_t n = strcspn(hdr, " <\r\n\t");
		id = sw_xstrndup(hdr, n);
	}
	if (!hdr || !sw_src_is_advisory_id(id) || !sw_starts_with(id, "ALAS")) {
		rc = sw_err_set(err, SW_E_FORMAT, "'%s': not an Amazon Linux advisory page (no \"Amazon Linux ... "
				"Security Advisory: ALAS-...\")", path);
		goto out;
	}
	v = sw_vuln_new(id, "amazon");
	/* severity: the first word after "Severity:" */
	const char *sv = strstr(h, "Severity:");
	if (sv) {
		const char *e = strstr(sv, "</div>");
		char *t = plain(sv + 9, e ? e : sv + 9 + strnlen(sv + 9, 400));
		char *w = t;
		while (*w == ' ')
			w++;
		w[strcspn(w, " ")] = '\0';
		if (*w) {
			sw_src_add_severity(v, "amazon", "TEXT", NULL, -1, w);
			sev = sw_xstrdup(w);
		}
		free(t);
	}
	/* CVEs between "References:" and "Issue Overview:" */
	const char *refs = strstr(h, "References:");
	const char *over = refs ? strstr(refs, "Issue Overview:") : NULL;
	for (const char *p = refs; p && (p = find_before(p, over, "CVE-"));) {
		size_t n = 4;
		while (isdigit((unsigned char)p[n]) || (p[n] == '-' && n == 8))
			n++;
		if (n > 9) {
			char *c = sw_xstrndup(p, n);
			sw_src_push_unique(&v->aliases, c);
			free(c);
		}
		p += n;
	}
	if (over) {
		const char *e = strstr(over, "</div>");
		char *t = plain(over + strlen("Issue Overview:"), e ? e : over + strlen(over));
		char *d = t;
		while (*d == ' ')
			d++;
		if (*d)
			v->details = sw_xstrdup(d);
		free(t);
	}
	char *url = sw_xasprintf("https://alas.aws.amazon.com/%s%s.html",
				 !strcmp(eco, "Amazon Linux:1") ? ""
				 : !strcmp(eco, "Amazon Linux:2") ? "AL2/"
				 : !strcmp(eco, "Amazon Linux:2022") ? "AL2022/" : "AL2023/",
				 v->id);
	sw_vec_push(&v->references, url);
	/* "src:" entries of the new packages */
	const char *np = strstr(h, "new_packages");
	const char *pre = np ? strstr(np, "<pre>") : NULL;
	const char *pend = pre ? strstr(pre, "</pre>") : NULL;
	char *list = pre && pend ? plain(pre + 5, pend) : NULL;
	size_t n_src = 0;
	if (list) {
		bool in_src = false;
		for (char *tok = list; *tok;) {
			while (*tok == ' ')
				tok++;
			size_t n = strcspn(tok, " ");
			if (!n)
				break;
			char save = tok[n];
			tok[n] = '\0';
			if (tok[n - 1] == ':') {
				in_src = !strcmp(tok, "src:");
			} else if (in_src && n > 4 && !strcmp(tok + n - 4, ".src")) {
				/* NAME-VERSION-RELEASE.src */
				tok[n - 4] = '\0';
				char *r = strrchr(tok, '-');
				char *vv = NULL;
				if (r) {
					*r = '\0';
					vv = strrchr(tok, '-');
					*r = '-';
				}
				if (vv && vv > tok && r > vv + 1 && r[1]) {
					char *name = sw_xstrndup(tok, (size_t)(vv - tok));
					struct sw_affected *a = sw_src_affected(v, eco, name, SW_ST_FIXED);
					sw_src_add_fixed_range(a, vv + 1);
					if (sev && !a->severity)
						a->severity = sw_xstrdup(sev);
					n_src++;
					free(name);
				} else {
					sw_src_bad(sink, path, v->id, "bad source package '%s'", tok);
				}
				tok[n - 4] = '.';
			}
			tok[n] = save;
			tok += n;
		}
	}
	free(list);
	if (!n_src) {
		sw_src_bad(sink, path, v->id, "no source package in \"New Packages\"");
		goto out;
	}
	rc = sw_src_put(sink, path, v, err);
out:
	sw_vuln_free(v);
	free(eco);
	free(id);
	free(sev);
	free(h);
	return rc;
}

const struct sw_vuln_source sw_source_amazon = {
	.name = "amazon",
	.summary = "Amazon Linux ALAS advisory pages (HTML, one per advisory)",
	.default_url = NULL,
	.wants = amazon_wants,
	.import_file = amazon_import,
	.html = true,
};
