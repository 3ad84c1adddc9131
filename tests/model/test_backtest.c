/* Specification of the backtest's scores and baselines (gapforge/model_backtest.h), on points
 * and a tiny history whose figures are computed by hand. */
#include <check.h>
#include <math.h>

#include "fixture.h"
#include "gapforge/model_backtest.h"

#define D 20000 /* day 0 of the fixture's calendar */

/* Three points: inside the band above P50 with a target hit, below P10 with a target missed,
 * above P90 without a target. */
static const gf_model_bt_point points[] = {
    {.p10 = 80, .p50 = 100, .p90 = 120, .actual = 110, .has_target = 1, .prob_hit = 0.6, .hit = 1},
    {.p10 = 50, .p50 = 70, .p90 = 90, .actual = 40, .has_target = 1, .prob_hit = 0.7, .hit = 0},
    {.p10 = 200, .p50 = 250, .p90 = 300, .actual = 350},
};

START_TEST(wape_and_bias_weigh_the_p50_errors_by_the_actuals)
{
    gf_model_bt_score s;
    ck_assert_int_eq(gf_model_bt_score_model(points, 3, &s), 0);
    ck_assert_uint_eq(s.n, 3);
    /* |errors| 10 + 30 + 100 = 140 over actuals 500; signed -10 + 30 - 100 = -80. */
    ck_assert_double_eq_tol(s.wape, 140.0 / 500.0, 1e-12);
    ck_assert_double_eq_tol(s.bias, -80.0 / 500.0, 1e-12);
}
END_TEST

START_TEST(coverage_counts_actuals_strictly_outside_each_quantile)
{
    gf_model_bt_score s;
    ck_assert_int_eq(gf_model_bt_score_model(points, 3, &s), 0);
    ck_assert_double_eq_tol(s.below_p10, 1.0 / 3.0, 1e-12);
    ck_assert_double_eq_tol(s.below_p50, 1.0 / 3.0, 1e-12);
    ck_assert_double_eq_tol(s.above_p90, 1.0 / 3.0, 1e-12);
    /* On a quantile is not beyond it. */
    const gf_model_bt_point edge = {.p10 = 5, .p50 = 5, .p90 = 5, .actual = 5};
    ck_assert_int_eq(gf_model_bt_score_model(&edge, 1, &s), 0);
    ck_assert_double_eq(s.below_p10, 0.0);
    ck_assert_double_eq(s.below_p50, 0.0);
    ck_assert_double_eq(s.above_p90, 0.0);
}
END_TEST

START_TEST(pinball_loss_is_the_mean_quantile_loss_over_the_mean_actual)
{
    gf_model_bt_score s;
    ck_assert_int_eq(gf_model_bt_score_model(points, 3, &s), 0);
    /* Point 1: 0.1 x 30 + 0.5 x 10 + 0.1 x 10 = 9; point 2: 0.9 x 10 + 0.5 x 30 + 0.1 x 50 = 29;
     * point 3: 0.1 x 150 + 0.5 x 100 + 0.9 x 50 = 110. Mean over 9 terms, over the mean 500/3. */
    ck_assert_double_eq_tol(s.pinball, (148.0 / 9.0) / (500.0 / 3.0), 1e-12);
    /* A perfect forecast loses nothing. */
    const gf_model_bt_point exact = {.p10 = 7, .p50 = 7, .p90 = 7, .actual = 7};
    ck_assert_int_eq(gf_model_bt_score_model(&exact, 1, &s), 0);
    ck_assert_double_eq(s.pinball, 0.0);
}
END_TEST

START_TEST(brier_scores_prob_hit_over_the_points_with_a_target)
{
    gf_model_bt_score s;
    ck_assert_int_eq(gf_model_bt_score_model(points, 3, &s), 0);
    ck_assert_uint_eq(s.n_brier, 2);
    ck_assert_double_eq_tol(s.brier, (0.16 + 0.49) / 2.0, 1e-12);
    ck_assert_int_eq(gf_model_bt_score_model(points + 2, 1, &s), 0);
    ck_assert_uint_eq(s.n_brier, 0);
    ck_assert(isnan(s.brier));
}
END_TEST

START_TEST(no_points_or_no_actuals_give_no_figure_rather_than_infinity)
{
    gf_model_bt_score s;
    ck_assert_int_eq(gf_model_bt_score_model(NULL, 0, &s), 0);
    ck_assert_uint_eq(s.n, 0);
    ck_assert(isnan(s.wape) && isnan(s.bias) && isnan(s.below_p10) && isnan(s.pinball));
    const gf_model_bt_point zero = {.p10 = 0, .p50 = 10, .p90 = 20, .actual = 0};
    ck_assert_int_eq(gf_model_bt_score_model(&zero, 1, &s), 0);
    ck_assert(isnan(s.wape) && isnan(s.bias) && isnan(s.pinball));
    ck_assert_double_eq(s.below_p50, 1.0);
    ck_assert_int_eq(gf_model_bt_score_model(NULL, 1, &s), GF_MODEL_EINVAL);
}
END_TEST

