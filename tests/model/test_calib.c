/* Specification of the spread calibration and self-backtest (gapforge/model_calib.h), ending
 * with the calibration promise checked over many simulated quarters. */
#include <check.h>
#include <math.h>
#include <stdio.h>

#include "fixture.h"
#include "gapforge/model_calib.h"
#include "gapforge/model_synth.h"

static gf_model_backtest_point point(double e, double v, double el)
{
    return (gf_model_backtest_point){.log_error = e,
                                     .rel_error = e,
                                     .model_rel_var = v,
                                     .elasticity = el,
                                     .usable = 1,
                                     .expected_remaining = 1.0};
}

START_TEST(sigma_is_the_excess_relative_error_over_the_elasticity)
{
    gf_model_backtest_point pts[8];
    for (int k = 0; k < 8; k++)
        pts[k] = point(k % 2 ? 0.3 : -0.3, 0.01, 0.5);
    gf_model_sigma_est est;
    ck_assert_int_eq(gf_model_calib_sigma(pts, 8, 0.10, 8, &est), 0);
    /* Var m = (0.09 - 0.01) / 0.25 = exp(raw^2) - 1 */
    ck_assert_double_eq_tol(est.raw, sqrt(log(1.0 + 0.08 / 0.25)), 1e-12);
    /* Widened for a spread estimated from 8 errors: t_0.9(8) / z_0.9 = 1.397 / 1.2816. */
    ck_assert_double_eq_tol(est.sigma / est.raw, 1.3968 / 1.2816, 0.002);
    ck_assert_double_eq_tol(est.bias, 0.0, 1e-12);
    ck_assert_uint_eq(est.n, 8);
    ck_assert_int_eq(est.floored, 0);
}
END_TEST

START_TEST(the_floor_holds_while_quarters_are_few)
{
    gf_model_backtest_point pts[8];
    for (int k = 0; k < 8; k++)
        pts[k] = point(0.0, 0.01, 0.5);
    gf_model_sigma_est est;
    ck_assert_int_eq(gf_model_calib_sigma(pts, 3, 0.10, 8, &est), 0);
    ck_assert_double_eq(est.sigma, 0.10);
    ck_assert_int_eq(est.floored, 1);
    ck_assert_int_eq(gf_model_calib_sigma(pts, 8, 0.10, 8, &est), 0);
    ck_assert_double_eq(est.sigma, 0.0);
    ck_assert_int_eq(gf_model_calib_sigma(NULL, 0, 0.10, 8, &est), 0);
    ck_assert_double_eq(est.sigma, 0.10);
    pts[0].usable = 0;
    pts[0].rel_error = 50.0;
    ck_assert_int_eq(gf_model_calib_sigma(pts, 8, 0.10, 8, &est), 0);
    ck_assert_uint_eq(est.n, 7);
    ck_assert_int_eq(est.floored, 1);
}
END_TEST

START_TEST(backtest_replays_earlier_quarters_at_the_same_offset_only)
{
    gf_model_synth_params p;
    gf_model_synth_params_default(&p);
    gf_model_synth *s = NULL;
    ck_assert_int_eq(gf_model_synth_new(&p, &s), 0);
    gf_model_history h;
    gf_model_calendar cal;
    gf_model_synth_history(s, &h, &cal);
    const long qi = gf_model_calendar_find(&cal, p.end_day - 100);
    const gf_model_period period = cal.quarters[qi];
    const gf_day as_of = period.start + 33;
    gf_model_forecast_opts o;
    gf_model_forecast_opts_default(as_of, &o);
    gf_model_backtest_point pts[6];
    size_t n = 0;
    ck_assert_int_eq(gf_model_backtest_run(&h, &cal, period, as_of, &o, 6, pts, &n), 0);
    ck_assert_uint_eq(n, 6);
    for (size_t k = 0; k < n; k++) {
        ck_assert_int_eq(pts[k].period.start, cal.quarters[qi - 1 - (long)k].start);
        ck_assert_int_eq(pts[k].as_of, pts[k].period.start + 33);
        ck_assert(pts[k].period.end < as_of);
        ck_assert(pts[k].usable);
        ck_assert(pts[k].actual_total >= pts[k].booked);
        ck_assert(pts[k].elasticity > 0.0 && pts[k].elasticity <= 1.0);
    }
    gf_model_synth_free(s);
}
END_TEST

