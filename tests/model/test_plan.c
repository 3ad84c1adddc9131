/* Specification of the recovery plan (gapforge/model_plan.h). */
#include <check.h>
#include <stdio.h>

#include "gapforge/model_plan.h"
#include "lever_fixture.h"

#define N_LEVERS 4

/* A small org: 60 open deals, four levers with 3-4 units each (4 x 5 x 4 x 3 = 240 plans). */
static lf *small_case(gf_model_lever *lv)
{
    lf *f = lf_new(60, 21);
    f->in.trials = GF_MODEL_PLAN_SEARCH_TRIALS;
    gf_model_lever all[GF_MODEL_LEVER_KINDS];
    lf_levers(f, all);
    lv[0] = all[GF_MODEL_LEVER_WIN_RATE];
    lv[0].max_units = 3;
    lv[1] = all[GF_MODEL_LEVER_DEAL_SIZE];
    lv[1].max_units = 4;
    lv[2] = all[GF_MODEL_LEVER_PIPELINE];
    lv[2].max_units = 3;
    lv[3] = all[GF_MODEL_LEVER_CONCESSION];
    lv[3].max_units = 2;
    lv[3].n_deals = 2;
    return f;
}

/* Whether plan a (cost ca, units ua) comes before plan b in the planner's order of trial: cost,
 * then fewer units, then lexicographic. */
static int tried_first(int64_t ca, const uint32_t *ua, int64_t cb, const uint32_t *ub, size_t n)
{
    if (ca != cb)
        return ca < cb;
    uint64_t na = 0, nb = 0;
    for (size_t k = 0; k < n; k++) {
        na += ua[k];
        nb += ub[k];
    }
    if (na != nb)
        return na < nb;
    for (size_t k = 0; k < n; k++) {
        if (ua[k] != ub[k])
            return ua[k] < ub[k];
    }
    return 0;
}

/* Moves u to the next combination of 0..max_units; 0 once every one has been seen. */
static int next_units(const gf_model_lever *lv, size_t n, uint32_t *u)
{
    for (size_t k = n; k > 0; k--) {
        if (u[k - 1] < lv[k - 1].max_units) {
            u[k - 1]++;
            return 1;
        }
        u[k - 1] = 0;
    }
    return 0;
}

/* The cheapest plan meeting the goal within the budget by running every combination through
 * gf_model_scenario_run (the full trials), the first in the planner's order on ties; -1 if none
 * does. If sub_cost is not NULL it receives the same at `sub_trials` per evaluation (or -1). */
static int64_t brute_force(lf *f, const gf_model_lever *lv, size_t n, const gf_model_plan_opts *o,
                           uint32_t *best, uint32_t sub_trials, int64_t *sub_cost)
{
    gf_model_lever_work w = {0};
    int64_t best_cost = -1, best_sub = -1;
    uint32_t u[GF_MODEL_LEVER_KINDS] = {0};
    do {
        gf_model_scenario sc;
        ck_assert_int_eq(gf_model_scenario_run(&f->ctx, lv, u, n, &sc), 0);
        const int64_t cost = sc.cost_cents;
        const int affordable = o->budget_cents < 0 || cost <= o->budget_cents;
        const int ok = o->goal == GF_MODEL_GOAL_P50 ? sc.result.p50 >= f->in.target_cents
                                                    : sc.result.prob_hit >= o->confidence;
        gf_model_scenario_free(&sc);
        if (affordable && ok && (best_cost < 0 || tried_first(cost, u, best_cost, best, n))) {
            best_cost = cost;
            memcpy(best, u, n * sizeof(*u));
        }
        if (!sub_cost || !affordable || (best_sub >= 0 && cost >= best_sub))
            continue;
        gf_model_sim_result r;
        ck_assert_int_eq(gf_model_scenario_eval(&f->ctx, lv, u, n, sub_trials, &w, &r, NULL), 0);
        if (o->goal == GF_MODEL_GOAL_P50 ? r.p50 >= f->in.target_cents
                                         : r.prob_hit >= o->confidence)
            best_sub = cost;
    } while (next_units(lv, n, u));
    if (sub_cost)
        *sub_cost = best_sub;
    gf_model_lever_work_free(&w);
    return best_cost;
}

