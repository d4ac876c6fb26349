/* common.c - helpers shared by the language analyzers. */
#include "inventory/lang/lang_internal.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

struct sw_package *sw_lang_add(struct sw_pkglist *out, const char *type, const char *ns,
			       const char *name, const char *version, const char *path)
{
	struct sw_package *p = sw_package_new(type);
	p->namespace_ = ns && *ns ? sw_xstrdup(ns) : NULL;
	p->name = sw_xstrdup(name);
	p->version = sw_xstrdup(version);
	p->path = sw_xstrdup(path);
	sw_vec_push(&out->pkgs, p);
	return p;
}

struct sw_package *sw_lang_add_once(struct sw_pkglist *out, struct sw_map *seen, const char *type,
				    const char *ns, const char *name, const char *version,
				    const char *path, bool *added)
{
	char *key = sw_xasprintf("%s\x1f%s\x1f%s\x1f%s\x1f%s", type, ns ? ns : "", name,
				 version ? version : "", path ? path : "");
	struct sw_package *p = sw_map_get(seen, key);
	if (p) {
		free(key);
		*added = false;
		return p;
	}
	p = sw_lang_add(out, type, ns, name, version, path);
	sw_map_put(seen, key, p);
	free(key);
	*added = true;
	return p;
}

json_t *sw_lang_json(const char *path, const uint8_t *data, size_t len, struct sw_pkglist *out)
{
	json_error_t jerr;
	json_t *j = json_loadb((const char *)data, len, JSON_ALLOW_NUL, &jerr);
	if (!j)
		sw_pkglist_warn(out, "%s: invalid json: %s (line %d)", path, jerr.text, jerr.line);
	return j;
}

const char *sw_lang_jstr(const json_t *obj, const char *key)
{
	if (!json_is_object(obj))
		return NULL;
	const json_t *v = json_object_get(obj, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static void add_license(struct sw_package *p, const char *s)
{
	if (!s || !*s || p->licenses.len >= SW_LANG_MAX_LICENSES || sw_vec_find_str(&p->licenses, s) >= 0)
		return;
	sw_vec_push_strdup(&p->licenses, s);
}

void sw_lang_json_licenses(struct sw_package *p, const json_t *v)
{
	if (json_is_string(v)) {
		add_license(p, json_string_value(v));
	} else if (json_is_object(v)) {
		add_license(p, sw_lang_jstr(v, "type"));
	} else if (json_is_array(v)) {
		size_t i;
		const json_t *e;
		json_array_foreach(v, i, e) {
			if (json_is_string(e))
				add_license(p, json_string_value(e));
			else if (json_is_object(e))
				add_license(p, sw_lang_jstr(e, "type"));
		}
	}
}

void sw_lang_split_last(const char *s, char sep, char **ns, char **name)
{
	const char *slash = strrchr(s, sep);
	if (!slash) {
		*ns = NULL;
		*name = sw_xstrdup(s);
		return;
	}
	*ns = sw_xstrndup(s, (size_t)(slash - s));
	*name = sw_xstrdup(slash + 1);
}

const char *sw_lang_base(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

bool sw_lang_has_component(const char *path, const char *comp)
{
	size_t n = strlen(comp);
	const char *p = path;
	while ((p = strstr(p, comp)) != NULL) {
		bool start = p == path || p[-1] == '/';
		bool end = p[n] == '\0' || p[n] == '/';
		if (start && end)
			return true;
		p++;
	}
	return false;
}

bool sw_lines_next(struct sw_lines *it, const char **line, size_t *len)
{
	if (it->p >= it->end)
		return false;
	const char *s = it->p;
	const char *nl = memchr(s, '\n', (size_t)(it->end - s));
	const char *e = nl ? nl : it->end;
	it->p = nl ? nl + 1 : it->end;
	if (e > s && e[-1] == '\r')
		e--;
	*line = s;
	*len = (size_t)(e - s);
	return true;
}

void sw_lang_trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' || (*s)[*n - 1] == '\r'))
		(*n)--;
}

/* ---- YAML ---- */

/* Deepest nesting of flow collections ([ and {) outside quoted scalars.
 * libyaml takes time quadratic in that depth, so it is checked first. */
static size_t flow_depth(const uint8_t *d, size_t len)
{
	size_t depth = 0, max = 0;
	char q = 0;
	for (size_t i = 0; i < len; i++) {
		char c = (char)d[i];
		if (c == '\n') {
			q = 0;
		} else if (q) {
			if (c == q)
				q = 0;
		} else if (c == '\'' || c == '"') {
			q = c;
		} else if (c == '[' || c == '{') {
			if (++depth > max)
				max = depth;
		} else if ((c == ']' || c == '}') && depth) {
			depth--;
		}
	}
	return max;
}

/* True when the stream holds an anchor or an alias.  libyaml's loader
 * looks anchors up linearly, and an alias makes one node reachable from
 * many places: our walks then do the node's work once per reference
 * (quadratic and more in the file's size).  Without '&' or '*' bytes
 * there can be neither; otherwise the events say.  A stream that does
 * not parse answers false here: the load reports it. */
static bool has_anchors(const uint8_t *data, size_t len)
{
	if (!memchr(data, '&', len) && !memchr(data, '*', len))
		return false;
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p))
		return false;
	yaml_parser_set_input_string(&p, data, len);
	bool found = false, end = false;
	while (!found && !end) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&p, &ev))
			break;
		switch (ev.type) {
		case YAML_ALIAS_EVENT:
			found = true;
			break;
		case YAML_SCALAR_EVENT:
			found = ev.data.scalar.anchor != NULL;
			break;
		case YAML_SEQUENCE_START_EVENT:
			found = ev.data.sequence_start.anchor != NULL;
			break;
		case YAML_MAPPING_START_EVENT:
			found = ev.data.mapping_start.anchor != NULL;
			break;
		case YAML_STREAM_END_EVENT:
			end = true;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	return found;
}

