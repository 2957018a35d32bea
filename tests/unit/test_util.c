/* The shared helpers' error-line rules (hp_util.h): a foreign library's
 * message becomes one line, and a list of problems becomes one error line
 * per problem, each with the prefix naming what it is about. */
#include <check.h>
#include <stdlib.h>

#include "hp_util.h"

START_TEST(test_oneline)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		/* createrepo_c quoting libxml2: the message ends in a newline */
		{ "Parse error at line: 63 (Opening and ending tag mismatch: repomd\n)",
		  "Parse error at line: 63 (Opening and ending tag mismatch: repomd )" },
		{ "one\ntwo\r\n\tthree  four\n\n", "one two three four" },
		{ "  leading and trailing \n", "leading and trailing" },
		{ "already one line", "already one line" },
		{ "\n\n", "" },
		{ "", "" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = hp_oneline(cases[i].in);
		char *buf = hp_xstrdup(cases[i].in);

		ck_assert_str_eq(got, cases[i].want);
		ck_assert_ptr_eq(hp_oneline_inplace(buf), buf);
		ck_assert_str_eq(buf, cases[i].want);
		free(got);
		free(buf);
	}
	ck_assert_ptr_null(hp_oneline(NULL));
	ck_assert_ptr_null(hp_oneline_inplace(NULL));
}
END_TEST

START_TEST(test_error_lines)
{
	struct hp_strbuf err = HP_STRBUF_INIT;

	hp_error_lines(&err, "'f': ", "a\n\nb\nc");
	ck_assert_str_eq(err.buf, "'f': a\n'f': b\n'f': c");
	/* Appends after an existing message, on a line of its own. */
	hp_error_lines(&err, NULL, "d\n");
	ck_assert_str_eq(err.buf, "'f': a\n'f': b\n'f': c\nd");
	hp_strbuf_reset(&err);
	hp_error_lines(&err, "x: ", "");
	hp_error_lines(&err, "x: ", NULL);
	ck_assert_str_eq(err.buf, "");
	hp_strbuf_release(&err);
}
END_TEST

/* hp_error makes each message one printable line, whatever its arguments
 * hold (issue 11): a newline in an echoed path becomes "; ", an escape or
 * other control byte '?'; messages already there keep their own lines. */
START_TEST(test_error_sanitized)
{
	struct hp_strbuf err = HP_STRBUF_INIT;

	hp_error(&err, "cannot open '%s'", "/tmp/a\nhotpatch: error: forged\x1b[2J\r.\t");
	ck_assert_str_eq(err.buf, "cannot open '/tmp/a; hotpatch: error: forged?[2J?.?'");
	hp_error_errno(&err, 2, "bad '%s'", "x\x7fy\n");
	ck_assert_str_eq(err.buf, "cannot open '/tmp/a; hotpatch: error: forged?[2J?.?'\n"
				  "bad 'x?y; ': No such file or directory");
	hp_strbuf_reset(&err);
	hp_strbuf_adds(&err, "kept\nas is\x1b");
	hp_strbuf_sanitize_line(&err, 5);
	ck_assert_str_eq(err.buf, "kept\nas is?");
	hp_strbuf_sanitize_line(&err, 100);
	ck_assert_str_eq(err.buf, "kept\nas is?");
	hp_strbuf_release(&err);
}
END_TEST

Suite *util_suite(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("error lines");

	tcase_add_test(tc, test_oneline);
	tcase_add_test(tc, test_error_lines);
	tcase_add_test(tc, test_error_sanitized);
	suite_add_tcase(s, tc);
	return s;
}
