/*
 * termsafe.h - text from images, advisories and registries made safe for a
 * terminal.
 *
 * The one cleaner used by every human-facing writer (table reports, `db
 * search`/`db info`, `version` output, and everything cmd/ prints on
 * stderr).  A terminal acts on ESC (0x1b) sequences, on C1 controls both
 * as raw bytes (0x9b is CSI on many terminals) and UTF-8 encoded (c2 9b),
 * and on bidi overrides that reorder what is displayed.  The cleaner writes
 * one '?' in place of each of:
 *   - a C0 control byte (0x00-0x1f) other than the kept blanks, and DEL;
 *   - an invalid UTF-8 sequence (a stray byte 0x80-0xff, which covers raw C1
 *     bytes, an overlong form, a surrogate, a truncated sequence; the
 *     continuation bytes right after a bad lead byte are part of the same '?');
 *   - a UTF-8 encoded C1 control, U+0080..U+009F;
 *   - a bidi embedding, override or isolate, U+202A..U+202E, U+2066..U+2069.
 * Valid UTF-8 otherwise passes unchanged.  Machine formats (json, sarif,
 * cyclonedx, spdx) keep the exact data and do not use this; HTML and XML
 * are escaped by report/ (sw_report_xml_escape).
 */
#ifndef SW_UTIL_TERMSAFE_H
#define SW_UTIL_TERMSAFE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "util/buf.h"
#include "util/err.h"

enum sw_term_flags {
	/* runs of blanks (space, \t, \n, \r) become one space, and leading and
	 * trailing blanks go: one table cell or one line */
	SW_TERM_FOLD = 1u << 0,
	/* keep \n (multi-line text); otherwise it is a control as '?' */
	SW_TERM_KEEP_NL = 1u << 1,
	/* keep \t */
	SW_TERM_KEEP_TAB = 1u << 2,
};

/* Length (2..4) of the valid UTF-8 sequence of a code point >= 0x80 at s,
 * and the code point in *cp; 0 when s does not start one (reads at most
 * up to the first byte that is not a continuation byte, so a NUL ends it). */
size_t sw_utf8_seq(const unsigned char *s, unsigned *cp);

/* True when the code point is one the cleaner replaces. */
int sw_term_unsafe_cp(unsigned cp);

/* Append the cleaned s to b. */
void sw_term_add(struct sw_buf *b, const char *s, unsigned flags);

/* Cleaned copy of s (NULL as ""); with max > 0, at most max code points,
 * ending in "..." when cut (max is raised to 4).  Never NULL. */
char *sw_term_clean(const char *s, unsigned flags, size_t max);

/* Format, clean (flags) and write to f.  Returns what fputs returns. */
int sw_term_printf(FILE *f, unsigned flags, const char *fmt, ...) SW_PRINTF(3, 4);
int sw_term_vprintf(FILE *f, unsigned flags, const char *fmt, va_list ap) SW_PRINTF(3, 0);

#endif
