/* gapforge model: levers -- a table of kinds, each a function that transforms a forecast's
 * simulation input (open deals' p and amounts, new-deal rate and amounts, optional next-period
 * commit deals) for a number of units, over the part of the period after its ramp. */
#ifndef GAPFORGE_MODEL_LEVERS_H
#define GAPFORGE_MODEL_LEVERS_H

#include "gapforge/model.h"
#include "gapforge/model_sim.h"
#include "gapforge/model_survival.h"

/* Lever kinds and what `effect` means per unit. Every kind acts only from day
 * e = start_day + ramp_days on; s is the share of the remaining window [max(as_of, period.start),
 * period.end] on or after e (0 when e is after the period's end), and a deal's wins are taken as
 * spread evenly over that window.
 * - win_rate: relative rise of the odds of winning (k = 1 + effect x units); each open deal's p
 *   moves a share s of the way to k o / (1 + k o); the new-deal rate moves the same way at the
 *   mean of p_new_by_day (or by k when there is no table).
 * - deal_size: relative rise of the amount of deals not yet won: open deals' and new deals'
 *   amounts are multiplied by 1 + effect x units x s (rounded to cents).
 * - pipeline: opportunities added per week; each entering the first stage on day d >= e is won
 *   in time with p_new_by_day[d - as_of]; they add to the new-deal rate, with its amounts.
 * - slippage: relative rise of the hazards of advancing and winning (k = 1 + effect x units) from
 *   e on; p comes from the p_slip callback, else from a one-exit approximation: with F = p / p_ever
 *   the share of the eventual win that lands in the period, p' = p_ever (1 - (1 - F)^(1 + s(k-1))).
 * - pull_forward: probability that one next-period commit deal closes in this period instead;
 *   each unit pulls the next deal of next_commit_cents, booked net of the discount (cost_share of
 *   its amount, which is also its cost), with probability min(1, effect) x s.
 * - headcount: reps added per unit; each sells rep_bookings_per_day_cents, ramping linearly over
 *   rep_ramp_days from e; the bookings enter as extra new deals at the pool's mean amount.
 * - kpi: change of the KPI's level per unit, in the KPI's own buckets (may be negative). The
 *   period-mean change is effect x units x s (returned as kpi_delta). A KPI that leads to
 *   bookings (the lever's opps_per_kpi_unit_day > 0, see gf_model_lever_lead_kpi) also changes
 *   the opportunities created from e on by effect x units x opps_per_kpi_unit_day a day: a rise
 *   adds them exactly as a pipeline lever does (each created on day d >= e is won in time with
 *   p_new_by_day[d - as_of]); a fall removes as many from the new-deal rate, which never drops
 *   below zero (removed deals win nothing, and no pool is needed). Other kpi levers change only
 *   kpi_delta.
 * - concession: rise of the named deals' P(won), in probability points: each unit concedes the
 *   next named deal, whose p becomes min(1, p + effect x s); costs cost_share of its amount. */
enum gf_model_lever_kind {
    GF_MODEL_LEVER_WIN_RATE = 0,
    GF_MODEL_LEVER_DEAL_SIZE,
    GF_MODEL_LEVER_PIPELINE,
    GF_MODEL_LEVER_SLIPPAGE,
    GF_MODEL_LEVER_PULL_FORWARD,
    GF_MODEL_LEVER_HEADCOUNT,
    GF_MODEL_LEVER_KPI,
    GF_MODEL_LEVER_CONCESSION,
    GF_MODEL_LEVER_KINDS
};

/* The kind's name as in the levers table ("win_rate", ...); "unknown" if out of range. */
const char *gf_model_lever_kind_name(int kind);

/* The kind of a name, or -1 when unknown. */
int gf_model_lever_kind_from_name(const char *name) GF_MUST_CHECK;

/* One lever. Borrowed arrays. */
typedef struct gf_model_lever {
    int kind;                /* enum gf_model_lever_kind */
    double effect;           /* per unit, see the kinds; >= 0 except for kpi */
    int64_t unit_cost_cents; /* >= 0 */
    uint32_t max_units;      /* the plan's upper bound */
    int32_t ramp_days;       /* >= 0 */
    gf_day start_day;        /* GF_MODEL_NO_DAY: the context's as_of */
    double cost_share;       /* concession and pull_forward: share of the amount, in [0, 1] */
    const uint32_t *deals;   /* concession: open-deal indices of the input, in order of choice */
    size_t n_deals;
    /* kpi: opportunities created per day per unit of change of the KPI, finite and >= 0; 0 when
     * the KPI moves no bookings. Set by gf_model_lever_lead_kpi; other kinds ignore it. */
    double opps_per_kpi_unit_day;
} gf_model_lever;