static int64_t p50_of(lf *f, const gf_model_lever *lv, const uint32_t *u)
{
    gf_model_lever_work w = {0};
    gf_model_sim_result r;
    ck_assert_int_eq(gf_model_scenario_eval(&f->ctx, lv, u, N_LEVERS, 0, &w, &r, NULL), 0);
    gf_model_lever_work_free(&w);
    return r.p50;
}

static void assert_optimum(int goal, double confidence, double reach)
{
    gf_model_lever lv[N_LEVERS];
    lf *f = small_case(lv);
    const uint32_t none[N_LEVERS] = {0}, most[N_LEVERS] = {3, 4, 3, 2};
    const int64_t lo = p50_of(f, lv, none), hi = p50_of(f, lv, most);
    f->in.target_cents = lo + (int64_t)(reach * (double)(hi - lo));
    gf_model_plan_opts o = {.goal = goal, .confidence = confidence, .budget_cents = -1};
    uint32_t best[N_LEVERS] = {0};
    const int64_t cost = brute_force(f, lv, N_LEVERS, &o, best, 0, NULL);
    ck_assert_int_gt(cost, 0);
    gf_model_plan p;
    ck_assert_int_eq(gf_model_plan_search(&f->ctx, lv, N_LEVERS, &o, &p), 0);
    printf("goal %d: optimum %ld cents (%u %u %u %u); planner %ld cents, %zu evaluations\n", goal,
           (long)cost, best[0], best[1], best[2], best[3], (long)p.total_cost_cents, p.evaluations);
    ck_assert(p.exact);
    ck_assert(p.achieves);
    ck_assert_int_eq(p.total_cost_cents, cost);
    ck_assert_mem_eq(p.units, best, sizeof(best));
    int64_t sum = 0;
    for (size_t k = 0; k < p.n_actions; k++) {
        sum += p.actions[k].cost_cents;
        ck_assert_int_eq(p.actions[k].start_by,
                         f->ctx.period.end - lv[p.actions[k].lever].ramp_days);
        if (k)
            ck_assert_int_ge(p.actions[k].start_by, p.actions[k - 1].start_by);
    }
    ck_assert_int_eq(sum, cost);
    ck_assert_double_eq(p.residual_gap_cents, 0.0);
    gf_model_plan_free(&p);
    lf_free(f);
}

START_TEST(on_a_small_case_the_planner_returns_the_brute_force_optimum)
{
    assert_optimum(GF_MODEL_GOAL_P50, 0.0, 0.6);
}
END_TEST

START_TEST(a_probability_goal_also_gets_the_brute_force_optimum)
{
    assert_optimum(GF_MODEL_GOAL_PROB, 0.7, 0.5);
}
END_TEST

/* A random small instance: 30-89 open deals, two or three distinct lever kinds with 1-4 units
 * each and unit costs in whole $1,000s (so that costs tie), 5,000 trials where the search's
 * evaluations default to 2,000, and a P50 goal or a 90% probability goal some way from the status
 * quo to every unit. Returns the number of levers. */
