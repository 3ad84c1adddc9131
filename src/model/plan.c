/* The recovery plan: exact enumeration of lever units in order of cost at the full trials when
 * the space is small, otherwise greedy by gain per cost and a removal pass at fewer trials, then
 * drops and an improvement pass at the full trials; every evaluation a simulation with the base's
 * seed (common random numbers); and the efficiency frontier from the states evaluated. */
#include "gapforge/model_plan.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plan_internal.h"

/* True once the caller's work budget is spent (asked between steps of the search, never inside
 * one); sticky. */
int gf_model__plan_out_of_budget(searcher *s)
{
    if (!s->stopped && s->o->stop && s->o->stop(s->o->stop_arg))
        s->stopped = 1;
    return s->stopped;
}

/* Remembers a state evaluated at the full trials. */
static int remember(searcher *s, const uint32_t *u, int64_t cost, const gf_model_sim_result *r)
{
    const size_t width = s->n ? s->n : 1;
    if (s->n_seen == s->cap_seen) {
        const size_t c = s->cap_seen ? 2 * s->cap_seen : 64;
        seen *a = realloc(s->seen, c * sizeof(*a));
        if (!a)
            return GF_MODEL_ENOMEM;
        s->seen = a;
        uint32_t *b = realloc(s->seen_units, c * width * sizeof(*b));
        if (!b)
            return GF_MODEL_ENOMEM;
        s->seen_units = b;
        s->cap_seen = c;
    }
    s->seen[s->n_seen] = (seen){cost, (double)r->p50, r->prob_hit, r->expected};
    memcpy(s->seen_units + s->n_seen * width, u, s->n * sizeof(*u));
    s->n_seen++;
    return GF_MODEL_OK;
}

