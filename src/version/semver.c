/*
 * semver.c - Semantic Versioning 2.0.0 and its dialects:
 *   semver/cargo  strict SemVer 2.0.0 (MAJOR.MINOR.PATCH[-PRE][+BUILD],
 *                 no leading zeros, no "v")
 *   npm           node-semver strict: surrounding blanks, optional "v",
 *                 numbers up to 2^53-1, at most 256 characters
 *   loose         node-semver loose: "[v=\s]*", leading zeros, "-" before
 *                 the pre-release optional (only via the opts API)
 *   go            optional "v" (OSV writes Go versions without it), the
 *                 "vMAJOR" and "vMAJOR.MINOR" shorthands of
 *                 golang.org/x/mod/semver; "+incompatible" is build
 *                 metadata; pseudo-versions are ordinary pre-releases
 * Build metadata never takes part in the order.
 */
#include "version/internal.h"

#define NODE_MAX_LENGTH 256
#define NODE_MAX_SAFE "9007199254740991"

static size_t digits(const char *p, const char *end)
{
	const char *q = p;
	while (q < end && sw_v_digit(*q))
		q++;
	return (size_t)(q - p);
}

static bool ident_char(int c)
{
	return sw_v_alnum(c) || c == '-';
}

/* Number above 2^53-1 (node-semver rejects those in the main triple)? */
static bool over_safe(const char *p, size_t n)
{
	return sw_v_numcmp(p, n, NODE_MAX_SAFE, sizeof(NODE_MAX_SAFE) - 1) > 0;
}

/* Dot-separated identifiers at p; pre-release numeric identifiers may not
 * have leading zeros unless loose. Returns the end, or NULL. */
static const char *idents(const char *p, const char *end, bool pre, bool loose)
{
	for (;;) {
		const char *q = p;
		bool num = true;
		while (q < end && ident_char((unsigned char)*q)) {
			if (!sw_v_digit(*q))
				num = false;
			q++;
		}
		if (q == p)
			return NULL;
		if (pre && num && !loose && q - p > 1 && *p == '0')
			return NULL;
		p = q;
		if (p < end && *p == '.') {
			p++;
			continue;
		}
		return p;
	}
}

const char *sw_semver_parse(const char *s, size_t len, int mode, struct sw_semver *v)
{
	const char *p = s, *end = s + len;
	memset(v, 0, sizeof(*v));
	if (len > SW_VERSION_MAX_LEN)
		return "version string is too long";
	if (mode == SW_SEMVER_NPM || mode == SW_SEMVER_LOOSE) {
		if (len > NODE_MAX_LENGTH)
			return "version string is longer than 256 characters";
		while (p < end && sw_v_space((unsigned char)*p))
			p++;
		while (end > p && sw_v_space((unsigned char)end[-1]))
			end--;
	}
	if (p == end)
		return "version string is empty";
	if (mode == SW_SEMVER_LOOSE) {
		while (p < end && (*p == 'v' || *p == '=' || sw_v_space((unsigned char)*p)))
			p++;
	} else if ((mode == SW_SEMVER_NPM || mode == SW_SEMVER_GO) && *p == 'v') {
		p++;
	}
	bool loose = mode == SW_SEMVER_LOOSE;
	const char **parts[3] = { &v->major, &v->minor, &v->patch };
	size_t *lens[3] = { &v->major_len, &v->minor_len, &v->patch_len };
	int i;
	for (i = 0; i < 3; i++) {
		size_t d = digits(p, end);
		if (!d) {
			if (i == 0)
				return "version does not start with a number";
			return "expected MAJOR.MINOR.PATCH";
		}
		if (!loose && d > 1 && *p == '0')
			return "numeric part has a leading zero";
		if ((mode == SW_SEMVER_NPM || mode == SW_SEMVER_LOOSE) && over_safe(p, d))
			return "numeric part is too large";
		*parts[i] = p;
		*lens[i] = d;
		p += d;
		if (i < 2) {
			if (p < end && *p == '.') {
				p++;
				continue;
			}
			if (mode == SW_SEMVER_GO && p == end)
				break;   /* vMAJOR or vMAJOR.MINOR shorthand */
			return "expected MAJOR.MINOR.PATCH";
		}
	}
	if (i < 3) {
		if (s[0] != 'v')
			return "expected MAJOR.MINOR.PATCH";
		for (int j = i + 1; j < 3; j++) {
			*parts[j] = "0";
			*lens[j] = 1;
		}
		return NULL;
	}
	if (p < end && (*p == '-' || (loose && *p != '+' && ident_char((unsigned char)*p)))) {
		if (*p == '-' && !(loose && p + 1 < end && !ident_char((unsigned char)p[1])))
			p++;
		const char *q = idents(p, end, true, loose);
		if (!q)
			return "invalid pre-release";
		v->pre = p;
		v->pre_len = (size_t)(q - p);
		p = q;
	}
	if (p < end && *p == '+') {
		p++;
		const char *q = idents(p, end, false, loose);
		if (!q)
			return "invalid build metadata";
		v->build = p;
		v->build_len = (size_t)(q - p);
		p = q;
	}
	if (p != end)
		return "invalid character";
	return NULL;
}

