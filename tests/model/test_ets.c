/* Specification of the exponential-smoothing KPI forecaster (gapforge/model_ets.h). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "fixture.h"
#include "gapforge/model_ets.h"
#include "gapforge/model_rng.h"

/* A known model to generate from: the same state equations as the header's. */
typedef struct truth {
    int kind;
    size_t m;
    double alpha, beta, gamma, phi, sigma, l0, b0;
    double s0[GF_MODEL_ETS_MAX_PERIOD];
} truth;

/* y[0..n-1] from `tr` with Gaussian errors drawn from (seed, 7). */
static void generate(const truth *tr, size_t n, uint64_t seed, double *y)
{
    gf_model_rng r;
    gf_model_rng_seed(&r, seed, 7);
    double l = tr->l0, b = tr->b0, s[GF_MODEL_ETS_MAX_PERIOD];
    for (size_t j = 0; j < GF_MODEL_ETS_MAX_PERIOD; j++)
        s[j] = tr->s0[j];
    const double phi = tr->phi > 0.0 ? tr->phi : 1.0;
    for (size_t t = 0; t < n; t++) {
        const size_t j = t % tr->m;
        const double e = tr->sigma * gf_model_rng_normal(&r);
        if (tr->kind >= GF_MODEL_ETS_MNN) {
            /* Multiplicative error; MNM, MAM and MAdM have a multiplicative season. */
            const int msea = tr->kind >= GF_MODEL_ETS_MNM;
            const double u = l + phi * b;
            y[t] = (msea ? u * s[j] : u) * (1.0 + e);
            l = u * (1.0 + tr->alpha * e);
            b = phi * b + tr->beta * u * e;
            if (msea)
                s[j] *= 1.0 + tr->gamma * e;
            continue;
        }
        y[t] = l + phi * b + s[j] + e;
        l = l + phi * b + tr->alpha * e;
        b = phi * b + tr->beta * e;
        s[j] += tr->gamma * e;
    }
}

static const truth simple_truth = {
    .kind = GF_MODEL_ETS_ANN, .m = 1, .alpha = 0.3, .sigma = 1.0, .l0 = 50.0};
static const truth damped_truth = {.kind = GF_MODEL_ETS_AADN,
                                   .m = 1,
                                   .alpha = 0.5,
                                   .beta = 0.2,
                                   .phi = 0.9,
                                   .sigma = 1.0,
                                   .l0 = 20.0,
                                   .b0 = 2.0};
static const truth seasonal_truth = {.kind = GF_MODEL_ETS_ANA,
                                     .m = 4,
                                     .alpha = 0.2,
                                     .gamma = 0.1,
                                     .sigma = 1.0,
                                     .l0 = 100.0,
                                     .s0 = {8.0, -3.0, -6.0, 1.0}};

/* Holt-Winters multiplicative: a growing level whose season swings in proportion. */
static const truth mult_truth = {.kind = GF_MODEL_ETS_MAM,
                                 .m = 4,
                                 .alpha = 0.2,
                                 .beta = 0.05,
                                 .gamma = 0.1,
                                 .sigma = 0.03,
                                 .l0 = 40.0,
                                 .b0 = 1.5,
                                 .s0 = {1.4, 0.8, 0.6, 1.2}};

static gf_model_ets_options options(size_t m, size_t h, int agg)
{
    return (gf_model_ets_options){
        .period = m, .horizon = h, .agg = agg, .seed = 42, .n_paths = 2000, .min_gain = 0.05};
}

START_TEST(simple_smoothing_recovers_alpha)
{
    double y[400], mean_alpha = 0.0;
    for (uint64_t seed = 1; seed <= 10; seed++) {
        generate(&simple_truth, 400, seed, y);
        gf_model_ets_model mod;
        ck_assert_int_eq(gf_model_ets_fit(y, 400, GF_MODEL_ETS_ANN, 1, &mod), 0);
        ck_assert_double_eq_tol(mod.alpha, 0.3, 0.12);
        ck_assert_double_eq_tol(mod.sigma, 1.0, 0.12);
        ck_assert_uint_eq(mod.n_param, 3);
        mean_alpha += mod.alpha / 10.0;
    }
    printf("ets: ANN alpha 0.3 recovered as %.3f (mean of 10 seeds, n = 400)\n", mean_alpha);
    ck_assert_double_eq_tol(mean_alpha, 0.3, 0.05);
}
END_TEST

