/* Specification of the not-yet-created deals estimator (gapforge/model_newdeals.h). */
#include <check.h>

#include "fixture.h"
#include "gapforge/model_newdeals.h"

/* In quarter q (starting on qs, ending on qe): `n` deals created at offset 20..29, won before qe,
 * plus decoys that must not count: created before the window, won after the quarter, lost. */
static void quarter_of_deals(fx *f, gf_day qs, gf_day qe, int n, int64_t amount)
{
    for (int k = 0; k < n; k++) {
        const size_t i = fx_deal(f, amount + k, qs + 20 + k, FX_QUALIFY);
        fx_move(f, i, qe - 3, FX_WON);
    }
    size_t d = fx_deal(f, 1, qs + 5, FX_QUALIFY); /* before the window */
    fx_move(f, d, qs + 40, FX_WON);
    d = fx_deal(f, 1, qs + 25, FX_QUALIFY); /* won too late */
    fx_move(f, d, qe + 2, FX_WON);
    d = fx_deal(f, 1, qs + 25, FX_QUALIFY); /* lost */
    fx_move(f, d, qs + 50, FX_LOST);
}

START_TEST(lambda_and_amounts_are_recovered_from_constructed_history)
{
    gf_model_period q[8];
    const gf_model_calendar cal = fx_quarters(2024, 2, q);
    fx *f = fx_new(200);
    const int counts[] = {2, 9, 3, 5, 4, 6}; /* quarters 0..5; the estimator must use 1..4 */
    for (int k = 0; k < 6; k++)
        quarter_of_deals(f, q[k].start, q[k].end, counts[k], 1000 * (k + 1));
    const gf_model_history h = fx_history(f);
    const gf_model_period period = q[5];
    const gf_day as_of = period.start + 20;
    gf_model_newdeals nd = {0};
    ck_assert_int_eq(gf_model_newdeals_fit(&h, &cal, period, as_of, 4, NULL, &nd), 0);
    ck_assert_uint_eq(nd.n_quarters, 4);
    ck_assert_int_eq(nd.fallback, 0);
    ck_assert_double_eq_tol(nd.lambda, (4 + 5 + 3 + 9) / 4.0, 1e-12);
    ck_assert_uint_eq(nd.n_amounts, 21);
    ck_assert_int_eq(nd.quarters[0].quarter.start, q[4].start);
    ck_assert_uint_eq(nd.quarters[0].count, 4);
    ck_assert_int_eq(nd.quarters[0].won_cents, 4 * 5000 + 0 + 1 + 2 + 3);
    ck_assert_int_eq(nd.quarters[0].window_start, q[4].start + 20);
    gf_model_newdeals_free(&nd);
    fx_free(f);
}
END_TEST

START_TEST(a_later_window_offset_counts_fewer_deals)
{
    gf_model_period q[8];
    const gf_model_calendar cal = fx_quarters(2024, 2, q);
    fx *f = fx_new(200);
    for (int k = 0; k < 6; k++)
        quarter_of_deals(f, q[k].start, q[k].end, 4, 1000);
    const gf_model_history h = fx_history(f);
    gf_model_newdeals nd = {0};
    /* At offset 22 the deals created on offsets 20 and 21 are already in the past. */
    ck_assert_int_eq(gf_model_newdeals_fit(&h, &cal, q[5], q[5].start + 22, 4, NULL, &nd), 0);
    ck_assert_double_eq_tol(nd.lambda, 2.0, 1e-12);
    gf_model_newdeals_free(&nd);
    fx_free(f);
}
END_TEST

START_TEST(as_of_before_the_period_replays_the_lead_time_too)
{
    gf_model_period q[8];
    const gf_model_calendar cal = fx_quarters(2024, 2, q);
    fx *f = fx_new(200);
    fx_deal(f, 1, q[0].start, FX_QUALIFY); /* the data begin before every replayed window */
    /* In each quarter k, one deal created 10 days before its start and won inside it. */
    for (int k = 1; k < 7; k++) {
        const size_t i = fx_deal(f, 100, q[k].start - 10, FX_QUALIFY);
        fx_move(f, i, q[k].start + 30, FX_WON);
    }
    const gf_model_history h = fx_history(f);
    gf_model_newdeals nd = {0};
    const gf_model_period period = q[6];
    ck_assert_int_eq(gf_model_newdeals_fit(&h, &cal, period, period.start - 20, 4, NULL, &nd), 0);
    ck_assert_uint_eq(nd.n_quarters, 4);
    ck_assert_double_eq_tol(nd.lambda, 1.0, 1e-12);
    gf_model_newdeals_free(&nd);
    fx_free(f);
}
END_TEST

