/*
 * oval.c - OVAL 5 vulnerability and patch definitions (what OpenSCAP
 * evaluates), as Oracle (ELSA), SUSE, CBL-Mariner / Azure Linux, VMware
 * Photon and Red Hat publish them, read with libxml2's streaming reader
 * (xmlTextReader, dlopen()ed: libxml.h).
 *
 * A document is <definitions>, <tests>, <objects>, <states>; definitions
 * refer to tests by id, tests to one object and states.  The reader keeps
 * only what mapping needs (per definition: ids, title, severity, dates,
 * platforms and the criteria tree; per test: type, object, states,
 * comment; per object: the package name; per state: its evr / version
 * check), then maps each definition:
 *
 * - The criteria tree (AND/OR, negate, extend_definition) is expanded into
 *   its disjunctive form (negations pushed to the leaves, De Morgan); each
 *   AND path is read on its own.  At most 4,096 paths per definition.
 * - rpminfo_test / dpkginfo_test on a package: the state's evr check gives
 *   the range: "less than" V -> fixed V; "less than or equal" -> last
 *   affected; "greater than or equal" and "greater than" -> introduced (an
 *   installed version equal to a "greater than" bound is counted affected);
 *   "equals" -> the exact version ("0:0-0" / "0": SUSE's "not affected"
 *   marker -> not_affected).  A negated check flips (not less than V ->
 *   introduced V).  A zero epoch is dropped ("0:3.27.2-5.ph3" ->
 *   "3.27.2-5.ph3").  signature_keyid and arch checks are assumed true
 *   (the package manager's database has no signing key to compare with).
 * - Release: a test on a "*-release" package with a version check
 *   ("oraclelinux-release" pattern "^8", "sles-release" equals "15.1"),
 *   else a criterion or extend_definition whose comment ends with
 *   " is installed" ("Oracle Linux 8 is installed"), else each of the
 *   definition's <platform>s, else the release in the file name
 *   ("cbl-mariner-2.0-oval.xml").  Named as the matcher looks them up:
 *   "Oracle Linux:8", "Red Hat:enterprise_linux:8", "Photon OS:3",
 *   "SUSE Linux Enterprise:15.1" (server, desktop and modules alike),
 *   "openSUSE Leap:15.5", "Mariner:2.0", "Azure Linux:3.0", "Debian:12",
 *   "Ubuntu:22.04"; anything else verbatim.
 * - Tests of any other type (textfilecontent54_test without an "is
 *   installed" comment, uname_test, variable-named objects, version checks
 *   on other packages, unknown operations) are not evaluated: such a
 *   criterion is assumed true, and each type is counted and reported once
 *   per file as a bad record "N <type> tests not evaluated (first in DEF)",
 *   so `db info` names them.
 * - Record id: the definition's own advisory reference (ELSA-2007-0057),
 *   else its title's first word when it is an id (PHSA-2020:00001,
 *   CVE-2023-29404), else its first CVE, else the definition id; every CVE
 *   it names is an alias.  One record per id per file.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/map.h"
#include "util/mem.h"
#include "vulndb/sources/libxml.h"
#include "vulndb/sources/source.h"
#include "vulndb/sources/sources_util.h"

#define MAX_PATHS 4096
#define MAX_DEPTH 64

enum node_kind { N_CRITERIA, N_CRITERION, N_EXTEND };

struct node {
	enum node_kind kind;
	bool and_op, negate, eff_neg;
	char *ref, *comment;
	struct sw_vec kids; /* struct node* */
};

struct def {
	char *id, *title, *severity, *issued, *description, *patchable;
	struct sw_vec adv_ids, cves, platforms, urls;
	struct node *criteria;
};

struct test {
	char *type, *object, *comment;
	struct sw_vec states; /* char* ids */
};

struct state {
	char *evr_op, *evr, *ver_op, *ver;
	bool other; /* a check we do not evaluate */
};

struct doc {
	const char *path, *source;
	struct sw_vec defs;             /* struct def* */
	struct sw_map tests, objects, states;   /* id -> struct test*, char* name, struct state* */
	struct sw_map skipped;          /* type -> struct skip* */
	struct sw_vec skipped_order;    /* char* types in first-seen order */
	char *file_release;             /* "2.0" from "...-2.0-oval.xml" */
};

struct skip {
	size_t n;
	char *first;
};

static void node_free(struct node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->kids.len; i++)
		node_free(n->kids.items[i]);
	sw_vec_release(&n->kids);
	free(n->ref);
	free(n->comment);
	free(n);
}

static void def_free(void *p)
{
	struct def *d = p;
	free(d->id);
	free(d->title);
	free(d->severity);
	free(d->issued);
	free(d->description);
	free(d->patchable);
	sw_vec_free_strings(&d->adv_ids);
	sw_vec_free_strings(&d->cves);
	sw_vec_free_strings(&d->platforms);
	sw_vec_free_strings(&d->urls);
	node_free(d->criteria);
	free(d);
}