/* Appends a state of the screening greedy to its path. */
static int record(searcher *s, const uint32_t *u, int64_t cost)
{
    const size_t width = s->n ? s->n : 1;
    if (s->n_path == s->cap_path) {
        const size_t c = s->cap_path ? 2 * s->cap_path : 32;
        int64_t *a = realloc(s->path_cost, c * sizeof(*a));
        if (!a)
            return GF_MODEL_ENOMEM;
        s->path_cost = a;
        uint32_t *b = realloc(s->path, c * width * sizeof(*b));
        if (!b)
            return GF_MODEL_ENOMEM;
        s->path = b;
        s->cap_path = c;
    }
    s->path_cost[s->n_path] = cost;
    memcpy(s->path + s->n_path * width, u, s->n * sizeof(*u));
    s->n_path++;
    return GF_MODEL_OK;
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

int64_t gf_model__plan_cost(const searcher *s, const uint32_t *u)
{
    int64_t c = 0;
    for (size_t k = 0; k < s->n; k++)
        c += gf_model_lever_cost(&s->lv[k], s->ctx, u[k]);
    return c;
}

/* Scores units u at `trials` (result to *res if not NULL); at the full trials the state is also
 * remembered for the frontier. */
int gf_model__plan_evaluate(searcher *s, const uint32_t *u, uint32_t trials, score *sc,
                            gf_model_sim_result *res)
{
    gf_model_sim_result r;
    int rc = gf_model_scenario_eval(s->ctx, s->lv, u, s->n, trials, &s->w, &r, s->totals);
    if (rc)
        return rc;
    s->evals++;
    if (trials == s->full) {
        rc = remember(s, u, s->w.cost_cents, &r);
        if (rc)
            return rc;
    }
    if (res)
        *res = r;
    if (s->maximise) {
        sc->achieved = 0;
        sc->q = sc->raw = s->o->goal == GF_MODEL_GOAL_MAX_P50 ? (double)r.p50 : r.expected;
        sc->m = r.mean;
        return GF_MODEL_OK;
    }
    const int64_t target = s->ctx->base->target_cents;
    sc->achieved =
        s->o->goal == GF_MODEL_GOAL_P50 ? r.p50 >= target : r.prob_hit >= s->o->confidence;
    memcpy(s->scratch, s->totals, (size_t)trials * sizeof(int64_t));
    const int64_t q = quantile(s->scratch, trials, s->alpha);
    sc->raw = (double)q;
    sc->q = (double)(q < target ? q : target);
    double m = 0.0;
    for (size_t k = 0; k < trials; k++)
        m += (double)(s->totals[k] < target ? s->totals[k] : target);
    sc->m = m / (double)trials;
    return GF_MODEL_OK;
}

int gf_model__plan_affordable(const searcher *s, int64_t cost)
{
    return s->o->budget_cents < 0 || cost <= s->o->budget_cents;
}

/* Adds units one at a time until the goal is met or nothing affordable helps (a maximising
 * goal: until no affordable unit raises the objective or, failing that, the mean), each state
 * appended to the path while s->recording. */
static int greedy(searcher *s, uint32_t *u, score *cur, uint32_t trials)
{
    while (!cur->achieved && !gf_model__plan_out_of_budget(s)) {
        const int64_t cost = gf_model__plan_cost(s, u);
        size_t best = SIZE_MAX;
        int best_by_q = 0;
        double best_ratio = 0.0;
        score best_sc = {0};
        for (size_t k = 0; k < s->n; k++) {
            if (u[k] >= s->lv[k].max_units)
                continue;
            u[k]++;
            const int64_t c = gf_model__plan_cost(s, u);
            score sc;
            int rc = gf_model__plan_affordable(s, c)
                         ? gf_model__plan_evaluate(s, u, trials, &sc, NULL)
                         : 1;
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
        if (s->recording) {
            const int rc = record(s, u, gf_model__plan_cost(s, u));
            if (rc)
                return rc;
        }
    }
    return GF_MODEL_OK;
}

/* Drops units, the most expensive last unit first, while the goal still holds. */
int gf_model__plan_prune(searcher *s, uint32_t *u, score *cur, uint32_t trials)
{
    uint8_t *stuck = calloc(s->n ? s->n : 1, 1);
    if (!stuck)
        return GF_MODEL_ENOMEM;
    int rc = GF_MODEL_OK;
    while (!gf_model__plan_out_of_budget(s)) {
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
        rc = gf_model__plan_evaluate(s, u, trials, &sc, NULL);
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

/* Whether units a (cost ca) come before units b (cost cb) in that order. */
static int tried_first(const searcher *s, int64_t ca, const uint32_t *a, int64_t cb,
                       const uint32_t *b)
{
    if (ca != cb)
        return ca < cb;
    uint64_t na = 0, nb = 0;
    for (size_t k = 0; k < s->n; k++) {
        na += a[k];
        nb += b[k];
    }
    if (na != nb)
        return na < nb;
    for (size_t k = 0; k < s->n; k++) {
        if (a[k] != b[k])
            return a[k] < b[k];
    }
    return 0;
}

/* Whether state b (score sb, cost cb, units ub) is a better answer than state a: for a
 * maximising goal a larger objective, or the same for less (in the order of trial); otherwise
 * meeting the goal where a does not, or meeting it too and coming first in that order. */
int gf_model__plan_better(const searcher *s, const score *sb, int64_t cb, const uint32_t *ub,
                          const score *sa, int64_t ca, const uint32_t *ua)
{
    if (s->maximise) {
        if (sb->q != sa->q)
            return sb->q > sa->q;
        return tried_first(s, cb, ub, ca, ua);
    }
    if (!sb->achieved)
        return 0;
    return !sa->achieved || tried_first(s, cb, ub, ca, ua);
}

static void decode(const searcher *s, size_t index, uint32_t *u)
{
    for (size_t k = s->n; k > 0; k--) {
        const size_t radix = (size_t)s->lv[k - 1].max_units + 1;
        u[k - 1] = (uint32_t)(index % radix);
        index /= radix;
    }
}

/* Every affordable combination in the order of cmp_combo, each evaluated at the full trials.
 * Minimum-cost goals: the first that meets the goal, else the one closest to it (ties: the
 * first); every combination tried before the answer missed the goal at those trials, so no
 * cheaper one meets it there. Maximising goals: all of them, and the best (ties: the first). */
static int exact(searcher *s, size_t n_combos, uint32_t *u, score *best)
{
    combo *all = malloc(n_combos * sizeof(*all));
    uint32_t *v = calloc(s->n ? s->n : 1, sizeof(*v));
    int rc = GF_MODEL_ENOMEM;
    if (!all || !v)
        goto cleanup;
    size_t m = 0;
    for (size_t i = 0; i < n_combos; i++) {
        decode(s, i, v);
        const int64_t c = gf_model__plan_cost(s, v);
        uint64_t units = 0;
        for (size_t k = 0; k < s->n; k++)
            units += v[k];
        if (gf_model__plan_affordable(s, c))
            all[m++] = (combo){c, units, i};
    }
    qsort(all, m, sizeof(*all), cmp_combo);
    rc = GF_MODEL_OK;
    int have = 0;
    for (size_t i = 0; i < m && !(have && gf_model__plan_out_of_budget(s)); i++) {
        decode(s, all[i].index, v);
        score sc;
        rc = gf_model__plan_evaluate(s, v, s->full, &sc, NULL);
        if (rc)
            break;
        const int improves =
            s->maximise ? sc.q > best->q
                        : sc.achieved || sc.q > best->q || (sc.q == best->q && sc.m > best->m);
        if (!have || improves) {
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

/* Whether units u are among the states seen at the full trials. */
static int was_seen(const searcher *s, const uint32_t *u)
{
    for (size_t i = 0; i < s->n_seen; i++) {
        if (!memcmp(s->seen_units + i * (s->n ? s->n : 1), u, s->n * sizeof(*u)))
            return 1;
    }
    return 0;
}

/* A seen state's score for the goal (q only, and achieved). */
static score seen_score(const searcher *s, const seen *x)
{
    score sc = {0};
    if (s->maximise) {
        sc.q = s->o->goal == GF_MODEL_GOAL_MAX_P50 ? x->p50 : x->expected;
        return sc;
    }
    sc.achieved = s->o->goal == GF_MODEL_GOAL_P50 ? x->p50 >= (double)s->ctx->base->target_cents
                                                  : x->prob >= s->o->confidence;
    return sc;
}

/* The budgets of the frontier: GF_MODEL_PLAN_FRONTIER_STEPS evenly from 0 to top, and the plan's
 * cost, ascending without repeats, into b (room for STEPS + 1); returns their number. */
static size_t frontier_budgets(int64_t top, int64_t plan_cost, int64_t *b)
{
    const int64_t steps = GF_MODEL_PLAN_FRONTIER_STEPS - 1;
    size_t n = 0;
    for (int64_t k = 0; k <= steps; k++) {
        const int64_t v = top / steps * k + top % steps * k / steps; /* top * k / steps, exact */
        if (plan_cost > (n ? b[n - 1] : -1) && plan_cost < v)
            b[n++] = plan_cost;
        if (!n || v > b[n - 1])
            b[n++] = v;
    }
    if (plan_cost > b[n - 1])
        b[n++] = plan_cost;
    return n;
}

/* Re-evaluates at the full trials, for each budget of the frontier, the last state of the
 * screening path within it (the greedy search's frontier), unless already seen there. */
static int walk_path(searcher *s, const int64_t *budget, size_t nb)
{
    const size_t width = s->n ? s->n : 1;
    for (size_t k = 0; k < nb; k++) {
        size_t last = SIZE_MAX;
        for (size_t i = 0; i < s->n_path && s->path_cost[i] <= budget[k]; i++)
            last = i;
        if (last == SIZE_MAX || was_seen(s, s->path + last * width))
            continue;
        if (gf_model__plan_out_of_budget(s))
            break;
        score sc;
        const int rc = gf_model__plan_evaluate(s, s->path + last * width, s->full, &sc, NULL);
        if (rc)
            return rc;
    }
    return GF_MODEL_OK;
}

/* The best seen state within budget b for figure f (0: P50, 1: probability, 2: expected). */
static size_t best_within(const searcher *s, int64_t b, int f)
{
    const size_t width = s->n ? s->n : 1;
    size_t best = SIZE_MAX;
    double bv = 0.0;
    for (size_t i = 0; i < s->n_seen; i++) {
        const seen *x = &s->seen[i];
        if (x->cost > b)
            continue;
        const double v = f == 0 ? x->p50 : f == 1 ? x->prob : x->expected;
        if (best == SIZE_MAX || v > bv ||
            (v == bv && tried_first(s, x->cost, s->seen_units + i * width, s->seen[best].cost,
                                    s->seen_units + best * width))) {
            best = i;
            bv = v;
        }
    }
    return best;
}

/* Fills p's frontier from the seen states at budgets b[0..nb-1]. */
static int frontier_fill(const searcher *s, gf_model_plan *p, const int64_t *b, size_t nb)
{
    const size_t width = s->n ? s->n : 1;
    p->frontier = calloc(nb, sizeof(*p->frontier));
    p->frontier_units = calloc(nb * 3 * width, sizeof(*p->frontier_units));
    if (!p->frontier || !p->frontier_units)
        return GF_MODEL_ENOMEM;
    p->n_frontier = nb;
    for (size_t k = 0; k < nb; k++) {
        gf_model_plan_point *pt = &p->frontier[k];
        pt->budget_cents = b[k];
        gf_model_plan_best *fig[3] = {&pt->p50, &pt->prob_hit, &pt->expected};
        for (int f = 0; f < 3; f++) {
            const size_t i = best_within(s, b[k], f);
            uint32_t *u = p->frontier_units + (k * 3 + (size_t)f) * width;
            if (i == SIZE_MAX)
                continue; /* cannot happen: the status quo (cost 0) is always seen */
            const seen *x = &s->seen[i];
            memcpy(u, s->seen_units + i * width, s->n * sizeof(*u));
            *fig[f] = (gf_model_plan_best){f == 0   ? x->p50
                                           : f == 1 ? x->prob
                                                    : x->expected,
                                           x->cost, u};
        }
    }
    return GF_MODEL_OK;
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
    free(p->frontier);
    free(p->frontier_units);
    memset(p, 0, sizeof(*p));
}

static int opts_valid(const gf_model_lever_ctx *ctx, const gf_model_lever *levers, size_t n,
                      const gf_model_plan_opts *o)
{
    if (!ctx || !ctx->base || !o || (n && !levers) || o->lead_days < 0)
        return 0;
    const int maximise = o->goal == GF_MODEL_GOAL_MAX_P50 || o->goal == GF_MODEL_GOAL_MAX_EXPECTED;
    if (maximise && o->budget_cents < 0)
        return 0;
    if (!maximise && o->goal != GF_MODEL_GOAL_P50 &&
        !(o->goal == GF_MODEL_GOAL_PROB && o->confidence > 0.0 && o->confidence < 1.0))
        return 0;
    for (size_t k = 0; k < n; k++) {
        if (gf_model_lever_check(&levers[k], ctx))
            return 0;
    }
    return 1;
}

/* The greedy search from the status quo u (all zero, scored cur at the full trials): screening
 * at s->search trials (add by gain per cost, then for a minimum-cost goal drop what it can),
 * then at the full trials: topped up if the goal is missed there, dropped again, improved. */
static int greedy_search(searcher *s, uint32_t *u, score *cur)
{
    int rc = gf_model__plan_evaluate(s, u, s->search, cur, NULL);
    s->recording = 1;
    if (!rc)
        rc = record(s, u, 0);
    if (!rc)
        rc = greedy(s, u, cur, s->search);
    s->recording = 0;
    if (!rc && !s->maximise && cur->achieved)
        rc = gf_model__plan_prune(s, u, cur, s->search);
    if (!rc)
        rc = gf_model__plan_evaluate(s, u, s->full, cur, NULL);
    if (!rc && !s->maximise && !cur->achieved)
        rc = greedy(s, u, cur, s->full);
    if (s->o->no_improve)
        return rc;
    if (!rc && !s->maximise && cur->achieved)
        rc = gf_model__plan_prune(s, u, cur, s->full);
    if (!rc)
        rc = gf_model__plan_improve(s, u, cur);
    return rc;
}

/* The top of the frontier (see gf_model_plan.frontier). */
static int64_t frontier_top(const searcher *s, const gf_model_plan *p, int achieved, int64_t cost)
{
    int64_t top = -1;
    if (s->maximise)
        top = s->o->budget_cents;
    else if (achieved)
        top = cost;
    else if (s->o->budget_cents >= 0)
        top = s->o->budget_cents;
    int64_t dearest = 0;
    for (size_t i = 0; i < s->n_seen; i++)
        dearest = s->seen[i].cost > dearest ? s->seen[i].cost : dearest;
    if (top < 0 || (p->exact && s->stopped && dearest < top))
        top = dearest;
    return top;
}

/* In greedy mode, moves the plan to a state seen at the full trials that is a better answer
 * (the frontier's walk may find one), so that the plan and its frontier agree. */
static void adopt_best_seen(const searcher *s, uint32_t *u, score *cur)
{
    const size_t width = s->n ? s->n : 1;
    int64_t cost = gf_model__plan_cost(s, u);
    for (size_t i = 0; i < s->n_seen; i++) {
        const seen *x = &s->seen[i];
        const score sc = seen_score(s, x);
        const uint32_t *v = s->seen_units + i * width;
        if (gf_model__plan_affordable(s, x->cost) &&
            gf_model__plan_better(s, &sc, x->cost, v, cur, cost, u)) {
            memcpy(u, v, s->n * sizeof(*u));
            *cur = sc;
            cost = x->cost;
        }
    }
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
    searcher s = {.ctx = ctx, .lv = levers, .n = n, .o = o, .full = full, .search = search};
    s.maximise = o->goal == GF_MODEL_GOAL_MAX_P50 || o->goal == GF_MODEL_GOAL_MAX_EXPECTED;
    s.alpha = o->goal == GF_MODEL_GOAL_PROB ? 1.0 - o->confidence : 0.5;
    int rc = GF_MODEL_ENOMEM;
    int64_t *base_totals = malloc((size_t)full * sizeof(int64_t));
    s.totals = malloc((size_t)full * sizeof(int64_t));
    s.scratch = malloc((size_t)full * sizeof(int64_t));
    out->units = calloc(n ? n : 1, sizeof(*out->units));
    if (!base_totals || !s.totals || !s.scratch || !out->units)
        goto cleanup;
    score cur;
    rc = gf_model__plan_evaluate(&s, out->units, full, &cur, &out->baseline);
    if (rc)
        goto cleanup;
    memcpy(base_totals, s.totals, (size_t)full * sizeof(int64_t));
    if (s.maximise || !cur.achieved) {
        const size_t limit = o->exact_max ? o->exact_max : GF_MODEL_PLAN_EXACT_MAX;
        const size_t n_combos = combinations(&s, limit);
        /* Exact when walking every combination at the full trials (the worst case: none meets
         * the goal, or a maximising goal) is affordable. */
        const double work =
            (double)n_combos * full * ((double)ctx->base->n_deals + GF_MODEL_PLAN_TRIAL_COST);
        out->exact = n_combos <= limit && work <= GF_MODEL_PLAN_EXACT_WORK;
        rc = out->exact ? exact(&s, n_combos, out->units, &cur)
                        : greedy_search(&s, out->units, &cur);
        if (rc)
            goto cleanup;
    }
    out->frontier_exact = out->exact;
    int64_t budgets[GF_MODEL_PLAN_FRONTIER_STEPS + 1];
    int64_t top = frontier_top(&s, out, cur.achieved, gf_model__plan_cost(&s, out->units));
    size_t nb = frontier_budgets(top, gf_model__plan_cost(&s, out->units), budgets);
    if (!out->exact && s.n_path && !s.stopped) {
        rc = walk_path(&s, budgets, nb);
        if (rc)
            goto cleanup;
        adopt_best_seen(&s, out->units, &cur);
        top = frontier_top(&s, out, cur.achieved, gf_model__plan_cost(&s, out->units));
        nb = frontier_budgets(top, gf_model__plan_cost(&s, out->units), budgets);
    }
    /* The answer at the full trials (the totals for its delta). */
    rc = gf_model__plan_evaluate(&s, out->units, full, &cur, &out->result);
    if (rc)
        goto cleanup;
    out->achieves = cur.achieved;
    out->total_cost_cents = s.w.cost_cents;
    out->kpi_delta = s.w.kpi_delta;
    gf_model_delta_of(&out->baseline, base_totals, &out->result, s.totals, &out->delta);
    if (!s.maximise && !cur.achieved)
        out->residual_gap_cents = (double)ctx->base->target_cents - cur.q;
    out->stopped = s.stopped;
    rc = frontier_fill(&s, out, budgets, nb);
    if (!rc)
        rc = actions(&s, out, base_totals, full);
    out->evaluations = s.evals;
cleanup:
    if (rc)
        gf_model_plan_free(out);
    gf_model_lever_work_free(&s.w);
    free(base_totals);
    free(s.totals);
    free(s.scratch);
    free(s.seen);
    free(s.seen_units);
    free(s.path);
    free(s.path_cost);
    return rc;
}
