/* web_query.c - the image search's query parameters (server_int.h), shared by
 * the Images page (web_pages.c) and GET /api/v1/images (api.c). */
#include <stdlib.h>
#include <string.h>

#include "server/server_int.h"

static const struct {
	const char *name;
	enum sw_st_image_sort sort;
} sorts[] = {
	{ "updated", SW_ST_SORT_UPDATED }, { "created", SW_ST_SORT_CREATED }, { "worst", SW_ST_SORT_WORST },
	{ "critical", SW_ST_SORT_CRITICAL }, { "high", SW_ST_SORT_HIGH }, { "medium", SW_ST_SORT_MEDIUM },
	{ "low", SW_ST_SORT_LOW }, { "total", SW_ST_SORT_TOTAL }, { "checks", SW_ST_SORT_CHECKS },
	{ "secrets", SW_ST_SORT_SECRETS }, { "malware", SW_ST_SORT_MALWARE }, { "os", SW_ST_SORT_OS },
	{ "digest", SW_ST_SORT_DIGEST }, { "name", SW_ST_SORT_NAME },
};

/* a non-negative integer of at most 15 digits */
static bool num(const char *s, int64_t *out)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 15)
		return false;
	int64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/* a value that is empty counts as absent (an empty search form field) */
static const char *val(struct srv_req *q, const char *key)
{
	const char *v = srv_query(q, key);
	return v && *v ? v : NULL;
}

bool srv_image_query_parse(struct srv_req *q, struct sw_st_image_query *o, const char **bad)
{
	memset(o, 0, sizeof(*o));
	o->limit = 100;
	o->text = val(q, "q");
	o->repository = val(q, "repository");
	o->tag = val(q, "tag");
	o->digest = val(q, "digest");
	o->os = val(q, "os");
	o->policy = val(q, "policy");
	const char *strs[] = { "q", "repository", "tag", "digest", "os" };
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		const char *v = val(q, strs[i]);
		if (v && strlen(v) > 256) {
			*bad = strs[i];
			return false;
		}
	}
	if (o->policy && strcmp(o->policy, "pass") && strcmp(o->policy, "warn") && strcmp(o->policy, "stop") &&
	    strcmp(o->policy, "none")) {
		*bad = "policy";
		return false;
	}
	struct {
		const char *key;
		int64_t *dst;
	} nums[] = { { "min_critical", &o->min_critical }, { "min_high", &o->min_high }, { "min_medium", &o->min_medium },
		     { "min_low", &o->min_low }, { "min_total", &o->min_total }, { "since", &o->since },
		     { "until", &o->until }, { "limit", &o->limit }, { "offset", &o->offset } };
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		const char *v = val(q, nums[i].key);
		if (v && !num(v, nums[i].dst)) {
			*bad = nums[i].key;
			return false;
		}
	}
	if (o->limit < 1 || o->limit > 1000) {
		*bad = "limit";
		return false;
	}
	const char *s = val(q, "sort");
	if (s) {
		size_t i;
		for (i = 0; i < sizeof(sorts) / sizeof(sorts[0]); i++)
			if (strcmp(s, sorts[i].name) == 0)
				break;
		if (i == sizeof(sorts) / sizeof(sorts[0])) {
			*bad = "sort";
			return false;
		}
		o->sort = sorts[i].sort;
	}
	const char *ord = val(q, "order");
	if (ord && strcmp(ord, "asc") && strcmp(ord, "desc")) {
		*bad = "order";
		return false;
	}
	o->ascending = ord && strcmp(ord, "asc") == 0;
	return true;
}
