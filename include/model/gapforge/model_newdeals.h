/* gapforge model: deals not yet created, as a compound Poisson learnt from the same day-offset
 * window of earlier quarters (the count rate and a bootstrap pool of the amounts won). */
#ifndef GAPFORGE_MODEL_NEWDEALS_H
#define GAPFORGE_MODEL_NEWDEALS_H

#include "gapforge/model.h"

#define GF_MODEL_NEWDEALS_MAX_QUARTERS 16

/* What one earlier quarter contributed. */
typedef struct gf_model_newdeals_quarter {
    gf_model_period quarter;
    gf_day window_start; /* quarter.start + (as_of - period.start) */
    uint32_t count;    /* deals created in [window_start, quarter.end] and won inside the quarter */
    int64_t won_cents; /* their amounts */
    double exposure;   /* share of the replayed window on or after the org's first data day */
} gf_model_newdeals_quarter;

/* The fitted compound Poisson. `amounts` is owned (gf_model_newdeals_free). */
typedef struct gf_model_newdeals {
    double lambda;    /* counts over the quarters used / their exposure; 0 when none */
    int64_t *amounts; /* the amounts of every counted deal, as at its quarter's end */
    size_t n_amounts;
    double mean_amount; /* mean of `amounts` (0 if empty) */
    size_t n_quarters;
    gf_model_newdeals_quarter quarters[GF_MODEL_NEWDEALS_MAX_QUARTERS]; /* most recent first */
    int fallback; /* 1 when no earlier quarter was complete before as_of (lambda is 0) */
} gf_model_newdeals;

/* Estimates the deals that will be created on/after as_of and won inside `period`. The window is
 * [as_of, period.end]; its offset from period.start is replayed in each of the (up to
 * max_quarters, at most GF_MODEL_NEWDEALS_MAX_QUARTERS) most recent calendar quarters that start
 * before period.start and end before as_of, counting deals created in the replayed window and won
 * inside that quarter. A young org's replayed windows may start before its first data
 * (gf_model_history_first_day): such a quarter is not a quarter without new deals. Quarters whose
 * window is wholly observed are used when there is one; otherwise the partly observed ones, each
 * weighted by its exposure (lambda = sum of counts / sum of exposures); quarters ending before the
 * first data are never used. Only data dated before as_of is read. If `scope` is not NULL, only
 * deals with scope[i] != 0 count. `out` must be zeroed or freed; on success it owns its pool.
 * Returns 0, GF_MODEL_EINVAL or GF_MODEL_ENOMEM (out left empty). */
int gf_model_newdeals_fit(const gf_model_history *h, const gf_model_calendar *cal,
                          gf_model_period period, gf_day as_of, size_t max_quarters,
                          const uint8_t *scope, gf_model_newdeals *out) GF_MUST_CHECK;

/* Frees the pool and zeroes the struct; NULL-safe. */
void gf_model_newdeals_free(gf_model_newdeals *nd);

#endif
