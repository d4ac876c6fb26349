/*
 * files.c - the checks decided from the image's merged file system, as the
 * one layer pass saw it (inventory/fsfacts.h: setuid/setgid and
 * world-writable entries, passwd/shadow/group, package sources,
 * package-manager caches) and from the inventory's packages.  They complete
 * the list sw_checks_run_config() made (checks.h, docs/checks.md).
 */
#include "checks/checks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "checks/internal.h"
#include "checks/sysfiles.h"
#include "util/json.h"
#include "util/mem.h"

struct fctx {
	const struct sw_inventory *inv;
	struct sw_check_list *l;
	int *hist;              /* history index of each layer, -1 unknown */
	size_t nlayers;
};

/* ---- evidence ---- */

static void layer_ev(const struct fctx *c, struct sw_check_result *r, int layer, const char *path,
		     const char *detail)
{
	const char *by = NULL;
	int hist = -1;
	if (layer >= 0 && (size_t)layer < c->inv->layers.len) {
		const struct sw_inv_layer *l = c->inv->layers.items[layer];
		by = l->created_by;
		if ((size_t)layer < c->nlayers)
			hist = c->hist[layer];
	}
	sw_check_add_evidence(r, layer, hist, by, NULL, path, detail);
}

/* "owner root (uid 0), group shadow (gid 42)": names from the tar header,
 * else from the image's passwd/group (NULL when unreadable). */
static char *owner_text(const struct sw_fs_rec *f, const struct sw_acct_file *pw, const struct sw_acct_file *gr)
{
	const char *un = f->uname, *gn = f->gname;
	for (size_t i = 0; !un && pw && f->uid >= 0 && i < pw->ents.len; i++) {
		const struct sw_acct *a = pw->ents.items[i];
		if (a->id == f->uid)
			un = a->name;
	}
	for (size_t i = 0; !gn && gr && f->gid >= 0 && i < gr->ents.len; i++) {
		const struct sw_acct *a = gr->ents.items[i];
		if (a->id == f->gid)
			gn = a->name;
	}
	char u[80], g[80];
	if (f->uid < 0)
		snprintf(u, sizeof(u), "owner unknown");
	else if (un)
		snprintf(u, sizeof(u), "owner %.40s (uid %lld)", un, f->uid);
	else
		snprintf(u, sizeof(u), "owner uid %lld", f->uid);
	if (f->gid < 0)
		snprintf(g, sizeof(g), "group unknown");
	else if (gn)
		snprintf(g, sizeof(g), "group %.40s (gid %lld)", gn, f->gid);
	else
		snprintf(g, sizeof(g), "group gid %lld", f->gid);
	return sw_xasprintf("%s, %s", u, g);
}

static const char *type_word(unsigned type)
{
	switch (type) {
	case SW_ENT_DIR: return "directory";
	case SW_ENT_HARDLINK: return "hard link";
	case SW_ENT_OTHER: return "special file";
	case SW_ENT_SYMLINK: return "symlink";
	default: return "file";
	}
}

/* ---- account files ---- */

struct acct_src {
	const char *path;
	const struct sw_fs_rec *rec;
	struct sw_acct_file f;
	char *why;       /* not usable: why; NULL when parsed */
};

static void acct_load(struct fctx *c, struct acct_src *a, const char *path, enum sw_acct_kind kind)
{
	memset(a, 0, sizeof(*a));
	a->path = path;
	a->rec = sw_fs_facts_get(&c->inv->fs, path);
	if (!a->rec || !(a->rec->kinds & SW_FS_CONTENT)) {
		a->rec = NULL;
		a->why = sw_xasprintf("the image has no /%s", path);
		if (kind == SW_ACCT_PASSWD)
			sw_check_list_note(c->l, "the image has no /etc/passwd: the account checks (SW-CFG-103, "
						 "SW-CFG-104) and a named User (SW-CFG-001) are not decided from it");
		return;
	}
	if (!a->rec->content) {
		a->why = sw_xasprintf("/%s: %s", path, a->rec->why_not ? a->rec->why_not : "not read");
		sw_check_list_note(c->l, "%s", a->why);
		return;
	}
	if (sw_acct_parse(kind, a->rec->content, a->rec->content_len, &a->f) < 0) {
		a->why = sw_xasprintf("/%s is not text (a NUL byte): not read", path);
		sw_check_list_note(c->l, "%s", a->why);
		return;
	}
	if (a->f.bad)
		sw_check_list_note(c->l, "/%s: %zu line%s could not be read (the first is line %u): skipped", path,
				   a->f.bad, a->f.bad == 1 ? "" : "s", a->f.first_bad);
}