static size_t random_case(uint64_t seed, lf **out, gf_model_lever *lv, gf_model_plan_opts *o)
{
    gf_model_rng r;
    gf_model_rng_seed(&r, seed, 7);
    lf *f = lf_new(30 + gf_model_rng_below(&r, 60), seed);
    f->in.trials = 5000;
    gf_model_lever all[GF_MODEL_LEVER_KINDS];
    lf_levers(f, all);
    const size_t n = 2 + gf_model_rng_below(&r, 2);
    int used[GF_MODEL_LEVER_KINDS] = {0};
    uint32_t most[GF_MODEL_LEVER_KINDS];
    for (size_t k = 0; k < n; k++) {
        size_t kind = gf_model_rng_below(&r, GF_MODEL_LEVER_KINDS);
        while (used[kind])
            kind = (kind + 1) % GF_MODEL_LEVER_KINDS;
        used[kind] = 1;
        lv[k] = all[kind];
        lv[k].max_units = 1 + (uint32_t)gf_model_rng_below(&r, 4);
        lv[k].unit_cost_cents = 100000 * (int64_t)(1 + gf_model_rng_below(&r, 12));
        most[k] = lv[k].max_units;
    }
    *o = (gf_model_plan_opts){.budget_cents = -1};
    const int prob = gf_model_rng_below(&r, 2) == 1;
    o->goal = prob ? GF_MODEL_GOAL_PROB : GF_MODEL_GOAL_P50;
    o->confidence = prob ? 0.9 : 0.0;
    const uint32_t none[GF_MODEL_LEVER_KINDS] = {0};
    gf_model_lever_work w = {0};
    gf_model_sim_result lo, hi;
    ck_assert_int_eq(gf_model_scenario_eval(&f->ctx, lv, none, n, 0, &w, &lo, NULL), 0);
    ck_assert_int_eq(gf_model_scenario_eval(&f->ctx, lv, most, n, 0, &w, &hi, NULL), 0);
    gf_model_lever_work_free(&w);
    const int64_t from = prob ? lo.p10 : lo.p50, to = prob ? hi.p10 : hi.p50;
    const double reach = 0.1 + 0.85 * gf_model_rng_uniform(&r);
    f->in.target_cents = from + 1 + (int64_t)(reach * (double)(to - from));
    *out = f;
    return n;
}

START_TEST(exact_search_is_the_cheapest_plan_at_the_full_trials_not_at_the_searchs)
{
    int disagree = 0, solved = 0;
    for (uint64_t seed = 1; seed <= 12; seed++) {
        lf *f;
        gf_model_lever lv[GF_MODEL_LEVER_KINDS];
        gf_model_plan_opts o;
        const size_t n = random_case(seed, &f, lv, &o);
        uint32_t best[GF_MODEL_LEVER_KINDS] = {0};
        int64_t sub = -1;
        const int64_t cost = brute_force(f, lv, n, &o, best, GF_MODEL_PLAN_SEARCH_TRIALS, &sub);
        gf_model_plan p;
        ck_assert_int_eq(gf_model_plan_search(&f->ctx, lv, n, &o, &p), 0);
        ck_assert(p.exact);
        printf("case %2lu: %zu levers, goal %d; optimum %ld cents, at search trials %ld; planner "
               "%ld cents, %zu evaluations\n",
               (unsigned long)seed, n, o.goal, (long)cost, (long)sub, (long)p.total_cost_cents,
               p.evaluations);
        /* Met at the full trials by some plan: the planner finds the first of the cheapest. */
        ck_assert_int_eq(p.achieves, cost >= 0);
        if (cost >= 0) {
            ck_assert_int_eq(p.total_cost_cents, cost);
            ck_assert_mem_eq(p.units, best, n * sizeof(*best));
            solved++;
        }
        disagree += sub != cost;
        gf_model_plan_free(&p);
        lf_free(f);
    }
    /* The cases include some where ranking at the search's trials would pick another cost. */
    ck_assert_int_ge(solved, 10);
    ck_assert_int_ge(disagree, 1);
}
END_TEST

