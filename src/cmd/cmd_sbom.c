/* cmd_sbom.c - `stowaway sbom IMAGE`: the bill of materials of an image. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "image/image.h"
#include "inventory/inventory.h"
#include "report/report.h"
#include "util/outfile.h"

static void help(FILE *out)
{
	fputs("usage: stowaway sbom [options] IMAGE\n"
	      "\n"
	      "List the packages in a container image: the OS and its packages (dpkg, apk,\n"
	      "rpm) and language packages, each with the layer that brought it.  The image\n"
	      "is read statically, once, layer by layer; every digest is verified.\n"
	      "\n"
	      "IMAGE is docker-archive:PATH (a `docker save` tar), oci-archive:PATH,\n"
	      "oci:DIR[:TAG], dir:ROOTFS (a root filesystem), registry:HOST/REPO[:TAG|@DIGEST]\n"
	      "(a registry; docker.io/library/ implied), or a bare path (detected).\n"
	      "\n"
	      "Options:\n"
	      "  -f, --format FMT     table (default), json, cyclonedx (1.5), spdx-json (2.3)\n"
	      "  -o, --output FILE    write to FILE (atomically) instead of standard output\n"
	      "      --platform P     os/arch[/variant] to pick from a multi-platform image\n"
	      "      --storage-root DIR  Podman/CRI-O storage for containers-storage:NAME and\n"
	      "                       podman-container:ID (default $STOWAWAY_STORAGE_ROOT, else\n"
	      "                       /var/lib/containers/storage)\n"
	      "                       (default linux/amd64)\n"
	      "Registry (registry:HOST[:PORT]/REPO[:TAG|@DIGEST], or a bare reference):\n"
	      "      --username U     registry user (else STOWAWAY_REGISTRY_USERNAME/PASSWORD,\n"
	      "                       then ~/.docker/config.json auths and credential helpers)\n"
	      "      --password-stdin read the registry password from standard input\n"
	      "      --insecure       https without certificate verification\n"
	      "      --plain-http     http instead of https (local registries)\n"
	      "      --no-cache       neither read nor write the image and layer caches\n"
	      "                       ($STOWAWAY_CACHE_DIR, else $XDG_CACHE_HOME/stowaway).\n"
	      "                       On a cache hit no layer byte is read: only the manifest,\n"
	      "                       the config (by digest) and its diff_ids, which key the\n"
	      "                       cached results, are verified. A runtime refuses layers\n"
	      "                       whose content does not match the diff_ids; --no-cache\n"
	      "                       reads and verifies every layer (the full check)\n"
	      "  -q, --quiet          no progress on standard error\n"
	      "  -h, --help           this help\n"
	      "\n"
	      "Examples:\n"
	      "  stowaway sbom docker-archive:app.tar\n"
	      "  stowaway sbom -f cyclonedx -o sbom.cdx.json oci:./layout:latest\n"
	      "  stowaway sbom --platform linux/arm64 oci-archive:multi.tar\n"
	      "  stowaway sbom -f spdx-json dir:/\n"
	      "  stowaway sbom --plain-http registry:127.0.0.1:5000/app:1.0\n"
	      "\n"
	      "Exit codes: 0 ok, 2 error (bad image, digest mismatch, i/o), 64 usage.\n",
	      out);
}

int cmd_sbom(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "platform", required_argument, NULL, 'P' },
		{ "storage-root", required_argument, NULL, 'R' },
		{ "username", required_argument, NULL, 'U' },
		{ "password-stdin", no_argument, NULL, 'S' },
		{ "insecure", no_argument, NULL, 'I' },
		{ "plain-http", no_argument, NULL, 'H' },
		{ "no-cache", no_argument, NULL, 'C' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *format = "table", *output = NULL, *platform = NULL, *username = NULL;
	const char *storage_root = NULL;
	bool pw_stdin = false, insecure = false, plain_http = false;
	bool no_cache = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f': format = optarg; break;
		case 'o': output = optarg; break;
		case 'P': platform = optarg; break;
		case 'R': storage_root = optarg; break;
		case 'U': username = optarg; break;
		case 'S': pw_stdin = true; break;
		case 'I': insecure = true; break;
		case 'H': plain_http = true; break;
		case 'C': no_cache = true; break;
		case 'q': sw_cmd_set_quiet(true); break;
		case 'h': help(stdout); return SW_EXIT_OK;
		default: return sw_cmd_usage_error("sbom", "bad option");
		}
	}
	if (optind + 1 != argc)
		return sw_cmd_usage_error("sbom", optind == argc ? "IMAGE is missing" : "one IMAGE only");
	enum sw_report_format fmt;
	if (sw_report_format_parse(format, &fmt) < 0)
		return sw_cmd_usage_error("sbom", "unknown format '%s'", format);

	if (pw_stdin && !username)
		return sw_cmd_usage_error("sbom", "--password-stdin needs --username");
	char *password = pw_stdin ? sw_cmd_read_password_stdin() : NULL;
	struct sw_err err = SW_ERR_INIT;
	struct sw_image_opts iopts = { .platform = platform, .username = username,
				       .password = password, .insecure = insecure,
				       .plain_http = plain_http, .storage_root = storage_root };
	struct sw_image *img = NULL;
	struct sw_inventory *inv = NULL;
	struct sw_outfile out = { 0 };
	int rc = SW_EXIT_ERROR;
	int orc = sw_image_open(argv[optind], &iopts, &img, &err);
	if (password) {
		memset(password, 0, strlen(password));
		free(password);
	}
	if (orc < 0)
		goto fail;
	/* $STOWAWAY_NO_CACHE: as --no-cache (the test suite sets it) */
	const char *nc = getenv("STOWAWAY_NO_CACHE");
	struct sw_inventory_opts opts = { .no_cache = no_cache || (nc && *nc && strcmp(nc, "0")) };
	if (sw_cmd_progress_enabled())
		opts.progress = sw_cmd_layer_progress;
	if (sw_inventory_build(img, &opts, &inv, &err) < 0)
		goto fail;
	sw_cmd_debug_cache(inv);
	for (size_t i = 0; i < inv->incomplete.len; i++)
		sw_cmd_warn("incomplete inventory: %s", (const char *)inv->incomplete.items[i]);
	if (sw_outfile_open(&out, output, &err) < 0)
		goto fail;
	struct sw_report_opts ro = {
		.color = !output && isatty(STDOUT_FILENO) && !getenv("NO_COLOR"),
		.now = sw_cmd_now(),
		.tool_version = SW_VERSION_STRING,
	};
	if (sw_report_sbom(out.fp, fmt, inv, &ro, &err) < 0) {
		sw_outfile_abort(&out);
		goto fail;
	}
	if (sw_outfile_commit(&out, &err) < 0)
		goto fail;
	rc = SW_EXIT_OK;
	goto done;
fail:
	rc = sw_cmd_fail(&err);
done:
	sw_inventory_free(inv);
	sw_image_close(img);
	return rc;
}
