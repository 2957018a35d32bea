/* One runner for every module's Check suite (as librepo's tests/test_main.c).
 * CK_RUN_SUITE=NAME / CK_RUN_CASE=NAME select a part, as Check documents. */
#include <stdlib.h>
#include "suites.h"

int main(void)
{
	SRunner *sr = srunner_create(NULL);
	int failed;

	for (size_t i = 0; hp_suites[i]; i++)
		srunner_add_suite(sr, hp_suites[i]());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
