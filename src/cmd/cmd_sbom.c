/* cmd_sbom.c - placeholder until its issue lands. */
#include <stdio.h>

#include "cmd/cmd.h"

int cmd_sbom(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "stowaway: 'sbom' is not built yet\n");
	return SW_EXIT_ERROR;
}
