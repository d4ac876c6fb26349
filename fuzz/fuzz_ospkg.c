/* fuzz_ospkg.c - dpkg status/list, apk installed and os-release parsers.
 * The first byte picks the parser (and for a dpkg status file the chunk
 * size of a second, streamed parse that must give the same result). */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "inventory/apk.h"
#include "inventory/dpkg.h"
#include "inventory/osdetect.h"
#include "util/mem.h"

static int str_cmp(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

/* The status file fed in chunks of `chunk` bytes gives what one parse gives. */
static void check_streamed(const uint8_t *d, size_t n, size_t chunk, const struct sw_pkglist *whole)
{
	struct sw_pkglist l = SW_PKGLIST_INIT;
	struct sw_dpkg_status *st = sw_dpkg_status_begin("var/lib/dpkg/status", false);
	for (size_t off = 0; off < n; off += chunk)
		if (sw_dpkg_status_feed(st, d + off, n - off < chunk ? n - off : chunk))
			break;
	sw_dpkg_status_end(st, &l);
	if (l.pkgs.len != whole->pkgs.len || l.warnings.len != whole->warnings.len)
		abort();
	for (size_t i = 0; i < l.pkgs.len; i++) {
		const struct sw_package *a = l.pkgs.items[i], *b = whole->pkgs.items[i];
		if (str_cmp(a->name, b->name) || str_cmp(a->version, b->version) || str_cmp(a->arch, b->arch) ||
		    str_cmp(a->source_name, b->source_name) || str_cmp(a->source_version, b->source_version))
			abort();
	}
	for (size_t i = 0; i < l.warnings.len; i++)
		if (strcmp(l.warnings.items[i], whole->warnings.items[i]))
			abort();
	sw_pkglist_release(&l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > (1u << 20))
		return 0;
	struct sw_pkglist l = SW_PKGLIST_INIT;
	const uint8_t *d = data + 1;
	size_t n = size - 1;
	switch (data[0] % 5) {
	case 0:
		sw_dpkg_parse_status("var/lib/dpkg/status", d, n, false, &l);
		check_streamed(d, n, (size_t)(data[0] / 5) % 61 + 1, &l);
		break;
	case 1: sw_dpkg_parse_status("var/lib/dpkg/status.d/x", d, n, true, &l); break;
	case 2: sw_dpkg_parse_list("var/lib/dpkg/info/x:amd64.list", d, n, &l); break;
	case 3: sw_apk_parse_installed("lib/apk/db/installed", d, n, &l); break;
	default: {
		char *s = sw_xstrndup((const char *)d, n);
		struct sw_os os = { 0 };
		sw_osdetect_parse_os_release(&os, s);
		sw_os_release(&os);
		free(s);
	}
	}
	sw_pkglist_release(&l);
	return 0;
}
