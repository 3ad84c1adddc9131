/* gapforge model: the cheapest recovery plan -- lever units that reach a goal (P50 at or above
 * the target, or the probability of hitting it at or above a confidence) at the lowest cost
 * within an optional budget, or the best plan the budget allows and the gap that remains; or the
 * plan that buys the most P50 or expected bookings for a budget; and the efficiency frontier. */
#ifndef GAPFORGE_MODEL_PLAN_H
#define GAPFORGE_MODEL_PLAN_H

#include "gapforge/model_scenario.h"

enum gf_model_goal {
    GF_MODEL_GOAL_P50 = 0,          /* p50 >= target */
    GF_MODEL_GOAL_PROB = 1,         /* prob_hit >= confidence */
    GF_MODEL_GOAL_MAX_P50 = 2,      /* the largest P50 within the budget (required) */
    GF_MODEL_GOAL_MAX_EXPECTED = 3, /* the largest expected total within the budget (required) */
};

/* Largest number of unit combinations searched exactly ... */
#define GF_MODEL_PLAN_EXACT_MAX 20000u
/* ... and largest work for it: combinations x full trials x (deals + GF_MODEL_PLAN_TRIAL_COST),
 * what evaluating every combination at the full trials costs in deal draws (about 0.19 ns each
 * on one core of the 2-core machine: some 2 s); beyond either the search is greedy. */
#define GF_MODEL_PLAN_EXACT_WORK 1e10
/* What one trial costs beside its deals (new deals, sorting the totals), in deal draws. */
#define GF_MODEL_PLAN_TRIAL_COST 1500.0
/* Trials per evaluation of the greedy search. */
#define GF_MODEL_PLAN_SEARCH_TRIALS 2000u
/* Evenly spaced budgets of the frontier, from zero to its top (the plan's cost is added). */
#define GF_MODEL_PLAN_FRONTIER_STEPS 12u

typedef struct gf_model_plan_opts {
    int goal;               /* enum gf_model_goal; the target is ctx->base->target_cents (the
                               maximising goals need none) */
    double confidence;      /* GF_MODEL_GOAL_PROB: in (0, 1) */
    int64_t budget_cents;   /* < 0: no budget (not for the maximising goals) */
    uint32_t search_trials; /* trials per greedy evaluation (0: 2,000) */
    int32_t lead_days;      /* time to get an action going before its ramp (>= 0) */
    size_t exact_max;       /* 0: GF_MODEL_PLAN_EXACT_MAX */
    int no_improve; /* 1: the greedy search skips its drops and improvement at the full trials
                       (what it did before them; for comparisons) */
    /* The work budget: when stop is set, the search asks stop(stop_arg) between its steps (a
     * greedy round, a removal, an exact candidate) and, once it says non-zero, answers the best
     * plan it has, evaluated at the full trials, with gf_model_plan.stopped set. The model keeps
     * no clock: the caller's stop decides (e.g. a deadline). */
    int (*stop)(void *stop_arg);
    void *stop_arg;
} gf_model_plan_opts;

/* One action of a plan. */
typedef struct gf_model_plan_action {
    size_t lever; /* index into the levers */
    uint32_t units;
    int64_t cost_cents;
    gf_model_delta uplift; /* this action alone against the baseline, full trials */
    gf_day start_by;       /* period.end - ramp_days - lead_days: the last day it can start and
                              still act inside the period (may already be past) */
} gf_model_plan_action;

/* The best state the search evaluated at the full trials within one budget, for one figure:
 * the largest value (ties: cheaper, then fewer units, then lexicographic with lever 0 first). */
typedef struct gf_model_plan_best {
    double value;          /* P50 or expected in cents, or prob_hit */
    int64_t cost_cents;    /* what it spends (<= the budget) */
    const uint32_t *units; /* per lever; borrowed from the plan */
} gf_model_plan_best;

/* One budget of the efficiency frontier. */
typedef struct gf_model_plan_point {
    int64_t budget_cents;
    gf_model_plan_best p50, prob_hit, expected;
} gf_model_plan_point;

