/*
 * bench_bound.c - the hardware bound of the layer pass, for the P1/P2 lines
 * of bench/bench_all.sh: what one core does with a compressed layer when it
 * does nothing but the unavoidable work.
 *
 *   bench_bound [-v] [-n] BLOB...
 *
 * For each BLOB (a gzip or zstd layer, recognised by its magic; anything
 * else is read and hashed as a plain tar), one thread:
 *
 *   read(2) 256 KiB at a time --SHA-256--> inflate (ISA-L, gzip CRC checked)
 *                                          or libzstd --SHA-256--> discard
 *
 * the same buffer sizes, libraries and digests as src/image/layer_stream.c,
 * but no tar parsing, no analyzers and no copies.  Prints "name: value"
 * lines: bytes in and out, CPU and wall seconds, and MB/s of compressed
 * input (1 MB = 10^6 bytes) per CPU second and per wall second.  -v adds
 * each blob's two digests (the blob digest and the diff_id); -n skips both
 * digests, to show what SHA-256 costs of the bound.  Run it on
 * blobs in the page cache (read them once first) to measure the CPU bound.
 *
 * Exit 0, or 1 on a read or decompression error (printed on stderr).
 */
#include <errno.h>
#include <fcntl.h>
#include <isa-l/igzip_lib.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#define BUFSZ ((size_t)256 << 10)

static bool no_digest; /* -n */

enum comp { C_PLAIN, C_GZIP, C_ZSTD };

struct blob {
	int fd;
	const char *path;
	unsigned char *in, *out;
	size_t in_pos, in_len;
	bool eof;
	EVP_MD_CTX *zmd, *umd;
	uint64_t zbytes, ubytes;
};

static double clock_s(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Compact the input buffer and read more; hashes what it reads.  Returns the
 * bytes added (0 at the end), -1 on error. */
static ssize_t fill(struct blob *b)
{
	if (b->eof)
		return 0;
	if (b->in_pos > 0) {
		memmove(b->in, b->in + b->in_pos, b->in_len - b->in_pos);
		b->in_len -= b->in_pos;
		b->in_pos = 0;
	}
	ssize_t n;
	do
		n = read(b->fd, b->in + b->in_len, BUFSZ - b->in_len);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		fprintf(stderr, "bench_bound: '%s': %s\n", b->path, strerror(errno));
		return -1;
	}
	if (n == 0) {
		b->eof = true;
		return 0;
	}
	if (!no_digest)
		EVP_DigestUpdate(b->zmd, b->in + b->in_len, (size_t)n);
	b->zbytes += (uint64_t)n;
	b->in_len += (size_t)n;
	return n;
}

static void out_bytes(struct blob *b, size_t n)
{
	if (!no_digest)
		EVP_DigestUpdate(b->umd, b->out, n);
	b->ubytes += n;
}

static int run_gzip(struct blob *b)
{
	struct inflate_state *st = malloc(sizeof(*st));
	if (!st) {
		fprintf(stderr, "bench_bound: out of memory\n");
		return -1;
	}
	int rc = -1, idle = 0;
	isal_inflate_init(st);
	st->crc_flag = ISAL_GZIP;
	for (;;) {
		if (st->block_state == ISAL_BLOCK_FINISH) {
			/* one gzip member ended: another one follows, or the end */
			if (b->in_len - b->in_pos < 2 && fill(b) < 0)
				goto out;
			if (b->in_pos == b->in_len) {
				rc = 0;
				goto out;
			}
			isal_inflate_reset(st);
			st->crc_flag = ISAL_GZIP;
		}
		if (b->in_pos == b->in_len && fill(b) < 0)
			goto out;
		size_t avail = b->in_len - b->in_pos;
		st->next_in = b->in + b->in_pos;
		st->avail_in = (uint32_t)avail;
		st->next_out = b->out;
		st->avail_out = (uint32_t)BUFSZ;
		int r = isal_inflate(st);
		if (r < 0) {
			fprintf(stderr, "bench_bound: '%s': corrupt gzip data (isa-l %d)\n", b->path, r);
			goto out;
		}
		b->in_pos += avail - st->avail_in;
		size_t produced = BUFSZ - st->avail_out;
		if (produced) {
			out_bytes(b, produced);
			idle = 0;
		} else if (st->block_state != ISAL_BLOCK_FINISH &&
			   ((b->eof && b->in_pos == b->in_len) || (avail == st->avail_in && ++idle > 4))) {
			fprintf(stderr, "bench_bound: '%s': truncated or corrupt gzip stream\n", b->path);
			goto out;
		}
	}
out:
	free(st);
	return rc;
}

static int run_zstd(struct blob *b)
{
	ZSTD_DStream *zs = ZSTD_createDStream();
	if (!zs) {
		fprintf(stderr, "bench_bound: out of memory\n");
		return -1;
	}
	int rc = -1;
	size_t last = 1;
	ZSTD_DCtx_setParameter(zs, ZSTD_d_windowLogMax, 27);
	for (;;) {
		if (b->in_pos == b->in_len && fill(b) < 0)
			goto out;
		if (b->in_pos == b->in_len && b->eof) {
			if (last != 0) {
				fprintf(stderr, "bench_bound: '%s': truncated zstd stream\n", b->path);
				goto out;
			}
			rc = 0;
			goto out;
		}
		ZSTD_inBuffer ib = { b->in, b->in_len, b->in_pos };
		ZSTD_outBuffer ob = { b->out, BUFSZ, 0 };
		last = ZSTD_decompressStream(zs, &ob, &ib);
		if (ZSTD_isError(last)) {
			fprintf(stderr, "bench_bound: '%s': corrupt zstd data (%s)\n", b->path,
				ZSTD_getErrorName(last));
			goto out;
		}
		b->in_pos = ib.pos;
		if (ob.pos)
			out_bytes(b, ob.pos);
	}
out:
	ZSTD_freeDStream(zs);
	return rc;
}

