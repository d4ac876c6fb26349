/*
 * passwd.c - passwd(5), shadow(5) and group(5) (sysfiles.h).
 */
#include "checks/sysfiles.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

static void acct_free(void *v)
{
	struct sw_acct *a = v;
	if (!a)
		return;
	free(a->name);
	free(a->pw);
	free(a->shell);
	free(a->entry);
	free(a);
}

void sw_acct_file_release(struct sw_acct_file *f)
{
	if (!f)
		return;
	sw_vec_free_all(&f->ents, acct_free);
	f->bad = f->skipped = 0;
	f->first_bad = 0;
}

/* A decimal id of at most 10 digits and at most 2^32 - 1; else -1. */
static long long parse_id(const char *s, size_t n)
{
	if (n == 0 || n > 10)
		return -1;
	long long v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= 4294967295LL ? v : -1;
}

static void bad_line(struct sw_acct_file *f, unsigned line)
{
	if (!f->bad)
		f->first_bad = line;
	f->bad++;
}

int sw_acct_parse(enum sw_acct_kind kind, const char *data, size_t len, struct sw_acct_file *out)
{
	if (len && memchr(data, '\0', len))
		return -1;
	/* fields needed: passwd name:pw:uid:gid:gecos:home:shell (7), group
	 * name:pw:gid:members (4), shadow name:pw:... (at least 2) */
	size_t need = kind == SW_ACCT_PASSWD ? 7 : kind == SW_ACCT_GROUP ? 4 : 2;
	const char *p = data, *end = data + len;
	unsigned line = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		line++;
		size_t n = (size_t)(le - p);
		if (n && p[n - 1] == '\r')
			n--;
		if (n == 0) {
			p = nl ? nl + 1 : end;
			continue;
		}
		if (p[0] == '#' || p[0] == '+' || p[0] == '-') {
			out->skipped++;
			p = nl ? nl + 1 : end;
			continue;
		}
		/* split on ':' (at most need fields looked at; extra ones are kept in the last) */
		const char *f[8];
		size_t fl[8], nf = 0;
		const char *s = p, *le2 = p + n;
		while (nf < 8) {
			const char *c = memchr(s, ':', (size_t)(le2 - s));
			f[nf] = s;
			fl[nf] = c ? (size_t)(c - s) : (size_t)(le2 - s);
			nf++;
			if (!c)
				break;
			s = c + 1;
		}
		long long id = -1;
		bool ok = nf >= need && fl[0] > 0;
		if (ok && kind != SW_ACCT_SHADOW) {
			id = parse_id(f[2], fl[2]);
			ok = id >= 0;
		}
		if (!ok) {
			bad_line(out, line);
		} else {
			struct sw_acct *a = sw_xcalloc(1, sizeof(*a));
			a->name = sw_xstrndup(f[0], fl[0]);
			a->pw = sw_xstrndup(f[1], fl[1]);
			a->id = id;
			a->gid = kind == SW_ACCT_PASSWD ? parse_id(f[3], fl[3]) : -1;
			/* the shell is the seventh field; colons after it stay in it */
			if (kind == SW_ACCT_PASSWD)
				a->shell = sw_xstrndup(f[6], (size_t)(le2 - f[6]));
			a->entry = sw_xstrndup(p, n);
			a->line = line;
			sw_vec_push(&out->ents, a);
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}

const struct sw_acct *sw_acct_find(const struct sw_acct_file *f, const char *name)
{
	for (size_t i = 0; f && i < f->ents.len; i++) {
		const struct sw_acct *a = f->ents.items[i];
		if (strcmp(a->name, name) == 0)
			return a;
	}
	return NULL;
}
