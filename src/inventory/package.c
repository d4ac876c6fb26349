#include "inventory/package.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/mem.h"

static const struct {
	unsigned bit;
	const char *word;
} flag_words[] = {
	{ SW_PKG_DECLARED, "declared" },
	{ SW_PKG_DEV, "dev" },
	{ SW_PKG_STDLIB, "stdlib" },
	{ SW_PKG_MAIN_MODULE, "main-module" },
};

const char *sw_package_flag_name(unsigned bit)
{
	for (size_t i = 0; i < sizeof(flag_words) / sizeof(flag_words[0]); i++)
		if (flag_words[i].bit == bit)
			return flag_words[i].word;
	return NULL;
}

unsigned sw_package_flag_parse(const char *word)
{
	for (size_t i = 0; word && i < sizeof(flag_words) / sizeof(flag_words[0]); i++)
		if (!strcmp(flag_words[i].word, word))
			return flag_words[i].bit;
	return 0;
}

struct sw_package *sw_package_new(const char *type)
{
	struct sw_package *p = sw_xcalloc(1, sizeof(*p));
	p->type = sw_xstrdup(type);
	p->epoch = -1;
	p->layer_index = -1;
	return p;
}

void sw_package_free(struct sw_package *p)
{
	if (!p)
		return;
	free(p->type);
	free(p->namespace_);
	free(p->name);
	free(p->version);
	free(p->arch);
	free(p->source_name);
	free(p->source_version);
	free(p->vendor);
	free(p->modularity);
	free(p->maintainer);
	sw_vec_free_strings(&p->licenses);
	free(p->purl);
	free(p->path);
	sw_vec_free_strings(&p->files);
	free(p->owner);
	free(p->layer_diff_id);
	free(p->layer_created_by);
	sw_vec_free_strings(&p->deps);
	free(p);
}

void sw_package_free_v(void *p)
{
	sw_package_free(p);
}

static void dup_strv(struct sw_vec *dst, const struct sw_vec *src)
{
	for (size_t i = 0; i < src->len; i++)
		sw_vec_push_strdup(dst, src->items[i]);
}

struct sw_package *sw_package_dup(const struct sw_package *s)
{
	struct sw_package *p = sw_package_new(s->type);
	p->namespace_ = sw_xstrdup(s->namespace_);
	p->name = sw_xstrdup(s->name);
	p->version = sw_xstrdup(s->version);
	p->epoch = s->epoch;
	p->arch = sw_xstrdup(s->arch);
	p->source_name = sw_xstrdup(s->source_name);
	p->source_version = sw_xstrdup(s->source_version);
	p->vendor = sw_xstrdup(s->vendor);
	p->modularity = sw_xstrdup(s->modularity);
	p->maintainer = sw_xstrdup(s->maintainer);
	dup_strv(&p->licenses, &s->licenses);
	p->purl = sw_xstrdup(s->purl);
	p->path = sw_xstrdup(s->path);
	dup_strv(&p->files, &s->files);
	p->flags = s->flags;
	p->owner = sw_xstrdup(s->owner);
	p->layer_index = s->layer_index;
	p->layer_diff_id = sw_xstrdup(s->layer_diff_id);
	p->layer_created_by = sw_xstrdup(s->layer_created_by);
	dup_strv(&p->deps, &s->deps);
	return p;
}

char *sw_package_key(const struct sw_package *p)
{
	return sw_xasprintf("%s/%s/%s/%s", p->type, p->namespace_ ? p->namespace_ : "",
			    p->name ? p->name : "", p->arch ? p->arch : "");
}

char *sw_package_full_version(const struct sw_package *p)
{
	if (p->epoch > 0)
		return sw_xasprintf("%d:%s", p->epoch, p->version ? p->version : "");
	return sw_xstrdup(p->version ? p->version : "");
}

void sw_pkglist_release(struct sw_pkglist *l)
{
	sw_vec_free_all(&l->pkgs, sw_package_free_v);
	sw_vec_free_strings(&l->warnings);
}

void sw_pkglist_warn(struct sw_pkglist *l, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (s)
		sw_vec_push(&l->warnings, s);
}
