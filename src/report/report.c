/*
 * report.c - format table, dispatch (SBOM and scan) and helpers shared by
 * the writers.
 */
#include "report/report_int.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/mem.h"
#include "util/outfile.h"

#ifndef SW_VERSION_STRING
#define SW_VERSION_STRING "0.0.0"
#endif

static const struct sw_report_writer writers[] = {
	{ SW_FMT_TABLE, "table", sw_report_table_sbom, sw_report_table_scan },
	{ SW_FMT_JSON, "json", sw_report_json_sbom, sw_report_json_scan },
	{ SW_FMT_CYCLONEDX, "cyclonedx", sw_report_cdx_sbom, sw_report_cdx_scan },
	{ SW_FMT_SPDX_JSON, "spdx-json", sw_report_spdx_sbom, sw_report_spdx_scan },
	{ SW_FMT_SARIF, "sarif", NULL, sw_report_sarif_scan },
	{ SW_FMT_HTML, "html", NULL, sw_report_html_scan },
	{ SW_FMT_JUNIT, "junit", NULL, sw_report_junit_scan },
};

static const struct {
	const char *name;
	enum sw_report_format f;
} format_names[] = {
	{ "table", SW_FMT_TABLE },
	{ "json", SW_FMT_JSON },
	{ "cyclonedx", SW_FMT_CYCLONEDX },
	{ "cyclonedx-json", SW_FMT_CYCLONEDX },
	{ "spdx-json", SW_FMT_SPDX_JSON },
	{ "spdx", SW_FMT_SPDX_JSON },
	{ "sarif", SW_FMT_SARIF },
	{ "html", SW_FMT_HTML },
	{ "junit", SW_FMT_JUNIT },
};

int sw_report_format_parse(const char *name, enum sw_report_format *out)
{
	for (size_t i = 0; name && i < sizeof(format_names) / sizeof(format_names[0]); i++) {
		if (strcmp(name, format_names[i].name) == 0) {
			*out = format_names[i].f;
			return 0;
		}
	}
	return -SW_E_USAGE;
}

static const struct sw_report_writer *writer_for(enum sw_report_format f)
{
	for (size_t i = 0; i < sizeof(writers) / sizeof(writers[0]); i++)
		if (writers[i].format == f)
			return &writers[i];
	return NULL;
}

const char *sw_report_format_name(enum sw_report_format f)
{
	const struct sw_report_writer *w = writer_for(f);
	return w ? w->name : "unknown";
}

static void ctx_init(struct sw_report_ctx *ctx, const struct sw_inventory *inv,
		     const struct sw_report_opts *o)
{
	*ctx = (struct sw_report_ctx){
		.inv = inv,
		.opts = o,
		.tool_version = o->tool_version ? o->tool_version : SW_VERSION_STRING,
	};
	size_t n = inv->packages.len;
	ctx->purls = sw_xcalloc(n ? n : 1, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		const struct sw_package *p = inv->packages.items[i];
		ctx->purls[i] = p->purl ? sw_xstrdup(p->purl) : sw_purl_for_package(p, &inv->os);
	}
}

static void ctx_release(struct sw_report_ctx *ctx)
{
	for (size_t i = 0; i < ctx->inv->packages.len; i++)
		free(ctx->purls[i]);
	free(ctx->purls);
	sw_vec_free_strings(&ctx->scanners_incomplete);
}

int sw_report_sbom(FILE *out, enum sw_report_format f, const struct sw_inventory *inv,
		   const struct sw_report_opts *o, struct sw_err *err)
{
	const struct sw_report_writer *w = writer_for(f);
	if (!w)
		return sw_err_set(err, SW_E_USAGE, "unknown report format %d", (int)f);
	if (!w->sbom)
		return sw_err_set(err, SW_E_USAGE, "format '%s' is for scan results only", w->name);
	if (!inv)
		return sw_err_set(err, SW_E_INTERNAL, "no inventory to report");
	struct sw_report_opts dflt = { 0 };
	struct sw_report_ctx ctx;
	ctx_init(&ctx, inv, o ? o : &dflt);
	int r = w->sbom(out, &ctx, err);
	ctx_release(&ctx);
	return r;
}