static void test_free(void *p)
{
	struct test *t = p;
	free(t->type);
	free(t->object);
	free(t->comment);
	sw_vec_free_strings(&t->states);
	free(t);
}

static void state_free(void *p)
{
	struct state *s = p;
	free(s->evr_op);
	free(s->evr);
	free(s->ver_op);
	free(s->ver);
	free(s);
}

static void skip_free(void *p)
{
	struct skip *s = p;
	free(s->first);
	free(s);
}

static void not_evaluated(struct doc *d, const char *type, const char *def_id)
{
	struct skip *s = sw_map_get(&d->skipped, type);
	if (!s) {
		s = sw_xcalloc(1, sizeof(*s));
		s->first = sw_xstrdup(def_id);
		sw_map_put(&d->skipped, type, s);
		sw_vec_push_strdup(&d->skipped_order, type);
	}
	s->n++;
}

/* ------------------------------------------------------------ reading */

struct rd {
	struct doc *d;
	xmlTextReaderPtr r;
	char *error;                  /* the first libxml2 error */
	const char *stack[MAX_DEPTH]; /* element local names (interned copies) */
	char *names[MAX_DEPTH];
	int depth;
	enum { S_NONE, S_DEFS, S_TESTS, S_OBJECTS, S_STATES } section;
	struct def *def;
	struct node *nodes[MAX_DEPTH];
	int nnodes;
	struct test *test;
	char *object_id;
	struct state *state;
	char *text_elem;              /* element whose text is collected */
	char *text_op;                /* its "operation" attribute */
	bool text_var;                /* it has a var_ref instead of text */
	struct sw_buf text;
};

static void on_xml_error(void *arg, xmlErrorPtr e)
{
	struct rd *r = arg;
	if (r->error || !e)
		return;
	char *msg = sw_xstrdup(e->message ? e->message : "malformed XML");
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	r->error = sw_xasprintf("line %d: %s", e->line, msg);
	free(msg);
}

static char *attr(struct rd *r, const char *name)
{
	xmlChar *v = sw_xml->reader_get_attribute(r->r, (const xmlChar *)name);
	if (!v)
		return NULL;
	char *s = sw_xstrdup((const char *)v);
	(*sw_xml->free)(v);
	return s;
}

static bool ends_with_ci(const char *s, const char *sfx)
{
	size_t n = strlen(s), m = strlen(sfx);
	return n >= m && strcasecmp(s + n - m, sfx) == 0;
}