START_TEST(damped_trend_recovers_its_parameters)
{
    double y[400], a = 0.0, b = 0.0, phi = 0.0;
    for (uint64_t seed = 1; seed <= 10; seed++) {
        generate(&damped_truth, 400, seed, y);
        gf_model_ets_model mod;
        ck_assert_int_eq(gf_model_ets_fit(y, 400, GF_MODEL_ETS_AADN, 1, &mod), 0);
        ck_assert(mod.phi >= 0.8 && mod.phi <= 0.98);
        ck_assert(mod.beta <= mod.alpha);
        a += mod.alpha / 10.0;
        b += mod.beta / 10.0;
        phi += mod.phi / 10.0;
    }
    printf("ets: AAdN (0.5, 0.2, 0.9) recovered as (%.3f, %.3f, %.3f)\n", a, b, phi);
    ck_assert_double_eq_tol(a, 0.5, 0.1);
    ck_assert_double_eq_tol(b, 0.2, 0.08);
    ck_assert_double_eq_tol(phi, 0.9, 0.05);
}
END_TEST

START_TEST(seasonal_smoothing_recovers_season_and_gamma)
{
    double y[200], a = 0.0, g = 0.0, s0 = 0.0;
    for (uint64_t seed = 1; seed <= 10; seed++) {
        generate(&seasonal_truth, 200, seed, y);
        gf_model_ets_model mod;
        ck_assert_int_eq(gf_model_ets_fit(y, 200, GF_MODEL_ETS_ANA, 4, &mod), 0);
        ck_assert_double_eq_tol(mod.s0[0] + mod.s0[1] + mod.s0[2] + mod.s0[3], 0.0, 1e-9);
        a += mod.alpha / 10.0;
        g += mod.gamma / 10.0;
        s0 += mod.s0[0] / 10.0;
    }
    printf("ets: ANA (alpha 0.2, gamma 0.1, s0[0] 8) recovered as (%.3f, %.3f, %.2f)\n", a, g, s0);
    ck_assert_double_eq_tol(a, 0.2, 0.08);
    ck_assert_double_eq_tol(g, 0.1, 0.08);
    ck_assert_double_eq_tol(s0, 8.0, 1.5);
}
END_TEST

/* The additive-error kind with the same trend and season form (MNM, MAM, MAdM: a
 * multiplicative season, counted as the additive one's twin). */
static int additive_twin(int kind)
{
    return kind - GF_MODEL_ETS_MNN;
}

/* How often gf_model_ets_forecast's AICc choice is `want` (or in `family`) over 20 seeds. */
static void choice_rate(const truth *tr, size_t n, int want, int family_lo, int family_hi,
                        int *exact, int *family)
{
    double *y = malloc(n * sizeof(*y));
    ck_assert_ptr_nonnull(y);
    *exact = *family = 0;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        generate(tr, n, seed, y);
        gf_model_ets_options o = options(tr->m > 1 ? tr->m : 4, 4, GF_MODEL_ETS_SUM);
        o.n_paths = 200;
        gf_model_ets_result res = {0};
        ck_assert_int_eq(gf_model_ets_forecast(y, n, &o, &res), 0);
        /* The error's form is not identifiable on a series far from zero (ANN and MNN fit it
         * alike): the choice counts by its trend and season, either error. */
        const int k = res.chosen >= GF_MODEL_ETS_MNN && res.chosen < GF_MODEL_ETS_N_KINDS
                          ? additive_twin(res.chosen)
                          : res.chosen;
        *exact += k == want;
        *family += k >= family_lo && k <= family_hi;
        gf_model_ets_result_free(&res);
    }
    free(y);
}

