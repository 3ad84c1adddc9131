/* gapforge model: the Monte Carlo of a period's total (booked + open deals + deals not yet
 * created), with a common multiplier per trial so that deals are not treated as independent. */
#ifndef GAPFORGE_MODEL_SIM_H
#define GAPFORGE_MODEL_SIM_H

#include "gapforge/model.h"

#define GF_MODEL_SIM_BINS           20
#define GF_MODEL_SIM_DEFAULT_TRIALS 10000u
#define GF_MODEL_SIM_MIN_TRIALS     1000u
#define GF_MODEL_SIM_MAX_TRIALS     1000000u
/* Trials that share one draw of the common multiplier (one block of generator lanes). */
#define GF_MODEL_SIM_LANES 16u

/* Everything one simulation needs; all arrays borrowed. */
typedef struct gf_model_sim_input {
    const int64_t *amount_cents; /* open deals: amount, n_deals entries, each >= 0 */
    const double *p;             /* open deals: P(won in the period), each in [0, 1] */
    size_t n_deals;
    int64_t booked_cents; /* already won in the period, certain */
    double new_lambda;    /* expected count of not-yet-created deals won in time */
    /* Bootstrap pool of their amounts (may be empty if lambda == 0). */
    const int64_t *new_amount_cents;
    size_t n_new_amounts;
    int64_t target_cents;
    double sigma;    /* spread of the common multiplier m = exp(sigma * z - sigma^2 / 2), z
                        standard normal (so E[m] = 1), that each trial applies to every deal's
                        odds and to lambda; 0 makes deals independent */
    uint32_t trials; /* GF_MODEL_SIM_MIN_TRIALS..GF_MODEL_SIM_MAX_TRIALS; 0 means the default */
    uint64_t seed;
    unsigned threads; /* worker threads; 0 means all online CPUs. Never changes the answer. */
} gf_model_sim_input;

/* The distribution of the period total, in cents. */
typedef struct gf_model_sim_result {
    double expected;  /* closed form without the multiplier: booked + sum a*p + lambda*mean(new) */
    double mean;      /* Monte Carlo mean */
    double stddev;    /* Monte Carlo standard deviation of the total */
    double std_error; /* stddev / sqrt(trials): the standard error of `mean` */
    /* Empirical quantiles: the smallest total with a share >= q of the trials at or below it. */
    int64_t p10, p50, p90;
    int64_t min, max;
    double prob_hit;                           /* share of trials with total >= target */
    int64_t hist_edges[GF_MODEL_SIM_BINS + 1]; /* equal-width bins from min to max */
    /* Bin k holds edges[k] <= x < edges[k+1]; the last bin is closed. */
    uint32_t hist_counts[GF_MODEL_SIM_BINS];
    uint32_t trials;
    unsigned threads_used;
} gf_model_sim_result;

/* The closed-form expected total of `in` (no multiplier, no sampling). Never fails; assumes
 * arguments that gf_model_sim_run would accept. */
double gf_model_sim_expected(const gf_model_sim_input *in);

/* Runs the simulation. Trials are drawn in blocks of GF_MODEL_SIM_LANES: block b of B =
 * ceil(trials / lanes) uses one stream per lane seeded from (seed, b * lanes + lane), and its
 * trials share one multiplier drawn from the b-th of B equal-probability strata of z (stratified
 * sampling), so the same inputs and seed give bit-identical results for any thread count. If
 * `totals` is not NULL it receives the `trials` per-trial totals in trial order (common random
 * numbers for scenarios). Runs below about 4e6 draws use one thread unless `threads` asks for more;
 * a thread that cannot be started only means fewer hands. Returns 0, GF_MODEL_EINVAL (bad
 * probabilities, amounts, trials, sigma or lambda; *out untouched) or GF_MODEL_ENOMEM. The caller
 * owns `in`, `out` and `totals`. */
int gf_model_sim_run(const gf_model_sim_input *in, gf_model_sim_result *out, int64_t *totals)
    GF_MUST_CHECK;

#endif
