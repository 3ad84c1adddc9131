/* scenarios.c — POST /v1/scenarios (baseline vs lever units, common random numbers) and POST
 * /v1/plans (the cheapest lever units that reach a goal, with the board summary). Money is in
 * currency units. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gapforge/api.h"
#include "gapforge/date.h"
#include "gapforge/model_summary.h"
#include "scenario_internal.h"

static json_t *day_json(int day)
{
    char d[11];
    gf_date_format(day, d);
    return json_string(d);
}

/* A run's figures: expected, p10, p50, p90, prob_hit (null without a target). */
static json_t *dist_json(const gf_model_sim_result *s, int has_target)
{
    return json_pack("{s:o, s:o, s:o, s:o, s:o}", "expected", gf_api__fc_money(s->expected), "p10",
                     gf_api__fc_money((double)s->p10), "p50", gf_api__fc_money((double)s->p50),
                     "p90", gf_api__fc_money((double)s->p90), "prob_hit",
                     has_target ? json_real(s->prob_hit) : json_null());
}

static json_t *delta_json(const gf_model_delta *d, int has_target)
{
    return json_pack("{s:o, s:o, s:o, s:o, s:o}", "expected", gf_api__fc_money(d->expected), "p10",
                     gf_api__fc_money((double)d->p10), "p50", gf_api__fc_money((double)d->p50),
                     "p90", gf_api__fc_money((double)d->p90), "prob_hit",
                     has_target ? json_real(d->prob_hit) : json_null());
}

/* What every answer starts with. */
static json_t *head_json(const sc_ctx *sc)
{
    return json_pack("{s:s, s:s, s:o, s:o, s:o, s:s, s:o, s:i, s:I}", "period", sc->p.period.name,
                     "scope", sc->p.scope, "start", day_json(sc->p.period.start), "end",
                     day_json(sc->p.period.end), "as_of", day_json(sc->p.as_of), "currency",
                     sc->currency, "target",
                     sc->r.has_target ? gf_api__fc_money(sc->r.target_cents) : json_null(),
                     "trials", (int)sc->p.trials, "seed", (json_int_t)sc->p.seed);
}

static int model_error(int rc, gf_err *err)
{
    if (rc == GF_MODEL_EINVAL)
        return gf_err_invalid(err, "levers",
                              "levers: these levers cannot act on this period at this as_of");
    return gf_err_internal(err);
}

/* ---- scenarios ---- */

static const char *const scenario_fields[] = {"period", "scope",  "as_of", "trials",
                                              "seed",   "levers", NULL};

/* Reads item i of the scenario's levers into lv[i] and units[i]. */
static int scenario_item(sc_ctx *sc, const json_t *item, size_t i, size_t *idx, gf_model_lever *lv,
                         uint32_t *units, gf_err *err)
{
    char f[64];
    snprintf(f, sizeof f, "levers[%zu]", i);
    if (!json_is_object(item))
        return gf_err_invalid(err, f, "%s must be an object", f);
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)item, key, v)
    {
        if (strcmp(key, "key") != 0 && strcmp(key, "units") != 0 && strcmp(key, "start_on") != 0 &&
            strcmp(key, "deals") != 0) {
            snprintf(f, sizeof f, "levers[%zu].%.32s", i, key);
            return gf_err_invalid(err, f, "%s is not a field of a scenario lever", f);
        }
    }
    snprintf(f, sizeof f, "levers[%zu].key", i);
    const long k = gf_api__sc_find(sc, json_string_value(json_object_get(item, "key")));
    if (k < 0)
        return gf_err_invalid(err, f, "%s: no lever with this key", f);
    for (size_t j = 0; j < i; j++)
        if (idx[j] == (size_t)k)
            return gf_err_invalid(err, f, "%s: the lever appears twice", f);
    idx[i] = (size_t)k;
    const sc_lever *l = &sc->levers[k];
    if (!l->usable)
        return gf_err_invalid(err, f,
                              "%s: this %s lever cannot be simulated here (a negative effect, or "
                              "deals added after the period's end or with no amounts to draw)",
                              f, gf_model_lever_kind_name(l->lv.kind));
    snprintf(f, sizeof f, "levers[%zu].deals", i);
    const json_t *deals = json_object_get(item, "deals");
    if (deals && gf_api__sc_deals(sc, (size_t)k, deals, f, err) < 0)
        return -1;
    lv[i] = l->lv;
    snprintf(f, sizeof f, "levers[%zu].units", i);
    const json_t *u = json_object_get(item, "units");
    if (!json_is_integer(u) || json_integer_value(u) < 0 ||
        json_integer_value(u) > (json_int_t)l->lv.max_units)
        return gf_err_invalid(err, f, "%s must be an integer from 0 to the lever's max_units (%u)",
                              f, l->lv.max_units);
    units[i] = (uint32_t)json_integer_value(u);
    if (l->lv.kind == GF_MODEL_LEVER_CONCESSION && units[i] > l->lv.n_deals)
        return gf_err_invalid(err, f, "%s: only %zu deals can be conceded", f, l->lv.n_deals);
    const json_t *s = json_object_get(item, "start_on");
    if (s && !json_is_null(s)) {
        snprintf(f, sizeof f, "levers[%zu].start_on", i);
        int day;
        if (!json_is_string(s) || gf_date_parse(json_string_value(s), &day) < 0)
            return gf_err_invalid(err, f, "%s must be a date YYYY-MM-DD", f);
        lv[i].start_day = day;
    }
    return 0;
}

