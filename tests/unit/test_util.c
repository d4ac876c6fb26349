#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/wait.h>

#include "sw_test.h"
#include "util/buf.h"
#include "util/map.h"
#include "util/mem.h"
#include "util/outfile.h"
#include "util/path.h"
#include "util/vec.h"

static void test_buf(void **state)
{
	(void)state;
	struct sw_buf b = SW_BUF_INIT;
	assert_string_equal(b.data, "");
	sw_buf_addf(&b, "%s-%d", "abc", 42);
	sw_buf_addstr(&b, "/x");
	assert_string_equal(b.data, "abc-42/x");
	sw_buf_add_json_escaped(&b, "\"\n\x01");
	assert_string_equal(b.data, "abc-42/x\\\"\\n\\u0001");
	char *s = sw_buf_detach(&b, NULL);
	assert_string_equal(s, "abc-42/x\\\"\\n\\u0001");
	free(s);
	assert_string_equal(b.data, "");

	/* RFC 8259 JSON is UTF-8: valid sequences pass, a lone continuation
	 * byte, a truncated sequence, an overlong form and a surrogate become
	 * U+FFFD escapes */
	sw_buf_add_json_escaped(&b, "\xc3\xa9|\x80|\xe2\x82|\xc0\xaf|\xed\xa0\x80|\xf0\x9f\x98\x80");
	assert_string_equal(b.data, "\xc3\xa9|\\ufffd|\\ufffd\\ufffd|\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd|\xf0\x9f\x98\x80");
	sw_buf_release(&b);

	struct sw_buf small;
	sw_buf_init(&small, 4);
	sw_buf_addstr(&small, "abcd");
	assert_true(sw_buf_ok(&small));
	sw_buf_addstr(&small, "e");
	assert_false(sw_buf_ok(&small));
	assert_null(sw_buf_detach(&small, NULL));
}

static void test_map(void **state)
{
	(void)state;
	struct sw_map m = SW_MAP_INIT;
	char keys[1000][16];
	for (int i = 0; i < 1000; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%d", i);
		assert_null(sw_map_put(&m, keys[i], (void *)(intptr_t)(i + 1)));
	}
	assert_int_equal(m.len, 1000);
	for (int i = 0; i < 1000; i += 2)
		assert_int_equal((intptr_t)sw_map_del(&m, keys[i]), i + 1);
	for (int i = 0; i < 1000; i++)
		assert_int_equal((intptr_t)sw_map_get(&m, keys[i]), i % 2 ? i + 1 : 0);
	assert_int_equal(m.len, 500);
	sw_map_release(&m);
}

static void test_path_clean(void **state)
{
	(void)state;
	struct sw_err err = SW_ERR_INIT;
	char *p = NULL;
	assert_int_equal(sw_path_clean_member("./usr//lib/./x/", &p, &err), 0);
	assert_string_equal(p, "usr/lib/x");
	free(p);
	assert_true(sw_path_clean_member("../etc/passwd", &p, &err) < 0);
	assert_int_equal(err.code, SW_E_UNSAFE);
	assert_true(sw_path_clean_member("a/../../b", &p, &err) < 0);
	assert_true(sw_path_clean_member("/etc/passwd", &p, &err) < 0);
	assert_true(sw_path_clean_member("", &p, &err) < 0);
}