START_TEST(aicc_picks_the_generating_family_in_most_seeds)
{
    int exact, family;
    /* Offered the period 4 too: the simple series must not be taken for seasonal or trended. */
    choice_rate(&simple_truth, 120, GF_MODEL_ETS_ANN, GF_MODEL_ETS_ANN, GF_MODEL_ETS_ANN, &exact,
                &family);
    printf("ets: AICc choice on ANN series (n 120): %d/20 ANN\n", exact);
    ck_assert_int_ge(exact, 14);
    choice_rate(&seasonal_truth, 120, GF_MODEL_ETS_ANA, GF_MODEL_ETS_ANA, GF_MODEL_ETS_AADA, &exact,
                &family);
    printf("ets: AICc choice on ANA series (n 120): %d/20 ANA, %d/20 seasonal\n", exact, family);
    ck_assert_int_ge(exact, 14);
    ck_assert_int_ge(family, 19);
    choice_rate(&damped_truth, 200, GF_MODEL_ETS_AADN, GF_MODEL_ETS_AAN, GF_MODEL_ETS_AADN, &exact,
                &family);
    printf("ets: AICc choice on AAdN series (n 200): %d/20 AAdN, %d/20 trended\n", exact, family);
    ck_assert_int_ge(exact, 11);
    ck_assert_int_ge(family, 18);
}
END_TEST

START_TEST(a_flat_series_forecasts_its_level_with_no_spread)
{
    double y[30];
    for (size_t t = 0; t < 30; t++)
        y[t] = 7.0;
    const int aggs[] = {GF_MODEL_ETS_SUM, GF_MODEL_ETS_MEAN, GF_MODEL_ETS_LAST};
    const double want[] = {5 * 7.0, 7.0, 7.0};
    for (size_t a = 0; a < 3; a++) {
        gf_model_ets_options o = options(1, 5, aggs[a]);
        gf_model_ets_result res = {0};
        ck_assert_int_eq(gf_model_ets_forecast(y, 30, &o, &res), 0);
        ck_assert_int_eq(res.chosen, GF_MODEL_ETS_ANN); /* fewest parameters when all fit */
        for (size_t j = 0; j < 5; j++) {
            ck_assert_double_eq_tol(res.steps[j].p10, 7.0, 1e-6);
            ck_assert_double_eq_tol(res.steps[j].p50, 7.0, 1e-6);
            ck_assert_double_eq_tol(res.steps[j].p90, 7.0, 1e-6);
        }
        ck_assert_double_eq_tol(res.aggregate.p10, want[a], 1e-6);
        ck_assert_double_eq_tol(res.aggregate.p50, want[a], 1e-6);
        ck_assert_double_eq_tol(res.aggregate.p90, want[a], 1e-6);
        gf_model_ets_result_free(&res);
    }
}
END_TEST

START_TEST(the_simulated_mean_is_the_closed_form)
{
    double y[150], point[8];
    generate(&damped_truth, 150, 3, y);
    gf_model_ets_model mod;
    ck_assert_int_eq(gf_model_ets_fit(y, 150, GF_MODEL_ETS_AADN, 1, &mod), 0);
    gf_model_ets_point(&mod, 8, point);
    double damp = 0.0, pw = 1.0;
    for (size_t j = 0; j < 8; j++) {
        pw *= mod.phi;
        damp += pw;
        ck_assert_double_eq_tol(point[j], mod.level + damp * mod.trend, 1e-9);
    }
    /* The forecast's own simulation, with the chosen model kept (min_gain 0 and a trended
     * series: the model beats naive). */
    gf_model_ets_options o = options(1, 8, GF_MODEL_ETS_SUM);
    o.n_paths = 40000;
    o.min_gain = 0.0;
    gf_model_ets_result res = {0};
    ck_assert_int_eq(gf_model_ets_forecast(y, 150, &o, &res), 0);
    ck_assert_int_ne(res.method, GF_MODEL_ETS_NAIVE);
    double pts[8], total = 0.0;
    gf_model_ets_point(&res.model, 8, pts);
    for (size_t j = 0; j < 8; j++) {
        ck_assert_double_eq_tol(res.steps[j].mean, pts[j], 0.05 * (1.0 + res.model.sigma));
        total += pts[j];
    }
    ck_assert_double_eq_tol(res.aggregate.mean, total, 0.3 * (1.0 + res.model.sigma));
    gf_model_ets_result_free(&res);
}
END_TEST

