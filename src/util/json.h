/*
 * json.h - a small, fast reader for JSON documents that are read once
 * (SBOMs given to `scan --sbom`).
 *
 * sw_json_parse() checks the whole text (RFC 8259: one object or array at
 * the top, strings valid UTF-8 without NUL, no duplicate keys in an
 * object, integers that fit in 64 bits, finite reals) and builds a tree in
 * one arena owned by the returned document: every node and string lives
 * until sw_json_doc_free().  Nodes are read-only; object members keep the
 * document's order.  Look-ups are linear in an object's member count.
 *
 * Every accessor accepts NULL and nodes of the wrong type and then returns
 * NULL / 0 / false, so a path can be followed without checks in between:
 *     sw_json_get_str(sw_json_get(root, "metadata"), "name")
 */
#ifndef SW_UTIL_JSON_H
#define SW_UTIL_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

enum sw_json_type {
	SW_JSON_NULL,
	SW_JSON_FALSE,
	SW_JSON_TRUE,
	SW_JSON_INTEGER,
	SW_JSON_REAL,
	SW_JSON_STRING,
	SW_JSON_ARRAY,
	SW_JSON_OBJECT,
};

struct sw_json_member;

struct sw_json {
	enum sw_json_type type;
	size_t n;                          /* STRING: bytes; ARRAY/OBJECT: items */
	union {
		long long i;                   /* INTEGER */
		double d;                      /* REAL */
		const char *s;                 /* STRING: NUL-terminated */
		const struct sw_json *items;   /* ARRAY */
		const struct sw_json_member *members; /* OBJECT */
	} u;
};

struct sw_json_member {
	const char *key;                   /* NUL-terminated */
	struct sw_json value;
};

struct sw_json_doc;

/* Parse data[0..len).  On success *out owns the tree (sw_json_doc_free());
 * on failure err says where: "line 3 column 7: ...". */
int sw_json_parse(const char *data, size_t len, struct sw_json_doc **out, struct sw_err *err);
void sw_json_doc_free(struct sw_json_doc *doc);
/* The top-level object or array (borrowed from doc). */
const struct sw_json *sw_json_root(const struct sw_json_doc *doc);

/* The member `key` of an object, or NULL. */
const struct sw_json *sw_json_get(const struct sw_json *obj, const char *key);
/* A string's text, or NULL when v is not a string. */
const char *sw_json_str(const struct sw_json *v);
/* sw_json_str(sw_json_get(obj, key)) */
const char *sw_json_get_str(const struct sw_json *obj, const char *key);
/* Number of items of an array (0 for anything else). */
size_t sw_json_array_len(const struct sw_json *arr);
/* Item i of an array, or NULL. */
const struct sw_json *sw_json_at(const struct sw_json *arr, size_t i);
static inline bool sw_json_is(const struct sw_json *v, enum sw_json_type t)
{
	return v && v->type == t;
}

#endif
