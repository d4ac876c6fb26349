/*
 * store.c - blobs by name, from a directory or from the members of a tar.
 *
 * A tar store scans the headers once at open (libarchive skips member data
 * by seeking).  Each stream then opens its own libarchive reader on the
 * file, skips to the member and reads its data: streams are independent,
 * so several may be read at once from different threads.  Member links
 * (docker save writes symlinks for repeated layers) are followed inside
 * the tar, at most 8 times.
 *
 * A name that two members share is recorded, not resolved: extractors keep
 * the last copy, a reader that stops at the first sees the other, so any
 * lookup through such a name fails (sw_store_check()).  A directory store
 * opens only regular files (never a FIFO or a device, which would block or
 * act on open).
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/internal.h"
#include "util/mem.h"
#include "util/path.h"

#define STORE_BLOCK 65536

static void member_free(void *p)
{
	struct sw_store_member *m = p;
	if (m) {
		free(m->link);
		if (m->kept)
			sw_buf_release(m->kept);
		free(m->kept);
	}
	free(m);
}

struct sw_store *sw_store_new_mem(void)
{
	struct sw_store *s = sw_xcalloc(1, sizeof(*s));
	s->is_tar = true;
	s->is_mem = true;
	s->path = sw_xstrdup("(memory)");
	return s;
}

void sw_store_mem_add(struct sw_store *s, const char *name, int type, const char *link, uint64_t size,
		      struct sw_buf *data)
{
	struct sw_store_member *seen = sw_map_get(&s->members, name);
	if (seen) {
		seen->copies++;   /* refused when looked up, as in a tar */
		if (data)
			sw_buf_release(data);
		free(data);
		return;
	}
	struct sw_store_member *m = sw_xcalloc(1, sizeof(*m));
	m->copies = 1;
	m->size = size;
	m->type = type;
	m->link = link ? sw_xstrdup(link) : NULL;
	m->kept = data;
	sw_map_put(&s->members, name, m);
}

void sw_store_free(struct sw_store *s)
{
	if (!s)
		return;
	sw_map_free_all(&s->members, member_free);
	free(s->path);
	free(s);
}

static struct archive *tar_open(const char *path, struct sw_err *err)
{
	struct archive *a = archive_read_new();
	if (!a) {
		sw_err_set(err, SW_E_NOMEM, "out of memory");
		return NULL;
	}
	archive_read_support_format_tar(a);
	if (archive_read_open_filename(a, path, STORE_BLOCK) != ARCHIVE_OK) {
		int e = archive_errno(a);
		if (e == ENOENT)
			sw_err_set(err, SW_E_NOTFOUND, "no such file");
		else
			sw_err_set(err, SW_E_FORMAT, "not a tar archive (%s)", archive_error_string(a));
		archive_read_free(a);
		return NULL;
	}
	return a;
}

static int scan_tar(struct sw_store *s, struct sw_err *err)
{
	struct archive *a = tar_open(s->path, err);
	if (!a)
		return -(err ? err->code : SW_E_FORMAT);
	struct archive_entry *ae;
	int rc = 0;
	size_t count = 0;
	for (;;) {
		int r = archive_read_next_header(a, &ae);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			rc = sw_err_set(err, SW_E_FORMAT, "bad tar archive (%s)",
					archive_error_string(a));
			break;
		}
		if (++count > 1000000) {
			rc = sw_err_set(err, SW_E_LIMIT, "more than 1000000 members");
			break;
		}
		const char *name = archive_entry_pathname(ae);
		char *clean = NULL;
		struct sw_err e2 = SW_ERR_INIT;
		if (!name || sw_path_clean_member(name, &clean, &e2) < 0)
			continue; /* never looked up: harmless */
		struct sw_store_member *seen = sw_map_get(&s->members, clean);
		if (seen) {
			/* a repeated name: refused when looked up (see top) */
			seen->copies++;
			free(clean);
			continue;
		}
		struct sw_store_member *m = sw_xcalloc(1, sizeof(*m));
		m->copies = 1;
		la_int64_t sz = archive_entry_size(ae);
		m->size = sz > 0 ? (uint64_t)sz : 0;
		m->type = (int)archive_entry_filetype(ae);
		if (archive_entry_hardlink(ae)) {
			char *t = NULL;
			if (sw_path_clean_member(archive_entry_hardlink(ae), &t, &e2) == 0)
				m->link = t;
			m->type = AE_IFREG;
		} else if (m->type == AE_IFLNK && archive_entry_symlink(ae)) {
			m->link = sw_xstrdup(archive_entry_symlink(ae));
		}
		sw_map_put(&s->members, clean, m);
		free(clean);
	}
	archive_read_free(a);
	return rc;
}

