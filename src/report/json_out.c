/*
 * json_out.c - write a jansson tree as text, byte for byte what
 * json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(p))
 * writes (jansson 2.14 dump.c: "{" / "[" then newline + indent per item,
 * ": " after keys, "," + newline between items, empty containers as "{}"
 * and "[]", strings escaped as \" \\ \b \f \n \r \t and \uXXXX (upper-case
 * hex) for other control characters, non-ASCII left as UTF-8, reals with
 * "%.<p>g" and ".0" appended when neither '.' nor 'e' is present, exponent
 * without '+' or leading zeros).
 *
 * Why: the scan reports are a few megabytes of JSON; jansson's dumper calls
 * its output callback (fwrite) once per token and walks every string one
 * code point at a time.  This writer appends to a 64 KiB buffer, copies
 * runs of plain bytes at once, and hands the buffer to fwrite when full.
 * test_json_out.c checks it against json_dumps().
 */
#include "report/report_int.h"

#include <stdio.h>
#include <string.h>

#define INDENT 2

/* Output goes to a buffer; with fp set the buffer is written out whenever
 * it holds FLUSH_AT bytes, so memory stays flat whatever the document's
 * size.  Appends skip the NUL sw_buf_add() writes each time: the text is
 * terminated once, at the end (sw_report_json_text). */
#define FLUSH_AT (64u << 10)

struct jw {
	struct sw_buf b;
	FILE *fp;          /* NULL: keep everything in b */
	bool write_failed;
};

static void flush(struct jw *w)
{
	if (w->b.len && fwrite(w->b.data, 1, w->b.len, w->fp) != w->b.len)
		w->write_failed = true;
	w->b.len = 0;
}

static inline void put(struct jw *w, const void *p, size_t n)
{
	struct sw_buf *b = &w->b;
	if (w->fp && b->len + n > FLUSH_AT) {
		flush(w);
		if (n > FLUSH_AT) {
			if (fwrite(p, 1, n, w->fp) != n)
				w->write_failed = true;
			return;
		}
	}
	if (b->cap && b->cap - b->len > n) {
		memcpy(b->data + b->len, p, n);
		b->len += n;
	} else {
		sw_buf_add(b, p, n);
	}
}

static inline void putch(struct jw *w, char c)
{
	struct sw_buf *b = &w->b;
	if (b->cap && b->cap - b->len > 1 && (!w->fp || b->len < FLUSH_AT))
		b->data[b->len++] = c;
	else
		put(w, &c, 1);
}

static void put_indent(struct jw *b, int depth)
{
	static const char spaces[] = "\n                                                                ";
	size_t n = (size_t)depth * INDENT;
	put(b, spaces, n + 1 < sizeof(spaces) ? n + 1 : 1);
	if (n + 1 >= sizeof(spaces))
		for (size_t i = 0; i < n; i++)
			putch(b, ' ');
}

/* Length of the valid UTF-8 sequence at s (*s >= 0x80), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, const unsigned char *end)
{
	unsigned c = s[0], lo = 0x80, hi = 0xBF;
	size_t n;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		lo = c == 0xE0 ? 0xA0 : 0x80;
		hi = c == 0xED ? 0x9F : 0xBF;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		lo = c == 0xF0 ? 0x90 : 0x80;
		hi = c == 0xF4 ? 0x8F : 0xBF;
	} else {
		return 0;
	}
	if ((size_t)(end - s) < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return n;
}

static int put_string(struct jw *b, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str, *end = s + len, *run = s;
	putch(b, '"');
	while (s < end) {
		unsigned char c = *s;
		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
			s++;
			continue;
		}
		if (c >= 0x80) {
			size_t n = utf8_seq(s, end);
			if (!n)
				return -1;   /* jansson refuses to dump invalid UTF-8 too */
			s += n;
			continue;
		}
		put(b, run, (size_t)(s - run));
		switch (c) {
		case '"': put(b, "\\\"", 2); break;
		case '\\': put(b, "\\\\", 2); break;
		case '\b': put(b, "\\b", 2); break;
		case '\f': put(b, "\\f", 2); break;
		case '\n': put(b, "\\n", 2); break;
		case '\r': put(b, "\\r", 2); break;
		case '\t': put(b, "\\t", 2); break;
		default: {
			static const char hex[] = "0123456789ABCDEF";
			char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			put(b, u, sizeof(u));
			break;
		}
		}
		run = ++s;
	}
	put(b, run, (size_t)(s - run));
	putch(b, '"');
	return 0;
}

