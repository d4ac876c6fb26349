#include "util/map.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

size_t sw_hash_str(const char *s)
{
	/* FNV-1a, 64 bit */
	unsigned long long h = 1469598103934665603ULL;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		h ^= *p;
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

static struct sw_map_slot *find_slot(const struct sw_map *m, const char *key, size_t h)
{
	size_t mask = m->cap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct sw_map_slot *s = &m->slots[i];
		if (!s->key || (s->hash == h && strcmp(s->key, key) == 0))
			return s;
	}
}

static void grow(struct sw_map *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 16;
	struct sw_map old = *m;
	m->slots = sw_xcalloc(ncap, sizeof(*m->slots));
	m->cap = ncap;
	m->len = 0;
	for (size_t i = 0; i < old.cap; i++) {
		if (old.slots[i].key) {
			struct sw_map_slot *s = find_slot(m, old.slots[i].key, old.slots[i].hash);
			*s = old.slots[i];
			m->len++;
		}
	}
	free(old.slots);
}

void *sw_map_put(struct sw_map *m, const char *key, void *value)
{
	if ((m->len + 1) * 4 >= m->cap * 3)
		grow(m);
	size_t h = sw_hash_str(key);
	struct sw_map_slot *s = find_slot(m, key, h);
	if (s->key) {
		void *old = s->value;
		s->value = value;
		return old;
	}
	s->key = sw_xstrdup(key);
	s->hash = h;
	s->value = value;
	m->len++;
	return NULL;
}

void *sw_map_get(const struct sw_map *m, const char *key)
{
	if (!m->cap)
		return NULL;
	struct sw_map_slot *s = find_slot(m, key, sw_hash_str(key));
	return s->key ? s->value : NULL;
}

bool sw_map_has(const struct sw_map *m, const char *key)
{
	if (!m->cap)
		return false;
	return find_slot(m, key, sw_hash_str(key))->key != NULL;
}

void *sw_map_del(struct sw_map *m, const char *key)
{
	if (!m->cap)
		return NULL;
	struct sw_map_slot *s = find_slot(m, key, sw_hash_str(key));
	if (!s->key)
		return NULL;
	void *val = s->value;
	free(s->key);
	s->key = NULL;
	m->len--;
	/* re-insert the rest of the cluster (backward-shift deletion) */
	size_t mask = m->cap - 1;
	for (size_t i = ((size_t)(s - m->slots) + 1) & mask; m->slots[i].key; i = (i + 1) & mask) {
		struct sw_map_slot tmp = m->slots[i];
		m->slots[i].key = NULL;
		struct sw_map_slot *d = find_slot(m, tmp.key, tmp.hash);
		*d = tmp;
	}
	return val;
}

void sw_map_release(struct sw_map *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i].key);
	free(m->slots);
	m->slots = NULL;
	m->cap = m->len = 0;
}

void sw_map_free_all(struct sw_map *m, void (*fn)(void *))
{
	if (fn)
		for (size_t i = 0; i < m->cap; i++)
			if (m->slots[i].key)
				fn(m->slots[i].value);
	sw_map_release(m);
}

bool sw_map_next(const struct sw_map *m, size_t *iter, const char **key, void **value)
{
	while (*iter < m->cap) {
		struct sw_map_slot *s = &m->slots[(*iter)++];
		if (s->key) {
			if (key)
				*key = s->key;
			if (value)
				*value = s->value;
			return true;
		}
	}
	return false;
}