int sw_store_open(const char *path, bool is_tar, struct sw_store **out, struct sw_err *err)
{
	struct sw_store *s = sw_xcalloc(1, sizeof(*s));
	s->is_tar = is_tar;
	s->path = sw_xstrdup(path);
	if (is_tar) {
		int rc = scan_tar(s, err);
		if (rc < 0) {
			sw_store_free(s);
			return rc;
		}
	}
	*out = s;
	return 0;
}

/* The regular member that name designates in a tar store (links
 * followed), with its final name in *final (malloc'd).  A name on the way
 * that several members share stops the lookup: NULL, with that name in
 * *dup (malloc'd) and its count in *copies. */
static const struct sw_store_member *tar_lookup(const struct sw_store *s, const char *name,
						char **final, char **dup, unsigned *copies)
{
	char *cur = sw_xstrdup(name);
	const struct sw_store_member *m = NULL;
	for (int hops = 0; hops < 8; hops++) {
		m = sw_map_get(&s->members, cur);
		if (!m)
			break;
		if (m->copies > 1) {
			if (dup) {
				*dup = cur;
				*copies = m->copies;
				cur = NULL;
			}
			m = NULL;
			break;
		}
		char *next = NULL;
		if (m->type == AE_IFLNK && m->link)
			next = sw_path_resolve_link(cur, m->link);
		else if (m->type == AE_IFREG && m->link)
			next = sw_xstrdup(m->link);
		if (!next) {
			if (m->type != AE_IFREG)
				m = NULL;
			break;
		}
		free(cur);
		cur = next;
		m = NULL;
	}
	if (m && final) {
		*final = cur;
		cur = NULL;
	}
	free(cur);
	return m;
}

const struct sw_store_member *sw_store_lookup(const struct sw_store *s, const char *name, char **final)
{
	if (final)
		*final = NULL;
	return s->is_tar ? tar_lookup(s, name, final, NULL, NULL) : NULL;
}

static int dup_error(const char *name, const char *dup, unsigned copies, struct sw_err *err)
{
	if (strcmp(name, dup) == 0)
		return sw_err_set(err, SW_E_FORMAT,
				  "'%s' appears %u times in the archive (tar -x keeps the last one, "
				  "so the archive is ambiguous)",
				  name, copies);
	return sw_err_set(err, SW_E_FORMAT,
			  "'%s': its link '%s' appears %u times in the archive (tar -x keeps the "
			  "last one, so the archive is ambiguous)",
			  name, dup, copies);
}

/* Open name under a directory store without following symlinks out of it:
 * every component is opened relative to the previous one with O_NOFOLLOW. */
static int dir_open(const struct sw_store *s, const char *name, struct sw_err *err)
{
	char *clean = NULL;
	if (sw_path_clean_member(name, &clean, err) < 0)
		return -1;
	int dfd = open(s->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		free(clean);
		sw_err_errno(err, "cannot open directory");
		return -1;
	}
	char *p = clean;
	for (;;) {
		char *slash = strchr(p, '/');
		if (slash)
			*slash = '\0';
		/* the last component: a FIFO would block open() and a device may
		 * act on it, so look first and open without blocking */
		struct stat lst;
		if (!slash && fstatat(dfd, p, &lst, AT_SYMLINK_NOFOLLOW) == 0 &&
		    !S_ISREG(lst.st_mode) && !S_ISLNK(lst.st_mode)) {
			close(dfd);
			sw_err_set(err, SW_E_FORMAT, "blob '%s' is not a regular file", name);
			free(clean);
			return -1;
		}
		int fd = openat(dfd, p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
					(slash ? O_DIRECTORY : O_NONBLOCK));
		int e = errno;
		close(dfd);
		if (fd < 0) {
			if (e == ENOENT || e == ENOTDIR)
				sw_err_set(err, SW_E_NOTFOUND, "blob '%s' is missing", name);
			else if (e == ELOOP)
				sw_err_set(err, SW_E_UNSAFE, "blob '%s': '%s' is a symlink (not followed)",
					   name, p);
			else {
				errno = e;
				sw_err_errno(err, "blob '%s'", name);
			}
			free(clean);
			return -1;
		}
		if (!slash) {
			struct stat st;
			if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
				close(fd);
				free(clean);
				sw_err_set(err, SW_E_FORMAT, "blob '%s' is not a regular file", name);
				return -1;
			}
			/* regular: reads never block, but keep the usual flags */
			int fl = fcntl(fd, F_GETFL);
			if (fl >= 0)
				(void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
			free(clean);
			return fd;
		}
		dfd = fd;
		p = slash + 1;
	}
}

