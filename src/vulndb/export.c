/*
 * export.c - the database as one file for air-gapped sites.
 *
 * Layout: 8 bytes magic "SWVDB\0\0\1", a zstd stream of the SQLite file,
 * then 8 bytes "SWVDBSUM" and the 32-byte SHA-256 of every byte before
 * that trailer.  Import verifies the checksum while decompressing into
 * PATH.new-PID, opens and checks the result, and renames it into place.
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
#include <zstd.h>

#include "util/mem.h"
#include "util/outfile.h"
#include "vulndb/fsutil.h"

static const unsigned char magic[8] = { 'S', 'W', 'V', 'D', 'B', 0, 0, 1 };
static const unsigned char trailer_magic[8] = { 'S', 'W', 'V', 'D', 'B', 'S', 'U', 'M' };
#define TRAILER_LEN (8 + 32)
#define MAX_DB_SIZE ((unsigned long long)64 << 30)

static int write_all(FILE *fp, EVP_MD_CTX *md, const void *p, size_t n)
{
	EVP_DigestUpdate(md, p, n);
	return fwrite(p, 1, n, fp) == n ? 0 : -1;
}

int sw_vulndb_export(const char *db_path, const char *file, struct sw_err *err)
{
	if (!db_path)
		db_path = sw_vulndb_default_path();
	/* Open the file before checking it: an update renames a new file in,
	 * it never changes this one. */
	int fd = open(db_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return sw_err_errno(err, "cannot open database '%s'", db_path);
	struct sw_vulndb *db = NULL;
	int r = sw_vulndb_open(db_path, SW_VULNDB_RDONLY, &db, err);
	if (r == 0)
		r = sw_vulndb_check(db, err);
	sw_vulndb_close(db);
	if (r < 0) {
		close(fd);
		return r;
	}
	struct sw_outfile o;
	r = sw_outfile_open(&o, file, err);
	if (r < 0) {
		close(fd);
		return r;
	}
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	ZSTD_CCtx *z = ZSTD_createCCtx();
	size_t in_cap = ZSTD_CStreamInSize(), out_cap = ZSTD_CStreamOutSize();
	unsigned char *in = sw_xmalloc(in_cap), *outb = sw_xmalloc(out_cap);
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	ZSTD_CCtx_setParameter(z, ZSTD_c_compressionLevel, 9);
	ZSTD_CCtx_setParameter(z, ZSTD_c_checksumFlag, 1);
	bool werr = write_all(o.fp, md, magic, sizeof(magic)) < 0;
	for (bool last = false; !last && !werr && r == 0;) {
		ssize_t n = read(fd, in, in_cap);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = sw_err_errno(err, "cannot read '%s'", db_path);
			break;
		}
		last = n == 0;
		ZSTD_inBuffer ib = { in, (size_t)n, 0 };
		ZSTD_EndDirective mode = last ? ZSTD_e_end : ZSTD_e_continue;
		bool done = false;
		while (!done && !werr) {
			ZSTD_outBuffer ob = { outb, out_cap, 0 };
			size_t rem = ZSTD_compressStream2(z, &ob, &ib, mode);
			if (ZSTD_isError(rem)) {
				r = sw_err_set(err, SW_E_INTERNAL, "zstd: %s", ZSTD_getErrorName(rem));
				break;
			}
			werr = write_all(o.fp, md, outb, ob.pos) < 0;
			done = last ? rem == 0 : ib.pos == ib.size;
		}
	}
	unsigned char digest[32];
	unsigned int dlen = 0;
	EVP_DigestFinal_ex(md, digest, &dlen);
	if (r == 0 && !werr)
		werr = fwrite(trailer_magic, 1, 8, o.fp) != 8 || fwrite(digest, 1, 32, o.fp) != 32;
	if (r == 0 && werr)
		r = sw_err_errno(err, "cannot write '%s'", file);
	if (r == 0)
		r = sw_outfile_commit(&o, err);
	else
		sw_outfile_abort(&o);
	free(in);
	free(outb);
	ZSTD_freeCCtx(z);
	EVP_MD_CTX_free(md);
	close(fd);
	return r;
}

static int read_full(int fd, void *p, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t k = read(fd, (char *)p + got, n - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		got += (size_t)k;
	}
	return 0;
}

