/* cmd_db_oci.c - `stowaway db push|pull REF`, and the pull `scan --db-pull`
 * does: the database as an OCI artifact (docs/vulndb.md "The database as
 * an OCI artifact").  The registry side is image/artifact.h, the file side
 * vulndb.h (sw_vulndb_artifact_source / _install); this joins them. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "cmd/cmd.h"
#include "image/artifact.h"
#include "util/mem.h"
#include "vulndb/vulndb.h"

enum { OPT_DB = 1000, OPT_USERNAME, OPT_PW_STDIN, OPT_INSECURE, OPT_PLAIN_HTTP };

static void help_push(FILE *out)
{
	fputs("usage: stowaway db push [options] [registry:]HOST[:PORT]/REPO:TAG\n"
	      "\n"
	      "Upload the database as an OCI artifact: a manifest of artifactType\n"
	      SW_VULNDB_ARTIFACT_TYPE ", one layer (" SW_VULNDB_LAYER_MEDIA_TYPE ":\n"
	      "the SQLite file as it is) and the annotations " SW_VULNDB_ANN_SHA256 ",\n"
	      SW_VULNDB_ANN_SCHEMA " and " SW_VULNDB_ANN_BUILT " (docs/vulndb.md).  Any OCI\n"
	      "registry mirrors it; 'db pull' installs it.\n"
	      "\n"
	      "      --db PATH           the database (default $STOWAWAY_DB or\n"
	      "                          $XDG_CACHE_HOME/stowaway/vulndb.sqlite)\n"
	      "      --username U        registry user (else STOWAWAY_REGISTRY_USERNAME/PASSWORD,\n"
	      "                          then ~/.docker/config.json auths and credential helpers)\n"
	      "      --password-stdin    read the registry password from standard input\n"
	      "      --insecure          https without certificate verification\n"
	      "      --plain-http        http instead of https (local registries)\n"
	      "  -h, --help              this help\n",
	      out);
}

static void help_pull(FILE *out)
{
	fputs("usage: stowaway db pull [options] [registry:]HOST[:PORT]/REPO[:TAG|@DIGEST]\n"
	      "\n"
	      "Download a database pushed by 'db push', verify the blob's digest and the\n"
	      "SHA-256 and schema version its annotations give, check the file, and\n"
	      "replace the local database atomically (a failed pull leaves it as it was).\n"
	      "\n"
	      "      --db PATH           the database to replace (default $STOWAWAY_DB or\n"
	      "                          $XDG_CACHE_HOME/stowaway/vulndb.sqlite)\n"
	      "      --username U, --password-stdin, --insecure, --plain-http  as for 'db push'\n"
	      "  -h, --help              this help\n",
	      out);
}

struct pull_ctx {
	const char *ref;
	const struct sw_image_opts *o;
	struct sw_artifact_info info;
	struct sw_vulndb_artifact_want *want;
};

static int fill(void *ctx, sw_vulndb_write_fn write, void *wctx, struct sw_err *err)
{
	struct pull_ctx *p = ctx;
	int rc = sw_artifact_pull(p->ref, p->o, SW_VULNDB_ARTIFACT_TYPE, SW_VULNDB_LAYER_MEDIA_TYPE,
				  SW_VULNDB_ARTIFACT_MAX, write, wctx, &p->info, err);
	if (rc == 0) {
		p->want->sha256 = sw_artifact_annotation(&p->info, SW_VULNDB_ANN_SHA256);
		p->want->schema = sw_artifact_annotation(&p->info, SW_VULNDB_ANN_SCHEMA);
	}
	return rc;
}

int sw_cmd_db_pull(const char *ref, const char *db_path, const struct sw_image_opts *o, char **digest,
		   struct sw_err *err)
{
	struct sw_vulndb_artifact_want want = { NULL, NULL };
	struct pull_ctx p = { ref, o, { 0 }, &want };
	int rc = sw_vulndb_artifact_install(db_path, fill, &p, ref, &want, err);
	if (rc == 0 && digest)
		*digest = sw_xstrdup(p.info.manifest_digest);
	sw_artifact_info_release(&p.info);
	return rc;
}

static int db_oci(int argc, char **argv, bool push)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, OPT_DB },
		{ "username", required_argument, NULL, OPT_USERNAME },
		{ "password-stdin", no_argument, NULL, OPT_PW_STDIN },
		{ "insecure", no_argument, NULL, OPT_INSECURE },
		{ "plain-http", no_argument, NULL, OPT_PLAIN_HTTP },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = push ? "db push" : "db pull";
	const char *path = NULL;
	bool pw_stdin = false;
	struct sw_image_opts io = { 0 };
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_DB: path = optarg; break;
		case OPT_USERNAME: io.username = optarg; break;
		case OPT_PW_STDIN: pw_stdin = true; break;
		case OPT_INSECURE: io.insecure = true; break;
		case OPT_PLAIN_HTTP: io.plain_http = true; break;
		case 'h':
			(push ? help_push : help_pull)(stdout);
			return SW_EXIT_OK;
		default: return sw_cmd_usage_error(cmd, "unknown option");
		}
	}
	if (optind + 1 != argc)
		return sw_cmd_usage_error(cmd, "expected one REGISTRY/REPO:TAG");
	if (pw_stdin && !io.username)
		return sw_cmd_usage_error(cmd, "--password-stdin needs --username");
	const char *ref = argv[optind];
	char *password = pw_stdin ? sw_cmd_read_password_stdin() : NULL;
	io.password = password;
	struct sw_err err = SW_ERR_INIT;
	int rc = 0;
	char *digest = NULL;
	if (push) {
		struct sw_vulndb_artifact_src src;
		rc = sw_vulndb_artifact_source(path, &src, &err);
		if (rc == 0) {
			char schema[16], built[32], ldigest[80];
			snprintf(schema, sizeof(schema), "%d", src.schema);
			snprintf(built, sizeof(built), "%" PRId64, src.built_at);
			snprintf(ldigest, sizeof(ldigest), "sha256:%s", src.sha256);
			json_t *cfg = json_object();
			json_object_set_new(cfg, "schemaVersion", json_integer(src.schema));
			json_object_set_new(cfg, "sha256", json_string(src.sha256));
			json_object_set_new(cfg, "builtAt", json_integer((json_int_t)src.built_at));
			json_object_set_new(cfg, "size", json_integer((json_int_t)src.size));
			char *ctext = json_dumps(cfg, JSON_COMPACT | JSON_SORT_KEYS);
			json_decref(cfg);
			const char *ann[] = { SW_VULNDB_ANN_SHA256, src.sha256, SW_VULNDB_ANN_SCHEMA, schema,
					      SW_VULNDB_ANN_BUILT, built, NULL, NULL };
			struct sw_artifact_push p = {
				.artifact_type = SW_VULNDB_ARTIFACT_TYPE,
				.config_media_type = SW_VULNDB_CONFIG_MEDIA_TYPE,
				.config = ctext,
				.config_len = strlen(ctext),
				.layer_media_type = SW_VULNDB_LAYER_MEDIA_TYPE,
				.layer = src.fp,
				.layer_size = src.size,
				.layer_digest = ldigest,
				.layer_title = "vulndb.sqlite",
				.annotations = ann,
			};
			rc = sw_artifact_push(ref, &io, &p, &digest, &err);
			free(ctext);
			sw_vulndb_artifact_source_release(&src);
			if (rc == 0)
				sw_cmd_msg("pushed the database (schema %d, %" PRIu64 " bytes, sha256 %s) to '%s' as %s",
					   src.schema, src.size, src.sha256, ref, digest);
		}
	} else {
		rc = sw_cmd_db_pull(ref, path, &io, &digest, &err);
		if (rc == 0)
			sw_cmd_msg("pulled the database from '%s' (%s) into '%s'", ref, digest,
				   path ? path : sw_vulndb_default_path());
	}
	if (password) {
		memset(password, 0, strlen(password));
		free(password);
	}
	free(digest);
	if (rc < 0)
		return rc == -SW_E_USAGE ? sw_cmd_usage_error(cmd, "%s", err.msg) : sw_cmd_fail(&err);
	return SW_EXIT_OK;
}

int cmd_db_push(int argc, char **argv)
{
	return db_oci(argc, argv, true);
}

int cmd_db_pull(int argc, char **argv)
{
	return db_oci(argc, argv, false);
}
