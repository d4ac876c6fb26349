/* filescan.c - sw_file_scanner_run_mem (filescan.h). */
#include "inventory/filescan.h"

int sw_file_scanner_run_mem(const struct sw_file_scanner *s, const char *path, const uint8_t *data,
			    size_t len, size_t chunk, struct sw_vec *out, struct sw_vec *warnings,
			    struct sw_err *err)
{
	void *st = s->begin(s->self, path, len);
	if (!st)
		return sw_err_set(err, SW_E_NOMEM, "%s scanner on '%s': out of memory", s->name, path);
	if (!chunk || s->whole)
		chunk = len;
	for (size_t off = 0; off < len || (len == 0 && off == 0);) {
		size_t n = len - off < chunk ? len - off : chunk;
		if (s->feed(st, data + off, n) || n == 0)
			break;
		off += n;
	}
	return s->end(st, out, warnings, err);
}
