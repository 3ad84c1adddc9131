/* Benchmark of the recovery plan: 10,000 open deals, 8 levers (one of each kind) with up to 10
 * units, a P50 goal 60% of the way from the baseline to what every unit together reaches,
 * 10,000 final trials and 2,000 per search evaluation; median of several runs. With max_units 1
 * (256 combinations) and up to 2,406 deals the search is exact: `bench_plan 2000 3 1.2 1` times
 * its worst case (nothing meets the goal, so every combination is evaluated at the full trials).
 * Usage: bench_plan [deals] [runs] [reach] [max_units] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "gapforge/model_plan.h"
#include "gapforge/model_rng.h"

#include "bench_util.h"

#define DAYS 91
#define NEXT 10

int main(int argc, char **argv)
{
    const size_t n = argc > 1 ? (size_t)atol(argv[1]) : 10000;
    const int runs = argc > 2 ? atoi(argv[2]) : 5;
    const double reach = argc > 3 ? atof(argv[3]) : 0.6;
    const uint32_t max_units = argc > 4 ? (uint32_t)atol(argv[4]) : 10;
    if (n < 16 || runs < 1 || runs > 100 || max_units < 1 || max_units > 10)
        return 2;
    int64_t *amount = malloc(n * sizeof(*amount)), pool[200], next[NEXT];
    double *p = malloc(n * sizeof(*p)), *ever = malloc(n * sizeof(*ever)), p_new[DAYS];
    double *ms = malloc((size_t)runs * sizeof(*ms));
    if (!amount || !p || !ever || !ms)
        return 1;
    gf_model_rng r;
    gf_model_rng_seed(&r, 7, 0);
    for (size_t i = 0; i < n; i++) {
        p[i] = gf_model_rng_uniform(&r) * 0.9;
        ever[i] = fmin(1.0, 1.5 * p[i]);
        amount[i] = llround(exp(log(2e6) + 0.9 * gf_model_rng_normal(&r)));
    }
    for (size_t k = 0; k < 200; k++)
        pool[k] = llround(exp(log(1.5e6) + 0.7 * gf_model_rng_normal(&r)));
    for (size_t k = 0; k < NEXT; k++)
        next[k] = 5000000 - 250000 * (int64_t)k;
    for (size_t d = 0; d < DAYS; d++)
        p_new[d] = 0.3 * (double)(DAYS - d) / DAYS;
    uint32_t named[10];
    for (uint32_t k = 0; k < 10; k++)
        named[k] = k * 97;
    gf_model_sim_input in = {.amount_cents = amount,
                             .p = p,
                             .n_deals = n,
                             .booked_cents = 500000000,
                             .new_lambda = 40.0,
                             .new_amount_cents = pool,
                             .n_new_amounts = 200,
                             .sigma = 0.25,
                             .trials = 10000,
                             .seed = 1};
    const gf_model_lever_ctx ctx = {.base = &in,
                                    .period = {0, DAYS - 1},
                                    .as_of = 20,
                                    .p_ever = ever,
                                    .p_new_by_day = p_new + 20,
                                    .n_p_new = DAYS - 20,
                                    .next_commit_cents = next,
                                    .n_next_commit = NEXT,
                                    .rep_bookings_per_day_cents = 200000,
                                    .rep_ramp_days = 30};
    gf_model_lever lv[8] = {
        {GF_MODEL_LEVER_WIN_RATE, 0.03, 1500000, 10, 14, GF_MODEL_NO_DAY, 0, NULL, 0},
        {GF_MODEL_LEVER_DEAL_SIZE, 0.01, 1000000, 10, 7, GF_MODEL_NO_DAY, 0, NULL, 0},
        {GF_MODEL_LEVER_PIPELINE, 5.0, 800000, 10, 10, GF_MODEL_NO_DAY, 0, NULL, 0},
        {GF_MODEL_LEVER_SLIPPAGE, 0.03, 1200000, 10, 7, GF_MODEL_NO_DAY, 0, NULL, 0},
        {GF_MODEL_LEVER_PULL_FORWARD, 0.5, 100000, 10, 0, GF_MODEL_NO_DAY, 0.1, NULL, 0},
        {GF_MODEL_LEVER_HEADCOUNT, 1.0, 4000000, 10, 21, GF_MODEL_NO_DAY, 0, NULL, 0},
        {GF_MODEL_LEVER_KPI, 2.0, 500000, 10, 5, GF_MODEL_NO_DAY, 0, NULL, 0, 0.1},
        {GF_MODEL_LEVER_CONCESSION, 0.3, 0, 10, 0, GF_MODEL_NO_DAY, 0.05, named, 10},
    };
    const uint32_t none[8] = {0};
    uint32_t most[8];
    for (int k = 0; k < 8; k++) {
        lv[k].max_units = max_units;
        most[k] = max_units;
    }
    gf_model_lever_work w = {0};
    gf_model_sim_result lo, hi;
    if (gf_model_scenario_eval(&ctx, lv, none, 8, 0, &w, &lo, NULL) ||
        gf_model_scenario_eval(&ctx, lv, most, 8, 0, &w, &hi, NULL))
        return 1;
    gf_model_lever_work_free(&w);
    in.target_cents = lo.p50 + (int64_t)(reach * (double)(hi.p50 - lo.p50));
    const gf_model_plan_opts o = {.goal = GF_MODEL_GOAL_P50, .budget_cents = -1, .lead_days = 7};
    gf_model_plan plan = {0};
    for (int k = 0; k < runs; k++) {
        gf_model_plan_free(&plan);
        const double t0 = bench_now_ms();
        if (gf_model_plan_search(&ctx, lv, 8, &o, &plan))
            return 1;
        ms[k] = bench_now_ms() - t0;
    }
    qsort(ms, (size_t)runs, sizeof(*ms), bench_cmp_double);
    printf("deals=%zu levers=8 max_units=%u trials=10000 search_trials=%u runs=%d search=%s\n", n,
           max_units, GF_MODEL_PLAN_SEARCH_TRIALS, runs, plan.exact ? "exact" : "greedy");
    printf("baseline p50=%ld target=%ld plan p50=%ld achieves=%d cost=%ld actions=%zu "
           "evaluations=%zu\n",
           (long)lo.p50, (long)in.target_cents, (long)plan.result.p50, plan.achieves,
           (long)plan.total_cost_cents, plan.n_actions, plan.evaluations);
    printf("units:");
    for (int k = 0; k < 8; k++)
        printf(" %s=%u", gf_model_lever_kind_name(lv[k].kind), plan.units[k]);
    printf("\nplan median_ms=%.1f (min %.1f, max %.1f)\n", ms[runs / 2], ms[0], ms[runs - 1]);
    gf_model_plan_free(&plan);
    free(amount);
    free(p);
    free(ever);
    free(ms);
    return 0;
}