static void test_path_links(void **state)
{
	(void)state;
	char *r = sw_path_resolve_link("etc/os-release", "../usr/lib/os-release");
	assert_string_equal(r, "usr/lib/os-release");
	free(r);
	r = sw_path_resolve_link("a/b/evil", "../../../../../etc/shadow");
	assert_string_equal(r, "etc/shadow");
	free(r);
	r = sw_path_resolve_link("var/lib/rpm", "/usr/lib/sysimage/rpm");
	assert_string_equal(r, "usr/lib/sysimage/rpm");
	free(r);
	assert_true(sw_path_is_under("usr/lib/x", "usr/lib"));
	assert_false(sw_path_is_under("usr/libx", "usr/lib"));
	assert_true(sw_path_glob("**/*.dist-info/METADATA", "usr/lib/python3/dist-packages/idna-3.3.dist-info/METADATA"));
	assert_true(sw_path_glob("**/*.dist-info/METADATA", "a.dist-info/METADATA"));
	assert_false(sw_path_glob("**/*.dist-info/METADATA", "a.dist-info/x/METADATA"));
	assert_true(sw_path_glob("var/lib/dpkg/status.d/*", "var/lib/dpkg/status.d/base"));
	assert_false(sw_path_glob("var/lib/dpkg/status.d/*", "var/lib/dpkg/status.d/a/b"));
	assert_true(sw_path_glob("**/node_modules/**/package.json", "app/node_modules/@s/x/package.json"));
	assert_true(sw_path_glob("**/*.jar", "opt/app/lib/x.jar"));
}

/* Many '**' used to backtrack exponentially (5 of them against 200 bytes
 * ran for minutes); the matcher is now linear in the path for a given
 * pattern.  alarm() turns a regression into a failure, not a hang. */
static void test_path_glob_many_stars(void **state)
{
	(void)state;
	struct sw_buf p = SW_BUF_INIT;
	for (int i = 0; i < 40; i++)
		sw_buf_addstr(&p, "a**");
	sw_buf_addstr(&p, "b");
	char s[4001];
	memset(s, 'a', 4000);
	s[4000] = '\0';
	alarm(20);
	assert_false(sw_path_glob(p.data, s));
	s[3999] = 'b';
	assert_true(sw_path_glob(p.data, s));
	for (int i = 5; i < 3990; i += 10)
		s[i] = '/';
	assert_true(sw_path_glob(p.data, s));
	alarm(0);
	sw_buf_release(&p);
	/* the same semantics as before (cases from the old matcher) */
	assert_true(sw_path_glob("**/", ""));
	assert_false(sw_path_glob("**/", "a"));
	assert_true(sw_path_glob("**/", "a/b/"));
	assert_false(sw_path_glob("a**/", "aa/babab"));
	assert_true(sw_path_glob("a/**/b", "a/b"));
	assert_true(sw_path_glob("a/**/b", "a/x/y/b"));
	assert_false(sw_path_glob("a/*/b", "a/x/y/b"));
	assert_true(sw_path_glob("a/**b", "a/x/yb"));
	assert_false(sw_path_glob("?", "/"));
	assert_true(sw_path_glob("***", "a/b"));
	assert_true(sw_path_glob("", ""));
	assert_false(sw_path_glob("", "a"));
	/* a pattern longer than the on-stack state sets */
	struct sw_buf lp = SW_BUF_INIT, ls = SW_BUF_INIT;
	for (int i = 0; i < 100; i++) {
		sw_buf_addstr(&lp, "d*/");
		sw_buf_addstr(&ls, "dx/");
	}
	sw_buf_addstr(&lp, "**");
	sw_buf_addstr(&ls, "tail");
	assert_true(sw_path_glob(lp.data, ls.data));
	assert_false(sw_path_glob(lp.data, "dx/dx"));
	sw_buf_release(&lp);
	sw_buf_release(&ls);
}