int sw_yaml_load(struct sw_yaml *y, const char *path, const uint8_t *data, size_t len,
		 struct sw_pkglist *out)
{
	yaml_parser_t parser;
	y->ndocs = 0;
	if (has_anchors(data, len)) {
		sw_pkglist_warn(out, "%s: yaml anchors or aliases, not read (lockfiles never use them)", path);
		return -1;
	}
	if (flow_depth(data, len) > SW_YAML_MAX_FLOW_DEPTH) {
		sw_pkglist_warn(out, "%s: yaml nested deeper than %d levels, not read", path,
				SW_YAML_MAX_FLOW_DEPTH);
		return -1;
	}
	if (!yaml_parser_initialize(&parser))
		return -1;
	yaml_parser_set_input_string(&parser, data, len);
	for (;;) {
		if (y->ndocs == (int)(sizeof(y->docs) / sizeof(y->docs[0])))
			break;
		yaml_document_t *d = &y->docs[y->ndocs];
		if (!yaml_parser_load(&parser, d)) {
			sw_pkglist_warn(out, "%s: invalid yaml: %s (line %lu)", path,
					parser.problem ? parser.problem : "parse error",
					(unsigned long)parser.problem_mark.line + 1);
			yaml_parser_delete(&parser);
			sw_yaml_release(y);
			return -1;
		}
		if (!yaml_document_get_root_node(d)) {
			yaml_document_delete(d);
			break;
		}
		y->ndocs++;
	}
	yaml_parser_delete(&parser);
	return 0;
}

void sw_yaml_release(struct sw_yaml *y)
{
	for (int i = 0; i < y->ndocs; i++)
		yaml_document_delete(&y->docs[i]);
	y->ndocs = 0;
}

yaml_node_t *sw_yaml_root(struct sw_yaml *y, int doc)
{
	if (doc < 0 || doc >= y->ndocs)
		return NULL;
	return yaml_document_get_root_node(&y->docs[doc]);
}

yaml_node_t *sw_yaml_get(yaml_document_t *d, yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	size_t klen = strlen(key);
	for (yaml_node_pair_t *pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top;
	     pr++) {
		yaml_node_t *k = yaml_document_get_node(d, pr->key);
		if (k && k->type == YAML_SCALAR_NODE && k->data.scalar.length == klen &&
		    memcmp(k->data.scalar.value, key, klen) == 0)
			return yaml_document_get_node(d, pr->value);
	}
	return NULL;
}

char *sw_yaml_str(yaml_node_t *n)
{
	if (!n || n->type != YAML_SCALAR_NODE)
		return NULL;
	return sw_xstrndup((const char *)n->data.scalar.value, n->data.scalar.length);
}

bool sw_yaml_is_true(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE && n->data.scalar.length == 4 &&
	       memcmp(n->data.scalar.value, "true", 4) == 0;
}

/* ---- ELF ---- */

uint64_t sw_elf_rd(const uint8_t *p, unsigned n, bool be)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++) {
		unsigned idx = be ? i : n - 1 - i;
		v = (v << 8) | p[idx];
	}
	return v;
}

static bool in_file(const struct sw_elf *e, uint64_t off, uint64_t size)
{
	return off <= e->len && size <= e->len - off;
}

