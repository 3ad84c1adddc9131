/* Specification of what-if scenarios (gapforge/model_scenario.h). */
#include <check.h>
#include <stdio.h>

#include "gapforge/model_scenario.h"
#include "lever_fixture.h"

START_TEST(a_zero_scenario_has_a_delta_of_exactly_zero)
{
    lf *f = lf_new(500, 11);
    gf_model_lever lv[GF_MODEL_LEVER_KINDS];
    const size_t n = lf_levers(f, lv);
    const uint32_t units[GF_MODEL_LEVER_KINDS] = {0};
    gf_model_scenario sc;
    ck_assert_int_eq(gf_model_scenario_run(&f->ctx, lv, units, n, &sc), 0);
    ck_assert_double_eq(sc.delta.expected, 0.0);
    ck_assert_double_eq(sc.delta.mean, 0.0);
    ck_assert_double_eq(sc.delta.mean_se, 0.0);
    ck_assert_int_eq(sc.delta.p10, 0);
    ck_assert_int_eq(sc.delta.p50, 0);
    ck_assert_int_eq(sc.delta.p90, 0);
    ck_assert_double_eq(sc.delta.prob_hit, 0.0);
    ck_assert_int_eq(sc.cost_cents, 0);
    ck_assert_uint_eq(sc.n, n);
    gf_model_scenario_free(&sc);
    lf_free(f);
}
END_TEST

START_TEST(common_random_numbers_make_the_delta_far_less_noisy_than_independent_runs)
{
    lf *f = lf_new(2000, 12);
    gf_model_lever lv[GF_MODEL_LEVER_KINDS];
    lf_levers(f, lv);
    uint32_t u = 2;
    gf_model_scenario sc;
    ck_assert_int_eq(gf_model_scenario_run(&f->ctx, &lv[GF_MODEL_LEVER_WIN_RATE], &u, 1, &sc), 0);
    /* The same scenario drawn with another seed: the independent-runs standard error. */
    gf_model_lever_work w = {0};
    gf_model_sim_result other;
    f->in.seed = 4242;
    ck_assert_int_eq(
        gf_model_scenario_eval(&f->ctx, &lv[GF_MODEL_LEVER_WIN_RATE], &u, 1, 0, &w, &other, NULL),
        0);
    gf_model_delta indep;
    gf_model_delta_of(&sc.baseline, NULL, &other, NULL, &indep);
    printf("delta %.0f cents: CRN se %.0f, independent se %.0f\n", sc.delta.mean, sc.delta.mean_se,
           indep.mean_se);
    ck_assert(sc.delta.expected > 0.0);
    ck_assert(sc.delta.mean_se < 0.2 * indep.mean_se);
    ck_assert(sc.delta.mean > 0.0);
    ck_assert(sc.delta.p50 > 0);
    gf_model_lever_work_free(&w);
    gf_model_scenario_free(&sc);
    lf_free(f);
}
END_TEST

START_TEST(each_lever_reports_its_own_uplift)
{
    lf *f = lf_new(400, 13);
    gf_model_lever lv[GF_MODEL_LEVER_KINDS];
    const size_t n = lf_levers(f, lv);
    uint32_t units[GF_MODEL_LEVER_KINDS] = {0};
    units[GF_MODEL_LEVER_DEAL_SIZE] = 3;
    units[GF_MODEL_LEVER_PIPELINE] = 2;
    gf_model_scenario sc;
    ck_assert_int_eq(gf_model_scenario_run(&f->ctx, lv, units, n, &sc), 0);
    gf_model_lever_work w = {0};
    for (size_t k = 0; k < n; k++) {
        const gf_model_uplift *up = &sc.uplift[k];
        ck_assert_uint_eq(up->units, units[k]);
        ck_assert_int_eq(up->cost_cents, gf_model_lever_cost(&lv[k], &f->ctx, units[k]));
        ck_assert_int_eq(gf_model_levers_apply(&f->ctx, &lv[k], &units[k], 1, &w), 0);
        ck_assert_double_eq_tol(up->delta.expected,
                                gf_model_sim_expected(&w.in) - sc.baseline.expected, 1e-6);
        if (units[k])
            ck_assert(up->delta.expected > 0.0 && up->delta.expected < sc.delta.expected);
    }
    ck_assert_int_eq(sc.cost_cents, 3 * 1000000 + 2 * 800000);
    gf_model_lever_work_free(&w);
    gf_model_scenario_free(&sc);
    lf_free(f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("model_scenario");
    TCase *tc = tcase_create("scenario");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, a_zero_scenario_has_a_delta_of_exactly_zero);
    tcase_add_test(tc, common_random_numbers_make_the_delta_far_less_noisy_than_independent_runs);
    tcase_add_test(tc, each_lever_reports_its_own_uplift);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    const int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