static int put_real(struct jw *b, double v, int precision)
{
	char buf[64];
	int n = snprintf(buf, sizeof(buf), "%.*g", precision ? precision : 17, v);
	if (n < 0 || (size_t)n + 3 >= sizeof(buf))
		return -1;
	for (char *c = buf; *c; c++)
		if (*c == ',')
			*c = '.';   /* a locale's decimal comma, as jansson's from_locale() */
	size_t len = (size_t)n;
	if (!strchr(buf, '.') && !strchr(buf, 'e')) {
		memcpy(buf + len, ".0", 3);
		len += 2;
	}
	char *e = strchr(buf, 'e');
	if (e) {
		char *start = e + 1, *p = e + 2;
		if (*start == '-')
			start++;
		while (*p == '0')
			p++;
		if (p != start) {
			memmove(start, p, len - (size_t)(p - buf) + 1);
			len -= (size_t)(p - start);
		}
	}
	put(b, buf, len);
	return 0;
}

static void put_integer(struct jw *b, json_int_t v)
{
	char buf[24];
	size_t i = sizeof(buf);
	unsigned long long m = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	do {
		buf[--i] = (char)('0' + m % 10);
		m /= 10;
	} while (m);
	if (v < 0)
		buf[--i] = '-';
	put(b, buf + i, sizeof(buf) - i);
}

static int put_value(struct jw *b, const json_t *j, int depth, int precision)
{
	switch (json_typeof(j)) {
	case JSON_NULL: put(b, "null", 4); return 0;
	case JSON_TRUE: put(b, "true", 4); return 0;
	case JSON_FALSE: put(b, "false", 5); return 0;
	case JSON_INTEGER: put_integer(b, json_integer_value(j)); return 0;
	case JSON_REAL: return put_real(b, json_real_value(j), precision);
	case JSON_STRING: return put_string(b, json_string_value(j), json_string_length(j));
	case JSON_ARRAY: {
		size_t n = json_array_size(j);
		putch(b, '[');
		if (n == 0) {
			putch(b, ']');
			return 0;
		}
		for (size_t i = 0; i < n; i++) {
			if (i)
				putch(b, ',');
			put_indent(b, depth + 1);
			if (put_value(b, json_array_get(j, i), depth + 1, precision) < 0)
				return -1;
		}
		put_indent(b, depth);
		putch(b, ']');
		return 0;
	}
	case JSON_OBJECT: {
		void *it = json_object_iter((json_t *)j);
		putch(b, '{');
		if (!it) {
			putch(b, '}');
			return 0;
		}
		for (bool first = true; it; it = json_object_iter_next((json_t *)j, it), first = false) {
			if (!first)
				putch(b, ',');
			put_indent(b, depth + 1);
			if (put_string(b, json_object_iter_key(it), json_object_iter_key_len(it)) < 0)
				return -1;
			put(b, ": ", 2);
			if (put_value(b, json_object_iter_value(it), depth + 1, precision) < 0)
				return -1;
		}
		put_indent(b, depth);
		putch(b, '}');
		return 0;
	}
	}
	return -1;
}

int sw_report_json_text(struct sw_buf *b, const json_t *j, int precision)
{
	if (!j)
		return -1;
	struct jw w = { .b = *b };
	int r = put_value(&w, j, 0, precision);
	*b = w.b;
	if (b->cap)
		b->data[b->len] = '\0';
	return r < 0 || !sw_buf_ok(b) ? -1 : 0;
}

int sw_report_json_write(FILE *out, const json_t *doc, int precision, struct sw_err *err)
{
	if (!doc)
		return sw_err_set(err, SW_E_NOMEM, "cannot build the report document");
	struct jw w = { .b = SW_BUF_INIT, .fp = out };
	sw_buf_grow(&w.b, FLUSH_AT + 1);
	int r = put_value(&w, doc, 0, precision);
	putch(&w, '\n');
	if (r == 0 && sw_buf_ok(&w.b))
		flush(&w);
	bool ok = r == 0 && sw_buf_ok(&w.b) && !w.write_failed;
	sw_buf_release(&w.b);
	if (!ok || fflush(out) != 0 || ferror(out))
		return sw_err_errno(err, "cannot write the report");
	return 0;
}
