/* plan.c — the cheapest lever units that reach a goal against the period's bookings target
 * within a budget, or the ones that buy the most P50 or expected bookings for it, with the
 * actions by start date, the ask, the efficiency frontier and the paragraph for the board. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gapforge/model_summary.h"
#include "service_internal.h"

/* The levers the plan may use (default: every lever of the org) into lv and idx. */
static int plan_levers(gf_svc_levers *sc, const char *const *keys, size_t n_keys,
                       gf_model_lever *lv, size_t *idx, size_t *n, gf_err *err)
{
    *n = 0;
    if (!keys) {
        for (size_t k = 0; k < sc->n_levers; k++) {
            if (!sc->levers[k].usable)
                continue;
            lv[*n] = sc->levers[k].lv;
            idx[(*n)++] = k;
        }
        return 0;
    }
    if (n_keys > sc->n_levers)
        return gf_err_invalid(err, "levers", "levers must be an array of the org's lever keys");
    for (size_t i = 0; i < n_keys; i++, (*n)++) {
        char f[32];
        snprintf(f, sizeof f, "levers[%zu]", i);
        const long k = gf_svc__levers_find(sc, keys[i]);
        if (k < 0)
            return gf_err_invalid(err, f, "%s: no lever with this key", f);
        for (size_t j = 0; j < i; j++)
            if (idx[j] == (size_t)k)
                return gf_err_invalid(err, f, "%s: the lever appears twice", f);
        if (!sc->levers[k].usable)
            return gf_err_invalid(err, f, "%s: this lever cannot be simulated", f);
        idx[i] = (size_t)k;
        lv[i] = sc->levers[k].lv;
    }
    return 0;
}

/* A driver of the why as the paragraph shows it, with `impact` as its money. */
static gf_model_summary_driver summary_driver(const gf_model_driver_impact *d, double impact)
{
    gf_model_summary_driver x = {
        .baseline = d->baseline, .current = d->current, .impact_cents = impact};
    x.label = gf_svc__driver_label(d->driver, &x.percent);
    if (d->driver == GF_MODEL_DRV_DEAL_SIZE) {
        x.baseline /= 100.0;
        x.current /= 100.0;
    } else if (!x.percent) {
        x.unit = d->driver == GF_MODEL_DRV_CYCLE ? "days" : "";
    }
    return x;
}

/* The forecast's gap split (why.gap) for the paragraph: stretch, the driver with the largest
 * part, the others together, timing and uncertainty. */
static void summary_gap(const gf_svc_forecast *f, gf_model_summary_gap *out)
{
    gf_model_gap_split g;
    gf_svc__gap_split(f, &g);
    *out = (gf_model_summary_gap){.gap_cents = (double)g.gap,
                                  .stretch_cents = (double)g.target_stretch,
                                  .timing_cents = (double)g.timing};
    int64_t drivers = 0;
    size_t largest = SIZE_MAX;
    for (size_t k = 0; k < f->why.n; k++) {
        drivers += g.driver[k];
        if (g.driver[k] != 0 &&
            (largest == SIZE_MAX || llabs(g.driver[k]) > llabs(g.driver[largest])))
            largest = k;
    }
    if (largest != SIZE_MAX) {
        out->has_largest = 1;
        out->largest = summary_driver(&f->why.items[largest], (double)g.driver[largest]);
        out->other_drivers_cents = (double)(drivers - g.driver[largest]);
    }
}

