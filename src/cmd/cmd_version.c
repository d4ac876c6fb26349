/* cmd_version.c - placeholder until its issue lands. */
#include <stdio.h>

#include "cmd/cmd.h"

int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "stowaway: 'version' is not built yet\n");
	return SW_EXIT_ERROR;
}
