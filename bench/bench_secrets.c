/*
 * bench_secrets.c - throughput of the secret scanner's engine (the build's:
 * Hyperscan or PCRE2, docs/secrets.md) over a folder tree, as the layer
 * pass feeds it: every regular file read into memory first (so disk reads
 * are not timed), then scanned in 64 KiB chunks, one thread.
 *
 *   bench_secrets [-r RUNS] [-c CHUNK] [-v] DIR...   (-v: list the findings of the last run)
 *
 * Prints the engine, files, MB, findings and MB/s (the median of RUNS).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "inventory/filescan.h"
#include "secrets/secrets.h"
#include "util/buf.h"
#include "util/mem.h"

struct file {
	char *path;
	uint8_t *data;
	size_t len;
};

static struct file *files;
static size_t nfiles, capfiles;
static uint64_t total;

static void walk(const char *dir, const char *rel)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char *p = sw_xasprintf("%s/%s", dir, e->d_name);
		char *r = *rel ? sw_xasprintf("%s/%s", rel, e->d_name) : sw_xstrdup(e->d_name);
		struct stat st;
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			walk(p, r);
		} else if (lstat(p, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
			struct sw_buf b;
			struct sw_err err = SW_ERR_INIT;
			sw_buf_init(&b, 0);
			if (sw_buf_read_file(&b, p, (size_t)1 << 31, &err) == 0) {
				if (nfiles == capfiles) {
					capfiles = capfiles ? capfiles * 2 : 1024;
					files = sw_xrealloc(files, capfiles * sizeof(*files));
				}
				size_t len;
				uint8_t *data = (uint8_t *)sw_buf_detach(&b, &len);
				files[nfiles++] = (struct file){ r, data, len };
				total += len;
				r = NULL;
			} else {
				sw_buf_release(&b);
			}
		}
		free(r);
		free(p);
	}
	closedir(d);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int runs = 3, opt, verbose = 0;
	size_t chunk = 65536;
	while ((opt = getopt(argc, argv, "r:c:v")) != -1) {
		if (opt == 'v')
			verbose = 1;
		else if (opt == 'r')
			runs = atoi(optarg);
		else if (opt == 'c')
			chunk = (size_t)strtoull(optarg, NULL, 10);
		else
			return 2;
	}
	if (optind >= argc || runs < 1) {
		fprintf(stderr, "usage: bench_secrets [-r RUNS] [-c CHUNK] [-v] DIR...\n");
		return 2;
	}
	for (int i = optind; i < argc; i++)
		walk(argv[i], "");
	struct sw_secrets *s;
	struct sw_secrets_opts o = { 0 };
	struct sw_err err = SW_ERR_INIT;
	double t0 = now();
	if (sw_secrets_new(&o, &s, &err) < 0) {
		fprintf(stderr, "bench_secrets: %s\n", err.msg);
		return 1;
	}
	double tcompile = now() - t0;
	const struct sw_file_scanner *fs = sw_secrets_file_scanner(s);
	double *t = sw_xcalloc((size_t)runs, sizeof(double));
	size_t findings = 0, offered = 0;
	uint64_t bytes = 0;
	for (int r = 0; r < runs; r++) {
		findings = offered = 0;
		bytes = 0;
		double a = now();
		for (size_t i = 0; i < nfiles; i++) {
			if (!fs->wants(fs->self, files[i].path, 0100644, files[i].len))
				continue;
			offered++;
			bytes += files[i].len;
			struct sw_vec out = SW_VEC_INIT, warn = SW_VEC_INIT;
			if (sw_file_scanner_run_mem(fs, files[i].path, files[i].data, files[i].len, chunk, &out, &warn,
						    &err) < 0) {
				fprintf(stderr, "bench_secrets: %s\n", err.msg);
				return 1;
			}
			findings += out.len;
			for (size_t k = 0; verbose && r == runs - 1 && k < out.len; k++) {
				const struct sw_file_finding *f = out.items[k];
				printf("%s\t%s:%u\t%s\n", f->rule_id, f->path, f->line, f->match);
			}
			sw_vec_free_all(&out, sw_file_finding_free_v);
			sw_vec_free_strings(&warn);
		}
		t[r] = now() - a;
	}
	qsort(t, (size_t)runs, sizeof(double), cmp_double);
	double med = t[runs / 2];
	printf("engine %s: %zu files (%zu offered), %.1f MB read, %.1f MB offered, %zu findings, "
	       "compile %.1f ms, median %.3f s of %d runs, %.0f MB/s\n",
	       sw_secrets_engine(), nfiles, offered, (double)total / 1e6, (double)bytes / 1e6, findings,
	       tcompile * 1e3, med, runs, (double)bytes / 1e6 / med);
	sw_secrets_free(s);
	for (size_t i = 0; i < nfiles; i++) {
		free(files[i].path);
		free(files[i].data);
	}
	free(files);
	free(t);
	return 0;
}