static json_t *scenario_answer(const sc_ctx *sc, const gf_model_scenario *s, const size_t *idx,
                               const uint32_t *units, size_t n)
{
    const int t = sc->r.has_target;
    json_t *o = head_json(sc), *levers = json_array();
    for (size_t k = 0; k < n; k++)
        json_array_append_new(levers,
                              json_pack("{s:s, s:I, s:o, s:o}", "key", sc->levers[idx[k]].key,
                                        "units", (json_int_t)units[k], "cost",
                                        gf_api__fc_money((double)s->uplift[k].cost_cents), "uplift",
                                        delta_json(&s->uplift[k].delta, t)));
    json_object_set_new(o, "baseline", dist_json(&s->baseline, t));
    json_object_set_new(o, "scenario", dist_json(&s->result, t));
    json_object_set_new(o, "delta", delta_json(&s->delta, t));
    json_object_set_new(o, "levers", levers);
    json_object_set_new(o, "total_cost", gf_api__fc_money((double)s->cost_cents));
    return o;
}

void gf_api_scenario_create(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    sc_ctx sc;
    gf_model_scenario s = {0};
    json_t *body = NULL;
    gf_model_lever *lv = NULL;
    uint32_t *units = NULL;
    size_t *idx = NULL, n = 0;
    if (gf_api__sc_open(req, scenario_fields, &sc, &err) < 0)
        goto done;
    const json_t *items = json_object_get(req->body, "levers");
    if (!json_is_array(items)) {
        gf_err_invalid(&err, "levers", "levers must be an array of {key, units}");
        goto done;
    }
    n = json_array_size(items);
    lv = calloc(n + 1, sizeof *lv);
    units = calloc(n + 1, sizeof *units);
    idx = calloc(n + 1, sizeof *idx);
    if (!lv || !units || !idx) {
        gf_err_internal(&err);
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        if (scenario_item(&sc, json_array_get(items, i), i, idx, lv, units, &err) < 0)
            goto done;
    if (gf_api__sc_prepare(&sc, lv, n, &err) < 0)
        goto done;
    int rc = gf_model_scenario_run(&sc.ctx, lv, units, n, &s);
    if (rc != 0) {
        model_error(rc, &err);
        goto done;
    }
    body = scenario_answer(&sc, &s, idx, units, n);
done:
    gf_model_scenario_free(&s);
    free(lv);
    free(units);
    free(idx);
    gf_api__sc_clear(&sc);
    gf_resp_result(resp, 200, body, &err);
}

/* ---- plans ---- */

static const char *const plan_fields[] = {"period", "scope",  "as_of",  "trials", "seed",
                                          "goal",   "budget", "levers", NULL};

static int plan_goal(const json_t *g, gf_model_plan_opts *o, gf_err *err)
{
    if (!json_is_object(g))
        return gf_err_invalid(err, "goal", "goal is required: {type: p50 | probability}");
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)g, key, v)
    {
        if (strcmp(key, "type") != 0 && strcmp(key, "confidence") != 0)
            return gf_err_invalid(err, "goal", "goal.%s is not a field of a goal", key);
    }
    const char *type = json_string_value(json_object_get(g, "type"));
    const json_t *c = json_object_get(g, "confidence");
    if (type && strcmp(type, "p50") == 0) {
        o->goal = GF_MODEL_GOAL_P50;
        if (c && !json_is_null(c))
            return gf_err_invalid(err, "goal.confidence",
                                  "goal.confidence goes with type probability");
        return 0;
    }
    if (!type || strcmp(type, "probability") != 0)
        return gf_err_invalid(err, "goal.type", "goal.type must be p50 or probability");
    o->goal = GF_MODEL_GOAL_PROB;
    o->confidence = json_is_number(c) ? json_number_value(c) : 0.8;
    if ((c && !json_is_null(c) && !json_is_number(c)) || !(o->confidence > 0) ||
        !(o->confidence < 1))
        return gf_err_invalid(err, "goal.confidence",
                              "goal.confidence must be a number between 0 and 1");
    return 0;
}

