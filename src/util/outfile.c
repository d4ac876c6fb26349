#include "util/outfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/mem.h"

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
	o->tmp_path = sw_xasprintf("%s.tmp.XXXXXX", path);
	int fd = mkstemp(o->tmp_path);
	if (fd < 0) {
		int r = sw_err_errno(err, "cannot create '%s'", path);
		sw_freep(&o->path);
		sw_freep(&o->tmp_path);
		return r;
	}
	(void)fchmod(fd, 0644);
	o->fp = fdopen(fd, "w");
	if (!o->fp) {
		int r = sw_err_errno(err, "cannot open '%s'", path);
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
