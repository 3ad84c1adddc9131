/* model_scorecard.h — a rep's scorecard figures (pure): what the rep's deals did in a period,
 * how the rep's win rate, cycle, won size, slip rate and stage dwell compare with the median of
 * the team's reps (overall, by source and by stage, with sample sizes), the open pipeline of a
 * later period by stage, each peer's bookings per quarter, and the rep's commit bias shrunk
 * toward the team's with an interval and a label.
 *
 * Every function reads only the history it is given (data dated before as_of, as loaded) and
 * writes only into its output. Counts are deals; money is cents; a figure without data is NAN
 * (its sample size then 0). */
#ifndef GAPFORGE_MODEL_SCORECARD_H
#define GAPFORGE_MODEL_SCORECARD_H

#include <stddef.h>
#include <stdint.h>

#include "gapforge/model.h"

/* A deal that belongs to none of the peers (gf_model_scorecard_in.peer). */
#define GF_MODEL_NO_PEER UINT32_MAX

/* What the scorecard reads. The peers are the reps the rep is compared with (the rep included,
 * at index rep); peer[i] is deal i's owner among them or GF_MODEL_NO_PEER; source[i] < n_sources
 * is deal i's source (may be NULL when n_sources is 0). */
typedef struct gf_model_scorecard_in {
    const gf_model_history *h;
    const uint32_t *peer;
    size_t n_peers, rep;
    const uint8_t *source;
    size_t n_sources;
    gf_model_period window; /* the days counted: the period, cut at as_of - 1 (may be empty) */
    gf_day as_of;           /* the state of deals at the start of this day */
    gf_model_period next;   /* the period whose open pipeline is reported */
    double stall_ratio;     /* a stage stalls when the rep's median dwell >= ratio x the team's */
    size_t stall_min_deals; /* ... over at least this many of the rep's deals leaving it */
} gf_model_scorecard_in;

/* A count and a value. */
typedef struct gf_model_sc_amount {
    size_t n;
    int64_t cents;
} gf_model_sc_amount;

/* The rep's figure beside the median of the peers' figures (over the peers with data). */
typedef struct gf_model_sc_stat {
    double rep;         /* NAN when rep_n is 0 */
    size_t rep_n;       /* the deals the rep's figure counts */
    double team_median; /* NAN when team_reps is 0 */
    size_t team_reps;   /* peers with data (the rep included when rep_n > 0) */
    size_t team_n;      /* the deals all peers' figures count */
} gf_model_sc_stat;

/* What worked: win rate (won / closed), cycle days (median, created to won), average won size
 * (cents) and slip rate (closed deals whose close date was ever pushed later / closed), of the
 * deals closed in the window. */
typedef struct gf_model_sc_worked {
    gf_model_sc_stat win_rate, cycle_days, avg_won_cents, slip_rate;
} gf_model_sc_worked;

/* One open stage: the share of deals leaving it in the window that moved on (to a later open
 * stage or won) and the median days they had spent in it; stalls when the rep's median dwell
 * is at least stall_ratio x the team median over at least stall_min_deals deals (and two peers
 * with data). */
typedef struct gf_model_sc_stage {
    gf_model_sc_stat advance_rate, days_in_stage;
    int stalls;
} gf_model_sc_stage;

/* Everything one call computes. Arrays are owned: free with gf_model_scorecard_free. */
typedef struct gf_model_scorecard {
    /* did (the rep's deals only) */
    gf_model_sc_amount won, lost;   /* closed (state at as_of) on a day in the window */
    gf_model_sc_amount created;     /* created in the window, at their creation amount */
    gf_model_sc_amount advanced;    /* deals that moved to a later open stage in the window */
    size_t advances;                /* ... and how many such moves */
    gf_model_sc_amount pushed;      /* deals whose close date in the window moved past its end */
    gf_model_sc_amount *lost_from;  /* n_stages: lost deals by the stage they were lost from */
    gf_model_sc_worked worked;      /* overall */
    gf_model_sc_worked *by_source;  /* n_sources */
    gf_model_sc_stage *by_stage;    /* n_stages (figures only for open stages) */
    gf_model_sc_amount *next_stage; /* n_stages: the rep's open deals at as_of closing in next */
    gf_model_sc_amount next_open;   /* their total */
    size_t n_stages, n_sources;
} gf_model_scorecard;

