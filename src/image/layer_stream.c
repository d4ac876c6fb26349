/*
 * layer_stream.c - the verified layer pipeline.
 *
 *   blob bytes --sha256--> decompress (gzip: ISA-L, zstd: libzstd, plain)
 *              --sha256--> libarchive tar reader --> entry callback
 *
 * (A plain layer is hashed once: its blob digest is its diff_id.)
 *
 * Every byte of the blob passes through pipe_fill(), and every byte of the
 * uncompressed stream through pipe_read(), so content that the callback
 * skips is still hashed.  After the tar's end the rest of the stream is
 * drained and hashed, then both digests are compared.  Buffers have a fixed
 * size: memory does not grow with the layer.
 *
 * SHA-256 of both streams costs about a third of a gzip layer's CPU time.
 * When the caller has a core to spare (chk->async_digests), the digests are
 * computed by a second thread: each chunk is copied into a ring of HR_SLOTS
 * buffers that the digest thread consumes in order (a copy costs a few per
 * cent of a hash).  The producer waits when the ring is full, so memory
 * stays fixed; md_sync() waits for the ring to drain before a digest is read.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <isa-l/igzip_lib.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "image/internal.h"
#include "util/hash.h"
#include "util/map.h"
#include "util/mem.h"
#include "util/path.h"

#define PIPE_BUFSZ ((size_t)256 << 10)

enum comp { C_UNKNOWN, C_PLAIN, C_GZIP, C_ZSTD };

#define HR_SLOTS 8

/* The digest thread's ring: slots filled by the pipe, hashed in order. */
struct hash_ring {
	pthread_t tid;
	pthread_mutex_t lock;
	pthread_cond_t cv;
	EVP_MD_CTX *md[2];          /* [0] blob bytes, [1] uncompressed stream */
	unsigned char *buf[HR_SLOTS];
	size_t len[HR_SLOTS];
	int which[HR_SLOTS];
	size_t head, tail;          /* slots head..tail-1 (mod) are full; counts only grow */
	bool stop;
};

struct sw_layer_pipe {
	sw_blob_read_fn rd;
	void *rctx;
	EVP_MD_CTX *zmd, *umd;
	uint64_t zbytes, ubytes;
	enum comp comp;
	unsigned char *in;
	size_t in_pos, in_len;
	bool in_eof;
	unsigned char *out;
	struct inflate_state *gz;
	ZSTD_DStream *zs;
	size_t zs_last;
	bool done;        /* uncompressed stream ended */
	bool failed;      /* err holds the cause */
	const void *pend; /* a chunk already read, not yet handed to libarchive */
	size_t pend_n;
	bool tar_failed;  /* archive_read_data failed inside a callback */
	struct hash_ring *hr; /* digest thread, or NULL: digests computed inline */
	struct sw_err err;
};

/* ---- digests ------------------------------------------------------------ */

bool sw_digest_valid(const char *d)
{
	if (!d || strncmp(d, "sha256:", 7) != 0)
		return false;
	const char *h = d + 7;
	size_t n = 0;
	for (; h[n]; n++)
		if (!((h[n] >= '0' && h[n] <= '9') || (h[n] >= 'a' && h[n] <= 'f')))
			return false;
	return n == 64;
}

static void hex_digest(const unsigned char *md, unsigned len, char out[SW_DIGEST_MAX])
{
	static const char hx[] = "0123456789abcdef";
	memcpy(out, "sha256:", 7);
	for (unsigned i = 0; i < len && i < 32; i++) {
		out[7 + 2 * i] = hx[md[i] >> 4];
		out[8 + 2 * i] = hx[md[i] & 15];
	}
	out[7 + 64] = '\0';
}

