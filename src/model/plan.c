/* The recovery plan: exact enumeration of lever units in order of cost at the full trials when
 * the space is small, otherwise greedy by gain per cost and a removal pass at fewer trials; every
 * evaluation a simulation with the base's seed (common random numbers). */
#include "gapforge/model_plan.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* How close a state is to the goal: whether it is met, the goal's quantile capped at the target,
 * and the mean of the totals capped at the target (which moves even when the quantile does not). */
typedef struct score {
    int achieved;
    double q;
    double m;
} score;

typedef struct searcher {
    const gf_model_lever_ctx *ctx;
    const gf_model_lever *lv;
    size_t n;
    const gf_model_plan_opts *o;
    double alpha; /* the quantile that must reach the target */
    gf_model_lever_work w;
    int64_t *totals;
    int64_t *scratch; /* trials entries, reordered by quantile() */
    size_t evals;
    int stopped; /* the caller's stop said so: the search answers what it has */
} searcher;

/* True once the caller's work budget is spent (asked between steps of the search, never inside
 * one); sticky. */
static int out_of_budget(searcher *s)
{
    if (!s->stopped && s->o->stop && s->o->stop(s->o->stop_arg))
        s->stopped = 1;
    return s->stopped;
}

/* The k-th smallest of a[0..n-1] (k < n), reordering a: Hoare's selection with a median-of-three
 * pivot, linear on average, so that scoring a state costs no sort of its totals. */
static int64_t select_kth(int64_t *a, size_t n, size_t k)
{
    int64_t lo = 0, hi = (int64_t)n - 1;
    const int64_t want = (int64_t)k;
    while (lo < hi) {
        const int64_t x = a[lo], y = a[lo + (hi - lo) / 2], z = a[hi];
        const int64_t pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
        int64_t i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i <= j) {
                const int64_t t = a[i];
                a[i++] = a[j];
                a[j--] = t;
            }
        }
        if (want <= j)
            hi = j;
        else if (want >= i)
            lo = i;
        else
            break;
    }
    return a[want];
}

/* The smallest total with a share >= q of the n at or below it (as the simulation's quantiles). */
static int64_t quantile(int64_t *scratch, size_t n, double q)
{
    double pos = ceil(q * (double)n - 1e-9);
    if (pos < 1.0)
        pos = 1.0;
    return select_kth(scratch, n, (size_t)pos - 1);
}

static int evaluate(searcher *s, const uint32_t *u, uint32_t trials, score *sc,
                    gf_model_sim_result *res)
{
    gf_model_sim_result r;
    int rc = gf_model_scenario_eval(s->ctx, s->lv, u, s->n, trials, &s->w, &r, s->totals);
    if (rc)
        return rc;
    s->evals++;
    const int64_t target = s->ctx->base->target_cents;
    sc->achieved =
        s->o->goal == GF_MODEL_GOAL_P50 ? r.p50 >= target : r.prob_hit >= s->o->confidence;
    memcpy(s->scratch, s->totals, (size_t)trials * sizeof(int64_t));
    const int64_t q = quantile(s->scratch, trials, s->alpha);
    sc->q = (double)(q < target ? q : target);
    double m = 0.0;
    for (size_t k = 0; k < trials; k++)
        m += (double)(s->totals[k] < target ? s->totals[k] : target);
    sc->m = m / (double)trials;
    if (res)
        *res = r;
    return GF_MODEL_OK;
}

static int64_t plan_cost(const searcher *s, const uint32_t *u)
{
    int64_t c = 0;
    for (size_t k = 0; k < s->n; k++)
        c += gf_model_lever_cost(&s->lv[k], s->ctx, u[k]);
    return c;
}

static int affordable(const searcher *s, int64_t cost)
{
    return s->o->budget_cents < 0 || cost <= s->o->budget_cents;
}

