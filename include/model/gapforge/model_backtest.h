/* gapforge model: judging forecasts against what happened -- the actual of a past period, the
 * simple forecasts a team would otherwise use (weighted pipeline, run rate) rebuilt at a past
 * as_of, and the scores that compare forecasts with actuals (WAPE, bias, quantile coverage,
 * pinball loss, Brier score). Pure; amounts in cents. The spread's self-backtest is
 * model_calib.h's: this module scores a backtest a client asked for. */
#ifndef GAPFORGE_MODEL_BACKTEST_H
#define GAPFORGE_MODEL_BACKTEST_H

#include "gapforge/model.h"

/* What was won in `period` among the deals of scope (NULL: every deal; else h->n_deals entries,
 * non-zero for the scope's deals) as h knows it at the start of day `known` (a day after the
 * period's end): the deals whose state then is won, with a close day inside the period, at their
 * amount then. A deal won in the period and reopened or lost before `known` does not count. */
int64_t gf_model_bt_actual(const gf_model_history *h, const uint8_t *scope, gf_model_period period,
                           gf_day known);

/* The simple forecasts of a period at as_of, from data dated before as_of only. */
typedef struct gf_model_bt_baselines {
    int64_t booked_cents; /* won in [period.start, as_of - 1] (the forecast's booked) */
    /* booked + each deal open at as_of whose close date then falls in the period (overdue ones
     * included) x its stage's default probability */
    double weighted_pipeline_cents;
    int has_run_rate;       /* 0 when no day of data precedes the period */
    double run_rate_cents;  /* booked + rate_won / (rate_to - rate_from + 1) x remaining days */
    gf_day rate_from;       /* the trailing window: the rate_quarters calendar quarters ending */
    gf_day rate_to;         /* before period.start, from the org's first data at the earliest */
    int64_t rate_won_cents; /* won in [rate_from, rate_to] */
    int remaining_days;     /* days from max(as_of, period.start) to period.end */
} gf_model_bt_baselines;

/* Rebuilds the baselines of period at as_of for the deals of scope (as gf_model_bt_actual).
 * The run rate's window is the rate_quarters (>= 1) quarters of cal that end before
 * period.start; it starts no earlier than the first day of the org's data before as_of (the
 * earliest creation or stage change), so a young org's rate is not diluted by days before it
 * existed, and there is no run rate when that leaves no day. Returns 0 or GF_MODEL_EINVAL (NULL
 * arguments, period.end < period.start, rate_quarters 0); *out is zeroed on failure. */
int gf_model_bt_baselines_at(const gf_model_history *h, const gf_model_calendar *cal,
                             gf_model_period period, gf_day as_of, const uint8_t *scope,
                             size_t rate_quarters, gf_model_bt_baselines *out) GF_MUST_CHECK;

/* One backtested forecast of the model: its quantiles and what happened, in cents. */
typedef struct gf_model_bt_point {
    double p10, p50, p90;
    double actual;
    int has_target;  /* 0: no target, prob_hit and hit are not used */
    double prob_hit; /* the forecast's P(total >= target) */
    int hit;         /* 1 when actual >= target */
} gf_model_bt_point;

/* The scores of the model over a set of points. A figure that cannot be computed is NaN (no
 * point, nothing actually won, no point with a target). */
typedef struct gf_model_bt_score {
    size_t n;
    double wape;      /* sum |p50 - actual| / sum actual */
    double bias;      /* sum (p50 - actual) / sum actual: > 0 over-forecasts */
    double below_p10; /* share of points with actual < p10 (calibrated: 0.1) */
    double below_p50; /* ... actual < p50 (0.5) */
    double above_p90; /* ... actual > p90 (0.1) */
    /* Mean pinball (quantile) loss over the points and the three quantiles q in {0.1, 0.5, 0.9},
     * rho_q(u) = max(q u, (q - 1) u) with u = actual - quantile, divided by the mean actual so
     * that orgs of any size compare (0 is perfect). */
    double pinball;
    size_t n_brier; /* points with a target */
    double brier;   /* mean (prob_hit - hit)^2 over them (0 is perfect; always 0.5 scores 0.25) */
} gf_model_bt_score;

/* Scores n points (pts may be NULL when n is 0). Returns 0 or GF_MODEL_EINVAL (NULL out, or
 * NULL pts with n > 0). */
int gf_model_bt_score_model(const gf_model_bt_point *pts, size_t n, gf_model_bt_score *out)
    GF_MUST_CHECK;

/* The scores of a point forecast (a baseline). */
typedef struct gf_model_bt_error {
    size_t n;    /* points with a forecast */
    double wape; /* sum |forecast - actual| / sum actual over them; NaN when that sum is 0 */
    double bias; /* sum (forecast - actual) / sum actual */
} gf_model_bt_error;

/* Scores the point forecasts forecast[k] against actual[k] over the k < n where forecast[k] is
 * not NaN (a missing forecast, e.g. no commit was submitted). Returns 0 or GF_MODEL_EINVAL. */
int gf_model_bt_score_point(const double *forecast, const double *actual, size_t n,
                            gf_model_bt_error *out) GF_MUST_CHECK;

#endif
