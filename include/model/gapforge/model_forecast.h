/* gapforge model: the status-quo forecast assembled from history at as_of -- booked, every open
 * deal's P(won in the period) from the survival model, deals not yet created -- ready to feed
 * the Monte Carlo. */
#ifndef GAPFORGE_MODEL_FORECAST_H
#define GAPFORGE_MODEL_FORECAST_H

#include "gapforge/model.h"
#include "gapforge/model_closedate.h"
#include "gapforge/model_newdeals.h"
#include "gapforge/model_sim.h"
#include "gapforge/model_survival.h"

/* Options of one forecast. */
typedef struct gf_model_forecast_opts {
    gf_model_survival_opts survival; /* its window_start fixes the history window */
    size_t new_quarters;             /* earlier quarters replayed for new deals (default 4) */
    size_t close_quarters;           /* earlier quarters replayed for close-date factors
                                        (default 4; 0 disables them) */
    double k_close;                  /* their pseudo-deals pulling each factor to 1 (default 10) */
    double k_amount;                 /* pseudo-deals pulling the won-amount factor to 1
                                        (default 10) */
    double new_scale;                /* multiplies the rate of deals not yet created (a leading
                                        indicator's projected shift); 0, as zeroed, means 1 */
    const uint8_t *scope;            /* if not NULL: deals with scope[i] != 0 are the forecast's
                                        (booked, open, new); the survival model always learns
                                        from every deal. Borrowed. */
} gf_model_forecast_opts;

/* Defaults for a forecast at as_of: 365-day history window, 4 earlier quarters for new deals and
 * for close-date factors, whole org. */
void gf_model_forecast_opts_default(gf_day as_of, gf_model_forecast_opts *o);

/* o->new_scale as applied: 1 when it is 0 (unset), negative or not finite. */
double gf_model_forecast_new_scale(const gf_model_forecast_opts *o);

/* Flags of an open deal (bits). */
enum gf_model_deal_flag {
    GF_MODEL_FLAG_OVERDUE = 1,   /* its expected close date is before as_of */
    GF_MODEL_FLAG_STALE = 2,     /* its age in stage has at least halved its P(eventually won) */
    GF_MODEL_FLAG_PUSHED = 4,    /* its close date was moved later at least once */
    GF_MODEL_FLAG_IN_PERIOD = 8, /* its expected close date falls inside the period */
};

/* One deal open at as_of, with what the model says about it. */
typedef struct gf_model_open_deal {
    uint32_t deal; /* index into the history */
    int32_t stage;
    int32_t age; /* days in stage at as_of */
    int64_t amount_cents;
    gf_day close_date; /* or GF_MODEL_NO_DAY */
    int32_t pushes;
    double p_win;       /* P(eventually won), no calendar effects, GF_MODEL_MAX_HORIZON days */
    double p_survival;  /* P(won inside the period) from stage, age and calendar alone */
    double p_in_period; /* p_survival with the odds factors of its close-date position and stage */
    int close_pos;      /* enum gf_model_close_pos */
    unsigned flags;     /* enum gf_model_deal_flag */
} gf_model_open_deal;

/* A forecast's deterministic part. Owned by the caller (gf_model_forecast_free). */
typedef struct gf_model_forecast {
    gf_day as_of;
    gf_model_period period;
    int64_t booked_cents; /* won in [period.start, min(period.end, as_of - 1)] */
    size_t n_booked;
    gf_model_open_deal *open; /* every open deal in scope */
    size_t n_open;
    int64_t *amount;              /* n_open amounts as they will book (amount_cents x
                                     won_amount_factor) and ... */
    double *p;                    /* ... n_open p_in_period, parallel arrays for the simulation */
    int64_t open_in_period_cents; /* open amount whose close date falls in the period */
    double expected_open_cents;   /* sum amount * p_in_period */
    double won_amount_factor;     /* what deals won in the history window booked / the amount
                                     they showed the day before, shrunk to 1 by k_amount
                                     pseudo-deals: a discount (or upsell) at signature; 1 where
                                     amounts never change at the win */
    size_t won_amount_n;          /* the deals it was learnt from */
    double expected_new_cents;    /* lambda * mean amount of new deals */
    double elasticity;            /* d ln(expected remaining) / d ln(odds multiplier) */
    gf_model_newdeals newdeals;
    gf_model_close_factors close; /* all 1 when disabled */
    gf_model_survival *survival;
} gf_model_forecast;

/* Builds the forecast of `period` at as_of from data dated strictly before as_of (later data in
 * h changes nothing). as_of may precede the period (then nothing is booked and deals created in
 * [as_of, period.end] count as new) or follow it. cal must cover the history window and the
 * period for the quarter-end factor and new deals to be learnt. Returns 0 and a new forecast,
 * GF_MODEL_EINVAL (malformed history, period or options) or GF_MODEL_ENOMEM; on failure *out is
 * NULL. */
int gf_model_forecast_build(const gf_model_history *h, const gf_model_calendar *cal,
                            gf_model_period period, gf_day as_of, const gf_model_forecast_opts *o,
                            gf_model_forecast **out) GF_MUST_CHECK;

/* Frees a forecast; NULL-safe. */
void gf_model_forecast_free(gf_model_forecast *f);

/* Fills a simulation input that lends the forecast's arrays (valid while f lives). */
void gf_model_forecast_sim_input(const gf_model_forecast *f, int64_t target_cents, double sigma,
                                 uint32_t trials, uint64_t seed, unsigned threads,
                                 gf_model_sim_input *in);

#endif
