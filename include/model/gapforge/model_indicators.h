/* gapforge model: leading indicators -- a two-sided CUSUM change detector on a weekly series,
 * standardised by a robust level and spread of the series' own baseline window, with its stated
 * in-control average run length and detection delay (Siegmund's approximation); the weekly
 * series of the pipeline's own indicators computed from deals; and the projected effect of a
 * shift on the deals not yet created through a lead-to-bookings lag. */
#ifndef GAPFORGE_MODEL_INDICATORS_H
#define GAPFORGE_MODEL_INDICATORS_H

#include "gapforge/model.h"

/* ---- the detector ---- */

/* The CUSUM's design. Spreads are in units of the baseline's robust standard deviation. */
typedef struct gf_model_cusum_opts {
    double k;            /* reference value, spreads (default 0.75: half the design shift,
                            the value that detects that shift fastest) */
    double arl0;         /* the in-control average run length asked for, buckets (default
                            52); the threshold h is solved from it */
    size_t baseline;     /* baseline buckets, before the monitored ones (default 39) */
    size_t monitor;      /* monitored buckets, the last ones (default 8) */
    size_t min_baseline; /* fewer usable baseline buckets: insufficient history (default 8) */
    double design_shift; /* the shift, in spreads, whose detection delay is stated (1.5) */
    double clip;         /* standardised values are clipped to +-clip (default 4) */
} gf_model_cusum_opts;

/* The defaults above. */
void gf_model_cusum_opts_default(gf_model_cusum_opts *o);

/* Siegmund's approximation of the average run length of a two-sided CUSUM with reference k and
 * threshold h (both in spreads, h > 0) on unit-variance observations whose mean is `shift`
 * spreads away from the baseline: 1/ARL = 1/A(shift - k) + 1/A(-shift - k), with
 * A(m) = (exp(-2 m b) + 2 m b - 1) / (2 m^2), A(0) = b^2, b = h + 1.166. shift = 0 gives the
 * in-control ARL (the false-alarm rate is its inverse); shift != 0 the expected delay from a
 * fresh start. NAN for h <= 0 or non-finite arguments. */
double gf_model_cusum_arl(double k, double h, double shift);

/* The threshold h > 0 at which the two-sided CUSUM of reference k has in-control ARL arl0
 * (gf_model_cusum_arl(k, h, 0) = arl0 to 1e-9 relative). NAN for k < 0 or arl0 < 2. */
double gf_model_cusum_threshold(double k, double arl0);

/* The detector's state at the end of the series. */
enum gf_model_shift_state {
    GF_MODEL_SHIFT_INSUFFICIENT = 0, /* fewer than min_baseline baseline buckets or no monitored
                                        one with a value */
    GF_MODEL_SHIFT_NO_SPREAD = 1,    /* the baseline never varied: nothing to standardise by */
    GF_MODEL_SHIFT_IN_CONTROL = 2,   /* neither statistic above h */
    GF_MODEL_SHIFT_UP = 3,           /* the upper statistic is above h now */
    GF_MODEL_SHIFT_DOWN = 4,         /* the lower statistic is above h now */
};

/* "insufficient_history", "no_variation", "in_control", "shifted_up", "shifted_down". */
const char *gf_model_shift_state_name(int state);

/* What the detector says about a series x[0..n) (NAN: a bucket with no value, skipped). The
 * monitored buckets are the last opts.monitor, the baseline the opts.baseline before them (as
 * many as there are). Indices are into x. */
typedef struct gf_model_shift {
    int state;                         /* enum gf_model_shift_state */
    size_t baseline_from, baseline_to; /* [from, to) of the baseline buckets */
    size_t monitor_from;               /* first monitored bucket (monitored: [monitor_from, n)) */
    size_t n_baseline;                 /* baseline buckets with a value */
    double baseline;    /* its robust level: the mean winsorised at 2.5 MADs of the median */
    double spread;      /* its robust spread: the winsorised standard deviation, made
                           consistent for the normal */
    size_t recent_from; /* first bucket of the recent level: the shift's start in alarm, else
                           monitor_from */
    size_t n_recent;    /* buckets with a value from recent_from on */
    double recent;      /* their mean */
    double change;      /* recent - baseline */
    double change_se;   /* its standard error: spread x sqrt(1/n_recent + 1/n_baseline) */
    double relative;    /* change / |baseline| (NAN when the baseline is 0) */
    double up, down;    /* the two statistics at the end, spreads */
    size_t alarm_at;    /* in alarm: the bucket where the current excursion first passed h */
    double k, h;        /* the design */
    double arl0;        /* gf_model_cusum_arl(k, h, 0): the stated in-control run length */
    double delay;       /* gf_model_cusum_arl(k, h, design_shift): the stated delay */
    double design_shift;
} gf_model_shift;