static void test_outfile(void **state)
{
	(void)state;
	char *dir = sw_test_tmpdir();
	char *path = sw_xasprintf("%s/out.json", dir);
	struct sw_err err = SW_ERR_INIT;
	struct sw_outfile o;
	assert_int_equal(sw_outfile_open(&o, path, &err), 0);
	fputs("partial", o.fp);
	sw_outfile_abort(&o);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(sw_outfile_open(&o, path, &err), 0);
	fputs("{}\n", o.fp);
	assert_int_equal(sw_outfile_commit(&o, &err), 0);
	assert_int_equal(access(path, F_OK), 0);
	/* a device is written in place, never renamed over (it stays a device):
	 * /dev/full takes nothing, so the write error is reported */
	struct stat st;
	assert_int_equal(sw_outfile_open(&o, "/dev/full", &err), 0);
	assert_null(o.tmp_path);
	fputs("{}\n", o.fp);
	assert_true(sw_outfile_commit(&o, &err) < 0);
	assert_non_null(strstr(err.msg, "cannot write '/dev/full'"));
	assert_int_equal(stat("/dev/full", &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(sw_outfile_open(&o, "/dev/full", &err), 0);
	sw_outfile_abort(&o);
	assert_int_equal(stat("/dev/full", &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	/* so is a FIFO: the reader gets the bytes */
	char *fifo = sw_xasprintf("%s/fifo", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	char *cmd = sw_xasprintf("cat '%s' > '%s/from-fifo' &", fifo, dir);
	assert_int_equal(sw_test_sh(cmd), 0);
	free(cmd);
	assert_int_equal(sw_outfile_open(&o, fifo, &err), 0);
	fputs("via fifo\n", o.fp);
	assert_int_equal(sw_outfile_commit(&o, &err), 0);
	assert_int_equal(stat(fifo, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	cmd = sw_xasprintf("wait; n=0; while [ \"$(cat '%s/from-fifo' 2>/dev/null)\" != 'via fifo' ]; do"
			   " n=$((n+1)); [ $n -gt 100 ] && exit 1; sleep 0.05; done", dir);
	assert_int_equal(sw_test_sh(cmd), 0);
	free(cmd);
	free(fifo);
	cmd = sw_xasprintf("rm -rf '%s'", dir);
	assert_int_equal(sw_test_sh(cmd), 0);
	free(cmd);
	free(path);
	free(dir);
}

static void write_out(const char *path, const char *text)
{
	struct sw_err err = SW_ERR_INIT;
	struct sw_outfile o;
	assert_int_equal(sw_outfile_open(&o, path, &err), 0);
	fputs(text, o.fp);
	assert_int_equal(sw_outfile_commit(&o, &err), 0);
}

/* modes as `>FILE` gives them: a new file 0666 & ~umask, a replaced file
 * keeps its mode (it used to be 0644 whatever the umask, and replacing a
 * 0600 file made it 0644) */
static void test_outfile_modes(void **state)
{
	(void)state;
	char *dir = sw_test_tmpdir();
	char *path = sw_xasprintf("%s/out.json", dir);
	struct stat st;
	static const mode_t masks[] = { 022, 077, 002, 0 };
	mode_t old = umask(022);
	for (size_t i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
		umask(masks[i]);
		unlink(path);
		write_out(path, "{}\n");
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0666 & ~masks[i]);
	}
	umask(022);
	static const mode_t kept[] = { 0600, 0640, 0604, 0660, 0444 };
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
		unlink(path);
		write_out(path, "old\n");
		assert_int_equal(chmod(path, kept[i]), 0);
		write_out(path, "new\n");
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 07777, kept[i]);
		FILE *f = fopen(path, "r");
		char line[8] = "";
		assert_non_null(f);
		assert_non_null(fgets(line, sizeof(line), f));
		fclose(f);
		assert_string_equal(line, "new\n");
	}
	umask(old);
	/* no temporary file left beside it */
	char *cmd = sw_xasprintf("[ \"$(ls '%s')\" = out.json ]", dir);
	assert_int_equal(sw_test_sh(cmd), 0);
	free(cmd);
	cmd = sw_xasprintf("rm -rf '%s'", dir);
	sw_test_sh(cmd);
	free(cmd);
	free(path);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf),
		cmocka_unit_test(test_map),
		cmocka_unit_test(test_path_clean),
		cmocka_unit_test(test_path_links),
		cmocka_unit_test(test_path_glob_many_stars),
		cmocka_unit_test(test_outfile),
		cmocka_unit_test(test_outfile_modes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
