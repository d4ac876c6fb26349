/*
 * test_cvss.c - CVSS parsing, formatting and scores.
 *
 * Hand-written cases that need no shared data; test_cvss_lists.c checks
 * the shared vector lists.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>

#include "sw_test.h"
#include "util/buf.h"
#include "util/mem.h"
#include "vulndb/cvss.h"

static long tenths(double x)
{
	return lround(x * 10.0);
}

/* Parses v, checks the version, the whole-vector score and the base score
 * (to one decimal), and that formatting gives v back. */
static void check(const char *v, int version, double score, double base)
{
	struct sw_cvss c;
	struct sw_err err = SW_ERR_INIT;
	if (sw_cvss_parse(v, &c, &err) != 0)
		fail_msg("%s: %s", v, err.msg);
	assert_int_equal(c.version, version);
	if (tenths(sw_cvss_vector_score(&c)) != tenths(score))
		fail_msg("%s: score %.1f, expected %.1f", v, sw_cvss_vector_score(&c), score);
	if (tenths(sw_cvss_base_score(&c)) != tenths(base))
		fail_msg("%s: base score %.1f, expected %.1f", v, sw_cvss_base_score(&c), base);
	char buf[SW_CVSS_VECTOR_MAX];
	assert_int_equal(sw_cvss_format(&c, buf, sizeof(buf)), (int)strlen(v));
	assert_string_equal(buf, v);
}

static void test_known_scores(void **state)
{
	(void)state;
	/* v3.1 specification examples / NVD. */
	check("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", SW_CVSS_V31, 9.8, 9.8);
	check("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", SW_CVSS_V31, 10.0, 10.0);
	check("CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N", SW_CVSS_V31, 3.1, 3.1);
	/* 3.1 Roundup: 1.08 * (6.05 + 3.89) = 10.74 is capped at 10. */
	check("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", SW_CVSS_V31, 9.9, 9.9);
	check("CVSS:3.0/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", SW_CVSS_V30, 7.8, 7.8);
	/* Temporal: 3.8 * 0.97 = 3.686 -> 3.7. */
	check("CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:N/E:F/RL:X", SW_CVSS_V31, 3.7, 3.8);
	/* Environmental only: modified scope changes the equation. */
	check("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/MS:C", SW_CVSS_V31, 10.0, 9.8);
	check("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/MAV:P/MC:N/MI:N/MA:N", SW_CVSS_V31, 0.0, 9.8);
	check("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", SW_CVSS_V31, 0.0, 0.0);

	/* v2 (NVD): base, temporal, environmental. */
	check("AV:N/AC:L/Au:N/C:C/I:C/A:C", SW_CVSS_V2, 10.0, 10.0);
	check("AV:N/AC:L/Au:N/C:P/I:P/A:P", SW_CVSS_V2, 7.5, 7.5);
	check("AV:N/AC:M/Au:N/C:N/I:P/A:N", SW_CVSS_V2, 4.3, 4.3);
	check("AV:N/AC:L/Au:N/C:N/I:N/A:C/E:F/RL:OF/RC:C", SW_CVSS_V2, 6.4, 7.8);
	check("AV:N/AC:L/Au:N/C:N/I:N/A:C/E:F/RL:OF/RC:C/CDP:H/TD:H/CR:M/IR:M/AR:H", SW_CVSS_V2, 9.2, 7.8);

	/* v4.0: the specification's examples section. */
	check("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", SW_CVSS_V40, 9.3, 9.3);
	check("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H", SW_CVSS_V40, 10.0, 10.0);
	check("CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", SW_CVSS_V40, 8.5, 8.5);
	/* Threat metric: E:U lowers 7.7 (CVSS-B) to 5.2 (CVSS-BT). */
	check("CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U", SW_CVSS_V40, 5.2, 7.7);
	/* Environmental: MSI:S (safety) raises 8.6 to 9.7. */
	check("CVSS:4.0/AV:A/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:N/SC:N/SI:N/SA:N/MSI:S/S:P", SW_CVSS_V40, 9.7, 8.6);
	check("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N", SW_CVSS_V40, 0.0, 0.0);
	/* All modified impacts N: no impact, score 0. */
	check("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/MVC:N/MVI:N/MVA:N",
	      SW_CVSS_V40, 0.0, 9.3);
	/* Supplemental metrics do not change the score. */
	check("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/S:P/AU:Y/R:A/V:D/RE:L/U:Red",
	      SW_CVSS_V40, 9.3, 9.3);
}