START_TEST(an_impossible_budget_returns_the_best_plan_and_the_remaining_gap)
{
    gf_model_lever lv[N_LEVERS];
    lf *f = small_case(lv);
    const uint32_t most[N_LEVERS] = {3, 4, 3, 2};
    f->in.target_cents = p50_of(f, lv, most);
    gf_model_plan_opts o = {.goal = GF_MODEL_GOAL_P50, .budget_cents = 2000000};
    gf_model_plan p;
    for (int mode = 0; mode < 2; mode++) {
        o.exact_max = mode ? 1 : 0; /* exact, then greedy */
        ck_assert_int_eq(gf_model_plan_search(&f->ctx, lv, N_LEVERS, &o, &p), 0);
        ck_assert_int_eq(p.exact, !mode);
        ck_assert(!p.achieves);
        ck_assert_int_gt(p.n_actions, 0);
        ck_assert_int_le(p.total_cost_cents, o.budget_cents);
        ck_assert(p.result.p50 > p.baseline.p50);
        ck_assert_double_eq(p.residual_gap_cents, (double)(f->in.target_cents - p.result.p50));
        ck_assert(p.residual_gap_cents > 0.0);
        gf_model_plan_free(&p);
    }
    lf_free(f);
}
END_TEST

START_TEST(a_goal_already_met_gives_an_empty_plan_at_zero_cost)
{
    gf_model_lever lv[N_LEVERS];
    lf *f = small_case(lv);
    f->in.target_cents = 1;
    gf_model_plan_opts o = {.goal = GF_MODEL_GOAL_PROB, .confidence = 0.9, .budget_cents = -1};
    gf_model_plan p;
    ck_assert_int_eq(gf_model_plan_search(&f->ctx, lv, N_LEVERS, &o, &p), 0);
    ck_assert(p.achieves);
    ck_assert_uint_eq(p.n_actions, 0);
    ck_assert_int_eq(p.total_cost_cents, 0);
    ck_assert_int_eq(p.delta.p50, 0);
    gf_model_plan_free(&p);
    lf_free(f);
}
END_TEST

START_TEST(the_greedy_search_meets_the_goal_and_cannot_drop_a_unit)
{
    lf *f = lf_new(400, 22);
    gf_model_lever lv[GF_MODEL_LEVER_KINDS];
    const size_t n = lf_levers(f, lv);
    uint32_t most[GF_MODEL_LEVER_KINDS];
    for (size_t k = 0; k < n; k++)
        most[k] = lv[k].max_units;
    gf_model_lever_work w = {0};
    gf_model_sim_result lo, hi;
    const uint32_t none[GF_MODEL_LEVER_KINDS] = {0};
    ck_assert_int_eq(gf_model_scenario_eval(&f->ctx, lv, none, n, 0, &w, &lo, NULL), 0);
    ck_assert_int_eq(gf_model_scenario_eval(&f->ctx, lv, most, n, 0, &w, &hi, NULL), 0);
    f->in.target_cents = lo.p50 + (hi.p50 - lo.p50) / 3;
    gf_model_plan_opts o = {.goal = GF_MODEL_GOAL_P50, .budget_cents = -1, .lead_days = 5};
    gf_model_plan a, b;
    ck_assert_int_eq(gf_model_plan_search(&f->ctx, lv, n, &o, &a), 0);
    ck_assert_int_eq(gf_model_plan_search(&f->ctx, lv, n, &o, &b), 0);
    ck_assert(!a.exact);
    ck_assert(a.achieves);
    ck_assert_int_ge(a.result.p50, f->in.target_cents);
    ck_assert_int_eq(a.total_cost_cents, b.total_cost_cents); /* deterministic */
    ck_assert_mem_eq(a.units, b.units, n * sizeof(uint32_t));
    for (size_t k = 0; k < n; k++) {
        if (!a.units[k])
            continue;
        a.units[k]--;
        gf_model_sim_result r;
        ck_assert_int_eq(gf_model_scenario_eval(&f->ctx, lv, a.units, n, 0, &w, &r, NULL), 0);
        ck_assert_int_lt(r.p50, f->in.target_cents);
        a.units[k]++;
    }
    printf("greedy: %zu actions, %ld cents, %zu evaluations\n", a.n_actions,
           (long)a.total_cost_cents, a.evaluations);
    gf_model_lever_work_free(&w);
    gf_model_plan_free(&a);
    gf_model_plan_free(&b);
    lf_free(f);
}
END_TEST

/* The best combination within the budget for a maximising goal by running every combination
 * through gf_model_scenario_run: the largest P50 (or expected), ties cheaper, then fewer units,
 * then lexicographic; the value goes to *value. */