/* Adds units one at a time until the goal is met or nothing affordable helps. */
static int greedy(searcher *s, uint32_t *u, score *cur, uint32_t trials)
{
    while (!cur->achieved && !out_of_budget(s)) {
        const int64_t cost = plan_cost(s, u);
        size_t best = SIZE_MAX;
        int best_by_q = 0;
        double best_ratio = 0.0;
        score best_sc = {0};
        for (size_t k = 0; k < s->n; k++) {
            if (u[k] >= s->lv[k].max_units)
                continue;
            u[k]++;
            const int64_t c = plan_cost(s, u);
            score sc;
            int rc = affordable(s, c) ? evaluate(s, u, trials, &sc, NULL) : 1;
            u[k]--;
            if (rc < 0)
                return rc;
            if (rc)
                continue;
            const double dc = (double)(c - cost) > 1.0 ? (double)(c - cost) : 1.0;
            const double gq = sc.q - cur->q, gm = sc.m - cur->m;
            const int by_q = gq > 0.0;
            const double ratio = (by_q ? gq : gm) / dc;
            if (!by_q && !(gm > 0.0))
                continue;
            if (best == SIZE_MAX || (by_q && !best_by_q) ||
                (by_q == best_by_q && ratio > best_ratio)) {
                best = k;
                best_by_q = by_q;
                best_ratio = ratio;
                best_sc = sc;
            }
        }
        if (best == SIZE_MAX)
            break;
        u[best]++;
        *cur = best_sc;
    }
    return GF_MODEL_OK;
}

/* Drops units, the most expensive last unit first, while the goal still holds. */
static int prune(searcher *s, uint32_t *u, score *cur, uint32_t trials)
{
    uint8_t *stuck = calloc(s->n ? s->n : 1, 1);
    if (!stuck)
        return GF_MODEL_ENOMEM;
    int rc = GF_MODEL_OK;
    while (!out_of_budget(s)) {
        size_t pick = SIZE_MAX;
        int64_t pick_cost = -1;
        for (size_t k = 0; k < s->n; k++) {
            if (!u[k] || stuck[k])
                continue;
            const int64_t c = gf_model_lever_cost(&s->lv[k], s->ctx, u[k]) -
                              gf_model_lever_cost(&s->lv[k], s->ctx, u[k] - 1);
            if (c > pick_cost) {
                pick = k;
                pick_cost = c;
            }
        }
        if (pick == SIZE_MAX)
            break;
        u[pick]--;
        score sc;
        rc = evaluate(s, u, trials, &sc, NULL);
        if (rc)
            break;
        if (sc.achieved)
            *cur = sc;
        else {
            u[pick]++;
            stuck[pick] = 1;
        }
    }
    free(stuck);
    return rc;
}

/* One combination of units: its cost, its total units and its rank in lexicographic order of the
 * units (lever 0 most significant), which is also how it is decoded. */
typedef struct combo {
    int64_t cost;
    uint64_t units;
    size_t index;
} combo;

/* The order in which combinations are tried: cost, then fewer units, then lexicographic. */
static int cmp_combo(const void *a, const void *b)
{
    const combo *x = a, *y = b;
    if (x->cost != y->cost)
        return (x->cost > y->cost) - (x->cost < y->cost);
    if (x->units != y->units)
        return (x->units > y->units) - (x->units < y->units);
    return (x->index > y->index) - (x->index < y->index);
}

static void decode(const searcher *s, size_t index, uint32_t *u)
{
    for (size_t k = s->n; k > 0; k--) {
        const size_t radix = (size_t)s->lv[k - 1].max_units + 1;
        u[k - 1] = (uint32_t)(index % radix);
        index /= radix;
    }
}

/* Every affordable combination in the order of cmp_combo, each evaluated at `trials` (the full
 * trials): the first that meets the goal, else the one closest to it (ties: the first). Every
 * combination tried before the answer missed the goal at those trials, so no cheaper one meets
 * it there. */
