#include "util/buf.h"
#include "util/termsafe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char sw_buf_empty_[1] = "";

void sw_buf_init(struct sw_buf *b, size_t max)
{
	b->data = (char *)sw_buf_empty_;
	b->len = 0;
	b->cap = 0;
	b->max = max ? max : SIZE_MAX / 2;
	b->failed = false;
}

void sw_buf_release(struct sw_buf *b)
{
	if (b->cap)
		free(b->data);
	size_t max = b->max;
	sw_buf_init(b, max);
}

void sw_buf_reset(struct sw_buf *b)
{
	b->len = 0;
	if (b->cap)
		b->data[0] = '\0';
	b->failed = false;
}

bool sw_buf_grow(struct sw_buf *b, size_t extra)
{
	if (b->failed)
		return false;
	if (!b->max)
		b->max = SIZE_MAX / 2;
	if (extra > b->max || b->len > b->max - extra) {
		b->failed = true;
		return false;
	}
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap < SIZE_MAX / 4 ? cap * 2 : need;
	char *p = b->cap ? realloc(b->data, cap) : malloc(cap);
	if (!p) {
		b->failed = true;
		return false;
	}
	if (!b->cap)
		p[0] = '\0';
	b->data = p;
	b->cap = cap;
	return true;
}

void sw_buf_add(struct sw_buf *b, const void *p, size_t n)
{
	if (!sw_buf_grow(b, n))
		return;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void sw_buf_addstr(struct sw_buf *b, const char *s)
{
	sw_buf_add(b, s, strlen(s));
}

void sw_buf_addch(struct sw_buf *b, char c)
{
	sw_buf_add(b, &c, 1);
}

void sw_buf_addf(struct sw_buf *b, const char *fmt, ...)
{
	va_list ap;
	char small[256];
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = true;
		return;
	}
	if ((size_t)n < sizeof(small)) {
		sw_buf_add(b, small, (size_t)n);
		return;
	}
	if (!sw_buf_grow(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void sw_buf_add_json_escaped(struct sw_buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': sw_buf_add(b, "\\\"", 2); break;
		case '\\': sw_buf_add(b, "\\\\", 2); break;
		case '\n': sw_buf_add(b, "\\n", 2); break;
		case '\r': sw_buf_add(b, "\\r", 2); break;
		case '\t': sw_buf_add(b, "\\t", 2); break;
		default:
			if (*p < 0x20) {
				char e[6] = { '\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15] };
				sw_buf_add(b, e, 6);
			} else if (*p >= 0x80) {
				/* JSON text is UTF-8 (RFC 8259): a byte that does not
				 * start a valid sequence becomes U+FFFD */
				unsigned cp;
				size_t n = sw_utf8_seq(p, &cp);
				if (n) {
					sw_buf_add(b, (const char *)p, n);
					p += n - 1;
				} else {
					sw_buf_add(b, "\\ufffd", 6);
				}
			} else {
				sw_buf_addch(b, (char)*p);
			}
		}
	}
}

char *sw_buf_detach(struct sw_buf *b, size_t *len_out)
{
	char *p;
	if (b->failed) {
		sw_buf_release(b);
		return NULL;
	}
	if (b->cap) {
		p = b->data;
	} else {
		p = calloc(1, 1);
		if (!p)
			return NULL;
	}
	if (len_out)
		*len_out = b->len;
	size_t max = b->max;
	sw_buf_init(b, max);
	return p;
}

int sw_buf_read_file(struct sw_buf *b, const char *path, size_t max, struct sw_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return sw_err_errno(err, "'%s'", path);
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size > max) {
		close(fd);
		return sw_err_set(err, SW_E_LIMIT, "'%s': file is larger than %zu bytes", path, max);
	}
	for (;;) {
		if (!sw_buf_grow(b, 65536)) {
			close(fd);
			return sw_err_set(err, SW_E_NOMEM, "'%s': out of memory", path);
		}
		ssize_t n = read(fd, b->data + b->len, b->cap - b->len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int r = sw_err_errno(err, "'%s'", path);
			close(fd);
			return r;
		}
		if (n == 0)
			break;
		b->len += (size_t)n;
		b->data[b->len] = '\0';
		if (b->len > max) {
			close(fd);
			return sw_err_set(err, SW_E_LIMIT, "'%s': file is larger than %zu bytes", path, max);
		}
	}
	close(fd);
	return 0;
}
