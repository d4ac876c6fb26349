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
	int r = w->scan(out, &ctx, err);
	ctx_release(&ctx);
	return r;
}

int sw_report_dump(FILE *out, json_t *doc, struct sw_err *err)
{
	if (!doc)
		return sw_err_set(err, SW_E_NOMEM, "cannot build the report document");
	if (json_dumpf(doc, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0 ||
	    fputc('\n', out) == EOF || fflush(out) != 0 || ferror(out))
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
	static const struct {
		unsigned bit;
		const char *word;
	} f[] = {
		{ SW_PKG_DECLARED, "declared" },
		{ SW_PKG_DEV, "dev" },
		{ SW_PKG_STDLIB, "stdlib" },
		{ SW_PKG_MAIN_MODULE, "main-module" },
	};
	json_t *a = json_array();
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (flags & f[i].bit)
			json_array_append_new(a, json_string(f[i].word));
	return a;
}

static bool os_type(const char *t)
{
	return t && (strcmp(t, "deb") == 0 || strcmp(t, "rpm") == 0 || strcmp(t, "apk") == 0 ||
		     strcmp(t, "alpm") == 0);
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
