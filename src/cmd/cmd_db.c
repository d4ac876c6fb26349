/* cmd_db.c - placeholder until its issue lands. */
#include <stdio.h>

#include "cmd/cmd.h"

int cmd_db(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "stowaway: 'db' is not built yet\n");
	return SW_EXIT_ERROR;
}