/* The board paragraph (plain text or Markdown). New reference. */
static json_t *plan_summary(const gf_svc_levers *sc, const gf_model_plan *pl, const size_t *idx,
                            const gf_model_plan_opts *o, int markdown)
{
    const gf_svc_forecast *f = sc->f;
    const gf_model_attrib *why = &f->why;
    gf_model_summary_driver drv[GF_MODEL_SUMMARY_MAX_DRIVERS];
    gf_model_summary_action act[GF_MODEL_SUMMARY_MAX_ACTIONS];
    size_t nd = 0;
    for (size_t k = 0; k < why->n && nd < GF_MODEL_SUMMARY_MAX_DRIVERS; k++) {
        const gf_model_driver_impact *d = &why->items[k];
        if (d->impact == 0)
            continue;
        size_t j = nd++;
        while (j > 0 && fabs(drv[j - 1].impact_cents) < fabs(d->impact)) {
            drv[j] = drv[j - 1];
            j--;
        }
        drv[j] = summary_driver(d, d->impact);
    }
    const size_t na =
        pl->n_actions < GF_MODEL_SUMMARY_MAX_ACTIONS ? pl->n_actions : GF_MODEL_SUMMARY_MAX_ACTIONS;
    for (size_t k = 0; k < na; k++) {
        const gf_model_plan_action *a = &pl->actions[k];
        act[k] =
            (gf_model_summary_action){sc->levers[idx[a->lever]].name, a->units,
                                      (double)a->cost_cents, (double)a->uplift.p50, a->start_by};
    }
    gf_model_summary_gap gap;
    if (f->has_target)
        summary_gap(f, &gap);
    gf_model_summary_input in = {.currency = f->currency,
                                 .period = f->req.period.name,
                                 .target_cents = (double)f->target_cents,
                                 .baseline_p50_cents = (double)pl->baseline.p50,
                                 .baseline_prob_hit = pl->baseline.prob_hit,
                                 .result_p50_cents = (double)pl->result.p50,
                                 .result_prob_hit = pl->result.prob_hit,
                                 .drivers = drv,
                                 .n_drivers = nd,
                                 .actions = act,
                                 .n_actions = na,
                                 .total_cost_cents = (double)pl->total_cost_cents,
                                 .achieves = pl->achieves,
                                 .residual_gap_cents = pl->residual_gap_cents,
                                 .goal = o->goal == GF_MODEL_GOAL_MAX_P50 ? GF_MODEL_SUMMARY_MAX_P50
                                         : o->goal == GF_MODEL_GOAL_MAX_EXPECTED
                                             ? GF_MODEL_SUMMARY_MAX_EXPECTED
                                             : GF_MODEL_SUMMARY_REACH,
                                 .budget_cents = (double)o->budget_cents,
                                 .baseline_expected_cents = pl->baseline.expected,
                                 .result_expected_cents = pl->result.expected,
                                 .no_target = !f->has_target,
                                 .gap = f->has_target ? &gap : NULL};
    char text[4096];
    gf_model_summary_write(&in, markdown, text, sizeof text);
    return json_string(text);
}

/* One figure of a frontier point: its value, the cost spent and the units by lever key. */
static json_t *frontier_best(const gf_svc_levers *sc, const size_t *idx, size_t n,
                             const gf_model_plan_best *b, int money)
{
    json_t *units = json_object();
    for (size_t k = 0; k < n; k++) {
        if (b->units[k])
            json_object_set_new(units, sc->levers[idx[k]].key, json_integer(b->units[k]));
    }
    return json_pack("{s:o, s:o, s:o}", "value",
                     money ? gf_svc__money(b->value) : json_real(b->value), "cost",
                     gf_svc__money((double)b->cost_cents), "units", units);
}

/* The efficiency frontier: per budget the best P50, probability (null without a target) and
 * expected bookings the search found within it. */
static json_t *frontier_json(const gf_svc_levers *sc, const gf_model_plan *pl, const size_t *idx,
                             size_t n)
{
    json_t *points = json_array();
    for (size_t k = 0; k < pl->n_frontier; k++) {
        const gf_model_plan_point *pt = &pl->frontier[k];
        json_array_append_new(
            points,
            json_pack("{s:o, s:o, s:o, s:o}", "budget", gf_svc__money((double)pt->budget_cents),
                      "p50", frontier_best(sc, idx, n, &pt->p50, 1), "prob_hit",
                      sc->f->has_target ? frontier_best(sc, idx, n, &pt->prob_hit, 0) : json_null(),
                      "expected", frontier_best(sc, idx, n, &pt->expected, 1)));
    }
    return points;
}

/* The goal as the request named it. */
static json_t *goal_json(const gf_model_plan_opts *o)
{
    switch (o->goal) {
    case GF_MODEL_GOAL_P50:
        return json_pack("{s:s}", "type", "p50");
    case GF_MODEL_GOAL_MAX_P50:
        return json_pack("{s:s}", "type", "max_p50");
    case GF_MODEL_GOAL_MAX_EXPECTED:
        return json_pack("{s:s}", "type", "max_expected");
    default:
        return json_pack("{s:s, s:f}", "type", "probability", "confidence", o->confidence);
    }
}