int sw_report_scan(FILE *out, enum sw_report_format f, const struct sw_inventory *inv,
		   const struct sw_match_result *res, const struct sw_report_opts *o,
		   struct sw_err *err)
{
	const struct sw_report_writer *w = writer_for(f);
	if (!w)
		return sw_err_set(err, SW_E_USAGE, "unknown report format %d", (int)f);
	if (!inv || !res)
		return sw_err_set(err, SW_E_INTERNAL, "no inventory or scan result to report");
	for (size_t i = 0; i < res->findings.len; i++) {
		const struct sw_finding *fd = res->findings.items[i];
		if (!fd || fd->pkg >= inv->packages.len)
			return sw_err_set(err, SW_E_INTERNAL,
					  "finding %zu does not name a package of the inventory", i);
		if (!fd->id || !*fd->id)
			return sw_err_set(err, SW_E_INTERNAL, "finding %zu has no id", i);
	}
	struct sw_report_opts dflt = { 0 };
	struct sw_report_ctx ctx;
	ctx_init(&ctx, inv, o ? o : &dflt);
	ctx.res = res;
	/* a content scanner that did not look makes the result incomplete */
	for (size_t i = 0; ctx.opts->scanners && i < ctx.opts->nscanners; i++) {
		const struct sw_report_scanner *s = &ctx.opts->scanners[i];
		if (s->requested && !s->ran && (sw_streq(s->name, "secret") || sw_streq(s->name, "malware")))
			sw_vec_push(&ctx.scanners_incomplete,
				    sw_xasprintf("%s: %s", s->name, s->why_not ? s->why_not : "not checked"));
	}
	int r = w->scan(out, &ctx, err);
	ctx_release(&ctx);
	return r;
}

int sw_report_sbom_file(const char *path, enum sw_report_format f,
			const struct sw_inventory *inv, const struct sw_report_opts *o,
			struct sw_err *err)
{
	if (!writer_for(f))
		return sw_err_set(err, SW_E_USAGE, "unknown report format %d", (int)f);
	struct sw_outfile of;
	int r = sw_outfile_open(&of, path, err);
	if (r < 0)
		return r;
	r = sw_report_sbom(of.fp, f, inv, o, err);
	if (r < 0) {
		if (of.path)
			sw_err_wrap(err, "'%s'", of.path);
		sw_outfile_abort(&of);
		return r;
	}
	return sw_outfile_commit(&of, err);
}

int sw_report_dump(FILE *out, json_t *doc, struct sw_err *err)
{
	return sw_report_json_write(out, doc, 0, err);
}

#define PLACEHOLDER_FMT "\001sw-stream-%zu\001"
#define PLACEHOLDER_TEXT "\"\\u0001sw-stream-%zu\\u0001\""
#define DUMP_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER)

json_t *sw_report_stream_placeholder(size_t k)
{
	char buf[64];
	snprintf(buf, sizeof(buf), PLACEHOLDER_FMT, k);
	return json_string(buf);
}

static long placeholder_of(json_t *v, size_t ns)
{
	if (!json_is_string(v))
		return -1;
	char buf[64];
	for (size_t k = 0; k < ns; k++) {
		snprintf(buf, sizeof(buf), PLACEHOLDER_FMT, k);
		if (strcmp(json_string_value(v), buf) == 0)
			return (long)k;
	}
	return -1;
}

static json_t *full_array(const struct sw_report_stream *s)
{
	json_t *a = json_array();
	for (size_t i = 0; i < s->n; i++)
		json_array_append_new(a, s->item(s->state, i));
	return a;
}

