/* model.c - KEV and EPSS records (vulndb/model.h). */
#include "vulndb/model.h"

#include <stdlib.h>

void sw_exploit_free(struct sw_exploit *x)
{
	if (!x)
		return;
	free(x->cve);
	free(x->id);
	free(x->title);
	free(x->published);
	free(x->type);
	free(x->platform);
	free(x);
}

void sw_kev_free(struct sw_kev *k)
{
	if (!k)
		return;
	free(k->cve);
	free(k->vendor);
	free(k->product);
	free(k->name);
	free(k->date_added);
	free(k->due_date);
	free(k->required_action);
	free(k);
}

void sw_epss_free(struct sw_epss *e)
{
	if (!e)
		return;
	free(e->cve);
	free(e->date);
	free(e);
}