void sw_digest_sha256(const void *data, size_t len, char out[SW_DIGEST_MAX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
	hex_digest(md, mdlen, out);
}

int sw_digest_check(const char *what, const void *data, size_t len, const char *want_digest,
		    int64_t want_size, struct sw_err *err)
{
	if (want_size >= 0 && (uint64_t)want_size != (uint64_t)len)
		return sw_err_set(err, SW_E_DIGEST,
				  "%s: size mismatch (descriptor says %lld bytes, blob has %zu)", what,
				  (long long)want_size, len);
	char got[SW_DIGEST_MAX];
	sw_digest_sha256(data, len, got);
	if (!sw_streq(got, want_digest))
		return sw_err_set(err, SW_E_DIGEST, "%s: digest mismatch (expected %s, content is %s)",
				  what, want_digest, got);
	return 0;
}

/* ---- digests on a second thread ------------------------------------------ */

static void *hr_main(void *arg)
{
	struct hash_ring *h = arg;
	pthread_mutex_lock(&h->lock);
	for (;;) {
		while (h->tail == h->head && !h->stop)
			pthread_cond_wait(&h->cv, &h->lock);
		if (h->tail == h->head)
			break;   /* stop, and nothing left */
		size_t k = h->tail % HR_SLOTS;
		pthread_mutex_unlock(&h->lock);
		EVP_DigestUpdate(h->md[h->which[k]], h->buf[k], h->len[k]);
		pthread_mutex_lock(&h->lock);
		h->tail++;
		pthread_cond_broadcast(&h->cv);
	}
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

static void hr_free(struct hash_ring *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < HR_SLOTS; i++)
		free(h->buf[i]);
	pthread_mutex_destroy(&h->lock);
	pthread_cond_destroy(&h->cv);
	free(h);
}

/* A ring hashing into zmd/umd, or NULL (then the caller hashes inline). */
static struct hash_ring *hr_start(EVP_MD_CTX *zmd, EVP_MD_CTX *umd)
{
	struct hash_ring *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->md[0] = zmd;
	h->md[1] = umd;
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->cv, NULL);
	for (size_t i = 0; i < HR_SLOTS; i++)
		if (!(h->buf[i] = malloc(PIPE_BUFSZ))) {
			hr_free(h);
			return NULL;
		}
	if (pthread_create(&h->tid, NULL, hr_main, h) != 0) {
		hr_free(h);
		return NULL;
	}
	return h;
}

/* Stop the thread after it has hashed everything submitted. */
static void hr_finish(struct hash_ring *h)
{
	pthread_mutex_lock(&h->lock);
	h->stop = true;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->lock);
	pthread_join(h->tid, NULL);
	hr_free(h);
}

/* Add data to digest `which` (0 blob, 1 uncompressed). */
static void md_update(struct sw_layer_pipe *p, int which, const void *data, size_t n)
{
	struct hash_ring *h = p->hr;
	if (!h) {
		EVP_DigestUpdate(which ? p->umd : p->zmd, data, n);
		return;
	}
	const unsigned char *d = data;
	while (n) {
		size_t c = n < PIPE_BUFSZ ? n : PIPE_BUFSZ;
		pthread_mutex_lock(&h->lock);
		while (h->head - h->tail == HR_SLOTS)
			pthread_cond_wait(&h->cv, &h->lock);
		size_t k = h->head % HR_SLOTS;
		pthread_mutex_unlock(&h->lock);
		memcpy(h->buf[k], d, c);   /* slot k is ours until head moves past it */
		h->len[k] = c;
		h->which[k] = which;
		pthread_mutex_lock(&h->lock);
		h->head++;
		pthread_cond_signal(&h->cv);
		pthread_mutex_unlock(&h->lock);
		d += c;
		n -= c;
	}
}

/* Wait for the digest thread to finish and go on inline: the digest
 * contexts are the caller's again. */
static void md_sync(struct sw_layer_pipe *p)
{
	if (p->hr) {
		hr_finish(p->hr);
		p->hr = NULL;
	}
}

/* ---- the pipeline ---------------------------------------------------------- */

static int pipe_fail(struct sw_layer_pipe *p, int code, const char *msg)
{
	if (!p->failed) {
		p->failed = true;
		sw_err_set(&p->err, code, "%s", msg);
	}
	return -1;
}

/* Read more blob bytes into p->in (after compacting).  Returns bytes added,
 * 0 at the blob's end, -1 on error. */
static ssize_t pipe_fill(struct sw_layer_pipe *p)
{
	if (p->in_eof)
		return 0;
	if (p->in_pos > 0) {
		memmove(p->in, p->in + p->in_pos, p->in_len - p->in_pos);
		p->in_len -= p->in_pos;
		p->in_pos = 0;
	}
	if (p->in_len >= PIPE_BUFSZ)
		return pipe_fail(p, SW_E_INTERNAL, "input buffer full");
	ssize_t n = p->rd(p->rctx, p->in + p->in_len, PIPE_BUFSZ - p->in_len, &p->err);
	if (n < 0) {
		p->failed = true;
		return -1;
	}
	if (n == 0) {
		p->in_eof = true;
		return 0;
	}
	md_update(p, 0, p->in + p->in_len, (size_t)n);
	p->zbytes += (uint64_t)n;
	p->in_len += (size_t)n;
	return n;
}