static char *trimmed(const char *s)
{
	while (*s && isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return sw_xstrndup(s, n);
}

static void start_element(struct rd *r, const char *name, bool empty)
{
	struct doc *d = r->d;
	if (!strcmp(name, "definitions") && r->depth == 2)
		r->section = S_DEFS;
	else if (!strcmp(name, "tests") && r->depth == 2)
		r->section = S_TESTS;
	else if (!strcmp(name, "objects") && r->depth == 2)
		r->section = S_OBJECTS;
	else if (!strcmp(name, "states") && r->depth == 2)
		r->section = S_STATES;
	else if (r->depth == 2)
		r->section = S_NONE;

	if (r->section == S_DEFS) {
		if (!strcmp(name, "definition") && r->depth == 3) {
			r->def = sw_xcalloc(1, sizeof(*r->def));
			r->def->id = attr(r, "id");
			sw_vec_push(&d->defs, r->def);
			r->nnodes = 0;
		} else if (r->def && !strcmp(name, "reference")) {
			char *src = attr(r, "source"), *ref = attr(r, "ref_id"), *url = attr(r, "ref_url");
			if (ref) {
				/* "Mitre CVE-1999-0524", "CVE:00001:CVE-2019-16168": the id is the last word */
				const char *id = ref;
				for (const char *p = ref; *p; p++)
					if ((*p == ' ' || *p == ':') && sw_starts_with(p + 1, "CVE-"))
						id = p + 1;
				if (sw_starts_with(id, "CVE-"))
					sw_src_push_unique(&r->def->cves, id);
				else if (src && strcasecmp(src, "CVE") != 0 && sw_src_is_advisory_id(id))
					sw_src_push_unique(&r->def->adv_ids, id);
			}
			sw_src_push_unique(&r->def->urls, url);
			free(src);
			free(ref);
			free(url);
		} else if (r->def && !strcmp(name, "issued") && !r->def->issued) {
			r->def->issued = attr(r, "date");
		} else if (r->def && (!strcmp(name, "criteria") || !strcmp(name, "criterion") ||
				      !strcmp(name, "extend_definition"))) {
			struct node *n = sw_xcalloc(1, sizeof(*n));
			n->kind = !strcmp(name, "criteria") ? N_CRITERIA
				  : !strcmp(name, "criterion") ? N_CRITERION : N_EXTEND;
			char *op = attr(r, "operator"), *neg = attr(r, "negate");
			n->and_op = !op || strcasecmp(op, "OR") != 0;
			n->negate = neg && !strcasecmp(neg, "true");
			free(op);
			free(neg);
			n->ref = attr(r, n->kind == N_EXTEND ? "definition_ref" : "test_ref");
			n->comment = attr(r, "comment");
			if (r->nnodes > 0)
				sw_vec_push(&r->nodes[r->nnodes - 1]->kids, n);
			else if (!r->def->criteria)
				r->def->criteria = n;
			else
				node_free(n);   /* a second top-level criteria: not OVAL */
			if (n->kind == N_CRITERIA && !empty && r->nnodes < MAX_DEPTH)
				r->nodes[r->nnodes++] = n;
		} else if (r->def && (!strcmp(name, "title") || !strcmp(name, "platform") ||
				      !strcmp(name, "severity") || !strcmp(name, "description") ||
				      !strcmp(name, "cve") || !strcmp(name, "patchable"))) {
			sw_str_set(&r->text_elem, name);
			sw_buf_reset(&r->text);
		}
	} else if (r->section == S_TESTS) {
		if (r->depth == 3 && ends_with_ci(name, "_test")) {
			char *id = attr(r, "id");
			if (id) {
				r->test = sw_xcalloc(1, sizeof(*r->test));
				r->test->type = sw_xstrdup(name);
				r->test->comment = attr(r, "comment");
				struct test *old = sw_map_put(&d->tests, id, r->test);
				if (old)
					test_free(old);
				free(id);
			}
		} else if (r->test && r->depth == 4 && !strcmp(name, "object")) {
			free(r->test->object);
			r->test->object = attr(r, "object_ref");
		} else if (r->test && r->depth == 4 && !strcmp(name, "state")) {
			char *s = attr(r, "state_ref");
			if (s)
				sw_vec_push(&r->test->states, s);
		}
	} else if (r->section == S_OBJECTS) {
		if (r->depth == 3) {
			free(r->object_id);
			r->object_id = attr(r, "id");
		} else if (r->object_id && r->depth == 4 && !strcmp(name, "name")) {
			char *var = attr(r, "var_ref");
			r->text_var = var != NULL;
			free(var);
			sw_str_set(&r->text_elem, name);
			sw_buf_reset(&r->text);
		}
	} else if (r->section == S_STATES) {
		if (r->depth == 3) {
			char *id = attr(r, "id");
			r->state = NULL;
			if (id) {
				r->state = sw_xcalloc(1, sizeof(*r->state));
				struct state *old = sw_map_put(&d->states, id, r->state);
				if (old)
					state_free(old);
				free(id);
			}
		} else if (r->state && r->depth == 4) {
			if (!strcmp(name, "signature_keyid") || !strcmp(name, "arch")) {
				/* assumed true (see the top of the file) */
			} else if (!strcmp(name, "evr") || !strcmp(name, "version")) {
				char *var = attr(r, "var_ref");
				r->text_var = var != NULL;
				free(var);
				free(r->text_op);
				r->text_op = attr(r, "operation");
				sw_str_set(&r->text_elem, name);
				sw_buf_reset(&r->text);
			} else {
				r->state->other = true;
			}
		}
	}
}

static void end_element(struct rd *r, const char *name)
{
	if (r->text_elem && !strcmp(name, r->text_elem)) {
		char *t = trimmed(r->text.data ? r->text.data : "");
		if (r->section == S_DEFS && r->def) {
			struct def *df = r->def;
			if (!strcmp(name, "title") && !df->title)
				df->title = t, t = NULL;
			else if (!strcmp(name, "platform"))
				sw_src_push_unique(&df->platforms, t);
			else if (!strcmp(name, "severity") && !df->severity && *t)
				df->severity = t, t = NULL;
			else if (!strcmp(name, "description") && !df->description)
				df->description = t, t = NULL;
			else if (!strcmp(name, "patchable") && !df->patchable)
				df->patchable = t, t = NULL;
			else if (!strcmp(name, "cve") && sw_starts_with(t, "CVE-"))
				sw_src_push_unique(&df->cves, t);
		} else if (r->section == S_OBJECTS && r->object_id) {
			if (!r->text_var && *t)
				free(sw_map_put(&r->d->objects, r->object_id, t)), t = NULL;
		} else if (r->section == S_STATES && r->state) {
			if (r->text_var) {
				r->state->other = true;
			} else if (!strcmp(name, "evr")) {
				sw_str_set(&r->state->evr_op, r->text_op ? r->text_op : "equals");
				sw_str_set(&r->state->evr, t);
			} else {
				sw_str_set(&r->state->ver_op, r->text_op ? r->text_op : "equals");
				sw_str_set(&r->state->ver, t);
			}
		}
		free(t);
		sw_freep(&r->text_elem);
		sw_freep(&r->text_op);
		r->text_var = false;
	}
	if (r->section == S_DEFS && !strcmp(name, "criteria") && r->nnodes > 0)
		r->nnodes--;
	if (r->section == S_DEFS && !strcmp(name, "definition") && r->depth == 3)
		r->def = NULL;
	if (r->section == S_TESTS && r->depth == 3)
		r->test = NULL;
	if (r->section == S_OBJECTS && r->depth == 3)
		sw_freep(&r->object_id);
	if (r->section == S_STATES && r->depth == 3)
		r->state = NULL;
}

static int read_doc(struct doc *d, const uint8_t *data, size_t len, struct sw_err *err)
{
	if (len > (size_t)0x7fffffff)
		return sw_err_set(err, SW_E_LIMIT, "'%s': larger than 2 GiB", d->path);
	struct rd r = { .d = d };
	sw_buf_init(&r.text, 1 << 20);
	/* no network, no DTD loading, no entity substitution */
	r.r = sw_xml->reader_for_memory((const char *)data, (int)len, NULL, NULL,
					XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!r.r) {
		sw_buf_release(&r.text);
		return sw_err_set(err, SW_E_NOMEM, "'%s': cannot start the XML reader", d->path);
	}
	sw_xml->reader_set_error_handler(r.r, on_xml_error, &r);
	int rc, root_seen = 0;
	while ((rc = sw_xml->reader_read(r.r)) == 1) {
		int type = sw_xml->reader_node_type(r.r);
		if (type == XML_READER_TYPE_ELEMENT) {
			const char *name = (const char *)sw_xml->reader_const_local_name(r.r);
			if (!name)
				name = "";
			bool empty = sw_xml->reader_is_empty_element(r.r) == 1;
			if (r.depth == 0) {
				if (root_seen++ || strcmp(name, "oval_definitions") != 0) {
					rc = -2;
					break;
				}
			}
			if (r.depth >= MAX_DEPTH) {
				rc = -3;
				break;
			}
			r.names[r.depth] = sw_xstrdup(name);
			r.stack[r.depth] = r.names[r.depth];
			r.depth++;
			start_element(&r, name, empty);
			if (empty) {
				end_element(&r, name);
				free(r.names[--r.depth]);
			}
		} else if (type == XML_READER_TYPE_END_ELEMENT) {
			if (r.depth > 0) {
				end_element(&r, r.stack[r.depth - 1]);
				free(r.names[--r.depth]);
			}
		} else if ((type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
			    type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE) && r.text_elem) {
			const char *v = (const char *)sw_xml->reader_const_value(r.r);
			if (v)
				sw_buf_addstr(&r.text, v);
			if (r.text.failed) {
				rc = -4;
				break;
			}
		}
	}
	sw_xml->free_reader(r.r);
	while (r.depth > 0)
		free(r.names[--r.depth]);
	free(r.text_elem);
	free(r.text_op);
	free(r.object_id);
	sw_buf_release(&r.text);
	int ret = 0;
	if (rc == -2)
		ret = sw_err_set(err, SW_E_FORMAT, "'%s': not an OVAL definitions document (no <oval_definitions>)",
				 d->path);
	else if (rc == -3)
		ret = sw_err_set(err, SW_E_FORMAT, "'%s': elements nested deeper than %d", d->path, MAX_DEPTH);
	else if (rc == -4)
		ret = sw_err_set(err, SW_E_LIMIT, "'%s': a text longer than 1 MiB", d->path);
	else if (rc < 0 || r.error)
		ret = sw_err_set(err, SW_E_FORMAT, "'%s': bad xml at %s", d->path,
				 r.error ? r.error : "an unknown place");
	else if (!root_seen)
		ret = sw_err_set(err, SW_E_FORMAT, "'%s': not an OVAL definitions document (empty)", d->path);
	free(r.error);
	return ret;
}

/* ------------------------------------------------------------ mapping */

/* Expand n (under negation neg) into AND paths of leaves; -1 past MAX_PATHS. */
static int expand(struct node *n, bool neg, struct sw_vec *paths)
{
	bool eff = neg != n->negate;
	if (n->kind != N_CRITERIA) {
		n->eff_neg = eff;
		struct sw_vec *p = sw_xcalloc(1, sizeof(*p));
		sw_vec_push(p, n);
		sw_vec_push(paths, p);
		return 0;
	}
	bool and_op = eff ? !n->and_op : n->and_op;
	if (!and_op) {
		for (size_t i = 0; i < n->kids.len; i++) {
			if (expand(n->kids.items[i], eff, paths) < 0)
				return -1;
			if (paths->len > MAX_PATHS)
				return -1;
		}
		return 0;
	}
	/* AND: the cross product of the children's paths */
	struct sw_vec acc = SW_VEC_INIT;
	sw_vec_push(&acc, sw_xcalloc(1, sizeof(struct sw_vec)));
	int rc = 0;
	for (size_t i = 0; i < n->kids.len && rc == 0; i++) {
		struct sw_vec kid = SW_VEC_INIT, next = SW_VEC_INIT;
		rc = expand(n->kids.items[i], eff, &kid);
		if (rc == 0 && acc.len * kid.len > MAX_PATHS)
			rc = -1;
		for (size_t a = 0; rc == 0 && a < acc.len; a++) {
			for (size_t k = 0; k < kid.len; k++) {
				struct sw_vec *p = sw_xcalloc(1, sizeof(*p)), *x = acc.items[a], *y = kid.items[k];
				for (size_t j = 0; j < x->len; j++)
					sw_vec_push(p, x->items[j]);
				for (size_t j = 0; j < y->len; j++)
					sw_vec_push(p, y->items[j]);
				sw_vec_push(&next, p);
			}
		}
		for (size_t k = 0; k < kid.len; k++) {
			sw_vec_release(kid.items[k]);
			free(kid.items[k]);
		}
		sw_vec_release(&kid);
		for (size_t a = 0; a < acc.len; a++) {
			sw_vec_release(acc.items[a]);
			free(acc.items[a]);
		}
		sw_vec_release(&acc);
		acc = next;
	}
	for (size_t a = 0; a < acc.len; a++) {
		if (rc == 0)
			sw_vec_push(paths, acc.items[a]);
		else {
			sw_vec_release(acc.items[a]);
			free(acc.items[a]);
		}
	}
	sw_vec_release(&acc);
	return rc == 0 && paths->len <= MAX_PATHS ? 0 : -1;
}

/* "0:3.27.2-5.ph3" -> "3.27.2-5.ph3" */
static const char *drop_zero_epoch(const char *v)
{
	return sw_starts_with(v, "0:") ? v + 2 : v;
}

/* The leading number of "^8[^\d]", "^5", "15.1", "8.4": "8", "5", "15.1", "8.4". */
static char *version_of(const char *op, const char *v)
{
	if (!v)
		return NULL;
	if (op && !strcasecmp(op, "pattern match")) {
		if (*v == '^')
			v++;
		size_t n = strspn(v, "0123456789");
		return n ? sw_xstrndup(v, n) : NULL;
	}
	size_t n = strspn(v, "0123456789.");
	return n && isdigit((unsigned char)*v) ? sw_xstrndup(v, n) : NULL;
}

/* "15 SP1" -> "15.1", "15" -> "15", "12 SP5-LTSS" -> "12.5" */
static char *sle_version(const char *v)
{
	size_t n = strspn(v, "0123456789");
	if (!n)
		return NULL;
	const char *sp = strstr(v, " SP");
	if (sp && isdigit((unsigned char)sp[3]))
		return sw_xasprintf("%.*s.%.*s", (int)n, v, (int)strspn(sp + 3, "0123456789"), sp + 3);
	return sw_xstrndup(v, n);
}

/* The ecosystem for a product named by a platform or an "X is installed"
 * comment; file_release for a platform without a version. */
static char *platform_ecosystem(const char *p, const char *file_release)
{
	static const struct { const char *prefix, *eco; } simple[] = {
		{ "Oracle Linux ", "Oracle Linux:" },
		{ "Red Hat Enterprise Linux ", "Red Hat:enterprise_linux:" },
		{ "Photon OS ", "Photon OS:" },
		{ "Photon ", "Photon OS:" },
		{ "Debian GNU/Linux ", "Debian:" },
		{ "Ubuntu ", "Ubuntu:" },
		{ "openSUSE Leap ", "openSUSE Leap:" },
	};
	for (size_t i = 0; i < sizeof(simple) / sizeof(simple[0]); i++) {
		size_t n = strlen(simple[i].prefix);
		if (strncmp(p, simple[i].prefix, n) != 0)
			continue;
		const char *v = p + n;
		size_t m = strspn(v, "0123456789.");
		if (!m || !isdigit((unsigned char)*v))
			break;
		char *num = sw_xstrndup(v, m);
		/* the major number, except where releases are major.minor */
		if (strncmp(p, "Ubuntu", 6) != 0 && strncmp(p, "openSUSE", 8) != 0)
			num[strcspn(num, ".")] = '\0';
		char *r = sw_xasprintf("%s%s", simple[i].eco, num);
		free(num);
		return r;
	}
	if (sw_starts_with(p, "SUSE Linux Enterprise ")) {
		const char *v = p + strlen("SUSE Linux Enterprise ");
		while (*v && !isdigit((unsigned char)*v))
			v++;
		char *num = *v ? sle_version(v) : NULL;
		if (num) {
			char *r = sw_xasprintf("SUSE Linux Enterprise:%s", num);
			free(num);
			return r;
		}
	}
	if (!strcmp(p, "CBL-Mariner") && file_release)
		return sw_xasprintf("Mariner:%s", file_release);
	if (!strcmp(p, "Azure Linux") && file_release)
		return sw_xasprintf("Azure Linux:%s", file_release);
	return sw_xstrdup(p);
}

/* The ecosystem of a "*-release" package at version v. */
static char *release_ecosystem(const char *pkg, const char *v)
{
	if (!strcasecmp(pkg, "oraclelinux-release") || !strcasecmp(pkg, "enterprise-release"))
		return sw_xasprintf("Oracle Linux:%.*s", (int)strcspn(v, "."), v);
	if (sw_starts_with(pkg, "redhat-release") || !strcasecmp(pkg, "centos-release"))
		return sw_xasprintf("Red Hat:enterprise_linux:%.*s", (int)strcspn(v, "."), v);
	if (!strcasecmp(pkg, "photon-release"))
		return sw_xasprintf("Photon OS:%.*s", (int)strcspn(v, "."), v);
	if (!strncasecmp(pkg, "sle", 3))
		return sw_xasprintf("SUSE Linux Enterprise:%s", v);
	if (!strcasecmp(pkg, "openSUSE-release"))
		return sw_xasprintf("openSUSE Leap:%s", v);
	return sw_xasprintf("%s:%s", pkg, v);
}

struct pkgcheck {
	const char *name;
	enum { PC_RANGE, PC_EXACT, PC_NOT_AFFECTED } kind;
	enum sw_event_kind ev;   /* PC_RANGE */
	const char *version;
};

struct path_result {
	struct sw_vec ecos;      /* char* */
	struct sw_vec checks;    /* struct pkgcheck* */
};

static const char *installed_suffix(const char *c)
{
	static const char *const sfx[] = { " is installed", " is installed." };
	for (size_t i = 0; c && i < 2; i++)
		if (ends_with_ci(c, sfx[i]))
			return c + strlen(c) - strlen(sfx[i]);
	return NULL;
}

/* Read one leaf of an AND path into res. */
static void read_leaf(struct doc *d, const struct def *df, const struct node *n, struct path_result *res)
{
	const char *sfx = installed_suffix(n->comment);
	if (n->kind == N_EXTEND) {
		if (sfx && !n->eff_neg) {
			char *pl = sw_xstrndup(n->comment, (size_t)(sfx - n->comment));
			sw_vec_push(&res->ecos, platform_ecosystem(pl, d->file_release));
			free(pl);
		} else {
			not_evaluated(d, "extend_definition", df->id);
		}
		return;
	}
	const struct test *t = n->ref ? sw_map_get(&d->tests, n->ref) : NULL;
	if (!t) {
		not_evaluated(d, "criterion without a known test", df->id);
		return;
	}
	bool pkg_test = !strcmp(t->type, "rpminfo_test") || !strcmp(t->type, "dpkginfo_test");
	const char *name = pkg_test && t->object ? sw_map_get(&d->objects, t->object) : NULL;
	if (!pkg_test || !name) {
		if (sfx && !n->eff_neg) {
			char *pl = sw_xstrndup(n->comment, (size_t)(sfx - n->comment));
			sw_vec_push(&res->ecos, platform_ecosystem(pl, d->file_release));
			free(pl);
		} else {
			not_evaluated(d, pkg_test ? "package test on an unnamed object" : t->type, df->id);
		}
		return;
	}
	for (size_t i = 0; i < t->states.len; i++) {
		const struct state *s = sw_map_get(&d->states, t->states.items[i]);
		if (!s) {
			not_evaluated(d, "test with an unknown state", df->id);
			continue;
		}
		if (s->other) {
			/* e.g. Oracle's ksplice packages (a release pattern): the
			 * check cannot be told apart, so it is not used */
			not_evaluated(d, "state check other than evr/version/arch/signature", df->id);
			continue;
		}
		if (s->ver && ends_with_ci(name, "-release")) {
			char *v = version_of(s->ver_op, s->ver);
			if (v && !n->eff_neg && (!strcasecmp(s->ver_op, "equals") || !strcasecmp(s->ver_op, "pattern match")))
				sw_vec_push(&res->ecos, release_ecosystem(name, v));
			else
				not_evaluated(d, "release check (negated or other operation)", df->id);
			free(v);
		} else if (s->ver) {
			not_evaluated(d, "version check on a package", df->id);
		}
		if (!s->evr)
			continue;
		struct pkgcheck *c = sw_xcalloc(1, sizeof(*c));
		c->name = name;
		c->version = drop_zero_epoch(s->evr);
		const char *op = s->evr_op;
		bool neg = n->eff_neg;
		if (!strcasecmp(op, "less than"))
			c->ev = neg ? SW_EV_INTRODUCED : SW_EV_FIXED;
		else if (!strcasecmp(op, "less than or equal") && !neg)
			c->ev = SW_EV_LAST_AFFECTED;
		else if (!strcasecmp(op, "greater than or equal") || !strcasecmp(op, "greater than"))
			c->ev = neg ? SW_EV_FIXED : SW_EV_INTRODUCED;
		else if (!strcasecmp(op, "equals") && !neg)
			c->kind = (!strcmp(c->version, "0") || !strcmp(c->version, "0-0")) ? PC_NOT_AFFECTED : PC_EXACT;
		else {
			not_evaluated(d, "evr check (operation)", df->id);
			free(c);
			continue;
		}
		sw_vec_push(&res->checks, c);
	}
}

static char *record_id(const struct def *df)
{
	if (df->adv_ids.len)
		return sw_xstrdup(df->adv_ids.items[0]);
	if (df->title) {
		size_t n = strcspn(df->title, " \t");
		char *w = sw_xstrndup(df->title, n);
		if (sw_src_is_advisory_id(w))
			return w;
		free(w);
	}
	if (df->cves.len)
		return sw_xstrdup(df->cves.items[0]);
	return sw_xstrdup(df->id);
}

static void add_check(struct sw_vuln *v, const char *eco, const struct pkgcheck *c, const struct sw_vec *group)
{
	if (c->kind == PC_NOT_AFFECTED) {
		(void)sw_src_affected(v, eco, c->name, SW_ST_NOT_AFFECTED);
		return;
	}
	/* the path's checks on this package make one range */
	bool fixed = false;
	for (size_t i = 0; i < group->len; i++) {
		const struct pkgcheck *g = group->items[i];
		fixed |= g->kind == PC_RANGE && g->ev == SW_EV_FIXED;
	}
	struct sw_affected *a = sw_src_affected(v, eco, c->name, fixed ? SW_ST_FIXED : SW_ST_AFFECTED);
	if (c->kind == PC_EXACT) {
		sw_src_push_unique(&a->versions, c->version);
		return;
	}
	struct sw_range *r = sw_range_new("ECOSYSTEM");
	const char *intro = "0";
	for (size_t i = 0; i < group->len; i++) {
		const struct pkgcheck *g = group->items[i];
		if (g->kind == PC_RANGE && g->ev == SW_EV_INTRODUCED)
			intro = g->version;
	}
	sw_range_add_event(r, SW_EV_INTRODUCED, intro);
	for (size_t i = 0; i < group->len; i++) {
		const struct pkgcheck *g = group->items[i];
		if (g->kind == PC_RANGE && g->ev != SW_EV_INTRODUCED)
			sw_range_add_event(r, g->ev, g->version);
	}
	/* the same range already there (several paths, several architectures) */
	for (size_t i = 0; i < a->ranges.len; i++) {
		const struct sw_range *o = a->ranges.items[i];
		bool same = o->events.len == r->events.len;
		for (size_t k = 0; same && k < o->events.len; k++) {
			const struct sw_event *x = o->events.items[k], *y = r->events.items[k];
			same = x->kind == y->kind && !strcmp(x->version, y->version);
		}
		if (same) {
			sw_range_free(r);
			return;
		}
	}
	sw_vec_push(&a->ranges, r);
}

static void map_def(struct doc *d, struct def *df, struct sw_src_group *g, const struct sw_vuln_sink *sink)
{
	const char *rec = df->id ? df->id : "definition";
	if (!df->id || !df->criteria) {
		sw_src_bad(sink, d->path, rec, "definition without %s", df->id ? "criteria" : "an id");
		return;
	}
	struct sw_vec paths = SW_VEC_INIT;
	int rc = expand(df->criteria, false, &paths);
	if (rc < 0) {
		sw_src_bad(sink, d->path, rec, "criteria expand to more than %d alternatives", MAX_PATHS);
	} else {
		char *id = record_id(df);
		struct sw_vuln *v = sw_src_group_get(g, id);
		free(id);
		for (size_t i = 0; i < df->cves.len; i++)
			if (strcmp(df->cves.items[i], v->id) != 0)
				sw_src_push_unique(&v->aliases, df->cves.items[i]);
		for (size_t i = 0; i < df->adv_ids.len; i++)
			if (strcmp(df->adv_ids.items[i], v->id) != 0)
				sw_src_push_unique(&v->aliases, df->adv_ids.items[i]);
		for (size_t i = 0; i < df->urls.len; i++)
			sw_src_push_unique(&v->references, df->urls.items[i]);
		if (!v->summary && df->title)
			v->summary = sw_xstrdup(df->title);
		if (!v->details && df->description)
			v->details = sw_xstrdup(df->description);
		if (!v->published && df->issued && strlen(df->issued) == 10)
			v->published = sw_xasprintf("%sT00:00:00Z", df->issued);
		if (df->severity)
			sw_src_add_severity(v, d->source, "TEXT", NULL, -1, df->severity);
		/* Mariner: "Not Applicable" -- the CVE does not apply */
		bool not_applicable = df->patchable && !strcasecmp(df->patchable, "Not Applicable");
		for (size_t p = 0; p < paths.len; p++) {
			struct path_result res = { SW_VEC_INIT, SW_VEC_INIT };
			struct sw_vec *leaves = paths.items[p];
			for (size_t k = 0; k < leaves->len; k++)
				read_leaf(d, df, leaves->items[k], &res);
			if (!res.ecos.len)
				for (size_t k = 0; k < df->platforms.len; k++)
					sw_vec_push(&res.ecos, platform_ecosystem(df->platforms.items[k], d->file_release));
			for (size_t e = 0; e < res.ecos.len && res.checks.len; e++) {
				/* group the path's checks per package */
				for (size_t k = 0; k < res.checks.len; k++) {
					struct pkgcheck *c = res.checks.items[k];
					bool first = true;
					for (size_t j = 0; j < k && first; j++)
						first = strcmp(((struct pkgcheck *)res.checks.items[j])->name, c->name) != 0;
					if (!first)
						continue;
					struct sw_vec same = SW_VEC_INIT;
					for (size_t j = k; j < res.checks.len; j++)
						if (!strcmp(((struct pkgcheck *)res.checks.items[j])->name, c->name))
							sw_vec_push(&same, res.checks.items[j]);
					if (not_applicable) {
						(void)sw_src_affected(v, res.ecos.items[e], c->name, SW_ST_NOT_AFFECTED);
					} else {
						add_check(v, res.ecos.items[e], c, &same);
					}
					sw_vec_release(&same);
				}
			}
			sw_vec_free_strings(&res.ecos);
			for (size_t k = 0; k < res.checks.len; k++)
				free(res.checks.items[k]);
			sw_vec_release(&res.checks);
		}
		/* the distro's word for every package of the record */
		for (size_t i = 0; df->severity && i < v->affected.len; i++) {
			struct sw_affected *a = v->affected.items[i];
			if (!a->severity)
				a->severity = sw_xstrdup(df->severity);
		}
	}
	for (size_t p = 0; p < paths.len; p++) {
		sw_vec_release(paths.items[p]);
		free(paths.items[p]);
	}
	sw_vec_release(&paths);
}

/* "cbl-mariner-2.0-oval.xml", "azurelinux-3.0-oval.xml" -> "2.0", "3.0" */
static char *file_release(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	const char *o = strstr(base, "-oval");
	if (!o)
		return NULL;
	const char *s = o;
	while (s > base && (isdigit((unsigned char)s[-1]) || s[-1] == '.'))
		s--;
	return s < o && isdigit((unsigned char)*s) ? sw_xstrndup(s, (size_t)(o - s)) : NULL;
}

static int oval_import_as(const char *source, const char *path, const uint8_t *data, size_t len,
			  const struct sw_vuln_sink *sink, struct sw_err *err)
{
	struct sw_err lerr = SW_ERR_INIT;
	if (sw_libxml_load(&lerr) < 0)
		return sw_err_set(err, lerr.code, "'%s': %s", path, lerr.msg);
	struct doc d = { .path = path, .source = source };
	d.file_release = file_release(path);
	int rc = read_doc(&d, data, len, err);
	struct sw_src_group g;
	sw_src_group_init(&g, source);
	if (rc == 0) {
		for (size_t i = 0; i < d.defs.len; i++)
			map_def(&d, d.defs.items[i], &g, sink);
		for (size_t i = 0; i < d.skipped_order.len; i++) {
			const struct skip *s = sw_map_get(&d.skipped, d.skipped_order.items[i]);
			sw_src_bad(sink, path, d.skipped_order.items[i], "%zu criteria not evaluated (first in %s)", s->n,
				   s->first);
		}
		rc = sw_src_group_emit(&g, sink, path, err);
	}
	sw_src_group_release(&g);
	sw_vec_free_all(&d.defs, def_free);
	sw_map_free_all(&d.tests, test_free);
	sw_map_free_all(&d.objects, free);
	sw_map_free_all(&d.states, state_free);
	sw_map_free_all(&d.skipped, skip_free);
	sw_vec_free_strings(&d.skipped_order);
	free(d.file_release);
	return rc;
}

static bool oval_wants(const char *path)
{
	return sw_src_name_is(path, NULL, ".xml");
}

#define OVAL_SOURCE(sym, nm, fn, sum, url)                                                          \
	static int fn(const char *path, const uint8_t *data, size_t len, const struct sw_vuln_sink *sink, \
		      struct sw_err *err)                                                           \
	{                                                                                           \
		return oval_import_as(nm, path, data, len, sink, err);                              \
	}                                                                                           \
	const struct sw_vuln_source sym = {                                                         \
		.name = nm, .summary = sum, .default_url = url, .wants = oval_wants, .import_file = fn, \
	}

OVAL_SOURCE(sw_source_oval, "oval", oval_import_generic, "OVAL 5 definitions (any vendor; rpminfo/dpkginfo tests)",
	    NULL);
OVAL_SOURCE(sw_source_oracle, "oracle", oval_import_oracle, "Oracle Linux ELSA OVAL",
	    "https://linux.oracle.com/security/oval/com.oracle.elsa-all.xml.bz2");
OVAL_SOURCE(sw_source_suse, "suse", oval_import_suse, "SUSE Linux Enterprise / openSUSE OVAL",
	    "https://ftp.suse.com/pub/projects/security/oval/suse.linux.enterprise.15.xml.gz");
OVAL_SOURCE(sw_source_mariner, "mariner", oval_import_mariner, "CBL-Mariner / Azure Linux OVAL",
	    "https://raw.githubusercontent.com/microsoft/AzureLinuxVulnerabilityData/main/azurelinux-3.0-oval.xml");
OVAL_SOURCE(sw_source_photon, "photon", oval_import_photon, "VMware Photon OS OVAL (PHSA)",
	    "https://packages.vmware.com/photon/photon_oval_definitions/com.vmware.phsa-photon5.xml");
