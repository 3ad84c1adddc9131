/* gapforge model: the plain-language account of a recovery plan that a sales leader can paste
 * to their board — where we land if nothing changes, why, the plan, the ask, and what happens if
 * it is refused — as plain text and as Markdown. Pure: plain structs in, text out. */
#ifndef GAPFORGE_MODEL_SUMMARY_H
#define GAPFORGE_MODEL_SUMMARY_H

#include <stddef.h>

#include "gapforge/model.h"

#define GF_MODEL_SUMMARY_MAX_DRIVERS 8
#define GF_MODEL_SUMMARY_MAX_ACTIONS 16

/* One driver of the gap, already attributed (impact: money, negative hurts). */
typedef struct gf_model_summary_driver {
    const char *label; /* e.g. "win rate" */
    double baseline, current;
    int percent; /* 1: baseline/current are rates shown as percentages */
    double impact_cents;
    const char *unit; /* not NULL (and percent 0): plain counts followed by " unit" when
                         unit is not empty ("days"); NULL: money in currency units */
} gf_model_summary_driver;

/* One action of the plan. */
typedef struct gf_model_summary_action {
    const char *lever_name; /* the lever's name as the org wrote it */
    unsigned units;
    double cost_cents;
    double uplift_p50_cents;
    gf_day start_by;
} gf_model_summary_action;

/* The forecast's split of the gap (target - P50) as its "why" reports it: the parts add up to the
 * gap. */
typedef struct gf_model_summary_gap {
    double gap_cents;
    double stretch_cents;            /* target - the trailing baseline's bookings */
    int has_largest;                 /* 1: `largest` names a driver */
    gf_model_summary_driver largest; /* impact_cents: its part of the gap */
    double other_drivers_cents;      /* the other drivers' parts together */
    double timing_cents;             /* timing and uncertainty: the rest */
} gf_model_summary_gap;

/* What a plan that buys the most within a budget was after. */
enum gf_model_summary_goal {
    GF_MODEL_SUMMARY_REACH = 0,        /* the cheapest plan reaching the goal */
    GF_MODEL_SUMMARY_MAX_P50 = 1,      /* the largest P50 within budget_cents */
    GF_MODEL_SUMMARY_MAX_EXPECTED = 2, /* the largest expected total within budget_cents */
};

/* Everything the paragraph says. Strings are borrowed. */
typedef struct gf_model_summary_input {
    const char *currency; /* ISO code, e.g. "USD" */
    const char *period;   /* e.g. "2026-Q4" */
    double target_cents;
    double baseline_p50_cents, baseline_prob_hit;
    double result_p50_cents, result_prob_hit;
    const gf_model_summary_driver *drivers; /* ordered by |impact|, largest first */
    size_t n_drivers;
    const gf_model_summary_action *actions; /* ordered by start_by */
    size_t n_actions;
    double total_cost_cents;
    int achieves;
    double residual_gap_cents; /* when !achieves */
    int goal_is_probability;   /* 1: the goal was prob_hit >= confidence */
    double confidence;
    int goal;            /* enum gf_model_summary_goal */
    double budget_cents; /* the maximising goals' budget */
    double baseline_expected_cents, result_expected_cents;
    int no_target;                   /* 1: no target (a maximising goal): no gap, no chance */
    const gf_model_summary_gap *gap; /* NULL: the drivers are listed instead */
} gf_model_summary_input;

/* Writes the summary into out (cap bytes, always NUL-terminated, cut at a sentence when it does
 * not fit): plain text when markdown is 0, Markdown (bold figures, a bullet per action)
 * otherwise. Returns the length written. */
size_t gf_model_summary_write(const gf_model_summary_input *in, int markdown, char *out,
                              size_t cap);

/* Formats cents as money in the given currency with thousands separators and a k/M suffix for
 * large values ("$1.24M", "EUR 420k", "-$18.5k") into out[32]. */
void gf_model_money_short(double cents, const char *currency, char out[32]);

#endif
