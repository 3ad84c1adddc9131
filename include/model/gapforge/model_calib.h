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
 * quarter.start + (as_of - period.start), with the same options and a history window as long as
 * today's but never reaching back before the org's first data (gf_model_history_first_day): a
 * young org's replays use the shorter history it had then, as its forecast today uses what it
 * has; such shortened replays (poorer forecasts than a full window gives) are made only while
 * fewer than half of n_back points have been found. Only data before each past as_of is read by
 * its replay, and the quarter's outcome is known
 * before as_of. Quarters with fewer than min_history_days of data before their replayed as_of
 * are not replayed (there is no forecast to judge). Writes up to n_back points, most recent
 * first, and their count to *n_out. Returns 0, GF_MODEL_EINVAL or GF_MODEL_ENOMEM. */
int gf_model_backtest_run(const gf_model_history *h, const gf_model_calendar *cal,
                          gf_model_period period, gf_day as_of, const gf_model_forecast_opts *o,
                          gf_day min_history_days, size_t n_back, gf_model_backtest_point *out,
                          size_t *n_out) GF_MUST_CHECK;

/* What is believed about the spread before the org's own errors are seen. */
typedef struct gf_model_sigma_prior {
    double sigma;      /* the prior spread of the common multiplier, e.g. 0.20 */
    double points;     /* its weight, in backtest points (e.g. 4) */
    double elasticity; /* today's forecast's elasticity: the weight of each prior point */
    double floor;      /* the least sigma while fewer than n_full points are usable */
    size_t n_full;
} gf_model_sigma_prior;

/* The spread estimate and its evidence. */
typedef struct gf_model_sigma_est {
    double sigma;  /* the spread to simulate with (gf_model_sim_input.sigma) */
    double raw;    /* the org's own moment estimate (its points alone, before widening) */
    double prior;  /* the prior's sigma (0 when nothing remains: it has nothing to weigh) */
    double weight; /* the own points' share of the pooled estimate, in [0, 1] */
    double bias;   /* mean log error of the usable points */
    size_t n;      /* usable points */
    int floored;   /* 1 if the floor was applied */
} gf_model_sigma_est;

/* Estimates sigma from backtest points by moments of the relative errors r = actual / expected
 * - 1 of the remaining: their mean square, less the relative variance v the independent draws
 * already explain, is what the common multiplier m (lognormal, mean 1, Var m = exp(sigma^2) - 1)
 * must add through the elasticity. The prior enters as `points` pseudo-points at today's
 * elasticity el whose excess is what a multiplier of spread prior->sigma would add, so the
 * org's own estimate takes over as its points accumulate (weight = sum el_i^2 / (sum el_i^2 +
 * points * el^2), about n / (n + points)):
 *   sigma^2 = ln(1 + max(0, sum(r^2 - v) + points * el^2 * (exp(prior^2) - 1))
 *                    / (sum(el_i^2) + points * el^2)),
 * then widened by 1 + weight (t_0.9(n) / z_0.9 - 1): the own share is estimated from n errors,
 * so the next error is Student-t, not normal (x1.09 at n = 8), while the prior is already a
 * predictive spread. While fewer than n_full points are usable
 * the result is at least the floor; it never exceeds 3. Returns 0 or GF_MODEL_EINVAL (NULL
 * arguments, a negative or non-finite prior). Both terms are on the same (linear) scale: squared
 * log errors against the delta-method v would count the skew of a sum of few deals (a quarter
 * where little was won gives ln 0.05 = -3) as common variation and inflate sigma, pulling P50 far
 * below the mean for small orgs. */
int gf_model_calib_sigma(const gf_model_backtest_point *pts, size_t n,
                         const gf_model_sigma_prior *prior, gf_model_sigma_est *out) GF_MUST_CHECK;

#endif