START_TEST(a_point_forecast_is_scored_where_it_exists)
{
    const double forecast[] = {120, NAN, 300}, actual[] = {110, 40, 350};
    gf_model_bt_error e;
    ck_assert_int_eq(gf_model_bt_score_point(forecast, actual, 3, &e), 0);
    ck_assert_uint_eq(e.n, 2);
    ck_assert_double_eq_tol(e.wape, 60.0 / 460.0, 1e-12);
    ck_assert_double_eq_tol(e.bias, -40.0 / 460.0, 1e-12);
    const double none[] = {NAN, NAN};
    ck_assert_int_eq(gf_model_bt_score_point(none, actual, 2, &e), 0);
    ck_assert_uint_eq(e.n, 0);
    ck_assert(isnan(e.wape) && isnan(e.bias));
}
END_TEST

/* Two quarters of history before the period [D+180, D+269] and deals around as_of D+200:
 *   A 1,000 won D+50 and B 2,000 won D+150 (the run rate's window, from A's creation on D+10);
 *   C 500 won D+185 (booked at as_of); E 1,000 open in propose closing D+250 (x 0.6);
 *   F open closing after the period (out); G 500 in qualify, overdue on D+185 (x 0.2);
 *   H 700 in qualify closing D+240, won D+205 after as_of (x 0.2, and in the actual);
 *   I 300 created D+205 and won D+230 (only in the actual); J lost before as_of (out);
 *   K 9,999 won D+186 by another owner (out of the scope mask). */
typedef struct tiny {
    fx *f;
    gf_model_history h;
    gf_model_period quarters[3];
    gf_model_calendar cal;
    uint8_t mask[16];
} tiny;

static void tiny_make(tiny *t)
{
    fx *f = fx_new(16);
    size_t a = fx_deal(f, 100000, D + 10, FX_QUALIFY);
    fx_move(f, a, D + 50, FX_WON);
    size_t b = fx_deal(f, 200000, D + 100, FX_PROPOSE);
    fx_move(f, b, D + 150, FX_WON);
    size_t c = fx_deal(f, 50000, D + 170, FX_PROPOSE);
    fx_move(f, c, D + 185, FX_WON);
    size_t e = fx_deal(f, 100000, D + 175, FX_PROPOSE);
    fx_close_date(f, e, D + 175, D + 250);
    size_t ff = fx_deal(f, 400000, D + 176, FX_QUALIFY);
    fx_close_date(f, ff, D + 176, D + 300);
    size_t g = fx_deal(f, 50000, D + 177, FX_QUALIFY);
    fx_close_date(f, g, D + 177, D + 185);
    size_t hh = fx_deal(f, 70000, D + 178, FX_QUALIFY);
    fx_close_date(f, hh, D + 178, D + 240);
    fx_move(f, hh, D + 205, FX_WON);
    size_t i = fx_deal(f, 30000, D + 205, FX_PROPOSE);
    fx_move(f, i, D + 230, FX_WON);
    size_t j = fx_deal(f, 80000, D + 160, FX_PROPOSE);
    fx_close_date(f, j, D + 160, D + 200);
    fx_move(f, j, D + 190, FX_LOST);
    size_t k = fx_deal(f, 999900, D + 120, FX_PROPOSE);
    fx_move(f, k, D + 186, FX_WON);
    t->f = f;
    t->h = fx_history(f);
    t->quarters[0] = (gf_model_period){D, D + 89};
    t->quarters[1] = (gf_model_period){D + 90, D + 179};
    t->quarters[2] = (gf_model_period){D + 180, D + 269};
    t->cal = (gf_model_calendar){t->quarters, 3};
    for (size_t x = 0; x < f->n; x++)
        t->mask[x] = x != k;
}

START_TEST(the_actual_is_what_was_won_in_the_period_as_known_after_it)
{
    tiny t;
    tiny_make(&t);
    ck_assert_int_eq(gf_model_bt_actual(&t.h, t.mask, t.quarters[2], D + 270),
                     50000 + 70000 + 30000);
    ck_assert_int_eq(gf_model_bt_actual(&t.h, NULL, t.quarters[2], D + 270),
                     50000 + 70000 + 30000 + 999900);
    /* A deal won in the period and reopened before it is known does not count. */
    fx_move(t.f, 2, D + 260, FX_PROPOSE);
    ck_assert_int_eq(gf_model_bt_actual(&t.h, t.mask, t.quarters[2], D + 270), 70000 + 30000);
    fx_free(t.f);
}
END_TEST