static int64_t brute_force_max(lf *f, const gf_model_lever *lv, size_t n, int goal, int64_t budget,
                               uint32_t *best, double *value)
{
    int64_t best_cost = -1;
    uint32_t u[GF_MODEL_LEVER_KINDS] = {0};
    do {
        gf_model_scenario sc;
        ck_assert_int_eq(gf_model_scenario_run(&f->ctx, lv, u, n, &sc), 0);
        const int64_t cost = sc.cost_cents;
        const double v = goal == GF_MODEL_GOAL_MAX_P50 ? (double)sc.result.p50 : sc.result.expected;
        gf_model_scenario_free(&sc);
        if (cost > budget)
            continue;
        if (best_cost < 0 || v > *value ||
            (v == *value && tried_first(cost, u, best_cost, best, n))) {
            best_cost = cost;
            *value = v;
            memcpy(best, u, n * sizeof(*u));
        }
    } while (next_units(lv, n, u));
    return best_cost;
}

/* The frontier's promises: budgets ascending from 0, each figure within its budget and never
 * lower than at a smaller budget, the status quo at 0, and at the plan's cost the goal's figure
 * of the plan (when it achieves or maximises). */
static void assert_frontier(const gf_model_plan *p, int goal, size_t n, const gf_model_lever *lv,
                            lf *f)
{
    ck_assert_uint_ge(p->n_frontier, 1);
    ck_assert_uint_le(p->n_frontier, GF_MODEL_PLAN_FRONTIER_STEPS + 1);
    ck_assert_int_eq(p->frontier[0].budget_cents, 0);
    ck_assert_double_eq(p->frontier[0].p50.value, (double)p->baseline.p50);
    int at_plan = 0;
    for (size_t k = 0; k < p->n_frontier; k++) {
        const gf_model_plan_point *pt = &p->frontier[k];
        const gf_model_plan_best *fig[3] = {&pt->p50, &pt->prob_hit, &pt->expected};
        for (int j = 0; j < 3; j++) {
            ck_assert_int_le(fig[j]->cost_cents, pt->budget_cents);
            ck_assert_ptr_nonnull(fig[j]->units);
            int64_t cost = 0;
            for (size_t l = 0; l < n; l++)
                cost += gf_model_lever_cost(&lv[l], &f->ctx, fig[j]->units[l]);
            ck_assert_int_eq(cost, fig[j]->cost_cents);
        }
        if (k) {
            const gf_model_plan_point *q = &p->frontier[k - 1];
            ck_assert_int_gt(pt->budget_cents, q->budget_cents);
            ck_assert(pt->p50.value >= q->p50.value);
            ck_assert(pt->prob_hit.value >= q->prob_hit.value);
            ck_assert(pt->expected.value >= q->expected.value);
        }
        if (pt->budget_cents != p->total_cost_cents)
            continue;
        at_plan = 1;
        if (goal == GF_MODEL_GOAL_PROB && !p->achieves)
            continue;
        if (goal == GF_MODEL_GOAL_P50 || goal == GF_MODEL_GOAL_MAX_P50)
            ck_assert_double_eq(pt->p50.value, (double)p->result.p50);
        else if (goal == GF_MODEL_GOAL_PROB)
            ck_assert_double_eq(pt->prob_hit.value, p->result.prob_hit);
        else
            ck_assert_double_eq(pt->expected.value, p->result.expected);
    }
    ck_assert(at_plan);
}