static int pipe_detect(struct sw_layer_pipe *p)
{
	while (p->in_len - p->in_pos < 10 && !p->in_eof)
		if (pipe_fill(p) < 0)
			return -1;
	const unsigned char *b = p->in + p->in_pos;
	size_t n = p->in_len - p->in_pos;
	if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b) {
		p->comp = C_GZIP;
		p->gz = calloc(1, sizeof(*p->gz));
		if (!p->gz)
			return pipe_fail(p, SW_E_NOMEM, "out of memory");
		isal_inflate_init(p->gz);
		p->gz->crc_flag = ISAL_GZIP;
	} else if (n >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd) {
		p->comp = C_ZSTD;
		p->zs = ZSTD_createDStream();
		if (!p->zs)
			return pipe_fail(p, SW_E_NOMEM, "out of memory");
		ZSTD_DCtx_setParameter(p->zs, ZSTD_d_windowLogMax, 27);
		p->zs_last = 1;
	} else if (n >= 6 && memcmp(b, "\xfd" "7zXZ\0", 6) == 0) {
		return pipe_fail(p, SW_E_UNSUPPORTED, "xz-compressed layers are not supported");
	} else if (n >= 10 && memcmp(b, "BZh", 3) == 0 && b[3] >= '1' && b[3] <= '9' &&
		   memcmp(b + 4, "1AY&SY", 6) == 0) {
		return pipe_fail(p, SW_E_UNSUPPORTED, "bzip2-compressed layers are not supported");
	} else {
		p->comp = C_PLAIN;
	}
	return 0;
}

static const char *isal_strerror(int r)
{
	switch (r) {
	case ISAL_INVALID_BLOCK: return "invalid deflate block";
	case ISAL_INVALID_SYMBOL: return "invalid deflate symbol";
	case ISAL_INVALID_LOOKBACK: return "invalid deflate distance";
	case ISAL_INVALID_WRAPPER: return "invalid gzip header";
	case ISAL_UNSUPPORTED_METHOD: return "unsupported gzip method";
	case ISAL_INCORRECT_CHECKSUM: return "gzip checksum mismatch";
	default: return "corrupt gzip data";
	}
}

static ssize_t gz_read(struct sw_layer_pipe *p, const void **ptr)
{
	int idle = 0;
	for (;;) {
		if (p->gz->block_state == ISAL_BLOCK_FINISH) {
			/* end of one gzip member: another one, or the end */
			if (p->in_pos == p->in_len && pipe_fill(p) < 0)
				return -1;
			if (p->in_pos == p->in_len)
				return 0;
			if (p->in_len - p->in_pos < 2 && pipe_fill(p) < 0)
				return -1;
			if (p->in_len - p->in_pos < 2 || p->in[p->in_pos] != 0x1f ||
			    p->in[p->in_pos + 1] != 0x8b)
				return pipe_fail(p, SW_E_FORMAT, "trailing data after the gzip stream");
			isal_inflate_reset(p->gz);
			p->gz->crc_flag = ISAL_GZIP;
		}
		if (p->in_pos == p->in_len && pipe_fill(p) < 0)
			return -1;
		size_t avail = p->in_len - p->in_pos;
		p->gz->next_in = p->in + p->in_pos;
		p->gz->avail_in = (uint32_t)avail;
		p->gz->next_out = p->out;
		p->gz->avail_out = (uint32_t)PIPE_BUFSZ;
		int r = isal_inflate(p->gz);
		if (r < 0)
			return pipe_fail(p, SW_E_FORMAT, isal_strerror(r));
		size_t used = avail - p->gz->avail_in;
		p->in_pos += used;
		size_t produced = PIPE_BUFSZ - p->gz->avail_out;
		if (produced) {
			*ptr = p->out;
			return (ssize_t)produced;
		}
		if (p->gz->block_state == ISAL_BLOCK_FINISH)
			continue;
		if (p->in_pos == p->in_len && p->in_eof)
			return pipe_fail(p, SW_E_FORMAT, "truncated gzip stream");
		if (used == 0 && ++idle > 4)
			return pipe_fail(p, SW_E_FORMAT, "corrupt gzip data");
	}
}