START_TEST(scope_limits_the_deals_counted)
{
    gf_model_period q[8];
    const gf_model_calendar cal = fx_quarters(2024, 2, q);
    fx *f = fx_new(200);
    for (int k = 0; k < 6; k++)
        quarter_of_deals(f, q[k].start, q[k].end, 4, 1000);
    const gf_model_history h = fx_history(f);
    uint8_t scope[200] = {0};
    for (size_t i = 0; i < f->n; i += 2)
        scope[i] = 1;
    gf_model_newdeals all = {0}, half = {0};
    ck_assert_int_eq(gf_model_newdeals_fit(&h, &cal, q[5], q[5].start + 20, 4, NULL, &all), 0);
    ck_assert_int_eq(gf_model_newdeals_fit(&h, &cal, q[5], q[5].start + 20, 4, scope, &half), 0);
    ck_assert(half.lambda < all.lambda);
    ck_assert(half.lambda > 0.0);
    gf_model_newdeals_free(&all);
    gf_model_newdeals_free(&half);
    fx_free(f);
}
END_TEST

START_TEST(no_complete_earlier_quarter_means_no_new_deals_and_says_so)
{
    gf_model_period q[8];
    const gf_model_calendar cal = fx_quarters(2024, 2, q);
    fx *f = fx_new(10);
    fx_deal(f, 100, q[0].start + 3, FX_QUALIFY);
    const gf_model_history h = fx_history(f);
    gf_model_newdeals nd = {0};
    ck_assert_int_eq(gf_model_newdeals_fit(&h, &cal, q[0], q[0].start + 30, 4, NULL, &nd), 0);
    ck_assert_int_eq(nd.fallback, 1);
    ck_assert_double_eq(nd.lambda, 0.0);
    gf_model_newdeals_free(&nd);
    fx_free(f);
}
END_TEST

/* A young org whose data begins 40 days into q[2]: q[0] and q[1] are not quarters without new
 * deals, and q[2], seen only in part, is used only while no wholly observed quarter exists. */
START_TEST(a_young_org_s_quarters_before_its_data_are_not_empty_quarters)
{
    gf_model_period q[8];
    const gf_model_calendar cal = fx_quarters(2024, 2, q);
    fx *f = fx_new(200);
    const gf_day first = q[2].start + 40;
    for (int k = 2; k < 6; k++) {
        for (int j = 0; j < 6; j++) {
            const gf_day created = q[k].start + 45 + 5 * j;
            const size_t i = fx_deal(f, 1000, created, FX_QUALIFY);
            fx_move(f, i, q[k].end - 2, FX_WON);
        }
    }
    ck_assert_int_eq(
        gf_model_history_first_day(&(gf_model_history){f->deals, f->n, f->stages, 4}, q[7].end),
        first + 5);
    fx_deal(f, 1, first, FX_QUALIFY); /* the first data, never won */
    const gf_model_history h = fx_history(f);
    ck_assert_int_eq(gf_model_history_first_day(&h, q[7].end), first);
    ck_assert_int_eq(gf_model_history_first_day(&h, first), GF_MODEL_NO_DAY);
    gf_model_newdeals nd = {0};
    /* q[5] at offset 20: q[4] and q[3] are wholly observed, q[2] only in part: it is left out. */
    ck_assert_int_eq(gf_model_newdeals_fit(&h, &cal, q[5], q[5].start + 20, 4, NULL, &nd), 0);
    ck_assert_uint_eq(nd.n_quarters, 2);
    ck_assert_double_eq_tol(nd.lambda, 6.0, 1e-12);
    ck_assert_double_eq(nd.quarters[1].exposure, 1.0);
    gf_model_newdeals_free(&nd);
    /* q[3] at offset 20: only q[2], its window observed for 51 of its 71 days, by exposure. */
    ck_assert_int_eq(gf_model_newdeals_fit(&h, &cal, q[3], q[3].start + 20, 4, NULL, &nd), 0);
    ck_assert_uint_eq(nd.n_quarters, 1);
    ck_assert_int_eq(nd.fallback, 0);
    const double exposure = (double)(q[2].end - first + 1) / (double)(q[2].end - q[2].start - 19);
    ck_assert_double_eq_tol(nd.quarters[0].exposure, exposure, 1e-12);
    ck_assert_double_eq_tol(nd.lambda, 6.0 / exposure, 1e-12);
    gf_model_newdeals_free(&nd);
    /* q[2] itself: every earlier quarter ends before the data. */
    ck_assert_int_eq(gf_model_newdeals_fit(&h, &cal, q[2], q[2].start + 60, 4, NULL, &nd), 0);
    ck_assert_int_eq(nd.fallback, 1);
    ck_assert_uint_eq(nd.n_quarters, 0);
    gf_model_newdeals_free(&nd);
    fx_free(f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("model_newdeals");
    TCase *tc = tcase_create("newdeals");
    tcase_add_test(tc, lambda_and_amounts_are_recovered_from_constructed_history);
    tcase_add_test(tc, a_later_window_offset_counts_fewer_deals);
    tcase_add_test(tc, as_of_before_the_period_replays_the_lead_time_too);
    tcase_add_test(tc, scope_limits_the_deals_counted);
    tcase_add_test(tc, no_complete_earlier_quarter_means_no_new_deals_and_says_so);
    tcase_add_test(tc, a_young_org_s_quarters_before_its_data_are_not_empty_quarters);
    suite_add_tcase(s, tc);
    return fx_run(s);
}
