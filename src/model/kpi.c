/* kpi.c — a KPI's forecast for a period: the observations on an even bucket grid, the ETS
 * forecast of the buckets to come, the period's value as the KPI aggregates it, and kpi levers
 * applied to the simulated paths (scenarios, the cheapest plan). */
#include "gapforge/model_kpi.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gapforge/date.h"

const char *gf_model_kpi_bucket_name(int bucket)
{
    static const char *const names[] = {"day", "week", "month"};
    return bucket >= 0 && bucket <= GF_MODEL_KPI_MONTH ? names[bucket] : "unknown";
}

static int cmp_int(const void *a, const void *b)
{
    const int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int gf_model_kpi_infer_bucket(const gf_day *days, size_t n, int defined)
{
    if (!days || n < 3)
        return defined;
    int *gaps = malloc((n - 1) * sizeof *gaps);
    if (!gaps)
        return defined;
    for (size_t i = 1; i < n; i++)
        gaps[i - 1] = days[i] - days[i - 1];
    qsort(gaps, n - 1, sizeof *gaps, cmp_int);
    const int median = gaps[(n - 1) / 2];
    free(gaps);
    if (median >= 25)
        return GF_MODEL_KPI_MONTH;
    if (median >= 5 && defined == GF_MODEL_KPI_DAY)
        return GF_MODEL_KPI_WEEK;
    return defined;
}

/* Months since year 0 of a day. */
static long month_index(gf_day d)
{
    int y, m, md;
    gf_date_to_ymd(d, &y, &m, &md);
    return (long)y * 12 + (m - 1);
}

/* floor(a / b) for b > 0. */
static long floor_div(long a, long b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

gf_day gf_model_kpi_bucket_start(const gf_model_kpi_grid *g, long k)
{
    switch (g->bucket) {
    case GF_MODEL_KPI_WEEK:
        return (gf_day)(g->anchor + 7 * k);
    case GF_MODEL_KPI_MONTH: {
        const long mi = month_index(g->anchor) + k;
        const long y = floor_div(mi, 12);
        return gf_date_from_ymd((int)y, (int)(mi - 12 * y) + 1, 1);
    }
    default:
        return (gf_day)(g->anchor + k);
    }
}

long gf_model_kpi_bucket_of(const gf_model_kpi_grid *g, gf_day d)
{
    switch (g->bucket) {
    case GF_MODEL_KPI_WEEK:
        return floor_div((long)d - g->anchor, 7);
    case GF_MODEL_KPI_MONTH:
        return month_index(d) - month_index(g->anchor);
    default:
        return (long)d - g->anchor;
    }
}

/* The observations on the grid (see gf_model_kpi_grid). */
static int grid_build(const gf_model_kpi_input *in, int bucket, gf_model_kpi_grid *g)
{
    g->bucket = bucket;
    g->anchor = in->days[0];
    if (bucket == GF_MODEL_KPI_MONTH)
        g->anchor = gf_model_kpi_bucket_start(
            &(gf_model_kpi_grid){.bucket = bucket, .anchor = in->days[0]}, 0);
    const long nb = gf_model_kpi_bucket_of(g, in->days[in->n - 1]) + 1;
    g->n = (size_t)nb;
    g->y = calloc(g->n, sizeof *g->y);
    g->missing = malloc(g->n);
    unsigned *count = calloc(g->n, sizeof *count);
    if (!g->y || !g->missing || !count) {
        free(count);
        return GF_MODEL_ENOMEM;
    }
    memset(g->missing, 1, g->n);
    for (size_t i = 0; i < in->n; i++) {
        const size_t k = (size_t)gf_model_kpi_bucket_of(g, in->days[i]);
        g->y[k] = in->agg == GF_MODEL_ETS_LAST ? in->values[i] : g->y[k] + in->values[i];
        count[k]++;
        g->missing[k] = 0;
    }
    g->n_missing = 0;
    for (size_t k = 0; k < g->n; k++) {
        if (g->missing[k]) {
            g->y[k] = NAN;
            g->n_missing++;
        } else if (in->agg == GF_MODEL_ETS_MEAN) {
            g->y[k] /= (double)count[k];
        }
    }
    free(count);
    return GF_MODEL_OK;
}

void gf_model_kpi_free(gf_model_kpi *k)
{
    if (!k)
        return;
    free(k->grid.y);
    free(k->grid.missing);
    gf_model_ets_result_free(&k->ets);
    memset(k, 0, sizeof *k);
}

/* Whether x meets the target in the KPI's direction. */
static int meets(const gf_model_kpi_input *in, double x)
{
    return in->lower_is_better ? x <= in->target : x >= in->target;
}

int gf_model_kpi_forecast(const gf_model_kpi_input *in, gf_model_kpi *out)
{
    if (!out)
        return GF_MODEL_EINVAL;
    memset(out, 0, sizeof *out);
    if (!in || !in->days || !in->values || in->n < 1 || in->agg < GF_MODEL_ETS_SUM ||
        in->agg > GF_MODEL_ETS_LAST || in->defined_bucket < GF_MODEL_KPI_DAY ||
        in->defined_bucket > GF_MODEL_KPI_MONTH || in->period.end < in->period.start ||
        (in->has_target && !isfinite(in->target)))
        return GF_MODEL_EINVAL;
    out->nonneg = 1;
    for (size_t i = 0; i < in->n; i++) {
        if (!isfinite(in->values[i]) || in->days[i] >= in->as_of ||
            (i > 0 && in->days[i] <= in->days[i - 1]))
            return GF_MODEL_EINVAL;
        out->nonneg &= in->values[i] >= 0.0;
    }
    if (in->period.end < in->days[0])
        return GF_MODEL_EINVAL;
    gf_model_kpi k = *out;
    int rc =
        grid_build(in, gf_model_kpi_infer_bucket(in->days, in->n, in->defined_bucket), &k.grid);
    if (rc) {
        gf_model_kpi_free(&k);
        return rc;
    }
    const gf_model_kpi_grid *g = &k.grid;
    k.season = g->bucket == GF_MODEL_KPI_DAY ? 7 : g->bucket == GF_MODEL_KPI_WEEK ? 52 : 12;
    k.first = gf_model_kpi_bucket_of(g, in->period.start);
    if (gf_model_kpi_bucket_start(g, k.first) < in->period.start)
        k.first++;
    k.last = gf_model_kpi_bucket_of(g, in->period.end);
    if (k.last < k.first) /* a period shorter than a bucket: the bucket it starts in */
        k.first = k.last = gf_model_kpi_bucket_of(g, in->period.start);
    const long nb = (long)g->n;
    k.closed = k.last < nb;
    const size_t h = k.closed ? 1 : (size_t)(k.last - nb + 1);
    k.agg_from = k.first > nb ? (size_t)(k.first - nb) : 0;
    if (k.agg_from >= h)
        k.agg_from = h - 1;
    const gf_model_ets_options eo = {.period = k.season,
                                     .horizon = h,
                                     .agg = GF_MODEL_ETS_SUM,
                                     .n_paths = in->n_paths,
                                     .seed = in->seed,
                                     .min_gain = in->min_gain,
                                     .missing = g->n_missing ? g->missing : NULL,
                                     .keep_paths = 1};
    rc = gf_model_ets_forecast(g->y, g->n, &eo, &k.ets);
    if (rc) {
        gf_model_kpi_free(&k);
        return rc;
    }
    /* The period's buckets already known: observed, or a gap at the one-step prediction. */
    double sum = 0.0, lastv = 0.0;
    for (long b = k.first < 0 ? 0 : k.first; b <= k.last && b < nb; b++) {
        const double v = g->missing[b] ? k.ets.fitted[b] : g->y[b];
        k.filled += g->missing[b];
        k.done++;
        sum += v;
        lastv = v;
    }
    k.actual = in->agg == GF_MODEL_ETS_SUM    ? sum
               : in->agg == GF_MODEL_ETS_LAST ? lastv
               : k.done                       ? sum / (double)k.done
                                              : 0.0;
    gf_model_kpi_outcome o;
    rc = gf_model_kpi_apply(&k, in, NULL, NULL, 0, &o);
    if (rc) {
        gf_model_kpi_free(&k);
        return rc;
    }
    k.value = o.value;
    k.prob_meet = o.prob_meet;
    k.gap = o.gap;
    *out = k;
    return GF_MODEL_OK;
}

/* The share of bucket b's days on or after day e. */
static double share_after(const gf_model_kpi_grid *g, long b, gf_day e)
{
    const gf_day s = gf_model_kpi_bucket_start(g, b), t = gf_model_kpi_bucket_start(g, b + 1);
    if (e <= s)
        return 1.0;
    if (e >= t)
        return 0.0;
    return (double)(t - e) / (double)(t - s);
}

/* The share of the sorted v[0..n-1] strictly below x. */
static double share_below(const double *v, size_t n, double x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (double)lo / (double)n;
}

int gf_model_kpi_apply(const gf_model_kpi *k, const gf_model_kpi_input *in,
                       const gf_model_kpi_lever *levers, const uint32_t *units, size_t n,
                       gf_model_kpi_outcome *out)
{
    memset(out, 0, sizeof *out);
    if (!k || !in || (n && (!levers || !units)))
        return GF_MODEL_EINVAL;
    for (size_t l = 0; l < n; l++) {
        const gf_model_kpi_lever *lv = &levers[l];
        if (!isfinite(lv->effect) || lv->ramp_days < 0 || lv->unit_cost_cents < 0 ||
            units[l] > lv->max_units)
            return GF_MODEL_EINVAL;
        out->cost_cents += lv->unit_cost_cents * (int64_t)units[l];
    }
    const double nan_target = in->has_target ? in->target : 0.0;
    if (k->closed) {
        out->value = (gf_model_ets_band){k->actual, k->actual, k->actual, k->actual};
        out->prob_meet = in->has_target ? meets(in, k->actual) : 0.0;
        out->gap = in->has_target
                       ? (in->lower_is_better ? k->actual - nan_target : nan_target - k->actual)
                       : 0.0;
        return GF_MODEL_OK;
    }
    const gf_model_ets_result *r = &k->ets;
    const size_t h = r->horizon, paths = r->n_paths, nb = k->grid.n;
    double *shift = calloc(h, sizeof *shift), *agg = malloc(paths * sizeof *agg);
    if (!shift || !agg) {
        free(shift);
        free(agg);
        return GF_MODEL_ENOMEM;
    }
    int any = 0;
    for (size_t l = 0; l < n; l++) {
        if (!units[l] || levers[l].effect == 0.0)
            continue;
        const gf_day start =
            levers[l].start_day == GF_MODEL_NO_DAY ? in->as_of : levers[l].start_day;
        const gf_day e = start + levers[l].ramp_days;
        for (size_t j = k->agg_from; j < h; j++) {
            shift[j] +=
                levers[l].effect * (double)units[l] * share_after(&k->grid, (long)(nb + j), e);
            any = 1;
        }
    }
    const double count = (double)(k->done + (h - k->agg_from));
    const double prior = in->agg == GF_MODEL_ETS_LAST
                             ? 0.0
                             : k->actual * (in->agg == GF_MODEL_ETS_MEAN ? (double)k->done : 1.0);
    double mean = 0.0;
    for (size_t p = 0; p < paths; p++) {
        double sum = prior, v = 0.0;
        for (size_t j = k->agg_from; j < h; j++) {
            const double base = r->paths[j * paths + p];
            v = base + shift[j];
            if (any && k->nonneg && v < 0.0 && shift[j] < 0.0)
                v = base < 0.0 ? base : 0.0;
            sum += v;
        }
        agg[p] = in->agg == GF_MODEL_ETS_SUM ? sum : in->agg == GF_MODEL_ETS_MEAN ? sum / count : v;
        mean += agg[p];
    }
    qsort(agg, paths, sizeof *agg, cmp_double);
    out->value = gf_model_ets_band_of(agg, paths);
    out->value.mean = mean / (double)paths;
    if (in->has_target) {
        out->prob_meet = in->lower_is_better ? gf_model_ets_share_at_most(agg, paths, in->target)
                                             : 1.0 - share_below(agg, paths, in->target);
        out->gap = in->lower_is_better ? out->value.p50 - in->target : in->target - out->value.p50;
    }
    free(shift);
    free(agg);
    return GF_MODEL_OK;
}

/* How close an outcome is to the goal, larger is closer (capped once met), and whether met. */
static double figure(const gf_model_kpi_input *in, int goal, double confidence,
                     const gf_model_kpi_outcome *o, int *met)
{
    if (goal == GF_MODEL_KPI_GOAL_PROB) {
        *met = o->prob_meet >= confidence;
        return fmin(o->prob_meet, confidence);
    }
    *met = meets(in, o->value.p50);
    return in->lower_is_better ? -fmax(o->value.p50, in->target) : fmin(o->value.p50, in->target);
}

void gf_model_kpi_plan_free(gf_model_kpi_plan *p)
{
    if (!p)
        return;
    free(p->units);
    memset(p, 0, sizeof *p);
}

/* Total units. */
static uint64_t units_sum(const uint32_t *u, size_t n)
{
    uint64_t s = 0;
    for (size_t l = 0; l < n; l++)
        s += u[l];
    return s;
}

/* The exact search: every combination (odometer order, lever 0 fastest). */
static int search_exact(const gf_model_kpi *k, const gf_model_kpi_input *in,
                        const gf_model_kpi_lever *lv, size_t n, int goal, double conf,
                        int64_t budget, gf_model_kpi_plan *pl, uint32_t *cur)
{
    memset(cur, 0, n * sizeof *cur);
    int have = 0, best_met = 0;
    double best_fig = -HUGE_VAL;
    int64_t best_cost = 0;
    for (;;) {
        int64_t cost = 0;
        for (size_t l = 0; l < n; l++)
            cost += lv[l].unit_cost_cents * (int64_t)cur[l];
        if (budget < 0 || cost <= budget) {
            gf_model_kpi_outcome o;
            const int rc = gf_model_kpi_apply(k, in, lv, cur, n, &o);
            if (rc)
                return rc;
            pl->evaluations++;
            int met;
            const double f = figure(in, goal, conf, &o, &met);
            const int better =
                !have || (met && !best_met) ||
                (met && best_met &&
                 (cost < best_cost ||
                  (cost == best_cost && units_sum(cur, n) < units_sum(pl->units, n)))) ||
                (!met && !best_met && (f > best_fig || (f == best_fig && cost < best_cost)));
            if (better) {
                have = 1;
                best_met = met;
                best_fig = f;
                best_cost = cost;
                memcpy(pl->units, cur, n * sizeof *cur);
            }
        }
        size_t l = 0;
        while (l < n && cur[l] == lv[l].max_units)
            cur[l++] = 0;
        if (l == n)
            break;
        cur[l]++;
    }
    return GF_MODEL_OK;
}

/* The greedy search: add the unit with the most figure per cost until met, then drop units,
 * dearest lever first, while the goal holds. */
static int search_greedy(const gf_model_kpi *k, const gf_model_kpi_input *in,
                         const gf_model_kpi_lever *lv, size_t n, int goal, double conf,
                         int64_t budget, gf_model_kpi_plan *pl, uint32_t *cur)
{
    uint32_t *u = pl->units;
    int64_t cost = 0;
    gf_model_kpi_outcome o;
    int rc = gf_model_kpi_apply(k, in, lv, u, n, &o), met;
    if (rc)
        return rc;
    double f = figure(in, goal, conf, &o, &met);
    while (!met) {
        size_t best = n;
        double best_gain = 0.0, best_f = f;
        for (size_t l = 0; l < n; l++) {
            if (u[l] >= lv[l].max_units || (budget >= 0 && cost + lv[l].unit_cost_cents > budget))
                continue;
            u[l]++;
            rc = gf_model_kpi_apply(k, in, lv, u, n, &o);
            u[l]--;
            if (rc)
                return rc;
            pl->evaluations++;
            int m2;
            const double f2 = figure(in, goal, conf, &o, &m2);
            const double gain = (f2 - f) / (double)(lv[l].unit_cost_cents + 1);
            if (f2 > f && gain > best_gain) {
                best = l;
                best_gain = gain;
                best_f = f2;
            }
        }
        if (best == n)
            break;
        u[best]++;
        cost += lv[best].unit_cost_cents;
        f = best_f;
        rc = gf_model_kpi_apply(k, in, lv, u, n, &o);
        if (rc)
            return rc;
        (void)figure(in, goal, conf, &o, &met);
    }
    if (!met)
        return GF_MODEL_OK;
    /* Removal: the dearest levers first, one unit at a time while the goal still holds. */
    uint8_t *tried = calloc(n + 1, 1);
    if (!tried)
        return GF_MODEL_ENOMEM;
    for (size_t pass = 0; pass < n; pass++) {
        size_t l = n;
        for (size_t i = 0; i < n; i++)
            if (!tried[i] && (l == n || lv[i].unit_cost_cents > lv[l].unit_cost_cents))
                l = i;
        tried[l] = 1;
        while (u[l] > 0) {
            u[l]--;
            rc = gf_model_kpi_apply(k, in, lv, u, n, &o);
            if (rc)
                break;
            pl->evaluations++;
            int m2;
            (void)figure(in, goal, conf, &o, &m2);
            if (!m2) {
                u[l]++;
                break;
            }
        }
        if (rc)
            break;
    }
    free(tried);
    (void)cur;
    return rc;
}

int gf_model_kpi_plan_search(const gf_model_kpi *k, const gf_model_kpi_input *in,
                             const gf_model_kpi_lever *levers, size_t n, int goal,
                             double confidence, int64_t budget_cents, gf_model_kpi_plan *out)
{
    memset(out, 0, sizeof *out);
    if (!k || !in || !in->has_target || (n && !levers) ||
        (goal != GF_MODEL_KPI_GOAL_P50 && goal != GF_MODEL_KPI_GOAL_PROB) ||
        (goal == GF_MODEL_KPI_GOAL_PROB && !(confidence > 0.0 && confidence < 1.0)))
        return GF_MODEL_EINVAL;
    out->units = calloc(n + 1, sizeof *out->units);
    uint32_t *cur = calloc(n + 1, sizeof *cur);
    if (!out->units || !cur) {
        free(cur);
        gf_model_kpi_plan_free(out);
        return GF_MODEL_ENOMEM;
    }
    double combos = 1.0;
    for (size_t l = 0; l < n; l++)
        combos *= (double)levers[l].max_units + 1.0;
    out->exact = combos <= (double)GF_MODEL_KPI_PLAN_EXACT_MAX;
    int rc = gf_model_kpi_apply(k, in, levers, out->units, n, &out->baseline);
    if (!rc)
        rc = out->exact ? search_exact(k, in, levers, n, goal, confidence, budget_cents, out, cur)
                        : search_greedy(k, in, levers, n, goal, confidence, budget_cents, out, cur);
    if (!rc)
        rc = gf_model_kpi_apply(k, in, levers, out->units, n, &out->result);
    free(cur);
    if (rc) {
        gf_model_kpi_plan_free(out);
        return rc;
    }
    int met;
    (void)figure(in, goal, confidence, &out->result, &met);
    out->achieves = met;
    out->total_cost_cents = out->result.cost_cents;
    return GF_MODEL_OK;
}