static int exact(searcher *s, size_t n_combos, uint32_t *u, score *best, uint32_t trials)
{
    combo *all = malloc(n_combos * sizeof(*all));
    uint32_t *v = calloc(s->n ? s->n : 1, sizeof(*v));
    int rc = GF_MODEL_ENOMEM;
    if (!all || !v)
        goto cleanup;
    size_t m = 0;
    for (size_t i = 0; i < n_combos; i++) {
        decode(s, i, v);
        const int64_t c = plan_cost(s, v);
        uint64_t units = 0;
        for (size_t k = 0; k < s->n; k++)
            units += v[k];
        if (affordable(s, c))
            all[m++] = (combo){c, units, i};
    }
    qsort(all, m, sizeof(*all), cmp_combo);
    rc = GF_MODEL_OK;
    int have = 0;
    for (size_t i = 0; i < m && !(have && out_of_budget(s)); i++) {
        decode(s, all[i].index, v);
        score sc;
        rc = evaluate(s, v, trials, &sc, NULL);
        if (rc)
            break;
        const int better =
            !have || sc.achieved || sc.q > best->q || (sc.q == best->q && sc.m > best->m);
        if (better) {
            *best = sc;
            memcpy(u, v, s->n * sizeof(*u));
            have = 1;
        }
        if (sc.achieved)
            break;
    }
cleanup:
    free(all);
    free(v);
    return rc;
}

/* The number of combinations, or SIZE_MAX past the exact limit. */
static size_t combinations(const searcher *s, size_t limit)
{
    size_t c = 1;
    for (size_t k = 0; k < s->n; k++) {
        const size_t radix = (size_t)s->lv[k].max_units + 1;
        if (c > limit / radix)
            return SIZE_MAX;
        c *= radix;
    }
    return c;
}

static int cmp_action(const void *a, const void *b)
{
    const gf_model_plan_action *x = a, *y = b;
    if (x->start_by != y->start_by)
        return (x->start_by > y->start_by) - (x->start_by < y->start_by);
    return (x->lever > y->lever) - (x->lever < y->lever);
}

/* The actions, each lever's units alone against the baseline at full trials. */
static int actions(searcher *s, gf_model_plan *p, const int64_t *base_totals, uint32_t trials)
{
    size_t n_act = 0;
    for (size_t k = 0; k < s->n; k++)
        n_act += p->units[k] > 0;
    p->actions = calloc(n_act ? n_act : 1, sizeof(*p->actions));
    uint32_t *alone = calloc(s->n ? s->n : 1, sizeof(*alone));
    int rc = GF_MODEL_ENOMEM;
    if (!p->actions || !alone)
        goto cleanup;
    rc = GF_MODEL_OK;
    for (size_t k = 0; k < s->n && !rc; k++) {
        if (!p->units[k])
            continue;
        gf_model_plan_action *a = &p->actions[p->n_actions++];
        a->lever = k;
        a->units = p->units[k];
        a->cost_cents = gf_model_lever_cost(&s->lv[k], s->ctx, a->units);
        a->start_by = s->ctx->period.end - s->lv[k].ramp_days - s->o->lead_days;
        gf_model_sim_result r;
        alone[k] = a->units;
        rc = gf_model_scenario_eval(s->ctx, s->lv, alone, s->n, trials, &s->w, &r, s->totals);
        alone[k] = 0;
        if (!rc)
            gf_model_delta_of(&p->baseline, base_totals, &r, s->totals, &a->uplift);
    }
    qsort(p->actions, p->n_actions, sizeof(*p->actions), cmp_action);
cleanup:
    free(alone);
    return rc;
}

void gf_model_plan_free(gf_model_plan *p)
{
    if (!p)
        return;
    free(p->units);
    free(p->actions);
    memset(p, 0, sizeof(*p));
}

static int opts_valid(const gf_model_lever_ctx *ctx, const gf_model_lever *levers, size_t n,
                      const gf_model_plan_opts *o)
{
    if (!ctx || !ctx->base || !o || (n && !levers) || o->lead_days < 0)
        return 0;
    if (o->goal != GF_MODEL_GOAL_P50 &&
        !(o->goal == GF_MODEL_GOAL_PROB && o->confidence > 0.0 && o->confidence < 1.0))
        return 0;
    for (size_t k = 0; k < n; k++) {
        if (gf_model_lever_check(&levers[k], ctx))
            return 0;
    }
    return 1;
}

