/*
 * lang_internal.h - helpers shared by the language analyzers (not public).
 *
 * Every helper that adds a package copies its strings; the package is
 * owned by the list.  Helpers never print: problems go to the list's
 * warnings as "PATH: what was wrong".
 */
#ifndef SW_INVENTORY_LANG_INTERNAL_H
#define SW_INVENTORY_LANG_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include "inventory/package.h"
#include "util/map.h"

/* Append a package (strings copied; ns may be NULL).  Returns it
 * (borrowed) so the caller can add licences or flags. */
struct sw_package *sw_lang_add(struct sw_pkglist *out, const char *type, const char *ns,
			       const char *name, const char *version, const char *path);

/* Same, but if a package with the same type/ns/name/version was already
 * added through `seen` (a map the caller releases with sw_map_release),
 * return that one and add nothing: *added tells which. */
struct sw_package *sw_lang_add_once(struct sw_pkglist *out, struct sw_map *seen, const char *type,
				    const char *ns, const char *name, const char *version,
				    const char *path, bool *added);

/* Parse JSON from memory; on failure add a warning "PATH: invalid json:
 * ..." and return NULL. */
json_t *sw_lang_json(const char *path, const uint8_t *data, size_t len, struct sw_pkglist *out);
/* String member or NULL. */
const char *sw_lang_jstr(const json_t *obj, const char *key);
/* Licences kept per package (more are ignored: bounded work on hostile input). */
#define SW_LANG_MAX_LICENSES 64

/* Add the licence(s) found in a JSON value: a string, an object with
 * "type", or an array of either. */
void sw_lang_json_licenses(struct sw_package *p, const json_t *v);

/* Split "a/b/c" into namespace "a/b" and name "c" (malloc'd; ns NULL when
 * there is no '/'). */
void sw_lang_split_last(const char *s, char sep, char **ns, char **name);

/* Path helpers on image paths. */
const char *sw_lang_base(const char *path);
bool sw_lang_has_component(const char *path, const char *comp);

/* Line iterator over a byte range. */
struct sw_lines {
	const char *p, *end;
};
/* Next line without its "\n" (and "\r"); false at the end. */
bool sw_lines_next(struct sw_lines *it, const char **line, size_t *len);

/* Trim ASCII blanks on both sides of [*s, *s+*n). */
void sw_lang_trim(const char **s, size_t *n);

/* YAML documents loaded from memory (all documents of the stream). */
struct sw_yaml {
	yaml_document_t docs[8];
	int ndocs;
};
#define SW_YAML_MAX_FLOW_DEPTH 256
/* Load; on failure add a warning and return -1 (nothing to release).
 * Flow collections nested deeper than SW_YAML_MAX_FLOW_DEPTH are refused
 * (libyaml's time grows with the square of that depth), and so are
 * anchors and aliases (a few hundred KB of aliases expand to billions of
 * nodes for a walk; pnpm writes lockfiles without them). */
int sw_yaml_load(struct sw_yaml *y, const char *path, const uint8_t *data, size_t len,
		 struct sw_pkglist *out);
void sw_yaml_release(struct sw_yaml *y);
yaml_node_t *sw_yaml_root(struct sw_yaml *y, int doc);
/* Mapping member by key (scalar key), or NULL. */
yaml_node_t *sw_yaml_get(yaml_document_t *d, yaml_node_t *map, const char *key);
/* Scalar value as a malloc'd string or NULL when not a scalar. */
char *sw_yaml_str(yaml_node_t *n);
bool sw_yaml_is_true(yaml_node_t *n);

/* ELF access, bounds-checked. */
struct sw_elf {
	const uint8_t *data;
	size_t len;
	bool is64, be;
	uint64_t shoff, phoff;
	unsigned shnum, shentsize, shstrndx, phnum, phentsize;
};
/* 0 when data is an ELF file whose header fits; -1 otherwise. */
int sw_elf_open(struct sw_elf *e, const uint8_t *data, size_t len);
/* Find a section by name; fills file offset and size (checked to lie in
 * the file).  Returns false if absent or out of bounds. */
bool sw_elf_section(const struct sw_elf *e, const char *name, uint64_t *off, uint64_t *size);
/* Translate a virtual address to a file offset via PT_LOAD segments. */
bool sw_elf_vaddr(const struct sw_elf *e, uint64_t vaddr, uint64_t *off);
uint64_t sw_elf_rd(const uint8_t *p, unsigned n, bool be);

/* wants() of the binary analyzers: any exec bit, 1 KiB .. 512 MiB. */
bool sw_lang_exec_wants(const char *path, unsigned mode, uint64_t size);

#endif
