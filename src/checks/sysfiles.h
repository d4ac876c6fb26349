/*
 * sysfiles.h - parsers of the small image files the file checks read
 * (checks/files.c): passwd, shadow and group (passwd.c); apt sources and
 * apt.conf, yum/dnf configuration and repositories, apk repositories
 * (pkgsrc.c).  Input is untrusted and bounded by the caller
 * (inventory/fsfacts.h reads at most SW_FS_CONTENT_MAX bytes); every parser
 * is fuzzed (fuzz/fuzz_checks_passwd.c, fuzz/fuzz_checks_pkgsrc.c) and
 * unit-tested (tests/unit/test_checks_files.c).
 *
 * Ownership: results own their strings; release them with the matching
 * _release function (safe on a zeroed struct).
 */
#ifndef SW_CHECKS_SYSFILES_H
#define SW_CHECKS_SYSFILES_H

#include <stdbool.h>
#include <stddef.h>

#include "util/vec.h"

/* ---- passwd(5), shadow(5), group(5) ---- */

enum sw_acct_kind { SW_ACCT_PASSWD, SW_ACCT_SHADOW, SW_ACCT_GROUP };

struct sw_acct {
	char *name;
	char *pw;            /* the second field as written ("x", "*", "!", "", a hash) */
	long long id;        /* passwd: uid, group: gid; -1 for shadow or when not a number */
	long long gid;       /* passwd: the primary gid (-1 when not a number); else -1 */
	char *shell;         /* passwd: the login shell (seventh field), else NULL */
	char *entry;         /* the whole line as written (no newline) */
	unsigned line;       /* 1-based */
};

struct sw_acct_file {
	struct sw_vec ents;  /* struct sw_acct* in file order */
	size_t bad;          /* lines with too few fields, an empty name, or a bad id */
	unsigned first_bad;  /* line of the first bad one, 0 if none */
	size_t skipped;      /* comments and NIS "+"/"-" lines */
};

/* Parse len bytes.  Returns 0, or -1 when the data is not text (a NUL
 * byte): out then holds nothing.  Empty lines are ignored. */
int sw_acct_parse(enum sw_acct_kind kind, const char *data, size_t len, struct sw_acct_file *out);
void sw_acct_file_release(struct sw_acct_file *f);
/* The first entry named name, or NULL. */
const struct sw_acct *sw_acct_find(const struct sw_acct_file *f, const char *name);

/* ---- package sources: settings that turn package verification off ---- */

enum sw_pkgsrc_kind {
	SW_PKGSRC_NONE = 0,
	SW_PKGSRC_APT_LIST,     /* sources.list, sources.list.d/ *.list: one-line "deb [opts] uri ..." */
	SW_PKGSRC_APT_DEB822,   /* sources.list.d/ *.sources: deb822 stanzas */
	SW_PKGSRC_APT_CONF,     /* apt.conf, apt.conf.d/ *: "A::B "v";", scopes "A { B "v"; };" */
	SW_PKGSRC_YUM,          /* yum.conf, dnf/dnf.conf, yum.repos.d/ *.repo: INI */
	SW_PKGSRC_APK,          /* apk/repositories: one repository per line */
};

/* The kind of an image path (etc/...), SW_PKGSRC_NONE for another. */
enum sw_pkgsrc_kind sw_pkgsrc_kind_of(const char *path);

struct sw_pkgsrc_issue {
	unsigned line;       /* 1-based line where the setting is */
	char *detail;        /* "[trusted=yes] in 'deb [trusted=yes] http://...'" (at most ~160 bytes of input) */
};

struct sw_pkgsrc {
	struct sw_vec issues;  /* struct sw_pkgsrc_issue*: verification turned off */
	size_t entries;        /* sources, stanzas, settings or repositories seen */
	size_t bad;            /* lines that could not be read */
};

/* Parse len bytes of kind.  Returns 0, or -1 when the data is not text (a
 * NUL byte).  Turned off counts as: apt [trusted=yes], allow-insecure,
 * allow-weak, allow-downgrade-to-insecure (one-line options or deb822
 * fields, in an enabled source); apt.conf AllowUnauthenticated,
 * AllowInsecureRepositories, AllowWeakRepositories,
 * AllowDowngradeToInsecureRepositories or a key named Trusted set to a
 * true value; yum/dnf gpgcheck set to a false value in an enabled section.
 * apk repositories cannot turn verification off: their lines are counted
 * only. */
int sw_pkgsrc_parse(enum sw_pkgsrc_kind kind, const char *data, size_t len, struct sw_pkgsrc *out);
void sw_pkgsrc_release(struct sw_pkgsrc *s);

#endif