static json_t *plan_answer(const gf_svc_levers *sc, const gf_model_plan *pl, const size_t *idx,
                           size_t n, const gf_model_plan_opts *o)
{
    const int t = sc->f->has_target;
    const int maximise = o->goal == GF_MODEL_GOAL_MAX_P50 || o->goal == GF_MODEL_GOAL_MAX_EXPECTED;
    json_t *out = gf_svc__levers_head(sc), *actions = json_array();
    for (size_t k = 0; k < pl->n_actions; k++) {
        const gf_model_plan_action *a = &pl->actions[k];
        const gf_svc_lever *l = &sc->levers[idx[a->lever]];
        json_array_append_new(
            actions,
            json_pack("{s:s, s:s, s:s, s:I, s:o, s:o, s:o}", "lever", l->key, "name", l->name,
                      "kind", gf_model_lever_kind_name(l->lv.kind), "units", (json_int_t)a->units,
                      "cost", gf_svc__money((double)a->cost_cents), "uplift",
                      gf_svc__delta_json(&a->uplift, t), "start_by", gf_svc__day(a->start_by)));
    }
    json_object_set_new(out, "goal", goal_json(o));
    json_object_set_new(out, "budget",
                        o->budget_cents < 0 ? json_null() : gf_svc__money((double)o->budget_cents));
    json_object_set_new(out, "achieves", maximise ? json_null() : json_boolean(pl->achieves));
    json_object_set_new(out, "search",
                        json_string(pl->stopped ? "budget"
                                    : pl->exact ? "exact"
                                                : "greedy"));
    /* false: the work budget ran out and this is the best plan found so far */
    json_object_set_new(out, "complete", json_boolean(!pl->stopped));
    json_object_set_new(out, "baseline", gf_svc__dist_json(&pl->baseline, t));
    json_object_set_new(out, "result", gf_svc__dist_json(&pl->result, t));
    json_object_set_new(out, "delta", gf_svc__delta_json(&pl->delta, t));
    json_object_set_new(out, "actions", actions);
    json_object_set_new(out, "total_cost", gf_svc__money((double)pl->total_cost_cents));
    json_object_set_new(out, "residual_gap",
                        maximise || pl->achieves ? json_null()
                                                 : gf_svc__money(pl->residual_gap_cents));
    json_object_set_new(out, "frontier_search",
                        json_string(pl->frontier_exact ? "exact" : "greedy"));
    json_object_set_new(out, "frontier", frontier_json(sc, pl, idx, n));
    json_object_set_new(out, "summary", plan_summary(sc, pl, idx, o, 0));
    json_object_set_new(out, "summary_markdown", plan_summary(sc, pl, idx, o, 1));
    return out;
}

/* The plan's work budget: a deadline on a monotonic clock. */
static int past_deadline(void *arg)
{
    return gf_svc__now_ms() >= *(const double *)arg;
}

json_t *gf_svc_plan_answer(const gf_svc_plan_req *req, gf_err *err)
{
    if (req->metric && strcmp(req->metric, "bookings") != 0)
        return gf_svc__kpi_plan_answer(req, err);
    double deadline = 0; /* set when the search starts: the forecast before it is not search */
    gf_svc_levers sc;
    gf_model_plan pl = {0};
    json_t *body = NULL;
    gf_model_lever *lv = NULL;
    size_t *idx = NULL, n = 0;
    static const int goals[] = {[GF_SVC_GOAL_P50] = GF_MODEL_GOAL_P50,
                                [GF_SVC_GOAL_PROBABILITY] = GF_MODEL_GOAL_PROB,
                                [GF_SVC_GOAL_MAX_P50] = GF_MODEL_GOAL_MAX_P50,
                                [GF_SVC_GOAL_MAX_EXPECTED] = GF_MODEL_GOAL_MAX_EXPECTED};
    if ((unsigned)req->goal >= sizeof goals / sizeof goals[0]) {
        gf_err_invalid(err, "goal.type", "goal.type is not a goal of a plan");
        return NULL;
    }
    gf_model_plan_opts o = {.budget_cents = req->budget_cents < 0 ? -1 : req->budget_cents,
                            .goal = goals[req->goal],
                            .confidence = req->confidence,
                            .stop = past_deadline,
                            .stop_arg = &deadline};
    const int maximise = o.goal == GF_MODEL_GOAL_MAX_P50 || o.goal == GF_MODEL_GOAL_MAX_EXPECTED;
    if (maximise && o.budget_cents < 0) {
        gf_err_invalid(err, "budget", "budget: a plan that buys the most (goal %s) needs a budget",
                       req->goal == GF_SVC_GOAL_MAX_P50 ? "max_p50" : "max_expected");
        return NULL;
    }
    if (gf_svc__levers_open(&req->forecast, &sc, err) < 0)
        goto done;
    if (!maximise && !sc.f->has_target) {
        gf_err_invalid(err, "period",
                       "period: a plan needs a bookings target for the period "
                       "and scope (PUT /v1/targets)");
        goto done;
    }
    lv = calloc(sc.n_levers + 1, sizeof *lv);
    idx = calloc(sc.n_levers + 1, sizeof *idx);
    if (!lv || !idx) {
        gf_err_internal(err);
        goto done;
    }
    if (plan_levers(&sc, req->levers, req->n_levers, lv, idx, &n, err) < 0 ||
        gf_svc__levers_prepare(&sc, lv, n, err) < 0)
        goto done;
    const unsigned trials = req->forecast.trials;
    o.search_trials = trials < GF_MODEL_PLAN_SEARCH_TRIALS ? trials : 0;
    deadline = gf_svc__now_ms() + gf_svc_options_get()->plan_budget_ms;
    const int rc = gf_model_plan_search(&sc.ctx, lv, n, &o, &pl);
    if (rc != 0) {
        gf_svc__model_error(rc, err);
        goto done;
    }
    body = plan_answer(&sc, &pl, idx, n, &o);
done:
    gf_model_plan_free(&pl);
    free(lv);
    free(idx);
    gf_svc__levers_clear(&sc);
    return body;
}
