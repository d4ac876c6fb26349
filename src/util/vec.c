#include "util/vec.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

void sw_vec_push(struct sw_vec *v, void *item)
{
	if (v->len == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 8;
		v->items = sw_xrealloc(v->items, v->cap * sizeof(*v->items));
	}
	v->items[v->len++] = item;
}

void *sw_vec_pop(struct sw_vec *v)
{
	return v->len ? v->items[--v->len] : NULL;
}

void sw_vec_release(struct sw_vec *v)
{
	free(v->items);
	v->items = NULL;
	v->len = v->cap = 0;
}

void sw_vec_free_all(struct sw_vec *v, void (*fn)(void *))
{
	if (fn)
		for (size_t i = 0; i < v->len; i++)
			fn(v->items[i]);
	sw_vec_release(v);
}

static _Thread_local int (*sort_cmp)(const void *, const void *);
static int sort_tramp(const void *a, const void *b)
{
	return sort_cmp(*(void *const *)a, *(void *const *)b);
}

void sw_vec_sort(struct sw_vec *v, int (*cmp)(const void *a, const void *b))
{
	/* qsort_r is not C11; a trampoline through a thread-local keeps us
	 * portable and thread-safe. */
	static _Thread_local int (*saved)(const void *, const void *);
	saved = sort_cmp;
	sort_cmp = cmp;
	if (v->len > 1)
		qsort(v->items, v->len, sizeof(*v->items), sort_tramp);
	sort_cmp = saved;
}

void sw_vec_push_strdup(struct sw_vec *v, const char *s)
{
	sw_vec_push(v, sw_xstrdup(s));
}

void sw_vec_free_strings(struct sw_vec *v)
{
	sw_vec_free_all(v, free);
}

long sw_vec_find_str(const struct sw_vec *v, const char *s)
{
	for (size_t i = 0; i < v->len; i++)
		if (strcmp(v->items[i], s) == 0)
			return (long)i;
	return -1;
}