int gf_model_plan_search(const gf_model_lever_ctx *ctx, const gf_model_lever *levers, size_t n,
                         const gf_model_plan_opts *o, gf_model_plan *out)
{
    if (!out)
        return GF_MODEL_EINVAL;
    memset(out, 0, sizeof(*out));
    if (!opts_valid(ctx, levers, n, o))
        return GF_MODEL_EINVAL;
    const uint32_t full = ctx->base->trials ? ctx->base->trials : GF_MODEL_SIM_DEFAULT_TRIALS;
    uint32_t search = o->search_trials ? o->search_trials : GF_MODEL_PLAN_SEARCH_TRIALS;
    if (search > full)
        search = full;
    searcher s = {.ctx = ctx, .lv = levers, .n = n, .o = o};
    s.alpha = o->goal == GF_MODEL_GOAL_P50 ? 0.5 : 1.0 - o->confidence;
    int rc = GF_MODEL_ENOMEM;
    int64_t *base_totals = malloc((size_t)full * sizeof(int64_t));
    s.totals = malloc((size_t)full * sizeof(int64_t));
    s.scratch = malloc((size_t)full * sizeof(int64_t));
    out->units = calloc(n ? n : 1, sizeof(*out->units));
    if (!base_totals || !s.totals || !s.scratch || !out->units)
        goto cleanup;
    score cur;
    rc = evaluate(&s, out->units, full, &cur, &out->baseline);
    if (rc)
        goto cleanup;
    memcpy(base_totals, s.totals, (size_t)full * sizeof(int64_t));
    if (!cur.achieved) {
        const size_t limit = o->exact_max ? o->exact_max : GF_MODEL_PLAN_EXACT_MAX;
        const size_t n_combos = combinations(&s, limit);
        /* Exact when walking every combination at the full trials (the worst case: none meets
         * the goal) is affordable. */
        const double work =
            (double)n_combos * full * ((double)ctx->base->n_deals + GF_MODEL_PLAN_TRIAL_COST);
        out->exact = n_combos <= limit && work <= GF_MODEL_PLAN_EXACT_WORK;
        if (out->exact) {
            /* Already at the full trials: nothing to confirm or add. */
            rc = exact(&s, n_combos, out->units, &cur, full);
            if (!rc)
                rc = evaluate(&s, out->units, full, &cur, &out->result);
        } else {
            rc = evaluate(&s, out->units, search, &cur, NULL);
            if (!rc)
                rc = greedy(&s, out->units, &cur, search);
            if (!rc && cur.achieved)
                rc = prune(&s, out->units, &cur, search);
            /* The answer stands on the full trials: if they miss what the search met, add more. */
            if (!rc)
                rc = evaluate(&s, out->units, full, &cur, &out->result);
            if (!rc && !cur.achieved) {
                rc = greedy(&s, out->units, &cur, full);
                if (!rc)
                    rc = evaluate(&s, out->units, full, &cur, &out->result);
            }
        }
        if (rc)
            goto cleanup;
    } else {
        out->result = out->baseline;
    }
    out->achieves = cur.achieved;
    out->total_cost_cents = s.w.cost_cents;
    out->kpi_delta = s.w.kpi_delta;
    gf_model_delta_of(&out->baseline, base_totals, &out->result, s.totals, &out->delta);
    if (!cur.achieved)
        out->residual_gap_cents = (double)ctx->base->target_cents - cur.q;
    out->evaluations = s.evals;
    out->stopped = s.stopped;
    rc = actions(&s, out, base_totals, full);
cleanup:
    if (rc)
        gf_model_plan_free(out);
    gf_model_lever_work_free(&s.w);
    free(base_totals);
    free(s.totals);
    free(s.scratch);
    return rc;
}
