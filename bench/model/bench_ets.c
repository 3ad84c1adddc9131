/* bench_ets — one KPI forecast over five years of daily data (1,826 buckets, weekly season):
 * every ETS candidate fitted, the skill refit, and a quarter (92 steps) simulated.
 * Usage: bench_ets [runs] [paths]; prints the median wall time of `runs` after one warm-up. */
#include <stdio.h>
#include <stdlib.h>

#include "bench_util.h"
#include "gapforge/model_ets.h"
#include "gapforge/model_rng.h"

#define N_DAYS 1826

/* A daily KPI: a level that wanders (alpha 0.2), a weekly pattern that drifts (gamma 0.05). */
static void daily_series(double *y)
{
    static const double week[7] = {3.0, 1.0, 0.0, -1.0, -2.0, -4.0, 3.0};
    double level = 50.0, s[7];
    for (size_t j = 0; j < 7; j++)
        s[j] = week[j];
    gf_model_rng r;
    gf_model_rng_seed(&r, 1, 0);
    for (size_t t = 0; t < N_DAYS; t++) {
        const double e = gf_model_rng_normal(&r);
        y[t] = level + s[t % 7] + e;
        level += 0.2 * e;
        s[t % 7] += 0.05 * e;
    }
}

int main(int argc, char **argv)
{
    const int runs = argc > 1 ? atoi(argv[1]) : 15;
    const long paths = argc > 2 ? atol(argv[2]) : 4000;
    if (runs < 1 || paths < 1)
        return 2;
    static double y[N_DAYS];
    daily_series(y);
    const gf_model_ets_options o = {.period = 7,
                                    .horizon = 92,
                                    .agg = GF_MODEL_ETS_SUM,
                                    .n_paths = (size_t)paths,
                                    .seed = 1,
                                    .min_gain = 0.05};
    double *ms = malloc((size_t)runs * sizeof(*ms));
    if (!ms)
        return 1;
    gf_model_ets_result res = {0};
    for (int k = -1; k < runs; k++) {
        const double t0 = bench_now_ms();
        if (gf_model_ets_forecast(y, N_DAYS, &o, &res)) {
            free(ms);
            return 1;
        }
        const double t1 = bench_now_ms();
        if (k >= 0)
            ms[k] = t1 - t0;
        if (k < runs - 1)
            gf_model_ets_result_free(&res);
    }
    qsort(ms, (size_t)runs, sizeof(*ms), bench_cmp_double);
    printf("ets n=%d m=7 h=92 paths=%ld: chosen %s, forecast %s, sum P50 %.1f\n", N_DAYS, paths,
           gf_model_ets_kind_name(res.chosen), gf_model_ets_kind_name(res.method),
           res.aggregate.p50);
    printf("C median_ms=%.2f (of %d runs)\n", ms[runs / 2], runs);
    gf_model_ets_result_free(&res);
    free(ms);
    return 0;
}
