/*
 * package.h - one package of the bill of materials.
 *
 * A package owns every string and vector in it.  Create with
 * sw_package_new(), free with sw_package_free() (NULL allowed).  Parsers
 * (dpkg, apk, rpm, language analyzers) fill the identity fields; the
 * inventory fills purl, layer and owner when the image is assembled.
 */
#ifndef SW_INVENTORY_PACKAGE_H
#define SW_INVENTORY_PACKAGE_H

#include <stdbool.h>

#include "util/vec.h"

/* Package types are purl types: "deb", "apk", "rpm", "pypi", "npm",
 * "maven", "golang", "cargo", "gem", "composer", "nuget". */

enum sw_pkg_flags {
	SW_PKG_DECLARED = 1 << 0,   /* from a lockfile/manifest, not seen installed */
	SW_PKG_DEV = 1 << 1,        /* development-only dependency */
	SW_PKG_STDLIB = 1 << 2,     /* language standard library (Go "stdlib") */
	SW_PKG_MAIN_MODULE = 1 << 3,/* main module of a binary */
	SW_PKG_FILES_ONLY = 1 << 4, /* internal: carries only the file list of the package `name` (dpkg info/NAME.list) */
};

struct sw_package {
	char *type;            /* purl type, see above */
	char *namespace_;      /* purl namespace: maven groupId, npm "@scope", golang module path head; NULL if none */
	char *name;            /* dpkg/apk/rpm name; for maven the artifactId, npm the name without scope */
	char *version;         /* as the ecosystem spells it: dpkg "[E:]U[-R]", apk "1.2-r0",
	                          rpm "V-R" (epoch separate), PEP 440, semver, ... */
	int epoch;             /* rpm only: -1 when the header has none */
	char *arch;            /* NULL if none */
	char *source_name;     /* dpkg Source, apk origin, rpm source rpm name; NULL = same as name */
	char *source_version;  /* NULL = same as version */
	char *vendor;          /* rpm vendor */
	char *modularity;      /* rpm modularity label */
	char *maintainer;
	struct sw_vec licenses;/* char*, as declared (SPDX where the source says so) */
	char *purl;            /* filled by sw_purl_for_package() */
	char *path;            /* image path of the database/manifest/binary it came from (no leading '/') */
	struct sw_vec files;   /* char*, image paths the package owns, as parsed (may be empty; a built inventory drops them) */
	unsigned flags;        /* enum sw_pkg_flags */
	char *owner;           /* language packages: "deb:NAME" etc. of the OS package owning `path`, or NULL */
	int layer_index;       /* layer that introduced this version; -1 unknown */
	char *layer_diff_id;
	char *layer_created_by;
	struct sw_vec deps;    /* char*, names of direct dependencies, optional */
};

/* The words the reports use for the public flags ("declared", "dev",
 * "stdlib", "main-module"): sw_package_flag_name() returns NULL for a bit
 * without one, sw_package_flag_parse() 0 for an unknown word. */
const char *sw_package_flag_name(unsigned bit);
unsigned sw_package_flag_parse(const char *word);
#define SW_PKG_PUBLIC_FLAGS (SW_PKG_DECLARED | SW_PKG_DEV | SW_PKG_STDLIB | SW_PKG_MAIN_MODULE)

struct sw_package *sw_package_new(const char *type);
void sw_package_free(struct sw_package *p);
void sw_package_free_v(void *p);   /* for sw_vec_free_all */
struct sw_package *sw_package_dup(const struct sw_package *p);
/* "name@version" style key used to identify a package inside one db:
 * type/namespace/name/arch (version not included).  malloc'd. */
char *sw_package_key(const struct sw_package *p);
/* Full comparable version: rpm "[E:]V-R", others `version`.  malloc'd. */
char *sw_package_full_version(const struct sw_package *p);

/* A list of packages parsed from one file. */
struct sw_pkglist {
	struct sw_vec pkgs;       /* struct sw_package*, owned */
	struct sw_vec warnings;   /* char*, owned: "path: what was wrong" */
};
#define SW_PKGLIST_INIT { SW_VEC_INIT, SW_VEC_INIT }
void sw_pkglist_release(struct sw_pkglist *l);
void sw_pkglist_warn(struct sw_pkglist *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
