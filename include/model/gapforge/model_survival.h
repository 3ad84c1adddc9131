/* gapforge model: the discrete-time multi-state survival model of deals in open stages (daily
 * hazards of being won, lost and moving on, by stage and age in stage, with backoff and a
 * quarter-end factor on winning) and the dynamic programme that turns it into P(won by a day). */
#ifndef GAPFORGE_MODEL_SURVIVAL_H
#define GAPFORGE_MODEL_SURVIVAL_H

#include "gapforge/model.h"
#include "gapforge/model_spells.h"

/* Age-in-stage buckets, roughly log-spaced: [0,7) [7,14) [14,21) [21,35) [35,56) [56,91)
 * [91,140) [140,210) [210,365) [365,inf). */
#define GF_MODEL_AGE_BUCKETS 10
/* Ages at or beyond this behave alike (the last bucket); the DP tracks ages 0..GF_MODEL_MAX_AGE. */
#define GF_MODEL_MAX_AGE 365
/* Whole weeks to quarter end: 0 (the last 7 days) .. 12, and 13 for 13 or more. Days outside
 * the calendar get factor 1. */
#define GF_MODEL_QE_WEEKS 14
/* The longest span the DP accepts (days). */
#define GF_MODEL_MAX_HORIZON 1500

/* The first age of bucket b (0 <= b < GF_MODEL_AGE_BUCKETS). */
int32_t gf_model_age_bucket_start(int b);

/* The bucket of an age in days (negative ages count as 0). */
int gf_model_age_bucket(int32_t age);

/* Which level of the backoff served an estimate. */
enum gf_model_level {
    GF_MODEL_LEVEL_CELL = 0,  /* the stage x age cell had data outweighing its prior */
    GF_MODEL_LEVEL_STAGE = 1, /* thin cell: the stage's all-ages rates dominate */
    GF_MODEL_LEVEL_GLOBAL =
        2, /* thin stage: the pooled exit rate split by the default probability */
    GF_MODEL_LEVEL_DEFAULT = 3 /* no history at all: fallback exit rate and default probability */
};

/* "cell", "stage", "global" or "default". */
const char *gf_model_level_name(int level);

/* Daily hazards of one cell with the evidence behind them. */
typedef struct gf_model_hazard {
    double won;   /* P(won on this day | in stage at this age), before the quarter-end factor */
    double lost;  /* P(lost on this day | ...) */
    double moved; /* P(moves to another open stage on this day | ...) */
    double exposure_days;            /* deal-days at risk in the history window */
    uint32_t n_spells;               /* distinct spells contributing exposure */
    uint32_t n_won, n_lost, n_moved; /* exits observed */
    int level;                       /* enum gf_model_level */
} gf_model_hazard;

/* Fitting options; gf_model_survival_opts_default fills them. */
typedef struct gf_model_survival_opts {
    gf_day window_start; /* exposure and exits count on days in [window_start, as_of) */
    double k_cell;       /* prior weight, in expected exits, of the stage rates on a cell */
    double k_stage; /* prior weight, in expected exits, of the global/default prior on a stage */
    double k_qe;    /* prior weight, in wins, pulling each quarter-end factor to 1 */
    double k_dest;  /* pseudo-moves toward the next open stage in the move destinations */
    double fallback_daily_exit; /* exit hazard used when the window holds no exits at all */
} gf_model_survival_opts;

/* Defaults: a 365-day window before as_of, k_cell 5, k_stage 5, k_qe 10, k_dest 1, fallback
 * 1/60 per day (a two-month stay). */
void gf_model_survival_opts_default(gf_day as_of, gf_model_survival_opts *o);

/* A fitted model. Owned by the caller (gf_model_survival_free); all arrays belong to it. */
typedef struct gf_model_survival {
    size_t n_stages;
    gf_model_stage *stages; /* copy of the stage table */
    gf_day as_of;
    gf_day window_start;
    gf_model_hazard *cells; /* [stage * GF_MODEL_AGE_BUCKETS + bucket]; zero for closed stages */
    gf_model_hazard *stage; /* [stage]: the stage level (all ages) */
    gf_model_hazard global; /* all open stages pooled */
    double moved_share;     /* share of exits that are moves, pooled (feeds the global prior) */
    double *dest;           /* [from * n_stages + to]: P(to | moves from `from`) */
    double qe_factor[GF_MODEL_QE_WEEKS];   /* won-hazard multiplier by weeks to quarter end */
    double qe_won[GF_MODEL_QE_WEEKS];      /* wins observed at that distance */
    double qe_expected[GF_MODEL_QE_WEEKS]; /* wins the base hazards predict there */
    size_t n_spells;                       /* spells that contributed exposure */
} gf_model_survival;

/* Fits the model on spells built at as_of = spells->as_of, for the given stage table (the one
 * the spells were built with) and calendar (borrowed; NULL or empty: no quarter-end factor is
 * learnt). Censored spells count as at risk up to their current age. Returns 0 and a new
 * model in *out, GF_MODEL_EINVAL (bad arguments, stage out of range, window after as_of) or
 * GF_MODEL_ENOMEM; on failure *out is NULL. */
int gf_model_survival_fit(const gf_model_spells *spells, const gf_model_stage *stages,
                          size_t n_stages, const gf_model_calendar *cal,
                          const gf_model_survival_opts *opts, gf_model_survival **out)
    GF_MUST_CHECK;

/* Frees a model; NULL-safe. */
void gf_model_survival_free(gf_model_survival *m);

/* The won-hazard factor that applies on `day` under calendar cal (1 outside it or if NULL). */
double gf_model_survival_qe_factor(const gf_model_survival *m, const gf_model_calendar *cal,
                                   gf_day day);

/* P(won on some day in [from, end] | in open stage s at age a at the start of day `from`), for
 * every open stage and every age 0..GF_MODEL_MAX_AGE, by backward induction over days. Owned by
 * the caller (gf_model_pwin_free). */
typedef struct gf_model_pwin {
    size_t n_stages;
    gf_day from;
    gf_day end;
    double *v; /* [stage * (GF_MODEL_MAX_AGE + 1) + age] */
} gf_model_pwin;

/* Runs the DP from `from` to `end` (inclusive; end < from gives all zeros) with the
 * quarter-end factors of calendar cal (NULL: none). Returns 0 and a new table, GF_MODEL_EINVAL
 * (span over GF_MODEL_MAX_HORIZON) or GF_MODEL_ENOMEM; on failure *out is NULL. */
int gf_model_pwin_new(const gf_model_survival *m, const gf_model_calendar *cal, gf_day from,
                      gf_day end, gf_model_pwin **out) GF_MUST_CHECK;

/* The table's value for (stage, age); ages past GF_MODEL_MAX_AGE use the last one, and
 * closed or out-of-range stages give 0. */
double gf_model_pwin_get(const gf_model_pwin *t, int32_t stage, int32_t age);

/* Frees a table; NULL-safe. */
void gf_model_pwin_free(gf_model_pwin *t);

#endif
