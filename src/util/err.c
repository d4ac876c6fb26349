#include "util/err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

SW_PRINTF(3, 0)
static int err_vset(struct sw_err *err, int code, const char *fmt, va_list ap)
{
	if (code <= 0)
		code = SW_E_INTERNAL;
	if (err) {
		err->code = code;
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		/* one line only: untrusted text may carry newlines */
		for (char *p = err->msg; *p; p++)
			if (*p == '\n' || *p == '\r')
				*p = ' ';
	}
	return -code;
}

int sw_err_set(struct sw_err *err, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = err_vset(err, code, fmt, ap);
	va_end(ap);
	return r;
}

int sw_err_wrap(struct sw_err *err, const char *fmt, ...)
{
	if (!err)
		return -SW_E_INTERNAL;
	char prefix[SW_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	size_t plen = strlen(prefix), olen = strlen(err->msg);
	size_t sep = olen ? 2 : 0;
	if (plen + sep >= sizeof(err->msg))
		plen = sizeof(err->msg) - 1 - sep;
	if (plen + sep + olen >= sizeof(err->msg))
		olen = sizeof(err->msg) - 1 - sep - plen;
	memmove(err->msg + plen + sep, err->msg, olen);
	memcpy(err->msg, prefix, plen);
	if (sep)
		memcpy(err->msg + plen, ": ", 2);
	err->msg[plen + sep + olen] = '\0';
	if (err->code == SW_OK)
		err->code = SW_E_INTERNAL;
	return -err->code;
}

int sw_err_errno(struct sw_err *err, const char *fmt, ...)
{
	int e = errno;
	char ctx[SW_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ctx, sizeof(ctx), fmt, ap);
	va_end(ap);
	int code = e == ENOENT ? SW_E_NOTFOUND : e == ENOMEM ? SW_E_NOMEM : SW_E_IO;
	return sw_err_set(err, code, "%s: %s", ctx, strerror(e));
}

const char *sw_err_name(int code)
{
	switch (code) {
#define SW_X(name, num, text) case num: return text;
		SW_ERR_TABLE(SW_X)
#undef SW_X
	}
	return "unknown error";
}

void sw_err_clear(struct sw_err *err)
{
	if (err) {
		err->code = SW_OK;
		err->msg[0] = '\0';
	}
}