START_TEST(the_aggregate_comes_from_the_paths_not_from_summed_quantiles)
{
    double y[120];
    generate(&simple_truth, 120, 5, y);
    gf_model_ets_options o = options(1, 6, GF_MODEL_ETS_SUM);
    o.n_paths = 20000;
    gf_model_ets_result res = {0};
    ck_assert_int_eq(gf_model_ets_forecast(y, 120, &o, &res), 0);
    double sum_p10 = 0.0, sum_p90 = 0.0, sum_mean = 0.0;
    for (size_t j = 0; j < 6; j++) {
        sum_p10 += res.steps[j].p10;
        sum_p90 += res.steps[j].p90;
        sum_mean += res.steps[j].mean;
    }
    ck_assert_double_eq_tol(res.aggregate.mean, sum_mean, 1e-6 * fabs(sum_mean));
    /* Errors do not all hit their own P90 at once: the sum's band is narrower. */
    ck_assert(res.aggregate.p90 < sum_p90);
    ck_assert(res.aggregate.p10 > sum_p10);
    ck_assert(res.aggregate.p10 < res.aggregate.p50 && res.aggregate.p50 < res.aggregate.p90);
    const double p = gf_model_ets_prob_at_least(&res, res.aggregate.p50);
    ck_assert_double_eq_tol(p, 0.5, 0.01);
    gf_model_ets_result_free(&res);

    /* Actuals to date and an aggregate that starts later: the period mean of 2 known + 4 steps. */
    o.agg = GF_MODEL_ETS_MEAN;
    o.agg_from = 2;
    o.prior_sum = 100.0;
    o.prior_count = 2;
    ck_assert_int_eq(gf_model_ets_forecast(y, 120, &o, &res), 0);
    double tail = 0.0;
    for (size_t j = 2; j < 6; j++)
        tail += res.steps[j].mean;
    ck_assert_double_eq_tol(res.aggregate.mean, (100.0 + tail) / 6.0, 1e-6 * fabs(tail));
    gf_model_ets_result_free(&res);
}
END_TEST

/* P10-P90 coverage of the next `h` held-out values over `origins` generated series of n. */
static double coverage(const truth *tr, size_t n, size_t h, int origins, int *fallbacks)
{
    double *y = malloc((n + h) * sizeof(*y));
    ck_assert_ptr_nonnull(y);
    int hit = 0, total = 0;
    *fallbacks = 0;
    for (int k = 0; k < origins; k++) {
        generate(tr, n + h, 1000 + (uint64_t)k, y);
        gf_model_ets_options o = options(tr->m, h, GF_MODEL_ETS_SUM);
        o.seed = (uint64_t)k;
        gf_model_ets_result res = {0};
        ck_assert_int_eq(gf_model_ets_forecast(y, n, &o, &res), 0);
        *fallbacks += res.fell_back;
        for (size_t j = 0; j < h; j++) {
            hit += y[n + j] >= res.steps[j].p10 && y[n + j] <= res.steps[j].p90;
            total++;
        }
        gf_model_ets_result_free(&res);
    }
    free(y);
    return (double)hit / (double)total;
}

START_TEST(p10_p90_covers_eighty_percent_of_held_out_values)
{
    int fb;
    const double c1 = coverage(&simple_truth, 80, 1, 600, &fb);
    printf("ets: P10-P90 coverage, ANN alpha 0.3, n 80, 600 origins, 1 step: %.1f%% "
           "(fallbacks %d)\n",
           100.0 * c1, fb);
    ck_assert(c1 >= 0.75 && c1 <= 0.85);
    const double c3 = coverage(&simple_truth, 80, 3, 600, &fb);
    printf("ets: P10-P90 coverage, ANN alpha 0.3, n 80, 600 origins x 3 steps: %.1f%% "
           "(fallbacks %d)\n",
           100.0 * c3, fb);
    ck_assert(c3 >= 0.75 && c3 <= 0.85);
    const double cs = coverage(&seasonal_truth, 80, 4, 600, &fb);
    printf("ets: P10-P90 coverage, ANA m 4, n 80, 600 origins x 4 steps: %.1f%% "
           "(fallbacks %d)\n",
           100.0 * cs, fb);
    ck_assert(cs >= 0.75 && cs <= 0.85);
    const double cm = coverage(&mult_truth, 80, 4, 600, &fb);
    printf("ets: P10-P90 coverage, MAM m 4, n 80, 600 origins x 4 steps: %.1f%% "
           "(fallbacks %d)\n",
           100.0 * cm, fb);
    ck_assert(cm >= 0.75 && cm <= 0.85);
    const double cd = coverage(&damped_truth, 120, 3, 600, &fb);
    printf("ets: P10-P90 coverage, AAdN, n 120, 600 origins x 3 steps: %.1f%% "
           "(fallbacks %d)\n",
           100.0 * cd, fb);
    ck_assert(cd >= 0.75 && cd <= 0.85);
}
END_TEST

