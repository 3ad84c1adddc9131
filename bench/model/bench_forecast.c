/* Benchmark of the model's estimation path on a large synthetic org: forecast assembly (spells,
 * survival fit, DP, close-date factors, new deals) and the 8-quarter self-backtest, median of
 * several runs. Usage: bench_forecast [deals_per_day] [runs] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "gapforge/model_calib.h"
#include "gapforge/model_synth.h"

#include "bench_util.h"

int main(int argc, char **argv)
{
    gf_model_synth_params p;
    gf_model_synth_params_default(&p);
    p.deals_per_day = argc > 1 ? atof(argv[1]) : 90.0;
    const int runs = argc > 2 ? atoi(argv[2]) : 7;
    if (runs < 1 || runs > 1000)
        return 2;
    gf_model_synth *s = NULL;
    if (gf_model_synth_new(&p, &s))
        return 1;
    gf_model_history h;
    gf_model_calendar cal;
    gf_model_synth_history(s, &h, &cal);
    size_t events = 0;
    for (size_t i = 0; i < h.n_deals; i++)
        events += h.deals[i].n_timeline + h.deals[i].n_close_dates;
    const gf_model_period period = cal.quarters[gf_model_calendar_find(&cal, p.end_day - 60)];
    const gf_day as_of = period.start + 30;
    gf_model_forecast_opts o;
    gf_model_forecast_opts_default(as_of, &o);
    double *fc = malloc((size_t)runs * sizeof(double)), *bt = malloc((size_t)runs * sizeof(double));
    if (!fc || !bt)
        return 1;
    size_t n_open = 0;
    for (int k = 0; k < runs; k++) {
        double t0 = bench_now_ms();
        gf_model_forecast *f = NULL;
        if (gf_model_forecast_build(&h, &cal, period, as_of, &o, &f))
            return 1;
        fc[k] = bench_now_ms() - t0;
        n_open = f->n_open;
        gf_model_forecast_free(f);
        gf_model_backtest_point pts[8];
        size_t n = 0;
        t0 = bench_now_ms();
        if (gf_model_backtest_run(&h, &cal, period, as_of, &o, 91, 8, pts, &n))
            return 1;
        bt[k] = bench_now_ms() - t0;
    }
    qsort(fc, (size_t)runs, sizeof(double), bench_cmp_double);
    qsort(bt, (size_t)runs, sizeof(double), bench_cmp_double);
    printf("deals=%zu events=%zu open=%zu runs=%d\n", h.n_deals, events, n_open, runs);
    printf("forecast median_ms=%.2f\nbacktest8 median_ms=%.2f\n", fc[runs / 2], bt[runs / 2]);
    free(fc);
    free(bt);
    gf_model_synth_free(s);
    return 0;
}