static void materialise(json_t *j, const struct sw_report_stream *s, size_t ns)
{
	if (json_is_object(j)) {
		const char *key;
		json_t *v;
		void *tmp;
		json_object_foreach_safe(j, tmp, key, v) {
			long k = placeholder_of(v, ns);
			if (k >= 0)
				json_object_set_new(j, key, full_array(&s[k]));
			else
				materialise(v, s, ns);
		}
	} else if (json_is_array(j)) {
		for (size_t i = 0; i < json_array_size(j); i++) {
			json_t *v = json_array_get(j, i);
			long k = placeholder_of(v, ns);
			if (k >= 0)
				json_array_set_new(j, i, full_array(&s[k]));
			else
				materialise(v, s, ns);
		}
	}
}

json_t *sw_report_materialise(json_t *skeleton, const struct sw_report_stream *s, size_t ns)
{
	if (skeleton)
		materialise(skeleton, s, ns);
	return skeleton;
}

/* Write text, adding `indent` spaces after every newline. */
static void put_indented(FILE *out, const char *text, size_t indent)
{
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) + 1 : strlen(p);
		fwrite(p, 1, n, out);
		if (nl)
			fprintf(out, "%*s", (int)indent, "");
		p += n;
	}
}

int sw_report_dump_streamed(FILE *out, json_t *skeleton, const struct sw_report_stream *s,
			    size_t ns, struct sw_err *err)
{
	if (!skeleton)
		return sw_err_set(err, SW_E_NOMEM, "cannot build the report document");
	char *text = json_dumps(skeleton, DUMP_FLAGS);
	if (!text)
		return sw_err_set(err, SW_E_NOMEM, "cannot build the report document");
	/* each placeholder must occur exactly once in the text; if the image's
	 * own strings happen to spell one, fall back to the whole document */
	const char **at = calloc(ns ? ns : 1, sizeof(char *));
	bool ok = at != NULL;
	char pat[64];
	for (size_t k = 0; ok && k < ns; k++) {
		snprintf(pat, sizeof(pat), PLACEHOLDER_TEXT, k);
		at[k] = strstr(text, pat);
		ok = at[k] && !strstr(at[k] + 1, pat);
	}
	if (!ok) {
		free(at);
		free(text);
		return sw_report_dump(out, sw_report_materialise(skeleton, s, ns), err);
	}
	const char *p = text;
	while (true) {
		/* the next placeholder in text order */
		long k = -1;
		for (size_t j = 0; j < ns; j++)
			if (at[j] && at[j] >= p && (k < 0 || at[j] < at[k]))
				k = (long)j;
		if (k < 0)
			break;
		fwrite(p, 1, (size_t)(at[k] - p), out);
		const char *line = at[k];
		while (line > text && line[-1] != '\n')
			line--;
		size_t indent = 0;
		while (line[indent] == ' ')
			indent++;
		const struct sw_report_stream *st = &s[k];
		if (st->n == 0) {
			fputs("[]", out);
		} else {
			fputs("[", out);
			for (size_t i = 0; i < st->n; i++) {
				json_t *item = st->item(st->state, i);
				char *it = item ? json_dumps(item, DUMP_FLAGS | JSON_ENCODE_ANY) : NULL;
				json_decref(item);
				if (!it) {
					free(at);
					free(text);
					return sw_err_set(err, SW_E_NOMEM, "cannot build the report document");
				}
				fprintf(out, "%s\n%*s", i ? "," : "", (int)indent + 2, "");
				put_indented(out, it, indent + 2);
				free(it);
			}
			fprintf(out, "\n%*s]", (int)indent, "");
		}
		snprintf(pat, sizeof(pat), PLACEHOLDER_TEXT, (size_t)k);
		p = at[k] + strlen(pat);
		at[k] = NULL;
	}
	fputs(p, out);
	free(at);
	free(text);
	if (fputc('\n', out) == EOF || fflush(out) != 0 || ferror(out))
		return sw_err_errno(err, "cannot write the report");
	return 0;
}

