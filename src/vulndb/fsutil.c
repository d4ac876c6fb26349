/* fsutil.c - see fsutil.h. */
#include "vulndb/fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/mem.h"
#include "util/path.h"

char *sw_vulndb_dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return sw_xstrdup(".");
	if (slash == path)
		return sw_xstrdup("/");
	return sw_xstrndup(path, (size_t)(slash - path));
}

int sw_vulndb_mkdir_p(const char *dir, struct sw_err *err)
{
	char *p = sw_xstrdup(dir);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST) {
			int r = sw_err_errno(err, "cannot create '%s'", p);
			free(p);
			return r;
		}
		*s = '/';
	}
	int r = 0;
	if (mkdir(p, 0755) != 0 && errno != EEXIST)
		r = sw_err_errno(err, "cannot create '%s'", p);
	free(p);
	return r;
}

/* Remove PATH.new-* left by interrupted updates (we hold the lock). */
void sw_vulndb_remove_stale(const char *db_path)
{
	char *dir = sw_vulndb_dir_of(db_path);
	const char *base = sw_path_basename(db_path);
	char *prefix = sw_xasprintf("%s.new-", base);
	DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (!sw_starts_with(de->d_name, prefix))
			continue;
		char *p = sw_xasprintf("%s/%s", dir, de->d_name);
		unlink(p);
		free(p);
	}
	if (d)
		closedir(d);
	free(prefix);
	free(dir);
}

static int fsync_path(const char *path, bool directory)
{
	int fd = open(path, (directory ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int r = fsync(fd);
	close(fd);
	return r;
}

int sw_vulndb_lock(const char *db_path, struct sw_err *err)
{
	char *lock_path = sw_xasprintf("%s.lock", db_path);
	int fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	int r = fd;
	if (fd < 0)
		r = sw_err_errno(err, "cannot open '%s'", lock_path);
	else if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		close(fd);
		r = sw_err_set(err, SW_E_IO, "database '%s': another update or import is running", db_path);
	}
	free(lock_path);
	return r;
}

int sw_vulndb_commit_file(const char *tmp, const char *path, struct sw_err *err)
{
	if (fsync_path(tmp, false) != 0)
		return sw_err_errno(err, "cannot sync '%s'", tmp);
	if (rename(tmp, path) != 0)
		return sw_err_errno(err, "cannot rename '%s' to '%s'", tmp, path);
	char *dir = sw_vulndb_dir_of(path);
	(void)fsync_path(dir, true);
	free(dir);
	return 0;
}
