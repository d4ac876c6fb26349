/* filefinding.c - constructors and destructors of model/filefinding.h. */
#include "model/filefinding.h"

#include <stdlib.h>

#include "util/mem.h"

struct sw_file_finding *sw_file_finding_new(const char *scanner)
{
	struct sw_file_finding *f = sw_xcalloc(1, sizeof(*f));
	f->scanner = scanner;
	f->layer = -1;
	f->removed_in = -1;
	return f;
}

struct sw_file_finding *sw_file_finding_dup(const struct sw_file_finding *f)
{
	struct sw_file_finding *d = sw_xcalloc(1, sizeof(*d));
	*d = *f;
	d->rule_id = sw_xstrdup(f->rule_id);
	d->category = sw_xstrdup(f->category);
	d->title = sw_xstrdup(f->title);
	d->path = sw_xstrdup(f->path);
	d->match = sw_xstrdup(f->match);
	d->detail = sw_xstrdup(f->detail);
	d->suppressed = sw_xstrdup(f->suppressed);
	return d;
}

void sw_file_finding_free(struct sw_file_finding *f)
{
	if (!f)
		return;
	free(f->rule_id);
	free(f->category);
	free(f->title);
	free(f->path);
	free(f->match);
	free(f->detail);
	free(f->suppressed);
	free(f);
}

void sw_file_finding_free_v(void *f)
{
	sw_file_finding_free(f);
}