START_TEST(a_random_walk_falls_back_to_naive_and_says_so)
{
    const truth rw = {.kind = GF_MODEL_ETS_ANN, .m = 1, .alpha = 1.0, .sigma = 1.0, .l0 = 30.0};
    double y[120];
    int fell = 0;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        generate(&rw, 120, seed, y);
        gf_model_ets_options o = options(1, 4, GF_MODEL_ETS_LAST);
        gf_model_ets_result res = {0};
        ck_assert_int_eq(gf_model_ets_forecast(y, 120, &o, &res), 0);
        ck_assert_uint_gt(res.skill.n_origins, 0);
        if (res.fell_back) {
            fell++;
            ck_assert_int_eq(res.method, GF_MODEL_ETS_NAIVE);
            ck_assert_int_eq(res.skill.beats_naive, 0);
            /* The naive forecast is centred on the last value. */
            ck_assert_double_eq_tol(res.steps[0].p50, y[119], 0.1);
        }
        gf_model_ets_result_free(&res);
    }
    printf("ets: naive fallback on a random walk: %d/20 seeds\n", fell);
    ck_assert_int_ge(fell, 16);

    /* And does not on the simple series, which smoothing forecasts better than naive. */
    int kept = 0;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        generate(&simple_truth, 120, seed, y);
        gf_model_ets_options o = options(1, 4, GF_MODEL_ETS_LAST);
        gf_model_ets_result res = {0};
        ck_assert_int_eq(gf_model_ets_forecast(y, 120, &o, &res), 0);
        kept += !res.fell_back;
        if (!res.fell_back)
            ck_assert(res.skill.mase_model < res.skill.mase_naive);
        gf_model_ets_result_free(&res);
    }
    printf("ets: model kept on ANN alpha 0.3: %d/20 seeds\n", kept);
    ck_assert_int_ge(kept, 16);
}
END_TEST

START_TEST(same_seed_same_answer)
{
    double y[100];
    generate(&seasonal_truth, 100, 9, y);
    gf_model_ets_options o = options(4, 6, GF_MODEL_ETS_SUM);
    gf_model_ets_result a = {0}, b = {0};
    ck_assert_int_eq(gf_model_ets_forecast(y, 100, &o, &a), 0);
    ck_assert_int_eq(gf_model_ets_forecast(y, 100, &o, &b), 0);
    ck_assert_int_eq(a.method, b.method);
    for (size_t j = 0; j < 6; j++)
        ck_assert_double_eq(a.steps[j].p90, b.steps[j].p90);
    ck_assert_double_eq(a.aggregate.p10, b.aggregate.p10);
    for (int k = 0; k < GF_MODEL_ETS_N_KINDS; k++)
        ck_assert_int_eq(a.candidates[k].fitted, 1); /* 100 >= 2 seasons of 4: all six */
    gf_model_ets_result_free(&a);
    gf_model_ets_result_free(&b);
}
END_TEST