/* Runs the detector over x[0..n). The statistics start at 0 on the first monitored bucket:
 * S+ = max(0, S+ + z - k), S- = max(0, S- - z - k), z the bucket standardised by the baseline
 * and clipped. In alarm (a statistic above h at the end) the shift began on the bucket after the
 * last reset (S = 0) of that statistic, and `recent` is the mean since then; otherwise the
 * recent level is the monitored buckets' mean. Returns 0 or GF_MODEL_EINVAL (NULL arguments, a
 * design with k < 0, arl0 < 2, monitor = 0). */
int gf_model_shift_detect(const double *x, size_t n, const gf_model_cusum_opts *o,
                          gf_model_shift *out) GF_MUST_CHECK;

/* ---- weekly series ---- */

/* The Monday on or before day (weeks run Monday to Sunday). */
gf_day gf_model_week_start(gf_day day);

/* KPI aggregations, as in kpis.aggregation. */
enum gf_model_kpi_agg { GF_MODEL_AGG_SUM = 0, GF_MODEL_AGG_MEAN = 1, GF_MODEL_AGG_LAST = 2 };

/* Buckets observations (days[i], values[i]; any order) into the n weeks starting on Monday
 * `first` by aggregation: out[w] is their sum, mean or the value of the latest day of week w, NAN
 * for a week with no observation. Observations outside the weeks are ignored. */
void gf_model_kpi_weeks(const gf_day *days, const double *values, size_t nobs, int aggregation,
                        gf_day first, size_t n, double *out);

/* The pipeline's own indicators, one array of n weeks each (owned: gf_model_pipeline_free). */
enum gf_model_pipeline_ind {
    GF_MODEL_IND_OPPORTUNITIES = 0, /* deals created in the week */
    GF_MODEL_IND_MARKETING_SHARE,   /* share of the week's new pipeline amount sourced by
                                       marketing (NAN: no new amount with a known source) */
    GF_MODEL_IND_NEW_DEAL_SIZE,     /* mean amount of the week's new deals, cents (NAN: none) */
    GF_MODEL_IND_VELOCITY,          /* opportunities x win rate x size / cycle days: the week's
                                       new deals x their mean size x the win rate of the deals
                                       that closed that week / the median cycle of its wins,
                                       cents per day (NAN: no close or no win that week) */
    GF_MODEL_PIPELINE_INDS
};

/* "opportunities_created", "marketing_share", "new_deal_size", "velocity". */
const char *gf_model_pipeline_ind_name(int ind);

typedef struct gf_model_pipeline {
    gf_day first; /* Monday of week 0 */
    size_t n;
    double *v[GF_MODEL_PIPELINE_INDS];
} gf_model_pipeline;

/* Computes the weekly indicators of the deals in scope (NULL: all) over the n weeks from Monday
 * `first`, reading only data dated before as_of (weeks not wholly before as_of are the caller's
 * to avoid). marketing (NULL: unknown) holds per deal 1 for a marketing-sourced deal, 0 for
 * another known source, 2 for no source. Returns 0, GF_MODEL_EINVAL or GF_MODEL_ENOMEM (out
 * left empty). */
int gf_model_pipeline_weeks(const gf_model_history *h, const uint8_t *scope,
                            const uint8_t *marketing, gf_day first, size_t n, gf_day as_of,
                            gf_model_pipeline *out) GF_MUST_CHECK;

/* Frees the arrays; NULL-safe. */
void gf_model_pipeline_free(gf_model_pipeline *p);

/* ---- the effect of a leading shift ---- */

/* A shift's projected effect on the deals not yet created of one period, bookings at day d
 * answering to the leading indicator at d - lag_days. */
typedef struct gf_model_lead_effect {
    int applied;         /* 1 when the detector is in alarm (a shift is projected) */
    double relative;     /* the shift: recent / baseline - 1 */
    gf_day shift_start;  /* the first day of the week the shift began */
    gf_day effect_start; /* shift_start + lag_days: the first bookings day it reaches */
    gf_day window_start; /* the new-deal window [max(as_of, period.start), period.end] ... */
    gf_day window_end;
    double share;      /* ... and the share of its days on or after effect_start */
    double multiplier; /* 1 + relative x share, at least `floor`: what the rate of deals
                          not yet created is multiplied by */
} gf_model_lead_effect;

/* The effect of a detected shift s on period at as_of, the shift having begun on shift_start
 * (the Monday of s->recent_from), under the status quo: the recent level lasts. Nothing is
 * applied (multiplier 1) unless s is in alarm with a finite relative change; the multiplier
 * never falls below floor (e.g. 0.05). Never fails. */
void gf_model_lead_effect_of(const gf_model_shift *s, gf_day shift_start, int lag_days,
                             gf_model_period period, gf_day as_of, double floor,
                             gf_model_lead_effect *out);

#endif