/* Computes the scorecard of in. Returns 0, GF_MODEL_EINVAL (NULL arguments, rep >= n_peers or a
 * source out of range) or GF_MODEL_ENOMEM; out is then zeroed. */
int gf_model_scorecard_compute(const gf_model_scorecard_in *in, gf_model_scorecard *out)
    GF_MUST_CHECK;

/* Frees the arrays of s and zeroes it; NULL-safe. */
void gf_model_scorecard_free(gf_model_scorecard *s);

/* Each peer's bookings in each of the nq quarters: out[p * nq + q] is the sum of the amounts of
 * peer p's deals won (state at as_of) on a day in quarter q. */
void gf_model_scorecard_bookings(const gf_model_history *h, const uint32_t *peer, size_t n_peers,
                                 const gf_model_period *quarters, size_t nq, gf_day as_of,
                                 int64_t *out);

/* The median of v[0..n) (v is sorted in place); NAN when n is 0. */
double gf_model_median(double *v, size_t n);

/* ---- commit bias ---- */

enum gf_model_bias_label {
    GF_MODEL_BIAS_UNKNOWN = 0, /* no quarter to judge by */
    GF_MODEL_BIAS_ACCURATE,    /* the interval holds 1 */
    GF_MODEL_BIAS_SANDBAGGING, /* the interval lies above 1: actual above the commit */
    GF_MODEL_BIAS_OPTIMISTIC,  /* the interval lies below 1: actual below the commit */
};

/* A static name of a label: "unknown", "accurate", "sandbagging", "optimistic". */
const char *gf_model_bias_label_name(int label);

/* One quarter of one peer: what was won and what was committed (cents). A quarter counts when
 * commit > 0; its ratio actual / commit is clamped to [1 / max_ratio, max_ratio] so that a
 * quarter with nothing won still counts (as max_ratio times optimistic). */
typedef struct gf_model_bias_obs {
    size_t peer;
    double actual, commit;
} gf_model_bias_obs;

typedef struct gf_model_bias_opts {
    double prior_quarters; /* the team's bias counts as this many of the rep's quarters */
    double z;              /* the interval's normal quantile (1.2816: 80%) */
    double sd_default;     /* the spread of one quarter's log ratio when the team has too few */
    double sd_floor;       /* ... and its floor */
    double max_ratio;      /* the clamp of one quarter's ratio */
} gf_model_bias_opts;

/* The defaults above: 2 quarters, 1.2816, 0.3, 0.05, 10. */
void gf_model_bias_opts_default(gf_model_bias_opts *o);

typedef struct gf_model_bias_est {
    size_t n;        /* the rep's quarters that count */
    double raw;      /* their geometric mean ratio, NAN when n is 0 */
    double estimate; /* shrunk: exp((n x mean + k x team) / (n + k)); NAN when n is 0 */
    double lo, hi;   /* estimate's interval exp(m -/+ z sd / sqrt(n + k)); NAN when n is 0 */
    double team;     /* the peers' pooled bias exp(mean log ratio), 1 when they have none */
    size_t team_n;   /* the peers' quarters that count (the rep's included) */
    size_t team_reps;
    double sd; /* the spread of one quarter's log ratio used (pooled within peers) */
    int label; /* enum gf_model_bias_label */
} gf_model_bias_est;

/* The commit bias of peer rep from the peers' quarters obs[0..n): the rep's mean log ratio
 * shrunk toward the peers' pooled mean log ratio (a prior worth prior_quarters quarters; 0, a
 * bias of 1, when the peers have no quarter), with a normal interval whose spread is the
 * peers' pooled within-rep standard deviation of log ratios (sd_default when they have fewer
 * than two degrees of freedom; never below sd_floor). The label is sandbagging when lo > 1,
 * optimistic when hi < 1, accurate otherwise, unknown when n is 0. Returns 0 or
 * GF_MODEL_EINVAL (NULL out or opts, obs NULL with n > 0, a non-finite value). */
int gf_model_bias_estimate(const gf_model_bias_obs *obs, size_t n, size_t rep,
                           const gf_model_bias_opts *opts, gf_model_bias_est *out) GF_MUST_CHECK;

#endif
