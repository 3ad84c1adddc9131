/* Benchmark of the model's Monte Carlo: 10,000 open deals x 10,000 trials, repeated, median
 * wall time. Writes the exact inputs to a CSV so that reference_sim.py simulates the same thing.
 * Usage: bench_model [inputs.csv] [runs] [deals] [trials] [threads] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "gapforge/model_rng.h"
#include "gapforge/model_sim.h"

#include "bench_util.h"

int main(int argc, char **argv)
{
    const char *csv = argc > 1 && argv[1][0] ? argv[1] : NULL;
    const int runs = argc > 2 ? atoi(argv[2]) : 15;
    const size_t n = argc > 3 ? (size_t)atol(argv[3]) : 10000;
    const uint32_t trials = argc > 4 ? (uint32_t)atol(argv[4]) : 10000;
    const unsigned threads = argc > 5 ? (unsigned)atoi(argv[5]) : 0;
    if (runs < 1 || !n || trials < GF_MODEL_SIM_MIN_TRIALS) {
        fprintf(stderr, "usage: bench_model [inputs.csv] [runs] [deals] [trials] [threads]\n");
        return 2;
    }
    double *p = malloc(n * sizeof(*p));
    int64_t *amount = malloc(n * sizeof(*amount));
    enum { N_NEW = 200 };
    int64_t new_amounts[N_NEW];
    double *ms = malloc((size_t)runs * sizeof(*ms));
    if (!p || !amount || !ms)
        return 1;
    gf_model_rng r;
    gf_model_rng_seed(&r, 20261125, 0);
    for (size_t i = 0; i < n; i++) {
        p[i] = gf_model_rng_uniform(&r);
        amount[i] = (int64_t)llround(exp(9.0 + 1.2 * gf_model_rng_normal(&r)) * 100.0);
    }
    for (int k = 0; k < N_NEW; k++)
        new_amounts[k] = (int64_t)llround(exp(9.0 + 1.2 * gf_model_rng_normal(&r)) * 100.0);
    gf_model_sim_input in = {.amount_cents = amount,
                             .p = p,
                             .n_deals = n,
                             .booked_cents = 123456789,
                             .new_lambda = 40.0,
                             .new_amount_cents = new_amounts,
                             .n_new_amounts = N_NEW,
                             .target_cents = 0,
                             .sigma = 0.25,
                             .trials = trials,
                             .seed = 42,
                             .threads = threads};
    in.target_cents = (int64_t)gf_model_sim_expected(&in);
    if (csv) {
        FILE *f = fopen(csv, "w");
        if (!f) {
            perror(csv);
            return 1;
        }
        fprintf(f, "# trials=%u sigma=%.17g lambda=%.17g booked=%lld target=%lld\n", trials,
                in.sigma, in.new_lambda, (long long)in.booked_cents, (long long)in.target_cents);
        fprintf(f, "kind,p,amount_cents\n");
        for (size_t i = 0; i < n; i++)
            fprintf(f, "deal,%.17g,%lld\n", p[i], (long long)amount[i]);
        for (int k = 0; k < N_NEW; k++)
            fprintf(f, "new,,%lld\n", (long long)new_amounts[k]);
        fclose(f);
    }
    gf_model_sim_result res;
    if (gf_model_sim_run(&in, &res, NULL)) /* warm-up: page faults, thread start, ifunc */
        return 1;
    for (int k = 0; k < runs; k++) {
        const double t0 = bench_now_ms();
        if (gf_model_sim_run(&in, &res, NULL))
            return 1;
        ms[k] = bench_now_ms() - t0;
    }
    qsort(ms, (size_t)runs, sizeof(*ms), bench_cmp_double);
    printf("deals=%zu trials=%u runs=%d threads=%u\n", n, trials, runs, res.threads_used);
    printf("expected=%.0f mean=%.0f p10=%lld p50=%lld p90=%lld prob_hit=%.4f\n", res.expected,
           res.mean, (long long)res.p10, (long long)res.p50, (long long)res.p90, res.prob_hit);
    printf("C median_ms=%.3f min_ms=%.3f max_ms=%.3f\n", ms[runs / 2], ms[0], ms[runs - 1]);
    free(p);
    free(amount);
    free(ms);
    return 0;
}