static void acct_release(struct acct_src *a)
{
	sw_acct_file_release(&a->f);
	free(a->why);
}

/* ---- 4.1: a named user through /etc/passwd ---- */

static void check_user(struct fctx *c, const char *user, const struct acct_src *pw)
{
	struct sw_check_result *r = sw_check_find(c->l, "SW-CFG-001");
	if (!r || !user)
		return;
	size_t n = strcspn(user, ":");
	if (n == 0 || n > 255 || strspn(user, "0123456789") >= n)
		return;   /* empty or numeric: decided from the config */
	char *name = sw_xstrndup(user, n);
	if (strcmp(name, "root") == 0) {
		free(name);
		return;
	}
	if (pw->why) {
		char *nt = sw_xasprintf("a named user '%s': %s, so whether it is uid 0 is not known", name, pw->why);
		sw_check_set(r, SW_CHECK_INFO, nt);
		free(nt);
	} else {
		const struct sw_acct *a = sw_acct_find(&pw->f, name);
		char *d;
		if (!a) {
			char *nt = sw_xasprintf("user '%s' is not in the image's /etc/passwd: its uid is not known "
						"(the container would not start as that user)", name);
			sw_check_set(r, SW_CHECK_INFO, nt);
			free(nt);
			d = sw_xasprintf("user '%s' not found in /etc/passwd", name);
		} else if (a->id == 0) {
			sw_check_set(r, SW_CHECK_INFO, NULL);
			sw_check_fail(r, SW_SEV_HIGH);
			d = sw_xasprintf("user '%s' is uid 0 (line %u of /etc/passwd)", name, a->line);
		} else {
			sw_check_set(r, SW_CHECK_PASS, NULL);
			d = sw_xasprintf("user '%s' is uid %lld (line %u of /etc/passwd)", name, a->id, a->line);
		}
		layer_ev(c, r, pw->rec->layer, "etc/passwd", d);
		free(d);
	}
	free(name);
}

/* ---- SW-CFG-103 and 104: accounts ---- */

static void check_accounts(struct fctx *c, const struct acct_src *pw, const struct acct_src *sh)
{
	struct sw_check_result *u0 = sw_check_find(c->l, "SW-CFG-103");
	struct sw_check_result *ep = sw_check_find(c->l, "SW-CFG-104");
	if (u0) {
		if (pw->why) {
			sw_check_set(u0, SW_CHECK_INFO, pw->why);
		} else {
			sw_check_set(u0, SW_CHECK_PASS, NULL);
			for (size_t i = 0; i < pw->f.ents.len; i++) {
				const struct sw_acct *a = pw->f.ents.items[i];
				if (a->id != 0 || strcmp(a->name, "root") == 0)
					continue;
				char *d = sw_xasprintf("account '%s' has uid 0 (line %u)", a->name, a->line);
				layer_ev(c, u0, pw->rec->layer, "etc/passwd", d);
				sw_check_fail(u0, SW_SEV_HIGH);
				free(d);
			}
		}
	}
	if (!ep)
		return;
	if (pw->why && sh->why) {
		char *nt = sw_xasprintf("%s; %s", pw->why, sh->why);
		sw_check_set(ep, SW_CHECK_INFO, nt);
		free(nt);
		return;
	}
	sw_check_set(ep, SW_CHECK_PASS, NULL);
	const struct acct_src *srcs[2] = { pw, sh };
	for (int k = 0; k < 2; k++) {
		const struct acct_src *s = srcs[k];
		for (size_t i = 0; !s->why && i < s->f.ents.len; i++) {
			const struct sw_acct *a = s->f.ents.items[i];
			if (*a->pw)
				continue;
			char *d = sw_xasprintf("account '%s' has an empty password field (line %u of /%s): no password "
					       "is asked", a->name, a->line, s->path);
			layer_ev(c, ep, s->rec->layer, s->path, d);
			sw_check_fail(ep, SW_SEV_HIGH);
			free(d);
		}
	}
	if (ep->status == SW_CHECK_PASS && (pw->why || sh->why)) {
		/* one of the two could not be read: no silent pass */
		const struct acct_src *miss = pw->why ? pw : sh;
		bool absent_shadow = miss == sh && !sh->rec;
		if (absent_shadow) {
			sw_check_set(ep, SW_CHECK_PASS, "the image has no /etc/shadow: only /etc/passwd was checked "
							"(an account with 'x' there and no shadow entry cannot log in "
							"with a password)");
		} else {
			char *nt = sw_xasprintf("%s: not checked (nothing empty in the other file)", miss->why);
			sw_check_set(ep, SW_CHECK_INFO, nt);
			free(nt);
		}
	}
}

