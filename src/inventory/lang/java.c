/*
 * java.c - Java archives: jar, war, ear, par (and Jenkins hpi/jpi).
 *
 * The archive is read from memory with libarchive.  Inside it:
 *   - every "pom.properties" (groupId, artifactId, version) is a package;
 *   - META-INF/MANIFEST.MF gives the archive's own identity when no
 *     pom.properties names it: Implementation-Vendor-Id / -Title / -Version,
 *     else Bundle-SymbolicName (groupId = all but its last dotted part) /
 *     Bundle-Version; licences from Bundle-License and Plugin-License-Name*;
 *   - the file name ("name-1.2.3.jar") is the last resort (no groupId);
 *   - nested archives are walked the same way, to MAX_DEPTH levels, with
 *     paths "outer.war!/WEB-INF/lib/x.jar".
 * Limits (each hit is a warning, the walk goes on where it can): entries
 * per archive, bytes held for one nested archive and for all the nested
 * archives being walked at once (a jar in a jar in a jar holds each level:
 * the walk of one file runs on one worker, so this bounds the worker, not
 * each jar), bytes decompressed in total for one top-level file, and the
 * ratio of decompressed bytes to the file's size (zip bombs).  Identity: namespace = groupId, name =
 * artifactId.
 */
#include <archive.h>
#include <archive_entry.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "inventory/lang/lang.h"
#include "inventory/lang/lang_internal.h"
#include "util/buf.h"
#include "util/mem.h"

#define JAVA_MAX_SIZE (512ull << 20)
#define JAVA_MAX_DEPTH 4
#define JAVA_MAX_ENTRIES 200000u            /* per archive */
#define JAVA_MAX_ENTRIES_TOTAL 1000000u     /* per top-level file, nested included */
#define JAVA_MAX_NESTED (256u << 20)         /* one nested archive held in memory */
#define JAVA_MAX_HELD (256u << 20)           /* nested archives held at once, all levels */
#define JAVA_MAX_TOTAL (1ull << 30)          /* decompressed per top-level file */
#define JAVA_MAX_RATIO 100u                  /* decompressed / file size */
#define JAVA_RATIO_FLOOR (64u << 20)         /* ratio checked above this */
#define JAVA_MAX_META (1u << 20)             /* manifest / pom.properties */

struct jctx {
	const char *top;           /* image path of the top-level file */
	size_t toplen;
	struct sw_pkglist *out;
	struct sw_map seen;
	uint64_t total;            /* decompressed bytes read so far */
	unsigned entries;          /* entries seen, nested archives included */
	size_t held;               /* bytes of the nested archives being walked */
	bool stop;                 /* bomb detected: stop everything */
	bool warned_depth;
};

static bool is_archive_name(const char *name)
{
	static const char *const ext[] = { ".jar", ".war", ".ear", ".par", ".hpi", ".jpi" };
	size_t n = strlen(name);
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
		if (n > 4 && strcasecmp(name + n - 4, ext[i]) == 0)
			return true;
	return false;
}

static bool java_wants(const char *path, unsigned mode, uint64_t size)
{
	(void)mode;
	(void)size;
	return is_archive_name(sw_lang_base(path));
}

/* Maven coordinates: letters, digits and "._-" only. */
static bool valid_coord(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '.' && *s != '_' && *s != '-')
			return false;
	return true;
}

