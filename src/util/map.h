/*
 * map.h - string-keyed hash map (open addressing, linear probing).
 *
 * The map owns copies of its keys; values are borrowed pointers (free them
 * yourself, e.g. with sw_map_free_all()).  Iteration order is unspecified.
 */
#ifndef SW_UTIL_MAP_H
#define SW_UTIL_MAP_H

#include <stdbool.h>
#include <stddef.h>

struct sw_map_slot {
	char *key;   /* NULL = empty */
	void *value;
	size_t hash;
};

struct sw_map {
	struct sw_map_slot *slots;
	size_t cap;   /* power of two, or 0 */
	size_t len;
};

#define SW_MAP_INIT { NULL, 0, 0 }

/* Insert or replace; returns the previous value (or NULL). */
void *sw_map_put(struct sw_map *m, const char *key, void *value);
void *sw_map_get(const struct sw_map *m, const char *key);
bool sw_map_has(const struct sw_map *m, const char *key);
/* Remove; returns the removed value (or NULL). */
void *sw_map_del(struct sw_map *m, const char *key);
void sw_map_release(struct sw_map *m);                     /* frees keys, not values */
void sw_map_free_all(struct sw_map *m, void (*fn)(void *)); /* fn(value) each, then release */

/* Iterate: for (size_t i = 0; sw_map_next(m, &i, &k, &v); ) ... */
bool sw_map_next(const struct sw_map *m, size_t *iter, const char **key, void **value);

size_t sw_hash_str(const char *s);

#endif