/* ---- 4.3 and 5.7: packages ---- */

static bool versioned(const char *name, const char *base)
{
	size_t n = strlen(base);
	if (strncmp(name, base, n) != 0)
		return false;
	if (!name[n])
		return true;
	/* "gcc-12", "clang-14", "g++-12": a version only ("gcc-12-base" is a library package) */
	if (name[n] != '-' || !(name[n + 1] >= '0' && name[n + 1] <= '9'))
		return false;
	return strspn(name + n + 1, "0123456789.") == strlen(name + n + 1);
}

/* What an unnecessary package is, or NULL (docs/checks.md, SW-CFG-003). */
static const char *unneeded(const char *name)
{
	static const char *const sshd[] = { "openssh-server", "openssh-server-pam", "dropbear", "tinysshd", NULL };
	static const char *const sudo[] = { "sudo", "sudo-ldap", "doas", "opendoas", NULL };
	static const char *const exact_cc[] = { "gcc-c++", "gcc-gfortran", "tcc", "rustc", "golang-go", "go",
						"build-essential", "build-base", NULL };
	static const char *const vers_cc[] = { "gcc", "g++", "clang", "gfortran", NULL };
	for (size_t i = 0; sshd[i]; i++)
		if (strcmp(name, sshd[i]) == 0)
			return "an SSH server";
	for (size_t i = 0; sudo[i]; i++)
		if (strcmp(name, sudo[i]) == 0)
			return "a privilege-escalation tool";
	for (size_t i = 0; exact_cc[i]; i++)
		if (strcmp(name, exact_cc[i]) == 0)
			return "a compiler or build toolchain";
	for (size_t i = 0; vers_cc[i]; i++)
		if (versioned(name, vers_cc[i]))
			return "a compiler";
	return NULL;
}

static bool is_os_pkg(const struct sw_package *p)
{
	return sw_streq(p->type, "deb") || sw_streq(p->type, "apk") || sw_streq(p->type, "rpm");
}

static void human_size(char *out, size_t n, uint64_t b)
{
	if (b >= (uint64_t)1 << 20)
		snprintf(out, n, "%.1f MiB", (double)b / (double)(1 << 20));
	else if (b >= 1024)
		snprintf(out, n, "%.1f KiB", (double)b / 1024.0);
	else
		snprintf(out, n, "%llu bytes", (unsigned long long)b);
}

static void check_packages(struct fctx *c)
{
	struct sw_check_result *r = sw_check_find(c->l, "SW-CFG-003");
	struct sw_check_result *ssh = sw_check_find(c->l, "SW-CFG-507");
	if (!r)
		return;
	sw_check_set(r, SW_CHECK_PASS, NULL);
	size_t nos = 0;
	for (size_t i = 0; i < c->inv->packages.len; i++) {
		const struct sw_package *p = c->inv->packages.items[i];
		if (!is_os_pkg(p))
			continue;
		nos++;
		const char *what = unneeded(p->name);
		if (!what)
			continue;
		char *d = sw_xasprintf("package %s %s (%s)", p->name, p->version ? p->version : "", what);
		layer_ev(c, r, p->layer_index, p->path, d);
		sw_check_fail(r, SW_SEV_LOW);
		free(d);
		if (ssh && strcmp(what, "an SSH server") == 0) {
			char *d2 = sw_xasprintf("sshd is installed: package %s %s", p->name, p->version ? p->version : "");
			layer_ev(c, ssh, p->layer_index, p->path, d2);
			sw_check_fail(ssh, SW_SEV_MEDIUM);
			free(d2);
		}
	}
	for (size_t i = 0; i < c->inv->fs.recs.len; i++) {
		const struct sw_fs_rec *f = c->inv->fs.recs.items[i];
		const char *label = (f->kinds & SW_FS_CACHE) ? sw_fsfacts_cache_label(f->path) : NULL;
		if (!label)
			continue;
		char sz[32];
		human_size(sz, sizeof(sz), f->size);
		char *d = sw_xasprintf("%s left behind: %llu file%s, %s", label, (unsigned long long)f->count,
				       f->count == 1 ? "" : "s", sz);
		layer_ev(c, r, f->layer, f->path, d);
		sw_check_fail(r, SW_SEV_LOW);
		free(d);
	}
	if (r->status == SW_CHECK_FAIL)
		return;
	if (c->inv->incomplete.len)
		sw_check_set(r, SW_CHECK_INFO, "the package list is incomplete (a package database could not be "
					       "read whole): unnecessary packages may be missed");
	else if (!nos)
		sw_check_set(r, SW_CHECK_PASS, "no OS package database in the image: only package-manager caches "
					       "were looked for");
}

