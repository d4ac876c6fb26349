/*
 * osvjson.c - evaluate an OSV range written as JSON text (for the CLI and
 * tests): a range {"type":..,"events":[..]}, an array of ranges, or an
 * affected entry {"ranges":[..],"versions":[..]}.
 */
#include <jansson.h>

#include "util/mem.h"
#include "version/internal.h"

static int add_range(json_t *jr, struct sw_vec *ranges, struct sw_err *err)
{
	if (!json_is_object(jr))
		return sw_err_set(err, SW_E_FORMAT, "range: expected an object");
	json_t *type = json_object_get(jr, "type");
	json_t *events = json_object_get(jr, "events");
	if (type && !json_is_string(type))
		return sw_err_set(err, SW_E_FORMAT, "range: \"type\" is not a string");
	if (!json_is_array(events))
		return sw_err_set(err, SW_E_FORMAT, "range: \"events\" is missing or not an array");
	struct sw_range *r = sw_range_new(type ? json_string_value(type) : "ECOSYSTEM");
	sw_vec_push(ranges, r);
	size_t i;
	json_t *ev;
	json_array_foreach(events, i, ev) {
		static const struct { const char *key; enum sw_event_kind k; } keys[] = {
			{ "introduced", SW_EV_INTRODUCED }, { "fixed", SW_EV_FIXED },
			{ "last_affected", SW_EV_LAST_AFFECTED }, { "limit", SW_EV_LIMIT },
		};
		bool found = false;
		if (!json_is_object(ev))
			return sw_err_set(err, SW_E_FORMAT, "range: event %zu is not an object", i);
		for (size_t k = 0; k < 4; k++) {
			json_t *v = json_object_get(ev, keys[k].key);
			if (!v)
				continue;
			if (!json_is_string(v))
				return sw_err_set(err, SW_E_FORMAT, "range: event %zu: \"%s\" is not a string", i,
						  keys[k].key);
			sw_range_add_event(r, keys[k].k, json_string_value(v));
			found = true;
		}
		if (!found)
			return sw_err_set(err, SW_E_FORMAT, "range: event %zu has no introduced/fixed/last_affected/limit", i);
	}
	return 0;
}

int sw_version_affected_osv_json(enum sw_vscheme s, const char *version, const char *json, bool *affected,
				 struct sw_err *err)
{
	json_error_t je;
	json_t *root = json_loads(json, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return sw_err_set(err, SW_E_FORMAT, "range is not valid JSON: %s (column %d)", je.text, je.column);
	struct sw_vec ranges = SW_VEC_INIT, versions = SW_VEC_INIT;
	int rc = 0;
	if (json_is_array(root)) {
		size_t i;
		json_t *x;
		json_array_foreach(root, i, x)
			if ((rc = add_range(x, &ranges, err)) < 0)
				goto out;
	} else if (json_is_object(root) && json_object_get(root, "events")) {
		if ((rc = add_range(root, &ranges, err)) < 0)
			goto out;
	} else if (json_is_object(root)) {
		json_t *jr = json_object_get(root, "ranges"), *jv = json_object_get(root, "versions");
		if (!jr && !jv) {
			rc = sw_err_set(err, SW_E_FORMAT, "range: expected \"events\", \"ranges\" or \"versions\"");
			goto out;
		}
		if (jr) {
			if (!json_is_array(jr)) {
				rc = sw_err_set(err, SW_E_FORMAT, "range: \"ranges\" is not an array");
				goto out;
			}
			size_t i;
			json_t *x;
			json_array_foreach(jr, i, x)
				if ((rc = add_range(x, &ranges, err)) < 0)
					goto out;
		}
		if (jv) {
			if (!json_is_array(jv)) {
				rc = sw_err_set(err, SW_E_FORMAT, "range: \"versions\" is not an array");
				goto out;
			}
			size_t i;
			json_t *x;
			json_array_foreach(jv, i, x) {
				if (!json_is_string(x)) {
					rc = sw_err_set(err, SW_E_FORMAT, "range: versions[%zu] is not a string", i);
					goto out;
				}
				sw_vec_push_strdup(&versions, json_string_value(x));
			}
		}
	} else {
		rc = sw_err_set(err, SW_E_FORMAT, "range: expected a JSON object or array");
		goto out;
	}
	rc = sw_version_affected_osv(s, version, &ranges, &versions, affected, err);
out:
	for (size_t i = 0; i < ranges.len; i++)
		sw_range_free(ranges.items[i]);
	sw_vec_release(&ranges);
	sw_vec_free_strings(&versions);
	json_decref(root);
	return rc;
}