/* The levers the plan may use (default: every lever of the org) into lv and idx. */
static int plan_levers(sc_ctx *sc, const json_t *keys, gf_model_lever *lv, size_t *idx, size_t *n,
                       gf_err *err)
{
    *n = 0;
    if (!keys || json_is_null(keys)) {
        for (size_t k = 0; k < sc->n_levers; k++) {
            if (!sc->levers[k].usable)
                continue;
            lv[*n] = sc->levers[k].lv;
            idx[(*n)++] = k;
        }
        return 0;
    }
    if (!json_is_array(keys) || json_array_size(keys) > sc->n_levers)
        return gf_err_invalid(err, "levers", "levers must be an array of the org's lever keys");
    for (size_t i = 0; i < json_array_size(keys); i++, (*n)++) {
        char f[32];
        snprintf(f, sizeof f, "levers[%zu]", i);
        const long k = gf_api__sc_find(sc, json_string_value(json_array_get(keys, i)));
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
static json_t *plan_summary(const sc_ctx *sc, const gf_model_plan *pl, const size_t *idx,
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
        drv[j].label = gf_api__fc_driver_label(d->driver, &drv[j].percent);
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
    gf_model_summary_input in = {.currency = sc->currency,
                                 .period = sc->p.period.name,
                                 .target_cents = sc->r.target_cents,
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

static json_t *plan_answer(const sc_ctx *sc, const gf_model_plan *pl, const size_t *idx,
                           const gf_model_plan_opts *o, const gf_model_attrib *why)
{
    json_t *out = head_json(sc), *actions = json_array();
    for (size_t k = 0; k < pl->n_actions; k++) {
        const gf_model_plan_action *a = &pl->actions[k];
        const sc_lever *l = &sc->levers[idx[a->lever]];
        json_array_append_new(
            actions,
            json_pack("{s:s, s:s, s:s, s:I, s:o, s:o, s:o}", "lever", l->key, "name", l->name,
                      "kind", gf_model_lever_kind_name(l->lv.kind), "units", (json_int_t)a->units,
                      "cost", gf_api__fc_money((double)a->cost_cents), "uplift",
                      delta_json(&a->uplift, 1), "start_by", day_json(a->start_by)));
    }
    json_object_set_new(
        out, "goal",
        o->goal == GF_MODEL_GOAL_P50
            ? json_pack("{s:s}", "type", "p50")
            : json_pack("{s:s, s:f}", "type", "probability", "confidence", o->confidence));
    json_object_set_new(out, "budget",
                        o->budget_cents < 0 ? json_null()
                                            : gf_api__fc_money((double)o->budget_cents));
    json_object_set_new(out, "achieves", json_boolean(pl->achieves));
    json_object_set_new(out, "search", json_string(pl->exact ? "exact" : "greedy"));
    json_object_set_new(out, "baseline", dist_json(&pl->baseline, 1));
    json_object_set_new(out, "result", dist_json(&pl->result, 1));
    json_object_set_new(out, "delta", delta_json(&pl->delta, 1));
    json_object_set_new(out, "actions", actions);
    json_object_set_new(out, "total_cost", gf_api__fc_money((double)pl->total_cost_cents));
    json_object_set_new(out, "residual_gap",
                        pl->achieves ? json_null() : gf_api__fc_money(pl->residual_gap_cents));
    json_object_set_new(out, "summary", plan_summary(sc, pl, idx, why, 0));
    json_object_set_new(out, "summary_markdown", plan_summary(sc, pl, idx, why, 1));
    return out;
}

void gf_api_plan_create(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    sc_ctx sc;
    gf_model_plan pl = {0};
    json_t *body = NULL;
    gf_model_lever *lv = NULL;
    size_t *idx = NULL, n = 0;
    gf_model_plan_opts o = {.budget_cents = -1};
    if (gf_api__sc_open(req, plan_fields, &sc, &err) < 0 ||
        plan_goal(json_object_get(req->body, "goal"), &o, &err) < 0)
        goto done;
    const json_t *budget = json_object_get(req->body, "budget");
    if (budget && !json_is_null(budget)) {
        if (!json_is_number(budget) || !(json_number_value(budget) >= 0) ||
            json_number_value(budget) > 1e15) {
            gf_err_invalid(&err, "budget", "budget must be a non-negative amount");
            goto done;
        }
        o.budget_cents = llround(json_number_value(budget) * 100.0);
    }
    if (!sc.r.has_target) {
        gf_err_invalid(&err, "period",
                       "period: a plan needs a bookings target for the period "
                       "and scope (PUT /v1/targets)");
        goto done;
    }
    lv = calloc(sc.n_levers + 1, sizeof *lv);
    idx = calloc(sc.n_levers + 1, sizeof *idx);
    if (!lv || !idx) {
        gf_err_internal(&err);
        goto done;
    }
    if (plan_levers(&sc, json_object_get(req->body, "levers"), lv, idx, &n, &err) < 0 ||
        gf_api__sc_prepare(&sc, lv, n, &err) < 0)
        goto done;
    o.search_trials = sc.p.trials < GF_MODEL_PLAN_SEARCH_TRIALS ? sc.p.trials : 0;
    int rc = gf_model_plan_search(&sc.ctx, lv, n, &o, &pl);
    if (rc != 0) {
        model_error(rc, &err);
        goto done;
    }
    body = plan_answer(&sc, &pl, idx, &o, &sc.why);
done:
    gf_model_plan_free(&pl);
    free(lv);
    free(idx);
    gf_api__sc_clear(&sc);
    gf_resp_result(resp, 200, body, &err);
}