/* ---- 4.8 setuid/setgid, SW-CFG-105 world-writable ---- */

static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return strncmp(path, dir, n) == 0 && path[n] == '/';
}

static void check_modes(struct fctx *c, const struct acct_src *pw, const struct acct_src *gr)
{
	const struct sw_acct_file *pf = pw->why ? NULL : &pw->f, *gf = gr->why ? NULL : &gr->f;
	struct sw_check_result *su = sw_check_find(c->l, "SW-CFG-008");
	struct sw_check_result *ww = sw_check_find(c->l, "SW-CFG-105");
	if (su)
		sw_check_set(su, SW_CHECK_PASS, NULL);
	if (ww)
		sw_check_set(ww, SW_CHECK_PASS, NULL);
	for (size_t i = 0; i < c->inv->fs.recs.len; i++) {
		const struct sw_fs_rec *f = c->inv->fs.recs.items[i];
		char *own = NULL;
		if (su && (f->kinds & SW_FS_SETID)) {
			own = owner_text(f, pf, gf);
			const char *bits = (f->mode & S_ISUID) && (f->mode & S_ISGID) ? "setuid and setgid"
					   : (f->mode & S_ISUID) ? "setuid" : "setgid";
			char *pk = f->pkg ? sw_xasprintf("package %s", f->pkg) : sw_xstrdup("no OS package owns it");
			char *d = sw_xasprintf("%s %s, mode %04o, %s, %s", bits, type_word(f->type), f->mode & 07777u,
					       own, pk);
			layer_ev(c, su, f->layer, f->path, d);
			sw_check_fail(su, SW_SEV_MEDIUM);
			free(d);
			free(pk);
		}
		if (ww && (f->kinds & SW_FS_WORLD_WRITABLE) && !under(f->path, "tmp") && !under(f->path, "var/tmp")) {
			if (!own)
				own = owner_text(f, pf, gf);
			char *d = sw_xasprintf("world-writable %s%s, mode %04o, %s", type_word(f->type),
					       f->type == SW_ENT_DIR ? " without the sticky bit" : "", f->mode & 07777u,
					       own);
			layer_ev(c, ww, f->layer, f->path, d);
			sw_check_fail(ww, SW_SEV_MEDIUM);
			free(d);
		}
		free(own);
	}
}

/* ---- 4.11 package sources ---- */

