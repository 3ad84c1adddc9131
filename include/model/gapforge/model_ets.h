/* gapforge model: exponential smoothing (ETS, additive errors) for one KPI series: fit the family
 * by maximum likelihood, choose by AICc, check the skill against naive on the series' own history,
 * and forecast with quantiles simulated from the fitted model's errors. */
#ifndef GAPFORGE_MODEL_ETS_H
#define GAPFORGE_MODEL_ETS_H

#include "gapforge/model.h"

/* The longest season the model keeps (e.g. 7 for daily data, 12 monthly, 52 weekly). */
#define GF_MODEL_ETS_MAX_PERIOD 64
/* The most draws (horizon x paths) one forecast simulates: 128 MiB of doubles. */
#define GF_MODEL_ETS_MAX_DRAWS ((size_t)1 << 24)
/* The fewest observations gf_model_ets_forecast accepts. */
#define GF_MODEL_ETS_MIN_N 4

/* The methods, in the order they are tried. Error is additive in all of them; trend is none,
 * additive or additive damped; season is none or additive. Multiplicative variants are not
 * implemented. GF_MODEL_ETS_NAIVE is the random walk the forecast falls back to. */
enum gf_model_ets_kind {
    GF_MODEL_ETS_ANN = 0, /* simple exponential smoothing */
    GF_MODEL_ETS_AAN,     /* Holt's linear trend */
    GF_MODEL_ETS_AADN,    /* damped trend */
    GF_MODEL_ETS_ANA,     /* simple with additive season */
    GF_MODEL_ETS_AAA,     /* Holt-Winters additive */
    GF_MODEL_ETS_AADA,    /* damped Holt-Winters additive */
    GF_MODEL_ETS_N_KINDS,
    GF_MODEL_ETS_NAIVE = GF_MODEL_ETS_N_KINDS,
};

/* How the KPI aggregates buckets into a period's value. */
enum gf_model_ets_agg {
    GF_MODEL_ETS_SUM = 0,
    GF_MODEL_ETS_MEAN,
    GF_MODEL_ETS_LAST,
};

/* The short name of a kind ("ANN", "AAdN", ..., "naive"); never NULL. */
const char *gf_model_ets_kind_name(int kind);

/* One fitted model. The state equations, with e_t the one-step error:
 *   yhat_t = l + phi*b + s[t mod m];  l' = l + phi*b + alpha*e;  b' = phi*b + beta*e;
 *   s'[t mod m] = s[t mod m] + gamma*e
 * (b = 0 without trend, phi = 1 without damping, s = 0 and m = 1 without season). */
typedef struct gf_model_ets_model {
    int kind; /* enum gf_model_ets_kind (never NAIVE) */
    size_t m; /* the season's period (1 when not seasonal) */
    double alpha, beta, gamma, phi;
    double l0, b0, s0[GF_MODEL_ETS_MAX_PERIOD]; /* initial states; s0[j] is season j (t mod m) */
    size_t n;                                   /* the observations it was fitted on */
    double level, trend, season[GF_MODEL_ETS_MAX_PERIOD]; /* states after y[n-1], season[t % m] */
    double sse;                                           /* sum of squared one-step errors */
    double sigma;   /* sqrt(sse / (n - k)), the error spread simulated */
    double loglik;  /* Gaussian log-likelihood at the MLE, -n/2 (log(2 pi sse/n) + 1) */
    double aicc;    /* -2 loglik + 2k + 2k(k+1)/(n-k-1) */
    size_t n_param; /* k: smoothing parameters + free initial states + 1 (sigma) */
} gf_model_ets_model;

/* Fits one kind to y[0..n-1] (equally spaced, no gaps: every value finite) with season period m
 * (ignored by non-seasonal kinds). Smoothing parameters maximise the Gaussian likelihood
 * (minimise n log(sse/n)) by Nelder-Mead over a bounded transform (0 < alpha < 1,
 * 0 < beta < alpha, 0 < gamma < 1 - alpha, 0.8 <= phi <= 0.98); for each candidate the initial
 * states are the exact least-squares (hence ML) solution, the errors being linear in them, with
 * the seasonal states summing to zero. Needs n >= k + 2 and, seasonal, m >= 2 and n >= 2m.
 * Returns 0, GF_MODEL_EINVAL (bad argument or too few observations) or GF_MODEL_ENOMEM. */
int gf_model_ets_fit(const double *y, size_t n, int kind, size_t m, gf_model_ets_model *out)
    GF_MUST_CHECK;

/* The closed-form mean forecast j = 1..h steps after the fitted data into out[0..h-1]:
 * level + (phi + ... + phi^j) trend + season[(n + j - 1) mod m]. Never fails for h >= 1. */
void gf_model_ets_point(const gf_model_ets_model *mod, size_t h, double *out);

/* One candidate of the choice, as reported. */
typedef struct gf_model_ets_candidate {
    int kind;
    int fitted; /* 0 when the series is too short for it (or not seasonal enough); rest is 0 */
    double alpha, beta, gamma, phi, sigma, aicc;
    size_t n_param;
} gf_model_ets_candidate;

