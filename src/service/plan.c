/* plan.c — the cheapest lever units that reach a goal against the period's bookings target,
 * within a budget, with the actions by start date, the ask and the paragraph for the board. */
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

/* The board paragraph (plain text or Markdown). New reference. */
static json_t *plan_summary(const gf_svc_levers *sc, const gf_model_plan *pl, const size_t *idx,
                            const gf_model_attrib *why, int markdown)
{
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
        drv[j] = (gf_model_summary_driver){
            .baseline = d->baseline, .current = d->current, .impact_cents = d->impact};
        drv[j].label = gf_svc__driver_label(d->driver, &drv[j].percent);
        if (d->driver == GF_MODEL_DRV_DEAL_SIZE) {
            drv[j].baseline /= 100.0;
            drv[j].current /= 100.0;
        } else if (!drv[j].percent) {
            drv[j].unit = d->driver == GF_MODEL_DRV_CYCLE ? "days" : "";
        }
    }
    const size_t na =
        pl->n_actions < GF_MODEL_SUMMARY_MAX_ACTIONS ? pl->n_actions : GF_MODEL_SUMMARY_MAX_ACTIONS;
    for (size_t k = 0; k < na; k++) {
        const gf_model_plan_action *a = &pl->actions[k];
        act[k] =
            (gf_model_summary_action){sc->levers[idx[a->lever]].name, a->units,
                                      (double)a->cost_cents, (double)a->uplift.p50, a->start_by};
    }
    gf_model_summary_input in = {.currency = sc->f->currency,
                                 .period = sc->f->req.period.name,
                                 .target_cents = (double)sc->f->target_cents,
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
                                 .residual_gap_cents = pl->residual_gap_cents};
    char text[4096];
    gf_model_summary_write(&in, markdown, text, sizeof text);
    return json_string(text);
}

static json_t *plan_answer(const gf_svc_levers *sc, const gf_model_plan *pl, const size_t *idx,
                           const gf_model_plan_opts *o, const gf_model_attrib *why)
{
    json_t *out = gf_svc__levers_head(sc), *actions = json_array();
    for (size_t k = 0; k < pl->n_actions; k++) {
        const gf_model_plan_action *a = &pl->actions[k];
        const gf_svc_lever *l = &sc->levers[idx[a->lever]];
        json_array_append_new(
            actions,
            json_pack("{s:s, s:s, s:s, s:I, s:o, s:o, s:o}", "lever", l->key, "name", l->name,
                      "kind", gf_model_lever_kind_name(l->lv.kind), "units", (json_int_t)a->units,
                      "cost", gf_svc__money((double)a->cost_cents), "uplift",
                      gf_svc__delta_json(&a->uplift, 1), "start_by", gf_svc__day(a->start_by)));
    }
    json_object_set_new(
        out, "goal",
        o->goal == GF_MODEL_GOAL_P50
            ? json_pack("{s:s}", "type", "p50")
            : json_pack("{s:s, s:f}", "type", "probability", "confidence", o->confidence));
    json_object_set_new(out, "budget",
                        o->budget_cents < 0 ? json_null() : gf_svc__money((double)o->budget_cents));
    json_object_set_new(out, "achieves", json_boolean(pl->achieves));
    json_object_set_new(out, "search",
                        json_string(pl->stopped ? "budget"
                                    : pl->exact ? "exact"
                                                : "greedy"));
    json_object_set_new(out, "baseline", gf_svc__dist_json(&pl->baseline, 1));
    json_object_set_new(out, "result", gf_svc__dist_json(&pl->result, 1));
    json_object_set_new(out, "delta", gf_svc__delta_json(&pl->delta, 1));
    json_object_set_new(out, "actions", actions);
    json_object_set_new(out, "total_cost", gf_svc__money((double)pl->total_cost_cents));
    json_object_set_new(out, "residual_gap",
                        pl->achieves ? json_null() : gf_svc__money(pl->residual_gap_cents));
    json_object_set_new(out, "summary", plan_summary(sc, pl, idx, why, 0));
    json_object_set_new(out, "summary_markdown", plan_summary(sc, pl, idx, why, 1));
    return out;
}

/* The plan's work budget: a deadline on a monotonic clock. */
static int past_deadline(void *arg)
{
    return gf_svc__now_ms() >= *(const double *)arg;
}

json_t *gf_svc_plan_answer(const gf_svc_plan_req *req, gf_err *err)
{
    double deadline = 0; /* set when the search starts: the forecast before it is not search */
    gf_svc_levers sc;
    gf_model_plan pl = {0};
    json_t *body = NULL;
    gf_model_lever *lv = NULL;
    size_t *idx = NULL, n = 0;
    gf_model_plan_opts o = {.budget_cents = req->budget_cents < 0 ? -1 : req->budget_cents,
                            .goal = req->goal == GF_SVC_GOAL_P50 ? GF_MODEL_GOAL_P50
                                                                 : GF_MODEL_GOAL_PROB,
                            .confidence = req->confidence,
                            .stop = past_deadline,
                            .stop_arg = &deadline};
    if (gf_svc__levers_open(&req->forecast, &sc, err) < 0)
        goto done;
    if (!sc.f->has_target) {
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
    body = plan_answer(&sc, &pl, idx, &o, &sc.f->why);
done:
    gf_model_plan_free(&pl);
    free(lv);
    free(idx);
    gf_svc__levers_clear(&sc);
    return body;
}