static bool valid_version(const char *s)
{
	if (!s || !*s || strlen(s) > 128)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

/* Read the current entry into b, at most max bytes.  Returns 0, or -1 when
 * the entry is larger than max (b is then reset), -2 on a read error. */
static int read_entry(struct jctx *c, struct archive *a, struct sw_buf *b, size_t max)
{
	char chunk[16384];
	for (;;) {
		la_ssize_t r = archive_read_data(a, chunk, sizeof(chunk));
		if (r == 0)
			return 0;
		if (r < 0)
			return -2;
		c->total += (uint64_t)r;
		if (b->len + (size_t)r > max) {
			sw_buf_release(b);
			return -1;
		}
		sw_buf_add(b, chunk, (size_t)r);
		if (!sw_buf_ok(b))
			return -1;
		if (c->total > JAVA_MAX_TOTAL ||
		    (c->total > JAVA_RATIO_FLOOR && c->total / JAVA_MAX_RATIO > c->toplen)) {
			sw_pkglist_warn(c->out,
					"%s: decompressed %llu bytes from a %zu-byte file: zip bomb suspected, rest of the archive skipped",
					c->top, (unsigned long long)c->total, c->toplen);
			c->stop = true;
			sw_buf_release(b);
			return -1;
		}
	}
}

struct pom {
	char *g, *a, *v;
};

static void pom_free(struct pom *p)
{
	free(p->g);
	free(p->a);
	free(p->v);
}

/* key=value lines; '#' and '!' comments. */
static void parse_props(const char *s, size_t n, struct pom *p)
{
	struct sw_lines it = { s, s + n };
	const char *l;
	size_t ln;
	while (sw_lines_next(&it, &l, &ln)) {
		sw_lang_trim(&l, &ln);
		if (!ln || l[0] == '#' || l[0] == '!')
			continue;
		const char *eq = memchr(l, '=', ln);
		if (!eq)
			eq = memchr(l, ':', ln);
		if (!eq)
			continue;
		const char *k = l, *v = eq + 1;
		size_t kl = (size_t)(eq - l), vl = ln - kl - 1;
		sw_lang_trim(&k, &kl);
		sw_lang_trim(&v, &vl);
		char **dst = NULL;
		if (kl == 7 && memcmp(k, "groupId", 7) == 0)
			dst = &p->g;
		else if (kl == 10 && memcmp(k, "artifactId", 10) == 0)
			dst = &p->a;
		else if (kl == 7 && memcmp(k, "version", 7) == 0)
			dst = &p->v;
		if (dst && !*dst)
			*dst = sw_xstrndup(v, vl);
	}
}

struct manifest {
	struct sw_map f; /* field name -> malloc'd value */
};

static void parse_manifest(const char *s, size_t n, struct manifest *m)
{
	struct sw_lines it = { s, s + n };
	const char *l;
	size_t ln;
	struct sw_buf val = SW_BUF_INIT;
	char *key = NULL;
	for (;;) {
		bool more = sw_lines_next(&it, &l, &ln);
		if (more && ln && l[0] == ' ' && key) {
			sw_buf_add(&val, l + 1, ln - 1); /* continuation */
			continue;
		}
		if (key) {
			char *v = sw_buf_detach(&val, NULL);
			if (v && !sw_map_has(&m->f, key))
				sw_map_put(&m->f, key, v);
			else
				free(v);
			free(key);
			key = NULL;
		}
		if (!more)
			break;
		if (ln == 0)
			break; /* end of the main section */
		const char *colon = memchr(l, ':', ln);
		if (!colon || colon == l)
			continue;
		key = sw_xstrndup(l, (size_t)(colon - l));
		const char *v = colon + 1;
		size_t vl = ln - (size_t)(colon - l) - 1;
		if (vl && *v == ' ') {
			v++;
			vl--;
		}
		sw_buf_reset(&val);
		sw_buf_add(&val, v, vl);
	}
	sw_buf_release(&val);
}

static const char *mf(const struct manifest *m, const char *k)
{
	const char *v = sw_map_get(&m->f, k);
	return v && *v ? v : NULL;
}

/* "name-1.2.3" from a file name: split at the first "-<digit>". */
static void name_from_file(const char *file, char **artifact, char **version)
{
	const char *base = sw_lang_base(file);
	size_t n = strlen(base);
	if (n > 4)
		n -= 4; /* extension */
	*artifact = *version = NULL;
	for (size_t i = 1; i + 1 < n; i++)
		if (base[i] == '-' && isdigit((unsigned char)base[i + 1])) {
			*artifact = sw_xstrndup(base, i);
			*version = sw_xstrndup(base + i + 1, n - i - 1);
			return;
		}
	*artifact = sw_xstrndup(base, n);
}

static void add_pkg(struct jctx *c, const char *path, const char *g, const char *a, const char *v,
		    const struct manifest *m)
{
	bool added;
	struct sw_package *p = sw_lang_add_once(c->out, &c->seen, "maven", g, a, v, path, &added);
	if (!added || !m)
		return;
	const char *lic = mf(m, "Bundle-License");
	if (lic)
		sw_vec_push_strdup(&p->licenses, lic);
	lic = mf(m, "Plugin-License-Name");
	if (lic)
		sw_vec_push_strdup(&p->licenses, lic);
	for (int i = 2; i < 10; i++) {
		char k[32];
		snprintf(k, sizeof(k), "Plugin-License-Name-%d", i);
		lic = mf(m, k);
		if (lic)
			sw_vec_push_strdup(&p->licenses, lic);
	}
}

static void walk(struct jctx *c, const char *path, const uint8_t *data, size_t len, int depth);

/* Artifacts published under a groupId equal to their artifactId (Maven's
 * pre-2006 convention), recognisable by a manifest's Extension-Name. */
static const char *legacy_group(const char *ext)
{
	static const char *const names[] = {
		"commons-beanutils", "commons-cli", "commons-codec", "commons-collections",
		"commons-dbcp", "commons-digester", "commons-fileupload", "commons-httpclient",
		"commons-io", "commons-lang", "commons-logging", "commons-net", "commons-pool",
		"commons-validator", "log4j",
	};
	for (size_t i = 0; ext && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(ext, names[i]) == 0)
			return names[i];
	return NULL;
}

static void identify_self(struct jctx *c, const char *path, struct pom *poms, size_t npoms,
			  const struct manifest *m, bool have_mf)
{
	char *fa = NULL, *fv = NULL;
	name_from_file(path, &fa, &fv);
	/* a pom.properties that names this archive? */
	for (size_t i = 0; i < npoms; i++) {
		const char *a = poms[i].a;
		size_t al = strlen(a), fl = strlen(fa);
		bool same = strcmp(a, fa) == 0 ||
			    (fl > al && fa[fl - al - 1] == '.' && strcmp(fa + fl - al, a) == 0);
		if (same || (!fv && npoms == 1)) {
			free(fa);
			free(fv);
			return;
		}
	}
	/* groupId and artifactId from Bundle-SymbolicName "g.roup.artifact" */
	char *bg = NULL, *ba = NULL;
	const char *bsn = have_mf ? mf(m, "Bundle-SymbolicName") : NULL;
	if (bsn) {
		size_t bl = strcspn(bsn, ";");
		const char *sp = bsn;
		sw_lang_trim(&sp, &bl);
		char *t = sw_xstrndup(sp, bl);
		sw_lang_split_last(t, '.', &bg, &ba);
		free(t);
	}
	const char *vid = have_mf ? mf(m, "Implementation-Vendor-Id") : NULL;
	const char *title = have_mf ? mf(m, "Implementation-Title") : NULL;
	const char *iv = have_mf ? mf(m, "Implementation-Version") : NULL;
	const char *bv = have_mf ? mf(m, "Bundle-Version") : NULL;
	const char *ext = have_mf ? mf(m, "Extension-Name") : NULL;
	const char *legacy = legacy_group(ext);
	if (legacy && valid_version(iv)) {
		/* old Apache jars: Extension-Name is the artifactId, and their
		 * Maven groupId is the artifactId itself (commons-collections:
		 * commons-collections), which no manifest field says */
		add_pkg(c, path, legacy, ext, iv, m);
	} else if (valid_coord(vid) && valid_coord(title) && valid_version(iv)) {
		add_pkg(c, path, vid, title, iv, m);
	} else if (fv && valid_coord(fa) && valid_version(fv)) {
		/* the file name, with a groupId from the manifest if it has one */
		const char *g = valid_coord(vid) ? vid : valid_coord(bg) ? bg : NULL;
		add_pkg(c, path, g, fa, fv, have_mf ? m : NULL);
	} else if (valid_coord(bg) && valid_coord(ba) && (valid_version(bv) || valid_version(iv))) {
		add_pkg(c, path, bg, ba, valid_version(bv) ? bv : iv, m);
	}
	free(bg);
	free(ba);
	free(fa);
	free(fv);
}

static void walk(struct jctx *c, const char *path, const uint8_t *data, size_t len, int depth)
{
	struct archive *a = archive_read_new();
	if (!a)
		return;
	archive_read_support_format_zip(a);
	if (archive_read_open_memory(a, data, len) != ARCHIVE_OK) {
		sw_pkglist_warn(c->out, "%s: not a zip archive: %s", path, archive_error_string(a));
		archive_read_free(a);
		return;
	}
	struct pom *poms = NULL;
	size_t npoms = 0, cap = 0;
	struct manifest m = { SW_MAP_INIT };
	bool have_mf = false;
	unsigned entries = 0;
	struct archive_entry *e;
	for (;;) {
		int r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r == ARCHIVE_FATAL) {
			sw_pkglist_warn(c->out, "%s: broken zip archive: %s", path,
					archive_error_string(a) ? archive_error_string(a) : "read error");
			break;
		}
		if (r < ARCHIVE_WARN)
			continue;
		if (++entries > JAVA_MAX_ENTRIES) {
			sw_pkglist_warn(c->out, "%s: more than %u entries, rest skipped", path, JAVA_MAX_ENTRIES);
			break;
		}
		if (++c->entries > JAVA_MAX_ENTRIES_TOTAL) {
			sw_pkglist_warn(c->out, "%s: more than %u entries with nested archives, rest skipped",
					c->top, JAVA_MAX_ENTRIES_TOTAL);
			c->stop = true;
			break;
		}
		const char *name = archive_entry_pathname(e);
		if (!name || archive_entry_filetype(e) != AE_IFREG)
			continue;
		const char *base = sw_lang_base(name);
		struct sw_buf b = SW_BUF_INIT;
		if (strcmp(base, "pom.properties") == 0) {
			if (read_entry(c, a, &b, JAVA_MAX_META) == 0) {
				struct pom p = { 0 };
				parse_props(b.data, b.len, &p);
				if (valid_coord(p.g) && valid_coord(p.a) && valid_version(p.v)) {
					if (npoms == cap) {
						cap = cap ? 2 * cap : 8;
						poms = sw_xrealloc(poms, cap * sizeof(*poms));
					}
					poms[npoms++] = p;
				} else {
					pom_free(&p);
				}
			}
		} else if (strcasecmp(name, "META-INF/MANIFEST.MF") == 0 && !have_mf) {
			if (read_entry(c, a, &b, JAVA_MAX_META) == 0) {
				parse_manifest(b.data, b.len, &m);
				have_mf = true;
			}
		} else if (is_archive_name(base)) {
			if (depth + 1 > JAVA_MAX_DEPTH) {
				if (!c->warned_depth)
					sw_pkglist_warn(c->out, "%s: archives nested deeper than %d levels not read ('%s')",
							c->top, JAVA_MAX_DEPTH, name);
				c->warned_depth = true;
			} else {
				size_t room = JAVA_MAX_HELD - c->held;
				size_t max = room < JAVA_MAX_NESTED ? room : JAVA_MAX_NESTED;
				/* a declared size over the limit is skipped unread (a smaller
				 * one can lie: read_entry() stops at max anyway) */
				int rr = archive_entry_size_is_set(e) && archive_entry_size(e) > (la_int64_t)max
						 ? -1
						 : read_entry(c, a, &b, max);
				if (rr == -1 && !c->stop && max < JAVA_MAX_NESTED)
					sw_pkglist_warn(c->out,
							"%s!/%s: nested archive skipped: the archives holding it take %zu of the %u bytes nested archives may hold",
							path, name, c->held, JAVA_MAX_HELD);
				else if (rr == -1 && !c->stop)
					sw_pkglist_warn(c->out, "%s!/%s: nested archive larger than %u bytes, skipped",
							path, name, JAVA_MAX_NESTED);
				else if (rr == -2)
					sw_pkglist_warn(c->out, "%s!/%s: cannot read nested archive: %s", path, name,
							archive_error_string(a) ? archive_error_string(a) : "read error");
				else if (rr == 0) {
					char *sub = sw_xasprintf("%s!/%s", path, name);
					c->held += b.len;
					walk(c, sub, (const uint8_t *)b.data, b.len, depth + 1);
					c->held -= b.len;
					free(sub);
				}
			}
		}
		sw_buf_release(&b);
		if (c->stop)
			break;
	}
	for (size_t i = 0; i < npoms; i++)
		add_pkg(c, path, poms[i].g, poms[i].a, poms[i].v, NULL);
	identify_self(c, path, poms, npoms, &m, have_mf);
	for (size_t i = 0; i < npoms; i++)
		pom_free(&poms[i]);
	free(poms);
	sw_map_free_all(&m.f, free);
	archive_read_free(a);
}

static int java_parse(const char *path, const uint8_t *data, size_t len, struct sw_pkglist *out,
		      struct sw_err *err)
{
	(void)err;
	struct jctx c = { 0 };
	c.top = path;
	c.toplen = len;
	c.out = out;
	walk(&c, path, data, len, 0);
	sw_map_release(&c.seen);
	return 0;
}

const struct sw_analyzer sw_analyzer_java = {
	.name = "java",
	.version = 1,
	.max_size = JAVA_MAX_SIZE,
	.wants = java_wants,
	.parse = java_parse,
};