static void assert_max_optimum(int goal)
{
    gf_model_lever lv[N_LEVERS];
    lf *f = small_case(lv);
    int64_t all = 0;
    for (size_t k = 0; k < N_LEVERS; k++)
        all += gf_model_lever_cost(&lv[k], &f->ctx, lv[k].max_units);
    const int64_t budget = all / 2;
    uint32_t best[N_LEVERS] = {0};
    double value = 0.0;
    const int64_t cost = brute_force_max(f, lv, N_LEVERS, goal, budget, best, &value);
    gf_model_plan_opts o = {.goal = goal, .budget_cents = budget};
    gf_model_plan p;
    ck_assert_int_eq(gf_model_plan_search(&f->ctx, lv, N_LEVERS, &o, &p), 0);
    printf("max goal %d within %ld: optimum %ld cents (%u %u %u %u) value %.0f; planner %ld "
           "cents, %zu evaluations\n",
           goal, (long)budget, (long)cost, best[0], best[1], best[2], best[3], value,
           (long)p.total_cost_cents, p.evaluations);
    ck_assert(p.exact);
    ck_assert(!p.achieves);
    ck_assert_int_eq(p.total_cost_cents, cost);
    ck_assert_mem_eq(p.units, best, sizeof(best));
    ck_assert_double_eq(goal == GF_MODEL_GOAL_MAX_P50 ? (double)p.result.p50 : p.result.expected,
                        value);
    ck_assert(p.frontier_exact);
    assert_frontier(&p, goal, N_LEVERS, lv, f);
    /* The last point is the budget itself: the plan's figure. */
    const gf_model_plan_point *last = &p.frontier[p.n_frontier - 1];
    ck_assert_int_eq(last->budget_cents, budget);
    gf_model_plan_free(&p);
    lf_free(f);
}

START_TEST(max_p50_within_a_budget_is_the_brute_force_best)
{
    assert_max_optimum(GF_MODEL_GOAL_MAX_P50);
}
END_TEST

START_TEST(max_expected_within_a_budget_is_the_brute_force_best)
{
    assert_max_optimum(GF_MODEL_GOAL_MAX_EXPECTED);
}
END_TEST

START_TEST(a_maximising_goal_needs_a_budget)
{
    gf_model_lever lv[N_LEVERS];
    lf *f = small_case(lv);
    gf_model_plan_opts o = {.goal = GF_MODEL_GOAL_MAX_P50, .budget_cents = -1};
    gf_model_plan p;
    ck_assert_int_eq(gf_model_plan_search(&f->ctx, lv, N_LEVERS, &o, &p), GF_MODEL_EINVAL);
    o.goal = 7;
    o.budget_cents = 100;
    ck_assert_int_eq(gf_model_plan_search(&f->ctx, lv, N_LEVERS, &o, &p), GF_MODEL_EINVAL);
    lf_free(f);
}
END_TEST

START_TEST(the_frontier_is_monotone_and_agrees_with_the_plan_in_every_mode)
{
    for (uint64_t seed = 1; seed <= 6; seed++) {
        lf *f;
        gf_model_lever lv[GF_MODEL_LEVER_KINDS];
        gf_model_plan_opts o;
        const size_t n = random_case(seed, &f, lv, &o);
        int64_t all = 0;
        for (size_t k = 0; k < n; k++)
            all += gf_model_lever_cost(&lv[k], &f->ctx, lv[k].max_units);
        const int goals[4] = {o.goal, o.goal, GF_MODEL_GOAL_MAX_P50, GF_MODEL_GOAL_MAX_EXPECTED};
        for (int g = 0; g < 4; g++) {
            for (int mode = 0; mode < 2; mode++) {
                gf_model_plan_opts x = o;
                x.goal = goals[g];
                x.budget_cents = g == 0 ? -1 : all * (int64_t)(seed % 3 + 1) / 4;
                x.exact_max = mode ? 1 : 0;
                gf_model_plan p;
                ck_assert_int_eq(gf_model_plan_search(&f->ctx, lv, n, &x, &p), 0);
                ck_assert_int_eq(p.exact, !mode);
                ck_assert_int_eq(p.frontier_exact, !mode);
                assert_frontier(&p, x.goal, n, lv, f);
                /* Up to the budget for a maximising goal or a goal out of its reach, else up to
                 * the plan's cost. */
                const int64_t top = p.frontier[p.n_frontier - 1].budget_cents;
                if (g >= 2 || (!p.achieves && x.budget_cents >= 0))
                    ck_assert_int_eq(top, x.budget_cents);
                else if (p.achieves)
                    ck_assert_int_eq(top, p.total_cost_cents);
                ck_assert_uint_ge(p.n_frontier, top ? GF_MODEL_PLAN_FRONTIER_STEPS : 1);
                gf_model_plan_free(&p);
            }
        }
        lf_free(f);
    }
}
END_TEST

