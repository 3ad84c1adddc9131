/* ets_internal.h: what the ETS files (ets.c, ets_filter.c, ets_init.c, ets_fit.c, ets_skill.c,
 * ets_sim.c) share: the table of kinds, the state and work space of a fit, and the steps each
 * file offers the others. Private to the model; the contract for callers is
 * gapforge/model_ets.h. */
#ifndef GAPFORGE_MODEL_ETS_INTERNAL_H
#define GAPFORGE_MODEL_ETS_INTERNAL_H

#include <stddef.h>

#include "gapforge/model_ets.h"

/* Free initial states at most: l, b and m - 1 seasons. */
#define ETS_MAX_STATES (GF_MODEL_ETS_MAX_PERIOD + 1)
/* Columns of the least-squares system: e0, the responses, season 0's raw one. */
#define ETS_MAX_COLS (ETS_MAX_STATES + 2)

/* What each kind is made of; `sibling` is the additive-error kind whose initial states a
 * multiplicative one starts from (itself for the additive kinds). */
typedef struct ets_kind_info {
    const char *name;
    unsigned char trend, damped, season, merr, msea;
    int sibling;
} ets_kind_info;

/* Indexed by enum gf_model_ets_kind (ets_filter.c). */
extern const ets_kind_info gf_model__ets_kinds[GF_MODEL_ETS_N_KINDS];

static inline int ets_has_trend(int kind)
{
    return gf_model__ets_kinds[kind].trend;
}

static inline int ets_is_damped(int kind)
{
    return gf_model__ets_kinds[kind].damped;
}

static inline int ets_is_seasonal(int kind)
{
    return gf_model__ets_kinds[kind].season;
}

static inline int ets_is_mult(int kind)
{
    return gf_model__ets_kinds[kind].merr;
}

/* Smoothing parameters of a kind: alpha, then beta, gamma, phi when present. */
static inline size_t ets_n_smoothing(int kind)
{
    return 1 + (size_t)ets_has_trend(kind) + (size_t)ets_is_seasonal(kind) +
           (size_t)ets_is_damped(kind);
}

/* Free initial states: the level, the trend, and m - 1 seasons (they sum to zero, or to m). */
static inline size_t ets_n_initial(int kind, size_t m)
{
    return 1 + (size_t)ets_has_trend(kind) + (ets_is_seasonal(kind) ? m - 1 : 0);
}

/* Whether y[t] is missing (missing may be NULL: nothing is). */
static inline int ets_gap(const unsigned char *missing, size_t t)
{
    return missing && missing[t];
}

/* The state of the recursions: level, trend, and the seasons indexed by t mod m. */
typedef struct ets_state {
    double l, b, s[GF_MODEL_ETS_MAX_PERIOD];
} ets_state;

/* Work space of one fit (ets_fit.c fills it, ets_init.c reads it and writes cols). */
typedef struct ets_work {
    const double *y;
    const unsigned char *missing; /* NULL: no gaps */
    size_t n, n_obs;
    double *cols; /* additive kinds: d + 2 columns of n: the errors from x0 = 0, then each free
                   * state's response (no gaps: the level's, the trend's and season 0's) */
    double floor; /* the smallest sse considered, so a perfect fit has a finite likelihood */
    ets_state x0; /* multiplicative kinds: the fixed initial state */
} ets_work;

/* ets_filter.c. Runs the recursions of `mod` (its kind, m and smoothing parameters) over
 * y[0..n-1] from *x, y[0] being time t0 and missing[0..n-1] its gaps (NULL: none), leaving the
 * final state in *x. Writes the one-step forecasts into fitted when not NULL and, for
 * multiplicative errors, the sum of log(forecast) over observed values into *logsum (when not
 * NULL). Returns the sum of squared errors over the observed values (relative errors for
 * multiplicative kinds), or HUGE_VAL when a multiplicative kind forecasts a value that is not
 * positive (then *x and *logsum are left part-way). */
double gf_model__ets_filter(const gf_model_ets_model *mod, const double *y,
                            const unsigned char *missing, size_t t0, size_t n, ets_state *x,
                            double *fitted, double *logsum);
/* ets_filter.c. The initial state for the free-state vector c (seasons summing to zero). */
void gf_model__ets_state_of(const gf_model_ets_model *mod, const double *c, ets_state *x);
/* ets_filter.c. The model's point forecasts of the next h values from state *x at absolute time
 * t into out[0..h-1]. */
void gf_model__ets_forecast_from(const gf_model_ets_model *mod, const ets_state *x, size_t t,
                                 size_t h, double *out);
/* ets_filter.c. The last observed value of y[0..n-1] (n >= 1; y[0] observed). */
double gf_model__ets_last_observed(const double *y, const unsigned char *missing, size_t n);

/* ets_init.c. For the smoothing parameters in *mod (an additive kind), finds the initial states
 * minimising the sse into c[0..ets_n_initial - 1], using w->cols as scratch. Returns the sse, or
 * HUGE_VAL when the system is degenerate (c is then unspecified). */
double gf_model__ets_best_initial(gf_model_ets_model *mod, ets_work *w, double *c);

/* ets_fit.c. gf_model_ets_fit with gaps (missing may be NULL) and a hint (NULL: none): a fit of
 * the same kind on more of the series starts the search from its smoothing parameters and, for
 * a multiplicative kind, lends its initial states; for a multiplicative kind, a fit of its
 * additive sibling lends its states and parameters (NULL: the sibling is fitted here). Returns
 * 0, GF_MODEL_EINVAL or GF_MODEL_ENOMEM as gf_model_ets_fit does; *out is zeroed on error. */
int gf_model__ets_fit(const double *y, const unsigned char *missing, size_t n, int kind, size_t m,
                      const gf_model_ets_model *hint, gf_model_ets_model *out) GF_MUST_CHECK;

/* ets_skill.c. Measures the skill of `chosen` over y[0..n-1] with forecasts of up to h steps
 * (see gf_model_ets_skill) into *sk. Returns 0 or GF_MODEL_ENOMEM. */
int gf_model__ets_skill(const double *y, const unsigned char *missing, size_t n, size_t m, size_t h,
                        double min_gain, const gf_model_ets_model *chosen, gf_model_ets_skill *sk)
    GF_MUST_CHECK;

/* ets_sim.c. Simulates `paths` paths of res->method (res->model unless NAIVE: a random walk from
 * the last observed value) with error spread sigma and fills res->steps, res->aggregate,
 * res->agg_draws and, with opt->keep_paths, res->paths and res->path_agg. Returns 0 or
 * GF_MODEL_ENOMEM (what it did allocate is left in res for gf_model_ets_result_free). */
int gf_model__ets_simulate(const double *y, size_t n, const gf_model_ets_options *opt, size_t paths,
                           double sigma, gf_model_ets_result *res) GF_MUST_CHECK;

#endif
