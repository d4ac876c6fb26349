/* changes.c - change lists of incremental updates; see changes.h. */
#include "vulndb/changes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/mem.h"

bool sw_vulndb_parse_time(const char *s, double *out)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	int n = 0;
	char t = 0;
	if (!s || sscanf(s, "%4d-%2d-%2d%c%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &t, &tm.tm_hour,
			 &tm.tm_min, &tm.tm_sec, &n) != 7 || (t != 'T' && t != ' '))
		return false;
	if (tm.tm_year < 1970 || tm.tm_year > 9999 || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
	    tm.tm_mday > 31 || tm.tm_hour < 0 || tm.tm_hour > 24 || tm.tm_min < 0 || tm.tm_min > 59 || tm.tm_sec < 0 ||
	    tm.tm_sec > 60)
		return false;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	double v = (double)timegm(&tm);
	const char *p = s + n;
	if (*p == '.') {
		double scale = 0.1;
		for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
			v += (*p - '0') * scale;
	}
	if (*p == '+' || *p == '-') {
		int hh = 0, mm = 0;
		if (sscanf(p + 1, "%2d:%2d", &hh, &mm) < 1 || hh < 0 || hh > 23 || mm < 0 || mm > 59)
			return false;
		double off = hh * 3600.0 + mm * 60.0;
		v += *p == '+' ? -off : off;
	}
	*out = v;
	return true;
}

static bool safe_name(const char *s)
{
	if (!*s || *s == '/' || strstr(s, ".."))
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      strchr("._:/-", *p)))
			return false;
	return true;
}

static char *field(const char *p, size_t n)
{
	while (n && (*p == ' ' || *p == '"')) {
		p++;
		n--;
	}
	while (n && (p[n - 1] == ' ' || p[n - 1] == '"' || p[n - 1] == '\r'))
		n--;
	return sw_xstrndup(p, n);
}

int64_t sw_vulndb_parse_changes(const char *data, size_t len, double cursor, bool deleted, bool osv,
				struct sw_map *latest)
{
	int64_t bad = 0;
	const char *p = data, *end = data + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *comma = memchr(p, ',', (size_t)(le - p));
		if (comma) {
			char *a = field(p, (size_t)(comma - p)), *c = field(comma + 1, (size_t)(le - comma - 1));
			double ts = 0;
			char *name = NULL;
			if (sw_vulndb_parse_time(a, &ts)) {
				name = c;
				c = NULL;
			} else if (sw_vulndb_parse_time(c, &ts)) {
				name = a;
				a = NULL;
			}
			if (name && osv && strrchr(name, '/')) {
				char *cut = sw_xstrdup(strrchr(name, '/') + 1);
				free(name);
				name = cut;
			}
			if (!name || !safe_name(name)) {
				bad++;
			} else if (ts > cursor) {
				struct sw_vulndb_change *old = sw_map_get(latest, name);
				if (!old || ts >= old->ts) {
					struct sw_vulndb_change *ch = sw_xcalloc(1, sizeof(*ch));
					ch->ts = ts;
					ch->deleted = deleted;
					free(sw_map_put(latest, name, ch));
				}
			}
			free(name);
			free(a);
			free(c);
		} else if (le > p && !(le - p == 1 && *p == '\r')) {
			bad++;
		}
		p = le + 1;
	}
	return bad;
}