START_TEST(in_exact_mode_the_frontier_is_the_best_combination_within_each_budget)
{
    gf_model_lever lv[N_LEVERS];
    lf *f = small_case(lv);
    int64_t all = 0;
    for (size_t k = 0; k < N_LEVERS; k++)
        all += gf_model_lever_cost(&lv[k], &f->ctx, lv[k].max_units);
    gf_model_plan_opts o = {.goal = GF_MODEL_GOAL_MAX_EXPECTED, .budget_cents = all};
    gf_model_plan p;
    ck_assert_int_eq(gf_model_plan_search(&f->ctx, lv, N_LEVERS, &o, &p), 0);
    for (size_t k = 0; k < p.n_frontier; k += 3) {
        uint32_t best[N_LEVERS] = {0};
        double value = 0.0;
        const int64_t cost = brute_force_max(f, lv, N_LEVERS, GF_MODEL_GOAL_MAX_P50,
                                             p.frontier[k].budget_cents, best, &value);
        ck_assert_double_eq(p.frontier[k].p50.value, value);
        ck_assert_int_eq(p.frontier[k].p50.cost_cents, cost);
        ck_assert_mem_eq(p.frontier[k].p50.units, best, sizeof(best));
    }
    gf_model_plan_free(&p);
    lf_free(f);
}
END_TEST

START_TEST(greedy_improvement_is_never_worse_than_the_search_before_it)
{
    int cheaper = 0, cases = 0;
    for (uint64_t seed = 1; seed <= 12; seed++) {
        lf *f;
        gf_model_lever lv[GF_MODEL_LEVER_KINDS];
        gf_model_plan_opts o;
        const size_t n = random_case(seed, &f, lv, &o);
        int64_t all = 0;
        for (size_t k = 0; k < n; k++)
            all += gf_model_lever_cost(&lv[k], &f->ctx, lv[k].max_units);
        for (int g = 0; g < 2; g++) {
            gf_model_plan_opts x = o;
            if (g) {
                x.goal = GF_MODEL_GOAL_MAX_P50;
                x.budget_cents = all / 2;
            }
            x.exact_max = 1;
            gf_model_plan before, after;
            x.no_improve = 1;
            ck_assert_int_eq(gf_model_plan_search(&f->ctx, lv, n, &x, &before), 0);
            x.no_improve = 0;
            ck_assert_int_eq(gf_model_plan_search(&f->ctx, lv, n, &x, &after), 0);
            if (g) {
                ck_assert_int_ge(after.result.p50, before.result.p50);
                ck_assert_int_le(after.total_cost_cents, x.budget_cents);
            } else {
                ck_assert_int_ge(after.achieves, before.achieves);
                if (before.achieves)
                    ck_assert_int_le(after.total_cost_cents, before.total_cost_cents);
                cheaper += after.total_cost_cents < before.total_cost_cents;
                cases += before.achieves;
            }
            gf_model_plan_free(&before);
            gf_model_plan_free(&after);
        }
        lf_free(f);
    }
    printf("greedy improvement: cheaper in %d of %d cases\n", cheaper, cases);
    ck_assert_int_ge(cases, 8);
}
END_TEST