json_t *sw_report_jstr(const char *s)
{
	if (!s)
		return json_null();
	json_t *j = json_string(s);
	/* not UTF-8: keep the bytes readable rather than dropping the field */
	if (!j) {
		size_t n = strlen(s);
		char *c = sw_xmalloc(n + 1);
		for (size_t i = 0; i <= n; i++)
			c[i] = (s[i] & 0x80) ? '?' : s[i];
		j = json_string(c);
		free(c);
	}
	return j ? j : json_null();
}

void sw_report_timestamp(long long t, char *buf, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, n, "1970-01-01T00:00:00Z");
}

void sw_report_uuid(const char *name, char out[37])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	if (!EVP_Digest(name, strlen(name), md, &mdlen, EVP_sha1(), NULL) || mdlen < 16)
		memset(md, 0, 16);
	md[6] = (unsigned char)((md[6] & 0x0f) | 0x50); /* version 5 */
	md[8] = (unsigned char)((md[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[md[i] >> 4];
		out[o++] = hex[md[i] & 15];
	}
	out[o] = '\0';
}

const char *sw_report_image_name(const struct sw_inventory *inv)
{
	if (inv->repo_tags.len && inv->repo_tags.items[0] && *(char *)inv->repo_tags.items[0])
		return inv->repo_tags.items[0];
	if (inv->reference && *inv->reference)
		return inv->reference;
	return "image";
}

const char *sw_report_image_digest(const struct sw_inventory *inv)
{
	if (inv->manifest_digest && *inv->manifest_digest)
		return inv->manifest_digest;
	if (inv->config_digest && *inv->config_digest)
		return inv->config_digest;
	return NULL;
}

char *sw_report_pkg_name(const struct sw_package *p)
{
	const char *name = p->name ? p->name : "";
	if (!p->namespace_ || !*p->namespace_)
		return sw_xstrdup(name);
	if (p->type && strcmp(p->type, "maven") == 0)
		return sw_xasprintf("%s:%s", p->namespace_, name);
	return sw_xasprintf("%s/%s", p->namespace_, name);
}

const struct sw_inv_layer *sw_report_layer(const struct sw_inventory *inv, int index)
{
	if (index < 0)
		return NULL;
	for (size_t i = 0; i < inv->layers.len; i++) {
		const struct sw_inv_layer *l = inv->layers.items[i];
		if (l && l->index == index)
			return l;
	}
	return NULL;
}

json_t *sw_report_flags(unsigned flags)
{
	json_t *a = json_array();
	for (unsigned bit = 1; bit && bit <= SW_PKG_PUBLIC_FLAGS; bit <<= 1) {
		const char *w = (flags & bit) ? sw_package_flag_name(bit) : NULL;
		if (w)
			json_array_append_new(a, json_string(w));
	}
	return a;
}

static bool os_type(const char *t)
{
	return t && (strcmp(t, "deb") == 0 || strcmp(t, "rpm") == 0 || strcmp(t, "apk") == 0 ||
		     strcmp(t, "alpm") == 0);
}

bool sw_report_is_os_package(const struct sw_package *p)
{
	return os_type(p->type);
}

const char *sw_report_trivy_app_type(const struct sw_package *p)
{
	/* file: the basename, "*X" a suffix, NULL any file */
	static const struct {
		const char *type, *file, *app;
	} map[] = {
		{ "pypi", "requirements.txt", "pip" }, { "pypi", "Pipfile.lock", "pipenv" },
		{ "pypi", "poetry.lock", "poetry" }, { "pypi", NULL, "python-pkg" },
		{ "npm", "package-lock.json", "npm" }, { "npm", "yarn.lock", "yarn" },
		{ "npm", "pnpm-lock.yaml", "pnpm" }, { "npm", NULL, "node-pkg" },
		{ "gem", "Gemfile.lock", "bundler" }, { "gem", NULL, "gemspec" },
		{ "cargo", "Cargo.lock", "cargo" }, { "cargo", NULL, "rust-binary" },
		{ "golang", "go.mod", "gomod" }, { "golang", NULL, "gobinary" },
		{ "maven", "pom.xml", "pom" }, { "maven", "gradle.lockfile", "gradle" }, { "maven", NULL, "jar" },
		{ "composer", NULL, "composer" },
		{ "nuget", "*.deps.json", "dotnet-core" }, { "nuget", NULL, "nuget" },
	};
	if (!p->type || os_type(p->type))
		return NULL;
	const char *path = p->path ? p->path : "";
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t bl = strlen(base);
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (strcmp(p->type, map[i].type) != 0)
			continue;
		const char *f = map[i].file;
		if (!f || strcmp(base, f) == 0 ||
		    (f[0] == '*' && bl >= strlen(f + 1) && strcmp(base + bl - strlen(f + 1), f + 1) == 0))
			return map[i].app;
	}
	return NULL;
}