static void test_convenience(void **state)
{
	(void)state;
	double s = -5;
	int v = 0;
	struct sw_err err = SW_ERR_INIT;
	assert_int_equal(sw_cvss_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", &s, &v, &err), 0);
	assert_int_equal(v, SW_CVSS_V31);
	assert_int_equal(tenths(s), 98);
	assert_int_equal(err.code, SW_OK);
	assert_int_equal(sw_cvss_score("(AV:N/AC:L/Au:N/C:P/I:P/A:P)", &s, &v, &err), 0);
	assert_int_equal(v, SW_CVSS_V2);
	assert_int_equal(tenths(s), 75);
	assert_int_equal(sw_cvss_score("CVSS:4.0/AV:N", NULL, NULL, NULL), -SW_E_FORMAT);
	assert_int_equal(sw_cvss_score("CVSS:9.9/AV:N", &s, &v, &err), -SW_E_UNSUPPORTED);
	assert_non_null(strstr(err.msg, "unsupported version '9.9'"));
	/* Unchanged on failure. */
	assert_int_equal(tenths(s), 75);

	struct sw_cvss c;
	assert_int_equal(sw_cvss_parse_ex("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 3, 0, &c, &err), 0);
	assert_int_equal(c.version, SW_CVSS_V30);
	assert_int_equal(sw_cvss_parse_ex("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 4, 0, &c, &err),
			 -SW_E_FORMAT);
	assert_non_null(strstr(err.msg, "version 3.1, expected 4.x"));
	assert_int_equal(sw_cvss_parse_ex("AV:N/AC:L/Au:N/C:P/I:P/A:P", 2, 0, &c, &err), 0);
	assert_int_equal(sw_cvss_parse_ex("AV:N/AC:L/Au:N/C:P/I:P/A:P", 3, 0, &c, &err), -SW_E_FORMAT);

	/* Canonical order on output (v3 accepts any order). */
	char buf[SW_CVSS_VECTOR_MAX];
	assert_int_equal(sw_cvss_parse("CVSS:3.1/A:H/I:H/C:H/S:U/UI:N/PR:N/AC:L/AV:N/E:P", &c, &err), 0);
	sw_cvss_format(&c, buf, sizeof(buf));
	assert_string_equal(buf, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P");
	/* Truncated output: snprintf semantics. */
	char small[10];
	assert_int_equal(sw_cvss_format(&c, small, sizeof(small)), (int)strlen(buf));
	assert_string_equal(small, "CVSS:3.1/");
	assert_int_equal(sw_cvss_format(&c, small, 0), (int)strlen(buf));
	/* A struct that was never parsed is refused. */
	struct sw_cvss bogus;
	memset(&bogus, 0, sizeof(bogus));
	bogus.version = SW_CVSS_V31;
	assert_int_equal(sw_cvss_format(&bogus, buf, sizeof(buf)), -1);
	assert_true(sw_cvss_base_score(&bogus) < 0);
	bogus.version = (enum sw_cvss_version)7;
	assert_true(sw_cvss_vector_score(&bogus) < 0);
	assert_true(sw_cvss_vector_score(NULL) < 0);
}

static void expect_error(const char *v, const char *msg_part)
{
	struct sw_cvss c;
	memset(&c, 0xab, sizeof(c));
	struct sw_err err = SW_ERR_INIT;
	if (sw_cvss_parse(v, &c, &err) == 0)
		fail_msg("accepted bad vector '%s'", v ? v : "(null)");
	assert_true(err.code == SW_E_FORMAT || err.code == SW_E_UNSUPPORTED);
	if (msg_part && !strstr(err.msg, msg_part))
		fail_msg("'%s': message '%s' lacks '%s'", v, err.msg, msg_part);
	assert_null(strchr(err.msg, '\n'));
	/* out untouched */
	assert_int_equal(c.m[0], 0xab);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error(NULL, "missing");
	expect_error("", "empty");
	expect_error("CVSS:3.1/", "no metrics");
	expect_error("CVSS:3.1", "no metrics");
	expect_error("CVSS:2.0/AV:N/AC:L/Au:N/C:C/I:C/A:C", "no 'CVSS:2.0/' prefix");
	expect_error("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H", "missing metric 'A'");
	expect_error("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/", "empty metric");
	expect_error("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E", "has no value");
	expect_error("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:X", "unknown metric 'ZZ'");
	expect_error("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:h", "invalid value 'h' for metric 'A'");
	expect_error("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "invalid value 'X'");
	expect_error("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/AV:N", "given twice");
	expect_error("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/RL:O:X", "invalid value");
	/* v2 rules: fixed order, groups complete, no X. */
	expect_error("AV:N/AC:L/Au:N/A:C/I:C/C:C", "out of order");
	expect_error("AV:N/AC:L/Au:N/C:C/I:C/A:C/E:F", "incomplete temporal metrics, missing 'RL'");
	expect_error("AV:N/AC:L/Au:N/C:C/I:C/A:C/CDP:H", "incomplete environmental metrics");
	expect_error("AV:N/AC:L/Au:N/C:C/I:C/A:X", "invalid value");
	expect_error("(AV:N/AC:L/Au:N/C:C/I:C/A:C", "parenthesis");
	expect_error("()", "no metrics");
	/* v4 rules: fixed order. */
	expect_error("CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:N/VC:L/VI:L/VA:N/SC:N/SI:N/E:A/SA:N", "out of order");
	expect_error("CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:N/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N/U:red", "invalid value");
	expect_error("CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:N/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N/MSC:S", "invalid value");
	/* Control bytes are not echoed. */
	expect_error("CVSS:3.1/AV:N\n/AC:L", "'N?'");
	/* Too long. */
	char *longv = sw_xmalloc(SW_CVSS_VECTOR_MAX + 10);
	memset(longv, 'A', SW_CVSS_VECTOR_MAX + 9);
	longv[SW_CVSS_VECTOR_MAX + 9] = '\0';
	expect_error(longv, "longer than");
	free(longv);
}

static void test_any_order(void **state)
{
	(void)state;
	/* A GHSA-style v4 vector with the impacts interleaved. */
	const char *v = "CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/SC:N/VI:H/SI:N/VA:H/SA:N";
	struct sw_cvss c;
	struct sw_err err = SW_ERR_INIT;
	char buf[SW_CVSS_VECTOR_MAX];
	assert_int_equal(sw_cvss_parse(v, &c, &err), -SW_E_FORMAT);
	assert_non_null(strstr(err.msg, "out of order"));
	assert_int_equal(sw_cvss_parse_ex(v, 4, SW_CVSS_ANY_ORDER, &c, &err), 0);
	sw_cvss_format(&c, buf, sizeof(buf));
	assert_string_equal(buf, "CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N");
	assert_int_equal(tenths(sw_cvss_vector_score(&c)), 87);
	/* Still strict about everything else. */
	assert_int_equal(sw_cvss_parse_ex("CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/SC:N/VI:H/SI:N/VA:H/SA:N/AV:N",
					  0, SW_CVSS_ANY_ORDER, &c, &err), -SW_E_FORMAT);
	assert_non_null(strstr(err.msg, "given twice"));
	assert_int_equal(sw_cvss_parse_ex("CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/SC:N/VI:H/SI:N/VA:H", 0,
					  SW_CVSS_ANY_ORDER, &c, &err), -SW_E_FORMAT);
	assert_non_null(strstr(err.msg, "missing metric 'SA'"));
	assert_int_equal(sw_cvss_parse_ex("AV:N/AC:L/Au:N/A:C/I:C/C:C", 2, SW_CVSS_ANY_ORDER, &c, &err), 0);
	sw_cvss_format(&c, buf, sizeof(buf));
	assert_string_equal(buf, "AV:N/AC:L/Au:N/C:C/I:C/A:C");
	assert_int_equal(sw_cvss_parse_ex("AV:N/AC:L/Au:N/C:C/I:C/A:C/RL:OF/E:F", 0, SW_CVSS_ANY_ORDER, &c, &err),
			 -SW_E_FORMAT);
	assert_non_null(strstr(err.msg, "missing 'RC'"));
}

static void test_rating(void **state)
{
	(void)state;
	assert_string_equal(sw_cvss_rating(0.0), "none");
	assert_string_equal(sw_cvss_rating(0.1), "low");
	assert_string_equal(sw_cvss_rating(3.9), "low");
	assert_string_equal(sw_cvss_rating(4.0), "medium");
	assert_string_equal(sw_cvss_rating(6.9), "medium");
	assert_string_equal(sw_cvss_rating(7.0), "high");
	assert_string_equal(sw_cvss_rating(8.9), "high");
	assert_string_equal(sw_cvss_rating(9.0), "critical");
	assert_string_equal(sw_cvss_rating(10.0), "critical");
	assert_string_equal(sw_cvss_rating(-1), "unknown");
	assert_string_equal(sw_cvss_rating(NAN), "unknown");
	assert_string_equal(sw_cvss_rating(10.5), "unknown");
	assert_string_equal(sw_cvss2_rating(0.0), "low");
	assert_string_equal(sw_cvss2_rating(3.9), "low");
	assert_string_equal(sw_cvss2_rating(4.0), "medium");
	assert_string_equal(sw_cvss2_rating(6.9), "medium");
	assert_string_equal(sw_cvss2_rating(7.0), "high");
	assert_string_equal(sw_cvss2_rating(10.0), "high");
	assert_string_equal(sw_cvss2_rating(-1), "unknown");
	assert_string_equal(sw_cvss_rating_for(SW_CVSS_V2, 9.5), "high");
	assert_string_equal(sw_cvss_rating_for(SW_CVSS_V40, 9.5), "critical");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_scores),
		cmocka_unit_test(test_convenience),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_any_order),
		cmocka_unit_test(test_rating),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