int sw_store_check(const struct sw_store *s, const char *name, struct sw_err *err)
{
	if (!s->is_tar) {
		int fd = dir_open(s, name, err);
		if (fd < 0)
			return -(err ? err->code : SW_E_NOTFOUND);
		close(fd);
		return 0;
	}
	char *clean = NULL, *dup = NULL;
	unsigned copies = 0;
	if (sw_path_clean_member(name, &clean, err) < 0)
		return -(err ? err->code : SW_E_UNSAFE);
	const struct sw_store_member *m = tar_lookup(s, clean, NULL, &dup, &copies);
	free(clean);
	int rc = 0;
	if (dup)
		rc = dup_error(name, dup, copies, err);
	else if (!m)
		rc = sw_err_set(err, SW_E_NOTFOUND, "blob '%s' is missing", name);
	free(dup);
	return rc;
}

bool sw_store_has(const struct sw_store *s, const char *name)
{
	if (s->is_tar) { /* a duplicated name exists: reading it says why it fails */
		char *clean = NULL, *dup = NULL;
		unsigned copies = 0;
		struct sw_err e = SW_ERR_INIT;
		if (sw_path_clean_member(name, &clean, &e) < 0)
			return false;
		const struct sw_store_member *m = tar_lookup(s, clean, NULL, &dup, &copies);
		free(clean);
		free(dup);
		return m || dup;
	}
	return sw_store_size(s, name) >= 0;
}

int64_t sw_store_size(const struct sw_store *s, const char *name)
{
	if (s->is_tar) {
		char *clean = NULL;
		struct sw_err e = SW_ERR_INIT;
		if (sw_path_clean_member(name, &clean, &e) < 0)
			return -1;
		const struct sw_store_member *m = tar_lookup(s, clean, NULL, NULL, NULL);
		free(clean);
		return m ? (int64_t)m->size : -1;
	}
	struct sw_err e = SW_ERR_INIT;
	int fd = dir_open(s, name, &e);
	if (fd < 0)
		return -1;
	struct stat st;
	int64_t r = fstat(fd, &st) == 0 ? (int64_t)st.st_size : -1;
	close(fd);
	return r;
}

struct sw_store_stream {
	const struct sw_buf *mem; /* memory store: the kept bytes */
	size_t mem_pos;
	int fd;             /* directory store */
	struct archive *a;  /* tar store */
	struct archive_entry *ae; /* its current member */
	char *name;
};

void sw_store_stream_close(struct sw_store_stream *st)
{
	if (!st)
		return;
	if (st->fd >= 0)
		close(st->fd);
	if (st->a)
		archive_read_free(st->a);
	free(st->name);
	free(st);
}