START_TEST(bad_input_is_refused)
{
    double y[20];
    for (size_t t = 0; t < 20; t++)
        y[t] = (double)t;
    gf_model_ets_options o = options(1, 3, GF_MODEL_ETS_SUM);
    gf_model_ets_result res = {0};
    ck_assert_int_eq(gf_model_ets_forecast(NULL, 20, &o, &res), GF_MODEL_EINVAL);
    ck_assert_int_eq(gf_model_ets_forecast(y, 20, NULL, &res), GF_MODEL_EINVAL);
    ck_assert_int_eq(gf_model_ets_forecast(y, 20, &o, NULL), GF_MODEL_EINVAL);
    ck_assert_int_eq(gf_model_ets_forecast(y, 0, &o, &res), GF_MODEL_EINVAL);
    o.period = 0;
    ck_assert_int_eq(gf_model_ets_forecast(y, 20, &o, &res), GF_MODEL_EINVAL);
    o.period = GF_MODEL_ETS_MAX_PERIOD + 1;
    ck_assert_int_eq(gf_model_ets_forecast(y, 20, &o, &res), GF_MODEL_EINVAL);
    o = options(1, 0, GF_MODEL_ETS_SUM);
    ck_assert_int_eq(gf_model_ets_forecast(y, 20, &o, &res), GF_MODEL_EINVAL);
    o = options(1, 3, 7);
    ck_assert_int_eq(gf_model_ets_forecast(y, 20, &o, &res), GF_MODEL_EINVAL);
    o = options(1, GF_MODEL_ETS_MAX_DRAWS / 2000 + 1, GF_MODEL_ETS_SUM);
    ck_assert_int_eq(gf_model_ets_forecast(y, 20, &o, &res), GF_MODEL_EINVAL);
    o = options(1, 3, GF_MODEL_ETS_SUM);
    o.agg_from = 3;
    ck_assert_int_eq(gf_model_ets_forecast(y, 20, &o, &res), GF_MODEL_EINVAL);
    o = options(1, 3, GF_MODEL_ETS_SUM);
    o.min_gain = 1.0;
    ck_assert_int_eq(gf_model_ets_forecast(y, 20, &o, &res), GF_MODEL_EINVAL);
    o = options(1, 3, GF_MODEL_ETS_SUM);
    y[5] = NAN;
    ck_assert_int_eq(gf_model_ets_forecast(y, 20, &o, &res), GF_MODEL_EINVAL);
    y[5] = 5.0;
    ck_assert_ptr_null(res.steps);
    gf_model_ets_model mod;
    ck_assert_int_eq(gf_model_ets_fit(y, 20, GF_MODEL_ETS_ANA, 12, &mod), GF_MODEL_EINVAL);
    ck_assert_int_eq(gf_model_ets_fit(y, 20, GF_MODEL_ETS_ANA, 1, &mod), GF_MODEL_EINVAL);
    ck_assert_int_eq(gf_model_ets_fit(y, 20, -1, 1, &mod), GF_MODEL_EINVAL);
    ck_assert_int_eq(gf_model_ets_fit(y, 5, GF_MODEL_ETS_AADN, 1, &mod), GF_MODEL_EINVAL);
    ck_assert_int_eq(gf_model_ets_fit(y, 20, GF_MODEL_ETS_ANN, 1, NULL), GF_MODEL_EINVAL);

    /* Four points: too few for any smoothing model, so naive, and said so. */
    ck_assert_int_eq(gf_model_ets_forecast(y, 4, &o, &res), 0);
    ck_assert_int_eq(res.chosen, GF_MODEL_ETS_NAIVE);
    ck_assert_int_eq(res.method, GF_MODEL_ETS_NAIVE);
    ck_assert_str_eq(gf_model_ets_kind_name(res.method), "naive");
    gf_model_ets_result_free(&res);
}
END_TEST