/* The full loop the service runs: backtest -> sigma -> forecast -> simulation, at day 10, 30, 50
 * or 70 of each quarter of several simulated orgs with a common shock per quarter, compared with
 * what was actually won. Prints the figures. */
START_TEST(actuals_fall_below_p10_and_p50_as_often_as_promised)
{
    int below10 = 0, below50 = 0, above90 = 0, total = 0;
    double sigma_sum = 0.0;
    for (uint64_t seed = 1; seed <= 12; seed++) {
        gf_model_synth_params p;
        gf_model_synth_params_default(&p);
        p.seed = seed * 7919;
        p.shock_sigma = 0.15 + 0.05 * (double)(seed % 4);
        p.start_day = gf_date_from_ymd(2019, 1, 1);
        p.end_day = gf_date_from_ymd(2025, 7, 1);
        gf_model_synth *s = NULL;
        ck_assert_int_eq(gf_model_synth_new(&p, &s), 0);
        gf_model_history h;
        gf_model_calendar cal;
        gf_model_synth_history(s, &h, &cal);
        /* Three years of warm-up: a year of history window plus eight quarters to backtest. */
        for (size_t q = 12; q < cal.n && cal.quarters[q].end < p.end_day; q++) {
            const gf_model_period period = cal.quarters[q];
            const gf_day as_of = period.start + 10 + 20 * (gf_day)((seed + q) % 4);
            gf_model_forecast_opts o;
            gf_model_forecast_opts_default(as_of, &o);
            gf_model_backtest_point pts[8];
            size_t n = 0;
            ck_assert_int_eq(gf_model_backtest_run(&h, &cal, period, as_of, &o, 8, pts, &n), 0);
            gf_model_sigma_est est;
            ck_assert_int_eq(gf_model_calib_sigma(pts, n, 0.10, 8, &est), 0);
            gf_model_forecast *f = NULL;
            ck_assert_int_eq(gf_model_forecast_build(&h, &cal, period, as_of, &o, &f), 0);
            gf_model_sim_input in;
            gf_model_sim_result r;
            gf_model_forecast_sim_input(f, 0, est.sigma, 4000, seed * 1000 + q, 0, &in);
            ck_assert_int_eq(gf_model_sim_run(&in, &r, NULL), 0);
            int64_t actual = 0;
            for (size_t i = 0; i < h.n_deals; i++) {
                gf_model_deal_state st;
                gf_model_deal_state_at(&h, i, period.end + 1, &st);
                if (st.exists && st.kind == GF_MODEL_STAGE_WON && st.closed_day >= period.start)
                    actual += st.amount_cents;
            }
            below10 += actual < r.p10;
            below50 += actual < r.p50;
            above90 += actual > r.p90;
            sigma_sum += est.sigma;
            total++;
            gf_model_forecast_free(f);
        }
        gf_model_synth_free(s);
    }
    const double r10 = (double)below10 / total, r50 = (double)below50 / total;
    printf("calibration over %d simulated quarters: below P10 %.1f%%, below P50 %.1f%%, "
           "above P90 %.1f%%, mean sigma %.3f\n",
           total, 100 * r10, 100 * r50, 100.0 * above90 / total, sigma_sum / total);
    ck_assert_int_ge(total, 40);
    ck_assert(r10 >= 0.05 && r10 <= 0.15);
    ck_assert(r50 >= 0.40 && r50 <= 0.60);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("model_calib");
    TCase *tc = tcase_create("calib");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, sigma_is_the_excess_relative_error_over_the_elasticity);
    tcase_add_test(tc, the_floor_holds_while_quarters_are_few);
    tcase_add_test(tc, backtest_replays_earlier_quarters_at_the_same_offset_only);
    tcase_add_test(tc, actuals_fall_below_p10_and_p50_as_often_as_promised);
    suite_add_tcase(s, tc);
    return fx_run(s);
}
