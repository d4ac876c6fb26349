/*
 * rootfs.c - dir:ROOTFS, a root filesystem on disk, as one pseudo-layer.
 *
 * Walked with openat()/fstatat(AT_SYMLINK_NOFOLLOW) from the root's fd:
 * no symlink is ever followed (they are reported as SW_ENT_SYMLINK), file
 * content is opened with O_NOFOLLOW relative to its parent directory's
 * fd, names are sorted (deterministic order), and virtual filesystems
 * (proc, sysfs, devtmpfs, cgroup, ..., and tmpfs mounted below the root)
 * are not entered.  For dir:/ the top-level proc, sys and dev are skipped.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "image/internal.h"
#include "util/mem.h"

#define MAX_DEPTH 256
#define LINK_MAX_LEN 4096

/* statfs f_type magic numbers (linux/magic.h) */
#define M_PROC 0x9fa0
#define M_SYSFS 0x62656572
#define M_DEVTMPFS 0x1373 /* same as devfs */
#define M_DEVPTS 0x1cd1
#define M_CGROUP 0x27e0eb
#define M_CGROUP2 0x63677270
#define M_DEBUGFS 0x64626720
#define M_TRACEFS 0x74726163
#define M_SECURITYFS 0x73636673
#define M_BPF 0xcafe4a11
#define M_MQUEUE 0x19800202
#define M_PSTORE 0x6165676C
#define M_CONFIGFS 0x62656570
#define M_FUSECTL 0x65735543
#define M_BINFMT 0x42494e4d
#define M_HUGETLBFS 0x958458f6
#define M_TMPFS 0x01021994
#define M_RAMFS 0x858458f6

static bool is_virtual(long t)
{
	switch ((unsigned long)t & 0xffffffffUL) {
	case M_PROC: case M_SYSFS: case M_DEVTMPFS: case M_DEVPTS: case M_CGROUP:
	case M_CGROUP2: case M_DEBUGFS: case M_TRACEFS: case M_SECURITYFS: case M_BPF:
	case M_MQUEUE: case M_PSTORE: case M_CONFIGFS: case M_FUSECTL: case M_BINFMT:
	case M_HUGETLBFS:
		return true;
	}
	return false;
}

struct rwalk {
	struct sw_image *img;
	sw_entry_fn fn;
	void *ctx;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

static int walk_dir(struct rwalk *w, int dfd, const char *prefix, dev_t dev, int depth,
		    struct sw_err *err)
{
	if (depth > MAX_DEPTH)
		return sw_err_set(err, SW_E_LIMIT, "'%s': directories nested more than %d deep",
				  prefix, MAX_DEPTH);
	int dup_fd = dup(dfd);
	if (dup_fd < 0)
		return sw_err_errno(err, "'%s'", prefix);
	DIR *d = fdopendir(dup_fd);
	if (!d) {
		close(dup_fd);
		return sw_err_errno(err, "'%s'", prefix);
	}
	struct sw_vec names = SW_VEC_INIT;
	struct dirent *de;
	errno = 0;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (depth == 0 && w->img->root_is_slash &&
		    (strcmp(de->d_name, "proc") == 0 || strcmp(de->d_name, "sys") == 0 ||
		     strcmp(de->d_name, "dev") == 0))
			continue;
		sw_vec_push_strdup(&names, de->d_name);
	}
	closedir(d);
	sw_vec_sort(&names, cmp_str);
	int rc = 0;
	for (size_t i = 0; i < names.len && rc == 0; i++) {
		const char *name = names.items[i];
		char *path = *prefix ? sw_xasprintf("%s/%s", prefix, name) : sw_xstrdup(name);
		struct stat st;
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
			if (errno != ENOENT)
				rc = sw_err_errno(err, "'%s'", path);
			free(path);
			continue; /* vanished meanwhile */
		}
		struct sw_entry e = { 0 };
		char linkbuf[LINK_MAX_LEN + 1];
		e.path = path;
		e.mode = (unsigned)st.st_mode;
		e.mtime = (long long)st.st_mtime;
		e.uid = (long long)st.st_uid;
		e.gid = (long long)st.st_gid;
		if (S_ISREG(st.st_mode)) {
			e.type = SW_ENT_FILE;
			e.size = (uint64_t)st.st_size;
		} else if (S_ISDIR(st.st_mode)) {
			e.type = SW_ENT_DIR;
		} else if (S_ISLNK(st.st_mode)) {
			ssize_t n = readlinkat(dfd, name, linkbuf, LINK_MAX_LEN);
			if (n < 0) {
				rc = sw_err_errno(err, "'%s'", path);
				free(path);
				break;
			}
			linkbuf[n] = '\0';
			e.type = SW_ENT_SYMLINK;
			e.link = linkbuf;
		} else {
			e.type = SW_ENT_OTHER;
		}
		struct sw_entry_reader r = { .dirfd = dfd, .name = name, .fd = -1, .path = path,
					     .eof = e.type != SW_ENT_FILE };
		rc = w->fn(w->ctx, &e, &r, err);
		if (r.fd >= 0)
			close(r.fd);
		if (rc < 0) {
			if (err && err->code == SW_OK)
				sw_err_set(err, SW_E_INTERNAL, "entry callback failed without a message");
			free(path);
			break;
		}
		rc = 0;
		if (e.type == SW_ENT_DIR) {
			int sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0) {
				if (errno != ENOENT && errno != EACCES)
					rc = sw_err_errno(err, "'%s'", path);
				free(path);
				continue;
			}
			struct statfs sfs;
			struct stat sst;
			bool skip = true; /* what cannot be inspected is not entered */
			if (fstatfs(sub, &sfs) == 0 && fstat(sub, &sst) == 0) {
				unsigned long t = (unsigned long)sfs.f_type & 0xffffffffUL;
				skip = is_virtual((long)sfs.f_type) ||
				       ((t == M_TMPFS || t == M_RAMFS) && sst.st_dev != dev);
			}
			if (!skip)
				rc = walk_dir(w, sub, path, sst.st_dev, depth + 1, err);
			close(sub);
		}
		free(path);
	}
	sw_vec_free_strings(&names);
	return rc;
}

static int dir_walk_layer(struct sw_image *img, size_t idx, sw_entry_fn fn, void *ctx,
			  struct sw_err *err)
{
	(void)idx;
	struct rwalk w = { img, fn, ctx };
	struct stat st;
	if (fstat(img->rootfd, &st) != 0)
		return sw_err_errno(err, "'%s'", img->display);
	return walk_dir(&w, img->rootfd, "", st.st_dev, 0, err);
}

static int dir_open(struct sw_image *img, const struct sw_ref *ref, const struct sw_image_opts *opts,
		    struct sw_err *err)
{
	(void)opts;
	img->rootfd = open(ref->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (img->rootfd < 0) {
		if (errno == ENOTDIR)
			return sw_err_set(err, SW_E_FORMAT, "not a directory");
		return sw_err_errno(err, "cannot open");
	}
	char *real = realpath(ref->path, NULL);
	img->root_is_slash = real && strcmp(real, "/") == 0;
	free(real);
	struct sw_layer_desc *d = sw_xcalloc(1, sizeof(*d));
	sw_vec_push(&img->info.layers, d);
	sw_vec_push(&img->layer_names, sw_xstrdup(ref->path));
	return 0;
}

static int dir_bid(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? 10 : 0;
}

const struct sw_transport sw_transport_dir = {
	.name = "dir",
	.bid = dir_bid,
	.open = dir_open,
	.walk_layer = dir_walk_layer,
};
