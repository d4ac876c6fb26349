/*
 * cmd_cache.c - "stowaway cache": what the layer and image caches hold, and
 * removing what is no longer used.
 *
 *   stowaway cache info
 *   stowaway cache clean [--older-than DAYS]
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "inventory/cache.h"
#include "inventory/cache_admin.h"

static void help(FILE *out)
{
	fprintf(out,
		"usage: stowaway cache info\n"
		"       stowaway cache clean [--older-than DAYS]\n"
		"\n"
		"sbom and scan keep what they found in each layer, and the finished package\n"
		"list of each image, so that a re-scan reads only what changed. The cache is\n"
		"$STOWAWAY_CACHE_DIR, else $XDG_CACHE_HOME/stowaway, else ~/.cache/stowaway;\n"
		"it is never evicted by the scans themselves.\n"
		"\n"
		"Commands:\n"
		"  info                     print the cache folder and its entries (count, size)\n"
		"  clean                    remove every entry\n"
		"  clean --older-than DAYS  remove the entries not read or written for DAYS days\n"
		"\n"
		"Several processes may scan meanwhile: a removed entry is a miss for them.\n"
		"\n"
		"Examples:\n"
		"  stowaway cache info\n"
		"  stowaway cache clean --older-than 30      # e.g. from a weekly cron job\n"
		"\n"
		"Exit codes: 0 ok, 2 the cache cannot be read or an entry cannot be removed,\n"
		"64 usage error.\n");
}

/* "512 bytes", "48.3 kB", "3.6 MB" into buf */
static const char *size_str(uint64_t b, char buf[32])
{
	if (b < 1000)
		snprintf(buf, 32, "%llu bytes", (unsigned long long)b);
	else if (b < 1000000)
		snprintf(buf, 32, "%.1f kB", (double)b / 1e3);
	else
		snprintf(buf, 32, "%.1f MB", (double)b / 1e6);
	return buf;
}

static int do_info(const char *root)
{
	struct sw_cache_stats s;
	struct sw_err err = SW_ERR_INIT;
	if (sw_cache_stat(root, &s, &err) < 0)
		return sw_cmd_fail(&err);
	printf("cache:  %s\n", root);
	char b1[32], b2[32];
	printf("layers: %llu entries, %s\n", (unsigned long long)s.layers.entries, size_str(s.layers.bytes, b1));
	printf("images: %llu entries, %s\n", (unsigned long long)s.images.entries, size_str(s.images.bytes, b2));
	if (s.temp)
		printf("temporary files: %llu (being written, or left by a crash)\n",
		       (unsigned long long)s.temp);
	return SW_EXIT_OK;
}

static int do_clean(const char *root, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "older-than", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long days = -1;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': {
			char *end = NULL;
			days = strtol(optarg, &end, 10);
			if (!end || end == optarg || *end || days < 0 || days > 100000)
				return sw_cmd_usage_error("cache", "--older-than wants a number of days, not '%s'",
							  optarg);
			break;
		}
		case 'h': help(stdout); return SW_EXIT_OK;
		default: return sw_cmd_usage_error("cache", "unknown option");
		}
	}
	if (optind < argc)
		return sw_cmd_usage_error("cache", "unexpected argument '%s'", argv[optind]);
	int64_t now = (int64_t)time(NULL);   /* the clock, not SOURCE_DATE_EPOCH: files have real times */
	int64_t before = days < 0 ? INT64_MAX : now - (int64_t)days * 86400;
	struct sw_cache_stats gone;
	struct sw_err err = SW_ERR_INIT;
	int rc = sw_cache_prune(root, before, now, &gone, &err);
	char b1[32];
	printf("removed %llu layer and %llu image entries (%s)\n",
	       (unsigned long long)gone.layers.entries, (unsigned long long)gone.images.entries,
	       size_str(gone.layers.bytes + gone.images.bytes, b1));
	return rc < 0 ? sw_cmd_fail(&err) : SW_EXIT_OK;
}

int cmd_cache(int argc, char **argv)
{
	if (argc < 2)
		return sw_cmd_usage_error("cache", "missing command (info or clean)");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		help(stdout);
		return SW_EXIT_OK;
	}
	char *root = sw_cache_default_root();
	int rc;
	if (!strcmp(argv[1], "info")) {
		if (argc > 2 && (!strcmp(argv[2], "-h") || !strcmp(argv[2], "--help"))) {
			help(stdout);
			rc = SW_EXIT_OK;
		} else if (argc > 2) {
			rc = sw_cmd_usage_error("cache", "unexpected argument '%s'", argv[2]);
		} else {
			rc = do_info(root);
		}
	} else if (!strcmp(argv[1], "clean")) {
		rc = do_clean(root, argc - 1, argv + 1);
	} else {
		rc = sw_cmd_usage_error("cache", "unknown command '%s' (info or clean)", argv[1]);
	}
	free(root);
	return rc;
}
