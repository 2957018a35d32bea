/* The one EVR comparison (hp_evr.h) on rpm's parser: validation, order,
 * and the "missing release matches any" rule kept in hp_evr_match. */
#include <check.h>

#include "hp_evr.h"

START_TEST(test_evr_valid)
{
	ck_assert(hp_evr_valid("6.1.0-57"));
	ck_assert(hp_evr_valid("1:3.0.11-1.fc39"));
	ck_assert(!hp_evr_valid("6.1.0"));
	ck_assert(!hp_evr_valid("6.1.0-57-amd64"));
	ck_assert(!hp_evr_valid("x:1-1"));
	ck_assert(!hp_evr_valid(":1-1"));
	ck_assert(!hp_evr_valid("-1"));
	ck_assert(!hp_evr_valid("1-"));
	ck_assert(!hp_evr_valid("1 -1"));
	ck_assert(!hp_evr_valid(""));
	ck_assert(!hp_evr_valid(NULL));
}
END_TEST

START_TEST(test_evr_cmp)
{
	ck_assert_int_eq(hp_evr_cmp("0:1.0-1", "1.0-1"), 0);
	ck_assert_int_lt(hp_evr_cmp("1.0-1", "1.0-2"), 0);
	ck_assert_int_gt(hp_evr_cmp("1:0.1-1", "9.0-1"), 0);
	ck_assert_int_lt(hp_evr_cmp("6.1.0-9", "6.1.0-57"), 0);
	ck_assert_int_lt(hp_evr_cmp("1-1", "2-1"), 0);
	ck_assert_int_gt(hp_evr_cmp("10-1", "9-1"), 0);
	ck_assert_int_eq(hp_evr_cmp("6.1.0-57", "0:6.1.0-57"), 0);
	ck_assert_int_gt(hp_evr_cmp("1:1-1", "2-1"), 0);
	/* rpm's tilde (pre-release) and caret (post-release) */
	ck_assert_int_lt(hp_evr_cmp("1.0~rc1-1", "1.0-1"), 0);
	ck_assert_int_gt(hp_evr_cmp("1.0^git1-1", "1.0-1"), 0);
	/* strict: no release sorts before any release of the same E:V */
	ck_assert_int_lt(hp_evr_cmp("3.0.11", "3.0.11-1"), 0);
	ck_assert_int_gt(hp_evr_cmp("3.0.11-1", "3.0.11"), 0);
}
END_TEST

START_TEST(test_evr_match)
{
	ck_assert_int_lt(hp_evr_match("1-1", "2-1"), 0);
	ck_assert_int_gt(hp_evr_match("10-1", "9-1"), 0);
	ck_assert_int_eq(hp_evr_match("6.1.0-57", "0:6.1.0-57"), 0);
	ck_assert_int_gt(hp_evr_match("1:1-1", "2-1"), 0);
	ck_assert_int_lt(hp_evr_match("6.1.0-9", "6.1.0-57"), 0);
	ck_assert_int_eq(hp_evr_match("3.0.11", "3.0.11-1"), 0);   /* no release: any */
	ck_assert_int_eq(hp_evr_match("3.0.11-1", "3.0.11"), 0);
	ck_assert_int_lt(hp_evr_match("3.0.10", "3.0.11-1"), 0);
}
END_TEST

Suite *evr_suite(void)
{
	Suite *s = suite_create("evr");
	TCase *tc = tcase_create("evr");

	tcase_add_test(tc, test_evr_valid);
	tcase_add_test(tc, test_evr_cmp);
	tcase_add_test(tc, test_evr_match);
	suite_add_tcase(s, tc);
	return s;
}