START_TEST(many_levers_keep_the_improvement_pass_bounded)
{
    /* 96 levers (every kind twelve times, small effects): the neighbours of three units are too
     * many to screen, those of one and two are screened, and the search ends on its own. */
    lf *f = lf_new(200, 23);
    f->in.trials = 2000;
    gf_model_lever all[GF_MODEL_LEVER_KINDS], lv[96];
    lf_levers(f, all);
    for (size_t k = 0; k < 96; k++) {
        lv[k] = all[k % GF_MODEL_LEVER_KINDS];
        lv[k].max_units = 3;
        lv[k].effect *= 0.2 + 0.01 * (double)k;
        lv[k].unit_cost_cents += 1000 * (int64_t)k;
    }
    gf_model_plan_opts o = {.goal = GF_MODEL_GOAL_MAX_EXPECTED, .budget_cents = 6000000};
    gf_model_plan p;
    ck_assert_int_eq(gf_model_plan_search(&f->ctx, lv, 96, &o, &p), 0);
    ck_assert(!p.exact);
    ck_assert(!p.stopped);
    ck_assert_int_le(p.total_cost_cents, o.budget_cents);
    ck_assert(p.result.expected > p.baseline.expected);
    printf("96 levers: %zu actions, %ld cents, %zu evaluations\n", p.n_actions,
           (long)p.total_cost_cents, p.evaluations);
    gf_model_plan_free(&p);
    lf_free(f);
}
END_TEST

/* A work budget of `left` steps. */
static int steps_spent(void *arg)
{
    int *left = arg;
    return (*left)-- <= 0;
}

START_TEST(a_search_out_of_budget_stops_and_answers_the_best_plan_it_has)
{
    lf *f = lf_new(400, 22);
    gf_model_lever lv[GF_MODEL_LEVER_KINDS];
    const size_t n = lf_levers(f, lv);
    f->in.target_cents = INT64_MAX / 4; /* out of reach: the search would try everything */
    int left = 2;
    gf_model_plan_opts o = {
        .goal = GF_MODEL_GOAL_P50, .budget_cents = -1, .stop = steps_spent, .stop_arg = &left};
    gf_model_plan a, full;
    ck_assert_int_eq(gf_model_plan_search(&f->ctx, lv, n, &o, &a), 0);
    ck_assert(a.stopped);
    ck_assert(!a.achieves);
    o.stop = NULL;
    ck_assert_int_eq(gf_model_plan_search(&f->ctx, lv, n, &o, &full), 0);
    ck_assert(!full.stopped);
    /* Two greedy rounds at most before the stop, against the whole search. */
    ck_assert_uint_lt(a.evaluations, full.evaluations);
    ck_assert_uint_le(a.evaluations, 2 * n + 4);
    /* What it answers is a real plan, evaluated like any other. */
    ck_assert_int_ge(a.result.p50, a.baseline.p50);
    gf_model_plan_free(&a);
    gf_model_plan_free(&full);
    lf_free(f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("model_plan");
    TCase *tc = tcase_create("plan");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, on_a_small_case_the_planner_returns_the_brute_force_optimum);
    tcase_add_test(tc, a_probability_goal_also_gets_the_brute_force_optimum);
    tcase_add_test(tc, exact_search_is_the_cheapest_plan_at_the_full_trials_not_at_the_searchs);
    tcase_add_test(tc, an_impossible_budget_returns_the_best_plan_and_the_remaining_gap);
    tcase_add_test(tc, a_goal_already_met_gives_an_empty_plan_at_zero_cost);
    tcase_add_test(tc, the_greedy_search_meets_the_goal_and_cannot_drop_a_unit);
    tcase_add_test(tc, a_search_out_of_budget_stops_and_answers_the_best_plan_it_has);
    tcase_add_test(tc, max_p50_within_a_budget_is_the_brute_force_best);
    tcase_add_test(tc, max_expected_within_a_budget_is_the_brute_force_best);
    tcase_add_test(tc, a_maximising_goal_needs_a_budget);
    tcase_add_test(tc, the_frontier_is_monotone_and_agrees_with_the_plan_in_every_mode);
    tcase_add_test(tc, in_exact_mode_the_frontier_is_the_best_combination_within_each_budget);
    tcase_add_test(tc, greedy_improvement_is_never_worse_than_the_search_before_it);
    tcase_add_test(tc, many_levers_keep_the_improvement_pass_bounded);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    const int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
