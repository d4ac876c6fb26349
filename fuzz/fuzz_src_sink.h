/* fuzz_src_sink.h - a sink for the vulnerability-source fuzz targets that
 * reads every field it is given (so sanitizers see bad pointers) and
 * checks the invariants importers promise. */
#ifndef FUZZ_SRC_SINK_H
#define FUZZ_SRC_SINK_H

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "util/err.h"
#include "vulndb/model.h"
#include "vulndb/sources/source.h"
#include "vulndb/sources/sources_util.h"

#define FUZZ_SRC_MAX ((size_t)1 << 20)

static size_t fuzz_touch(const char *s)
{
	return s ? strlen(s) : 0;
}

static int fuzz_put_vuln(void *ctx, const struct sw_vuln *v, struct sw_err *err)
{
	(void)ctx;
	(void)err;
	size_t n = fuzz_touch(v->id) + fuzz_touch(v->source) + fuzz_touch(v->summary) +
		   fuzz_touch(v->details) + fuzz_touch(v->published) + fuzz_touch(v->modified) +
		   fuzz_touch(v->withdrawn);
	if (!v->id || !*v->id || !v->source)
		abort();
	for (size_t i = 0; i < v->aliases.len; i++)
		n += fuzz_touch(v->aliases.items[i]);
	for (size_t i = 0; i < v->references.len; i++)
		n += fuzz_touch(v->references.items[i]);
	for (size_t i = 0; i < v->cwes.len; i++)
		n += fuzz_touch(v->cwes.items[i]);
	for (size_t i = 0; i < v->affected.len; i++) {
		const struct sw_affected *a = v->affected.items[i];
		if (!a->ecosystem || !a->package)
			abort();
		n += fuzz_touch(a->ecosystem) + fuzz_touch(a->package) + fuzz_touch(a->purl) +
		     fuzz_touch(a->severity) + fuzz_touch(a->note);
		for (size_t r = 0; r < a->ranges.len; r++) {
			const struct sw_range *rg = a->ranges.items[r];
			for (size_t e = 0; e < rg->events.len; e++) {
				const struct sw_event *ev = rg->events.items[e];
				if (!ev->version)
					abort();
				n += fuzz_touch(ev->version);
			}
		}
		for (size_t k = 0; k < a->unaffected_exprs.len; k++)
			n += fuzz_touch(a->unaffected_exprs.items[k]);
	}
	for (size_t i = 0; i < v->severities.len; i++) {
		const struct sw_severity *s = v->severities.items[i];
		n += fuzz_touch(s->source) + fuzz_touch(s->type) + fuzz_touch(s->vector) +
		     fuzz_touch(s->rating);
	}
	return n == (size_t)-1 ? -1 : 0;
}

static int fuzz_put_kev(void *ctx, const struct sw_kev *k, struct sw_err *err)
{
	(void)ctx;
	(void)err;
	if (!k->cve)
		abort();
	return (fuzz_touch(k->vendor) + fuzz_touch(k->product) + fuzz_touch(k->name) +
		fuzz_touch(k->date_added) + fuzz_touch(k->due_date) + fuzz_touch(k->required_action)) ==
			       (size_t)-1 ? -1 : 0;
}

static int fuzz_put_epss(void *ctx, const struct sw_epss *e, struct sw_err *err)
{
	(void)ctx;
	(void)err;
	if (!e->cve || e->score < 0 || e->score > 1)
		abort();
	return fuzz_touch(e->date) == (size_t)-1 ? -1 : 0;
}

static int fuzz_put_exploit(void *ctx, const struct sw_exploit *x, struct sw_err *err)
{
	(void)ctx;
	(void)err;
	if (!x->cve || !x->id || strncmp(x->cve, "CVE-", 4) != 0 || !*x->id || strspn(x->id, "0123456789") != strlen(x->id))
		abort();
	return (fuzz_touch(x->title) + fuzz_touch(x->published) + fuzz_touch(x->type) + fuzz_touch(x->platform)) ==
			       (size_t)-1 ? -1 : 0;
}

static void fuzz_bad(void *ctx, const char *file, const char *record, const char *what)
{
	(void)ctx;
	if (!file || !record || !what || !*what)
		abort();
}

/* Run one importer over the input as file `path`. */
static void fuzz_src_run(const struct sw_vuln_source *src, const char *path,
			 const uint8_t *data, size_t size)
{
	if (size > FUZZ_SRC_MAX)
		return;
	struct sw_vuln_sink sink = { NULL, fuzz_put_vuln, fuzz_put_kev, fuzz_put_epss, fuzz_bad, fuzz_put_exploit };
	struct sw_err err = SW_ERR_INIT;
	(void)src->wants(path);
	if (src->import_file(path, data, size, &sink, &err) < 0 && err.msg[0] == '\0')
		abort(); /* a failure must say why */
}

#endif
