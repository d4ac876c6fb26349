/* main.c - dispatch to a subcommand; nothing else lives here. */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"

static const struct sw_cmd commands[] = {
	{ "sbom", "list the packages in an image (SBOM)", cmd_sbom },
	{ "scan", "find known vulnerabilities in an image", cmd_scan },
	{ "policy", "evaluate an Anchore-compatible policy bundle (pass/fail)", cmd_policy },
	{ "db", "build, update and inspect the vulnerability database", cmd_db },
	{ "version", "compare versions and test ranges in any ecosystem", cmd_version },
	{ "cache", "show or clean the layer and image caches", cmd_cache },
	{ "serve", "run the scanning service (REST API, Harbor adapter)", cmd_serve },
	{ "k8s", "what runs in a Kubernetes cluster: images and pod security", cmd_k8s },
	{ "host-check", "check a Docker host's configuration files (CIS 1-3)", cmd_host },
	{ "containers", "check running Docker containers (CIS 5) and their images", cmd_containers },
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: stowaway <command> [options] [args]\n"
		"\n"
		"A container-image security scanner: reads an image statically, lists what\n"
		"is inside it, and matches that against known vulnerabilities.\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out,
		"\n"
		"Run 'stowaway <command> --help' for a command's options and examples.\n"
		"\n"
		"Exit codes: 0 ok, 1 a gate failed (e.g. --fail-on), 2 error, 64 usage error.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return SW_EXIT_USAGE;
	}
	sw_cmd_json_init();
	const char *name = argv[1];
	/* every path that may write stdout ends in sw_cmd_finish_stdout(): output
	 * that could not be written is an error (exit 2), never a silent success */
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
		usage(stdout);
		return sw_cmd_finish_stdout(SW_EXIT_OK);
	}
	if (strcmp(name, "--version") == 0) {
		printf("stowaway %s\n", SW_VERSION_STRING);
		return sw_cmd_finish_stdout(SW_EXIT_OK);
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(name, commands[i].name) == 0)
			return sw_cmd_finish_stdout(commands[i].fn(argc - 1, argv + 1));
	sw_cmd_msg("unknown command '%s'", name);
	usage(stderr);
	return SW_EXIT_USAGE;
}