START_TEST(aicc_takes_a_multiplicative_season_for_one_that_scales)
{
    double y[120];
    int mult = 0, seasonal = 0;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        generate(&mult_truth, 120, seed, y);
        gf_model_ets_options o = options(4, 4, GF_MODEL_ETS_SUM);
        o.n_paths = 200;
        gf_model_ets_result res = {0};
        ck_assert_int_eq(gf_model_ets_forecast(y, 120, &o, &res), 0);
        ck_assert_int_eq(res.positive, 1);
        ck_assert_int_eq(res.candidates[GF_MODEL_ETS_MAM].fitted, 1);
        mult += res.chosen >= GF_MODEL_ETS_MNM && res.chosen <= GF_MODEL_ETS_MADM;
        seasonal += res.chosen != GF_MODEL_ETS_NAIVE && res.chosen != GF_MODEL_ETS_ANN &&
                    res.chosen != GF_MODEL_ETS_MNN;
        gf_model_ets_result_free(&res);
    }
    printf("ets: AICc choice on MAM series (n 120): %d/20 a multiplicative season\n", mult);
    ck_assert_int_ge(mult, 15);
    ck_assert_int_ge(seasonal, 19);

    /* A series that touches zero never gets a multiplicative form. */
    generate(&seasonal_truth, 120, 1, y);
    y[30] = 0.0;
    gf_model_ets_options o = options(4, 4, GF_MODEL_ETS_SUM);
    gf_model_ets_result res = {0};
    ck_assert_int_eq(gf_model_ets_forecast(y, 120, &o, &res), 0);
    ck_assert_int_eq(res.positive, 0);
    for (int k = GF_MODEL_ETS_MNN; k < GF_MODEL_ETS_N_KINDS; k++)
        ck_assert_int_eq(res.candidates[k].fitted, 0);
    gf_model_ets_result_free(&res);
    gf_model_ets_model mod;
    ck_assert_int_eq(gf_model_ets_fit(y, 120, GF_MODEL_ETS_MNM, 4, &mod), GF_MODEL_EINVAL);
}
END_TEST

START_TEST(multiplicative_likelihood_is_on_the_additive_footing)
{
    /* The same series scaled by 1000: an additive and a multiplicative fit move their AICc by
     * the same 2n log(1000), so the choice does not depend on the unit. */
    double y[120], z[120];
    generate(&mult_truth, 120, 3, y);
    for (size_t t = 0; t < 120; t++)
        z[t] = 1000.0 * y[t];
    gf_model_ets_model a1, a2, m1, m2;
    ck_assert_int_eq(gf_model_ets_fit(y, 120, GF_MODEL_ETS_AAA, 4, &a1), 0);
    ck_assert_int_eq(gf_model_ets_fit(z, 120, GF_MODEL_ETS_AAA, 4, &a2), 0);
    ck_assert_int_eq(gf_model_ets_fit(y, 120, GF_MODEL_ETS_MAM, 4, &m1), 0);
    ck_assert_int_eq(gf_model_ets_fit(z, 120, GF_MODEL_ETS_MAM, 4, &m2), 0);
    const double shift = 2.0 * 120.0 * log(1000.0);
    ck_assert_double_eq_tol(a2.aicc - a1.aicc, shift, 0.05);
    ck_assert_double_eq_tol(m2.aicc - m1.aicc, shift, 0.05);
    ck_assert(m1.sigma > 0.0 && m1.sigma < 0.1); /* relative errors: sigma 0.03 */
}
END_TEST

START_TEST(gaps_are_filled_by_the_one_step_prediction)
{
    double y[200];
    unsigned char miss[200] = {0};
    generate(&seasonal_truth, 200, 4, y);
    for (size_t t = 20; t < 200; t += 9) {
        miss[t] = 1;
        y[t] = NAN; /* ignored */
    }
    miss[199] = 0;
    y[199] = 100.0;
    gf_model_ets_options o = options(4, 8, GF_MODEL_ETS_SUM);
    o.missing = miss;
    gf_model_ets_result res = {0};
    ck_assert_int_eq(gf_model_ets_forecast(y, 200, &o, &res), 0);
    ck_assert_uint_eq(res.n_obs, 200 - 20);
    ck_assert_int_ne(res.chosen, GF_MODEL_ETS_NAIVE);
    ck_assert_uint_eq(res.model.n_obs, 180);
    for (size_t t = 0; t < 200; t++)
        ck_assert(isfinite(res.fitted[t]));
    ck_assert(isfinite(res.aggregate.p50));
    gf_model_ets_result_free(&res);

    /* A gap is exactly the series with the prediction written in: the same fit at the same
     * parameters gives the same states. */
    double z[60];
    unsigned char mz[60] = {0};
    generate(&simple_truth, 60, 2, z);
    mz[30] = 1;
    o = options(1, 3, GF_MODEL_ETS_SUM);
    o.missing = mz;
    ck_assert_int_eq(gf_model_ets_forecast(z, 60, &o, &res), 0);
    ck_assert_uint_eq(res.n_obs, 59);
    gf_model_ets_result_free(&res);
    /* First and last values must be observed. */
    mz[59] = 1;
    ck_assert_int_eq(gf_model_ets_forecast(z, 60, &o, &res), GF_MODEL_EINVAL);
}
END_TEST