const char *sw_report_source_name(const struct sw_package *p)
{
	if (p->source_name && *p->source_name)
		return p->source_name;
	return os_type(p->type) ? p->name : NULL;
}

const char *sw_report_source_version(const struct sw_package *p)
{
	if (p->source_version && *p->source_version)
		return p->source_version;
	return os_type(p->type) ? p->version : NULL;
}

/* ---- completeness ---- */

size_t sw_report_incomplete_count(const struct sw_report_ctx *ctx)
{
	return ctx->inv->incomplete.len + (ctx->res ? ctx->res->incomplete.len : 0) +
	       ctx->scanners_incomplete.len;
}

const char *sw_report_incomplete_get(const struct sw_report_ctx *ctx, size_t i)
{
	if (i < ctx->inv->incomplete.len)
		return ctx->inv->incomplete.items[i];
	i -= ctx->inv->incomplete.len;
	size_t nres = ctx->res ? ctx->res->incomplete.len : 0;
	if (i < nres)
		return ctx->res->incomplete.items[i];
	i -= nres;
	return i < ctx->scanners_incomplete.len ? ctx->scanners_incomplete.items[i] : NULL;
}

void sw_report_json_add_completeness(json_t *doc, const struct sw_report_ctx *ctx)
{
	size_t n = sw_report_incomplete_count(ctx);
	json_t *why = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(why, sw_report_jstr(sw_report_incomplete_get(ctx, i)));
	json_object_set_new(doc, "complete", json_boolean(n == 0));
	json_object_set_new(doc, "incomplete", why);
}

static void cdx_prop(json_t *props, const char *name, const char *value)
{
	json_t *o = json_object();
	json_object_set_new(o, "name", json_string(name));
	json_object_set_new(o, "value", sw_report_jstr(value));
	json_array_append_new(props, o);
}

void sw_report_cdx_add_completeness(json_t *doc, const struct sw_report_ctx *ctx)
{
	size_t n = sw_report_incomplete_count(ctx);
	if (!n)
		return;
	json_t *props = json_object_get(doc, "properties");
	if (!json_is_array(props)) {
		props = json_array();
		json_object_set_new(doc, "properties", props);
	}
	cdx_prop(props, "stowaway:complete", "false");
	for (size_t i = 0; i < n; i++)
		cdx_prop(props, "stowaway:incomplete", sw_report_incomplete_get(ctx, i));
}

void sw_report_spdx_add_completeness(json_t *doc, const struct sw_report_ctx *ctx)
{
	size_t n = sw_report_incomplete_count(ctx);
	if (!n)
		return;
	char ts[32];
	sw_report_timestamp(ctx->opts->now, ts, sizeof(ts));
	char *tool = sw_xasprintf("Tool: stowaway-%s", ctx->tool_version);
	json_t *anns = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *a = json_object();
		json_object_set_new(a, "annotationDate", json_string(ts));
		json_object_set_new(a, "annotationType", json_string("OTHER"));
		json_object_set_new(a, "annotator", sw_report_jstr(tool));
		char *c = sw_xasprintf("incomplete: %s", sw_report_incomplete_get(ctx, i));
		json_object_set_new(a, "comment", sw_report_jstr(c));
		free(c);
		json_array_append_new(anns, a);
	}
	free(tool);
	json_object_set_new(doc, "annotations", anns);
}
