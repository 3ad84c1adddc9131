/* gapforge model: one row of a roll-up -- a scope's deals priced with the parent forecast's
 * per-deal probabilities, with the scope's own booked amount and new-deal estimate, so that the
 * expected values of a partition of the parent add up to the parent's. */
#ifndef GAPFORGE_MODEL_ROLLUP_H
#define GAPFORGE_MODEL_ROLLUP_H

#include "gapforge/model.h"
#include "gapforge/model_forecast.h"

/* A roll-up row, in cents. */
typedef struct gf_model_rollup {
    double booked_cents;   /* won in [period.start, min(period.end, as_of - 1)] */
    double open_cents;     /* open amount whose expected close date falls in the period */
    double expected_cents; /* booked + sum amount x p + lambda x mean amount of new deals */
    int64_t p10, p50, p90; /* of the Monte Carlo total */
    double prob_hit;       /* share of trials with a total >= target_cents (1 for target 0) */
} gf_model_rollup;

/* The row of the deals of mask (NULL: all; else h->n_deals entries, mask[i] != 0 for the deals
 * of the row). parent is the forecast the row belongs to, built from h and cal with the options
 * o: its open deals in mask keep the parent's amounts and p_in_period; booked and the new deals
 * are the mask's own, the new deals fitted over o->new_quarters earlier quarters as the parent's
 * were (o->scope is not used: mask chooses the deals). The simulation runs with sigma, trials
 * (0: the default), seed and target_cents (0: none) on every CPU (the answer does not depend on
 * it). Rows of masks that partition the parent's deals have expected values that add up to the
 * parent's row (mask = the parent's scope) to rounding. Returns 0, GF_MODEL_EINVAL (a NULL
 * argument, a malformed history or period, or simulation settings gf_model_sim_run refuses) or
 * GF_MODEL_ENOMEM; on failure *out is zeroed. */
int gf_model_rollup_row(const gf_model_history *h, const gf_model_calendar *cal,
                        const gf_model_forecast *parent, const gf_model_forecast_opts *o,
                        const uint8_t *mask, double sigma, int64_t target_cents, uint32_t trials,
                        uint64_t seed, gf_model_rollup *out) GF_MUST_CHECK;

#endif