START_TEST(fewer_than_four_observations_are_naive_and_wider)
{
    const double y[3] = {10.0, 12.0, 11.0};
    gf_model_ets_options o = options(1, 4, GF_MODEL_ETS_SUM);
    o.n_paths = 20000;
    gf_model_ets_result res = {0};
    ck_assert_int_eq(gf_model_ets_forecast(y, 3, &o, &res), 0);
    ck_assert_int_eq(res.insufficient, 1);
    ck_assert_int_eq(res.method, GF_MODEL_ETS_NAIVE);
    ck_assert_double_eq_tol(res.steps[0].p50, 11.0, 0.1);
    /* RMS change sqrt((4 + 1) / 2) = 1.58 widened by t(0.9, 2) / z(0.9) = 1.47: P90 - P10 of
     * one step is 2 x 1.2816 x 2.33 = 5.97. */
    ck_assert_double_eq_tol(res.steps[0].p90 - res.steps[0].p10, 5.97, 0.2);
    gf_model_ets_result_free(&res);
    /* One observation: 10% of its value per step. */
    ck_assert_int_eq(gf_model_ets_forecast(y, 1, &o, &res), 0);
    ck_assert_int_eq(res.insufficient, 1);
    ck_assert_double_eq_tol(res.steps[0].p90 - res.steps[0].p10, 2.0 * 1.2816 * 1.0, 0.1);
    gf_model_ets_result_free(&res);
}
END_TEST

START_TEST(kept_paths_line_up_with_the_aggregate)
{
    double y[100];
    generate(&simple_truth, 100, 8, y);
    gf_model_ets_options o = options(1, 5, GF_MODEL_ETS_SUM);
    o.keep_paths = 1;
    o.agg_from = 2;
    gf_model_ets_result res = {0};
    ck_assert_int_eq(gf_model_ets_forecast(y, 100, &o, &res), 0);
    ck_assert_ptr_nonnull(res.paths);
    for (size_t p = 0; p < res.n_paths; p += 97) {
        double sum = 0.0;
        for (size_t j = 2; j < 5; j++)
            sum += res.paths[j * res.n_paths + p];
        ck_assert_double_eq_tol(res.path_agg[p], sum, 1e-9);
    }
    gf_model_ets_result_free(&res);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("model_ets");
    TCase *tc = tcase_create("ets");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, simple_smoothing_recovers_alpha);
    tcase_add_test(tc, damped_trend_recovers_its_parameters);
    tcase_add_test(tc, seasonal_smoothing_recovers_season_and_gamma);
    tcase_add_test(tc, aicc_picks_the_generating_family_in_most_seeds);
    tcase_add_test(tc, a_flat_series_forecasts_its_level_with_no_spread);
    tcase_add_test(tc, the_simulated_mean_is_the_closed_form);
    tcase_add_test(tc, the_aggregate_comes_from_the_paths_not_from_summed_quantiles);
    tcase_add_test(tc, p10_p90_covers_eighty_percent_of_held_out_values);
    tcase_add_test(tc, a_random_walk_falls_back_to_naive_and_says_so);
    tcase_add_test(tc, same_seed_same_answer);
    tcase_add_test(tc, bad_input_is_refused);
    tcase_add_test(tc, aicc_takes_a_multiplicative_season_for_one_that_scales);
    tcase_add_test(tc, multiplicative_likelihood_is_on_the_additive_footing);
    tcase_add_test(tc, gaps_are_filled_by_the_one_step_prediction);
    tcase_add_test(tc, fewer_than_four_observations_are_naive_and_wider);
    tcase_add_test(tc, kept_paths_line_up_with_the_aggregate);
    suite_add_tcase(s, tc);
    return fx_run(s);
}
