#include "inventory/sbom_read.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "inventory/osdetect.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/mem.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decode s[0..n); NULL if an escape is malformed or decodes to NUL. */
static char *pct_decode(const char *s, size_t n)
{
	struct sw_buf b = SW_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			int h = -1, l = -1;
			if (i + 2 < n) {
				h = hexval(s[i + 1]);
				l = hexval(s[i + 2]);
			}
			if (h < 0 || l < 0 || (h == 0 && l == 0)) {
				sw_buf_release(&b);
				return NULL;
			}
			sw_buf_addch(&b, (char)(h * 16 + l));
			i += 2;
		} else {
			sw_buf_addch(&b, s[i]);
		}
	}
	char *r = sw_buf_detach(&b, NULL);
	return r ? r : sw_xstrdup("");
}

struct sw_package *sw_purl_parse(const char *purl, char **distro, struct sw_err *err)
{
	if (distro)
		*distro = NULL;
	if (!sw_starts_with(purl, "pkg:"))
		return sw_err_set(err, SW_E_FORMAT, "'%s' is not a purl (no 'pkg:' scheme)", purl), NULL;
	const char *s = purl + 4;
	while (*s == '/')
		s++;
	const char *end = s + strcspn(s, "#");     /* subpath dropped */
	const char *q = memchr(s, '?', (size_t)(end - s));
	const char *pend = q ? q : end;
	const char *slash = memchr(s, '/', (size_t)(pend - s));
	if (!slash || slash == s)
		return sw_err_set(err, SW_E_FORMAT, "purl '%s' has no type", purl), NULL;
	struct sw_package *p = sw_package_new("");
	free(p->type);
	p->type = sw_xstrndup(s, (size_t)(slash - s));
	for (char *c = p->type; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	const char *rest = slash + 1;
	/* version: after the last '@' of the path part */
	const char *at = NULL;
	for (const char *c = rest; c < pend; c++)
		if (*c == '@')
			at = c;
	const char *name_end = at ? at : pend;
	while (name_end > rest && name_end[-1] == '/')
		name_end--;
	const char *last = name_end;
	while (last > rest && last[-1] != '/')
		last--;
	p->name = pct_decode(last, (size_t)(name_end - last));
	if (last > rest)
		p->namespace_ = pct_decode(rest, (size_t)(last - 1 - rest));
	if (at)
		p->version = pct_decode(at + 1, (size_t)(pend - at - 1));
	if (!p->name || !*p->name || (last > rest && !p->namespace_) || (at && !p->version)) {
		sw_package_free(p);
		return sw_err_set(err, SW_E_FORMAT, "purl '%s' is malformed", purl), NULL;
	}
	for (const char *k = q ? q + 1 : end; k < end;) {
		const char *amp = memchr(k, '&', (size_t)(end - k));
		const char *ke = amp ? amp : end;
		const char *eq = memchr(k, '=', (size_t)(ke - k));
		if (eq) {
			char *val = pct_decode(eq + 1, (size_t)(ke - eq - 1));
			size_t kn = (size_t)(eq - k);
			if (val && kn == 4 && !strncmp(k, "arch", 4))
				sw_str_set(&p->arch, val);
			else if (val && kn == 5 && !strncmp(k, "epoch", 5)) {
				char *e;
				long v = strtol(val, &e, 10);
				if (*e == '\0' && v >= 0 && v < 1000000)
					p->epoch = (int)v;
			} else if (val && kn == 6 && !strncmp(k, "distro", 6) && distro)
				sw_str_set(distro, val);
			else if (val && kn == 8 && !strncmp(k, "upstream", 8)) {
				/* Trivy/syft: upstream=SRC or SRC@VER for deb/rpm sources */
				char *v = val;
				char *vat = strchr(v, '@');
				if (vat) {
					sw_str_set(&p->source_version, vat + 1);
					*vat = '\0';
				}
				sw_str_set(&p->source_name, v);
			}
			free(val);
		}
		k = amp ? amp + 1 : end;
	}
	if (!strcmp(p->type, "npm") && p->namespace_ && p->namespace_[0] != '@') {
		char *ns = sw_xasprintf("@%s", p->namespace_);
		free(p->namespace_);
		p->namespace_ = ns;
	}
	return p;
}

static const char *jstr(const struct sw_json *o, const char *k)
{
	return sw_json_get_str(o, k);
}

static void os_from_distro(struct sw_os *os, const char *type, const char *distro)
{
	/* "debian-12", "alpine-3.18.4", "rhel-9.3", "ubuntu-22.04"; or a codename */
	if (os->id || !distro)
		return;
	const char *dash = strrchr(distro, '-');
	if (dash && isdigit((unsigned char)dash[1])) {
		os->id = sw_xstrndup(distro, (size_t)(dash - distro));
		os->version_id = sw_xstrdup(dash + 1);
	} else if (!strcmp(type, "deb")) {
		os->id = sw_xstrdup("debian");
		os->codename = sw_xstrdup(distro);
	} else if (isdigit((unsigned char)distro[0])) {
		os->version_id = sw_xstrdup(distro);   /* apk: distro=3.18.4; id from the namespace */
	}
}

static struct sw_package *add_purl_pkg(struct sw_inventory *inv, const char *purl,
					const char *path, struct sw_vec *warnings)
{
	struct sw_err e = SW_ERR_INIT;
	char *distro = NULL;
	struct sw_package *p = sw_purl_parse(purl, &distro, &e);
	if (!p) {
		sw_vec_push(warnings, sw_xasprintf("%s: %s", path, e.msg));
		return NULL;
	}
	if (!strcmp(p->type, "deb") || !strcmp(p->type, "apk") || !strcmp(p->type, "rpm")) {
		os_from_distro(&inv->os, p->type, distro);
		if (!inv->os.id && p->namespace_)
			inv->os.id = sw_xstrdup(p->namespace_);
		/* an OS package's purl namespace is the distro, not part of its name */
		free(p->namespace_);
		p->namespace_ = NULL;
	}
	free(distro);
	p->purl = sw_xstrdup(purl);
	sw_vec_push(&inv->packages, p);
	return p;
}

static const char *jstr(const struct sw_json *o, const char *k);

/* What the component's properties say of where the package was found:
 * ours ("stowaway:package:*", "stowaway:layer:*", written by
 * report/sbom_cyclonedx.c) and Trivy's ("aquasecurity:trivy:*").  Without
 * them a re-scan would match binaries and files that an OS package owns. */
static void read_cdx_properties(struct sw_package *p, const struct sw_json *c)
{
	const struct sw_json *props = sw_json_get(c, "properties");
	for (size_t i = 0; i < sw_json_array_len(props); i++) {
		const struct sw_json *pr = sw_json_at(props, i);
		const char *k = jstr(pr, "name"), *v = jstr(pr, "value");
		if (!k || !v)
			continue;
		if (!strcmp(k, "stowaway:package:path") || !strcmp(k, "aquasecurity:trivy:FilePath"))
			sw_str_set(&p->path, v);
		else if (!strcmp(k, "stowaway:package:owner"))
			sw_str_set(&p->owner, v);
		else if (!strcmp(k, "stowaway:package:flag"))
			p->flags |= sw_package_flag_parse(v);
		else if (!strcmp(k, "stowaway:package:source_name") ||
			 !strcmp(k, "aquasecurity:trivy:SrcName"))
			sw_str_set(&p->source_name, v);
		else if (!strcmp(k, "stowaway:package:source_version") ||
			 !strcmp(k, "aquasecurity:trivy:SrcVersion"))
			sw_str_set(&p->source_version, v);
		else if (!strcmp(k, "stowaway:package:vendor"))
			sw_str_set(&p->vendor, v);
		else if (!strcmp(k, "stowaway:layer:diff_id") ||
			 !strcmp(k, "aquasecurity:trivy:LayerDiffID"))
			sw_str_set(&p->layer_diff_id, v);
		else if (!strcmp(k, "stowaway:layer:created_by"))
			sw_str_set(&p->layer_created_by, v);
		else if (!strcmp(k, "stowaway:layer:index")) {
			char *e;
			long n = strtol(v, &e, 10);
			if (*v && !*e && n >= 0 && n < 100000)
				p->layer_index = (int)n;
		}
	}
}

/* Components in breadth-first order: the top-level ones, then what they
 * nest.  Top-level components are walked in place; only nested ones are
 * queued. */
static void read_cdx_component(struct sw_inventory *inv, const char *path, const struct sw_json *c,
			       struct sw_vec *queue)
{
	const struct sw_json *sub = sw_json_get(c, "components");
	for (size_t j = 0; j < sw_json_array_len(sub); j++)
		sw_vec_push(queue, (void *)sw_json_at(sub, j));
	const char *type = jstr(c, "type");
	if (type && !strcmp(type, "operating-system")) {
		if (!inv->os.id && jstr(c, "name")) {
			inv->os.id = sw_xstrdup(jstr(c, "name"));
			inv->os.version_id = sw_xstrdup(jstr(c, "version"));
		}
		return;
	}
	const char *purl = jstr(c, "purl");
	struct sw_package *p = purl ? add_purl_pkg(inv, purl, path, &inv->warnings) : NULL;
	if (p)
		read_cdx_properties(p, c);
}

/* More than this many components (nested ones included) or packages is
 * refused: each costs a few KB through matching and reporting, and the
 * largest real SBOMs hold tens of thousands. */
#define SBOM_MAX_COMPONENTS 200000u

static int too_many(const char *path, const char *what, struct sw_err *err)
{
	return sw_err_set(err, SW_E_FORMAT, "'%s': more than %u %s (the limit for one SBOM)", path,
			  SBOM_MAX_COMPONENTS, what);
}

/* Count CycloneDX components, nested ones included, stopping past the
 * limit (breadth first, as they are read). */
static size_t cdx_count(const struct sw_json *comps)
{
	size_t n = sw_json_array_len(comps);
	struct sw_vec queue = SW_VEC_INIT;
	for (size_t i = 0; i < sw_json_array_len(comps) && n <= SBOM_MAX_COMPONENTS; i++)
		sw_vec_push(&queue, (void *)sw_json_at(comps, i));
	for (size_t k = 0; k < queue.len && n <= SBOM_MAX_COMPONENTS; k++) {
		const struct sw_json *sub = sw_json_get(queue.items[k], "components");
		n += sw_json_array_len(sub);
		for (size_t j = 0; j < sw_json_array_len(sub) && n <= SBOM_MAX_COMPONENTS; j++)
			sw_vec_push(&queue, (void *)sw_json_at(sub, j));
	}
	sw_vec_release(&queue);
	return n;
}

static int read_cyclonedx(struct sw_inventory *inv, const char *path, const struct sw_json *doc,
			  struct sw_err *err)
{
	const struct sw_json *comps = sw_json_get(doc, "components");
	if (cdx_count(comps) > SBOM_MAX_COMPONENTS)
		return too_many(path, "components", err);
	struct sw_vec queue = SW_VEC_INIT;
	for (size_t i = 0; i < sw_json_array_len(comps); i++)
		read_cdx_component(inv, path, sw_json_at(comps, i), &queue);
	for (size_t k = 0; k < queue.len; k++)
		read_cdx_component(inv, path, queue.items[k], &queue);
	sw_vec_release(&queue);
	const struct sw_json *meta = sw_json_get(sw_json_get(doc, "metadata"), "component");
	if (jstr(meta, "name"))
		inv->reference = sw_xstrdup(jstr(meta, "name"));
	return 0;
}

static int read_spdx(struct sw_inventory *inv, const char *path, const struct sw_json *doc,
		     struct sw_err *err)
{
	const struct sw_json *pkgs = sw_json_get(doc, "packages");
	if (sw_json_array_len(pkgs) > SBOM_MAX_COMPONENTS)
		return too_many(path, "packages", err);
	for (size_t i = 0; i < sw_json_array_len(pkgs); i++) {
		const struct sw_json *p = sw_json_at(pkgs, i);
		const struct sw_json *refs = sw_json_get(p, "externalRefs");
		for (size_t k = 0; k < sw_json_array_len(refs); k++) {
			const struct sw_json *r = sw_json_at(refs, k);
			const char *t = jstr(r, "referenceType");
			const char *loc = jstr(r, "referenceLocator");
			if (t && loc && !strcmp(t, "purl"))
				add_purl_pkg(inv, loc, path, &inv->warnings);
		}
		const char *purpose = jstr(p, "primaryPackagePurpose");
		/* the JSON schema spells it OPERATING_SYSTEM, the spec's text OPERATING-SYSTEM */
		if (purpose && (!strcmp(purpose, "OPERATING_SYSTEM") || !strcmp(purpose, "OPERATING-SYSTEM")) &&
		    !inv->os.id && jstr(p, "name")) {
			inv->os.id = sw_xstrdup(jstr(p, "name"));
			inv->os.version_id = sw_xstrdup(jstr(p, "versionInfo"));
		}
	}
	if (jstr(doc, "name"))
		inv->reference = sw_xstrdup(jstr(doc, "name"));
	return 0;
}

static void set_str(char **dst, const struct sw_json *o, const char *k)
{
	const char *v = jstr(o, k);
	if (v)
		sw_str_set(dst, v);
}

static int read_own(struct sw_inventory *inv, const char *path, const struct sw_json *doc,
		    struct sw_err *err)
{
	if (sw_json_array_len(sw_json_get(doc, "packages")) > SBOM_MAX_COMPONENTS)
		return too_many(path, "packages", err);
	const struct sw_json *os = sw_json_get(doc, "os");
	set_str(&inv->os.id, os, "id");
	set_str(&inv->os.version_id, os, "versionId");
	set_str(&inv->os.codename, os, "codename");
	set_str(&inv->os.pretty_name, os, "prettyName");
	const struct sw_json *img = sw_json_get(doc, "image");
	set_str(&inv->reference, img, "reference");
	set_str(&inv->transport, img, "transport");
	set_str(&inv->manifest_digest, img, "manifestDigest");
	set_str(&inv->config_digest, img, "configDigest");
	const struct sw_json *pkgs = sw_json_get(doc, "packages");
	for (size_t i = 0; i < sw_json_array_len(pkgs); i++) {
		const struct sw_json *p = sw_json_at(pkgs, i);
		const char *type = jstr(p, "type"), *name = jstr(p, "name");
		if (!type || !name) {
			sw_vec_push(&inv->warnings, sw_xasprintf("%s: packages[%zu] lacks type or name", path, i));
			continue;
		}
		struct sw_package *pk = sw_package_new(type);
		pk->name = sw_xstrdup(name);
		set_str(&pk->namespace_, p, "namespace");
		set_str(&pk->version, p, "version");
		set_str(&pk->arch, p, "arch");
		set_str(&pk->source_name, p, "sourceName");
		set_str(&pk->source_version, p, "sourceVersion");
		set_str(&pk->purl, p, "purl");
		set_str(&pk->path, p, "path");
		set_str(&pk->owner, p, "owner");
		const struct sw_json *flags = sw_json_get(p, "flags");
		for (size_t fi = 0; fi < sw_json_array_len(flags); fi++)
			pk->flags |= sw_package_flag_parse(sw_json_str(sw_json_at(flags, fi)));
		const struct sw_json *ep = sw_json_get(p, "epoch");
		if (sw_json_is(ep, SW_JSON_INTEGER))
			pk->epoch = (int)ep->u.i;
		const struct sw_json *layer = sw_json_get(p, "layer");
		const struct sw_json *li = sw_json_get(layer, "index");
		if (sw_json_is(li, SW_JSON_INTEGER))
			pk->layer_index = (int)li->u.i;
		set_str(&pk->layer_diff_id, layer, "diffId");
		set_str(&pk->layer_created_by, layer, "createdBy");
		sw_vec_push(&inv->packages, pk);
	}
	return 0;
}

/* An SBOM that says its inventory is incomplete (ours: "incomplete" in our
 * JSON, "stowaway:incomplete" BOM properties in CycloneDX, "incomplete: "
 * annotations in SPDX) makes the inventory read from it incomplete too:
 * re-matching it must not turn "could not look" into "0 vulnerabilities". */
static void read_incomplete(struct sw_inventory *inv, const struct sw_json *doc)
{
	const struct sw_json *own = sw_json_get(doc, "incomplete");
	for (size_t i = 0; i < sw_json_array_len(own); i++)
		if (sw_json_str(sw_json_at(own, i)))
			sw_vec_push_strdup(&inv->incomplete, sw_json_str(sw_json_at(own, i)));
	const struct sw_json *props = sw_json_get(doc, "properties");
	for (size_t i = 0; i < sw_json_array_len(props); i++) {
		const struct sw_json *p = sw_json_at(props, i);
		if (sw_streq(jstr(p, "name"), "stowaway:incomplete") && jstr(p, "value"))
			sw_vec_push_strdup(&inv->incomplete, jstr(p, "value"));
	}
	const struct sw_json *anns = sw_json_get(doc, "annotations");
	for (size_t i = 0; i < sw_json_array_len(anns); i++) {
		const char *c = jstr(sw_json_at(anns, i), "comment");
		if (c && sw_starts_with(c, "incomplete: "))
			sw_vec_push_strdup(&inv->incomplete, c + strlen("incomplete: "));
	}
}

int sw_inventory_from_sbom(const char *path, const char *data, size_t len,
			   struct sw_inventory **out, struct sw_err *err)
{
	struct sw_json_doc *jd = NULL;
	struct sw_err je = SW_ERR_INIT;
	if (sw_json_parse(data, len, &jd, &je) < 0)
		return sw_err_set(err, SW_E_FORMAT, "'%s': not valid JSON (%s)", path, je.msg);
	const struct sw_json *doc = sw_json_root(jd);
	if (!sw_json_is(doc, SW_JSON_OBJECT)) {
		sw_json_doc_free(jd);
		return sw_err_set(err, SW_E_FORMAT, "'%s': not a JSON object", path);
	}
	struct sw_inventory *inv = sw_xcalloc(1, sizeof(*inv));
	int r;
	if (sw_streq(jstr(doc, "bomFormat"), "CycloneDX"))
		r = read_cyclonedx(inv, path, doc, err);
	else if (jstr(doc, "spdxVersion"))
		r = read_spdx(inv, path, doc, err);
	else if (sw_json_get(doc, "schemaVersion") && sw_json_is(sw_json_get(doc, "packages"), SW_JSON_ARRAY))
		r = read_own(inv, path, doc, err);
	else
		r = sw_err_set(err, SW_E_FORMAT, "'%s': not a CycloneDX, SPDX or stowaway SBOM", path);
	if (r == 0)
		read_incomplete(inv, doc);
	sw_json_doc_free(jd);
	if (r < 0) {
		sw_inventory_free(inv);
		return r;
	}
	if (!inv->transport)
		inv->transport = sw_xstrdup("sbom");
	if (!inv->reference)
		inv->reference = sw_xstrdup(path);
	*out = inv;
	return 0;
}
