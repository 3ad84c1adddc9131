/* gapforge model: a seeded generator of synthetic deal histories with known true parameters
 * (stage hazards, staleness, quarter-end bunching, a common shock per quarter), used to test that
 * the estimators recover what generated the data and that the forecast is calibrated. */
#ifndef GAPFORGE_MODEL_SYNTH_H
#define GAPFORGE_MODEL_SYNTH_H

#include "gapforge/model.h"

#define GF_MODEL_SYNTH_MAX_OPEN 8

/* The true process. Open stages are 0..n_open-1, then won (n_open) and lost (n_open + 1).
 * A deal in open stage s at age a on day d is, that day, won with probability
 * won[s] * stale(a) * qe(d) * shock(q(d)), lost with lost[s], advanced to s+1 with
 * advance[s] * stale(a) (advance of the last open stage is ignored), where stale(a) is
 * stale_factor once a >= stale_age (else 1), qe(d) is qe_boost in the last qe_days of a quarter
 * (else 1) and shock(q) = exp(shock_sigma * z_q) with z_q standard normal per quarter. Deals are
 * created as a Poisson process of deals_per_day * shock(q) per day in stage 0; a share
 * zombie_share never move, win or close (the open deals nobody closed). The expected close date
 * starts at created + cycle_days + U[0, 2 cycle_days) and, once passed, is pushed 30-59 days on. */
typedef struct gf_model_synth_params {
    uint64_t seed;
    gf_day start_day; /* first creation day; quarters are calendar quarters (Jan, Apr, Jul, Oct) */
    gf_day end_day;   /* nothing happens on or after this day */
    int n_open;
    double won[GF_MODEL_SYNTH_MAX_OPEN];
    double lost[GF_MODEL_SYNTH_MAX_OPEN];
    double advance[GF_MODEL_SYNTH_MAX_OPEN];
    double default_prob[GF_MODEL_SYNTH_MAX_OPEN]; /* written to the stage table */
    int32_t stale_age;
    double stale_factor;
    int32_t qe_days;
    double qe_boost;
    double shock_sigma;
    double deals_per_day;
    double zombie_share;
    double amount_log_mean; /* log of cents */
    double amount_log_sd;
    int32_t cycle_days;
} gf_model_synth_params;

/* A generated org. Owns all its arrays; gf_model_synth_history lends them as a history. */
typedef struct gf_model_synth {
    gf_model_stage stages[GF_MODEL_SYNTH_MAX_OPEN + 2];
    size_t n_stages;
    gf_model_deal *deals;
    size_t n_deals;
    gf_model_transition *transitions; /* pool behind deals[].timeline */
    gf_model_change *close_changes;   /* pool behind deals[].close_dates */
    gf_model_period *quarters; /* calendar quarters covering [start_day, end_day] and one more */
    size_t n_quarters;
    double *shock; /* the true multiplier of each quarter */
} gf_model_synth;

/* A reasonable default process: 4 open stages, 6 new deals a day, staleness after 60 days. */
void gf_model_synth_params_default(gf_model_synth_params *p);

/* Generates an org. Returns 0 and a new org in *out, GF_MODEL_EINVAL (bad parameters) or
 * GF_MODEL_ENOMEM (then *out is NULL). */
int gf_model_synth_new(const gf_model_synth_params *p, gf_model_synth **out) GF_MUST_CHECK;

/* Frees an org; NULL-safe. */
void gf_model_synth_free(gf_model_synth *s);

/* Lends the org as a history and a calendar (valid while s lives). */
void gf_model_synth_history(const gf_model_synth *s, gf_model_history *h, gf_model_calendar *cal);

/* The true P(eventually won | just entered open stage s) of the process without staleness,
 * zombies, quarter-end boost or shock: the absorbing probability of the constant-hazard chain. */
double gf_model_synth_true_win_prob(const gf_model_synth_params *p, int s);

#endif
