/* cmd_scan.c - placeholder until its issue lands. */
#include <stdio.h>

#include "cmd/cmd.h"

int cmd_scan(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "stowaway: 'scan' is not built yet\n");
	return SW_EXIT_ERROR;
}
