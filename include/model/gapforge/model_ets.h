/* gapforge model: exponential smoothing (ETS, additive and multiplicative errors) for one KPI
 * series, gaps allowed: fit the family by maximum likelihood, choose by AICc, check the skill
 * against naive on the series' own history, and forecast with quantiles simulated from the
 * fitted model's errors. */
#ifndef GAPFORGE_MODEL_ETS_H
#define GAPFORGE_MODEL_ETS_H

#include "gapforge/model.h"

/* The longest season the model keeps (e.g. 7 for daily data, 12 monthly, 52 weekly). */
#define GF_MODEL_ETS_MAX_PERIOD 64
/* The most draws (horizon x paths) one forecast simulates: 128 MiB of doubles. */
#define GF_MODEL_ETS_MAX_DRAWS ((size_t)1 << 24)
/* The fewest observations gf_model_ets_forecast fits a model on (fewer: naive, widened). */
#define GF_MODEL_ETS_MIN_N 4

/* The methods, in the order they are tried (Hyndman et al., "Forecasting with exponential
 * smoothing", 2008: error, trend, season). The first six have additive errors: trend none,
 * additive or additive damped, season none or additive. The last six have multiplicative errors
 * (the error is relative to the one-step forecast) with the same trends and season none or
 * multiplicative; they are tried only when every observed value is positive, and their
 * likelihood carries the Jacobian term (2 sum log|forecast|) so that AICc compares them with
 * the additive ones on the same data scale. GF_MODEL_ETS_NAIVE is the random walk the forecast
 * falls back to. */
enum gf_model_ets_kind {
    GF_MODEL_ETS_ANN = 0, /* simple exponential smoothing */
    GF_MODEL_ETS_AAN,     /* Holt's linear trend */
    GF_MODEL_ETS_AADN,    /* damped trend */
    GF_MODEL_ETS_ANA,     /* simple with additive season */
    GF_MODEL_ETS_AAA,     /* Holt-Winters additive */
    GF_MODEL_ETS_AADA,    /* damped Holt-Winters additive */
    GF_MODEL_ETS_MNN,     /* simple, multiplicative error */
    GF_MODEL_ETS_MAN,     /* Holt, multiplicative error */
    GF_MODEL_ETS_MADN,    /* damped trend, multiplicative error */
    GF_MODEL_ETS_MNM,     /* multiplicative season and error */
    GF_MODEL_ETS_MAM,     /* Holt-Winters multiplicative */
    GF_MODEL_ETS_MADM,    /* damped Holt-Winters multiplicative */
    GF_MODEL_ETS_N_KINDS,
    GF_MODEL_ETS_NAIVE = GF_MODEL_ETS_N_KINDS,
};

/* How the KPI aggregates buckets into a period's value. */
enum gf_model_ets_agg {
    GF_MODEL_ETS_SUM = 0,
    GF_MODEL_ETS_MEAN,
    GF_MODEL_ETS_LAST,
};

/* The short name of a kind ("ANN", "AAdN", "MAdM", ..., "naive"); never NULL. */
const char *gf_model_ets_kind_name(int kind);

/* One fitted model. With u = l + phi*b and j = t mod m, the state equations are, additive error
 * (e_t = y_t - yhat_t):
 *   yhat_t = u + s[j];  l' = u + alpha*e;  b' = phi*b + beta*e;  s'[j] = s[j] + gamma*e
 * and multiplicative error (e_t = (y_t - yhat_t) / yhat_t):
 *   yhat_t = u * s[j] (multiplicative season) or u;  l' = u (1 + alpha*e);
 *   b' = phi*b + beta*u*e;  s'[j] = s[j] (1 + gamma*e)
 * (b = 0 without trend, phi = 1 without damping, m = 1 and s = 0 without season). A gap (a
 * missing y_t) applies no error: the states move by their one-step prediction alone. */
typedef struct gf_model_ets_model {
    int kind; /* enum gf_model_ets_kind (never NAIVE) */
    size_t m; /* the season's period (1 when not seasonal) */
    double alpha, beta, gamma, phi;
    double l0, b0, s0[GF_MODEL_ETS_MAX_PERIOD]; /* initial states; s0[j] is season j (t mod m) */
    size_t n;                                   /* the observations it was fitted on */
    double level, trend, season[GF_MODEL_ETS_MAX_PERIOD]; /* states after y[n-1], season[t % m] */
    size_t n_obs;   /* the observed ones among them (the rest are gaps) */
    double sse;     /* sum of squared one-step errors (relative ones for multiplicative errors) */
    double sigma;   /* sqrt(sse / (n_obs - k)), the error spread simulated */
    double loglik;  /* Gaussian log-likelihood at the MLE, -n/2 (log(2 pi sse/n) + 1), less
                     * sum log|yhat_t| for multiplicative errors (n = n_obs) */
    double aicc;    /* -2 loglik + 2k + 2k(k+1)/(n-k-1) */
    size_t n_param; /* k: smoothing parameters + free initial states + 1 (sigma) */
} gf_model_ets_model;