int sw_elf_open(struct sw_elf *e, const uint8_t *d, size_t len)
{
	memset(e, 0, sizeof(*e));
	if (len < 52 || memcmp(d, "\x7f" "ELF", 4) != 0)
		return -1;
	if (d[4] != 1 && d[4] != 2)
		return -1;
	if (d[5] != 1 && d[5] != 2)
		return -1;
	e->data = d;
	e->len = len;
	e->is64 = d[4] == 2;
	e->be = d[5] == 2;
	if (e->is64) {
		if (len < 64)
			return -1;
		e->phoff = sw_elf_rd(d + 32, 8, e->be);
		e->shoff = sw_elf_rd(d + 40, 8, e->be);
		e->phentsize = (unsigned)sw_elf_rd(d + 54, 2, e->be);
		e->phnum = (unsigned)sw_elf_rd(d + 56, 2, e->be);
		e->shentsize = (unsigned)sw_elf_rd(d + 58, 2, e->be);
		e->shnum = (unsigned)sw_elf_rd(d + 60, 2, e->be);
		e->shstrndx = (unsigned)sw_elf_rd(d + 62, 2, e->be);
	} else {
		e->phoff = sw_elf_rd(d + 28, 4, e->be);
		e->shoff = sw_elf_rd(d + 32, 4, e->be);
		e->phentsize = (unsigned)sw_elf_rd(d + 42, 2, e->be);
		e->phnum = (unsigned)sw_elf_rd(d + 44, 2, e->be);
		e->shentsize = (unsigned)sw_elf_rd(d + 46, 2, e->be);
		e->shnum = (unsigned)sw_elf_rd(d + 48, 2, e->be);
		e->shstrndx = (unsigned)sw_elf_rd(d + 50, 2, e->be);
	}
	unsigned need_sh = e->is64 ? 64 : 40, need_ph = e->is64 ? 56 : 32;
	if (e->shnum && (e->shentsize < need_sh || !in_file(e, e->shoff, (uint64_t)e->shnum * e->shentsize)))
		e->shnum = 0;
	if (e->phnum && (e->phentsize < need_ph || !in_file(e, e->phoff, (uint64_t)e->phnum * e->phentsize)))
		e->phnum = 0;
	return 0;
}

/* Section header i: name offset, file offset, size. */
static void sh_get(const struct sw_elf *e, unsigned i, uint64_t *name, uint64_t *off, uint64_t *size,
		   unsigned *type)
{
	const uint8_t *s = e->data + e->shoff + (uint64_t)i * e->shentsize;
	*name = sw_elf_rd(s, 4, e->be);
	*type = (unsigned)sw_elf_rd(s + 4, 4, e->be);
	if (e->is64) {
		*off = sw_elf_rd(s + 24, 8, e->be);
		*size = sw_elf_rd(s + 32, 8, e->be);
	} else {
		*off = sw_elf_rd(s + 16, 4, e->be);
		*size = sw_elf_rd(s + 20, 4, e->be);
	}
}

bool sw_elf_section(const struct sw_elf *e, const char *name, uint64_t *off, uint64_t *size)
{
	if (!e->shnum || e->shstrndx >= e->shnum)
		return false;
	uint64_t sn, soff, ssize;
	unsigned type;
	sh_get(e, e->shstrndx, &sn, &soff, &ssize, &type);
	if (!in_file(e, soff, ssize))
		return false;
	size_t nlen = strlen(name);
	for (unsigned i = 0; i < e->shnum; i++) {
		uint64_t n, o, sz;
		sh_get(e, i, &n, &o, &sz, &type);
		if (n >= ssize || ssize - n < nlen + 1)
			continue;
		if (memcmp(e->data + soff + n, name, nlen + 1) != 0)
			continue;
		if (type == 8 /* SHT_NOBITS */ || !in_file(e, o, sz))
			return false;
		*off = o;
		*size = sz;
		return true;
	}
	return false;
}

bool sw_elf_vaddr(const struct sw_elf *e, uint64_t vaddr, uint64_t *off)
{
	for (unsigned i = 0; i < e->phnum; i++) {
		const uint8_t *ph = e->data + e->phoff + (uint64_t)i * e->phentsize;
		uint64_t type = sw_elf_rd(ph, 4, e->be), poff, pva, pfilesz;
		if (type != 1 /* PT_LOAD */)
			continue;
		if (e->is64) {
			poff = sw_elf_rd(ph + 8, 8, e->be);
			pva = sw_elf_rd(ph + 16, 8, e->be);
			pfilesz = sw_elf_rd(ph + 32, 8, e->be);
		} else {
			poff = sw_elf_rd(ph + 4, 4, e->be);
			pva = sw_elf_rd(ph + 8, 4, e->be);
			pfilesz = sw_elf_rd(ph + 16, 4, e->be);
		}
		if (vaddr >= pva && vaddr - pva < pfilesz) {
			uint64_t o = poff + (vaddr - pva);
			if (o < poff || o >= e->len)
				return false;
			*off = o;
			return true;
		}
	}
	/* No program headers usable: try sections (relocatable or odd files). */
	for (unsigned i = 0; i < e->shnum; i++) {
		const uint8_t *s = e->data + e->shoff + (uint64_t)i * e->shentsize;
		uint64_t addr, o, sz;
		unsigned type = (unsigned)sw_elf_rd(s + 4, 4, e->be);
		if (e->is64) {
			addr = sw_elf_rd(s + 16, 8, e->be);
			o = sw_elf_rd(s + 24, 8, e->be);
			sz = sw_elf_rd(s + 32, 8, e->be);
		} else {
			addr = sw_elf_rd(s + 12, 4, e->be);
			o = sw_elf_rd(s + 16, 4, e->be);
			sz = sw_elf_rd(s + 20, 4, e->be);
		}
		if (type == 8 || !addr)
			continue;
		if (vaddr >= addr && vaddr - addr < sz) {
			uint64_t fo = o + (vaddr - addr);
			if (fo < o || fo >= e->len)
				return false;
			*off = fo;
			return true;
		}
	}
	return false;
}
