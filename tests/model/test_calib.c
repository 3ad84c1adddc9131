/* Specification of the spread calibration and self-backtest (gapforge/model_calib.h), ending
 * with the calibration promise checked over many simulated quarters. */
#include <check.h>
#include <math.h>
#include <stdio.h>

#include "fixture.h"
#include "gapforge/model_calib.h"
#include "gapforge/model_synth.h"

/* No prior: the org's own points and the floor alone. */
static const gf_model_sigma_prior no_prior = {.floor = 0.10, .n_full = 8};

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
    ck_assert_int_eq(gf_model_calib_sigma(pts, 8, &no_prior, &est), 0);
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
    ck_assert_int_eq(gf_model_calib_sigma(pts, 3, &no_prior, &est), 0);
    ck_assert_double_eq(est.sigma, 0.10);
    ck_assert_int_eq(est.floored, 1);
    ck_assert_int_eq(gf_model_calib_sigma(pts, 8, &no_prior, &est), 0);
    ck_assert_double_eq(est.sigma, 0.0);
    ck_assert_int_eq(gf_model_calib_sigma(NULL, 0, &no_prior, &est), 0);
    ck_assert_double_eq(est.sigma, 0.10);
    pts[0].usable = 0;
    pts[0].rel_error = 50.0;
    ck_assert_int_eq(gf_model_calib_sigma(pts, 8, &no_prior, &est), 0);
    ck_assert_uint_eq(est.n, 7);
    ck_assert_int_eq(est.floored, 1);
}
END_TEST

/* The prior is `points` pseudo-points whose excess error is what a multiplier of the prior's
 * spread would add at today's elasticity: alone while the org has no points, outweighed as its
 * own accumulate. */
START_TEST(the_prior_gives_way_to_the_org_s_own_errors_as_they_accumulate)
{
    const gf_model_sigma_prior prior = {
        .sigma = 0.20, .points = 4.0, .elasticity = 0.5, .floor = 0.10, .n_full = 8};
    gf_model_sigma_est est;
    ck_assert_int_eq(gf_model_calib_sigma(NULL, 0, &prior, &est), 0);
    ck_assert_double_eq(est.prior, 0.20);
    ck_assert_double_eq(est.weight, 0.0);
    ck_assert_double_eq_tol(est.sigma, 0.20, 1e-12); /* a predictive spread: not widened */
    ck_assert_int_eq(est.floored, 0);
    /* Eight points with no excess error at the same elasticity: weight 8 / 12. */
    gf_model_backtest_point pts[16];
    for (int k = 0; k < 16; k++)
        pts[k] = point(k % 2 ? 0.1 : -0.1, 0.01, 0.5);
    ck_assert_int_eq(gf_model_calib_sigma(pts, 8, &prior, &est), 0);
    ck_assert_double_eq_tol(est.weight, 8.0 / 12.0, 1e-12);
    ck_assert_double_eq_tol(est.raw, 0.0, 1e-6);
    const double pooled = sqrt(log1p(4.0 * expm1(0.04) / 12.0));
    /* widened by 1 + (2/3)(t_0.9(8) / z_0.9 - 1) = 1.0599 */
    ck_assert_double_eq_tol(est.sigma, pooled * (1.0 + (1.3968 / 1.2816 - 1.0) * 2.0 / 3.0), 0.002);
    /* Sixteen points with a large excess: the own estimate dominates. */
    for (int k = 0; k < 16; k++)
        pts[k] = point(k % 2 ? 0.5 : -0.5, 0.01, 0.5);
    ck_assert_int_eq(gf_model_calib_sigma(pts, 16, &prior, &est), 0);
    ck_assert_double_eq_tol(est.weight, 0.8, 1e-12);
    ck_assert(est.sigma > est.prior && fabs(est.sigma - est.raw) < fabs(est.sigma - est.prior));
    /* Nothing remains to forecast (elasticity 0): the prior has nothing to weigh. */
    const gf_model_sigma_prior done = {.sigma = 0.2, .points = 4.0, .n_full = 8};
    ck_assert_int_eq(gf_model_calib_sigma(pts, 16, &done, &est), 0);
    ck_assert_double_eq(est.prior, 0.0);
    ck_assert_double_eq(est.weight, 1.0);
    const gf_model_sigma_prior bad = {.sigma = NAN, .points = 4.0};
    ck_assert_int_eq(gf_model_calib_sigma(pts, 16, &bad, &est), GF_MODEL_EINVAL);
}
END_TEST

/* An org with under two years of data: the replays shorten their history window to the data
 * they had (today's forecast also sees only that), and skip quarters with too little of it. */
START_TEST(a_young_org_s_backtest_uses_the_history_it_had)
{
    gf_model_synth_params p;
    gf_model_synth_params_default(&p);
    p.start_day = gf_date_from_ymd(2024, 1, 1);
    p.end_day = gf_date_from_ymd(2025, 6, 1);
    gf_model_synth *s = NULL;
    ck_assert_int_eq(gf_model_synth_new(&p, &s), 0);
    gf_model_history h;
    gf_model_calendar cal;
    gf_model_synth_history(s, &h, &cal);
    const long qi = gf_model_calendar_find(&cal, gf_date_from_ymd(2025, 4, 15));
    const gf_model_period period = cal.quarters[qi];
    const gf_day as_of = period.start + 30;
    gf_model_forecast_opts o;
    gf_model_forecast_opts_default(as_of, &o);
    gf_model_backtest_point pts[8];
    size_t n = 0;
    ck_assert_int_eq(gf_model_backtest_run(&h, &cal, period, as_of, &o, 91, 8, pts, &n), 0);
    /* 2025-Q1, 2024-Q4, -Q3, -Q2 at day 30 have 120 days of data or more; 2024-Q1 has 30. */
    ck_assert_uint_eq(n, 4);
    for (size_t k = 0; k < n; k++) {
        ck_assert(pts[k].usable);
        ck_assert(pts[k].expected_remaining > 0.0 && pts[k].actual_remaining > 0.0);
    }
    ck_assert_int_eq(pts[3].period.start, gf_date_from_ymd(2024, 4, 1));
    ck_assert_int_eq(gf_model_backtest_run(&h, &cal, period, as_of, &o, 200, 8, pts, &n), 0);
    ck_assert_uint_eq(n, 3); /* 2024-Q2 at day 30 has 121 days of data, under 200 */
    gf_model_synth_free(s);
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
    ck_assert_int_eq(gf_model_backtest_run(&h, &cal, period, as_of, &o, 91, 6, pts, &n), 0);
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
            ck_assert_int_eq(gf_model_backtest_run(&h, &cal, period, as_of, &o, 91, 8, pts, &n), 0);
            gf_model_forecast *f = NULL;
            ck_assert_int_eq(gf_model_forecast_build(&h, &cal, period, as_of, &o, &f), 0);
            const gf_model_sigma_prior prior = {.sigma = 0.20,
                                                .points = 4.0,
                                                .elasticity = f->elasticity,
                                                .floor = 0.10,
                                                .n_full = 8};
            gf_model_sigma_est est;
            ck_assert_int_eq(gf_model_calib_sigma(pts, n, &prior, &est), 0);
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
    tcase_add_test(tc, the_prior_gives_way_to_the_org_s_own_errors_as_they_accumulate);
    tcase_add_test(tc, a_young_org_s_backtest_uses_the_history_it_had);
    tcase_add_test(tc, backtest_replays_earlier_quarters_at_the_same_offset_only);
    tcase_add_test(tc, actuals_fall_below_p10_and_p50_as_often_as_promised);
    suite_add_tcase(s, tc);
    return fx_run(s);
}
