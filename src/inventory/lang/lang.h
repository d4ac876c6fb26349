/*
 * lang.h - language-package analyzers (Python, npm, Java, Go, Rust, Ruby,
 * PHP, .NET).
 *
 * Each analyzer is a `struct sw_analyzer` (inventory/analyzer.h): wants()
 * looks at the path, mode and size only; parse() is a pure function over
 * one file's bytes that appends packages and warnings to a
 * `struct sw_pkglist` (see docs/language-analyzers.md for what each reads,
 * the limits and the identity rules).  Packages come out with type,
 * namespace, name, version, licences, flags and `path` (the file's image
 * path; for a jar nested in another archive "outer.war!/WEB-INF/lib/x.jar");
 * the inventory fills purl, layer and owner.
 *
 * sw_lang_analyzers is NULL-terminated, in a stable order.
 */
#ifndef SW_INVENTORY_LANG_H
#define SW_INVENTORY_LANG_H

#include "inventory/analyzer.h"

extern const struct sw_analyzer sw_analyzer_python;   /* pypi */
extern const struct sw_analyzer sw_analyzer_npm;      /* npm: node_modules package.json */
extern const struct sw_analyzer sw_analyzer_npm_lock; /* npm: package-lock, yarn.lock, pnpm-lock */
extern const struct sw_analyzer sw_analyzer_java;     /* maven: jar/war/ear/par */
extern const struct sw_analyzer sw_analyzer_gobin;    /* golang: Go build info in ELF */
extern const struct sw_analyzer sw_analyzer_rustbin;  /* cargo: cargo-auditable .dep-v0 */
extern const struct sw_analyzer sw_analyzer_cargo_lock; /* cargo: Cargo.lock */
extern const struct sw_analyzer sw_analyzer_gem;      /* gem: installed gemspecs, Gemfile.lock */
extern const struct sw_analyzer sw_analyzer_composer; /* composer: installed.json, composer.lock */
extern const struct sw_analyzer sw_analyzer_nuget;    /* nuget: *.deps.json, packages.lock.json */

extern const struct sw_analyzer *const sw_lang_analyzers[];

/* PEP 503 normalised Python name ("Foo.Bar_baz" -> "foo-bar-baz"),
 * malloc'd. */
char *sw_lang_pep503(const char *name);

/* Go toolchain version to the stdlib package version: "go1.21.3" ->
 * "1.21.3", "go1.20" -> "1.20.0", "go1.21rc2" -> "1.21.0-rc.2"; NULL when
 * not a release ("devel ...").  malloc'd. */
char *sw_lang_go_stdlib_version(const char *gov);

#endif