int sw_vulndb_import(const char *file, const char *db_path, struct sw_err *err)
{
	if (!db_path)
		db_path = sw_vulndb_default_path();
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return sw_err_errno(err, "cannot open '%s'", file);
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < (off_t)(sizeof(magic) + TRAILER_LEN)) {
		close(fd);
		return sw_err_set(err, SW_E_FORMAT, "'%s': not a stowaway database export (too short)", file);
	}
	unsigned char head[8];
	if (read_full(fd, head, 8) < 0 || memcmp(head, magic, 8) != 0) {
		close(fd);
		return sw_err_set(err, SW_E_FORMAT, "'%s': not a stowaway database export (bad magic)", file);
	}
	char *dir = sw_vulndb_dir_of(db_path);
	int r = sw_vulndb_mkdir_p(dir, err);
	free(dir);
	int lock = r < 0 ? r : sw_vulndb_lock(db_path, err);
	if (lock < 0) {
		close(fd);
		return lock;
	}
	sw_vulndb_remove_stale(db_path);
	char *tmp = sw_xasprintf("%s.new-%ld", db_path, (long)getpid());
	int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0) {
		r = sw_err_errno(err, "cannot create '%s'", tmp);
		free(tmp);
		close(lock);
		close(fd);
		return r;
	}
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	EVP_DigestUpdate(md, head, 8);
	ZSTD_DCtx *z = ZSTD_createDCtx();
	size_t in_cap = ZSTD_DStreamInSize(), out_cap = ZSTD_DStreamOutSize();
	unsigned char *in = sw_xmalloc(in_cap), *outb = sw_xmalloc(out_cap);
	unsigned long long left = (unsigned long long)st.st_size - sizeof(magic) - TRAILER_LEN;
	unsigned long long written = 0;
	size_t last_ret = 1;
	while (left > 0 && r == 0) {
		size_t want = left < in_cap ? (size_t)left : in_cap;
		if (read_full(fd, in, want) < 0) {
			r = sw_err_set(err, SW_E_IO, "'%s': read error", file);
			break;
		}
		left -= want;
		EVP_DigestUpdate(md, in, want);
		ZSTD_inBuffer ib = { in, want, 0 };
		while (ib.pos < ib.size && r == 0) {
			ZSTD_outBuffer ob = { outb, out_cap, 0 };
			last_ret = ZSTD_decompressStream(z, &ob, &ib);
			if (ZSTD_isError(last_ret)) {
				r = sw_err_set(err, SW_E_FORMAT, "'%s': corrupt export: %s", file,
					       ZSTD_getErrorName(last_ret));
				break;
			}
			written += ob.pos;
			if (written > MAX_DB_SIZE) {
				r = sw_err_set(err, SW_E_LIMIT, "'%s': database larger than %llu bytes", file,
					       MAX_DB_SIZE);
				break;
			}
			if (ob.pos && write(out, outb, ob.pos) != (ssize_t)ob.pos)
				r = sw_err_errno(err, "cannot write '%s'", tmp);
		}
	}
	unsigned char trailer[TRAILER_LEN], digest[32];
	unsigned int dlen = 0;
	EVP_DigestFinal_ex(md, digest, &dlen);
	if (r == 0 && (read_full(fd, trailer, TRAILER_LEN) < 0 || memcmp(trailer, trailer_magic, 8) != 0))
		r = sw_err_set(err, SW_E_FORMAT, "'%s': checksum trailer missing (truncated file?)", file);
	if (r == 0 && memcmp(trailer + 8, digest, 32) != 0)
		r = sw_err_set(err, SW_E_DIGEST, "'%s': SHA-256 checksum mismatch (damaged file)", file);
	if (r == 0 && last_ret != 0)
		r = sw_err_set(err, SW_E_FORMAT, "'%s': truncated zstd stream", file);
	if (close(out) != 0 && r == 0)
		r = sw_err_errno(err, "cannot write '%s'", tmp);
	if (r == 0) {
		struct sw_vulndb *db = NULL;
		r = sw_vulndb_open(tmp, SW_VULNDB_CREATE, &db, err);
		if (r == 0)
			r = sw_vulndb_check(db, err);
		sw_vulndb_close(db);
		if (r < 0)
			sw_err_wrap(err, "'%s'", file);
	}
	if (r == 0)
		r = sw_vulndb_commit_file(tmp, db_path, err);
	if (r < 0)
		unlink(tmp);
	free(in);
	free(outb);
	ZSTD_freeDCtx(z);
	EVP_MD_CTX_free(md);
	free(tmp);
	close(lock);
	close(fd);
	return r;
}
