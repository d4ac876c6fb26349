/* purl_tmp.c - stand-in until the purl module lands (removed at merge). */
#include "inventory/inventory.h"
#include "util/mem.h"

char *sw_purl_for_package(const struct sw_package *p, const struct sw_os *os)
{
	(void)os;
	return sw_xasprintf("pkg:%s/%s@%s", p->type, p->name, p->version ? p->version : "");
}
