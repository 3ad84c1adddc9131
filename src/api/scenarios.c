/* scenarios.c — POST /v1/scenarios and POST /v1/plans: the body read into the service's
 * request (lever units, goal, budget), one service call, the document out. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gapforge/api.h"
#include "gapforge/date.h"
#include "gapforge/service.h"
#include "gapforge/validate.h"

/* ---- scenarios ---- */

static const char *const scenario_fields[] = {"period", "scope",  "as_of",  "trials",
                                              "seed",   "levers", "metric", NULL};

/* The deal ids of a concession item into ids (cap entries). */
static int item_deals(const json_t *deals, const char *field, int64_t *ids, size_t cap, size_t *n,
                      gf_err *err)
{
    if (!json_is_array(deals) || json_array_size(deals) == 0)
        return gf_err_invalid(err, field, "%s must be a non-empty array of deal ids", field);
    *n = json_array_size(deals) < cap ? json_array_size(deals) : cap;
    for (size_t k = 0; k < *n; k++) {
        const json_t *v = json_array_get(deals, k);
        if (!json_is_integer(v))
            return gf_err_invalid(err, field, "%s: deal %zu is not an open deal of the scope",
                                  field, k);
        ids[k] = (int64_t)json_integer_value(v);
    }
    if (json_array_size(deals) > cap)
        *n = cap + 1; /* more than any lever may name: the service refuses the count */
    return 0;
}

/* Reads item i of the scenario's levers into out; deal ids go to ids (owned by the caller). */
static int scenario_item(const json_t *item, size_t i, gf_svc_lever_units *out, int64_t **ids,
                         gf_err *err)
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
    out->key = json_string_value(json_object_get(item, "key"));
    const json_t *u = json_object_get(item, "units");
    out->units = json_is_integer(u) ? (int64_t)json_integer_value(u) : -1;
    const json_t *s = json_object_get(item, "start_on");
    if (s && !json_is_null(s)) {
        snprintf(f, sizeof f, "levers[%zu].start_on", i);
        if (!json_is_string(s) || gf_date_parse(json_string_value(s), &out->start_on) < 0)
            return gf_err_invalid(err, f, "%s must be a date YYYY-MM-DD", f);
        out->has_start_on = true;
    }
    const json_t *deals = json_object_get(item, "deals");
    if (!deals)
        return 0;
    snprintf(f, sizeof f, "levers[%zu].deals", i);
    const size_t cap = (size_t)gf_svc_options_get()->max_concession_deals;
    *ids = calloc(cap + 2, sizeof **ids);
    if (!*ids)
        return gf_err_internal(err);
    out->deal_ids = *ids;
    return item_deals(deals, f, *ids, cap, &out->n_deal_ids, err);
}