/* Fits one kind to y[0..n-1] (equally spaced, no gaps: every value finite) with season period m
 * (ignored by non-seasonal kinds). Smoothing parameters maximise the Gaussian likelihood
 * (minimise n log(sse/n), plus 2 sum log|yhat| for multiplicative errors) by Nelder-Mead over a
 * bounded transform (0 < alpha < 1, 0 < beta < alpha, 0 < gamma < 1 - alpha,
 * 0.8 <= phi <= 0.98). Additive errors: for each candidate the initial states are the exact
 * least-squares (hence ML) solution, the errors being linear in them, with the seasonal states
 * summing to zero. Multiplicative errors: the initial states are those of the additive sibling's
 * fit (ANN for MNN, ..., AAdA for MAdM; seasons as ratios 1 + s/l0, normalised to mean 1), not
 * re-optimised, and counted as parameters all the same; every y must be positive. Needs
 * n >= k + 2 and, seasonal, m >= 2 and n >= 2m. Returns 0, GF_MODEL_EINVAL (bad argument, too
 * few observations, a multiplicative kind on data that are not all positive) or
 * GF_MODEL_ENOMEM. */
int gf_model_ets_fit(const double *y, size_t n, int kind, size_t m, gf_model_ets_model *out)
    GF_MUST_CHECK;

/* The point forecast j = 1..h steps after the fitted data into out[0..h-1]:
 * u_j + season[(n + j - 1) mod m], or u_j x season[...] for a multiplicative season, with
 * u_j = level + (phi + ... + phi^j) trend (the mean for additive models; for multiplicative ones
 * the mean differs slightly, and the simulation reports it). Never fails for h >= 1. */
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
    /* Gaps: NULL when every y[t] is observed; else missing[t] != 0 marks y[t] as missing (its
     * value is ignored and may be NaN). The first and last values must be observed. A gap is
     * filled by the model's one-step prediction: the states move without an error, the
     * likelihood and the skill count observed values only (naive forecasts the last observed
     * value), and `fitted` reports the prediction used. */
    const unsigned char *missing;
    int keep_paths; /* 1: keep every simulated path in the result (`paths`, for scenarios) */
} gf_model_ets_options;

/* The chosen method, its evidence and the forecast. Arrays are owned (gf_model_ets_result_free). */
typedef struct gf_model_ets_result {
    int method;    /* enum gf_model_ets_kind actually forecast: a kind or GF_MODEL_ETS_NAIVE */
    int chosen;    /* the kind AICc chose (GF_MODEL_ETS_NAIVE when none could be fitted) */
    int fell_back; /* 1 when `chosen` was not shown to beat naive and naive was used */
    /* 1 when the series had fewer than GF_MODEL_ETS_MIN_N observations: no model was tried and
     * the forecast is naive with its spread widened (see gf_model_ets_forecast). */
    int insufficient;
    size_t n_obs; /* observed values (n less the gaps) */
    int positive; /* 1 when every observed value is > 0 (the multiplicative kinds were tried) */
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
    double *fitted;    /* n one-step predictions of `method` (naive: the last observed value) */
    /* keep_paths: the simulated values, paths[j * n_paths + p] for step j of path p, and each
     * path's aggregate in path order (agg_draws is sorted); NULL otherwise. */
    double *paths;
    double *path_agg;
} gf_model_ets_result;

/* Fits every kind that the data allow (seasonal ones when m >= 2 and n >= 2m, multiplicative
 * ones when every observed value is positive), chooses the lowest AICc, measures its skill
 * (gf_model_ets_skill) and, unless it beats naive, falls back to naive: a random walk from the
 * last value with naive_sigma (the root mean square change between consecutive observed values).
 * No kind fitted, or no origin to judge by, is also a fall back. Then simulates n_paths error
 * paths (Gaussian, the method's sigma; relative errors for multiplicative kinds) through the
 * state equations: per-step and aggregate quantiles come from the same paths (type-7
 * interpolation), never by summing quantiles. Observed values must be finite; gaps are marked in
 * opt->missing. With 1 to GF_MODEL_ETS_MIN_N - 1 observations no model is tried: the answer is
 * naive with `insufficient` set and its sigma widened: the RMS change times t(0.9, df) / z(0.9)
 * for its df = observations - 1 changes, and never below 10% of the last value's magnitude
 * (1e-9 when that is 0). `out` must be zeroed or freed. Returns 0, GF_MODEL_EINVAL (NULL, an
 * empty series, a non-finite observed value, a gap first or last, m < 1 or too long, h < 1,
 * h x paths > GF_MODEL_ETS_MAX_DRAWS, bad agg, agg_from >= h, bad min_gain) or
 * GF_MODEL_ENOMEM; on error `out` is left empty. */
int gf_model_ets_forecast(const double *y, size_t n, const gf_model_ets_options *opt,
                          gf_model_ets_result *out) GF_MUST_CHECK;

/* The share of simulated aggregates at or above x (the probability of meeting a
 * higher-is-better target x). 0 for an empty result. */
double gf_model_ets_prob_at_least(const gf_model_ets_result *res, double x);

/* The share of the ascending v[0..n-1] at or below x (0 when n is 0). */
double gf_model_ets_share_at_most(const double *v, size_t n, double x);

/* The mean and quantiles (type 7) of v[0..n-1], which it reorders (a selection, not a sort). */
gf_model_ets_band gf_model_ets_band_of(double *v, size_t n);

/* Frees the arrays and zeroes the struct; NULL-safe. */
void gf_model_ets_result_free(gf_model_ets_result *res);

#endif
