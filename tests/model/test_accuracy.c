/* Specification of scoring calls against actuals (gapforge/model_accuracy.h). */
#include <check.h>
#include <math.h>

#include "fixture.h"
#include "gapforge/model_accuracy.h"

START_TEST(a_call_is_scored_as_hubspot_does)
{
    gf_model_call_score s;
    gf_model_call_score_of(120.0, 100.0, &s);
    ck_assert_double_eq_tol(s.ratio, 1.2, 1e-12);
    ck_assert_double_eq_tol(s.accuracy, 0.8, 1e-12);
    ck_assert_double_eq_tol(s.error, 20.0, 1e-12);
    ck_assert_double_eq_tol(s.abs_error, 20.0, 1e-12);
    gf_model_call_score_of(350.0, 100.0, &s); /* more than double: accuracy 0, not negative */
    ck_assert_double_eq(s.accuracy, 0.0);
    gf_model_call_score_of(50.0, 0.0, &s); /* nothing won: no ratio, no accuracy */
    ck_assert(isnan(s.ratio) && isnan(s.accuracy));
    ck_assert_double_eq(s.error, 50.0);
}
END_TEST

START_TEST(a_tally_gives_mean_accuracy_bias_and_wape)
{
    gf_model_call_tally t = {0};
    gf_model_call_tally_add(&t, 90.0, 100.0);  /* accuracy 0.9, error -10 */
    gf_model_call_tally_add(&t, 330.0, 300.0); /* accuracy 0.9, error +30 */
    gf_model_call_tally_add(&t, 10.0, 0.0);    /* no accuracy; error +10 */
    ck_assert_uint_eq(t.n, 3);
    ck_assert_double_eq_tol(gf_model_call_tally_accuracy(&t), 0.9, 1e-12);
    ck_assert_double_eq_tol(gf_model_call_tally_bias(&t), 30.0 / 400.0, 1e-12);
    ck_assert_double_eq_tol(gf_model_call_tally_wape(&t), 50.0 / 400.0, 1e-12);
    const gf_model_call_tally empty = {0};
    ck_assert(isnan(gf_model_call_tally_accuracy(&empty)) &&
              isnan(gf_model_call_tally_bias(&empty)));
}
END_TEST

START_TEST(the_model_is_better_from_the_first_week_it_stays_ahead)
{
    const double m[] = {0.5, 0.9, 0.6, 0.8, NAN, 0.95};
    const double c[] = {0.7, 0.8, 0.7, 0.7, 0.9, 0.90};
    ck_assert_int_eq(gf_model_better_from_week(m, c, 6), 3); /* week 4 has no model call */
    const double behind[] = {0.9, 0.9, 0.9, 0.9, 0.9, 0.1};
    ck_assert_int_eq(gf_model_better_from_week(behind, c, 6), -1);
    ck_assert_int_eq(gf_model_better_from_week(m, m, 6), 0); /* a tie counts */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("model_accuracy");
    TCase *tc = tcase_create("accuracy");
    tcase_add_test(tc, a_call_is_scored_as_hubspot_does);
    tcase_add_test(tc, a_tally_gives_mean_accuracy_bias_and_wape);
    tcase_add_test(tc, the_model_is_better_from_the_first_week_it_stays_ahead);
    suite_add_tcase(s, tc);
    return fx_run(s);
}
