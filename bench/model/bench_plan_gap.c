/* The greedy plan's optimality gap: random small instances (where the exact search runs), each
 * planned exactly and greedily (forced through exact_max = 1), with the greedy cost over the exact
 * cost minus one over the instances where both reach the goal, its median and worst, how often
 * greedy misses a goal that exact reaches, and the exact search's time.
 * Each instance: 100-1,999 open deals, three or four distinct lever kinds with 1-6 units each
 * (instances beyond the exact search's work limit are drawn again), unit costs in whole
 * $1,000s, effects between half and one and a half times a plausible size, 10,000 trials (2,000
 * per greedy evaluation), and a P50 goal or a 90% probability goal 10%-95% of the way from the
 * status quo to every unit. Prints one line per instance (costs in dollars, units one digit per
 * lever), then the summary. greedy_trials sets the greedy search's trials per evaluation (0: the
 * default 2,000; the full trials show what the gap owes to searching at fewer).
 * Each instance is also planned for the largest P50 within a budget of 20%-80% of every unit's
 * cost (whole $1,000s), exactly and greedily: the value gap is the exact plan's P50 over the
 * greedy plan's minus one, and the uplift missed the share of the exact plan's P50 uplift over
 * the status quo that the greedy plan does not reach.
 * Usage: bench_plan_gap [instances] [trials] [seed] [greedy_trials] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "gapforge/model_plan.h"
#include "gapforge/model_rng.h"

#include "bench_util.h"

#define DAYS   91
#define POOL   64
#define NEXT   8
#define NAMED  6
#define LEVERS 4

/* One instance's inputs; the context borrows them. */
typedef struct instance {
    int64_t *amount;
    double *p, *p_ever;
    int64_t pool[POOL], next[NEXT];
    double p_new[DAYS];
    uint32_t named[NAMED];
    gf_model_sim_input in;
    gf_model_lever_ctx ctx;
    gf_model_lever lv[LEVERS];
    size_t n;
    gf_model_plan_opts o;
    int64_t max_budget_cents; /* the budget of the max_p50 plans */
} instance;

/* The number of unit combinations of the instance's levers. */
static double combinations(const instance *x)
{
    double c = 1.0;
    for (size_t k = 0; k < x->n; k++)
        c *= (double)x->lv[k].max_units + 1.0;
    return c;
}

/* Draws the deals, the levers and the goal of instance `seed`; 0, or -1 when out of memory or
 * when the levers cannot move the goal's quantile (the caller draws another). */