int sw_semver_cmp(const struct sw_semver *a, const struct sw_semver *b)
{
	int r = sw_v_numcmp(a->major, a->major_len, b->major, b->major_len);
	if (!r)
		r = sw_v_numcmp(a->minor, a->minor_len, b->minor, b->minor_len);
	if (!r)
		r = sw_v_numcmp(a->patch, a->patch_len, b->patch, b->patch_len);
	if (r)
		return r;
	if (!a->pre || !b->pre)
		return a->pre ? -1 : (b->pre ? 1 : 0);
	const char *x = a->pre, *xe = x + a->pre_len, *y = b->pre, *ye = y + b->pre_len;
	while (x < xe && y < ye) {
		size_t xl = sw_v_dot_len(x, xe), yl = sw_v_dot_len(y, ye);
		bool xn = sw_v_all_digits(x, xl), yn = sw_v_all_digits(y, yl);
		if (xn && yn)
			r = sw_v_numcmp(x, xl, y, yl);
		else if (xn != yn)
			r = xn ? -1 : 1;
		else
			r = sw_v_bytecmp(x, xl, y, yl);
		if (r)
			return r;
		x += xl;
		y += yl;
		if (x < xe)
			x++;
		if (y < ye)
			y++;
	}
	if (x < xe)
		return 1;
	if (y < ye)
		return -1;
	return 0;
}

static int mode_cmp(int mode, const char *a, const char *b, int *out, struct sw_vfail *f)
{
	struct sw_semver x, y;
	if ((f->why = sw_semver_parse(a, strlen(a), mode, &x))) {
		f->which = 0;
		return -1;
	}
	if ((f->why = sw_semver_parse(b, strlen(b), mode, &y))) {
		f->which = 1;
		return -1;
	}
	*out = sw_semver_cmp(&x, &y);
	return 0;
}

#define MODE_FNS(name, mode)                                                     \
	const char *sw_v_##name##_check(const char *v)                           \
	{                                                                        \
		struct sw_semver x;                                              \
		return sw_semver_parse(v, strlen(v), mode, &x);                  \
	}                                                                        \
	int sw_v_##name##_cmp(const char *a, const char *b, int *out, struct sw_vfail *f) \
	{                                                                        \
		return mode_cmp(mode, a, b, out, f);                             \
	}

MODE_FNS(semver, SW_SEMVER_STRICT)
MODE_FNS(npm, SW_SEMVER_NPM)
MODE_FNS(go, SW_SEMVER_GO)

int sw_semver_compare_opts(const char *a, const char *b, unsigned flags, int *cmp, struct sw_err *err)
{
	int mode = (flags & SW_VSAT_LOOSE) ? SW_SEMVER_LOOSE : SW_SEMVER_NPM;
	struct sw_vfail f = { 0, NULL };
	if (mode_cmp(mode, a, b, cmp, &f) < 0)
		return sw_err_set(err, SW_E_FORMAT, "'%s' is not a valid %s version: %s",
				  f.which ? b : a, "npm", f.why);
	return 0;
}
