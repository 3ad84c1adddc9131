/* gapforge model: how right a call was — a forecast of a period's total (the model's P50, a
 * rep's commit, a manager's call) against what was won — and which caller was the more accurate,
 * from which week of the quarter on. Pure; amounts in cents. */
#ifndef GAPFORGE_MODEL_ACCURACY_H
#define GAPFORGE_MODEL_ACCURACY_H

#include <stddef.h>

/* One call scored against the actual. ratio and accuracy are NaN when nothing was won. */
typedef struct gf_model_call_score {
    double ratio;     /* forecast / actual */
    double accuracy;  /* max(0, 1 - |actual - forecast| / actual) (HubSpot's definition) */
    double abs_error; /* |forecast - actual| */
    double error;     /* forecast - actual: > 0 called high */
} gf_model_call_score;

void gf_model_call_score_of(double forecast, double actual, gf_model_call_score *out);

/* A caller's calls over many points: sums to score them together. */
typedef struct gf_model_call_tally {
    size_t n;
    double accuracy_sum; /* over the n_acc points whose actual was positive */
    size_t n_acc;
    double error_sum, abs_error_sum, actual_sum;
} gf_model_call_tally;

void gf_model_call_tally_add(gf_model_call_tally *t, double forecast, double actual);
/* Mean accuracy (NaN without a point with a positive actual), bias = sum error / sum actual and
 * WAPE = sum |error| / sum actual (NaN when nothing was won). */
double gf_model_call_tally_accuracy(const gf_model_call_tally *t);
double gf_model_call_tally_bias(const gf_model_call_tally *t);
double gf_model_call_tally_wape(const gf_model_call_tally *t);

/* The first week w such that in every week from w on where both have a mean accuracy (not NaN)
 * a's is at least b's, and there is at least one such week; -1 when none. */
int gf_model_better_from_week(const double *a, const double *b, size_t weeks);

#endif