static int instance_make(instance *x, uint64_t seed, uint32_t trials)
{
    gf_model_rng r;
    gf_model_rng_seed(&r, seed, 11);
    const size_t n_deals = 100 + (size_t)gf_model_rng_below(&r, 1900);
    x->amount = malloc(n_deals * sizeof(*x->amount));
    x->p = malloc(n_deals * sizeof(*x->p));
    x->p_ever = malloc(n_deals * sizeof(*x->p_ever));
    if (!x->amount || !x->p || !x->p_ever)
        return -1;
    for (size_t i = 0; i < n_deals; i++) {
        x->p[i] = 0.02 + 0.88 * gf_model_rng_uniform(&r);
        x->p_ever[i] = fmin(1.0, 1.6 * x->p[i]);
        x->amount[i] = llround(exp(log(2e6) + 0.8 * gf_model_rng_normal(&r)));
    }
    for (size_t k = 0; k < POOL; k++)
        x->pool[k] = llround(exp(log(1.5e6) + 0.6 * gf_model_rng_normal(&r)));
    for (size_t k = 0; k < NEXT; k++)
        x->next[k] = 4000000 - 300000 * (int64_t)k;
    for (size_t d = 0; d < DAYS; d++)
        x->p_new[d] = 0.3 * (double)(DAYS - d) / DAYS;
    for (size_t k = 0; k < NAMED; k++)
        x->named[k] = (uint32_t)(k * 7);
    /* The open deals make about two thirds of a target near the status quo's P50. */
    x->in = (gf_model_sim_input){.amount_cents = x->amount,
                                 .p = x->p,
                                 .n_deals = n_deals,
                                 .booked_cents = (int64_t)n_deals * 500000,
                                 .new_lambda = 0.01 * (double)n_deals,
                                 .new_amount_cents = x->pool,
                                 .n_new_amounts = POOL,
                                 .sigma = 0.2,
                                 .trials = trials,
                                 .seed = seed};
    x->ctx = (gf_model_lever_ctx){.base = &x->in,
                                  .period = {0, DAYS - 1},
                                  .as_of = 20,
                                  .p_ever = x->p_ever,
                                  .p_new_by_day = x->p_new + 20,
                                  .n_p_new = DAYS - 20,
                                  .next_commit_cents = x->next,
                                  .n_next_commit = NEXT,
                                  .rep_bookings_per_day_cents = 150000.0,
                                  .rep_ramp_days = 30};
    /* Effects scale with the org so that a few units move its total by a few percent. */
    const double scale = (double)n_deals / 100.0;
    const gf_model_lever kinds[GF_MODEL_LEVER_KINDS] = {
        {GF_MODEL_LEVER_WIN_RATE, 0.05, 0, 0, 14, GF_MODEL_NO_DAY, 0, NULL, 0},
        {GF_MODEL_LEVER_DEAL_SIZE, 0.02, 0, 0, 7, GF_MODEL_NO_DAY, 0, NULL, 0},
        {GF_MODEL_LEVER_PIPELINE, 3.0 * scale, 0, 0, 10, GF_MODEL_NO_DAY, 0, NULL, 0},
        {GF_MODEL_LEVER_SLIPPAGE, 0.05, 0, 0, 7, GF_MODEL_NO_DAY, 0, NULL, 0},
        {GF_MODEL_LEVER_PULL_FORWARD, 0.5, 0, 0, 0, GF_MODEL_NO_DAY, 0.1, NULL, 0},
        {GF_MODEL_LEVER_HEADCOUNT, 0.5 * scale, 0, 0, 21, GF_MODEL_NO_DAY, 0, NULL, 0},
        {GF_MODEL_LEVER_KPI, 2.0 * scale, 0, 0, 5, GF_MODEL_NO_DAY, 0, NULL, 0, 0.1},
        {GF_MODEL_LEVER_CONCESSION, 0.3, 0, 0, 0, GF_MODEL_NO_DAY, 0.05, x->named, NAMED},
    };
    int used[GF_MODEL_LEVER_KINDS] = {0};
    uint32_t most[LEVERS];
    x->n = 3 + (size_t)gf_model_rng_below(&r, 2);
    for (size_t k = 0; k < x->n; k++) {
        size_t kind = (size_t)gf_model_rng_below(&r, GF_MODEL_LEVER_KINDS);
        while (used[kind])
            kind = (kind + 1) % GF_MODEL_LEVER_KINDS;
        used[kind] = 1;
        x->lv[k] = kinds[kind];
        x->lv[k].effect *= 0.5 + gf_model_rng_uniform(&r);
        x->lv[k].max_units = 1 + (uint32_t)gf_model_rng_below(&r, 6);
        x->lv[k].unit_cost_cents = 100000 * (int64_t)(1 + gf_model_rng_below(&r, 12));
        most[k] = x->lv[k].max_units;
    }
    const int prob = gf_model_rng_below(&r, 2) == 1;
    x->o = (gf_model_plan_opts){.goal = prob ? GF_MODEL_GOAL_PROB : GF_MODEL_GOAL_P50,
                                .confidence = prob ? 0.9 : 0.0,
                                .budget_cents = -1};
    const uint32_t none[LEVERS] = {0};
    gf_model_lever_work w = {0};
    gf_model_sim_result lo, hi;
    int rc = gf_model_scenario_eval(&x->ctx, x->lv, none, x->n, 0, &w, &lo, NULL);
    if (!rc)
        rc = gf_model_scenario_eval(&x->ctx, x->lv, most, x->n, 0, &w, &hi, NULL);
    gf_model_lever_work_free(&w);
    if (rc)
        return -1;
    const int64_t from = prob ? lo.p10 : lo.p50, to = prob ? hi.p10 : hi.p50;
    if (to - from < 1000)
        return -1;
    const double reach = 0.1 + 0.85 * gf_model_rng_uniform(&r);
    x->in.target_cents = from + 1 + (int64_t)(reach * (double)(to - from));
    int64_t all = 0;
    for (size_t k = 0; k < x->n; k++)
        all += gf_model_lever_cost(&x->lv[k], &x->ctx, x->lv[k].max_units);
    const double share = 0.2 + 0.6 * gf_model_rng_uniform(&r);
    x->max_budget_cents = 100000 * llround(share * (double)all / 100000.0);
    return 0;
}

