/* gapforge model: what-if scenarios -- the baseline and the input transformed by lever units,
 * simulated with common random numbers so that their difference is not noise, and each lever's
 * own uplift. */
#ifndef GAPFORGE_MODEL_SCENARIO_H
#define GAPFORGE_MODEL_SCENARIO_H

#include "gapforge/model_levers.h"
#include "gapforge/model_sim.h"

/* Scenario minus baseline. */
typedef struct gf_model_delta {
    double expected;       /* closed-form expected totals */
    int64_t p10, p50, p90; /* quantiles */
    double prob_hit;
    double mean;    /* mean of the per-trial differences (same seed: same trial, same draws) */
    double mean_se; /* its standard error from the paired differences */
} gf_model_delta;

/* One lever applied alone (the others at zero units). */
typedef struct gf_model_uplift {
    uint32_t units;
    int64_t cost_cents;
    double kpi_delta;
    gf_model_delta delta;
} gf_model_uplift;

/* A scenario's answer. Owned by the caller (gf_model_scenario_free frees `uplift`). */
typedef struct gf_model_scenario {
    gf_model_sim_result baseline;
    gf_model_sim_result result;
    gf_model_delta delta;
    int64_t cost_cents;
    double kpi_delta;
    gf_model_uplift *uplift; /* n entries, in lever order */
    size_t n;
} gf_model_scenario;

/* Simulates the base input transformed by the levers with `trials` trials (0: the base's) and the
 * base's seed, writing the per-trial totals to `totals` if not NULL (trials entries). `w` is
 * scratch the caller owns (zeroed, or reused). Returns 0, GF_MODEL_EINVAL or GF_MODEL_ENOMEM. */
int gf_model_scenario_eval(const gf_model_lever_ctx *ctx, const gf_model_lever *levers,
                           const uint32_t *units, size_t n, uint32_t trials, gf_model_lever_work *w,
                           gf_model_sim_result *out, int64_t *totals) GF_MUST_CHECK;

/* The difference of two runs with the same trial count; totals may be NULL (then mean and mean_se
 * are those of the results' means, se from the independent-runs formula). */
void gf_model_delta_of(const gf_model_sim_result *base, const int64_t *base_totals,
                       const gf_model_sim_result *scen, const int64_t *scen_totals,
                       gf_model_delta *out);

/* Runs baseline and scenario (units[k] of levers[k]) with the base's seed and trials, and each
 * lever with non-zero units alone. Zero units everywhere give a delta of exactly 0. Returns 0
 * and fills *out (free with gf_model_scenario_free), GF_MODEL_EINVAL or GF_MODEL_ENOMEM (then *out
 * holds nothing to free). */
int gf_model_scenario_run(const gf_model_lever_ctx *ctx, const gf_model_lever *levers,
                          const uint32_t *units, size_t n, gf_model_scenario *out) GF_MUST_CHECK;

/* Frees a scenario's uplift array and zeroes it; NULL-safe. */
void gf_model_scenario_free(gf_model_scenario *s);

#endif
