#include "util/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/mem.h"

/* Create PATH.tmp.PID.N exclusively with mode 0666, which the kernel narrows
 * by the umask (and a default ACL) exactly as for `>FILE`; *tmp is malloc'd.
 * Returns the fd, or -1 with errno set. */
static int create_tmp(const char *path, char **tmp)
{
	static unsigned seq;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	for (int i = 0; i < 100; i++) {
		char *p = sw_xasprintf("%s.tmp.%ld.%lx", path, (long)getpid(),
				       (unsigned long)ts.tv_nsec + seq++ * 7919UL);
		int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd >= 0) {
			*tmp = p;
			return fd;
		}
		int e = errno;
		free(p);
		if (e != EEXIST) {
			errno = e;
			return -1;
		}
	}
	errno = EEXIST;
	return -1;
}

/* Replacing an existing regular file keeps its mode, and its owner and
 * group where we may (replacing a 0600 file must not widen it). */
static int keep_mode(int fd, const char *path, struct sw_err *err)
{
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return 0; /* a new file: the umask decided */
	/* root keeps the owner; anyone else may at least keep a group they are in */
	if (fchown(fd, st.st_uid, st.st_gid) != 0 && fchown(fd, (uid_t)-1, st.st_gid) != 0)
		errno = 0; /* not allowed: the file becomes ours, with the old mode bits */
	if (fchmod(fd, st.st_mode & 07777) != 0)
		return sw_err_errno(err, "cannot set the mode of '%s'", path);
	return 0;
}

int sw_outfile_open(struct sw_outfile *o, const char *path, struct sw_err *err)
{
	memset(o, 0, sizeof(*o));
	if (!path || strcmp(path, "-") == 0) {
		o->fp = stdout;
		return 0;
	}
	o->path = sw_xstrdup(path);
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		o->fp = fopen(path, "w");
		if (!o->fp) {
			int r = sw_err_errno(err, "cannot open '%s'", path);
			sw_freep(&o->path);
			return r;
		}
		o->in_place = true;
		return 0;
	}
	int fd = create_tmp(path, &o->tmp_path);
	if (fd < 0) {
		int r = sw_err_errno(err, "cannot create '%s'", path);
		sw_freep(&o->path);
		return r;
	}
	int r = keep_mode(fd, path, err);
	if (r < 0) {
		close(fd);
		unlink(o->tmp_path);
		sw_freep(&o->path);
		sw_freep(&o->tmp_path);
		return r;
	}
	o->fp = fdopen(fd, "w");
	if (!o->fp) {
		r = sw_err_errno(err, "cannot open '%s'", path);
		close(fd);
		unlink(o->tmp_path);
		sw_freep(&o->path);
		sw_freep(&o->tmp_path);
		return r;
	}
	return 0;
}

int sw_outfile_commit(struct sw_outfile *o, struct sw_err *err)
{
	if (!o->fp)
		return 0;
	if (o->in_place) {
		int bad = fflush(o->fp) != 0 || ferror(o->fp);
		if (fclose(o->fp) != 0)
			bad = 1;
		o->fp = NULL;
		int r = bad ? sw_err_errno(err, "cannot write '%s'", o->path) : 0;
		sw_freep(&o->path);
		return r;
	}
	if (!o->tmp_path) {
		int bad = fflush(o->fp) != 0 || ferror(o->fp);
		o->fp = NULL;
		return bad ? sw_err_errno(err, "cannot write standard output") : 0;
	}
	int bad = fflush(o->fp) != 0 || ferror(o->fp);
	if (fclose(o->fp) != 0)
		bad = 1;
	o->fp = NULL;
	int r = 0;
	if (bad) {
		r = sw_err_errno(err, "cannot write '%s'", o->path);
		unlink(o->tmp_path);
	} else if (rename(o->tmp_path, o->path) != 0) {
		r = sw_err_errno(err, "cannot rename into '%s'", o->path);
		unlink(o->tmp_path);
	}
	sw_freep(&o->path);
	sw_freep(&o->tmp_path);
	return r;
}

void sw_outfile_abort(struct sw_outfile *o)
{
	if (o->fp && o->tmp_path) {
		fclose(o->fp);
		unlink(o->tmp_path);
	} else if (o->fp && o->in_place) {
		fclose(o->fp);
	} else if (o->fp) {
		fflush(o->fp);
	}
	o->fp = NULL;
	sw_freep(&o->path);
	sw_freep(&o->tmp_path);
}