static void check_sources(struct fctx *c)
{
	struct sw_check_result *r = sw_check_find(c->l, "SW-CFG-011");
	if (!r)
		return;
	struct sw_buf unread = SW_BUF_INIT;
	size_t files = 0;
	for (size_t i = 0; i < c->inv->fs.recs.len; i++) {
		const struct sw_fs_rec *f = c->inv->fs.recs.items[i];
		enum sw_pkgsrc_kind k = (f->kinds & SW_FS_CONTENT) ? sw_pkgsrc_kind_of(f->path) : SW_PKGSRC_NONE;
		if (k == SW_PKGSRC_NONE)
			continue;
		files++;
		if (!f->content) {
			sw_check_list_note(c->l, "/%s: %s: its package-source settings were not checked", f->path,
					   f->why_not ? f->why_not : "not read");
			sw_buf_addf(&unread, "%s/%s", unread.len ? ", " : "", f->path);
			continue;
		}
		struct sw_pkgsrc s = { SW_VEC_INIT, 0, 0 };
		if (sw_pkgsrc_parse(k, f->content, f->content_len, &s) < 0) {
			sw_check_list_note(c->l, "/%s is not text (a NUL byte): its package-source settings were "
						 "not checked", f->path);
			sw_buf_addf(&unread, "%s/%s", unread.len ? ", " : "", f->path);
			continue;
		}
		if (s.bad)
			sw_check_list_note(c->l, "/%s: %zu line%s could not be read: skipped", f->path, s.bad,
					   s.bad == 1 ? "" : "s");
		for (size_t j = 0; j < s.issues.len; j++) {
			const struct sw_pkgsrc_issue *is = s.issues.items[j];
			char *d = sw_xasprintf("line %u: %s", is->line, is->detail);
			layer_ev(c, r, f->layer, f->path, d);
			sw_check_fail(r, SW_SEV_HIGH);
			free(d);
		}
		sw_pkgsrc_release(&s);
	}
	if (r->status != SW_CHECK_FAIL && unread.len) {
		char *nt = sw_xasprintf("package sources not read: %s", unread.data);
		sw_check_set(r, SW_CHECK_INFO, nt);
		free(nt);
	} else if (r->status == SW_CHECK_PASS && !files && !r->note) {
		r->note = sw_xstrdup("no apt, yum/dnf or apk source files in the image: only the history was checked");
	}
	sw_buf_release(&unread);
}

/* ---- the layer -> history map, and the User ---- */

static char *config_user(const struct sw_json *root)
{
	const struct sw_json *cfg = sw_json_get(root, "config");
	const char *u = sw_json_get_str(cfg, "User");
	return u ? sw_xstrdup(u) : NULL;
}

static void history_map(struct fctx *c, const struct sw_json *root)
{
	const struct sw_json *h = sw_json_get(root, "history");
	size_t nonempty = 0, n = sw_json_array_len(h);
	for (size_t i = 0; i < n; i++)
		if (!sw_json_is(sw_json_get(sw_json_at(h, i), "empty_layer"), SW_JSON_TRUE))
			nonempty++;
	if (nonempty != c->nlayers)
		return;
	size_t li = 0;
	for (size_t i = 0; i < n && li < c->nlayers; i++)
		if (!sw_json_is(sw_json_get(sw_json_at(h, i), "empty_layer"), SW_JSON_TRUE))
			c->hist[li++] = (int)i;
}

int sw_checks_run_files(const char *config_json, size_t len, const struct sw_inventory *inv,
			struct sw_check_list *list, struct sw_err *err)
{
	(void)err;
	static const char *const file_ids[] = { "SW-CFG-003", "SW-CFG-008", "SW-CFG-103", "SW-CFG-104",
						 "SW-CFG-105" };
	if (!inv || !inv->fs.collected) {
		for (size_t i = 0; i < sizeof(file_ids) / sizeof(file_ids[0]); i++) {
			struct sw_check_result *r = sw_check_find(list, file_ids[i]);
			if (r)
				sw_check_set(r, SW_CHECK_INFO, "the image's files were not looked at");
		}
		return 0;
	}
	struct fctx c = { .inv = inv, .l = list, .nlayers = inv->layers.len };
	c.hist = sw_xcalloc(c.nlayers ? c.nlayers : 1, sizeof(int));
	for (size_t i = 0; i < c.nlayers; i++)
		c.hist[i] = -1;
	struct sw_json_doc *doc = NULL;
	struct sw_err perr = SW_ERR_INIT;
	char *user = NULL;
	if (config_json && sw_json_parse(config_json, len, &doc, &perr) == 0 &&
	    sw_json_is(sw_json_root(doc), SW_JSON_OBJECT)) {
		history_map(&c, sw_json_root(doc));
		user = config_user(sw_json_root(doc));
	}
	struct acct_src pw, sh, gr;
	acct_load(&c, &pw, "etc/passwd", SW_ACCT_PASSWD);
	acct_load(&c, &sh, "etc/shadow", SW_ACCT_SHADOW);
	acct_load(&c, &gr, "etc/group", SW_ACCT_GROUP);
	check_user(&c, user, &pw);
	check_accounts(&c, &pw, &sh);
	check_packages(&c);
	check_modes(&c, &pw, &gr);
	check_sources(&c);
	acct_release(&pw);
	acct_release(&sh);
	acct_release(&gr);
	free(user);
	sw_json_doc_free(doc);
	free(c.hist);
	return 0;
}
