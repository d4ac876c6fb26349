/*
 * vec.h - growable array of pointers.
 *
 * The vector owns its item array, not the items: free them with
 * sw_vec_free_all(v, fn) or yourself before sw_vec_release().
 */
#ifndef SW_UTIL_VEC_H
#define SW_UTIL_VEC_H

#include <stddef.h>

struct sw_vec {
	void **items;
	size_t len;
	size_t cap;
};

#define SW_VEC_INIT { NULL, 0, 0 }

void sw_vec_push(struct sw_vec *v, void *item);     /* aborts on OOM (sw_xrealloc) */
void *sw_vec_pop(struct sw_vec *v);                 /* NULL when empty */
void sw_vec_release(struct sw_vec *v);              /* frees the array only */
/* Calls fn on each item (if fn), then releases the array. */
void sw_vec_free_all(struct sw_vec *v, void (*fn)(void *));
void sw_vec_sort(struct sw_vec *v, int (*cmp)(const void *a, const void *b)); /* cmp gets items */
/* Owned strings: push a copy of s. */
void sw_vec_push_strdup(struct sw_vec *v, const char *s);
/* Free strings and release. */
void sw_vec_free_strings(struct sw_vec *v);
/* Index of a string equal to s, or -1. */
long sw_vec_find_str(const struct sw_vec *v, const char *s);

#define sw_vec_get(v, i) ((v)->items[(i)])

#endif
