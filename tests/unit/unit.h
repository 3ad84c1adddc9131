/* unit.h — the one main every unit suite shares: run the suite, exit non-zero on any failure. */
#ifndef GAPFORGE_TESTS_UNIT_H
#define GAPFORGE_TESTS_UNIT_H

#include <check.h>
#include <stdlib.h>

/* Runs suite with Check's normal output and returns the process exit status. */
static inline int unit_main(Suite *suite)
{
    SRunner *sr = srunner_create(suite);
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