/* A plan. Owned by the caller (gf_model_plan_free). */
typedef struct gf_model_plan {
    int achieves;                  /* the goal is met at full trials (0 for maximising goals) */
    int exact;                     /* 1: exact enumeration at full trials; 0: greedy */
    gf_model_sim_result baseline;  /* full trials */
    gf_model_sim_result result;    /* with the plan, full trials, same seed */
    gf_model_delta delta;          /* result - baseline */
    uint32_t *units;               /* per lever */
    gf_model_plan_action *actions; /* levers with units > 0, ordered by start_by then index */
    size_t n_actions;
    int64_t total_cost_cents; /* the ask */
    double kpi_delta;
    /* 0 when achieved; else target minus the goal's quantile (P50, or the (1 - confidence)
     * quantile for a probability goal) of the result: the money still missing. */
    double residual_gap_cents;
    size_t evaluations; /* simulations run during the search */
    int stopped;        /* 1: the work budget ran out first; the plan is the best found */
    /* The efficiency frontier: for GF_MODEL_PLAN_FRONTIER_STEPS budgets evenly from 0 to its top
     * and the plan's cost (ascending, no repeats), the best P50, probability and expected of
     * every state the search evaluated at the full trials within that budget: every affordable
     * combination up to the top in exact mode (no extra runs), the greedy path, re-evaluated at
     * the full trials where needed, and its improvements otherwise. Non-decreasing in budget by
     * construction; at the plan's cost the goal's figure (P50, probability or expected) is the
     * plan's when it achieves or maximises. The top: the budget for a maximising goal; the plan's
     * cost when a minimum-cost goal is met (the search evaluates nothing dearer); else the
     * budget, or with none the dearest state evaluated; never past where a stopped exact search
     * got to. */
    gf_model_plan_point *frontier;
    size_t n_frontier;
    int frontier_exact;       /* 1: from the exact enumeration; 0: from the greedy path */
    uint32_t *frontier_units; /* the units the points borrow */
} gf_model_plan;

/* Searches units 0..max_units of each lever for the lowest total cost reaching the goal within the
 * budget -- or, for GF_MODEL_GOAL_MAX_P50 / _MAX_EXPECTED, for the largest P50 / expected total
 * within it (ties: cheaper, then fewer units, then lexicographic with lever 0 first) --
 * evaluating with common random numbers (the base's seed). Exact when walking every combination
 * at the base's trials is cheap enough (GF_MODEL_PLAN_EXACT_MAX and _WORK): the affordable
 * combinations in order of cost (ties: fewer units, then lexicographic), each evaluated at the
 * base's trials; the first that meets the goal is the plan, so no affordable combination meets
 * the goal at those trials for less, and the plan is what gf_model_scenario_run reports for it;
 * when none meets it, the one closest to it (the goal's quantile capped at the target, then the
 * mean capped at the target; ties: the first); a maximising goal evaluates them all and takes
 * the best. Otherwise greedy: at search_trials, add the unit with the largest gain per cost in
 * the goal's quantile capped at the target (maximising: in the objective; when no unit moves
 * it, in the mean, shortfall-capped for a target), until the goal is met or nothing affordable
 * helps, then drop units, most expensive first, while the goal holds; then at the base's trials:
 * add units greedily if the goal is missed there, drop what can go, and improve -- neighbours of
 * one to three units dropped, added or traded, screened at search_trials with the plan's own
 * difference between the two trial counts added (common random numbers), the most promising
 * confirmed at the base's trials, repeated while one is a better answer. Deterministic. A
 * minimum-cost goal already met gives an empty plan at zero cost. Returns 0 and *out (free with
 * gf_model_plan_free), GF_MODEL_EINVAL (also for a maximising goal without a budget) or
 * GF_MODEL_ENOMEM (*out then holds nothing to free). */
int gf_model_plan_search(const gf_model_lever_ctx *ctx, const gf_model_lever *levers, size_t n,
                         const gf_model_plan_opts *opts, gf_model_plan *out) GF_MUST_CHECK;

/* Frees a plan's arrays and zeroes it; NULL-safe. */
void gf_model_plan_free(gf_model_plan *p);

#endif
