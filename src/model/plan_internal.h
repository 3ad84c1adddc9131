/* plan_internal.h — what the plan search (plan.c) and its improvement pass (plan_improve.c)
 * share: the searcher's state, a state's score, and the steps both call. Private to the model. */
#ifndef GAPFORGE_MODEL_PLAN_INTERNAL_H
#define GAPFORGE_MODEL_PLAN_INTERNAL_H

#include "gapforge/model_plan.h"

/* How close a state is to the goal. Minimum-cost goals: whether it is met, the goal's quantile
 * capped at the target, the mean of the totals capped at the target (which moves even when the
 * quantile does not) and the quantile uncapped. Maximising goals: never "met"; q and raw are the
 * objective (P50 or expected), m the mean of the totals. */
typedef struct score {
    int achieved;
    double q;
    double m;
    double raw;
} score;

/* A state evaluated at the full trials (its units at seen_units + index * n). */
typedef struct seen {
    int64_t cost;
    double p50, prob, expected;
} seen;

typedef struct searcher {
    const gf_model_lever_ctx *ctx;
    const gf_model_lever *lv;
    size_t n;
    const gf_model_plan_opts *o;
    double alpha;    /* the quantile that must reach the target */
    int maximise;    /* GF_MODEL_GOAL_MAX_P50 or _MAX_EXPECTED */
    uint32_t full;   /* the base's trials: what the answer stands on */
    uint32_t search; /* trials per screening evaluation (<= full) */
    gf_model_lever_work w;
    int64_t *totals;
    int64_t *scratch; /* trials entries, reordered by quantile() */
    size_t evals;
    int stopped; /* the caller's stop said so: the search answers what it has */
    /* Every state evaluated at the full trials, for the frontier. */
    seen *seen;
    uint32_t *seen_units;
    size_t n_seen, cap_seen;
    /* The screening greedy's states, one per unit added (units at path + index * n). */
    uint32_t *path;
    int64_t *path_cost;
    size_t n_path, cap_path;
    int recording; /* greedy() appends to the path */
} searcher;

/* True once the caller's work budget is spent (asked between steps); sticky. */
int gf_model__plan_out_of_budget(searcher *s);
/* The units' simulation at trials, scored for the goal (totals of the run in s->totals). */
int gf_model__plan_evaluate(searcher *s, const uint32_t *u, uint32_t trials, score *sc,
                            gf_model_sim_result *res) GF_MUST_CHECK;
/* The cost of units u. */
int64_t gf_model__plan_cost(const searcher *s, const uint32_t *u);
/* Whether cost is within the budget (when there is one). */
int gf_model__plan_affordable(const searcher *s, int64_t cost);
/* Drops units, the most expensive last unit first, while the goal still holds. */
int gf_model__plan_prune(searcher *s, uint32_t *u, score *cur, uint32_t trials) GF_MUST_CHECK;
/* Whether state b is a better answer than state a (plan.c says how). */
int gf_model__plan_better(const searcher *s, const score *sb, int64_t cb, const uint32_t *ub,
                          const score *sa, int64_t ca, const uint32_t *ua);
/* The improvement pass (plan_improve.c). */
int gf_model__plan_improve(searcher *s, uint32_t *u, score *cur) GF_MUST_CHECK;

#endif