static ssize_t zstd_read(struct sw_layer_pipe *p, const void **ptr)
{
	for (;;) {
		if (p->in_pos == p->in_len && pipe_fill(p) < 0)
			return -1;
		if (p->in_pos == p->in_len && p->in_eof) {
			if (p->zs_last != 0)
				return pipe_fail(p, SW_E_FORMAT, "truncated zstd stream");
			return 0;
		}
		ZSTD_inBuffer ib = { p->in, p->in_len, p->in_pos };
		ZSTD_outBuffer ob = { p->out, PIPE_BUFSZ, 0 };
		size_t r = ZSTD_decompressStream(p->zs, &ob, &ib);
		if (ZSTD_isError(r)) {
			char msg[256];
			snprintf(msg, sizeof(msg), "corrupt zstd data (%s)", ZSTD_getErrorName(r));
			return pipe_fail(p, SW_E_FORMAT, msg);
		}
		p->in_pos = ib.pos;
		p->zs_last = r;
		if (ob.pos) {
			*ptr = p->out;
			return (ssize_t)ob.pos;
		}
	}
}

/* Next chunk of the uncompressed stream: > 0 bytes at *ptr, 0 at its end,
 * -1 on error (p->err set). */
static ssize_t pipe_read(struct sw_layer_pipe *p, const void **ptr)
{
	if (p->failed)
		return -1;
	if (p->done)
		return 0;
	if (p->comp == C_UNKNOWN && pipe_detect(p) < 0)
		return -1;
	ssize_t n;
	switch (p->comp) {
	case C_GZIP:
		n = gz_read(p, ptr);
		break;
	case C_ZSTD:
		n = zstd_read(p, ptr);
		break;
	default:
		if (p->in_pos == p->in_len) {
			p->in_pos = p->in_len = 0;
			if (pipe_fill(p) < 0)
				return -1;
		}
		n = (ssize_t)(p->in_len - p->in_pos);
		*ptr = p->in + p->in_pos;
		p->in_pos = p->in_len;
		break;
	}
	if (n < 0)
		return -1;
	if (n == 0) {
		p->done = true;
		return 0;
	}
	if (p->comp != C_PLAIN)   /* plain: the blob digest is the uncompressed one */
		md_update(p, 1, *ptr, (size_t)n);
	p->ubytes += (uint64_t)n;
	return n;
}

static la_ssize_t la_read(struct archive *a, void *cd, const void **buf)
{
	struct sw_layer_pipe *p = cd;
	if (p->pend_n) {
		*buf = p->pend;
		la_ssize_t n = (la_ssize_t)p->pend_n;
		p->pend_n = 0;
		return n;
	}
	ssize_t n = pipe_read(p, buf);
	if (n < 0) {
		archive_set_error(a, EINVAL, "%s", p->err.msg);
		return -1;
	}
	return (la_ssize_t)n;
}

static void pipe_release(struct sw_layer_pipe *p)
{
	md_sync(p);
	EVP_MD_CTX_free(p->zmd);
	EVP_MD_CTX_free(p->umd);
	free(p->in);
	free(p->out);
	free(p->gz);
	ZSTD_freeDStream(p->zs);
}

static void md_final(EVP_MD_CTX *md, char out[SW_DIGEST_MAX])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	EVP_DigestFinal_ex(md, d, &len);
	hex_digest(d, len, out);
}

/* Hash the rest of the blob without decompressing (after a format error),
 * so that a corrupted blob is reported as a digest mismatch. */
static bool blob_digest_mismatch(struct sw_layer_pipe *p, const struct sw_layer_check *chk,
				 struct sw_err *err)
{
	if (!chk->digest || (p->failed && (p->err.code == SW_E_IO || p->err.code == SW_E_NOMEM)))
		return false;
	md_sync(p);
	struct sw_err e2 = SW_ERR_INIT;
	while (!p->in_eof) {
		ssize_t n = p->rd(p->rctx, p->in, PIPE_BUFSZ, &e2);
		if (n < 0)
			return false;
		if (n == 0)
			break;
		EVP_DigestUpdate(p->zmd, p->in, (size_t)n);
	}
	char got[SW_DIGEST_MAX];
	md_final(p->zmd, got);
	if (sw_streq(got, chk->digest))
		return false;
	sw_err_set(err, SW_E_DIGEST, "digest mismatch (manifest says %s, content is %s)",
		   chk->digest, got);
	return true;
}

/* ---- entries ---------------------------------------------------------------- */