/* The forecast's skill on the series' own history. Parameters are re-fitted (same kind) on the
 * first `n_train` observations only; the states then run on through the rest with those
 * parameters, and from every origin o in [n_train, n-1] the next min(h, n - o) values are
 * forecast by the model, by naive (y[o-1]) and by seasonal naive (the same season's last value).
 * MASE = mean absolute error over every (origin, step) / the mean absolute one-step change of
 * y[0..n_train-1] (0 for a perfect method on a series that never changes, HUGE_VAL otherwise). */
typedef struct gf_model_ets_skill {
    size_t n_train, n_origins, n_errors;
    int in_sample; /* 1 when the chosen kind could not be fitted on n_train: full-series params */
    double mase_model, mase_naive, mase_snaive; /* mase_snaive is mase_naive when m == 1 */
    int beats_naive; /* mase_model < (1 - min_gain) * mase_naive, or both exactly 0 */
    /* Out-of-sample one-step RMSE / the training fit's sigma: how much wider the errors are on
     * data the parameters did not see (0 when there is no origin). */
    double oos_ratio;
} gf_model_ets_skill;

/* The quantiles of one forecast step, or of the aggregate. */
typedef struct gf_model_ets_band {
    double mean, p10, p50, p90;
} gf_model_ets_band;

typedef struct gf_model_ets_options {
    size_t period;   /* the season's period m >= 1 (1: no season); <= GF_MODEL_ETS_MAX_PERIOD */
    size_t horizon;  /* h >= 1 steps to forecast */
    int agg;         /* enum gf_model_ets_agg, for the aggregate */
    size_t agg_from; /* the first step (0-based) the aggregate includes; < horizon */
    /* Known part of the aggregated period (actuals to date): for SUM the aggregate is
     * prior_sum + the steps' sum, for MEAN (prior_sum + sum) / (prior_count + steps); LAST ignores
     * them. Zero for the forecast steps alone. */
    double prior_sum;
    size_t prior_count;
    size_t n_paths;  /* simulated paths; 0 means 4000; at most 1,000,000 */
    uint64_t seed;   /* the RNG seed (stream 0): same inputs and seed, same answer */
    double min_gain; /* share by which the model must cut naive's MASE to be kept, in [0, 1) */
} gf_model_ets_options;

/* The chosen method, its evidence and the forecast. Arrays are owned (gf_model_ets_result_free). */
typedef struct gf_model_ets_result {
    int method;    /* enum gf_model_ets_kind actually forecast: a kind or GF_MODEL_ETS_NAIVE */
    int chosen;    /* the kind AICc chose (GF_MODEL_ETS_NAIVE when none could be fitted) */
    int fell_back; /* 1 when `chosen` was not shown to beat naive and naive was used */
    gf_model_ets_model model; /* the chosen kind's fit (zero when chosen is NAIVE) */
    gf_model_ets_candidate candidates[GF_MODEL_ETS_N_KINDS]; /* indexed by kind */
    gf_model_ets_skill skill;
    double naive_sigma; /* root mean square one-step change: the naive fallback's spread */
    /* The model's sigma is simulated times this: max(1, sqrt((r^2 o + 20) / (o + 20))) with r the
     * skill's oos_ratio over o origins (a ratio of 1 worth 20 origins), so parameters fitted on
     * a short series do not make the band narrower than its errors out of sample. */
    double sigma_factor;
    size_t horizon, n_paths;
    gf_model_ets_band *steps; /* horizon bands, one per step */
    gf_model_ets_band aggregate;
    double *agg_draws; /* the n_paths simulated aggregates, ascending */
} gf_model_ets_result;

/* Fits every kind that the data allow (seasonal ones when m >= 2 and n >= 2m), chooses the
 * lowest AICc, measures its skill (gf_model_ets_skill) and, unless it beats naive, falls back to
 * naive: a random walk from y[n-1] with naive_sigma. No kind fitted, or no origin to judge by,
 * is also a fall back. Then simulates n_paths error paths (Gaussian, the method's sigma) through
 * the state equations: per-step and aggregate quantiles come from the same paths (type-7
 * interpolation), never by summing quantiles. y must be finite (no gaps), n >= GF_MODEL_ETS_MIN_N.
 * `out` must be zeroed or freed. Returns 0, GF_MODEL_EINVAL (NULL, short or non-finite series,
 * m < 1 or too long, h < 1, h x paths > GF_MODEL_ETS_MAX_DRAWS, bad agg, agg_from >= h,
 * bad min_gain) or GF_MODEL_ENOMEM; on error
 * `out` is left empty. */
int gf_model_ets_forecast(const double *y, size_t n, const gf_model_ets_options *opt,
                          gf_model_ets_result *out) GF_MUST_CHECK;

/* The share of simulated aggregates at or above x (the probability of meeting a
 * higher-is-better target x). 0 for an empty result. */
double gf_model_ets_prob_at_least(const gf_model_ets_result *res, double x);

/* Frees the arrays and zeroes the struct; NULL-safe. */
void gf_model_ets_result_free(gf_model_ets_result *res);

#endif
