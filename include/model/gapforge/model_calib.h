/* gapforge model: calibrating the spread of the common multiplier from the org's own forecast
 * errors at the same point of earlier quarters, and the self-backtest that measures them. */
#ifndef GAPFORGE_MODEL_CALIB_H
#define GAPFORGE_MODEL_CALIB_H

#include "gapforge/model.h"
#include "gapforge/model_forecast.h"

#define GF_MODEL_CALIB_MAX_BACK 16

/* One past quarter replayed at the same day offset. Amounts in cents. "Remaining" means what
 * was still to be won at the replayed as_of: open deals and deals not yet created. */
typedef struct gf_model_backtest_point {
    gf_model_period period;
    gf_day as_of;
    double booked;             /* booked at the replayed as_of */
    double expected_remaining; /* the closed-form forecast of the remaining */
    double actual_remaining;   /* what was actually won in [as_of, period.end] */
    double expected_total;     /* booked + expected_remaining */
    double actual_total;       /* booked + actual_remaining */
    double log_error;          /* ln(max(actual_rem, 5% of expected_rem) / expected_rem) */
    double rel_error;          /* (actual_rem - expected_rem) / expected_rem */
    double model_rel_var;      /* Var(remaining) / expected_rem^2 under independent draws */
    double elasticity;         /* d ln(expected remaining) / d ln(multiplier) at 1 */
    int usable;                /* 0 when nothing was expected (the point carries no information) */
} gf_model_backtest_point;

/* Replays the forecast of `period` at as_of in each of the n_back (<= GF_MODEL_CALIB_MAX_BACK)
 * most recent calendar quarters that start before period.start and end before as_of: at
 * quarter.start + (as_of - period.start), with the same history-window length and options, using
 * only data before that past as_of, then compares with what was won by the quarter's end (known
 * before as_of, so nothing after as_of is read). Quarters whose replayed history window would
 * start before the org's first data (the earliest creation or stage change) are not replayed:
 * a truncated history is not the model being judged. Writes up to n_back points, most recent first,
 * and their count to *n_out. Returns 0, GF_MODEL_EINVAL or GF_MODEL_ENOMEM. */
int gf_model_backtest_run(const gf_model_history *h, const gf_model_calendar *cal,
                          gf_model_period period, gf_day as_of, const gf_model_forecast_opts *o,
                          size_t n_back, gf_model_backtest_point *out, size_t *n_out) GF_MUST_CHECK;

/* The spread estimate and its evidence. */
typedef struct gf_model_sigma_est {
    double sigma; /* the spread to simulate with (gf_model_sim_input.sigma) */
    double raw;   /* the moment estimate before widening and floor */
    double bias;  /* mean log error of the usable points */
    size_t n;     /* usable points */
    int floored;  /* 1 if the floor was applied */
} gf_model_sigma_est;

/* Estimates sigma from backtest points by moments of the relative errors r = actual / expected
 * - 1 of the remaining: their mean square, less the relative variance v the independent draws
 * already explain, is what the common multiplier m (lognormal, mean 1, Var m = exp(sigma^2) - 1)
 * must add through the elasticity,
 *   raw^2 = ln(1 + max(0, sum(r^2 - v)) / sum(elasticity^2)),
 * then widened by t_0.9(n) / z_0.9 because raw itself comes from only n errors (the next error is
 * Student-t, not normal: x1.09 at n = 8). While fewer than n_full points are usable the result is
 * at least `floor` (e.g. 0.10); with no usable point it is the floor. Returns 0 or
 * GF_MODEL_EINVAL (NULL arguments, negative floor). Both terms are on the same (linear) scale:
 * squared log errors against the delta-method v would count the skew of a sum of few deals (a
 * quarter where little was won gives ln 0.05 = -3) as common variation and inflate sigma,
 * pulling P50 far below the mean for small orgs. */
int gf_model_calib_sigma(const gf_model_backtest_point *pts, size_t n, double floor, size_t n_full,
                         gf_model_sigma_est *out) GF_MUST_CHECK;

#endif