/* Makes a kpi lever on a KPI that leads to bookings move them. conversion is the baseline
 * lead-to-opportunity conversion (opportunities per unit of the KPI, e.g. per qualified lead) and
 * bucket_days the KPI's bucket length (1 for "day", 7 for "week"); the lever's effect is the
 * change of the KPI per bucket per unit, so each unit changes the opportunities created by
 * effect x conversion / bucket_days a day. Sets lv->opps_per_kpi_unit_day to
 * conversion / bucket_days, or to 0 (the lever then moves only its KPI) when conversion is not
 * finite or not > 0, or bucket_days < 1. With a positive effect the lever then adds what a
 * pipeline lever of effect x conversion x 7 / bucket_days opportunities a week adds; with a
 * negative one it removes as many. Levers of other kinds, and NULL, are left alone. Never fails. */
void gf_model_lever_lead_kpi(gf_model_lever *lv, double conversion, int32_t bucket_days);

/* P(won in the period) of open deal `deal` when its advance and win hazards are multiplied by
 * `scale` from day `from` on. */
typedef double (*gf_model_slip_fn)(void *arg, size_t deal, double scale, gf_day from);

/* What levers act upon. All borrowed; optional parts may be NULL / 0. */
typedef struct gf_model_lever_ctx {
    const gf_model_sim_input *base; /* the status-quo input */
    gf_model_period period;
    gf_day as_of;
    const double *p_ever; /* per open deal P(eventually won), for slippage */
    gf_model_slip_fn p_slip;
    void *p_slip_arg;
    /* [d - as_of] for d in [as_of, as_of + n_p_new): P(won by period end | created in the first
     * stage on day d); pipeline levers and kpi levers that move bookings need it
     * (gf_model_lever_p_new_table). */
    const double *p_new_by_day;
    size_t n_p_new;
    /* Amounts of deals the levers add when the base has no new-deal pool (e.g. won amounts). */
    const int64_t *amount_pool;
    size_t n_amount_pool;
    const int64_t *next_commit_cents; /* next period's commit deals, in order of choice */
    size_t n_next_commit;
    double rep_bookings_per_day_cents; /* historical bookings per rep-day */
    int32_t rep_ramp_days;             /* a new rep's ramp to full productivity (0: none) */
} gf_model_lever_ctx;

/* A transformed simulation input and the buffers behind it. Zero it before first use; reuse it
 * across calls; gf_model_lever_work_free releases it. */
typedef struct gf_model_lever_work {
    gf_model_sim_input in; /* points into the buffers below and into ctx->base */
    int64_t *amount;
    double *p;
    size_t cap;
    int64_t *pool;
    size_t pool_cap;
    int64_t cost_cents; /* sum of the levers' costs */
    double kpi_delta;   /* sum of the kpi levers' period-mean changes */
} gf_model_lever_work;

/* Frees the buffers and zeroes the work; NULL-safe. */
void gf_model_lever_work_free(gf_model_lever_work *w);

/* Checks a lever against a context (kind, finite non-negative effect except kpi, ramp, costs,
 * concession deal indices, a kpi lever's finite non-negative opps_per_kpi_unit_day). Returns 0
 * or GF_MODEL_EINVAL. */
int gf_model_lever_check(const gf_model_lever *lv, const gf_model_lever_ctx *ctx) GF_MUST_CHECK;

/* The share s of the remaining window that a lever affects (see the kinds). */
double gf_model_lever_share(const gf_model_lever *lv, const gf_model_lever_ctx *ctx);

/* What `units` of the lever cost, in cents: units x unit_cost plus, for concession and
 * pull_forward, cost_share of the amounts of the deals the units take (rounded to cents). */
int64_t gf_model_lever_cost(const gf_model_lever *lv, const gf_model_lever_ctx *ctx,
                            uint32_t units);

/* Builds in w->in the base input transformed by units[k] of levers[k], applied in order; zero
 * units leave the input bit for bit equal to the base's. Pulled-forward deals are appended after
 * the open deals. Fills w->cost_cents and w->kpi_delta. Returns 0, GF_MODEL_EINVAL (a lever fails
 * gf_model_lever_check, or needs a table or pool the context lacks) or GF_MODEL_ENOMEM. */
int gf_model_levers_apply(const gf_model_lever_ctx *ctx, const gf_model_lever *levers,
                          const uint32_t *units, size_t n, gf_model_lever_work *w) GF_MUST_CHECK;

/* Fills out[d - as_of], d in [as_of, end], with P(won by end | entered the first open stage at
 * age 0 on day d) from the survival model (one DP per entry day). Returns 0, GF_MODEL_EINVAL or
 * GF_MODEL_ENOMEM. */
int gf_model_lever_p_new_table(const gf_model_survival *m, const gf_model_calendar *cal,
                               gf_day as_of, gf_day end, double *out) GF_MUST_CHECK;

#endif
