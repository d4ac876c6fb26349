/*
 * artifact.c - the database file as the blob of an OCI artifact (vulndb.h
 * "the database as an OCI artifact"): what `db push` uploads, and the
 * verified, atomic install of what `db pull` downloads.  The registry side
 * is image/artifact.h; cmd/ joins the two.
 */
#include "vulndb/vulndb.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "util/mem.h"
#include "vulndb/fsutil.h"

/* SHA-256 of everything fd has from its start, as 64 hex digits. */
static int sha256_fd(int fd, char hex[65], uint64_t *size, struct sw_err *err, const char *name)
{
	if (lseek(fd, 0, SEEK_SET) < 0)
		return sw_err_errno(err, "'%s'", name);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	unsigned char *buf = sw_xmalloc(1 << 16);
	uint64_t total = 0;
	int rc = 0;
	for (;;) {
		ssize_t n = read(fd, buf, 1 << 16);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = sw_err_errno(err, "cannot read '%s'", name);
			break;
		}
		if (n == 0)
			break;
		EVP_DigestUpdate(md, buf, (size_t)n);
		total += (uint64_t)n;
	}
	unsigned char d[32];
	unsigned int dl = 0;
	EVP_DigestFinal_ex(md, d, &dl);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	EVP_MD_CTX_free(md);
	free(buf);
	if (size)
		*size = total;
	return rc;
}

int sw_vulndb_artifact_source(const char *db_path, struct sw_vulndb_artifact_src *out, struct sw_err *err)
{
	memset(out, 0, sizeof(*out));
	if (!db_path)
		db_path = sw_vulndb_default_path();
	/* Open the file before checking it: an update renames a new file in,
	 * it never changes this one, so what is hashed is what is sent. */
	FILE *fp = fopen(db_path, "rbe");
	if (!fp)
		return sw_err_errno(err, "cannot open database '%s'", db_path);
	struct sw_vulndb *db = NULL;
	int rc = sw_vulndb_open(db_path, SW_VULNDB_RDONLY, &db, err);
	if (rc == 0)
		rc = sw_vulndb_check(db, err);
	if (rc == 0) {
		struct sw_vulndb_info *info = NULL;
		rc = sw_vulndb_info(db, &info, err);
		if (rc == 0) {
			out->schema = info->schema_version;
			out->built_at = info->built_at;
		}
		sw_vulndb_info_free(info);
	}
	sw_vulndb_close(db);
	if (rc == 0)
		rc = sha256_fd(fileno(fp), out->sha256, &out->size, err, db_path);
	if (rc == 0 && fseeko(fp, 0, SEEK_SET) != 0)
		rc = sw_err_errno(err, "'%s'", db_path);
	if (rc < 0) {
		fclose(fp);
		return rc;
	}
	out->fp = fp;
	return 0;
}

void sw_vulndb_artifact_source_release(struct sw_vulndb_artifact_src *s)
{
	if (s && s->fp)
		fclose(s->fp);
	if (s)
		s->fp = NULL;
}

struct fill_ctx {
	int fd;
	const char *tmp;
};

static int write_tmp(void *ctx, const void *buf, size_t n, struct sw_err *err)
{
	struct fill_ctx *f = ctx;
	const char *p = buf;
	while (n) {
		ssize_t w = write(f->fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return sw_err_errno(err, "cannot write '%s'", f->tmp);
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int check_want(const char *name, const struct sw_vulndb_artifact_want *want, long *schema,
		      struct sw_err *err)
{
	char *end = NULL;
	*schema = want->schema ? strtol(want->schema, &end, 10) : -1;
	if (!want->schema || !*want->schema || *end || *schema < 1)
		return sw_err_set(err, SW_E_FORMAT, "'%s': no valid schema version annotation (%s)", name,
				  SW_VULNDB_ANN_SCHEMA);
	if (*schema > SW_VULNDB_SCHEMA_VERSION)
		return sw_err_set(err, SW_E_DB, "'%s': database schema version %ld is newer than this stowaway (%d)",
				  name, *schema, SW_VULNDB_SCHEMA_VERSION);
	if (!want->sha256 || strlen(want->sha256) != 64 || strspn(want->sha256, "0123456789abcdef") != 64)
		return sw_err_set(err, SW_E_FORMAT, "'%s': no valid SHA-256 annotation (%s)", name,
				  SW_VULNDB_ANN_SHA256);
	return 0;
}

int sw_vulndb_artifact_install(const char *db_path, sw_vulndb_fill_fn fill, void *fill_ctx, const char *name,
			       const struct sw_vulndb_artifact_want *want, struct sw_err *err)
{
	if (!db_path)
		db_path = sw_vulndb_default_path();
	long schema = 0;
	char *dir = sw_vulndb_dir_of(db_path);
	int rc = sw_vulndb_mkdir_p(dir, err);
	free(dir);
	int lock = rc < 0 ? rc : sw_vulndb_lock(db_path, err);
	if (lock < 0)
		return lock;
	sw_vulndb_remove_stale(db_path);
	char *tmp = sw_xasprintf("%s.new-%ld", db_path, (long)getpid());
	int fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = sw_err_errno(err, "cannot create '%s'", tmp);
		goto out;
	}
	struct fill_ctx fc = { fd, tmp };
	rc = fill(fill_ctx, write_tmp, &fc, err);
	if (rc == 0)
		rc = check_want(name, want, &schema, err);
	char hex[65];
	if (rc == 0)
		rc = sha256_fd(fd, hex, NULL, err, tmp);
	if (rc == 0 && strcmp(hex, want->sha256) != 0)
		rc = sw_err_set(err, SW_E_DIGEST, "'%s': the database's SHA-256 is %s, not %s (annotation %s): refused",
				name, hex, want->sha256, SW_VULNDB_ANN_SHA256);
	if (close(fd) != 0 && rc == 0)
		rc = sw_err_errno(err, "cannot write '%s'", tmp);
	if (rc == 0) {
		struct sw_vulndb *db = NULL;
		rc = sw_vulndb_open(tmp, SW_VULNDB_RDONLY, &db, err);
		struct sw_vulndb_info *info = NULL;
		if (rc == 0)
			rc = sw_vulndb_check(db, err);
		if (rc == 0)
			rc = sw_vulndb_info(db, &info, err);
		if (rc == 0 && info->schema_version != schema)
			rc = sw_err_set(err, SW_E_DB, "'%s': the database has schema version %d, the annotation says %ld",
					name, info->schema_version, schema);
		sw_vulndb_info_free(info);
		sw_vulndb_close(db);
		if (rc < 0)
			sw_err_wrap(err, "'%s'", name);
	}
	if (rc == 0)
		rc = sw_vulndb_commit_file(tmp, db_path, err);
out:
	if (rc < 0)
		unlink(tmp);
	free(tmp);
	close(lock);
	return rc;
}