ssize_t sw_entry_read(struct sw_entry_reader *r, void *buf, size_t n, struct sw_err *err)
{
	if (r->eof || n == 0)
		return 0;
	if (r->a) {
		la_ssize_t got = archive_read_data(r->a, buf, n);
		if (got < 0) {
			if (r->pipe && r->pipe->failed) {
				if (err)
					*err = r->pipe->err;
				return -(ssize_t)(err ? err->code : SW_E_FORMAT);
			}
			if (r->pipe)
				r->pipe->tar_failed = true;
			return sw_err_set(err, SW_E_FORMAT, "member '%s': %s", r->path,
					  archive_error_string(r->a));
		}
		if (got == 0)
			r->eof = true;
		return got;
	}
	if (r->fd < 0) {
		r->fd = openat(r->dirfd, r->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
		if (r->fd < 0)
			return sw_err_errno(err, "'%s'", r->path);
		struct stat st;
		if (fstat(r->fd, &st) != 0 || !S_ISREG(st.st_mode))
			return sw_err_set(err, SW_E_UNSAFE, "'%s' is no longer a regular file", r->path);
	}
	for (;;) {
		ssize_t got = read(r->fd, buf, n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return sw_err_errno(err, "'%s'", r->path);
		if (got == 0)
			r->eof = true;
		return got;
	}
}

static const uint8_t zero_block[16384];

static ssize_t tar_error(struct sw_entry_reader *r, struct sw_err *err)
{
	if (r->pipe && r->pipe->failed) {
		if (err)
			*err = r->pipe->err;
		return -(ssize_t)(err ? err->code : SW_E_FORMAT);
	}
	if (r->pipe)
		r->pipe->tar_failed = true;
	return sw_err_set(err, SW_E_FORMAT, "member '%s': %s", r->path, archive_error_string(r->a));
}

/* Zeros up to `upto` (a hole), at most one zero block. */
static ssize_t hole(struct sw_entry_reader *r, uint64_t upto, const void **block)
{
	uint64_t n = upto - r->pos;
	if (n > sizeof(zero_block))
		n = sizeof(zero_block);
	*block = zero_block;
	r->pos += n;
	return (ssize_t)n;
}

ssize_t sw_entry_read_block(struct sw_entry_reader *r, void *scratch, size_t scratch_len, const void **block,
			    struct sw_err *err)
{
	*block = NULL;
	if (!r->a) {
		ssize_t n = sw_entry_read(r, scratch, scratch_len, err);
		if (n > 0) {
			*block = scratch;
			r->pos += (uint64_t)n;
		}
		return n;
	}
	for (;;) {
		if (r->blk) {
			if (r->pos < r->blk_off)
				return hole(r, r->blk_off, block);
			if (!r->blk_len) {
				r->blk = NULL;
				continue;
			}
			*block = r->blk;
			ssize_t n = (ssize_t)r->blk_len;
			r->pos += r->blk_len;
			r->blk = NULL;
			return n;
		}
		if (r->eof) {
			if (r->pos < r->size)
				return hole(r, r->size, block);
			return 0;
		}
		const void *b = NULL;
		size_t len = 0;
		la_int64_t off = 0;
		int rc = archive_read_data_block(r->a, &b, &len, &off);
		if (rc == ARCHIVE_EOF) {
			r->eof = true;
			continue;
		}
		if (rc < ARCHIVE_WARN)
			return tar_error(r, err);
		if (off < 0 || (uint64_t)off < r->pos)
			return sw_err_set(err, SW_E_FORMAT, "member '%s': blocks out of order", r->path);
		if (len == 0 && (uint64_t)off == r->pos)
			continue;
		r->blk = b;
		r->blk_len = len;
		r->blk_off = (uint64_t)off;
	}
}

int sw_entry_read_all(struct sw_entry_reader *r, size_t max, struct sw_buf *out, struct sw_err *err)
{
	char tmp[65536];
	size_t total = 0;
	for (;;) {
		ssize_t n = sw_entry_read(r, tmp, sizeof(tmp), err);
		if (n < 0)
			return (int)n;
		if (n == 0)
			break;
		if (total + (size_t)n > max)
			return sw_err_set(err, SW_E_LIMIT, "'%s' is larger than %zu bytes", r->path, max);
		total += (size_t)n;
		sw_buf_add(out, tmp, (size_t)n);
		if (!sw_buf_ok(out))
			return sw_err_set(err, SW_E_NOMEM, "'%s': out of memory", r->path);
	}
	return 0;
}

/* Symlinks of this layer, and for each FNV-1a hash (util/hash.h) of their paths how many
 * live symlinks have it ("%016llx" -> count): a member's ancestors are then
 * checked with one running hash over its path, O(length), where looking
 * every prefix up in `symlinks` cost O(length x depth) (20,000 members
 * 1,000 directories deep took a minute).  A hash hit is confirmed in
 * `symlinks`. */
struct walk_state {
	struct sw_map symlinks;   /* paths of symlinks seen in this layer */
	struct sw_map link_hashes;
};

static void hash_key(char out[17], const char *path, size_t n)
{
	uint64_t h = sw_fnv_basis();
	for (size_t i = 0; i < n; i++)
		h = sw_fnv_add(h, (unsigned char)path[i]);
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

static void symlink_add(struct walk_state *w, const char *path)
{
	if (sw_map_has(&w->symlinks, path))
		return;
	sw_map_put(&w->symlinks, path, NULL);
	char k[17];
	hash_key(k, path, strlen(path));
	uintptr_t c = (uintptr_t)sw_map_get(&w->link_hashes, k);
	sw_map_put(&w->link_hashes, k, (void *)(c + 1));
}

static void symlink_drop(struct walk_state *w, const char *path)
{
	if (!w->symlinks.len || !sw_map_has(&w->symlinks, path))
		return;
	sw_map_del(&w->symlinks, path);
	char k[17];
	hash_key(k, path, strlen(path));
	uintptr_t c = (uintptr_t)sw_map_get(&w->link_hashes, k);
	if (c <= 1)
		sw_map_del(&w->link_hashes, k);
	else
		sw_map_put(&w->link_hashes, k, (void *)(c - 1));
}

/* Fail if path (or a parent of it) goes through a symlink of this layer. */
static int check_through_symlink(struct walk_state *w, const char *member, const char *path,
				 struct sw_err *err)
{
	if (!w->symlinks.len)
		return 0;
	uint64_t h = sw_fnv_basis();
	for (size_t i = 0; path[i]; i++) {
		if (path[i] == '/') {
			char k[17];
			snprintf(k, sizeof(k), "%016llx", (unsigned long long)h);
			if (sw_map_has(&w->link_hashes, k)) {
				char *tmp = sw_xstrndup(path, i);
				bool hit = sw_map_has(&w->symlinks, tmp);
				if (hit) {
					sw_err_set(err, SW_E_UNSAFE,
						   "member '%s' is written through symlink '%s'",
						   member, tmp);
					free(tmp);
					return -SW_E_UNSAFE;
				}
				free(tmp);
			}
		}
		h = sw_fnv_add(h, (unsigned char)path[i]);
	}
	return 0;
}

static int do_entry(struct walk_state *w, struct archive *a, struct archive_entry *ae,
		    struct sw_layer_pipe *p, sw_entry_fn fn, void *ctx, bool *cb_failed,
		    struct sw_err *err)
{
	const char *name = archive_entry_pathname(ae);
	if (!name)
		name = archive_entry_pathname_utf8(ae);
	if (!name)
		return sw_err_set(err, SW_E_FORMAT, "member with an unreadable name");
	char *path = NULL, *link = NULL, *wpath = NULL;
	int rc = sw_path_clean_member(name, &path, err);
	if (rc < 0)
		return rc;
	if (!*path) { /* "./": the root itself */
		free(path);
		return 0;
	}
	struct sw_entry e = { 0 };
	e.path = path;
	e.mode = (unsigned)archive_entry_mode(ae);
	e.mtime = (long long)archive_entry_mtime(ae);
	e.uid = (long long)archive_entry_uid(ae);
	e.gid = (long long)archive_entry_gid(ae);
	e.uname = archive_entry_uname(ae);
	e.gname = archive_entry_gname(ae);
	la_int64_t sz = archive_entry_size(ae);
	e.size = sz > 0 ? (uint64_t)sz : 0;

	const char *base = sw_path_basename(path);
	const char *hl = archive_entry_hardlink(ae);
	if (strncmp(base, ".wh.", 4) == 0) {
		char *dir = sw_path_dirname(path);
		if (strncmp(base, ".wh..wh.", 8) == 0) {
			if (strcmp(base, ".wh..wh..opq") != 0) { /* aufs internals */
				free(dir);
				free(path);
				return 0;
			}
			e.type = SW_ENT_OPAQUE;
			wpath = dir;
			dir = NULL;
		} else {
			const char *victim = base + 4;
			if (!*victim || strcmp(victim, ".") == 0 || strcmp(victim, "..") == 0) {
				free(dir);
				rc = sw_err_set(err, SW_E_UNSAFE, "whiteout member '%s' names no file",
						name);
				goto out;
			}
			e.type = SW_ENT_WHITEOUT;
			wpath = *dir ? sw_xasprintf("%s/%s", dir, victim) : sw_xstrdup(victim);
		}
		free(dir);
		e.path = wpath;
		e.size = 0;
	} else if (hl) {
		rc = sw_path_clean_member(hl, &link, err);
		if (rc < 0) {
			sw_err_wrap(err, "hard link '%s'", name);
			goto out;
		}
		if (!*link) {
			rc = sw_err_set(err, SW_E_FORMAT, "hard link '%s' points at the root", name);
			goto out;
		}
		if ((rc = check_through_symlink(w, hl, link, err)) < 0)
			goto out;
		e.type = SW_ENT_HARDLINK;
		e.link = link;
	} else {
		switch (archive_entry_filetype(ae)) {
		case AE_IFREG: e.type = SW_ENT_FILE; break;
		case AE_IFDIR: e.type = SW_ENT_DIR; e.size = 0; break;
		case AE_IFLNK:
			e.type = SW_ENT_SYMLINK;
			e.size = 0;
			e.link = archive_entry_symlink(ae);
			if (!e.link)
				e.link = archive_entry_symlink_utf8(ae);
			if (!e.link)
				e.link = "";
			break;
		default: e.type = SW_ENT_OTHER; e.size = 0; break;
		}
	}
	if ((rc = check_through_symlink(w, name, e.path, err)) < 0)
		goto out;
	if (e.type == SW_ENT_SYMLINK)
		symlink_add(w, e.path);
	else if (e.type != SW_ENT_OPAQUE)
		symlink_drop(w, e.path);

	struct sw_entry_reader r = { .a = a, .pipe = p, .dirfd = -1, .fd = -1, .path = e.path, .size = e.size };
	if (e.type != SW_ENT_FILE && e.type != SW_ENT_HARDLINK)
		r.eof = true;
	rc = fn(ctx, &e, &r, err);
	if (rc < 0) {
		if (p->failed) {
			if (err)
				*err = p->err;
			rc = -p->err.code;
		} else if (p->tar_failed) {
			rc = err ? -err->code : -SW_E_FORMAT;
		} else {
			*cb_failed = true;
			if (err && err->code == SW_OK)
				sw_err_set(err, SW_E_INTERNAL, "entry callback failed without a message");
		}
	} else {
		rc = 0;
	}
out:
	free(path);
	free(link);
	free(wpath);
	return rc;
}

int sw_layer_stream_walk(sw_blob_read_fn rd, void *rctx, const struct sw_layer_check *chk,
			 sw_entry_fn fn, void *ctx, bool *callback_failed, struct sw_err *err)
{
	struct sw_layer_pipe p = { .rd = rd, .rctx = rctx, .err = SW_ERR_INIT };
	struct walk_state w = { .symlinks = SW_MAP_INIT, .link_hashes = SW_MAP_INIT };
	bool cb_failed = false;
	int rc = 0;
	struct archive *a = NULL;

	p.zmd = EVP_MD_CTX_new();
	p.umd = EVP_MD_CTX_new();
	p.in = malloc(PIPE_BUFSZ);
	p.out = malloc(PIPE_BUFSZ);
	if (!p.zmd || !p.umd || !p.in || !p.out) {
		rc = sw_err_set(err, SW_E_NOMEM, "out of memory");
		goto out;
	}
	EVP_DigestInit_ex(p.zmd, EVP_sha256(), NULL);
	EVP_DigestInit_ex(p.umd, EVP_sha256(), NULL);
	if (chk->async_digests)
		p.hr = hr_start(p.zmd, p.umd);   /* NULL (no memory, no thread): inline */

	/* An empty uncompressed stream is an empty layer: libarchive would
	 * call it an unrecognised format.  The first chunk is handed to
	 * libarchive by la_read as pending data. */
	ssize_t first_n = pipe_read(&p, &p.pend);
	if (first_n < 0)
		goto fail_pipe;
	p.pend_n = (size_t)first_n;
	if (first_n > 0) {
		a = archive_read_new();
		if (!a) {
			rc = sw_err_set(err, SW_E_NOMEM, "out of memory");
			goto out;
		}
		archive_read_support_format_tar(a);
		if (archive_read_open(a, &p, NULL, la_read, NULL) != ARCHIVE_OK) {
			if (p.failed)
				goto fail_pipe;
			if (p.done && p.ubytes < 512)
				rc = sw_err_set(err, SW_E_FORMAT, "truncated tar stream (%llu bytes)",
						(unsigned long long)p.ubytes);
			else
				rc = sw_err_set(err, SW_E_FORMAT, "not a tar archive (%s)",
						archive_error_string(a));
			goto fail_format;
		}
		struct archive_entry *ae;
		for (;;) {
			int r = archive_read_next_header(a, &ae);
			if (r == ARCHIVE_EOF)
				break;
			if (r == ARCHIVE_WARN)
				r = ARCHIVE_OK;
			if (r != ARCHIVE_OK) {
				if (p.failed)
					goto fail_pipe;
				if (p.done && p.ubytes < 512)
					rc = sw_err_set(err, SW_E_FORMAT,
							"truncated tar stream (%llu bytes)",
							(unsigned long long)p.ubytes);
				else
					rc = sw_err_set(err, SW_E_FORMAT, "bad tar stream (%s)",
							archive_error_string(a));
				goto fail_format;
			}
			rc = do_entry(&w, a, ae, &p, fn, ctx, &cb_failed, err);
			if (rc < 0) {
				if (!cb_failed && err && err->code == SW_E_FORMAT)
					goto fail_format;
				goto out;
			}
		}
		/* drain what libarchive did not need (tar padding) */
		const void *ptr;
		ssize_t n;
		while ((n = pipe_read(&p, &ptr)) > 0)
			;
		if (n < 0)
			goto fail_pipe;
	}
	{
		char zd[SW_DIGEST_MAX], ud[SW_DIGEST_MAX];
		md_sync(&p);
		md_final(p.zmd, zd);
		if (p.comp == C_PLAIN)
			memcpy(ud, zd, sizeof(ud));
		else
			md_final(p.umd, ud);
		if (chk->got_digest)
			memcpy(chk->got_digest, zd, SW_DIGEST_MAX);
		if (chk->got_diff_id)
			memcpy(chk->got_diff_id, ud, SW_DIGEST_MAX);
		if (chk->got_size)
			*chk->got_size = p.zbytes;
		if (chk->digest && !sw_streq(zd, chk->digest)) {
			rc = sw_err_set(err, SW_E_DIGEST,
					"digest mismatch (manifest says %s, content is %s)", chk->digest,
					zd);
			goto out;
		}
		if (chk->size && chk->size != p.zbytes) {
			rc = sw_err_set(err, SW_E_DIGEST,
					"size mismatch (manifest says %llu bytes, blob has %llu)",
					(unsigned long long)chk->size, (unsigned long long)p.zbytes);
			goto out;
		}
		if (chk->diff_id && !sw_streq(ud, chk->diff_id)) {
			rc = sw_err_set(err, SW_E_DIGEST,
					"diff_id mismatch (config says %s, uncompressed content is %s)",
					chk->diff_id, ud);
			goto out;
		}
	}
	rc = 0;
	goto out;

fail_pipe:
	if (p.err.code == SW_E_FORMAT && blob_digest_mismatch(&p, chk, err)) {
		rc = -SW_E_DIGEST;
		goto out;
	}
	if (err)
		*err = p.err;
	rc = -(p.err.code ? p.err.code : SW_E_INTERNAL);
	goto out;
fail_format:
	if (blob_digest_mismatch(&p, chk, err))
		rc = -SW_E_DIGEST;
	else
		rc = -SW_E_FORMAT;
out:
	if (a)
		archive_read_free(a);
	sw_map_release(&w.symlinks);
	sw_map_release(&w.link_hashes);
	pipe_release(&p);
	if (callback_failed)
		*callback_failed = cb_failed;
	return rc;
}

struct mem_src {
	const unsigned char *p;
	size_t len, pos;
};

static ssize_t mem_read(void *ctx, void *buf, size_t n, struct sw_err *err)
{
	(void)err;
	struct mem_src *m = ctx;
	size_t left = m->len - m->pos;
	if (n > left)
		n = left;
	memcpy(buf, m->p + m->pos, n);
	m->pos += n;
	return (ssize_t)n;
}

int sw_layer_walk_mem(const void *data, size_t len, const struct sw_layer_check *chk,
		      sw_entry_fn fn, void *ctx, struct sw_err *err)
{
	struct mem_src m = { data, len, 0 };
	struct sw_layer_check none = { 0 };
	return sw_layer_stream_walk(mem_read, &m, chk ? chk : &none, fn, ctx, NULL, err);
}