static int run_plain(struct blob *b)
{
	for (;;) {
		b->in_pos = b->in_len = 0;
		ssize_t n = fill(b);
		if (n <= 0)
			return (int)n;
		if (!no_digest)
			EVP_DigestUpdate(b->umd, b->in, (size_t)n);
		b->ubytes += (uint64_t)n;
	}
}

static void print_digest(const char *label, EVP_MD_CTX *md)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	EVP_DigestFinal_ex(md, d, &len);
	printf("%s: sha256:", label);
	for (unsigned i = 0; i < len; i++)
		printf("%02x", d[i]);
	printf("\n");
}

/* One blob: adds its byte counts to *zin / *uout.  Returns 0 or -1. */
static int run_blob(const char *path, unsigned char *in, unsigned char *out, bool verbose,
		    uint64_t *zin, uint64_t *uout)
{
	struct blob b = { .fd = -1, .path = path, .in = in, .out = out };
	int rc = -1;
	b.fd = open(path, O_RDONLY);
	if (b.fd < 0) {
		fprintf(stderr, "bench_bound: '%s': %s\n", path, strerror(errno));
		return -1;
	}
	b.zmd = EVP_MD_CTX_new();
	b.umd = EVP_MD_CTX_new();
	if (!b.zmd || !b.umd || !EVP_DigestInit_ex(b.zmd, EVP_sha256(), NULL) ||
	    !EVP_DigestInit_ex(b.umd, EVP_sha256(), NULL)) {
		fprintf(stderr, "bench_bound: sha256 unavailable\n");
		goto out;
	}
	while (b.in_len < 4 && !b.eof)
		if (fill(&b) < 0)
			goto out;
	enum comp c = C_PLAIN;
	if (b.in_len >= 2 && in[0] == 0x1f && in[1] == 0x8b)
		c = C_GZIP;
	else if (b.in_len >= 4 && in[0] == 0x28 && in[1] == 0xb5 && in[2] == 0x2f && in[3] == 0xfd)
		c = C_ZSTD;
	if (c == C_PLAIN) {
		/* the bytes already read are the start of the tar */
		if (!no_digest)
			EVP_DigestUpdate(b.umd, in, b.in_len);
		b.ubytes += b.in_len;
		rc = run_plain(&b);
	} else {
		rc = c == C_GZIP ? run_gzip(&b) : run_zstd(&b);
	}
	if (rc == 0 && verbose && !no_digest) {
		printf("blob: %s\n", path);
		print_digest("blob_digest", b.zmd);
		print_digest("diff_id", b.umd);
	}
	*zin += b.zbytes;
	*uout += b.ubytes;
out:
	EVP_MD_CTX_free(b.zmd);
	EVP_MD_CTX_free(b.umd);
	close(b.fd);
	return rc;
}

int main(int argc, char **argv)
{
	bool verbose = false;
	int first = 1;
	for (; first < argc && argv[first][0] == '-'; first++) {
		if (strcmp(argv[first], "-v") == 0) {
			verbose = true;
		} else if (strcmp(argv[first], "-n") == 0) {
			no_digest = true;
		} else {
			first = argc;
			break;
		}
	}
	if (first >= argc) {
		fprintf(stderr, "usage: bench_bound [-v] [-n] BLOB...\n");
		return 2;
	}
	unsigned char *in = malloc(BUFSZ), *out = malloc(BUFSZ);
	if (!in || !out) {
		fprintf(stderr, "bench_bound: out of memory\n");
		free(in);
		free(out);
		return 1;
	}
	uint64_t zin = 0, uout = 0;
	int rc = 0;
	double c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID), w0 = clock_s(CLOCK_MONOTONIC);
	for (int i = first; i < argc && rc == 0; i++)
		rc = run_blob(argv[i], in, out, verbose, &zin, &uout);
	double cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0, wall = clock_s(CLOCK_MONOTONIC) - w0;
	free(in);
	free(out);
	if (rc != 0)
		return 1;
	if (cpu <= 0)
		cpu = 1e-9;
	if (wall <= 0)
		wall = 1e-9;
	printf("blobs: %d\n", argc - first);
	printf("digests: %s\n", no_digest ? "no" : "sha256 of the blob and of the uncompressed stream");
	printf("compressed_bytes: %llu\n", (unsigned long long)zin);
	printf("uncompressed_bytes: %llu\n", (unsigned long long)uout);
	printf("cpu_s: %.3f\n", cpu);
	printf("wall_s: %.3f\n", wall);
	printf("mb_per_cpu_s: %.1f\n", (double)zin / 1e6 / cpu);
	printf("mb_per_wall_s: %.1f\n", (double)zin / 1e6 / wall);
	return 0;
}