int sw_store_stream_open(const struct sw_store *s, const char *name, struct sw_store_stream **out,
			 struct sw_err *err)
{
	struct sw_store_stream *st = sw_xcalloc(1, sizeof(*st));
	st->fd = -1;
	st->name = sw_xstrdup(name);
	if (!s->is_tar) {
		st->fd = dir_open(s, name, err);
		if (st->fd < 0) {
			sw_store_stream_close(st);
			return -(err ? err->code : SW_E_IO);
		}
		*out = st;
		return 0;
	}
	char *clean = NULL;
	char *final = NULL;
	if (sw_path_clean_member(name, &clean, err) < 0) {
		sw_store_stream_close(st);
		return -(err ? err->code : SW_E_UNSAFE);
	}
	char *dup = NULL;
	unsigned copies = 0;
	const struct sw_store_member *m = tar_lookup(s, clean, &final, &dup, &copies);
	free(clean);
	if (!m || !final) {
		int rc = dup ? dup_error(name, dup, copies, err)
			     : sw_err_set(err, SW_E_NOTFOUND, "blob '%s' is missing", name);
		free(dup);
		free(final);
		sw_store_stream_close(st);
		return rc;
	}
	if (s->is_mem) {
		int rc = 0;
		if (!m->kept)
			rc = sw_err_set(err, SW_E_UNSUPPORTED, "blob '%s' was read as the archive streamed by and "
					"not kept", name);
		else
			st->mem = m->kept;
		free(final);
		if (rc < 0) {
			sw_store_stream_close(st);
			return rc;
		}
		*out = st;
		return 0;
	}
	st->a = tar_open(s->path, err);
	if (!st->a) {
		free(final);
		sw_store_stream_close(st);
		return -(err ? err->code : SW_E_IO);
	}
	struct archive_entry *ae;
	for (;;) {
		int r = archive_read_next_header(st->a, &ae);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			int rc = sw_err_set(err, SW_E_FORMAT, "bad tar archive (%s)",
					    archive_error_string(st->a));
			free(final);
			sw_store_stream_close(st);
			return rc;
		}
		const char *n = archive_entry_pathname(ae);
		char *c = NULL;
		struct sw_err e2 = SW_ERR_INIT;
		if (!n || sw_path_clean_member(n, &c, &e2) < 0)
			continue;
		bool hit = strcmp(c, final) == 0 && archive_entry_hardlink(ae) == NULL &&
			   archive_entry_filetype(ae) == AE_IFREG;
		free(c);
		if (hit) {
			free(final);
			st->ae = ae;
			*out = st;
			return 0;
		}
	}
	free(final);
	sw_store_stream_close(st);
	return sw_err_set(err, SW_E_NOTFOUND, "blob '%s' is missing (the archive changed)", name);
}

ssize_t sw_store_stream_read(void *stream, void *buf, size_t n, struct sw_err *err)
{
	struct sw_store_stream *st = stream;
	if (st->mem) {
		(void)err;
		size_t left = st->mem->len - st->mem_pos;
		if (n > left)
			n = left;
		if (n)
			memcpy(buf, st->mem->data + st->mem_pos, n);
		st->mem_pos += n;
		return (ssize_t)n;
	}
	if (st->a) {
		la_ssize_t r = archive_read_data(st->a, buf, n);
		if (r < 0)
			return sw_err_set(err, SW_E_FORMAT, "blob '%s': %s", st->name,
					  archive_error_string(st->a));
		return (ssize_t)r;
	}
	for (;;) {
		ssize_t r = read(st->fd, buf, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return sw_err_errno(err, "blob '%s'", st->name);
		return r;
	}
}

int sw_store_read_all(const struct sw_store *s, const char *name, size_t max, struct sw_buf *out,
		      struct sw_err *err)
{
	struct sw_store_stream *st = NULL;
	int rc = sw_store_stream_open(s, name, &st, err);
	if (rc < 0)
		return rc;
	uint64_t size = 0;
	struct stat fst;
	if (st->mem)
		size = st->mem->len;
	else if (st->a)
		size = (uint64_t)archive_entry_size_is_set(st->ae) ? (uint64_t)archive_entry_size(st->ae)
								    : 0;
	else if (fstat(st->fd, &fst) == 0)
		size = (uint64_t)fst.st_size;
	if (size > max) {
		sw_store_stream_close(st);
		return sw_err_set(err, SW_E_LIMIT, "'%s' is larger than %zu bytes", name, max);
	}
	char tmp[65536];
	size_t total = 0;
	for (;;) {
		ssize_t n = sw_store_stream_read(st, tmp, sizeof(tmp), err);
		if (n < 0) {
			rc = (int)n;
			break;
		}
		if (n == 0)
			break;
		total += (size_t)n;
		if (total > max) {
			rc = sw_err_set(err, SW_E_LIMIT, "'%s' is larger than %zu bytes", name, max);
			break;
		}
		sw_buf_add(out, tmp, (size_t)n);
		if (!sw_buf_ok(out)) {
			rc = sw_err_set(err, SW_E_NOMEM, "'%s': out of memory", name);
			break;
		}
	}
	sw_store_stream_close(st);
	return rc;
}
