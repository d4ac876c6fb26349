#include "inventory/cache_admin.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/mem.h"

static const char *const parts[] = { "layers", "images" };

/* An entry's name: 64 lowercase hex digits (what the caches write). */
static bool entry_name(const char *n)
{
	size_t i = 0;
	for (; n[i]; i++)
		if (!((n[i] >= '0' && n[i] <= '9') || (n[i] >= 'a' && n[i] <= 'f')))
			return false;
	return i == 64;
}

/* Call fn for each regular file of root/part; a missing folder is empty. */
static int each_file(const char *root, const char *part, int (*fn)(void *ctx, int dfd,
			const char *name, const struct stat *st, struct sw_err *err),
		     void *ctx, struct sw_err *err)
{
	char *dir = sw_xasprintf("%s/%s", root, part);
	DIR *d = opendir(dir);
	if (!d) {
		int rc = errno == ENOENT ? 0 : sw_err_errno(err, "cannot read '%s'", dir);
		free(dir);
		return rc;
	}
	int rc = 0;
	struct dirent *de;
	while (rc == 0 && (de = readdir(d))) {
		struct stat st;
		if (de->d_name[0] == '.' && (!de->d_name[1] || !strcmp(de->d_name, "..")))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
			continue;
		rc = fn(ctx, dirfd(d), de->d_name, &st, err);
	}
	closedir(d);
	free(dir);
	return rc;
}

struct walk {
	struct sw_cache_stats *s;
	struct sw_cache_part *part;
	int64_t before, now;
	bool prune;
};

static int visit(void *ctx, int dfd, const char *name, const struct stat *st, struct sw_err *err)
{
	struct walk *w = ctx;
	bool tmp = strncmp(name, ".tmp-", 5) == 0;
	if (!tmp && !entry_name(name))
		return 0;   /* not ours: left alone */
	if (w->prune) {
		int64_t used = st->st_atime > st->st_mtime ? st->st_atime : st->st_mtime;
		bool go = tmp ? (int64_t)st->st_mtime < w->now - 3600 : used < w->before;
		if (!go)
			return 0;
		if (unlinkat(dfd, name, 0) != 0 && errno != ENOENT)
			return sw_err_errno(err, "cannot remove cache entry '%s'", name);
	}
	if (tmp) {
		w->s->temp++;
	} else {
		w->part->entries++;
		w->part->bytes += (uint64_t)st->st_size;
	}
	return 0;
}

static int walk_all(const char *root, struct walk *w, struct sw_err *err)
{
	*w->s = (struct sw_cache_stats){ 0 };
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		w->part = i == 0 ? &w->s->layers : &w->s->images;
		int rc = each_file(root, parts[i], visit, w, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int sw_cache_stat(const char *root, struct sw_cache_stats *out, struct sw_err *err)
{
	struct walk w = { .s = out };
	return walk_all(root, &w, err);
}

int sw_cache_prune(const char *root, int64_t before, int64_t now, struct sw_cache_stats *removed,
		   struct sw_err *err)
{
	struct walk w = { .s = removed, .before = before, .now = now, .prune = true };
	return walk_all(root, &w, err);
}