void gf_api_scenario_create(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    gf_api_forecast_body fb;
    gf_svc_lever_units *items = NULL;
    int64_t **ids = NULL;
    size_t n = 0;
    json_t *body = NULL;
    if (gf_api_forecast_body_read(req, scenario_fields, &fb, &err) < 0)
        goto done;
    const json_t *levers = json_object_get(req->body, "levers");
    if (!json_is_array(levers)) {
        gf_err_invalid(&err, "levers", "levers must be an array of {key, units}");
        goto done;
    }
    n = json_array_size(levers);
    items = calloc(n + 1, sizeof *items);
    ids = calloc(n + 1, sizeof *ids);
    if (!items || !ids) {
        gf_err_internal(&err);
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        if (scenario_item(json_array_get(levers, i), i, &items[i], &ids[i], &err) < 0)
            goto done;
    const json_t *metric = json_object_get(req->body, "metric");
    if (metric && !json_is_null(metric) && !json_is_string(metric)) {
        gf_err_invalid(&err, "metric", "metric must be bookings or a KPI key");
        goto done;
    }
    const gf_svc_scenario_req sr = {
        .forecast = fb.req, .metric = json_string_value(metric), .levers = items, .n_levers = n};
    body = gf_svc_scenario_answer(&sr, &err);
done:
    for (size_t i = 0; ids && i < n; i++)
        free(ids[i]);
    free(ids);
    free(items);
    gf_resp_result(resp, 200, body, &err);
}

/* ---- plans ---- */

static const char *const plan_fields[] = {"period", "scope",  "as_of",  "trials", "seed",
                                          "goal",   "budget", "levers", NULL};

/* The goal types of a plan by name. */
static const struct {
    const char *type;
    gf_svc_goal goal;
} plan_goals[] = {
    {"p50", GF_SVC_GOAL_P50},
    {"probability", GF_SVC_GOAL_PROBABILITY},
    {"max_p50", GF_SVC_GOAL_MAX_P50},
    {"max_expected", GF_SVC_GOAL_MAX_EXPECTED},
};

static int plan_goal(const json_t *g, gf_svc_plan_req *pr, gf_err *err)
{
    if (!json_is_object(g))
        return gf_err_invalid(err, "goal",
                              "goal is required: {type: p50 | probability | max_p50 | "
                              "max_expected}");
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)g, key, v)
    {
        if (strcmp(key, "type") != 0 && strcmp(key, "confidence") != 0 &&
            strcmp(key, "metric") != 0)
            return gf_err_invalid(err, "goal", "goal.%s is not a field of a goal", key);
    }
    const json_t *metric = json_object_get(g, "metric");
    if (metric && !json_is_null(metric) && !json_is_string(metric))
        return gf_err_invalid(err, "goal.metric", "goal.metric must be bookings or a KPI key");
    pr->metric = json_string_value(metric);
    const char *type = json_string_value(json_object_get(g, "type"));
    const json_t *c = json_object_get(g, "confidence");
    size_t k = 0;
    while (k < sizeof plan_goals / sizeof plan_goals[0] &&
           (!type || strcmp(type, plan_goals[k].type) != 0))
        k++;
    if (k == sizeof plan_goals / sizeof plan_goals[0])
        return gf_err_invalid(err, "goal.type",
                              "goal.type must be p50, probability, max_p50 or max_expected");
    pr->goal = plan_goals[k].goal;
    if (pr->goal != GF_SVC_GOAL_PROBABILITY) {
        if (c && !json_is_null(c))
            return gf_err_invalid(err, "goal.confidence",
                                  "goal.confidence goes with type probability");
        return 0;
    }
    pr->confidence = json_is_number(c) ? json_number_value(c) : 0.8;
    if ((c && !json_is_null(c) && !json_is_number(c)) || !(pr->confidence > 0) ||
        !(pr->confidence < 1))
        return gf_err_invalid(err, "goal.confidence",
                              "goal.confidence must be a number between 0 and 1");
    return 0;
}

static int plan_budget(const json_t *budget, gf_svc_plan_req *pr, gf_err *err)
{
    pr->budget_cents = -1;
    if (!budget || json_is_null(budget))
        return 0;
    if (!json_is_number(budget) || !(json_number_value(budget) >= 0) ||
        json_number_value(budget) > 1e15)
        return gf_err_invalid(err, "budget", "budget must be a non-negative amount");
    /* Money: whole cents, as every amount that enters. */
    char *cents = gf_validate_value("budget", GF_F_MONEY, budget, err);
    if (!cents)
        return err->code;
    free(cents);
    pr->budget_cents = llround(json_number_value(budget) * 100.0);
    return 0;
}

/* The lever keys a plan may use (NULL: every usable lever) into keys (owned by the caller). */
static int plan_levers(const json_t *levers, gf_svc_plan_req *pr, const char ***keys, gf_err *err)
{
    if (!levers || json_is_null(levers))
        return 0;
    if (!json_is_array(levers))
        return gf_err_invalid(err, "levers", "levers must be an array of the org's lever keys");
    const size_t n = json_array_size(levers);
    *keys = calloc(n + 1, sizeof **keys);
    if (!*keys)
        return gf_err_internal(err);
    for (size_t i = 0; i < n; i++)
        (*keys)[i] = json_string_value(json_array_get(levers, i)); /* NULL: no lever has it */
    pr->levers = *keys;
    pr->n_levers = n;
    return 0;
}

void gf_api_plan_create(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    gf_api_forecast_body fb;
    gf_svc_plan_req pr = {0};
    const char **keys = NULL;
    json_t *body = NULL;
    if (gf_api_forecast_body_read(req, plan_fields, &fb, &err) == 0 &&
        plan_goal(json_object_get(req->body, "goal"), &pr, &err) == 0 &&
        plan_budget(json_object_get(req->body, "budget"), &pr, &err) == 0 &&
        plan_levers(json_object_get(req->body, "levers"), &pr, &keys, &err) == 0) {
        pr.forecast = fb.req;
        body = gf_svc_plan_answer(&pr, &err);
    }
    free(keys);
    gf_resp_result(resp, 200, body, &err);
}