START_TEST(weighted_pipeline_is_booked_plus_open_deals_closing_in_the_period_times_stage_prob)
{
    tiny t;
    tiny_make(&t);
    gf_model_bt_baselines b;
    ck_assert_int_eq(gf_model_bt_baselines_at(&t.h, &t.cal, t.quarters[2], D + 200, t.mask, 4, &b),
                     0);
    ck_assert_int_eq(b.booked_cents, 50000);
    ck_assert_double_eq_tol(b.weighted_pipeline_cents,
                            50000 + 0.6 * 100000 + 0.2 * 50000 + 0.2 * 70000, 1e-6);
    /* Without the mask K is booked too. */
    ck_assert_int_eq(gf_model_bt_baselines_at(&t.h, &t.cal, t.quarters[2], D + 200, NULL, 4, &b),
                     0);
    ck_assert_int_eq(b.booked_cents, 50000 + 999900);
    fx_free(t.f);
}
END_TEST

START_TEST(run_rate_extends_the_trailing_daily_rate_over_the_days_left)
{
    tiny t;
    tiny_make(&t);
    gf_model_bt_baselines b;
    ck_assert_int_eq(gf_model_bt_baselines_at(&t.h, &t.cal, t.quarters[2], D + 200, t.mask, 4, &b),
                     0);
    /* Only two quarters precede the period, and the data starts on D+10: 170 days, 3,000 won. */
    ck_assert(b.has_run_rate);
    ck_assert_int_eq(b.rate_from, D + 10);
    ck_assert_int_eq(b.rate_to, D + 179);
    ck_assert_int_eq(b.rate_won_cents, 300000);
    ck_assert_int_eq(b.remaining_days, 70);
    ck_assert_double_eq_tol(b.run_rate_cents, 50000 + 300000.0 / 170.0 * 70.0, 1e-6);
    /* At the period's first day nothing is booked and the whole quarter is left. */
    ck_assert_int_eq(gf_model_bt_baselines_at(&t.h, &t.cal, t.quarters[2], D + 180, t.mask, 4, &b),
                     0);
    ck_assert_int_eq(b.booked_cents, 0);
    ck_assert_int_eq(b.remaining_days, 90);
    ck_assert_double_eq_tol(b.run_rate_cents, 300000.0 / 170.0 * 90.0, 1e-6);
    /* One trailing quarter: only B's 2,000 over its 90 days. */
    ck_assert_int_eq(gf_model_bt_baselines_at(&t.h, &t.cal, t.quarters[2], D + 200, t.mask, 1, &b),
                     0);
    ck_assert_int_eq(b.rate_from, D + 90);
    ck_assert_double_eq_tol(b.run_rate_cents, 50000 + 200000.0 / 90.0 * 70.0, 1e-6);
    fx_free(t.f);
}
END_TEST

START_TEST(no_run_rate_without_a_day_of_data_before_the_period)
{
    tiny t;
    tiny_make(&t);
    gf_model_bt_baselines b;
    /* The first quarter has nothing before it. */
    ck_assert_int_eq(gf_model_bt_baselines_at(&t.h, &t.cal, t.quarters[0], D + 30, t.mask, 4, &b),
                     0);
    ck_assert(!b.has_run_rate);
    ck_assert_int_eq(gf_model_bt_baselines_at(&t.h, &t.cal, t.quarters[0], D + 30, t.mask, 0, &b),
                     GF_MODEL_EINVAL);
    fx_free(t.f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("model_backtest");
    TCase *scores = tcase_create("scores");
    tcase_add_test(scores, wape_and_bias_weigh_the_p50_errors_by_the_actuals);
    tcase_add_test(scores, coverage_counts_actuals_strictly_outside_each_quantile);
    tcase_add_test(scores, pinball_loss_is_the_mean_quantile_loss_over_the_mean_actual);
    tcase_add_test(scores, brier_scores_prob_hit_over_the_points_with_a_target);
    tcase_add_test(scores, no_points_or_no_actuals_give_no_figure_rather_than_infinity);
    tcase_add_test(scores, a_point_forecast_is_scored_where_it_exists);
    suite_add_tcase(s, scores);
    TCase *base = tcase_create("baselines");
    tcase_add_test(base, the_actual_is_what_was_won_in_the_period_as_known_after_it);
    tcase_add_test(
        base, weighted_pipeline_is_booked_plus_open_deals_closing_in_the_period_times_stage_prob);
    tcase_add_test(base, run_rate_extends_the_trailing_daily_rate_over_the_days_left);
    tcase_add_test(base, no_run_rate_without_a_day_of_data_before_the_period);
    suite_add_tcase(s, base);
    return fx_run(s);
}
