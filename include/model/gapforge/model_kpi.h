/* gapforge model: a KPI's forecast for a period from its dated observations — the series put on
 * an even bucket grid (gaps marked), the ETS forecast of the buckets still to come, the period's
 * value as the KPI aggregates it, the gap in the KPI's own direction and the chance of meeting
 * its target — and kpi levers applied to it: scenarios and the cheapest plan that meets it. */
#ifndef GAPFORGE_MODEL_KPI_H
#define GAPFORGE_MODEL_KPI_H

#include "gapforge/model.h"
#include "gapforge/model_ets.h"

/* The spacing of a KPI's buckets. */
enum gf_model_kpi_bucket {
    GF_MODEL_KPI_DAY = 0,
    GF_MODEL_KPI_WEEK,
    GF_MODEL_KPI_MONTH,
};

/* "day", "week", "month" ("unknown" when out of range). */
const char *gf_model_kpi_bucket_name(int bucket);

/* The bucket a series is forecast in: the KPI's defined bucket, unless its observations are
 * sparser -- the median gap between consecutive observation days at least 25 days gives months,
 * at least 5 (for a daily KPI) weeks. Fewer than 3 observations keep the definition. */
int gf_model_kpi_infer_bucket(const gf_day *days, size_t n, int defined);

/* The observations on an even grid. Week buckets are the 7 days from the first observation's
 * day on (bucket k starts anchor + 7k); month buckets are calendar months; day buckets days.
 * Observations that share a bucket combine as the KPI aggregates (sum, mean or the last). */
typedef struct gf_model_kpi_grid {
    int bucket;             /* enum gf_model_kpi_bucket */
    gf_day anchor;          /* the first bucket's first day */
    size_t n;               /* buckets from the first observation's to the last's */
    double *y;              /* n values; NAN in a gap */
    unsigned char *missing; /* n flags: 1 for a bucket with no observation */
    size_t n_missing;
} gf_model_kpi_grid;

/* The first day of bucket k (k may lie beyond the grid or before it). */
gf_day gf_model_kpi_bucket_start(const gf_model_kpi_grid *g, long k);

/* The bucket holding day d (may lie beyond the grid or before it). */
long gf_model_kpi_bucket_of(const gf_model_kpi_grid *g, gf_day d);

/* What a KPI forecast takes. Arrays borrowed. */
typedef struct gf_model_kpi_input {
    const gf_day *days;   /* observation days, strictly ascending, all before as_of */
    const double *values; /* finite */
    size_t n;             /* >= 1 */
    int defined_bucket;   /* the KPI's own bucket (enum gf_model_kpi_bucket) */
    int agg;              /* enum gf_model_ets_agg */
    int lower_is_better;
    gf_model_period period;
    gf_day as_of;
    int has_target;
    double target;
    size_t n_paths; /* 0: the ETS default */
    uint64_t seed;
    double min_gain; /* ETS: share by which a model must beat naive */
} gf_model_kpi_input;

/* A KPI forecast. Owned arrays: gf_model_kpi_free. */
typedef struct gf_model_kpi {
    gf_model_kpi_grid grid;
    size_t season;           /* the season period offered to ETS: 7 days, 52 weeks, 12 months */
    long first, last;        /* the period's buckets: those starting inside it */
    size_t done;             /* the period's buckets already observed (or filled, in a gap) */
    size_t filled;           /* ... of which gaps filled by the one-step prediction */
    double actual;           /* the period's value so far, aggregated (0 with no bucket done) */
    int closed;              /* 1: every bucket of the period is known; nothing is simulated */
    int nonneg;              /* 1: no observation is negative (levers never push a value below 0) */
    gf_model_ets_result ets; /* the forecast of the buckets from the grid's end (not closed) */
    size_t agg_from;         /* the first forecast step inside the period */
    gf_model_ets_band value; /* the period's value */
    double prob_meet;        /* P(value meets the target in the KPI's direction); 0 without one */
    double gap;              /* P50 short of the target in the KPI's direction (> 0: a miss) */
} gf_model_kpi;

/* Builds the grid, forecasts and aggregates. *out must be zeroed or freed. Returns 0,
 * GF_MODEL_EINVAL (no observation, days not ascending or not before as_of, a non-finite value,
 * a bad bucket or aggregation, a period that ends before the first observation) or
 * GF_MODEL_ENOMEM; on error *out holds nothing to free. */
int gf_model_kpi_forecast(const gf_model_kpi_input *in, gf_model_kpi *out) GF_MUST_CHECK;

/* Frees a forecast's arrays and zeroes it; NULL-safe. */
void gf_model_kpi_free(gf_model_kpi *k);

/* A kpi lever as it acts on its KPI: each unit changes every bucket's value by `effect` (the
 * KPI's own unit, negative to lower it) from day start + ramp_days on, a bucket changing by the
 * share of its days on or after that day. */
typedef struct gf_model_kpi_lever {
    double effect;
    int64_t unit_cost_cents;
    uint32_t max_units;
    int32_t ramp_days;
    gf_day start_day;
} gf_model_kpi_lever;

/* The period's value with levers applied to every simulated path (common random numbers: the
 * same paths as the forecast's), values kept at or above zero when every observation is. */
typedef struct gf_model_kpi_outcome {
    gf_model_ets_band value;
    double prob_meet, gap;
    int64_t cost_cents;
} gf_model_kpi_outcome;

/* The outcome of units[k] of levers[k] on forecast k (a closed period: the actual). Returns 0,
 * GF_MODEL_EINVAL (a non-finite effect, negative ramp or cost, units above max) or
 * GF_MODEL_ENOMEM. */
int gf_model_kpi_apply(const gf_model_kpi *k, const gf_model_kpi_input *in,
                       const gf_model_kpi_lever *levers, const uint32_t *units, size_t n,
                       gf_model_kpi_outcome *out) GF_MUST_CHECK;

enum gf_model_kpi_goal {
    GF_MODEL_KPI_GOAL_P50 = 0,  /* P50 meets the target */
    GF_MODEL_KPI_GOAL_PROB = 1, /* P(meeting it) >= confidence */
};

/* Combinations of units searched exactly; beyond, greedy. */
#define GF_MODEL_KPI_PLAN_EXACT_MAX 512u

/* The cheapest plan found. Owned: gf_model_kpi_plan_free. */
typedef struct gf_model_kpi_plan {
    int achieves, exact;
    uint32_t *units; /* per lever */
    gf_model_kpi_outcome baseline, result;
    int64_t total_cost_cents;
    size_t evaluations;
} gf_model_kpi_plan;

/* Searches units 0..max_units of each lever for the lowest total cost (ties: fewer units, then
 * lexicographic) meeting the goal within budget_cents (< 0: none). Exact enumeration when the
 * combinations are at most GF_MODEL_KPI_PLAN_EXACT_MAX, else greedy by the goal's figure gained
 * per cost (the goal's quantile capped at the target) and then a removal pass, dearest first.
 * When nothing meets the goal: the combination closest to it. Requires a target. Returns 0,
 * GF_MODEL_EINVAL (no target, a bad lever, a confidence outside (0, 1)) or GF_MODEL_ENOMEM. */
int gf_model_kpi_plan_search(const gf_model_kpi *k, const gf_model_kpi_input *in,
                             const gf_model_kpi_lever *levers, size_t n, int goal,
                             double confidence, int64_t budget_cents, gf_model_kpi_plan *out)
    GF_MUST_CHECK;

void gf_model_kpi_plan_free(gf_model_kpi_plan *p);

#endif