/* The plan's units, one digit per lever ("0312"). */
static void units_text(const gf_model_plan *p, size_t n, char *buf, size_t cap)
{
    size_t k = 0;
    for (; k < n && k + 1 < cap; k++)
        buf[k] = (char)('0' + (p->units[k] < 10 ? p->units[k] : 9));
    buf[k] = 0;
}

static void instance_free(instance *x)
{
    free(x->amount);
    free(x->p);
    free(x->p_ever);
}

int main(int argc, char **argv)
{
    const int want = argc > 1 ? atoi(argv[1]) : 60;
    const uint32_t trials = argc > 2 ? (uint32_t)atol(argv[2]) : 10000;
    const uint64_t seed0 = argc > 3 ? (uint64_t)atoll(argv[3]) : 1;
    const uint32_t greedy_trials = argc > 4 ? (uint32_t)atol(argv[4]) : 0;
    if (want < 1 || want > 10000 || trials < GF_MODEL_SIM_MIN_TRIALS)
        return 2;
    double *gap = malloc((size_t)want * sizeof(*gap)), *ms = malloc((size_t)want * sizeof(*ms));
    double *vgap = malloc((size_t)want * sizeof(*vgap)),
           *missed = malloc((size_t)want * sizeof(*missed));
    if (!gap || !ms || !vgap || !missed)
        return 1;
    int max_odd = 0;
    int done = 0, both = 0, greedy_misses = 0, exact_misses = 0, odd = 0;
    size_t exact_evals = 0, greedy_evals = 0, max_evals = 0;
    for (uint64_t seed = seed0; done < want && seed < seed0 + 100u * (uint64_t)want; seed++) {
        instance x = {0};
        if (instance_make(&x, seed, trials) ||
            combinations(&x) * trials * ((double)x.in.n_deals + GF_MODEL_PLAN_TRIAL_COST) >
                GF_MODEL_PLAN_EXACT_WORK) {
            instance_free(&x);
            continue;
        }
        gf_model_plan e, g;
        const double t0 = bench_now_ms();
        if (gf_model_plan_search(&x.ctx, x.lv, x.n, &x.o, &e))
            return 1;
        ms[done] = bench_now_ms() - t0;
        gf_model_plan_opts og = x.o;
        og.exact_max = 1;
        og.search_trials = greedy_trials;
        if (gf_model_plan_search(&x.ctx, x.lv, x.n, &og, &g))
            return 1;
        if (!e.exact || g.exact)
            return 1;
        exact_evals += e.evaluations;
        greedy_evals += g.evaluations;
        if (e.evaluations > max_evals)
            max_evals = e.evaluations;
        double d = NAN;
        if (e.achieves && g.achieves && e.total_cost_cents > 0) {
            d = (double)g.total_cost_cents / (double)e.total_cost_cents - 1.0;
            gap[both++] = d;
            odd += d < 0.0;
        }
        greedy_misses += e.achieves && !g.achieves;
        exact_misses += !e.achieves;
        odd += !e.achieves && g.achieves;
        /* The most P50 within the budget, exactly and greedily. */
        gf_model_plan_opts om = {.goal = GF_MODEL_GOAL_MAX_P50, .budget_cents = x.max_budget_cents};
        gf_model_plan me, mg;
        if (gf_model_plan_search(&x.ctx, x.lv, x.n, &om, &me))
            return 1;
        om.exact_max = 1;
        om.search_trials = greedy_trials;
        if (gf_model_plan_search(&x.ctx, x.lv, x.n, &om, &mg))
            return 1;
        if (!me.exact || mg.exact)
            return 1;
        vgap[done] = (double)me.result.p50 / (double)mg.result.p50 - 1.0;
        const double up = (double)(me.result.p50 - me.baseline.p50);
        missed[done] = up > 0 ? (double)(me.result.p50 - mg.result.p50) / up : 0.0;
        max_odd += mg.result.p50 > me.result.p50 || mg.total_cost_cents > x.max_budget_cents;
        char ue[64], ug[64], me_u[64], mg_u[64];
        units_text(&e, x.n, ue, sizeof ue);
        units_text(&g, x.n, ug, sizeof ug);
        units_text(&me, x.n, me_u, sizeof me_u);
        units_text(&mg, x.n, mg_u, sizeof mg_u);
        printf("%2d seed=%-3lu deals=%-4zu combos=%-4.0f %s  exact %s %6.0f %-8s (%3zu evals, "
               "%4.0f ms)  greedy %s %6.0f %-8s (%2zu evals)  gap %+.1f%%\n",
               done + 1, (unsigned long)seed, x.in.n_deals, combinations(&x),
               x.o.goal == GF_MODEL_GOAL_P50 ? "p50 " : "p.90", e.achieves ? "meets" : "short",
               (double)e.total_cost_cents / 100.0, ue, e.evaluations, ms[done],
               g.achieves ? "meets" : "short", (double)g.total_cost_cents / 100.0, ug,
               g.evaluations, 100.0 * d);
        printf("   max_p50 budget %6.0f  exact %s p50 %.0f (%3zu evals)  greedy %s p50 %.0f "
               "(%2zu evals)  value gap %+.3f%%, uplift missed %.1f%%\n",
               (double)x.max_budget_cents / 100.0, me_u, (double)me.result.p50 / 100.0,
               me.evaluations, mg_u, (double)mg.result.p50 / 100.0, mg.evaluations,
               100.0 * vgap[done], 100.0 * missed[done]);
        gf_model_plan_free(&e);
        gf_model_plan_free(&g);
        gf_model_plan_free(&me);
        gf_model_plan_free(&mg);
        instance_free(&x);
        done++;
    }
    if (!done)
        return 1;
    qsort(gap, (size_t)both, sizeof(*gap), bench_cmp_double);
    qsort(ms, (size_t)done, sizeof(*ms), bench_cmp_double);
    printf("instances=%d trials=%u greedy search_trials=%u both_meet=%d\n", done, trials,
           greedy_trials ? greedy_trials : GF_MODEL_PLAN_SEARCH_TRIALS, both);
    int zero = 0, over = 0;
    for (int k = 0; k < both; k++) {
        zero += gap[k] == 0.0;
        over += gap[k] > 0.02;
    }
    if (both)
        printf("greedy gap: median %.2f%%, worst %.2f%%; none (the same cost) in %d of %d, "
               "over 2%% in %d\n",
               100.0 * gap[(both - 1) / 2], 100.0 * gap[both - 1], zero, both, over);
    printf("greedy misses a goal exact meets: %d of %d; exact meets no goal: %d; "
           "inconsistent (greedy cheaper or meeting alone): %d\n",
           greedy_misses, done - exact_misses, exact_misses, odd);
    printf("exact search: median %.0f ms, worst %.0f ms, %zu evaluations on average (max %zu); "
           "greedy %zu on average\n",
           ms[(done - 1) / 2], ms[done - 1], exact_evals / (size_t)done, max_evals,
           greedy_evals / (size_t)done);
    qsort(vgap, (size_t)done, sizeof(*vgap), bench_cmp_double);
    qsort(missed, (size_t)done, sizeof(*missed), bench_cmp_double);
    int vzero = 0, vover = 0;
    for (int k = 0; k < done; k++) {
        vzero += vgap[k] == 0.0;
        vover += missed[k] > 0.02;
    }
    printf("max_p50 greedy value gap (exact P50 / greedy P50 - 1): median %.3f%%, worst %.3f%%; "
           "none in %d of %d; uplift missed: median %.1f%%, worst %.1f%%, over 2%% in %d; "
           "inconsistent (greedy above exact or over budget): %d\n",
           100.0 * vgap[(done - 1) / 2], 100.0 * vgap[done - 1], vzero, done,
           100.0 * missed[(done - 1) / 2], 100.0 * missed[done - 1], vover, max_odd);
    free(gap);
    free(ms);
    free(vgap);
    free(missed);
    return 0;
}
